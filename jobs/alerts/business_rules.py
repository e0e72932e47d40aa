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

from analytics.anomalies import detect_anomalies
from analytics.anomaly_types import DEFAULT_MIN_MONEY, Anomaly, AnomalyConfig
from analytics.catalog import get_metric
from analytics.events import event_days
from analytics.explain import explain_campaign_anomaly, explain_store_anomaly
from analytics.series import campaign_series, store_series
from config.tenants import Tenant
from jobs.accounts.targets import effective_targets
from jobs.alerts.findings import Finding, healthy
from jobs.alerts.kinds import SEVERITIES
from jobs.alerts.subjects import Subject, tenant_subjects
from jobs.warehouse.loaders import raw
from jobs.warehouse.queries import daily_rows
from jobs.warehouse.schema import ad_daily, advertisers, shop_daily, sync_cursors

#: Complete days judged at each evaluation (the latest and the one before).
CHECKED_DAYS = 2
#: Days of history loaded for the flags (the detector uses 28).
HISTORY_DAYS = 35
#: Store and campaign detector settings, as tuned in bench/bench_anomalies.py.
STORE = AnomalyConfig(min_volume=20, min_money=DEFAULT_MIN_MONEY, log=True)
CAMPAIGN = AnomalyConfig(min_volume=1_000, log=True,
                         min_money={c: v / 10 for c, v in DEFAULT_MIN_MONEY.items()})
#: Driver of a GMV drop -> alert kind (a drop driven by conversion is a CVR collapse).
GMV_DROP_KINDS = {"cvr": "cvr_collapse"}
#: Days in a row below the ROAS target before it counts.
ROAS_DAYS_BELOW = 2


def check_business(conn: Connection, tenant: Tenant, now: datetime) -> Iterator[Finding]:
    """Anomaly and target findings for each store of the tenant (the last complete day
    decides, not ``now``)."""
    shops = {k: s for k, s in tenant_subjects(conn, tenant.id).items() if s.kind == "shop"}
    for shop_id, last in _last_complete_days(conn, list(shops)).items():
        shop = shops[shop_id]
        daily = daily_rows(conn, [shop_id], last - timedelta(days=HISTORY_DAYS), last)
        if daily.empty:
            continue
        checked = [last - timedelta(days=i) for i in range(CHECKED_DAYS)]
        days = [last - timedelta(days=i) for i in range(HISTORY_DAYS + 1)]
        events = {shop_id: set(event_days(shop.region or "", days))}
        series = store_series(daily)
        drops = [explain_store_anomaly(a, daily) for a in
                 _flags(series["gross_gmv"], "gross_gmv", STORE, checked, "down", events)]
        for kind in ("gmv_drop", *GMV_DROP_KINDS.values()):
            mine = [a for a in drops if GMV_DROP_KINDS.get(a.driver or "", "gmv_drop") == kind]
            yield _finding(tenant.id, kind, shop_id, shop, mine)
        spikes = _flags(series["spend"], "spend", STORE, checked, "up", events)
        yield _finding(tenant.id, "spend_spike", shop_id, shop, spikes)
        yield _roas_finding(conn, tenant, shop, series["roas_platform"], last)
        yield from _campaign_findings(conn, tenant.id, shop, last, checked, events[shop_id])


def _flags(series: pd.DataFrame, metric: str, config: AnomalyConfig, checked: list[date],
           direction: str, exclude: dict[str, set[date]]) -> list[Anomaly]:
    if series.empty:
        return []
    found = detect_anomalies(series, metric, config, evaluate=checked, exclude=exclude)
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
    value, usual = f"{flag.value:,.2f}", f"{flag.expected:,.2f}"
    why = f". {flag.explanation}" if flag.explanation else ""
    try:
        metric = get_metric(flag.metric)
        label_en, label_zh = metric.en, metric.zh
    except KeyError:
        label_en = label_zh = flag.metric
    return {
        "metric": flag.metric, "day": flag.period.isoformat(), "value": flag.value,
        "expected": flag.expected, "severity": flag.severity,
        "description_en": f"{label_en} of {name} on {flag.period}: {value}, usually "
                          f"{usual}{change}{money}{why}",
        "description_zh": f"{name} 在 {flag.period} 的{label_zh}为 {value}，通常为 "
                          f"{usual}{change}{money_zh}{why}",
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
                       checked: list[date], events: set[date]) -> Iterator[Finding]:
    rows = _campaign_rows(conn, shop.id, last - timedelta(days=HISTORY_DAYS), last)
    if rows.empty:
        return
    names = dict(zip(rows["campaign_id"], rows["campaign_name"].fillna(""), strict=False))
    exclude = {str(c): events for c in names}
    flags = [explain_campaign_anomaly(a, rows) for a in
             _flags(campaign_series(rows)["cpm"], "cpm", CAMPAIGN, checked, "up", exclude)]
    for campaign_id in sorted(names):
        name = f"{shop.name} / {names[campaign_id] or campaign_id}"
        mine = [a for a in flags if a.key == str(campaign_id)]
        yield _finding(tenant_id, "cpm_jump", str(campaign_id), shop, mine, name)


def _campaign_rows(conn: Connection, shop_id: str, first: date, last: date) -> pd.DataFrame:
    """Campaign-day rows of the shop's advertisers, money in integer units as analytics wants."""
    ids = conn.execute(select(advertisers.c.advertiser_id)
                       .where(advertisers.c.shop_id == shop_id)).scalars().all()
    if not ids:
        return pd.DataFrame()
    c = ad_daily.c
    rows = pd.DataFrame(conn.execute(
        select(c.campaign_id, c.campaign_name, c.day, c.currency, raw(c.spend), c.impressions,
               c.clicks, c.purchases, raw(c.purchase_value))
        .where(c.advertiser_id.in_(ids), c.day >= first, c.day <= last)).all(),
        columns=["campaign_id", "campaign_name", "day", "currency", "spend", "impressions",
                 "clicks", "purchases", "purchase_value"])
    for col in ("spend", "impressions", "clicks", "purchases", "purchase_value"):
        rows[col] = rows[col].astype("Int64")
    return rows.assign(level="campaign")


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
