"""Traffic and GMV mix by channel (LIVE, VIDEO, PRODUCT_CARD, SEARCH, AFFILIATE, PAID).

Inputs: ``shop_traffic_daily`` rows, the local days of the current and previous period, the
reporting currency and ``FxRates`` (GMV of several currencies is converted per day first).
Output: a DataFrame, one row per channel: ``visitors_share``, ``page_views_share`` and
``gmv_share`` in both periods (fractions of channel ALL, or of the sum of channels when ALL is
absent; the same denominator as the true-ROAS paid share) and their change in percentage points
(``*_change_pp``). Shares are ``None`` when the denominator is 0 or missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import pandas as pd

from analytics.fx import FxRates, convert_totals
from analytics.money import ratio

__all__ = [
    "CHANNELS", "channel_mix",
]


CHANNELS: tuple[str, ...] = ("LIVE", "VIDEO", "PRODUCT_CARD", "SEARCH", "AFFILIATE", "PAID")


def _totals(traffic: pd.DataFrame, days: list[date], currency: str,
            fx: FxRates | None) -> dict[str, dict[str, float | Decimal | None]]:
    rows = traffic[traffic["day"].isin(days)]
    counts = rows.groupby("channel")[["visitors", "page_views"]].sum(min_count=1)
    gmv = convert_totals(rows, ["channel"], "gmv", currency, fx).set_index("channel")["gmv"]
    out: dict[str, dict[str, float | Decimal | None]] = {}
    for channel in set(counts.index) | set(gmv.index):
        out[str(channel)] = {
            "visitors": _num(counts, channel, "visitors"),
            "page_views": _num(counts, channel, "page_views"),
            "gmv": gmv.get(channel),
        }
    channels = [c for c in out if c != "ALL"]
    if "ALL" not in out:  # the denominator: channel ALL, else the sum of the channels
        out["ALL"] = {k: _add(out[c][k] for c in channels) for k in ("visitors", "page_views")}
        out["ALL"]["gmv"] = _add(out[c]["gmv"] for c in channels)
    return out


def _num(frame: pd.DataFrame, channel: object, col: str) -> float | None:
    if channel not in frame.index or pd.isna(frame.loc[channel, col]):
        return None
    return float(frame.loc[channel, col])


def _add(values: Iterable[float | Decimal | None]) -> float | Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    total: float | Decimal = present[0]
    for v in present[1:]:
        total = total + v  # type: ignore[operator]
    return total


def channel_mix(
    traffic: pd.DataFrame, current_days: Iterable[date], previous_days: Iterable[date],
    currency: str, fx: FxRates | None = None, *, shop_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Shares of visitors, page views and GMV per channel now and before, and their change."""
    if shop_ids is not None:
        traffic = traffic[traffic["shop_id"].isin(list(shop_ids))]
    cur = _totals(traffic, list(current_days), currency, fx)
    prev = _totals(traffic, list(previous_days), currency, fx)
    present = (set(cur) | set(prev)) - {"ALL"}
    channels = [c for c in CHANNELS if c in present] + sorted(present - set(CHANNELS))
    records = []
    for channel in channels:
        rec: dict[str, object] = {"channel": channel}
        for metric in ("visitors", "page_views", "gmv"):
            now = ratio(cur.get(channel, {}).get(metric), cur["ALL"][metric])
            before = ratio(prev.get(channel, {}).get(metric), prev["ALL"][metric])
            rec[f"{metric}_share"] = now
            rec[f"{metric}_share_previous"] = before
            rec[f"{metric}_change_pp"] = (
                None if now is None or before is None else 100 * (now - before))
        records.append(rec)
    return pd.DataFrame(records)
