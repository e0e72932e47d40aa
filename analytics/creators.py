"""Creators (affiliates): leaderboard by GMV and efficiency, new vs repeat, fake-engagement risk.

Inputs: ``affiliate_order_lines`` (GMV = price × quantity, price being the unit price; commission
= actual paid, else estimated), ``creators`` (follower_count), ``creator_snapshots`` (daily
follower counts), and content stats: ``content_daily`` rows with a ``creator_username`` column
(joined from ``contents``). Period = local days (``shop_tz`` turns create_time into a local day).
Output: ``creator_leaderboard`` DataFrame (one row per creator: gmv, orders, units, commission,
gmv_per_commission, refund_rate, views, engagement_rate, cvr, is_new, followers, nickname (from
the profile, else None), risk, risk_reasons, rank_gmv, rank_efficiency) and ``CreatorSplit``
(new vs repeat creators). ``creator_verdicts`` (from ``analytics.creator_verdicts``) adds
rebook / watch / stop with reason codes.

"New" = the creator's first affiliate line in the given history falls in the period, so pass
lines from the start of the history. Risk reasons (named thresholds below): engagement outside
the follower tier's band; average views far below followers; a sudden follower spike; a
likes-per-comment ratio typical of bought likes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from analytics.clean import affiliate_commission
from analytics.creator_verdicts import VERDICT_REASONS, creator_verdicts
from analytics.fx import FxRates, convert_totals
from analytics.money import ratio
from analytics.weeks import local_days

__all__ = [
    "VERDICT_REASONS", "CreatorSplit", "creator_leaderboard", "creator_verdicts", "new_vs_repeat",
    "risk_reasons",
]


#: (max followers, low, high) bands of engagement rate = (likes+comments+shares)/views.
ENGAGEMENT_BANDS: tuple[tuple[float, float, float], ...] = (
    (10_000, 0.02, 0.25), (100_000, 0.01, 0.18), (1_000_000, 0.005, 0.12),
    (float("inf"), 0.003, 0.08),
)
#: Average views per content below this share of followers is suspicious (followers >= 10k).
MIN_VIEWS_PER_FOLLOWER = 0.01
MIN_FOLLOWERS_FOR_VIEWS_RULE = 10_000
#: A day-over-day follower gain above this share and count is a spike.
FOLLOWER_SPIKE_SHARE = 0.20
FOLLOWER_SPIKE_MIN = 5_000
#: More likes per comment than this (with enough likes) looks like bought likes.
MAX_LIKES_PER_COMMENT = 200.0
MIN_LIKES_FOR_RATIO_RULE = 1_000


@dataclass(frozen=True)
class CreatorSplit:
    """New vs repeat creators in the period and their GMV (reporting currency)."""

    new_creators: int
    repeat_creators: int
    new_gmv: Decimal
    repeat_gmv: Decimal


def _band(followers: float) -> tuple[float, float]:
    for limit, low, high in ENGAGEMENT_BANDS:
        if followers < limit:
            return low, high
    return ENGAGEMENT_BANDS[-1][1], ENGAGEMENT_BANDS[-1][2]


def risk_reasons(followers: float | None, views: float | None, posts: int, likes: float,
                 comments: float, shares: float, max_daily_gain: float | None,
                 gain_base: float | None) -> tuple[str, ...]:
    """Why one creator's engagement looks bought; empty when nothing is suspicious."""
    reasons: list[str] = []
    rate = ratio(likes + comments + shares, views)
    if followers and rate is not None:
        low, high = _band(followers)
        if not low <= rate <= high:
            reasons.append(f"engagement {rate:.1%} outside {low:.1%}-{high:.1%} for "
                           f"{int(followers):,} followers")
    if followers and followers >= MIN_FOLLOWERS_FOR_VIEWS_RULE and posts and views is not None:
        per_post = views / posts
        if per_post < MIN_VIEWS_PER_FOLLOWER * followers:
            reasons.append(f"{per_post:,.0f} views per post for {int(followers):,} followers")
    if max_daily_gain and gain_base and max_daily_gain >= FOLLOWER_SPIKE_MIN and (
            max_daily_gain / gain_base > FOLLOWER_SPIKE_SHARE):
        reasons.append(f"follower spike +{int(max_daily_gain):,} in a day "
                       f"(+{max_daily_gain / gain_base:.0%})")
    if likes >= MIN_LIKES_FOR_RATIO_RULE and (comments == 0 or likes / comments
                                              > MAX_LIKES_PER_COMMENT):
        per = "no comments" if comments == 0 else f"{likes / comments:,.0f} likes per comment"
        reasons.append(f"{int(likes):,} likes with {per}")
    return tuple(reasons)


def _follower_spikes(snapshots: pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    """Per creator the largest day-over-day follower gain and the count it grew from."""
    if snapshots is None or snapshots.empty:
        return {}
    snaps = snapshots.sort_values(["creator_username", "day"])
    prev = snaps.groupby("creator_username")["follower_count"].shift()
    gains = snaps.assign(gain=snaps["follower_count"] - prev, base=prev).dropna(subset=["gain"])
    out: dict[str, tuple[float, float]] = {}
    for name, part in gains.groupby("creator_username"):
        top = part.loc[part["gain"].idxmax()]
        out[str(name)] = (float(top["gain"]), float(top["base"]))
    return out


def creator_leaderboard(
    affiliate_lines: pd.DataFrame, days: Iterable[date], shop_tz: Mapping[str, str],
    currency: str, fx: FxRates | None = None, *, creators: pd.DataFrame | None = None,
    snapshots: pd.DataFrame | None = None, content_daily: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Creators with sales in the period, ranked by GMV, with efficiency and risk columns."""
    days = list(days)
    lines = affiliate_lines.assign(
        day=local_days(affiliate_lines["create_time"], affiliate_lines["shop_id"], shop_tz),
        gmv=affiliate_lines["price"].astype("int64") * affiliate_lines["quantity"],
        commission=affiliate_commission(affiliate_lines),
        back=affiliate_lines["refunded_quantity"] + affiliate_lines["returned_quantity"])
    first_day = lines.groupby("creator_username")["day"].min()
    period = lines[lines["day"].isin(days)]
    key = ["creator_username"]
    board = period.groupby(key).agg(orders=("order_id", "nunique"), units=("quantity", "sum"),
                                    back=("back", "sum")).reset_index()
    board = board.merge(convert_totals(period, key, "gmv", currency, fx), on=key, how="left")
    board = board.merge(convert_totals(period, key, "commission", currency, fx), on=key,
                        how="left")
    board["gmv_per_commission"] = [ratio(g, c) for g, c in zip(board["gmv"], board["commission"],
                                                               strict=True)]
    board["refund_rate"] = [ratio(b, u) for b, u in zip(board["back"], board["units"],
                                                        strict=True)]
    board["is_new"] = pd.Series([first_day[n] in days for n in board["creator_username"]],
                                index=board.index, dtype=bool)
    board = _with_content(board, content_daily, days)
    board = _with_risk(board, creators, snapshots)
    board = board.sort_values(["gmv", "creator_username"], ascending=[False, True])
    board["rank_gmv"] = range(1, len(board) + 1)
    eff = board["gmv_per_commission"].astype(float)
    board["rank_efficiency"] = eff.rank(ascending=False, method="min", na_option="bottom").astype(
        int)
    return board.drop(columns=["back"]).reset_index(drop=True)


def _with_content(board: pd.DataFrame, content_daily: pd.DataFrame | None,
                  days: list[date]) -> pd.DataFrame:
    cols = ["views", "likes", "comments", "shares", "product_clicks", "content_orders", "posts"]
    if content_daily is None or content_daily.empty:
        stats = pd.DataFrame(columns=["creator_username", *cols])
    else:
        part = content_daily[content_daily["day"].isin(days)]
        stats = part.groupby("creator_username").agg(
            views=("views", "sum"), likes=("likes", "sum"), comments=("comments", "sum"),
            shares=("shares", "sum"), product_clicks=("product_clicks", "sum"),
            content_orders=("orders", "sum"), posts=("content_id", "nunique")).reset_index()
    board = board.merge(stats, on="creator_username", how="left")
    board["engagement_rate"] = [
        ratio(lk + c + s, v) if pd.notna(v) else None for lk, c, s, v in
        zip(board["likes"], board["comments"], board["shares"], board["views"], strict=True)]
    board["cvr"] = [ratio(o, pc) if pd.notna(pc) else None for o, pc in
                    zip(board["content_orders"], board["product_clicks"], strict=True)]
    return board


def _with_risk(board: pd.DataFrame, creators: pd.DataFrame | None,
               snapshots: pd.DataFrame | None) -> pd.DataFrame:
    followers: dict[str, float] = {}
    if creators is not None:
        followers = {str(n): float(f) for n, f in
                     zip(creators["creator_username"], creators["follower_count"], strict=True)
                     if pd.notna(f)}
    nicknames = _nicknames(creators)
    spikes = _follower_spikes(snapshots)
    reasons = []
    for row in board.itertuples(index=False):
        name = str(row.creator_username)
        gain, base = spikes.get(name, (None, None))
        views = None if pd.isna(row.views) else float(row.views)
        reasons.append(risk_reasons(
            followers.get(name), views, 0 if pd.isna(row.posts) else int(row.posts),
            _f(row.likes), _f(row.comments), _f(row.shares), gain, base))
    board["followers"] = [followers.get(str(n)) for n in board["creator_username"]]
    board["nickname"] = [nicknames.get(str(n)) for n in board["creator_username"]]
    board["risk_reasons"] = reasons
    board["risk"] = [bool(r) for r in reasons]
    return board


def _nicknames(creators: pd.DataFrame | None) -> dict[str, str]:
    """Display names from the marketplace profiles (``profile`` JSON), where they have one."""
    if creators is None or "profile" not in creators:
        return {}
    return {str(n): str(p["nickname"]).strip() for n, p in
            zip(creators["creator_username"], creators["profile"], strict=True)
            if isinstance(p, dict) and str(p.get("nickname") or "").strip()}


def _f(value: object) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def new_vs_repeat(board: pd.DataFrame) -> CreatorSplit:
    """Counts and GMV of new and repeat creators from a ``creator_leaderboard`` frame."""
    is_new = board["is_new"].astype(bool)
    new, repeat = board[is_new], board[~is_new]
    return CreatorSplit(len(new), len(repeat), sum(new["gmv"].dropna(), Decimal(0)),
                        sum(repeat["gmv"].dropna(), Decimal(0)))
