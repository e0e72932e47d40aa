"""What a question was read as, in ids and dates: ``understood(parsed, tenant, now) -> dict``.

``tikpulse ask --json`` prints it beside the answer, so a script (or a test) sees the command, the
stores (shop ids; empty means all of the channel's stores), the period (``first``/``last`` local
dates), the metric (a catalog id), the ranking key and the limit the answer was built from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.commands.grammar import Parsed
from bot.commands.periods import PeriodError, resolve_period
from bot.commands.scope import UnknownStore, resolve_scope
from config.tenants import Tenant

#: Commands whose answer does not depend on a period (no ``period`` is reported for them).
TIMELESS_COMMANDS = frozenset({"help", "define", "targets", "set_target", "auth_status",
                               "subscribe", "unsubscribe", "digest_now", "stock"})


def understood(parsed: Parsed, tenant: Tenant | None, now: datetime) -> dict[str, Any]:
    """The reading of ``parsed`` for ``tenant`` at ``now``: command, stores, period, metric, by,
    limit (``unknown_store`` / ``period_error`` say what could not be resolved)."""
    out: dict[str, Any] = {"command": parsed.command, "stores": [], "period": None,
                           "metric": parsed.metric, "by": parsed.rank_by, "limit": parsed.n}
    said = parsed.scopes if parsed.command == "compare" else (parsed.scope,)
    zones: set[str] = set()
    for words in said:
        if tenant is None or words is None or parsed.command in TIMELESS_COMMANDS - {"stock"}:
            continue
        try:
            scope = resolve_scope(tenant, words)
        except UnknownStore:
            out.setdefault("unknown_store", words)
            continue
        zones |= {s.resolved_timezone for s in scope.stores}
        if scope.kind != "all":
            out["stores"].extend(s.shop_id for s in scope.stores)
    if parsed.command is not None and parsed.command not in TIMELESS_COMMANDS:
        out["period"] = _period(parsed, tenant, now, zones)
    if parsed.typos:
        out["typos"] = [list(pair) for pair in parsed.typos]
    return out


def reading(parsed: Parsed, tenant: Tenant, now: datetime, lang: str) -> str:
    """The reading as one short line for a "Read as: ..." note: the command, the stores, the
    period, the metric, the ranking and the limit, and each word read as a typo."""
    from analytics.display import metric_name
    from bot.commands.texts import command_name

    got = understood(parsed, tenant, now)
    names = {s.shop_id: s.name or s.shop_id for s in tenant.stores}
    parts = [f"`{command_name(got['command'], lang)}`"]
    if got["stores"]:
        parts.append(" vs ".join(names.get(i, i) for i in got["stores"]) if parsed.command ==
                     "compare" else ", ".join(names.get(i, i) for i in got["stores"]))
    elif got["period"] is not None:
        parts.append(tenant.name)
    period = got["period"]
    if period and "label" in period:
        parts.append(period["label"])
    if got["metric"]:
        parts.append(metric_name(got["metric"], lang))
    if got["by"]:
        parts.append(("按 " if lang == "zh" else "by ") + got["by"])
    if got["limit"]:
        parts.append(("前 " if lang == "zh" else "top ") + str(got["limit"]))
    parts += [f"\u201c{said}\u201d -> `{meant}`" for said, meant in parsed.typos]
    return " · ".join(parts)


def _period(parsed: Parsed, tenant: Tenant | None, now: datetime,
            zones: set[str]) -> dict[str, str] | None:
    from zoneinfo import ZoneInfo

    if tenant is not None and not zones:
        zones = {s.resolved_timezone for s in tenant.stores}
    zone = zones.pop() if len(zones) == 1 else (tenant.digest.timezone if tenant else "UTC")
    try:
        period = resolve_period(parsed.period, now.astimezone(ZoneInfo(zone)).date())
    except PeriodError as exc:
        return {"error": str(exc)}
    return {"first": period.start.isoformat(), "last": period.end.isoformat(),
            "label": period.label}
