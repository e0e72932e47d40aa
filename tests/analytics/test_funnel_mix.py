from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from analytics_frames import fx, m, traffic

from analytics.funnel import compare_funnels
from analytics.fx import FxRates, MissingFxRate
from analytics.mix import channel_mix

NOW, BEFORE = date(2026, 11, 16), date(2026, 11, 9)


def _funnel_frames():
    t = traffic(
        {"day": NOW, "channel": "VIDEO", "impressions": 1000, "page_views": 200,
         "add_to_cart": 50, "orders": 10},
        {"day": BEFORE, "channel": "VIDEO", "impressions": 1000, "page_views": 200,
         "add_to_cart": 100, "orders": 20},
        {"day": NOW, "channel": "SEARCH", "impressions": 60, "page_views": 50, "add_to_cart": 5,
         "orders": 0},
        {"day": BEFORE, "channel": "SEARCH", "impressions": 60, "page_views": 50,
         "add_to_cart": 50, "orders": 25},
    )
    content = pd.DataFrame({"shop_id": ["s1"] * 3, "day": [NOW, BEFORE, NOW],
                            "content_type": ["VIDEO", "VIDEO", "LIVE"], "views": [400, 500, 9]})
    return t, content


def test_funnel_steps_and_biggest_drop():
    t, content = _funnel_frames()
    result = compare_funnels(t, [NOW], [BEFORE], content=content)
    video = result.table[result.table["channel"] == "VIDEO"].set_index("stage")
    assert list(video.index) == ["impressions", "views", "page_views", "add_to_cart", "orders"]
    assert video.loc["views", "current_rate"] == pytest.approx(0.4)
    assert video.loc["views", "change_pp"] == pytest.approx(-10)
    assert video.loc["page_views", "change_pp"] == pytest.approx(10)
    assert video.loc["orders", "change_pp"] == pytest.approx(0)
    drop = result.biggest_drop
    assert drop is not None
    assert (drop.channel, drop.from_stage, drop.to_stage) == ("VIDEO", "page_views", "add_to_cart")
    assert (drop.previous_rate, drop.current_rate) == (0.5, 0.25)
    assert drop.change_pp == pytest.approx(-25)
    # SEARCH fell from 50% to 10% add-to-cart, but 50 page views are below the volume gate
    search = result.table[result.table["channel"] == "SEARCH"].set_index("stage")
    assert search.loc["add_to_cart", "change_pp"] == pytest.approx(-90)
    assert not search.loc["add_to_cart", "volume_ok"]
    assert "views" not in search.index  # no content views for SEARCH: step skips the stage
    assert search.loc["page_views", "from_stage"] == "impressions"


def test_funnel_with_zero_traffic_has_no_rates_and_no_drop():
    t = traffic({"day": NOW, "channel": "LIVE", "impressions": 0, "page_views": 0,
                 "add_to_cart": 0, "orders": 0})
    result = compare_funnels(t, [NOW], [BEFORE])
    assert result.table["current_rate"].isna().all()
    assert result.biggest_drop is None


def test_mix_shares_and_change():
    t = traffic(
        {"day": NOW, "visitors": 100, "page_views": 200, "gmv": m("100")},
        {"day": NOW, "channel": "LIVE", "visitors": 60, "page_views": 100, "gmv": m("70")},
        {"day": NOW, "channel": "PAID", "visitors": 40, "page_views": 100, "gmv": m("30")},
        {"day": BEFORE, "channel": "LIVE", "visitors": 20, "page_views": 50, "gmv": m("20")},
        {"day": BEFORE, "channel": "PAID", "visitors": 80, "page_views": 50, "gmv": m("60")},
    )
    mix = channel_mix(t, [NOW], [BEFORE], "GBP").set_index("channel")
    assert list(mix.index) == ["LIVE", "PAID"]
    assert mix.loc["LIVE", "gmv_share"] == pytest.approx(0.7)
    assert mix.loc["LIVE", "gmv_share_previous"] == pytest.approx(0.25)  # no ALL: sum of channels
    assert mix.loc["LIVE", "gmv_change_pp"] == pytest.approx(45)
    assert mix.loc["PAID", "visitors_change_pp"] == pytest.approx(-40)


def test_mix_converts_currencies_per_day_and_requires_rates():
    t = traffic({"day": NOW, "channel": "LIVE", "gmv": m("10"), "currency": "GBP"},
                {"shop_id": "s2", "day": NOW, "channel": "LIVE", "gmv": m("350"),
                 "currency": "THB"},
                {"shop_id": "s2", "day": NOW, "channel": "PAID", "gmv": m("700"),
                 "currency": "THB"})
    rates = FxRates.from_frame(fx((NOW, "GBP", "USD", "1.25"), (NOW, "USD", "THB", "35")))
    mix = channel_mix(t, [NOW], [BEFORE], "USD", rates).set_index("channel")
    # LIVE 12.50 + 10.00 USD, PAID 20.00 USD
    assert mix.loc["LIVE", "gmv_share"] == pytest.approx(22.5 / 42.5)
    assert pd.isna(mix.loc["LIVE", "gmv_share_previous"])
    with pytest.raises(MissingFxRate):
        channel_mix(t, [NOW], [BEFORE], "USD")
