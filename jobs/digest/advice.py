"""Rule-based suggestions from the week's numbers, each with its basis, the metrics that checked
it, the expected effect and the money at stake.

Rules (per store, ``analytics.suggestions.ads_call``): judged on the ROAS the targets are set on
(``jobs.accounts.targets.ROAS_TARGET_BASIS``, platform ROAS), raise the budget where it beats the
target with headroom, unless conversion, refunds or true ROAS got worse (then hold, saying why);
cut where it is below break-even by more than the store's noise band (inside it: hold). Look at
refunds when the refund rate jumps above its 4-week baseline; stop creators whose verdict is
"stop"; re-authorize or re-sync a source that is missing or behind.
Sorted by the money at stake: a store's money is weighed in the reporting currency, or in its
own when a rate is missing (``Suggestion.currency`` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from analytics.campaigns import store_checks
from analytics.kpi_report import KpiReport
from analytics.kpis import KpiSet
from analytics.suggestions import (
    ACTION_STATES,
    BUDGET_STEP,
    AdsCall,
    ads_call,
    noise_band,
)
from config.tenants import Targets
from jobs.accounts.targets import ROAS_TARGET_BASIS
from jobs.report.model import StoreReport, WeeklyReport

#: Restock suggestions listed (the most urgent; the stock section lists more).
MAX_RESTOCK = 3

#: A refund rate this many times its baseline (and above REFUND_FLOOR) is worth a look.
REFUND_JUMP, REFUND_FLOOR = 1.5, 0.05
#: Weeks of a store's ROAS history whose ordinary moves set its noise band.
NOISE_WEEKS = 9
#: Authorization state of each reason ``analytics.suggestions`` gives (for the words).
STATE_OF = {reason: state for state, reason in ACTION_STATES.items()}
#: Creators told to stop (the creator section lists every verdict).
MAX_STOP_CREATORS = 3


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

    action: str  # raise_budget | pause_ads | hold_budget | check_refunds | restock |
    #              stop_creator | reauthorize_account | reauthorize | resync
    store: str
    money_at_stake: Decimal
    facts: dict[str, Any] = field(default_factory=dict)
    currency: str = ""  # of the money in ``facts`` and ``money_at_stake`` ("": reporting)


def roas_basis(kpis: KpiSet) -> str:
    """The ROAS the headline and "what changed" show: ``roas_true`` (net of refunds, at most
    what the shop sold) when it can be computed, else the platform's own ROAS. The budget rules
    judge ``ROAS_TARGET_BASIS`` instead: the one the targets are set on."""
    return "roas_true" if kpis.roas_true is not None else "roas_platform"


def weighed(store: StoreReport, currency: str) -> KpiReport:
    """The store's week in the reporting ``currency`` (suggestions are ranked across stores),
    else in its own."""
    return store.in_currency(currency) or store.kpis


def store_call(store: StoreReport, targets: Targets, currency: str) -> AdsCall | None:
    """The budget call of one store (``analytics.suggestions.ads_call``) on the targets' ROAS
    basis, cross-checked against conversion, refunds and true ROAS; None without ads or targets."""
    kpis = weighed(store, currency)
    roas = kpis.current.value(ROAS_TARGET_BASIS)
    if roas is None or not kpis.current.spend or (targets.roas is None
                                                   and targets.break_even_roas is None):
        return None
    worse, _ = store_checks(kpis)
    weekly = [h.kpis.value(ROAS_TARGET_BASIS) for h in store.history[-NOISE_WEEKS:]]
    noise = noise_band(None if v is None else float(v) for v in weekly)
    return ads_call(float(roas), _f(targets.roas), _f(targets.break_even_roas), noise=noise,
                    worse=worse)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _ads(store: StoreReport, targets: Targets, currency: str) -> Suggestion | None:
    """Scale, cut or hold a store's ads, with the basis, the cross-checks and the effect."""
    call = store_call(store, targets, currency)
    if call is None or call.verdict == "keep":
        return None
    kpis = weighed(store, currency)
    cur = kpis.current
    spend = cur.spend or Decimal(0)
    roas = Decimal(str(round(call.roas, 4)))
    _, (cvr_change, refund_pp, true_roas_change) = store_checks(kpis)
    facts: dict[str, Any] = {
        "roas": roas, "target": targets.roas, "break_even": targets.break_even_roas,
        "spend": spend, "true_roas": cur.roas_true, "noise": call.noise,
        "blockers": call.blockers, "cvr_change": cvr_change, "refund_pp": refund_pp,
        "true_roas_change": true_roas_change}
    if call.verdict == "cut":
        loss = spend * (1 - roas / Decimal(str(call.break_even)))
        return Suggestion("pause_ads", store.name, loss.quantize(Decimal("0.01")),
                          {**facts, "loss": loss.quantize(Decimal("0.01"))}, cur.currency)
    if call.verdict == "scale":
        extra = (spend * Decimal(str(BUDGET_STEP))).quantize(Decimal("0.01"))
        revenue = (extra * roas).quantize(Decimal("0.01"))
        return Suggestion("raise_budget", store.name, revenue,
                          {**facts, "step": BUDGET_STEP, "extra_spend": extra,
                           "extra_revenue": revenue}, cur.currency)
    return Suggestion("hold_budget", store.name, Decimal(0), facts, cur.currency)


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
    """One suggestion per store and lag: its late sources named together ("settlements and
    traffic are 1 day behind"), not a line each."""
    grouped: dict[tuple[str, int | None, object], list[str]] = {}
    for m in missing:
        grouped.setdefault((m.store, m.days_behind, m.latest_day), []).append(m.source)
    return [Suggestion("reauthorize" if days is None else "resync", store, Decimal(0),
                       {"source": tuple(sources), "latest_day": day, "days_behind": days})
            for (store, days, day), sources in grouped.items()]


def _from_report(report: WeeklyReport) -> tuple[list[Suggestion], list[Suggestion]]:
    """The report's restock, re-authorize and creator-review suggestions, with their facts
    (urgent account fixes first, the rest ranked with the money suggestions)."""
    names = {s.shop_id: s.name for s in report.stores}
    plans = {p.sku_id: p for p in report.insights.stock}
    urgent: list[Suggestion] = []
    ranked: list[Suggestion] = []
    for s in report.insights.suggestions:
        if s.kind == "reauthorize":
            urgent.append(Suggestion("reauthorize_account", s.subject, Decimal(0),
                                     {"reason": s.reason, "status": STATE_OF.get(s.reason)}))
        elif s.kind == "restock" and s.subject in plans and sum(
                r.action == "restock" for r in ranked) < MAX_RESTOCK:
            p = plans[s.subject]
            ranked.append(Suggestion("restock", names.get(p.shop_id, p.shop_id),
                                     s.money or Decimal(0),
                                     {"sku": p.sku_id, "qty": p.suggested_qty,
                                      "name": getattr(p, "product_name", None),
                                      "seller_sku": getattr(p, "seller_sku", None),
                                      "cover": p.days_of_cover or 0.0, "lead": p.lead_time_days}))
    stops = [c for c in report.insights.creators if c.verdict == "stop"]
    for c in sorted(stops, key=lambda c: -(c.commission or 0))[:MAX_STOP_CREATORS]:
        ranked.append(Suggestion("stop_creator", c.creator_username, c.commission or Decimal(0),
                                 {"nickname": c.nickname, "reasons": c.verdict_reasons,
                                  "commission": c.commission, "gmv": c.gmv}))
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
