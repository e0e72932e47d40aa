"""Business rules, daily: anomaly flags on each store's and campaign's own history, and ROAS
below the tenant's target for two days running.

The numbers are the rollups the digest reads (``jobs.warehouse.queries.daily_rows``), the flags
are ``analytics.anomalies``; only the last ``CHECKED_DAYS`` complete days are judged, so an old
anomaly does not ring again. Each finding carries its severity; the evaluation drops those below
the tenant's ``alert_min_severity``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from analytics.anomalies import Anomaly, AnomalyConfig, detect_anomalies
from analytics.series import campaign_series, store_series
from config.tenants import Tenant
from jobs.alerts.findings import Finding, healthy
from jobs.alerts.kinds import SEVERITIES
from jobs.alerts.subjects import Subject, tenant_subjects
from jobs.targets import effective_targets
from jobs.warehouse.queries import daily_rows
from jobs.warehouse.schema import ad_daily, advertisers, shop_daily, sync_cursors

#: Complete days judged at each evaluation (the latest and the one before).
CHECKED_DAYS = 2
#: Days of history loaded for the flags (the detector uses 28).
HISTORY_DAYS = 35
#: metric -> (alert kind, direction that matters, detector settings), store level.
STORE_WATCH: dict[str, tuple[str, str, AnomalyConfig]] = {
    "cvr": ("cvr_collapse", "down", AnomalyConfig(min_volume=200)),
    "spend": ("spend_spike", "up", AnomalyConfig(min_volume=1000)),
}
#: The same, campaign level (a planted CPM jump shows in one campaign).
CAMPAIGN_WATCH: dict[str, tuple[str, str, AnomalyConfig]] = {
    "cpm": ("cpm_jump", "up", AnomalyConfig(min_volume=1000)),
}
#: Days in a row below the ROAS target before it counts.
ROAS_DAYS_BELOW = 2


def check_business(conn: Connection, tenant: Tenant, now: datetime) -> Iterator[Finding]:
    """Anomaly and target findings for each store of the tenant (``now`` is unused: the last
    complete day decides)."""
    shops = {k: s for k, s in tenant_subjects(conn, tenant.id).items() if s.kind == "shop"}
    for shop_id, last in _last_complete_days(conn, list(shops)).items():
        daily = daily_rows(conn, [shop_id], last - timedelta(days=HISTORY_DAYS), last)
        if daily.empty:
            continue
        series = store_series(daily)
        checked = [last - timedelta(days=i) for i in range(CHECKED_DAYS)]
        for metric, (kind, direction, config) in STORE_WATCH.items():
            flags = _flags(series[metric], metric, config, checked, direction)
            yield _finding(tenant.id, kind, shop_id, shops[shop_id], flags)
        yield _roas_finding(conn, tenant, shops[shop_id], series["roas_platform"], last)
        yield from _campaign_findings(conn, tenant.id, shops[shop_id], last, checked)


def _flags(series: pd.DataFrame, metric: str, config: AnomalyConfig, checked: list[date],
           direction: str) -> list[Anomaly]:
    if series.empty:
        return []
    found = detect_anomalies(series, metric, config, evaluate=checked)
    return [a for a in found if a.direction == direction]


def _finding(tenant_id: str, kind: str, subject_id: str, shop: Subject,
             flags: list[Anomaly], name: str | None = None) -> Finding:
    facts: dict[str, Any] = {"shop_id": shop.id, "shop_name": shop.name}
    if not flags:
        return healthy(tenant_id, kind, subject_id, **facts)
    worst = max(flags, key=lambda a: (SEVERITIES.index(a.severity), abs(a.robust_z)))
    facts.update(_describe(worst, name or shop.name))
    return Finding(tenant_id, kind, subject_id, True, "anomaly", severity=worst.severity,
                   facts=facts)


def _describe(flag: Anomaly, name: str) -> dict[str, Any]:
    change = "" if flag.change_pct is None else f" ({flag.change_pct:+.0%})"
    money = ("" if flag.money_at_stake is None
             else f"; {flag.money_at_stake} {flag.currency} at stake")
    money_zh = ("" if flag.money_at_stake is None
                else f"；涉及金额 {flag.money_at_stake} {flag.currency}")
    value, usual = f"{flag.value:.4g}", f"{flag.expected:.4g}"
    return {
        "metric": flag.metric, "day": flag.period.isoformat(), "value": flag.value,
        "expected": flag.expected, "severity": flag.severity,
        "description_en": f"{flag.metric} of {name} on {flag.period}: {value}, usually "
                          f"{usual}{change}{money}",
        "description_zh": f"{name} 在 {flag.period} 的 {flag.metric} 为 {value}，通常为 "
                          f"{usual}{change}{money_zh}",
    }


def _roas_finding(conn: Connection, tenant: Tenant, shop: Subject, roas: pd.DataFrame,
                  last: date) -> Finding:
    targets = effective_targets(conn, tenant)
    facts: dict[str, Any] = {"shop_id": shop.id, "shop_name": shop.name}
    days = [last - timedelta(days=i) for i in range(ROAS_DAYS_BELOW)]
    values = roas.set_index("day")["value"].reindex(days) if not roas.empty else None
    if targets.roas is None or values is None or values.isna().any():
        return healthy(tenant.id, "roas_below_target", shop.id, **facts)
    target = float(targets.roas)
    if not (values < target).all():
        return healthy(tenant.id, "roas_below_target", shop.id, **facts)
    losing = targets.break_even_roas is not None and (values < float(targets.break_even_roas)).all()
    shown = ", ".join(f"{d}: {v:.2f}" for d, v in sorted(values.items()))
    facts.update({
        "target": target, "values": shown,
        "description_en": f"ROAS of {shop.name} below the target {target:g} for "
                          f"{ROAS_DAYS_BELOW} days ({shown})"
                          + ("; below break-even: ads lose money" if losing else ""),
        "description_zh": f"{shop.name} 的 ROAS 连续 {ROAS_DAYS_BELOW} 天低于目标 {target:g}"
                          f"（{shown}）" + ("；低于盈亏平衡，广告在亏钱" if losing else ""),
    })
    return Finding(tenant.id, "roas_below_target", shop.id, True, "anomaly",
                   severity="high" if losing else "medium", facts=facts)


def _campaign_findings(conn: Connection, tenant_id: str, shop: Subject, last: date,
                       checked: list[date]) -> Iterator[Finding]:
    ids = conn.execute(select(advertisers.c.advertiser_id)
                       .where(advertisers.c.shop_id == shop.id)).scalars().all()
    if not ids:
        return
    rows = pd.DataFrame(conn.execute(
        select(ad_daily.c.campaign_id, ad_daily.c.campaign_name, ad_daily.c.day,
               ad_daily.c.currency, ad_daily.c.spend, ad_daily.c.impressions, ad_daily.c.clicks)
        .where(ad_daily.c.advertiser_id.in_(ids),
               ad_daily.c.day >= last - timedelta(days=HISTORY_DAYS), ad_daily.c.day <= last)
    ).mappings().all())
    if rows.empty:
        return
    names = dict(zip(rows["campaign_id"], rows["campaign_name"].fillna(""), strict=False))
    rows["spend"] = rows["spend"].map(lambda v: None if v is None else int(v * 10_000))
    rows["spend"] = rows["spend"].astype("Int64")
    series = campaign_series(rows.assign(level="campaign"))
    for metric, (kind, direction, config) in CAMPAIGN_WATCH.items():
        flags = _flags(series[metric], metric, config, checked, direction)
        by_campaign: dict[str, list[Anomaly]] = {}
        for flag in flags:
            by_campaign.setdefault(flag.key, []).append(flag)
        for campaign_id in sorted(set(rows["campaign_id"])):
            name = f"{shop.name} / {names.get(campaign_id) or campaign_id}"
            yield _finding(tenant_id, kind, str(campaign_id), shop,
                           by_campaign.get(str(campaign_id), []), name)


def _last_complete_days(conn: Connection, shop_ids: list[str]) -> dict[str, date]:
    """The orders cursor's last complete day per shop, else the last day in the rollups."""
    if not shop_ids:
        return {}
    found = {r.subject_id: r.latest_complete_day for r in conn.execute(
        select(sync_cursors.c.subject_id, sync_cursors.c.latest_complete_day)
        .where(sync_cursors.c.source == "orders", sync_cursors.c.subject_id.in_(shop_ids)))
        if r.latest_complete_day}
    missing = [s for s in shop_ids if s not in found]
    if missing:
        found.update({r[0]: r[1] for r in conn.execute(
            select(shop_daily.c.shop_id, func.max(shop_daily.c.day))
            .where(shop_daily.c.shop_id.in_(missing)).group_by(shop_daily.c.shop_id)) if r[1]})
    return found
