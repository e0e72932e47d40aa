"""Alert messages in the tenant's languages: which shop, what broke, since when, what data is
missing now and exactly how to fix it.

``render`` gives plain text with Slack-style backticks; the delivery adapters escape it and add the
admin mentions in each chat system's own syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.tenants import Tenant
from jobs.alerts.kinds import alert_kind
from jobs.alerts.routing import tenant_zone
from jobs.alerts.state import Notice
from jobs.alerts.texts import EVENTS, LABELS, REASONS, TITLES

#: Seller Center authorization page (US shops use their own host), from tiktok-api.md.
AUTHORIZE_URL = "https://services.tiktokshop.com/open/authorize?service_id={service_id}"
AUTHORIZE_URL_US = "https://services.us.tiktokshop.com/open/authorize?service_id={service_id}"
#: Shown in the link when the app's service id is not configured.
SERVICE_ID_PLACEHOLDER = "<SERVICE_ID>"


@dataclass(frozen=True)
class AlertMessage:
    """The text of one notice, ready for any chat; ``mention_admins`` asks for @-mentions."""

    tenant_id: str
    kind: str
    event: str
    text: str
    mention_admins: bool


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def authorize_link(region: str | None, service_id: str | None) -> str:
    """The Seller Center page where a shop admin authorizes the app again."""
    template = AUTHORIZE_URL_US if (region or "").upper() == "US" else AUTHORIZE_URL
    return template.format(service_id=service_id or SERVICE_ID_PLACEHOLDER)


def render(notice: Notice, tenant: Tenant, *, service_id: str | None = None) -> AlertMessage:
    """The message for ``notice`` in every language the tenant reads (Chinese first)."""
    languages = [lang for lang in ("zh", "en") if lang in tenant.language] or ["en"]
    blocks = ["\n".join(_lines(notice, tenant, lang, service_id)) for lang in languages]
    kind = alert_kind(notice.finding.kind)
    mention = kind.mention_admins and notice.event != "recovered"
    return AlertMessage(tenant.id, kind.name, notice.event, "\n\n".join(blocks), mention)


def _lines(notice: Notice, tenant: Tenant, lang: str, service_id: str | None) -> list[str]:
    finding = notice.finding
    facts = _Facts(finding.facts)
    facts["empty_days"] = ", ".join(facts.get("empty_days", [])) or "?"
    error = facts.get("last_error")
    facts["sync_error_en"] = f"; the sync keeps failing: {error}" if error else ""
    facts["sync_error_zh"] = f"；同步持续失败：{error}" if error else ""
    title = TITLES[finding.kind][lang]
    head = EVENTS[notice.event][lang].format(title=title)
    lines = [f"{head} · {tenant.name}"]
    who = _who(facts, lang)
    if who:
        lines.append(who)
    category = alert_kind(finding.kind).category
    if notice.event == "recovered":
        key = "recovered_auth" if category == "auth" else "recovered_data"
        return [*lines, f"{LABELS['since'][lang]}{_sep(lang)}{_stamp(notice.since, tenant)}",
                f"{LABELS['fixed'][lang]}{_sep(lang)}{_stamp(notice.at, tenant)}",
                LABELS[key][lang]]
    reason = REASONS.get(finding.reason, REASONS["anomaly"])[lang].format_map(facts)
    lines.append(reason[:1].upper() + reason[1:])
    lines.append(f"{LABELS['since'][lang]}{_sep(lang)}"
                 f"{_when(notice.since, notice.at, tenant, lang)}")
    if category == "auth":
        lines.append(_missing(facts, lang))
        lines.append(_fix(facts, tenant, lang, service_id))
    elif category == "data":
        lines.append(LABELS["fix_data"][lang])
    return lines


def _who(facts: dict[str, Any], lang: str) -> str:
    subjects = facts.get("subjects") or []
    if subjects:
        names = ", ".join(f"{s.get('name') or s['id']} ({s['id']})" for s in subjects)
    elif facts.get("subject_name") or facts.get("shop_name"):
        name = facts.get("subject_name") or facts.get("shop_name")
        names = f"{name} ({facts.get('subject_id') or facts.get('shop_id')})"
    else:
        return ""
    ads = facts.get("subject_kind") == "advertiser" or facts.get("auth_kind") == "ads"
    return f"{LABELS['ads_accounts' if ads else 'shops'][lang]}{_sep(lang)}{names}"


def _missing(facts: dict[str, Any], lang: str) -> str:
    through = facts.get("data_through") or []
    if not through:
        return LABELS["missing_none"][lang]
    day = min(d["day"] for d in through)
    sources = ", ".join(sorted({d["source"] for d in through}))
    return LABELS["missing"][lang].format(day=day, sources=sources)


def _fix(facts: dict[str, Any], tenant: Tenant, lang: str, service_id: str | None) -> str:
    if facts.get("auth_kind") == "ads":
        return LABELS["fix_ads"][lang].format(tenant=tenant.id)
    link = authorize_link(facts.get("region"), service_id)
    return LABELS["fix_shop"][lang].format(link=link, tenant=tenant.id)


def _sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _stamp(moment: datetime, tenant: Tenant) -> str:
    zone = tenant_zone(tenant)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def _when(since: datetime, now: datetime, tenant: Tenant, lang: str) -> str:
    hours = max(0, int((now - since).total_seconds() // 3600))
    return f"{_stamp(since, tenant)}, {LABELS['ago'][lang].format(hours=hours)}"
