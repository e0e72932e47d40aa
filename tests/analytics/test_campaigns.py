"""The one campaign verdict rule (cut / watch / keep / scale) and a campaign's week beside the
last (``analytics.campaigns``)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from analytics.campaigns import campaign_noise, campaign_verdict, campaign_weeks

W47 = [date(2026, 11, 16) + timedelta(days=i) for i in range(7)]


@pytest.mark.parametrize(("roas", "noise", "verdict"), [
    (1.0, 0.05, "cut"),  # 44% below break-even 1.8: outside any band
    (1.75, 0.05, "watch"),  # 2.8% below break-even: inside the 5% band, no cut
    (1.65, 0.05, "cut"),  # 8.3% below: outside a 5% band...
    (1.65, 0.15, "watch"),  # ...inside a campaign's own 15% band
    (2.5, 0.05, "watch"),  # above break-even, below the target 3.0
    (3.2, 0.05, "keep"),  # meets the target, not by the 20% headroom
    (3.6, 0.05, "scale"),  # target x 1.2
    (None, 0.05, None),
])
def test_verdict_against_break_even_target_and_noise(roas, noise, verdict) -> None:
    assert campaign_verdict(roas, 3.0, 1.8, noise=noise) == verdict


def test_verdict_without_a_target_keeps_what_pays_back() -> None:
    assert campaign_verdict(2.5, None, 1.8) == "keep"
    assert campaign_verdict(1.0, None, 1.8) == "cut"


def test_noise_band_follows_the_campaigns_weekly_moves() -> None:
    assert campaign_noise([2.0, 2.0, 2.0]) == pytest.approx(0.05)  # floor
    assert campaign_noise([2.0, 2.2, 2.0, 2.2]) == pytest.approx(0.1, abs=0.01)
    assert campaign_noise([1.0, 3.0, 1.0]) == pytest.approx(0.15)  # cap


def _ads(rows: list[tuple[str, str | None, date, float, float, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["campaign_id", "campaign_name", "day", "spend",
                                       "purchase_value", "impressions", "clicks", "purchases"])


def test_campaign_weeks_sum_the_week_and_compare_with_the_last() -> None:
    rows = [("c1", "Sale", d, 10.0, 30.0, 1000, 20, 2) for d in W47]
    rows += [("c1", "Sale", d - timedelta(7), 10.0, 20.0, 1000, 10, 1) for d in W47]
    rows += [("c2", None, W47[0], 5.0, 0.0, 500, 5, 0), ("c3", "Old", W47[0] - timedelta(7),
                                                        9.0, 9.0, 10, 1, 1)]
    table = campaign_weeks(_ads(rows), W47).set_index("campaign_id")
    assert list(table.index) == ["c1", "c2"]  # c3 spent nothing this week
    c1 = table.loc["c1"]
    assert (c1["spend"], c1["roas_platform"], c1["cpa"], c1["ctr"]) == (
        70.0, pytest.approx(3.0), pytest.approx(5.0), pytest.approx(0.02))
    assert (c1["spend_previous"], c1["roas_previous"]) == (70.0, pytest.approx(2.0))
    assert c1["weekly_roas"][-2:] == (pytest.approx(2.0), pytest.approx(3.0))
    c2 = table.loc["c2"]  # missing values are the frame's NaN: no name, no purchases, no past
    assert pd.isna(c2["campaign_name"]) and pd.isna(c2["cpa"]) and pd.isna(c2["roas_previous"])


def test_no_scale_while_the_store_got_worse() -> None:
    assert campaign_verdict(3.6, 3.0, 1.8, worse=("true_roas_down",)) == "keep"
    assert campaign_verdict(1.0, 3.0, 1.8, worse=("true_roas_down",)) == "cut"


def test_the_bot_and_the_report_share_the_one_rule() -> None:
    from bot.commands.handlers import campaigns as bot_campaigns
    from jobs.report import sections

    assert bot_campaigns.campaign_verdict is campaign_verdict is sections.campaign_verdict
