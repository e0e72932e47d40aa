"""Connectors: one module per external source (TikTok Shop, TikTok Ads, CSV exports).

Each connector takes its ``httpx.Client`` from outside, turns wire JSON into typed records
(``Decimal`` money, timezone-aware UTC datetimes) and raises only the errors in ``errors``.
"""
