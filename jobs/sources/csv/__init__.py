"""Seller Center and Ads Manager CSV export readers."""
