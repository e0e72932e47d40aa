"""Typed records parsed from TikTok Shop Partner API JSON, ready to upsert by natural key.

One module per family: ``access`` (token, authorized shops, pages), ``orders`` (orders and
refunds), ``settlements`` (money paid out), ``affiliates`` (creator-attributed orders, creator
profiles), ``performance`` (shop traffic, videos) and ``stock``; ``values`` holds the readers
they share. Money is ``Decimal`` in the record's ``currency``; times are aware UTC datetimes.
Field names follow the wire (tiktok-api.md) so a reader can match a record to a captured response.
"""
