"""Where a planted anomaly is visible: each one goes where the data has the volume and history
to show it, so the manifest never lists a disturbance that cannot be seen.

The generator draws a preferred shop, creator, campaign or day from the seed as before; these
functions keep that choice when it is visible and otherwise take the nearest visible one (the
next shop, creator or campaign in order; the nearest allowed day). No random numbers are drawn
here, so the rest of the data set is the same as without the move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

#: cvr_collapse: the shop's median expected orders per day before the collapse.
COLLAPSE_MIN_DAILY_ORDERS = 40.0
#: creator_spike: weeks of sales history before the spike week (detectors need 4).
SPIKE_MIN_WEEK = 5
#: creator_spike: expected units a week before the spike (steady, not 0-1 a week).
SPIKE_MIN_WEEKLY_UNITS = 4.0
#: creator_spike: expected extra units in the spike week, in Poisson standard deviations.
SPIKE_MIN_LIFT_SD = 8.0
#: creator_spike: expected units in the spike week over an ordinary week (weekly sales vary
#: with demand well beyond Poisson noise, so a big creator's spike must be big in ratio too).
SPIKE_MIN_RATIO = 5.0
#: Share of attributed creator orders that keep their creator (weak content loses some).
CREATOR_KEEP = 0.6
#: missing_day: days of unbroken report before the hole, and the first day it may fall on (a
#: month of history, as the detectors and the daily alert run want before judging).
MISSING_HISTORY_DAYS = 14
MISSING_MIN_DAY = 29
#: cpm_jump: days before the jump the campaign must deliver on (most of) them.
CPM_HISTORY_DAYS = 21
CPM_MIN_HISTORY_DAYS = 18
#: cpm_jump: days from the jump on which the campaign must deliver every day.
CPM_AFTER_DAYS = 7
#: cpm_jump: expected purchases a day after the jump (a day without purchases has no ROAS to
#: split into CTR, CVR, AOV and CPM).
CPM_MIN_PURCHASES = 5.0


def cyclic(preferred: int, n: int) -> Iterator[int]:
    """0..n-1 starting at ``preferred`` and wrapping round."""
    return ((preferred + k) % n for k in range(n))


def by_distance(preferred: int, allowed: Iterable[int]) -> list[int]:
    """Allowed values, nearest to ``preferred`` first (earlier first on ties)."""
    return sorted(allowed, key=lambda v: (abs(v - preferred), v))


def collapse_shop(preferred: int, day: int, base: np.ndarray) -> int:
    """The shop for a conversion collapse on ``day``: the preferred one if it has the volume,
    else the next that has, else the busiest."""
    before = np.median(base[:, max(0, day - 28) : day], axis=1)
    for shop in cyclic(preferred, base.shape[0]):
        if before[shop] >= COLLAPSE_MIN_DAILY_ORDERS:
            return shop
    return int(np.argmax(before))


def spike_week(preferred: int, n_weeks: int) -> int:
    """The spike week: enough history before it and a whole week after it inside the data."""
    last = n_weeks - 2
    first = min(SPIKE_MIN_WEEK, last)
    return first + preferred % (last - first + 1)


def spike_creator(
    shop_weekly_orders: np.ndarray, weights: np.ndarray, fake: np.ndarray, factor: float,
    min_share: float, preferred_shop: int,
) -> tuple[int, int]:
    """(shop, creator position) of a spiking creator: in the preferred shop (else the next one
    that has one) the creator with steady sales whose spike stands out most against its
    ordinary weeks; with no such creator anywhere, the most visible one.

    ``shop_weekly_orders``: affiliate-eligible orders a week per shop; ``weights``, ``fake``:
    shops x creators sales weights and fake-engagement flags."""
    best, best_score = (preferred_shop, 0), -np.inf
    for shop in cyclic(preferred_shop, weights.shape[0]):
        w = weights[shop]
        units = shop_weekly_orders[shop] * CREATOR_KEEP * w / w.sum()
        spiked = np.maximum(w * factor, min_share * w.sum())
        spike_units = shop_weekly_orders[shop] * CREATOR_KEEP * spiked / (w.sum() - w + spiked)
        lift = (spike_units - units) / np.sqrt(np.maximum(units, 1.0))
        ratio = spike_units / np.maximum(units, 1e-9)
        ok = (units >= SPIKE_MIN_WEEKLY_UNITS) & (lift >= SPIKE_MIN_LIFT_SD) & ~fake[shop]
        ok &= ratio >= SPIKE_MIN_RATIO
        if ok.any():
            return shop, int(np.argmax(np.where(ok, ratio, -np.inf)))
        score = np.where(fake[shop], -np.inf, np.minimum.reduce([units, lift, ratio]))
        if score.max() > best_score:
            best, best_score = (shop, int(np.argmax(score))), float(score.max())
    return best


def campaign_days(camp_row: np.ndarray, day_idx: np.ndarray, n_camp: int, n_days: int,
                  weight: np.ndarray | None = None) -> np.ndarray:
    """Campaigns x days: sum of ``weight`` (or the row count) over the rows."""
    out = np.zeros(n_camp * n_days)
    np.add.at(out, camp_row * n_days + day_idx, 1.0 if weight is None else weight)
    return out.reshape(n_camp, n_days)


def cpm_jump_score(delivers: np.ndarray, purchases: np.ndarray, day: int) -> float:
    """How visible a campaign's CPM jump on ``day`` is: the fewest expected purchases a day in
    the week from ``day`` (every day must deliver), or -inf when the campaign did not deliver
    on most of the days before."""
    if day < CPM_HISTORY_DAYS:
        return -np.inf
    history = delivers[day - CPM_HISTORY_DAYS : day] > 0
    after = slice(day, min(day + CPM_AFTER_DAYS, delivers.size))
    if history.sum() < CPM_MIN_HISTORY_DAYS or not (delivers[after] > 0).all():
        return -np.inf
    return float(purchases[after].min())


def cpm_jump_place(delivers: np.ndarray, purchases: np.ndarray, preferred: tuple[int, int],
                   days: range) -> tuple[int, int]:
    """(campaign, day) of a visible CPM jump: campaigns from the preferred one on, days nearest
    the preferred day first; else the most visible pair.

    ``delivers``, ``purchases``: campaigns x days report rows and expected purchases after a
    jump."""
    best, best_score = preferred, -np.inf
    for camp in cyclic(preferred[0], delivers.shape[0]):
        for day in by_distance(preferred[1], days):
            score = cpm_jump_score(delivers[camp], purchases[camp], day)
            if score >= CPM_MIN_PURCHASES:
                return camp, day
            if score > best_score:
                best, best_score = (camp, day), score
    return best


def missing_day_place(delivers: np.ndarray, preferred: tuple[int, int],
                      days: range) -> tuple[int, int]:
    """(advertiser, day) for a missing report day: a hole in an otherwise unbroken report (the
    advertiser delivered on the day, on each of the ``MISSING_HISTORY_DAYS`` before it and on
    the day after), so that the gap is a real loss of rows and not a pause. Advertisers from the
    preferred one on, days nearest the preferred day first (from ``MISSING_MIN_DAY`` where the
    data is long enough); the preferred pair if none qualifies."""
    lo = max(days.start, min(MISSING_MIN_DAY, days.stop - 1), MISSING_HISTORY_DAYS)
    for adv in cyclic(preferred[0], delivers.shape[0]):
        for day in by_distance(preferred[1], range(lo, days.stop)):
            if (delivers[adv, day - MISSING_HISTORY_DAYS : day + 2] > 0).all():
                return adv, day
    return preferred
