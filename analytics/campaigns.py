"""Ads by campaign: the one cut / watch / keep / scale rule, and a campaign's week beside the last.

``campaign_verdict`` judges a campaign's ROAS (on the basis the targets are set on, see
``jobs.accounts.targets.ROAS_TARGET_BASIS``) against break-even and the target with the same
store-level rule the budget advice uses (``analytics.suggestions.ads_call``): below break-even by
more than the noise band "cut"; below break-even but inside the band, or below the target,
"watch"; beating the target with headroom "scale"; else "keep". The chat's ``campaigns`` answer
and the weekly report both call it, so they never disagree.

``campaign_weeks`` turns campaign-day ads rows (``campaign_id``, ``campaign_name``, ``day``,
``spend``, ``purchase_value`` (money already in one currency, as floats), ``impressions``,
``clicks``, ``purchases``) into one row per campaign: spend, platform ROAS, CPA, CTR, last week's
ROAS and spend, and the weekly platform ROAS of the weeks before (for its noise band).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import pandas as pd

from analytics.kpi_report import KpiReport
from analytics.money import ratio
from analytics.suggestions import (
    DEFAULT_HEADROOM,
    MIN_NOISE_BAND,
    ads_call,
    deteriorations,
    noise_band,
)

__all__ = ["VERDICTS", "campaign_noise", "campaign_verdict", "campaign_weeks", "store_checks"]

#: The verdicts, worst first.
VERDICTS = ("cut", "watch", "keep", "scale")
#: Weeks of a campaign's ROAS history whose ordinary moves set its noise band.
NOISE_WEEKS = 5


def campaign_verdict(roas: float | None, target: float | None, break_even: float | None, *,
                     noise: float = MIN_NOISE_BAND, worse: tuple[str, ...] = (),
                     headroom: float = DEFAULT_HEADROOM) -> str | None:
    """Cut, watch, keep or scale one campaign (``None`` when its ROAS is unknown), judged like
    the store's budget call: no "cut" for a gap inside the noise band, no "scale" while the
    store's conversion, refunds or true ROAS got worse (``worse``, ``store_checks``): "keep"."""
    if roas is None or pd.isna(roas):
        return None
    call = ads_call(float(roas), target, break_even, noise=noise, worse=worse,
                    headroom=headroom)
    if call.verdict in ("cut", "scale"):
        return call.verdict
    if "within_noise" in call.blockers or (target is not None and roas < target):
        return "watch"
    return "keep"


def _worst(kpis: KpiReport, metric: str) -> float | None:
    """The larger fall of ``metric`` against last week and the 4-week average."""
    found = [c.pct for c in (kpis.change(metric), kpis.change(metric, "4w")) if c.pct is not None]
    return min(found) if found else None


def _refund_rise(kpis: KpiReport) -> float | None:
    cur = kpis.current.refund_rate
    refs = [r for r in (kpis.change("refund_rate").reference,
                        kpis.change("refund_rate", "4w").reference) if r is not None]
    return None if cur is None or not refs else cur - min(float(r) for r in refs)


def store_checks(kpis: KpiReport) -> tuple[tuple[str, ...], tuple[float | None, ...]]:
    """(what got worse, (conversion change, refund-rate points, true ROAS change)) of a store's
    week against last week and its 4-week average: the cross-checks that stop a budget rise."""
    figures = (_worst(kpis, "cvr"), _refund_rise(kpis), _worst(kpis, "roas_true"))
    return deteriorations(*figures), figures


def campaign_noise(weekly_roas: Iterable[float | None]) -> float:
    """The noise band of a campaign from its recent weekly ROAS (``noise_band``, the stores')."""
    return noise_band(weekly_roas)


def _sums(rows: pd.DataFrame) -> pd.DataFrame:
    cols = ["spend", "purchase_value", "impressions", "clicks", "purchases"]
    present = [c for c in cols if c in rows]
    return rows.groupby("campaign_id")[present].sum(min_count=1).reindex(columns=cols)


def campaign_weeks(ads: pd.DataFrame, days: Sequence[date],
                   history_weeks: int = NOISE_WEEKS) -> pd.DataFrame:
    """One row per campaign with spend in ``days``: its period, the period of the same length
    before and the platform ROAS of the ``history_weeks`` periods up to it (oldest first)."""
    week = list(days)
    cur = _sums(ads[ads["day"].isin(week)])
    cur = cur[cur["spend"].fillna(0) > 0]
    if cur.empty:
        return pd.DataFrame()
    span = timedelta(days=len(week))  # a period of the same length before: a week, a month
    weeks = [[d - k * span for d in week] for k in range(history_weeks - 1, -1, -1)]
    history = [_sums(ads[ads["day"].isin(w)]) for w in weeks]
    prev = history[-2] if len(history) > 1 else _sums(ads.iloc[0:0])
    names = ads.dropna(subset=["campaign_name"]).groupby("campaign_id")["campaign_name"].last()
    rows = []
    for cid, r in cur.iterrows():
        p = prev.loc[cid] if cid in prev.index else None
        rows.append({
            "campaign_id": str(cid), "campaign_name": _name(names.get(cid)),
            "spend": float(r["spend"]), "purchase_value": _f(r["purchase_value"]),
            "roas_platform": ratio(_f(r["purchase_value"]), float(r["spend"])),
            "cpa": ratio(float(r["spend"]), _f(r["purchases"])),
            "ctr": ratio(_f(r["clicks"]), _f(r["impressions"])),
            "spend_previous": None if p is None else _f(p["spend"]),
            "roas_previous": None if p is None else ratio(_f(p["purchase_value"]),
                                                          _f(p["spend"])),
            "weekly_roas": tuple(ratio(_f(h.loc[cid, "purchase_value"]), _f(h.loc[cid, "spend"]))
                                 if cid in h.index else None for h in history)})
    return pd.DataFrame(rows).sort_values(["spend", "campaign_id"], ascending=[False, True])


def _f(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _name(value: object) -> str | None:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return text.strip() or None
