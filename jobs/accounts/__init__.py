"""Authorizations, tenancy, registry, targets and the OAuth callback."""
