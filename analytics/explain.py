"""Why an anomaly happened: its driver, chosen by how unusual each factor was.

Inputs: an ``Anomaly`` and the rows of its series' store (``analytics.daily`` rows) or campaign
(``ad_report_rows``). The flagged day is compared with the ``history`` days before it:
GMV = traffic x CVR x AOV for a store (orders x AOV without traffic data), ROAS = CTR x CVR x
AOV / CPM for a campaign. Contributions come from ``analytics.drivers`` (LMDI); the driver is the
factor that moved in the direction of the change and was most unusual against its own history
(robust z of its log: median / MAD, noise floor ``FACTOR_NOISE_FLOOR``), so a noisy factor with
a large but ordinary swing (e.g. CVR on a day with few purchases) does not win over a factor
that truly broke (e.g. a CPM jump). Output: the anomaly with ``driver`` and ``explanation`` set.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pandas as pd

from analytics.anomaly_types import Anomaly
from analytics.drivers import Decomposition, decompose_gmv, decompose_roas
from analytics.money import MONEY_SCALE

__all__ = [
    "explain_campaign_anomaly", "explain_store_anomaly", "factor_z",
]


#: Daily factors move at least this much (log) in ordinary times.
FACTOR_NOISE_FLOOR = 0.05
_AD_COLUMNS = ["spend", "impressions", "clicks", "purchases", "purchase_value"]


def factor_z(history: pd.Series, value: float) -> float | None:
    """Robust z of ``value`` against ``history`` on the log scale; None if not computable."""
    hist = history[(history > 0) & history.notna()].astype(float)
    if len(hist) < 3 or not value > 0:
        return None
    logs = np.log(hist.to_numpy())
    center = float(np.median(logs))
    spread = max(float(np.median(np.abs(logs - center))) * 1.4826, FACTOR_NOISE_FLOOR)
    return (math.log(value) - center) / spread


def _pick(dec: Decomposition, factors: pd.DataFrame, now: pd.Series) -> tuple[str | None, str]:
    """The most unusual factor moving with the change, and a note of each factor's z."""
    scores: dict[str, float] = {}
    for part in dec.parts:
        if part.factor not in factors or part.contribution * dec.change <= 0:
            continue
        z = factor_z(factors[part.factor], float(now[part.factor]))
        if z is not None:
            scores[part.factor] = abs(z)
    note = ", ".join(f"{k} z={v:.1f}" for k, v in sorted(scores.items(), key=lambda kv: -kv[1]))
    if not scores:
        return dec.driver, ""
    return max(scores, key=lambda k: scores[k]), note


def _explain(anomaly: Anomaly, wide: pd.DataFrame, history: int,
             factors_of: Callable[[pd.DataFrame], pd.DataFrame],
             decompose: Callable[[pd.Series, pd.Series], Decomposition]) -> Anomaly:
    lo = anomaly.period - timedelta(days=history)
    hist = wide[(wide.index >= lo) & (wide.index < anomaly.period)]
    if anomaly.period not in wide.index or hist.empty:
        return anomaly
    now = wide.loc[anomaly.period]
    dec = decompose(hist.median(), now)
    factors = factors_of(pd.concat([hist, now.to_frame().T]))
    driver, note = _pick(dec, factors.iloc[:-1], factors.iloc[-1])
    if driver is None:
        return anomaly
    text = dec.describe() + (f" (unusual: {note})" if note else "")
    return anomaly.explained(driver, text)


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    return a / b.where(b != 0)


def explain_store_anomaly(anomaly: Anomaly, daily: pd.DataFrame, history: int = 28) -> Anomaly:
    """The store-day anomaly with its GMV driver (traffic, cvr, aov; orders, aov without traffic).

    ``daily`` holds ``analytics.daily`` rows; the store is ``anomaly.key``.
    """
    rows = daily[daily["shop_id"] == anomaly.key]
    wide = rows.pivot_table(index="day", columns="metric", values="value", aggfunc="sum")
    for col in ("orders", "gross_gmv"):
        wide[col] = wide[col].fillna(0.0) if col in wide else 0.0
    wide["gross_gmv"] = wide["gross_gmv"] / 10**MONEY_SCALE
    has_traffic = "visitors" in wide

    def factors(w: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame({"orders": w["orders"], "aov": _ratio(w["gross_gmv"], w["orders"])})
        if has_traffic:
            out["traffic"] = w["visitors"]
            out["cvr"] = _ratio(w["orders"], w["visitors"])
        return out

    def decompose(before: pd.Series, now: pd.Series) -> Decomposition:
        def parts(x: pd.Series) -> tuple[float | None, float, float]:
            visitors = x.get("visitors") if has_traffic else None
            v = None if visitors is None or pd.isna(visitors) else float(visitors)
            return v, float(x["orders"]), float(x["gross_gmv"])
        return decompose_gmv(parts(before), parts(now))

    return _explain(anomaly, wide, history, factors, decompose)


def explain_campaign_anomaly(anomaly: Anomaly, ad_report_rows: pd.DataFrame,
                             history: int = 28) -> Anomaly:
    """The campaign-day anomaly with its ROAS driver (ctr, cvr, aov or cpm)."""
    rows = ad_report_rows[(ad_report_rows["level"] == "campaign")
                          & (ad_report_rows["campaign_id"] == anomaly.key)]
    wide = rows.groupby("day")[_AD_COLUMNS].sum(min_count=1).astype(float).dropna()

    def factors(w: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            "ctr": _ratio(w["clicks"], w["impressions"]),
            "cvr": _ratio(w["purchases"], w["clicks"]),
            "aov": _ratio(w["purchase_value"], w["purchases"]),
            "cpm": 1000 * _ratio(w["spend"], w["impressions"])})

    def decompose(before: pd.Series, now: pd.Series) -> Decomposition:
        def parts(x: pd.Series) -> tuple[float, float, float, float, float]:
            s, i, c, p, r = (float(x[k]) for k in _AD_COLUMNS)
            return s, i, c, p, r
        return decompose_roas(parts(before), parts(now))

    return _explain(anomaly, wide, history, factors, decompose)
