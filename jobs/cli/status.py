"""``tikpulse status``: per tenant and store, what ran, what is due, token expiry, data freshness
and queue depth, and the chats each tenant is bound to (Slack, Telegram, Feishu, WeCom robots by
name) with the last digest delivered to each, read-only, as rich tables or (``--json``) one JSON
object with stable keys.

    tikpulse status                 # every tenant
    tikpulse status --tenant acme   # one tenant
    tikpulse status --json          # for scripts

It only reads: the warehouse (``authorizations``, ``job_runs``, ``sync_cursors``, ``digest_runs``,
``deliveries``)
and the RQ queue's counters. An unreachable Redis is reported on one line, not raised.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import click
import redis
from rich.console import Console
from rich.table import Table
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import Connection, Engine, select

from config.settings import Settings
from config.tenants import Tenant
from jobs.accounts.auth_status import SYNCABLE_STATUSES, AuthHealth, authorization_health
from jobs.cli.registry import load_registry, pick_tenant
from jobs.ingestion.due import FULL_SYNC_LOCAL_HOUR, INCREMENTAL_EVERY, RUN_KINDS, due_syncs
from jobs.resources import QUEUE
from jobs.warehouse.db import make_engine
from jobs.warehouse.schema import deliveries, digest_runs, job_runs, sync_cursors

#: Seconds to wait for Redis before reporting it unreachable.
REDIS_TIMEOUT = 2.0
#: Sorts deliveries that were never claimed first.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Units of a relative time, largest first: (seconds, suffix).
RELATIVE_UNITS: tuple[tuple[int, str], ...] = ((86_400, "d"), (3_600, "h"), (60, "min"))


# --- read queries ------------------------------------------------------------------------------

def last_run(conn: Connection, kind: str, subject_id: str) -> dict[str, Any] | None:
    """The newest ``job_runs`` row of ``kind`` (``sync_shop`` / ``sync_ads``) for a subject."""
    row = conn.execute(
        select(job_runs.c.started_at, job_runs.c.finished_at, job_runs.c.status,
               job_runs.c.error)
        .where(job_runs.c.kind == kind, job_runs.c.subject_id == subject_id)
        .order_by(job_runs.c.started_at.desc(), job_runs.c.run_id.desc()).limit(1)
    ).mappings().first()
    return None if row is None else dict(row)


def freshness(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    """Each source's last fully synced local day (and cursor) for a shop or advertiser."""
    rows = conn.execute(
        select(sync_cursors.c.source, sync_cursors.c.latest_complete_day,
               sync_cursors.c.cursor_time, sync_cursors.c.updated_at)
        .where(sync_cursors.c.subject_id == subject_id).order_by(sync_cursors.c.source)
    ).mappings().all()
    return [dict(r) for r in rows]


def last_digest(conn: Connection, tenant_id: str) -> dict[str, Any] | None:
    """The most recently updated ``digest_runs`` row of a tenant: window and status."""
    row = conn.execute(
        select(digest_runs.c.window, digest_runs.c.status, digest_runs.c.updated_at)
        .where(digest_runs.c.tenant_id == tenant_id)
        .order_by(digest_runs.c.updated_at.desc(), digest_runs.c.window.desc()).limit(1)
    ).mappings().first()
    return None if row is None else dict(row)


def last_deliveries(conn: Connection, tenant_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The newest digest delivery to each chat of a tenant, by (kind, chat id): window, status,
    when it was sent (or claimed) and the error, so an operator sees which chat is behind."""
    rows = conn.execute(
        select(deliveries.c.channel_kind, deliveries.c.channel_id, deliveries.c.window,
               deliveries.c.status, deliveries.c.sent_at, deliveries.c.claimed_at,
               deliveries.c.error).where(deliveries.c.tenant_id == tenant_id)
    ).mappings().all()
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["sent_at"] or r["claimed_at"] or _EPOCH,
                                           r["window"])):
        newest[(row["channel_kind"], row["channel_id"])] = {
            "window": row["window"], "status": row["status"],
            "at": _iso(row["sent_at"] or row["claimed_at"]), "error": row["error"]}
    return newest


def queue_depth(redis_url: str) -> dict[str, Any]:
    """Jobs waiting on the RQ queue and in its failed registry; ``reachable`` False when Redis
    does not answer (``error`` says why)."""
    out: dict[str, Any] = {"name": QUEUE, "reachable": False, "depth": None, "failed": None,
                           "error": None}
    try:
        conn = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                    socket_timeout=REDIS_TIMEOUT)
        try:
            queue = Queue(QUEUE, connection=conn)
            out.update(reachable=True, depth=queue.count,
                       failed=FailedJobRegistry(queue=queue).count)
        finally:
            conn.close()
    except (redis.RedisError, OSError) as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


# --- assembling the report -----------------------------------------------------------------------

def relative(when: datetime | None, now: datetime) -> str:
    """``when`` relative to ``now`` (aware): ``in 5 d``, ``3 h ago``, ``now``; ``-`` if None."""
    if when is None:
        return "-"
    seconds = (when - now).total_seconds()
    size = abs(seconds)
    for unit, suffix in RELATIVE_UNITS:
        if size >= unit:
            amount = f"{int(size // unit)} {suffix}"
            return f"in {amount}" if seconds > 0 else f"{amount} ago"
    return "now"


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _next_due(kind: str, subject_id: str, run: dict[str, Any] | None, due: dict[tuple[str, str],
              str], health: str | None) -> dict[str, Any]:
    """When the subject's next sync is due: now (with the reason), blocked, or a time."""
    if (kind, subject_id) in due:
        return {"due_now": True, "reason": due[(kind, subject_id)], "at": None, "blocked": None}
    if health is None or health not in SYNCABLE_STATUSES:
        return {"due_now": False, "reason": None, "at": None,
                "blocked": health or "no authorization"}
    at = None if run is None else run["started_at"] + INCREMENTAL_EVERY
    return {"due_now": False, "reason": "hourly", "at": _iso(at), "blocked": None}


def _subject(conn: Connection, kind: str, subject_id: str, name: str | None,
             due: dict[tuple[str, str], str], health: dict[str, str]) -> dict[str, Any]:
    run = last_run(conn, RUN_KINDS[kind], subject_id)
    return {
        "id": subject_id,
        "name": name,
        "last_run": None if run is None else {
            "started_at": _iso(run["started_at"]), "finished_at": _iso(run["finished_at"]),
            "status": run["status"], "error": run["error"]},
        "next_due": _next_due(kind, subject_id, run, due, health.get(subject_id)),
        "freshness": [{"source": f["source"],
                       "latest_complete_day": _iso(f["latest_complete_day"]),
                       "cursor_time": _iso(f["cursor_time"])}
                      for f in freshness(conn, subject_id)],
    }


def _auth(h: AuthHealth) -> dict[str, Any]:
    return {"auth_id": h.auth_id, "kind": h.kind, "seller_name": h.seller_name,
            "covers": list(h.covers), "health": h.health, "reason": h.reason,
            "access_expires_at": _iso(h.access_expires_at),
            "refresh_expires_at": _iso(h.refresh_expires_at)}


def chat_bindings(tenant: Tenant) -> dict[str, list[str]]:
    """The chats the tenant is bound to, per system (WeCom robots by name: keys are secret)."""
    chats = tenant.chats
    return {"slack": [b.channel for b in chats.slack],
            "telegram": [str(b.chat) for b in chats.telegram],
            "feishu": [b.chat for b in chats.feishu], "wecom": [b.name for b in chats.wecom]}


def build_status(engine: Engine, tenants: list[Tenant], now: datetime) -> list[dict[str, Any]]:
    """The status of each tenant in ``tenants`` at ``now`` (aware), as plain JSON-ready dicts."""
    auths = authorization_health(engine, now=now)
    health = {subject: h.health for h in auths for subject in h.covers}
    out = []
    with engine.connect() as conn:
        due = {(d.kind, d.subject_id): d.reason for d in due_syncs(conn, now)}
        for tenant in tenants:
            stores = []
            for store in tenant.stores:
                entry = _subject(conn, "shop", store.shop_id, store.name, due, health)
                entry.update(region=store.region, timezone=store.timezone, advertisers=[
                    _subject(conn, "advertiser", a, None, due, health)
                    for a in store.advertiser_ids])
                stores.append(entry)
            digest = last_digest(conn, tenant.id)
            chats = chat_bindings(tenant)
            sent = last_deliveries(conn, tenant.id)
            out.append({
                "id": tenant.id, "name": tenant.name, "chats": chats,
                "chat_deliveries": [{"kind": kind, "chat": chat, "last": sent.get((kind, chat))}
                                    for kind, ids in chats.items() for chat in ids],
                "authorizations": [_auth(h) for h in auths if h.tenant_id == tenant.id],
                "stores": stores,
                "last_digest": None if digest is None else {
                    "window": digest["window"], "status": digest["status"],
                    "updated_at": _iso(digest["updated_at"])},
            })
    return out


# --- printing ------------------------------------------------------------------------------------

def _when(value: str | None, now: datetime) -> str:
    return relative(None if value is None else datetime.fromisoformat(value), now)


def _next_text(next_due: dict[str, Any], now: datetime) -> str:
    if next_due["due_now"]:
        return f"now ({next_due['reason']})"
    if next_due["blocked"]:
        return f"blocked: {next_due['blocked']}"
    if next_due["at"] is None:
        return "within the hour"
    return _when(next_due["at"], now)


def _sync_row(label: str, subject: dict[str, Any], now: datetime) -> tuple[str, ...]:
    run = subject["last_run"]
    fresh = ", ".join(f"{f['source']} {f['latest_complete_day'] or '-'}"
                      for f in subject["freshness"]) or "-"
    if run is None:
        return label, "never", "-", "", _next_text(subject["next_due"], now), fresh
    status = {"ok": "[green]ok", "failed": "[red]failed"}.get(run["status"], run["status"])
    return (label, _when(run["started_at"], now), status, run["error"] or "",
            _next_text(subject["next_due"], now), fresh)


def print_tenant(console: Console, tenant: dict[str, Any], now: datetime) -> None:
    """Two rich tables (authorizations, syncs) and the last digest line of one tenant."""
    auth_table = Table(title=f"{tenant['name']} ({tenant['id']}) · authorizations",
                       title_justify="left")
    for column in ("#", "kind", "covers", "health", "access expires", "refresh expires", "reason"):
        auth_table.add_column(column)
    for a in tenant["authorizations"]:
        colour = "[green]" if a["health"] == "healthy" else "[yellow]"
        auth_table.add_row(str(a["auth_id"]), a["kind"], ", ".join(a["covers"]),
                           colour + a["health"], _when(a["access_expires_at"], now),
                           _when(a["refresh_expires_at"], now),
                           a["reason"] if a["health"] != "healthy" and a["reason"] else "")
    console.print(auth_table)
    syncs = Table(title=f"{tenant['name']} · syncs (full sync from {FULL_SYNC_LOCAL_HOUR:02d}:00 "
                        "store time)", title_justify="left")
    for column in ("store / ads account", "last run", "status", "error", "next", "fresh until"):
        syncs.add_column(column)
    for store in tenant["stores"]:
        label = f"{store['name'] or store['id']} ({store['region']}, {store['id']})"
        syncs.add_row(*_sync_row(label, store, now))
        for ad in store["advertisers"]:
            syncs.add_row(*_sync_row(f"  ads {ad['id']}", ad, now))
    console.print(syncs)
    if not tenant["chat_deliveries"]:
        console.print("chats: none bound (tenants file: chats)")
    for chat in tenant["chat_deliveries"]:
        console.print(f"chat {chat['kind']} {chat['chat']}: {_delivery_text(chat['last'], now)}",
                      markup=False, highlight=False)
    digest = tenant["last_digest"]
    console.print("last digest: " + ("none yet" if digest is None else
                                     f"{digest['window']} {digest['status']} "
                                     f"({_when(digest['updated_at'], now)})"))


def _delivery_text(last: dict[str, Any] | None, now: datetime) -> str:
    if last is None:
        return "no digest delivered yet"
    error = f" ({last['error']})" if last["error"] and last["status"] != "sent" else ""
    return f"last digest {last['window']} {last['status']}{error}, {_when(last['at'], now)}"


def _queue_line(queue: dict[str, Any]) -> str:
    if not queue["reachable"]:
        return f"queue {queue['name']}: Redis unreachable ({queue['error']})"
    return f"queue {queue['name']}: {queue['depth']} waiting, {queue['failed']} failed"


@click.command(name="status")
@click.option("--tenant", "tenant_id", default=None, help="Only this tenant id.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
@click.pass_obj
def status(settings: Settings, tenant_id: str | None, as_json: bool) -> None:
    """What ran, what is due, token expiry, data freshness and queue depth, per tenant."""
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    registry = load_registry(engine, settings)
    tenants = list(registry.tenants) if tenant_id is None else [pick_tenant(registry, tenant_id)]
    report = build_status(engine, tenants, now)
    queue = queue_depth(settings.redis_url)
    if as_json:
        click.echo(json.dumps({"generated_at": now.isoformat(), "queue": queue,
                               "tenants": report}, indent=2, sort_keys=True))
        return
    console = Console()
    console.print(f"status at {now:%Y-%m-%d %H:%M} UTC · {_queue_line(queue)}")
    if not report:
        console.print("no tenants: set TIKPULSE_CONFIG or run 'tikpulse auth connect-shop'")
    for tenant_status in report:
        print_tenant(console, tenant_status, now)

