"""Planted anomalies sit where the data can show them, and the manifest says where they are:
checked on the generated rows themselves for several seeds."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sandbox import GeneratorConfig, generate
from sandbox.placement import by_distance, cyclic

SEEDS = (3, 5, 21, 101)


@pytest.fixture(scope="module", params=SEEDS)
def ds(request):
    return generate(GeneratorConfig(seed=request.param, shops=4, weeks=12, end=date(2026, 11, 23)))


def _planted(ds, kind: str) -> dict:
    return next(a for a in ds.anomalies if a["kind"] == kind)


def _row(frame: pd.DataFrame, column: str, value) -> int:
    return int(frame.index[frame[column] == value][0])


def test_cpm_jump_is_on_a_campaign_that_delivers_before_and_after(ds) -> None:
    jump = _planted(ds, "cpm_jump")
    camp = _row(ds.campaigns, "campaign_id", jump["campaign_id"])
    day = (jump["start"] - ds.start).days
    rows = ds.ad_rows[ds.ad_rows["campaign_row"] == camp]
    per_day = rows.groupby("day_idx")[["spend", "impressions", "conversion"]].sum()
    before = per_day.loc[(per_day.index >= day - 21) & (per_day.index < day)]
    after = per_day.loc[(per_day.index >= day) & (per_day.index < day + 7)]
    assert len(before) >= 18
    assert list(after.index) == list(range(day, min(day + 7, ds.config.days)))
    assert (after["conversion"] > 0).sum() >= len(after) - 1  # a ROAS to decompose
    cpm = per_day["spend"] / per_day["impressions"]
    jumped = float(cpm.loc[after.index].median() / cpm.loc[before.index].median())
    assert 1.8 < jumped < 3.6  # the manifest's factor (2.6) is what the rows show


def test_creator_spike_is_on_a_steady_seller_with_history(ds) -> None:
    spike = _planted(ds, "creator_spike")
    row = _row(ds.creators, "username", spike["username"])
    shop = _row(ds.shops, "shop_id", spike["shop_id"])
    orders = ds.orders[(ds.orders["creator_row"] == row) & (ds.orders["kind"] == 0)]
    week = (orders["create_time"].to_numpy() - int(ds.midnights[shop, 0])) // (7 * 86_400)
    units = np.bincount(week, minlength=ds.config.weeks)
    spike_week = (spike["start"] - ds.start).days // 7
    history = units[:spike_week]
    assert spike_week >= 5 and (history > 0).sum() >= 4
    assert np.median(history) >= 3  # steady, not 0-1 units a week
    assert units[spike_week] > 4 * np.median(np.delete(units, spike_week))
    assert not ds.creators["fake_engagement"][row]


def test_cvr_collapse_is_in_a_shop_with_volume(ds) -> None:
    collapse = _planted(ds, "cvr_collapse")
    shop = _row(ds.shops, "shop_id", collapse["shop_id"])
    day = (collapse["start"] - ds.start).days
    paid = ds.orders[(ds.orders["shop_idx"] == shop) & (ds.orders["paid_time"] >= 0)]
    days = (paid["paid_time"].to_numpy() - int(ds.midnights[shop, 0])) // 86_400
    daily = np.bincount(days[days >= 0], minlength=ds.config.days)
    assert np.median(daily[day - 28 : day]) >= 30
    assert np.median(daily[day : day + 7]) < 0.7 * np.median(daily[day - 28 : day])


def test_missing_day_is_a_hole_in_an_unbroken_report(ds) -> None:
    missing = _planted(ds, "missing_day")
    adv = _row(ds.advertisers, "advertiser_id", missing["advertiser_id"])
    day = (missing["date"] - ds.start).days
    present = set(ds.ad_rows.loc[ds.ad_rows["advertiser_row"] == adv, "day_idx"])
    assert day not in present and set(range(day - 14, day)) | {day + 1} <= present
    assert day >= 29  # a month of history before it


def test_placement_order_helpers() -> None:
    assert list(cyclic(2, 4)) == [2, 3, 0, 1]
    assert by_distance(5, range(3, 9)) == [5, 4, 6, 3, 7, 8]


def test_clean_data_sets_plant_nothing() -> None:
    clean = generate(GeneratorConfig(seed=3, shops=2, weeks=6, end=date(2026, 11, 23),
                                     plant_anomalies=False))
    assert clean.anomalies == []
