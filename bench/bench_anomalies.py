"""Anomaly benchmark on sandbox data: recall of planted anomalies (flagged and explained by the
right driver) and false flags per store-month, with planted anomalies and on clean data.

    .venv/bin/python bench/bench_anomalies.py [--seeds 8] [--first-seed 101] [--shops 6]

Pipeline under test (all from ``analytics``): sandbox rows -> warehouse-shaped frames ->
``daily.daily_metrics`` -> ``series.*`` -> ``anomalies.detect_anomalies`` -> ``drivers.explain_*``;
missing ad days via ``quality.coverage_table``. Right drivers: cvr_collapse -> "cvr",
cpm_jump -> "cpm" (ROAS decomposition, most unusual factor), creator_spike -> that creator's
own weekly series is flagged up in that week, missing_day -> the day is listed as missing for
the advertiser (coverage). "Measurable" leaves out planted anomalies that
left too little volume or history to judge (a spike of a creator who sells 0-1 units a week, a
CPM jump on a campaign that barely delivers).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.anomalies import detect_anomalies, merge_flags
from analytics.anomaly_types import DEFAULT_MIN_MONEY, WEEKLY, AnomalyConfig
from analytics.daily import daily_metrics
from analytics.events import event_days
from analytics.explain import explain_campaign_anomaly, explain_store_anomaly
from analytics.quality import coverage_table
from analytics.series import campaign_series, creator_weekly_series, store_series
from analytics.weeks import local_days
from sandbox import GeneratorConfig, generate

STORE = AnomalyConfig(min_volume=20, min_money=DEFAULT_MIN_MONEY, log=True, sustain=3)
STORE_ORDERS = replace(STORE, count=True)
CAMPAIGN = AnomalyConfig(min_volume=1_000, log=True, threshold=2.5, min_run=3,
                         min_money={c: v / 50 for c, v in DEFAULT_MIN_MONEY.items()})
CREATOR = replace(WEEKLY, count=True, threshold=4.5, min_volume=5, min_money=DEFAULT_MIN_MONEY)


def _times(seconds: np.ndarray) -> pd.Series:
    s = pd.Series(seconds, dtype="int64")
    return pd.to_datetime(s.where(s >= 0), unit="s", utc=True)


def warehouse_frames(ds) -> dict[str, object]:
    """The sandbox data set as the frames the warehouse query layer would load."""
    shops = ds.shops
    scale = (10 ** (4 - shops["exponent"].to_numpy())).astype("int64")
    o = ds.orders
    sidx = o["shop_idx"].to_numpy()
    kind = o["kind"].to_numpy()
    orders = pd.DataFrame({
        "shop_id": shops["shop_id"].to_numpy()[sidx], "order_id": o["order_id"].astype(str),
        "buyer_id": o["user_id"].astype(str), "paid_time": _times(o["paid_time"].to_numpy()),
        "cancel_time": _times(o["cancel_time"].to_numpy()), "is_sample": kind == 1,
        "is_replacement": kind == 2, "buyer_message": np.where(kind == 3, "TEST ORDER", ""),
        "recipient_name": "Buyer", "currency": shops["currency"].to_numpy()[sidx],
        "sub_total": o["sub_total"].to_numpy() * scale[sidx]})
    lines = pd.DataFrame({"shop_id": orders["shop_id"].to_numpy()[ds.lines["order_row"]],
                          "order_id": orders["order_id"].to_numpy()[ds.lines["order_row"]],
                          "line_id": ds.lines["line_id"].astype(str), "quantity": 1})
    days = [ds.start + timedelta(i) for i in range(ds.config.days)]
    traffic = pd.DataFrame([
        {"shop_id": s.shop_id, "day": days[i], "channel": "ALL", "visitors": int(v),
         "page_views": int(v), "currency": s.currency}
        for s in shops.itertuples() for i, v in enumerate(s.page_views[: len(days)])])
    r = ds.ad_rows
    adv, camp = ds.advertisers, ds.campaigns
    arow = r["advertiser_row"].to_numpy()
    ad = pd.DataFrame({
        "advertiser_id": adv["advertiser_id"].to_numpy()[arow], "level": "campaign",
        "campaign_id": camp["campaign_id"].to_numpy()[r["campaign_row"].to_numpy()],
        "day": [days[i] for i in r["day_idx"]], "currency": adv["currency"].to_numpy()[arow],
        "spend": r["spend"].to_numpy() * scale[r["shop_idx"].to_numpy()],
        "impressions": r["impressions"], "clicks": r["clicks"],
        "purchases": r["conversion_served"],
        "purchase_value": r["value_served"].to_numpy() * scale[r["shop_idx"].to_numpy()]})
    ad = ad.groupby(["advertiser_id", "level", "campaign_id", "day", "currency"],
                    as_index=False).sum()
    aff_rows = o[(o["creator_row"] >= 0) & (kind == 0)]
    shop_tz = dict(zip(shops["shop_id"], shops["timezone"], strict=True))
    aff = pd.DataFrame({
        "shop_id": shops["shop_id"].to_numpy()[aff_rows["shop_idx"]],
        "creator_username": ds.creators["username"].to_numpy()[aff_rows["creator_row"]],
        "create_time": _times(aff_rows["create_time"].to_numpy()),
        "price": aff_rows["sub_total"].to_numpy() * scale[aff_rows["shop_idx"].to_numpy()],
        "quantity": 1, "currency": shops["currency"].to_numpy()[aff_rows["shop_idx"]]})
    aff["day"] = local_days(aff["create_time"], aff["shop_id"], shop_tz)
    region = dict(zip(shops["shop_id"], shops["region"], strict=True))
    return {"region": region, "orders": orders, "lines": lines, "traffic": traffic, "ads": ad,
            "affiliate": aff, "shop_tz": shop_tz, "days": days,
            "advertiser_shop": dict(zip(adv["advertiser_id"],
                                        shops["shop_id"].to_numpy()[adv["shop_idx"]],
                                        strict=True))}


def _measurable(p: dict, f: dict, weekly: pd.DataFrame) -> bool:
    """Whether a planted anomaly left enough volume and history to be judged at all (the same
    gates the detectors use); the rest can only be missed."""
    if p["kind"] == "cpm_jump":
        ads = f["ads"][f["ads"]["campaign_id"] == p["campaign_id"]]
        before = ads[ads["day"] < p["start"]]
        after = ads[(ads["day"] >= p["start"]) & (ads["day"] < p["start"] + timedelta(7))]
        return len(before) >= CAMPAIGN.min_history and bool(
            (after["impressions"] >= CAMPAIGN.min_volume).any())
    if p["kind"] == "creator_spike":
        rows = weekly[weekly["key"] == p["username"]]
        spike = rows[rows["day"] == p["start"]]["value"]
        return int((rows["day"] < p["start"]).sum()) >= CREATOR.min_history and bool(
            (spike >= CREATOR.min_volume).any())
    return True


@dataclass
class Score:
    planted: int = 0
    measurable: int = 0
    found: int = 0
    found_measurable: int = 0
    false_by_kind: dict[str, int] = field(default_factory=dict)
    false_flags: int = 0
    store_months: float = 0.0
    misses: list[str] = field(default_factory=list)


def run(ds, score: Score, seed: int) -> None:
    f = warehouse_frames(ds)
    daily = daily_metrics(shop_tz=f["shop_tz"], orders=f["orders"], order_lines=f["lines"],
                          traffic=f["traffic"])
    days = f["days"]
    events = {shop: set(event_days(region, days)) for shop, region in f["region"].items()}
    series = store_series(daily)
    store_flags = [explain_store_anomaly(a, daily) for a in merge_flags(
        detect_anomalies(series["gross_gmv"], "gross_gmv", STORE, evaluate=days, exclude=events),
        detect_anomalies(series["orders"], "orders", STORE_ORDERS, evaluate=days,
                         exclude=events))]
    ad_shop = f["advertiser_shop"]
    camp_events = {c: events[ad_shop[a]] for c, a in
                   zip(f["ads"]["campaign_id"], f["ads"]["advertiser_id"], strict=True)}
    camp_flags = [explain_campaign_anomaly(a, f["ads"])
                  for a in detect_anomalies(campaign_series(f["ads"])["cpm"], "cpm", CAMPAIGN,
                                            evaluate=days, exclude=camp_events)]
    aff = f["affiliate"]
    on_event = pd.Series([d in events[s] for s, d in zip(aff["shop_id"], aff["day"],
                                                         strict=True)], index=aff.index)
    mondays = sorted({d - timedelta(d.weekday()) for d in days})
    weekly = creator_weekly_series(aff[~on_event])  # event days left out of the weekly sums
    creator_flags = detect_anomalies(weekly, "creator_units", CREATOR, evaluate=mondays)
    present = f["ads"][["advertiser_id", "day"]].drop_duplicates().rename(
        columns={"advertiser_id": "subject_id"}).assign(source="ads")
    coverage = coverage_table(present, f["days"], today=f["days"][-1] + timedelta(1))
    missing = {(r.subject_id, d) for r in coverage.itertuples() for d in r.missing_days}

    explained: set[int] = set()  # ids of flags a planted anomaly accounts for
    for p in ds.anomalies:
        score.planted += 1
        measurable = _measurable(p, f, weekly)
        score.measurable += measurable
        ok = False
        if p["kind"] == "cvr_collapse":
            hits = [a for a in store_flags if a.key == p["shop_id"] and a.direction == "down"
                    and a.period >= p["start"]]
            explained |= {id(a) for a in hits}
            ok = any(a.driver == "cvr" and a.period < p["start"] + timedelta(7) for a in hits)
        elif p["kind"] == "cpm_jump":
            hits = [a for a in camp_flags if a.key == p["campaign_id"] and a.period >= p["start"]]
            explained |= {id(a) for a in hits}
            ok = any(a.driver == "cpm" and a.period < p["start"] + timedelta(7) for a in hits)
        elif p["kind"] == "creator_spike":
            hits = [a for a in creator_flags if a.key == p["username"] and a.direction == "up"
                    and a.period == p["start"]]
            explained |= {id(a) for a in hits}
            ok = bool(hits)  # the creator's own series is flagged: the creator is the driver
        elif p["kind"] == "missing_day":
            ok = (p["advertiser_id"], p["date"]) in missing
        score.found += ok
        score.found_measurable += ok and measurable
        if not ok:
            why = "" if measurable else " (not measurable: too little volume/history)"
            score.misses.append(f"seed {seed}: {p['kind']} {p.get('shop_id')} "
                                f"{p.get('start', p.get('date'))}{why}")
    for kind, flags in (("store", store_flags), ("campaign", camp_flags),
                        ("creator", creator_flags)):
        false = sum(1 for a in flags if id(a) not in explained)
        score.false_flags += false
        score.false_by_kind[kind] = score.false_by_kind.get(kind, 0) + false
    evaluated = len(f["days"]) - STORE.min_history
    score.store_months += len(ds.shops) * evaluated / 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--first-seed", type=int, default=101,
                        help="first seed (settings were tuned on seeds 1-8; report on others)")
    parser.add_argument("--shops", type=int, default=6)
    parser.add_argument("--weeks", type=int, default=16)
    args = parser.parse_args()
    end = date(2026, 11, 23)
    for planted in (True, False):
        score, started = Score(), time.perf_counter()
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            cfg = GeneratorConfig(seed=seed, shops=args.shops, weeks=args.weeks, end=end,
                                  plant_anomalies=planted)
            run(generate(cfg), score, seed)
        label = "planted" if planted else "clean  "
        recall = score.found / score.planted if score.planted else float("nan")
        measurable = (score.found_measurable / score.measurable if score.measurable
                      else float("nan"))
        kinds = ", ".join(f"{k} {v}" for k, v in score.false_by_kind.items())
        print(f"{label}: recall {score.found}/{score.planted} = {recall:.0%} "
              f"(measurable: {score.found_measurable}/{score.measurable} = {measurable:.0%}); "
              f"false flags {score.false_flags} ({kinds}) over {score.store_months:.1f} "
              f"store-months = {score.false_flags / score.store_months:.2f} per store-month "
              f"({time.perf_counter() - started:.1f} s)")
        for miss in score.misses:
            print(f"  missed: {miss}")


if __name__ == "__main__":
    main()
