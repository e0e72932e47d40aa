"""Alert benchmark on sandbox data: the alert rules evaluated every day as the daily job would,
with planted anomalies and on clean data. Prints the alerts sent per store-month (no storm on
clean data), whether each planted anomaly alerted, and the time per evaluation.

    .venv/bin/python bench/bench_alerts.py [--seeds 3] [--shops 4] [--weeks 12] [--severity medium]

Pipeline under test: sandbox data set -> warehouse (bulk load, rollups, shop traffic) -> every
local day, the orders cursor moves to that day and ``jobs.alerts.evaluate_tenant`` runs for the
morning after (all rules, the state machine with its cooldown and repeat interval, messages
rendered; no chat is bound, so nothing is posted). Planted anomalies count as alerted when an
alert of the matching kind opens for the right subject within a week of the anomaly's start.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.warehouse_load import load_dataset  # noqa: E402
from config.tenants import Tenant  # noqa: E402
from jobs.alerts.evaluate import AlertSetup, evaluate_tenant  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from jobs.warehouse.rollups import refresh_ad_rollups, refresh_rollups  # noqa: E402
from jobs.warehouse.schema import (  # noqa: E402
    advertisers,
    shop_traffic_daily,
    shops,
    sync_cursors,
    tenants,
)
from sandbox import GeneratorConfig, generate  # noqa: E402

#: Planted kind -> alert kinds that count as catching it, and the manifest key of its subject.
CATCHES = {"cvr_collapse": ({"cvr_collapse", "gmv_drop"}, "shop_id"),
           "cpm_jump": ({"cpm_jump"}, "campaign_id"),
           "missing_day": ({"ads_day_missing"}, "advertiser_id")}
#: Days of history before the first evaluation (the detector wants 28).
WARM_UP_DAYS = 29
STAMP = datetime(2026, 11, 1, tzinfo=UTC)


def build_warehouse(ds, path: Path):
    """A SQLite warehouse holding the data set, its rollups and shop traffic."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    stamps = {"created_at": STAMP, "updated_at": STAMP}
    days = [ds.start + timedelta(i) for i in range(ds.config.days)]
    with engine.begin() as conn:
        conn.execute(tenants.insert().values(tenant_id="bench", name="Bench", language="en",
                                             reporting_currency="USD", **stamps))
        for s in ds.shops.itertuples():
            conn.execute(shops.insert().values(
                shop_id=s.shop_id, tenant_id="bench", name=s.name, region=s.region,
                currency=s.currency, timezone=s.timezone, source="api", **stamps))
            conn.execute(shop_traffic_daily.insert(), [
                {"shop_id": s.shop_id, "day": d, "channel": "ALL", "visitors": int(v),
                 "page_views": int(v), "currency": s.currency}
                for d, v in zip(days, s.page_views, strict=False)])
        for a in ds.advertisers.itertuples():
            conn.execute(advertisers.insert().values(
                advertiser_id=a.advertiser_id, tenant_id="bench", name=a.name,
                shop_id=ds.shops["shop_id"][a.shop_idx], currency=a.currency,
                timezone=a.timezone, **stamps))
    load_dataset(engine, ds)
    with engine.begin() as conn:
        for shop_id in ds.shops["shop_id"]:
            refresh_rollups(conn, shop_id, days)
        for advertiser_id in ds.advertisers["advertiser_id"]:
            refresh_ad_rollups(conn, advertiser_id, days)
    return engine, days


def evaluate_daily(engine, ds, days: list[date], severity: str):
    """Every morning: move the orders and ads cursors to yesterday, evaluate; (sent, seconds
    per evaluation)."""
    tenant = Tenant(id="bench", name="Bench", alert_min_severity=severity)
    setup = AlertSetup(engine=engine, senders={})
    sent, spent = [], 0.0
    for day in days[WARM_UP_DAYS:]:
        with engine.begin() as conn:
            conn.execute(sync_cursors.delete())
            conn.execute(sync_cursors.insert(), [
                {"source": source, "subject_id": s, "latest_complete_day": day,
                 "updated_at": STAMP}
                for source, ids in (("orders", ds.shops["shop_id"]),
                                    ("ads_campaign", ds.advertisers["advertiser_id"]))
                for s in ids])
        started = time.perf_counter()
        result = evaluate_tenant(setup, tenant, now=datetime.combine(
            day + timedelta(1), datetime.min.time(), UTC) + timedelta(hours=9))
        spent += time.perf_counter() - started
        sent += [(day, m.kind, m.event, m.text) for m in result.sent]
    return sent, spent / max(1, len(days) - WARM_UP_DAYS)


def caught(planted: dict, sent: list) -> bool:
    """Whether an alert of a matching kind opened for the planted subject within a week."""
    kinds, key = CATCHES[planted["kind"]]
    start = planted.get("start") or planted["date"]
    return any(kind in kinds and event == "opened" and planted[key] in text
               and start <= day < start + timedelta(7) for day, kind, event, text in sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--shops", type=int, default=4)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--severity", default="medium", choices=["low", "medium", "high"])
    args = parser.parse_args()
    for plant in (True, False):
        kinds, store_months, per_run, results = Counter(), 0.0, [], []
        for seed in range(1, args.seeds + 1):
            ds = generate(GeneratorConfig(seed=seed, shops=args.shops, weeks=args.weeks,
                                          end=date(2026, 11, 23), plant_anomalies=plant))
            with tempfile.TemporaryDirectory() as tmp:
                engine, days = build_warehouse(ds, Path(tmp) / "bench.db")
                sent, seconds = evaluate_daily(engine, ds, days, args.severity)
                engine.dispose()
            per_run.append(seconds)
            store_months += len(ds.shops) * (len(days) - WARM_UP_DAYS) / 30
            kinds.update(f"{k}/{e}" for _, k, e, _ in sent)
            results += [(p["kind"], seed, p.get("start") or p.get("date"),
                         caught(p, sent) if p["kind"] in CATCHES else None)
                        for p in ds.anomalies]
        alerts = sum(n for k, n in kinds.items() if not k.endswith("/recovered"))
        label = "planted" if plant else "clean  "
        print(f"{label}: {alerts} alerts over {store_months:.1f} store-months = "
              f"{alerts / store_months:.2f} per store-month (min severity {args.severity}); "
              f"{sum(per_run) / len(per_run) * 1000:.0f} ms per tenant evaluation")
        for kind, n in sorted(kinds.items()):
            print(f"    {kind}: {n}")
        for kind, seed, when, ok in results:
            verdict = {True: "alerted", False: "MISSED", None: "no alert rule (digest only)"}[ok]
            print(f"    planted {kind} (seed {seed}, {when}): {verdict}")


if __name__ == "__main__":
    main()
