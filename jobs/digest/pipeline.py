"""The digest of one tenant-week from snapshot to delivered messages (the steps the jobs run).

``take_snapshot`` builds the weekly report and either holds it (data incomplete, before the
deadline: ``waiting``) or freezes it into the run row (``rendering``; partial when data is still
late, or when an FX rate is missing, which is not waited for: the digest names the rate);
``render_snapshot`` turns the frozen snapshot into editions and the chat package;
``deliver_package`` sends it to each of the tenant's channels exactly once and logs every channel's
outcome; ``finish_run`` sets the final state. The same snapshot always renders the same numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from config.tenants import Tenant
from jobs.accounts.targets import effective_targets
from jobs.digest.advice import Missing
from jobs.digest.compose import Digest, compose, fx_missing, missing_data
from jobs.digest.deliver import ChannelOutcome, deliver
from jobs.digest.deliveries import DeliveryKey
from jobs.digest.deps import DigestDeps
from jobs.digest.package import DigestPackage
from jobs.digest.render import (
    RenderedEdition,
    StoreImages,
    package_of,
    render_editions,
    snapshot_hash,
)
from jobs.digest.runs import log_channel, set_state
from jobs.report.build import build_report
from jobs.report.frozen import load_frozen_report, load_frozen_store
from jobs.report.model import StoreReport, WeeklyReport


@dataclass(frozen=True)
class Rendered:
    """A rendered snapshot: the composed digest, its editions and the chat package."""

    digest: Digest
    editions: tuple[RenderedEdition, ...]
    package: DigestPackage


def take_snapshot(deps: DigestDeps, tenant: Tenant, week: str, *, due_at: datetime | None,
                  now: datetime | None = None) -> str:
    """Freeze the period's report (``rendering``), or hold it while data is late (``waiting``);
    ``week`` is any period label (a week, a fortnight or a month)."""
    now = now or datetime.now(UTC)
    report = build_report(deps.engine, tenant, week)
    missing = missing_data(report)
    listed = [m.__dict__ for m in (*missing, *fx_missing(report))]
    if missing and due_at is not None and now < due_at + timedelta(hours=tenant.digest.hold_hours):
        set_state(deps.engine, tenant.id, week, "waiting",
                  f"{len(missing)} source(s) incomplete; held until "
                  f"{(due_at + timedelta(hours=tenant.digest.hold_hours)).isoformat()}",
                  now=now, missing=listed)
        return "waiting"
    set_state(deps.engine, tenant.id, week, "rendering",
              "data incomplete after the hold: partial" if missing else
              "FX rates missing: partial" if listed else "", now=now,
              snapshot=json.loads(report.to_json()), snapshot_hash=snapshot_hash(report),
              missing=listed)
    return "rendering"


def frozen_report(deps: DigestDeps, tenant_id: str, week: str) -> tuple[WeeklyReport, str, bool]:
    """The snapshot frozen for the run, its hash and whether it is partial."""
    frozen = load_frozen_report(deps.engine, tenant_id, week)
    if frozen is None:
        raise LookupError(f"no frozen snapshot for {tenant_id} {week}: run "
                          f"'tikpulse digest --tenant {tenant_id} --period {week} --send-now'")
    return frozen


def frozen_store(deps: DigestDeps, tenant_id: str, week: str, shop_id: str) -> (
    tuple[StoreReport, str]
):
    """One store's part of the frozen snapshot and the reporting currency (parsing only that
    store keeps a fan-out job fast for a tenant with hundreds of stores)."""
    frozen = load_frozen_store(deps.engine, tenant_id, week, shop_id)
    if frozen is None:
        raise LookupError(f"no frozen snapshot for {tenant_id} {week}")
    return frozen


def render_snapshot(deps: DigestDeps, tenant: Tenant, report: WeeklyReport, digest_hash: str,
                    partial: bool, store_images: StoreImages | None = None) -> Rendered:
    """Compose and render the snapshot in the tenant's languages."""
    with deps.engine.connect() as conn:
        targets = effective_targets(conn, tenant)
    digest = compose(report, targets, partial=partial)
    editions = render_editions(digest, tenant.digest.timezone, store_images)
    return Rendered(digest, editions, package_of(digest, editions, tenant.digest.timezone,
                                                 digest_hash))


def channels_of(tenant: Tenant) -> list[tuple[str, str]]:
    """(kind, channel id) of every chat the tenant's digest goes to."""
    return ([("slack", b.channel) for b in tenant.chats.slack]
            + [("telegram", str(b.chat)) for b in tenant.chats.telegram]
            + [("feishu", b.chat) for b in tenant.chats.feishu]
            + [("wecom", b.name) for b in tenant.chats.wecom])


def deliver_package(deps: DigestDeps, tenant: Tenant, package: DigestPackage, *,
                    resend_in_doubt: bool = False) -> list[ChannelOutcome]:
    """Send to every channel of the tenant (each exactly once); log each outcome."""
    outcomes = []
    for kind, channel in channels_of(tenant):
        key = DeliveryKey(tenant.id, package.week, kind, channel)
        notifier = deps.notifier(kind)
        if notifier is None:
            outcome = ChannelOutcome(str(key), "failed", deps.missing_setting(kind))
        else:
            outcome = deliver(deps.engine, deps.redis, package, key, notifier,
                              resend_in_doubt=resend_in_doubt)
        log_channel(deps.engine, tenant.id, package.week, str(key), outcome.outcome,
                    outcome.detail)
        outcomes.append(outcome)
    return outcomes


def finish_run(deps: DigestDeps, tenant_id: str, week: str, outcomes: list[ChannelOutcome],
               partial: bool) -> str:
    """The final state: sent / partial when every channel is confirmed, failed otherwise, and
    ``no_chat`` when there was no channel to send to (never "sent" for nothing)."""
    if not outcomes:
        note = "nothing sent: no Slack or Telegram chat is bound (tenants file: chats)"
        set_state(deps.engine, tenant_id, week, "no_chat", note)
        return "no_chat"
    failed = [o for o in outcomes if not o.ok]
    status = "failed" if failed else ("partial" if partial else "sent")
    note = "; ".join(f"{o.channel}: {o.outcome} {o.detail}".strip() for o in failed)
    set_state(deps.engine, tenant_id, week, status, note)
    return status


def missing_from_run(run: dict[str, object]) -> list[Missing]:
    """The missing sources recorded on a run row."""
    return [Missing(**m) for m in run.get("missing") or []]  # type: ignore[attr-defined]
