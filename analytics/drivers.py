"""Drivers: why a KPI moved.

- ``decompose_gmv``: GMV = visitors x CVR x AOV (orders x AOV when traffic is unknown); the
  change is split into additive contributions with the logarithmic-mean (LMDI) method, which adds
  up exactly to the change; when a factor is zero, sequential substitution is used (traffic
  first, then CVR, then AOV); with no orders on one side AOV counts as unchanged.
- ``decompose_roas``: ROAS = CTR x CVR x AOV x 1000 / CPM (CVR = purchases / clicks, AOV =
  revenue / purchases); the CPM factor enters as 1000 / CPM, so a higher CPM contributes
  negatively.
- ``contribution_table`` / ``money_contributions``: which stores, campaigns, creators or
  products contributed most to a total's change.
Anomalies are explained with these in ``analytics.explain``.
Inputs are plain numbers or small frames; outputs are ``Decomposition`` / DataFrames.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.fx import FxRates, convert_totals

__all__ = [
    "Contribution", "Decomposition", "contribution_table", "decompose_gmv", "decompose_roas",
    "money_contributions",
]



@dataclass(frozen=True)
class Contribution:
    """One factor's share of a change."""

    factor: str  # traffic | cvr | aov | orders | ctr | cpm
    previous: float | None
    current: float | None
    contribution: float  # in units of the decomposed metric; contributions add up to the change
    share: float | None  # contribution / total change


@dataclass(frozen=True)
class Decomposition:
    """A metric's change split into its factors; ``driver`` moved it most."""

    metric: str
    previous: float
    current: float
    change: float
    parts: tuple[Contribution, ...]
    method: str  # lmdi | sequential
    driver: str | None  # the factor with the largest contribution in the direction of change

    def describe(self) -> str:
        """One line, e.g. "gmv -420.00: cvr -390.00, traffic -40.00, aov +10.00"."""
        parts = ", ".join(f"{p.factor} {p.contribution:+,.2f}" for p in
                          sorted(self.parts, key=lambda p: -abs(p.contribution)))
        return f"{self.metric} {self.change:+,.2f}: {parts}"


def _lmdi(total0: float, total1: float, factors: Sequence[tuple[str, float, float]],
          metric: str) -> Decomposition:
    if all(a > 0 and b > 0 for _, a, b in factors) and total0 > 0 and total1 > 0:
        weight = (total1 - total0) / (math.log(total1) - math.log(total0)) if (
            total1 != total0) else total0
        contribs = [weight * math.log(b / a) for _, a, b in factors]
        method = "lmdi"
    else:  # sequential substitution, in the order given
        contribs, current = [], [a for _, a, _ in factors]
        running = math.prod(current)
        for i, (_, _, b) in enumerate(factors):
            current[i] = b
            after = math.prod(current)
            contribs.append(after - running)
            running = after
        method = "sequential"
    change = total1 - total0
    parts = tuple(Contribution(name, a, b, c, None if change == 0 else c / change)
                  for (name, a, b), c in zip(factors, contribs, strict=True))
    return Decomposition(metric, total0, total1, change, parts, method, _driver(parts, change))


def _driver(parts: tuple[Contribution, ...], change: float) -> str | None:
    if change == 0:
        return None
    same_way = [p for p in parts if p.contribution * change > 0]
    return max(same_way, key=lambda p: abs(p.contribution)).factor if same_way else None


def _f(value: float | int | None) -> float:
    return 0.0 if value is None else float(value)


def decompose_gmv(previous: tuple[float | None, float, float],
                  current: tuple[float | None, float, float]) -> Decomposition:
    """Split a GMV change; each argument is (visitors or None, orders, gmv)."""
    (v0, o0, g0), (v1, o1, g1) = previous, current
    aov0, aov1 = (g0 / o0 if o0 else 0.0), (g1 / o1 if o1 else 0.0)
    aov0, aov1 = (aov0 or aov1), (aov1 or aov0)  # no orders: AOV is undefined, not a driver
    if v0 is None or v1 is None or v0 <= 0 or v1 <= 0:
        return _lmdi(_f(g0), _f(g1), [("orders", _f(o0), _f(o1)), ("aov", aov0, aov1)], "gmv")
    return _lmdi(_f(g0), _f(g1), [("traffic", _f(v0), _f(v1)), ("cvr", o0 / v0, o1 / v1),
                                  ("aov", aov0, aov1)], "gmv")


def decompose_roas(previous: tuple[float, float, float, float, float],
                   current: tuple[float, float, float, float, float]) -> Decomposition:
    """Split a ROAS change; each argument is (spend, impressions, clicks, purchases, revenue)."""
    def factors(s: float, i: float, c: float, p: float, r: float) -> list[float]:
        return [c / i if i else 0.0, p / c if c else 0.0, r / p if p else 0.0,
                1000 * s / i if i else 0.0]
    f0, f1 = factors(*previous), factors(*current)
    roas0 = previous[4] / previous[0] if previous[0] else 0.0
    roas1 = current[4] / current[0] if current[0] else 0.0
    terms = [("ctr", f0[0], f1[0]), ("cvr", f0[1], f1[1]), ("aov", f0[2], f1[2]),
             ("cpm", 1000 / f0[3] if f0[3] else 0.0, 1000 / f1[3] if f1[3] else 0.0)]
    dec = _lmdi(roas0, roas1, terms, "roas")
    parts = tuple(Contribution(p.factor, f0[3], f1[3], p.contribution, p.share)
                  if p.factor == "cpm" else p for p in dec.parts)  # report CPM itself
    return Decomposition("roas", roas0, roas1, roas1 - roas0, parts, dec.method, dec.driver)


def contribution_table(current: pd.Series, previous: pd.Series) -> pd.DataFrame:
    """Per key (the Series index): current, previous, delta and share of the total change.

    Sorted so the keys that moved the total most, in its direction, come first.
    """
    keys = current.index.union(previous.index)
    cur = current.reindex(keys).astype(float).fillna(0.0)
    prev = previous.reindex(keys).astype(float).fillna(0.0)
    delta = cur - prev
    total = float(delta.sum())
    share = delta / total if total else pd.Series(float("nan"), index=keys)
    table = pd.DataFrame({"current": cur, "previous": prev, "delta": delta, "share": share})
    order = (-delta if total >= 0 else delta).sort_values(kind="stable").index
    return table.loc[order].rename_axis("key").reset_index()


def money_contributions(
    frame: pd.DataFrame, key: str, money: str, current_days: Iterable[date],
    previous_days: Iterable[date], currency: str, fx: FxRates | None = None,
) -> pd.DataFrame:
    """``contribution_table`` of a money column per ``key`` (store, campaign, creator, product)
    between two periods, each key's daily totals converted to ``currency`` at the day's rate.

    ``frame`` needs ``key``, ``day``, ``currency`` and the ``money`` column (int64 units).
    """
    def totals(days: Iterable[date]) -> pd.Series:
        part = frame[frame["day"].isin(list(days))]
        sums = convert_totals(part, [key], money, currency, fx)
        return sums.set_index(key)[money].astype(float)
    return contribution_table(totals(current_days), totals(previous_days))
