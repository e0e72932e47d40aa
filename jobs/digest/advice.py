"""Rule-based suggestions from the week's numbers, each with the reason and the money at stake.

Rules (per store): raise the budget where true ROAS beats the ROAS target with headroom, pause or
cut where true ROAS is below break-even (both the shared rule of ``analytics.suggestions``;
platform ROAS stands in when the shop has no traffic data); look at refunds when the refund rate
jumps above its 4-week baseline; re-authorize or re-sync a source that is missing or behind.
Sorted by the money at stake: a store's money is weighed in the reporting currency, or in its
own when a rate is missing (``Suggestion.currency`` says which).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from analytics.kpis import KpiSet
from analytics.suggestions import BUDGET_STEP, budget_suggestions
from config.tenants import Targets
from jobs.report.model import StoreReport, WeeklyReport

#: Restock suggestions listed (the most urgent; the stock section lists more).
MAX_RESTOCK = 3

#: A refund rate this many times its baseline (and above REFUND_FLOOR) is worth a look.
REFUND_JUMP, REFUND_FLOOR = 1.5, 0.05


@dataclass(frozen=True)
class Missing:
    """A source of a store that is not synced through the end of the week."""

    store: str
    source: str
    latest_day: str | None
    days_behind: int | None


@dataclass(frozen=True)
class Suggestion:
    """One thing to do: ``action`` names it, ``facts`` hold the numbers of its reason."""

    action: str  # raise_budget | pause_ads | check_refunds | restock | review_creator |
    #              reauthorize_account | reauthorize | resync
    store: str
    money_at_stake: Decimal
    facts: dict[str, Any] = field(default_factory=dict)
    currency: str = ""  # of the money in ``facts`` and ``money_at_stake`` ("": reporting)


def roas_basis(kpis: KpiSet) -> str:
    """The ROAS the budget rules and the headline judge by: ``roas_true`` (net of refunds, at
    most what the shop sold) when it can be computed, else the platform's own ROAS."""
    return "roas_true" if kpis.roas_true is not None else "roas_platform"


def _weighed(store: StoreReport, currency: str) -> KpiSet:
    """The store's week in the reporting ``currency`` (suggestions are ranked across stores),
    else in its own."""
    kpis = store.in_currency(currency) or store.kpis
    return kpis.current


def _ads(store: StoreReport, targets: Targets, currency: str) -> Suggestion | None:
    """The shared budget rule of ``analytics.suggestions`` applied to the store as a whole."""
    cur = _weighed(store, currency)
    basis = "true" if roas_basis(cur) == "roas_true" else "platform"
    value = cur.roas_true if basis == "true" else cur.roas_platform
    if value is None or not cur.spend:
        return None
    frame = pd.DataFrame([{"campaign_id": store.shop_id, "spend": cur.spend,
                           "roas_true": value}])
    target = float(targets.roas) if targets.roas is not None else math.inf
    floor = float(targets.break_even_roas) if targets.break_even_roas is not None else 0.0
    found = budget_suggestions(frame, target, floor)
    if not found:
        return None
    roas = Decimal(str(round(value, 4)))
    if found[0].kind == "pause":
        loss = cur.spend * (1 - roas / Decimal(str(floor)))
        return Suggestion("pause_ads", store.name, loss.quantize(Decimal("0.01")),
                          {"roas": roas, "break_even": targets.break_even_roas,
                           "spend": cur.spend, "basis": basis}, cur.currency)
    extra = cur.spend * Decimal(str(BUDGET_STEP))
    return Suggestion("raise_budget", store.name, (extra * roas).quantize(Decimal("0.01")),
                      {"roas": roas, "target": targets.roas, "step": BUDGET_STEP,
                       "extra_spend": extra.quantize(Decimal("0.01")), "basis": basis},
                      cur.currency)


def _refunds(store: StoreReport, currency: str) -> Suggestion | None:
    kpis = store.in_currency(currency) or store.kpis
    cur, base = kpis.current, kpis.baseline_4w
    base_rate = None if base is None else base.value("refund_rate")
    if cur.refund_rate is None or base_rate is None:
        return None
    if cur.refund_rate < REFUND_FLOOR or cur.refund_rate < REFUND_JUMP * float(base_rate):
        return None
    excess = cur.refunds - cur.gross_gmv * Decimal(str(base_rate))
    return Suggestion("check_refunds", store.name, max(excess, Decimal(0)).quantize(
        Decimal("0.01")), {"rate": cur.refund_rate, "baseline": float(base_rate)}, cur.currency)


def _data(missing: Sequence[Missing]) -> list[Suggestion]:
    out = []
    for m in missing:
        action = "reauthorize" if m.days_behind is None else "resync"
        out.append(Suggestion(action, m.store, Decimal(0),
                              {"source": m.source, "latest_day": m.latest_day,
                               "days_behind": m.days_behind}))
    return out


def _from_report(report: WeeklyReport) -> tuple[list[Suggestion], list[Suggestion]]:
    """The report's restock, re-authorize and creator-review suggestions, with their facts
    (urgent account fixes first, the rest ranked with the money suggestions)."""
    names = {s.shop_id: s.name for s in report.stores}
    plans = {p.sku_id: p for p in report.insights.stock}
    urgent, ranked = [], []
    for s in report.insights.suggestions:
        if s.kind == "reauthorize":
            urgent.append(Suggestion("reauthorize_account", s.subject, Decimal(0),
                                     {"reason": s.reason}))
        elif s.kind == "restock" and s.subject in plans and sum(
                r.action == "restock" for r in ranked) < MAX_RESTOCK:
            p = plans[s.subject]
            ranked.append(Suggestion("restock", names.get(p.shop_id, p.shop_id),
                                     s.money or Decimal(0),
                                     {"sku": p.sku_id, "qty": p.suggested_qty,
                                      "name": getattr(p, "product_name", None),
                                      "cover": p.days_of_cover or 0.0, "lead": p.lead_time_days}))
        elif s.kind == "review_creator":
            ranked.append(Suggestion("review_creator", s.subject, s.money or Decimal(0),
                                     {"reason": s.reason}))
    return urgent, ranked


def suggestions(report: WeeklyReport, targets: Targets,
                missing: Sequence[Missing]) -> tuple[Suggestion, ...]:
    """Every suggestion for the tenant: broken authorizations first, then the most money at
    stake first, then data that is late."""
    ccy = report.reporting_currency
    found = [s for store in report.stores
             for s in (_ads(store, targets, ccy), _refunds(store, ccy)) if s]
    urgent, ranked = _from_report(report)
    found = sorted(found + ranked, key=lambda s: s.money_at_stake, reverse=True)
    return tuple(urgent + found + _data(missing))
