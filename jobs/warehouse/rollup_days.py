"""Ad rollup rows: the per-day sums of one advertiser, from its campaign-level report rows.

A pure function over the frame ``jobs.warehouse.loaders.load_days`` loads (money as int64 units);
it returns the row dicts to insert, with money as exact ``Decimal`` for the ``Money`` type. (A
store's rollups are computed in SQL: ``jobs.warehouse.rollup_sql``.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jobs.warehouse.types import from_money_units

Row = dict[str, Any]


AD_COLUMNS = ("campaign_name", "currency", "impressions", "clicks", "conversions", "purchases",
              "video_views")


def ad_rollup_rows(advertiser_id: str, rows: pd.DataFrame) -> list[Row]:
    """``ad_daily`` rows per (day, campaign) from the campaign-level report rows (the level every
    ads KPI uses, as in ``analytics.daily.ad_rows``); "-" stays ``None``."""
    campaign = rows[rows["level"] == "campaign"]

    def value(v: Any) -> Any:
        return None if pd.isna(v) else int(v)

    return [
        {"advertiser_id": advertiser_id, "day": r["day"], "campaign_id": r["campaign_id"],
         **{c: (r[c] if c in ("campaign_name", "currency") else value(r[c])) for c in AD_COLUMNS},
         "spend": None if pd.isna(r["spend"]) else from_money_units(r["spend"]),
         "purchase_value": (None if pd.isna(r["purchase_value"])
                            else from_money_units(r["purchase_value"]))}
        for r in campaign.to_dict("records")
    ]
