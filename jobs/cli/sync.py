"""``tikpulse sync``: sync every authorized shop and advertiser now, or backfill one shop."""

from __future__ import annotations

from datetime import date

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from config.settings import Settings
from jobs.ingestion.fanout import sync_subjects
from jobs.ingestion.sync import SyncSummary, sync_targets
from jobs.resources import Connectors
from jobs.wiring import connectors_from_settings


@click.command(name="sync")
@click.option("--shop", "shop_id", default=None, help="Only this shop (default: all).")
@click.option("--advertiser", "advertiser_id", default=None, help="Only this advertiser.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Backfill from this local date instead of the stored cursor.")
@click.option("--full", is_flag=True, help="Also settlements, affiliate orders, creators, "
              "videos/LIVE, traffic and stock.")
@click.pass_obj
def sync(settings: Settings, shop_id: str | None, advertiser_id: str | None,
         since: object, full: bool) -> None:
    """Sync shops and advertisers from the TikTok APIs (incremental, or backfill with --since)."""
    conns = connectors_from_settings(settings)
    start = since.date() if since is not None else None  # type: ignore[attr-defined]
    shop_ids, adv_ids = sync_targets(conns.engine)
    if shop_id or advertiser_id:
        shop_ids = [shop_id] if shop_id else []
        adv_ids = [advertiser_id] if advertiser_id else []
    summaries = sync_with_progress(conns, shop_ids, adv_ids, since=start, full=full)
    for summary in summaries:
        click.echo(summary_line(summary))
    if any(summary.status not in ("ok", "skipped") for summary in summaries):
        raise SystemExit(1)


def sync_with_progress(
    conns: Connectors, shop_ids: list[str], advertiser_ids: list[str], *,
    since: date | None = None, full: bool = False, console: Console | None = None,
) -> list[SyncSummary]:
    """Sync the shops and the ads accounts, several at once (``jobs.ingestion.fanout``), one
    progress bar per subject and source; their summaries, shops first."""
    with progress_bar(console) as bar:
        summaries = sync_subjects(
            conns, shop_ids, advertiser_ids, since=since, full=full,
            progress_for=lambda kind, subject: progress_tracker(bar, f"{kind} {subject}"))
        for task in bar.task_ids:
            finish(bar, task)
    return summaries


def summary_line(summary: SyncSummary) -> str:
    """One line per run: outcome, rows, pages, retries and the error if any."""
    line = (f"{summary.subject_id}: {summary.status}, {summary.rows} rows in {summary.pages} "
            f"pages, {summary.retries} retries")
    return line + (f" ({summary.error})" if summary.error else "")


def finish(bar: Progress, task: int) -> None:
    """Mark a source's bar complete (its total is what was pulled), so its clock stops."""
    done = int(bar.tasks[task].completed)
    if bar.tasks[task].total != done:
        bar.update(task, total=done)


def progress_bar(console: Console | None = None) -> Progress:
    """A progress display with one bar per synced source."""
    return Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


def progress_tracker(bar: Progress, label: str):  # type: ignore[no-untyped-def]
    """A progress callback with one bar per source; totals come from the first page."""
    tasks: dict[str, int] = {}

    def on_page(source: str, rows: int, total: int | None) -> None:
        if source not in tasks:
            for done in tasks.values():  # the sources run one after another: the last is over
                finish(bar, done)
            tasks[source] = bar.add_task(f"{label} {source}", total=total)
        task = tasks[source]
        if total is not None and bar.tasks[task].total != total:
            bar.update(task, total=max(total, int(bar.tasks[task].completed) + rows))
        bar.advance(task, rows)

    return on_page


__all__ = ["finish", "progress_bar", "progress_tracker", "summary_line", "sync",
           "sync_with_progress"]
