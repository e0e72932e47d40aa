"""Ads by campaign: ``campaign_totals(conn, advertiser_shop, first, last, currency)``.

The campaign-level rows of the TikTok Business API report are kept per advertiser, campaign and
day in ``ad_daily`` (the rollup the KPIs' ``spend`` and ``purchase_value`` are summed from), so
the campaigns of a store add up to the store's ads numbers in chat and in the digest. The
database sums each campaign per currency and day (one ``GROUP BY``, the same SQL on SQLite and
PostgreSQL); money in another currency is converted at each day's stored rate. A figure the
platform reported as "-" stays ``None`` (not reported), never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, Select, bindparam, func, select

from analytics.money import quantize
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.schema import ad_daily

#: The money columns summed per campaign.
MONEY = ("spend", "purchase_value")
#: The count columns summed per campaign.
COUNTS = ("impressions", "clicks", "purchases")


@dataclass(frozen=True)
class CampaignTotals:
    """One campaign's ads over a period, in one currency; ``None`` where never reported."""

    advertiser_id: str
    shop_id: str
    campaign_id: str
    name: str
    currency: str
    spend: Decimal | None
    purchase_value: Decimal | None
    impressions: int | None
    clicks: int | None
    purchases: int | None


def _statement() -> Select[Any]:
    """Per advertiser, campaign, currency and day: the sums of the ads columns."""
    c = ad_daily.c
    sums = [func.sum(c[name]).label(name) for name in (*MONEY, *COUNTS)]
    return (select(c.advertiser_id, c.campaign_id, func.max(c.campaign_name).label("name"),
                   c.currency, c.day, *sums)
            .where(c.advertiser_id.in_(bindparam("advertiser_ids", expanding=True)),
                   c.day >= bindparam("first", type_=Date), c.day <= bindparam("last", type_=Date))
            .group_by(c.advertiser_id, c.campaign_id, c.currency, c.day))


#: The one statement of ``campaign_totals`` (built once).
CAMPAIGN_DAYS = _statement()


def _add(a: Decimal | int | None, b: Decimal | int | None) -> Decimal | int | None:
    """A sum where ``None`` (not reported) only stays ``None`` when both sides are."""
    if a is None:
        return b
    return a if b is None else a + b


def campaign_totals(conn: Connection, advertiser_shop: Mapping[str, str], first: date,
                    last: date, currency: str) -> list[CampaignTotals]:
    """Each campaign of the advertisers (advertiser id -> shop id) over local days
    ``[first, last]`` in ``currency``, biggest spend first; ``MissingFxRate`` names a missing
    rate. Campaigns with no row in the period are not listed."""
    if not advertiser_shop:
        return []
    rows = conn.execute(CAMPAIGN_DAYS, {"advertiser_ids": sorted(advertiser_shop),
                                        "first": first, "last": last}).all()
    fx = load_fx(conn, {r.currency for r in rows} - {currency}, currency, first, last)
    out: dict[tuple[str, str], dict[str, object]] = {}
    for r in rows:
        key = (str(r.advertiser_id), str(r.campaign_id))
        seen = out.setdefault(key, {"name": r.name or r.campaign_id})
        if r.name:
            seen["name"] = r.name
        for name in MONEY:
            value = getattr(r, name)
            if value is not None and r.currency != currency:
                value = fx.convert(Decimal(value), r.currency, r.day, currency, exact=True)
            seen[name] = _add(seen.get(name), None if value is None else Decimal(value))  # type: ignore[arg-type]
        for name in COUNTS:
            value = getattr(r, name)
            seen[name] = _add(seen.get(name), None if value is None else int(value))  # type: ignore[arg-type]
    found = [CampaignTotals(
        advertiser_id=a, shop_id=advertiser_shop[a], campaign_id=c, name=str(v["name"]),
        currency=currency,
        spend=_money(v.get("spend")), purchase_value=_money(v.get("purchase_value")),
        impressions=v.get("impressions"), clicks=v.get("clicks"),  # type: ignore[arg-type]
        purchases=v.get("purchases"))  # type: ignore[arg-type]
        for (a, c), v in out.items()]
    return sorted(found, key=lambda t: (-(t.spend or 0), t.name, t.campaign_id))


def _money(value: object) -> Decimal | None:
    """A converted sum rounded once, to the money quantum the KPIs use."""
    return None if value is None else quantize(Decimal(str(value)))
