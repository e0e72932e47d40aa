"""The digest's conclusion, before any language: three lines written from the drivers.

``conclusions(report, targets)`` gives at most one ``Conclusion`` per topic, in this order:
sales (GMV's change split into orders and order value, with the store whose conversion moved
most), ads (the store whose budget call matters most, on the targets' ROAS basis, from
``jobs.digest.advice.store_call``) and stock (SKUs that run out before a reorder can arrive;
without stock data, refunds). ``jobs.digest.summary_text`` puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from config.tenants import Targets
from jobs.digest.advice import store_call, weighed
from jobs.report.model import StoreReport, WeeklyReport

#: A store's conversion change is named in the sales line from this share (either way).
CVR_NOTE_PCT = 0.15
#: Budget calls, most urgent first (the ads line names the first found; spend breaks ties).
CALL_ORDER = ("cut", "hold", "scale", "keep")


@dataclass(frozen=True)
class Conclusion:
    """One line of the summary: its topic and the numbers it states."""

    topic: str  # sales | ads | stock | refunds
    facts: dict[str, Any] = field(default_factory=dict)


def _sales(report: WeeklyReport) -> Conclusion | None:
    scope = report.total or (report.stores[0].kpis if len(report.stores) == 1 else None)
    if scope is None or scope.previous is None:
        return None
    cvr_note = None
    moves = [(s.name, s.kpis.change("cvr", against).pct, against) for s in report.stores
             for against in ("previous", "4w")]  # the larger of the two moves tells
    moves = [m for m in moves if m[1] is not None and abs(m[1]) >= CVR_NOTE_PCT]
    if moves:
        cvr_note = max(moves, key=lambda m: abs(m[1]))  # type: ignore[arg-type]
    return Conclusion("sales", {
        "gmv": scope.current.gross_gmv, "currency": scope.current.currency,
        "gmv_pct": scope.change("gross_gmv").pct, "orders_pct": scope.change("orders").pct,
        "aov_pct": scope.change("aov").pct, "cvr_store": None if cvr_note is None else cvr_note[0],
        "cvr_pct": None if cvr_note is None else cvr_note[1],
        "cvr_against": None if cvr_note is None else cvr_note[2]})


def _ads(report: WeeklyReport, targets: Targets) -> Conclusion | None:
    ccy = report.reporting_currency
    calls = []
    for store in report.stores:
        call = store_call(store, targets, ccy)
        if call is not None:
            spend = weighed(store, ccy).current.spend or Decimal(0)
            calls.append((CALL_ORDER.index(call.verdict), -spend, store, call))
    if not calls:
        return None
    _, _, store, call = min(calls, key=lambda c: (c[0], c[1]))
    kpis = weighed(store, ccy)
    return Conclusion("ads", {
        "store": store.name, "verdict": call.verdict, "blockers": call.blockers,
        "spend_pct": kpis.change("spend").pct, "roas": call.roas, "target": call.target,
        "break_even": call.break_even, "cvr_change": kpis.change("cvr").pct,
        "true_roas_change": kpis.change("roas_true").pct,
        "refund_pp": _pp(kpis.current.refund_rate, kpis.change("refund_rate").reference)})


def _pp(now: float | None, before: object) -> float | None:
    return None if now is None or before is None else now - float(before)  # type: ignore[arg-type]


def _stock(report: WeeklyReport) -> Conclusion | None:
    rows = report.insights.stock
    if not rows:
        return None
    due = [p for p in rows if p.reorder_now]
    short = sorted((p for p in due if (p.days_of_cover or 0.0) < p.lead_time_days),
                   key=lambda p: p.days_of_cover or 0.0)
    names = [(p.sku_id, getattr(p, "product_name", None)) for p in short[:2]]
    return Conclusion("stock", {"short": len(short), "due": len(due), "names": names})


def _refunds(stores: tuple[StoreReport, ...], report: WeeklyReport) -> Conclusion | None:
    scope = report.total or (stores[0].kpis if len(stores) == 1 else None)
    if scope is None or scope.current.refund_rate is None:
        return None
    base = scope.change("refund_rate", "4w").reference
    return Conclusion("refunds", {"rate": scope.current.refund_rate,
                                  "base": None if base is None else float(base),
                                  "good": scope.change("refund_rate", "4w").good})


def conclusions(report: WeeklyReport, targets: Targets) -> tuple[Conclusion, ...]:
    """The summary's lines (at most three), from the drivers, the budget calls and stock."""
    found = [_sales(report), _ads(report, targets),
             _stock(report) or _refunds(report.stores, report)]
    return tuple(c for c in found if c is not None)
