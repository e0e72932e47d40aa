"""What the winning videos and LIVE sessions share, as lessons a content lead can brief from.

Input: the winners and the rest of one content type (rows of ``analytics.content.content_table``:
hook_s, duration_s, posting_hour, music, hashtags, gmv, views, product_clicks). Output:
``Lesson`` records, only for traits whose difference is material: a share of winners at least
``MIN_SHARE_GAP`` above (or below) the rest's, with at least ``MIN_HITS`` winners showing it, or
a rate at least ``MIN_MULTIPLE`` times the rest's. Kinds:

- ``hook``: winners open with the hook within ``threshold`` seconds (videos);
- ``shorter`` / ``longer``: winners run at most / at least ``threshold`` seconds;
  (thresholds: what three in four winners meet, rounded);
- ``per_hour_long`` / ``per_hour_short``: LIVEs of at least / under ``threshold`` seconds sold
  ``multiple`` times the GMV per hour of the others;
- ``posted``: winners went out between ``threshold`` and ``until`` o'clock (local);
- ``music`` / ``no_music``; ``hashtag`` (``tag``); ``clicks``: ``multiple`` times the product
  clicks per view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analytics.money import ratio

__all__ = ["Lesson", "lessons", "winner_count"]

#: A share trait is a lesson when the winners' share is this far (absolute) from the rest's.
MIN_SHARE_GAP = 0.3
#: ... and at least this many winners show it.
MIN_HITS = 2
#: A rate trait (clicks per view, GMV per LIVE hour) is a lesson at this multiple or more.
MIN_MULTIPLE = 1.5
#: The winners are at least this many contents (when there are four times as many).
TOP_WINNERS = 5
#: Video lengths are rounded to this many seconds, LIVE lengths to this many.
VIDEO_STEP_S, LIVE_STEP_S = 5, 1800
#: Hours either side of the winners' median posting hour.
POSTING_WINDOW_H = 2


@dataclass(frozen=True)
class Lesson:
    """One trait that sets the winners apart, with its evidence."""

    kind: str  # hook | shorter | longer | per_hour_long | per_hour_short | posted | music |
    #            no_music | hashtag | clicks
    winners: int  # how many winners were compared
    hits: int = 0  # winners showing the trait
    rest_share: float | None = None  # share of the rest showing it
    threshold: float | None = None  # seconds, or the first posting hour
    until: float | None = None  # the posting window's end hour
    multiple: float | None = None
    tag: str | None = None


def winner_count(n: int, share: float) -> int:
    """How many of ``n`` contents are winners: the top ``share``, at least one, and up to
    ``TOP_WINNERS`` when there are enough contents to compare with."""
    return 0 if n == 0 else max(1, int(n * share), min(TOP_WINNERS, n // 4))


def _num(rows: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(rows[col], errors="coerce") if col in rows else pd.Series(dtype=float)


def _share_lesson(kind: str, win: pd.Series, rest: pd.Series, **extra: object) -> Lesson | None:
    """A lesson when the winners show a yes/no trait materially more than the rest."""
    if win.empty or rest.empty:
        return None
    hits, rest_share = int(win.sum()), float(rest.mean())
    if hits >= MIN_HITS and hits / len(win) - rest_share >= MIN_SHARE_GAP:
        return Lesson(kind, len(win), hits, rest_share, **extra)  # type: ignore[arg-type]
    return None


def _length(win: pd.DataFrame, rest: pd.DataFrame) -> Lesson | None:
    w, r = _num(win, "duration_s").dropna(), _num(rest, "duration_s").dropna()
    if w.empty or r.empty or w.median() == r.median():
        return None
    if w.median() < r.median():  # the length three in four winners stay within
        t = math.ceil(w.quantile(0.75) / VIDEO_STEP_S) * VIDEO_STEP_S
        return _share_lesson("shorter", w <= t, r <= t, threshold=float(t))
    t = max(VIDEO_STEP_S, math.floor(w.quantile(0.25) / VIDEO_STEP_S) * VIDEO_STEP_S)
    return _share_lesson("longer", w >= t, r >= t, threshold=float(t))


def _per_hour(rows: pd.DataFrame, n_win: int) -> Lesson | None:
    """LIVEs of at least the rounded median length against the shorter ones, GMV per hour."""
    length = _num(rows, "duration_s")
    known = rows[length > 0]
    if len(known) < 2 * MIN_HITS:
        return None
    secs = _num(known, "duration_s")
    t = max(LIVE_STEP_S, round(secs.median() / LIVE_STEP_S) * LIVE_STEP_S)
    long, short = known[secs >= t], known[secs < t]
    if len(long) < MIN_HITS or len(short) < MIN_HITS:
        return None
    rates = [ratio(sum(float(g) for g in part["gmv"]), float(_num(part, "duration_s").sum())
                   / 3600) for part in (long, short)]
    if not rates[0] or not rates[1]:
        return None
    multiple = rates[0] / rates[1]
    if multiple >= MIN_MULTIPLE:
        return Lesson("per_hour_long", n_win, threshold=float(t), multiple=multiple)
    if 1 / multiple >= MIN_MULTIPLE:
        return Lesson("per_hour_short", n_win, threshold=float(t), multiple=1 / multiple)
    return None


def _posted(win: pd.DataFrame, rest: pd.DataFrame) -> Lesson | None:
    hours = _num(win, "posting_hour").dropna()
    if hours.empty:
        return None
    lo = max(0, int(hours.median()) - POSTING_WINDOW_H)
    hi = min(24, lo + 2 * POSTING_WINDOW_H)
    others = _num(rest, "posting_hour").dropna()
    return _share_lesson("posted", (hours >= lo) & (hours < hi), (others >= lo) & (others < hi),
                         threshold=float(lo), until=float(hi))


def _clicks(win: pd.DataFrame, rest: pd.DataFrame) -> Lesson | None:
    rates = [ratio(_num(p, "product_clicks").sum(), _num(p, "views").sum()) for p in (win, rest)]
    if not rates[0] or not rates[1] or rates[0] / rates[1] < MIN_MULTIPLE:
        return None
    return Lesson("clicks", len(win), multiple=rates[0] / rates[1])


def _music(win: pd.DataFrame, rest: pd.DataFrame) -> Lesson | None:
    def has(rows: pd.DataFrame) -> pd.Series:
        return rows["music"].notna() & (rows["music"].astype("str").str.len() > 0)
    return _share_lesson("music", has(win), has(rest)) or _share_lesson(
        "no_music", ~has(win), ~has(rest))


def _hashtags(win: pd.DataFrame, rest: pd.DataFrame) -> list[Lesson]:
    tags = sorted({t for tags in win["hashtags"] for t in (tags or [])})
    found = [_share_lesson("hashtag", win["hashtags"].map(lambda v, t=t: t in (v or [])),
                           rest["hashtags"].map(lambda v, t=t: t in (v or [])),
                           tag="#" + t.lstrip("#")) for t in tags]
    return sorted((x for x in found if x), key=lambda x: (-x.hits, x.rest_share or 0))[:1]


def lessons(win: pd.DataFrame, rest: pd.DataFrame, content_type: str) -> tuple[Lesson, ...]:
    """The material traits of ``win`` against ``rest`` (one content type), strongest kinds
    first: hook and length, GMV per LIVE hour, product clicks, posting time, music, hashtags."""
    if win.empty or rest.empty:
        return ()
    hook = None
    if content_type != "LIVE":
        w = _num(win, "hook_s").dropna()
        if not w.empty:
            t = float(math.ceil(w.quantile(0.75)))
            hook = _share_lesson("hook", w <= t, _num(rest, "hook_s").dropna() <= t, threshold=t)
    length = (_per_hour(pd.concat([win, rest]), len(win)) if content_type == "LIVE"
              else _length(win, rest))
    found = [hook, length, _clicks(win, rest), _posted(win, rest), _music(win, rest),
             *_hashtags(win, rest)]
    return tuple(x for x in found if x is not None)
