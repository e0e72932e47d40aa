"""One evaluation of a tenant's alerts: run the rules, move each state, post what is due.

Every finding is settled in its own short transaction (read the state, ``advance``, claim the new
state with compare-and-swap), so a worker killed half-way leaves every row consistent and a
second worker evaluating the same tenant at the same time cannot announce the same thing twice.
Messages go out after the claims are committed; a message that reached no chat is released and
goes out at the next evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from config.tenants import Tenant
from jobs.alerts.auth_rules import check_authorizations
from jobs.alerts.business_rules import check_business
from jobs.alerts.coverage_rules import check_ad_coverage
from jobs.alerts.deliver import Outcome, Sender, deliver
from jobs.alerts.findings import Finding
from jobs.alerts.folding import fold_sync_into_lateness
from jobs.alerts.freshness_rules import check_freshness, check_sync_runs
from jobs.alerts.kinds import DEFAULT_EXPIRY_WARNING_DAYS, alert_kind, at_least
from jobs.alerts.messages import AlertMessage, render
from jobs.alerts.order_rules import check_orders
from jobs.alerts.routing import destinations, in_quiet_hours
from jobs.alerts.state import AlertState, Notice, advance
from jobs.alerts.store import claim, load_state, load_states, release
from jobs.alerts.subjects import tenant_subjects

BusinessRule = Callable[[Connection, Tenant, datetime], Iterable[Finding]]


@dataclass(frozen=True)
class AlertSetup:
    """What an evaluation needs from its process: the warehouse, the chat senders, the app."""

    engine: Engine
    senders: Mapping[str, Sender]
    #: The Partner app's service id, for the re-authorize link.
    service_id: str | None = None
    warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS
    business_rules: tuple[BusinessRule, ...] = (check_business,)


@dataclass
class Evaluation:
    """What one evaluation found and said."""

    tenant_id: str
    findings: int = 0
    failing: list[tuple[str, str]] = field(default_factory=list)
    sent: list[AlertMessage] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    released: int = 0


def collect_findings(conn: Connection, tenant: Tenant, setup: AlertSetup,
                     now: datetime) -> list[Finding]:
    """Every rule's findings for one tenant (business ones below its severity count as fine)."""
    subjects = tenant_subjects(conn, tenant.id)
    found = [*check_authorizations(conn, tenant.id, now, warn_days=setup.warn_days),
             *check_freshness(conn, tenant.id, subjects, now),
             *check_sync_runs(conn, tenant.id, subjects),
             *check_orders(conn, tenant.id, subjects),
             *check_ad_coverage(conn, tenant.id, subjects)]
    for rule in setup.business_rules:
        found += [_below_threshold(f, tenant) for f in rule(conn, tenant, now)]
    return fold_sync_into_lateness(found, load_states(conn, tenant.id))


def evaluate_tenant(
    setup: AlertSetup, tenant: Tenant, *, now: datetime | None = None
) -> Evaluation:
    """Run every rule for ``tenant``, advance the alert states and deliver the due notices."""
    stamp = now or datetime.now(UTC)
    with setup.engine.connect() as conn:
        findings = collect_findings(conn, tenant, setup, stamp)
    result = Evaluation(tenant.id, findings=len(findings),
                        failing=[(f.kind, f.subject_id) for f in findings if f.failing])
    quiet = in_quiet_hours(tenant, stamp)
    with setup.engine.connect() as conn:
        known = load_states(conn, tenant.id)
    for finding in findings:
        new, _ = advance(known.get(finding.key), finding, alert_kind(finding.kind), stamp,
                         quiet=quiet)
        if new is None or new == known.get(finding.key):
            continue  # nothing changes (the usual case): no write transaction
        claimed = _settle(setup.engine, finding, stamp, quiet)
        if claimed is not None:
            _announce(setup, tenant, claimed, result)
    return result


def _settle(engine: Engine, finding: Finding, now: datetime,
            quiet: bool) -> tuple[AlertState | None, AlertState, Notice] | None:
    """Advance one state in its own transaction; the claimed notice, if one is due."""
    kind = alert_kind(finding.kind)
    with engine.begin() as conn:
        prev = load_state(conn, finding.key)
        new, notice = advance(prev, finding, kind, now, quiet=quiet)
        if new is None or new == prev:
            return None
        if not claim(conn, finding.key, prev, new) or notice is None:
            return None
    return prev, new, notice


def _announce(setup: AlertSetup, tenant: Tenant,
              claimed: tuple[AlertState | None, AlertState, Notice], result: Evaluation) -> None:
    prev, new, notice = claimed
    message = render(notice, tenant, service_id=setup.service_id)
    with setup.engine.connect() as conn:
        targets = destinations(conn, tenant, notice.finding.kind)
    outcomes = deliver(message, targets, setup.senders)
    result.outcomes += outcomes
    if targets and not any(o.message_id for o in outcomes):
        with setup.engine.begin() as conn:
            release(conn, notice.finding.key, new, prev, notice.event)
        result.released += 1
        return
    result.sent.append(message)


def _below_threshold(finding: Finding, tenant: Tenant) -> Finding:
    if finding.failing and not at_least(finding.severity, tenant.alert_min_severity):
        return replace(finding, failing=False)
    return finding
