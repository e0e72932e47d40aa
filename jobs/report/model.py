"""The weekly report: a frozen, JSON-serialisable snapshot of one tenant's week.

The digest renders it and the bot's thread follow-ups answer from it, so the numbers a team sees
in the digest and in chat are the same numbers. Money is ``Decimal``: a store's KPIs in the
store's own currency (what Seller Center shows) with the same in the reporting currency beside
them, the tenant total in the reporting currency (each store-day converted at that day's rate);
every ``KpiSet`` says its currency. A total that needs a missing FX rate is left out (``None``)
and ``missing_fx`` names the rates. KPI sets are ``analytics.kpis`` objects.
``WeeklyReport.to_json()`` / ``from_json()`` round-trip exactly (Decimals as strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from analytics.fx import MissingRates
from analytics.kpi_report import KpiReport
from analytics.kpis import KpiSet
from analytics.quality import Reconciliation
from jobs.report import serialize
from jobs.report.records import Insights

#: Version of the snapshot layout; readers can refuse snapshots they do not understand.
#: 2: a store's KPIs in its own currency (``StoreReport.reporting`` beside), ``missing_fx``.
#: 3: creators' nickname, clicks and rebook/watch/stop verdict; ``Insights.labels`` (names).
#: 4: ``cadence`` (weekly, biweekly, monthly); ``week`` is the period's label.
SNAPSHOT_VERSION = 4


@dataclass(frozen=True)
class WeekKpis:
    """One week of a trend series (for charts): its ISO label, local Monday and KPIs."""

    week: str
    monday: date
    kpis: KpiSet


@dataclass(frozen=True)
class Exclusions:
    """Rows a cleaning rule kept out of the numbers this week, with their money (store currency)."""

    rule: str
    rows: int
    amount: Decimal


@dataclass(frozen=True)
class Freshness:
    """How far one source of one store (or ads account) is synced."""

    source: str
    subject_id: str
    latest_complete_day: date | None
    days_behind: int | None  # days between that and the week's last day (0: fully covered)


@dataclass(frozen=True)
class Coverage:
    """Which of the week's days a source has data for (a missing ad day shows up here)."""

    source: str  # orders | ads | traffic
    subject_id: str
    days_expected: int
    days_present: int
    missing_days: tuple[date, ...]
    last_day: date | None
    fresh: bool


@dataclass(frozen=True)
class DataQuality:
    """Freshness and coverage per source, exclusions per rule, and reconciliation with the
    platform's own totals."""

    freshness: tuple[Freshness, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    exclusions: tuple[Exclusions, ...] = ()
    days_with_data: int = 0
    reconciliation: tuple[Reconciliation, ...] = ()

    @property
    def complete(self) -> bool:
        """Every source is synced through the end of the week."""
        return bool(self.freshness) and all(f.days_behind == 0 for f in self.freshness)


@dataclass(frozen=True)
class StoreReport:
    """One store's week: KPIs (with previous week, baselines), trend history and data quality."""

    shop_id: str
    name: str
    region: str
    currency: str  # the store's own currency: ``kpis`` and ``history`` are in it
    timezone: str
    first_day: date  # local Monday
    last_day: date  # local Sunday
    kpis: KpiReport
    history: tuple[WeekKpis, ...]
    quality: DataQuality
    #: ``kpis`` in the tenant's reporting currency; None when that is the store's own currency
    #: (``kpis`` is it) or when a rate it needs is missing.
    reporting: KpiReport | None = None

    def in_currency(self, currency: str) -> KpiReport | None:
        """The store's KPIs in ``currency`` if the report has them (its own or the reporting
        currency), else ``None``."""
        for kpis in (self.kpis, self.reporting):
            if kpis is not None and kpis.current.currency == currency:
                return kpis
        return None


@dataclass(frozen=True)
class WeeklyReport:
    """Everything the digest shows for one tenant and one period (the name is historical: a
    bi-weekly or monthly report is the same shape, with ``cadence`` saying which)."""

    tenant_id: str
    tenant_name: str
    week: str  # the period's label: "2026-W47", "2026-W46-W47" or "2026-11"
    reporting_currency: str
    languages: tuple[str, ...]
    stores: tuple[StoreReport, ...]
    total: KpiReport | None  # all stores together; None when it needs a missing FX rate
    total_history: tuple[WeekKpis, ...]
    insights: Insights = field(default_factory=Insights)
    version: int = SNAPSHOT_VERSION
    notes: tuple[str, ...] = field(default=())
    #: FX rates the totals (and the reporting figures beside a store's own) need but lack.
    missing_fx: tuple[MissingRates, ...] = ()
    #: weekly | biweekly | monthly (``analytics.periods.CADENCES``): what ``week`` labels.
    cadence: str = "weekly"

    def store(self, shop_id: str) -> StoreReport:
        """The report of one store (``KeyError`` naming the shop when it is not in the report)."""
        for store in self.stores:
            if store.shop_id == shop_id:
                return store
        raise KeyError(f"shop {shop_id!r} is not in {self.tenant_id}'s report for {self.week}")

    def to_json(self) -> str:
        """The snapshot as compact JSON text (deterministic: same report, same text)."""
        return serialize.dump(self)

    @classmethod
    def from_json(cls, text: str) -> WeeklyReport:
        """Rebuild a report from ``to_json`` output."""
        return serialize.load(cls, text)
