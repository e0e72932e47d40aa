"""``tikpulse digest``: write a digest to files, preview its delivery, or send it now.

    tikpulse digest --tenant acme --week 2026-W47 --out DIR   # HTML, PNGs, PDF, PPTX per language
    tikpulse digest --tenant acme --period 2026-11 --out DIR  # the month (月报); or a fortnight
                                                              # 2026-W46-W47 (双周报), a week
    tikpulse digest --tenant acme --dry-run                   # what would be sent where
    tikpulse digest --tenant acme --send-now                  # deliver; success only when confirmed
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from analytics.display import fx_missing_note
from analytics.periods import parse_period
from analytics.weeks import iso_week_label, parse_iso_week
from config.settings import Settings
from config.tenant_registry import TenantsFileError
from jobs.digest.compose import is_partial
from jobs.digest.deliveries import DeliveryKey, load_delivery
from jobs.digest.deps import DigestDeps, UnknownTenant
from jobs.digest.fanout import run_send
from jobs.digest.pipeline import Rendered, channels_of, render_snapshot, take_snapshot
from jobs.digest.render import snapshot_hash, write_editions
from jobs.report.build import build_report
from jobs.wiring import digest_deps


def last_full_week(zone: str, now: datetime | None = None) -> str:
    """The ISO label of the last full week before now in ``zone``."""
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()
    return iso_week_label(today - timedelta(days=today.weekday() + 1))


@click.command(name="digest")
@click.option("--tenant", "tenant_id", required=True, help="Tenant id (see 'tikpulse tenants').")
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last full week).")
@click.option("--period", help="Any report period: a week 2026-W47, two weeks 2026-W46-W47 or a "
              "month 2026-11.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the HTML page, PNG charts, PDF and PPTX deck here.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent to which channel.")
@click.option("--send-now", is_flag=True, help="Deliver now; exits non-zero unless confirmed.")
@click.option("--resend-in-doubt", is_flag=True,
              help="After checking the chat: send again a post whose outcome is unknown.")
@click.pass_obj
def digest(settings: Settings, tenant_id: str, week: str | None, period: str | None,
           out_dir: Path | None, dry_run: bool, send_now: bool, resend_in_doubt: bool) -> None:
    """Render, preview or send one tenant's digest of a week, a fortnight or a month."""
    if not (out_dir or dry_run or send_now):
        raise click.UsageError("say what to do: --out DIR, --dry-run or --send-now")
    if week and period:
        raise click.UsageError("give --week or --period, not both (--period 2026-W47 is a week)")
    try:
        deps = digest_deps(settings)
        tenant = deps.tenant(tenant_id)
    except (TenantsFileError, UnknownTenant) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        if period:
            parse_period(period)
        elif week:
            parse_iso_week(week)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period" if period else "--week") from None
    week = (period or week or last_full_week(tenant.digest.timezone)).strip()
    if out_dir or dry_run:
        _render(deps, tenant_id, week, out_dir, dry_run)
    if send_now:
        _send(deps, tenant_id, week, resend_in_doubt)


def render_now(deps: DigestDeps, tenant_id: str, week: str) -> Rendered:
    """The digest of the period (any label) as the warehouse has it now (nothing frozen, nothing
    sent)."""
    tenant = deps.tenant(tenant_id)
    report = build_report(deps.engine, tenant, week)
    return render_snapshot(deps, tenant, report, snapshot_hash(report), is_partial(report))


def write_digest(deps: DigestDeps, tenant_id: str, week: str, out_dir: Path) -> list[Path]:
    """Write the week's digest (HTML page, PNG charts, PDF, PPTX per language) into ``out_dir``."""
    return write_editions(render_now(deps, tenant_id, week).editions, out_dir)


def _render(deps: DigestDeps, tenant_id: str, week: str, out_dir: Path | None,
            dry_run: bool) -> None:
    rendered = render_now(deps, tenant_id, week)
    if out_dir:
        paths = write_editions(rendered.editions, out_dir)
        click.echo(f"Wrote the {week} digest of {tenant_id} ({len(paths)} files) to {out_dir}:")
        for path in paths:
            click.echo(f"  {path}")
    if dry_run:
        for line in _dry_run_lines(deps, rendered.package, deps.tenant(tenant_id)):
            click.echo(line)
    gaps = rendered.digest.report.missing_fx
    if gaps:
        click.echo("Partial digest: the totals are left out, each store is in its own "
                   f"currency. {fx_missing_note(gaps, 'en', quote=chr(39))}")


def _dry_run_lines(deps: DigestDeps, package, tenant) -> list[str]:  # type: ignore[no-untyped-def]
    lines = [f"Digest {package.tenant_id} {package.week} (snapshot {package.snapshot_hash[:12]},"
             f" {package.status}); nothing is sent in a dry run."]
    for kind, channel in channels_of(tenant):
        state = load_delivery(deps.engine, DeliveryKey(tenant.id, package.week, kind, channel))
        if state is None:
            action = "would post"
        elif state.snapshot_hash == package.snapshot_hash and state.status == "sent":
            action = "already sent with these numbers: nothing to do"
        elif state.status == "sent":
            action = "would edit the earlier post (corrected numbers)"
        else:
            action = f"would resume an unfinished delivery ({state.status})"
        token = "" if deps.notifier(kind) else f" [{deps.missing_setting(kind)}]"
        lines.append(f"- {kind} {channel}: {action}{token}")
        for e in package.editions:
            lines.append(f"    {e.lang}: summary '{e.title}', {len(e.charts)} chart(s) "
                         f"{[c.filename for c in e.charts]}, PDF {e.pdf.filename} "
                         f"({len(e.pdf.data) // 1024} KB)")
    if len(lines) == 1:
        lines.append("- no chats are configured for this tenant (tenants file: chats)")
    return lines


def _send(deps: DigestDeps, tenant_id: str, week: str, resend_in_doubt: bool) -> None:
    tenant = deps.tenant(tenant_id)
    if not channels_of(tenant):
        raise click.ClickException(f"tenant {tenant_id} has no Slack or Telegram chat configured")
    take_snapshot(deps, tenant, week, due_at=None)
    outcomes = run_send(deps, tenant_id, week, resend_in_doubt=resend_in_doubt)
    for channel, outcome in outcomes.items():
        click.echo(f"{channel}: {outcome}")
    failed = [c for c, o in outcomes.items() if o not in ("sent", "corrected", "already_sent")]
    if failed:
        raise click.ClickException(
            f"not confirmed for {', '.join(failed)}; see the run log and try again")
    click.echo(f"Delivered the {week} digest of {tenant_id} to {len(outcomes)} channel(s).")
