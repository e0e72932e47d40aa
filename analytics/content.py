"""Content: top videos and LIVE sessions, and what the winners share compared with the rest.

Inputs: ``contents`` (content_id, content_type VIDEO|LIVE, creator_username, posted_at,
duration_s, hook_s, music, hashtags list) and ``content_daily`` (views, likes, comments, shares,
product_clicks, orders, currency, gmv) for the period's local days; reporting currency and
``FxRates``; ``shop_tz`` for the local posting hour.
Outputs: ``content_table`` (one row per content with period totals, engagement_rate,
gmv_per_1k_views, posting_hour, rank by GMV within its type), ``top_content`` (the first n of a
type) and ``winner_traits`` -> ``WinnerProfile``: medians of hook length, duration and posting
hour, share with music, and the hashtags most over-represented among the winners (top
``WINNER_SHARE`` by GMV, at least one) compared with the rest, and its ``lessons``
(``analytics.content_lessons``): only the traits that set the winners apart materially.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from analytics.content_lessons import Lesson, lessons, winner_count
from analytics.fx import FxRates, convert_totals
from analytics.money import ratio

__all__ = [
    "Lesson", "Trait", "WinnerProfile", "content_table", "top_content", "winner_traits",
]


#: The top fifth of contents by GMV are the "winners".
WINNER_SHARE = 0.2
#: Hashtags reported in a profile.
TOP_HASHTAGS = 3


@dataclass(frozen=True)
class Trait:
    """One trait: its value among winners and among the rest (None when not known)."""

    name: str  # hook_s | duration_s | posting_hour | music_share | "#tag"
    winners: float | None
    rest: float | None


@dataclass(frozen=True)
class WinnerProfile:
    """What the winning contents of one type share compared with the rest."""

    content_type: str
    winners: int
    rest: int
    traits: tuple[Trait, ...]
    lessons: tuple[Lesson, ...] = ()  # what the winners share, material differences only


def _local_hours(contents: pd.DataFrame, shop_tz: Mapping[str, str]) -> pd.Series:
    hours = pd.Series(float("nan"), index=contents.index)
    posted = pd.to_datetime(contents["posted_at"], utc=True)
    for shop, idx in contents.groupby("shop_id").groups.items():
        local = posted.loc[idx].dt.tz_convert(shop_tz[str(shop)])
        hours.loc[idx] = local.dt.hour.astype(float)
    return hours


def content_table(
    contents: pd.DataFrame, content_daily: pd.DataFrame, days: Iterable[date], currency: str,
    shop_tz: Mapping[str, str], fx: FxRates | None = None,
) -> pd.DataFrame:
    """Period totals per content, joined with its attributes, ranked by GMV within each type."""
    part = content_daily[content_daily["day"].isin(list(days))]
    key = ["shop_id", "content_id"]
    sums = part.groupby(key)[["views", "likes", "comments", "shares", "product_clicks",
                              "orders"]].sum(min_count=1).reset_index()
    sums = sums.merge(convert_totals(part, key, "gmv", currency, fx), on=key, how="left")
    table = contents.assign(posting_hour=_local_hours(contents, shop_tz)).merge(
        sums, on=key, how="inner")
    table["gmv"] = table["gmv"].map(lambda v: Decimal(0) if v is None or pd.isna(v) else v)
    table["engagement_rate"] = [
        ratio(_n(lk) + _n(c) + _n(s), None if pd.isna(v) else v) for lk, c, s, v in
        zip(table["likes"], table["comments"], table["shares"], table["views"], strict=True)]
    table["ctr"] = [ratio(None if pd.isna(c) else c, None if pd.isna(v) else v)
                    for c, v in zip(table["product_clicks"], table["views"], strict=True)]
    table["gmv_per_1k_views"] = [
        None if pd.isna(v) or v == 0 else float(g) * 1000 / float(v)
        for g, v in zip(table["gmv"], table["views"], strict=True)]
    table = table.sort_values(["content_type", "gmv", "content_id"],
                              ascending=[True, False, True])
    table["rank"] = table.groupby("content_type").cumcount() + 1
    return table.reset_index(drop=True)


def _n(value: object) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def top_content(table: pd.DataFrame, content_type: str, n: int = 5) -> pd.DataFrame:
    """The ``n`` contents of a type with the most GMV (ties by views)."""
    rows = table[table["content_type"] == content_type]
    return rows.sort_values(["gmv", "views"], ascending=False).head(n).reset_index(drop=True)


def _median(values: pd.Series) -> float | None:
    clean = pd.to_numeric(values, errors="coerce").dropna()
    return None if clean.empty else float(clean.median())


def _tag_share(rows: pd.DataFrame, tag: str) -> float | None:
    if rows.empty:
        return None
    return sum(tag in (tags or []) for tags in rows["hashtags"]) / len(rows)


def winner_traits(table: pd.DataFrame, content_type: str,
                  winner_share: float = WINNER_SHARE) -> WinnerProfile:
    """Compare the top ``winner_share`` of a type's contents by GMV with the rest."""
    rows = table[table["content_type"] == content_type].sort_values("gmv", ascending=False)
    n_win = winner_count(len(rows), winner_share)
    win, rest = rows.head(n_win), rows.iloc[n_win:]
    traits = [Trait(col, _median(win[col]), _median(rest[col]))
              for col in ("hook_s", "duration_s", "posting_hour")]
    has_music = rows["music"].notna() & (rows["music"].astype("str").str.len() > 0)
    traits.append(Trait("music_share", ratio(int(has_music[win.index].sum()), len(win)),
                        ratio(int(has_music[rest.index].sum()), len(rest))))
    counts: Counter[str] = Counter(t for tags in win["hashtags"] for t in (tags or []))
    lift = sorted(counts, key=lambda t: (-(_tag_share(win, t) or 0) + (_tag_share(rest, t) or 0),
                                         t))
    traits += [Trait(f"#{t.lstrip('#')}", _tag_share(win, t), _tag_share(rest, t))
               for t in lift[:TOP_HASHTAGS]]
    return WinnerProfile(content_type, len(win), len(rest), tuple(traits),
                         lessons(win, rest, content_type))
