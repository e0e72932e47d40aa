"""FX rates into and out of the warehouse: CSV import, the demo rate set, loading for a report.

Rates are stored as ``1 base = rate quote`` per day (``fx_rates``). They arrive from a reference
feed (``tikpulse fx sync``, ``jobs.warehouse.fx_feed``: the ECB's, EUR base), from a CSV with the
header ``day,base,quote,rate`` (``tikpulse fx import FILE``: ISO dates, ISO currency codes,
decimal rates) or, in tests, as the demo set (the sandbox currencies against USD with a small
deterministic daily movement, so "the rate of the order's own day" is exercised). Loading for a
report carries the last published rate forward over days without one (weekends, holidays) and
derives cross rates through USD or EUR (THB->GBP = THB->EUR / GBP->EUR) when the direct pair is not
stored; a rate that cannot be found raises ``analytics.fx.MissingFxRate`` naming the day and
currency when it is used.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, case, func, select

from analytics.fx import FxRates
from jobs.warehouse.schema import fx_rates
from jobs.warehouse.upsert import upsert

#: Currency every stored demo rate is quoted in, and the first pivot for cross rates.
PIVOT = "USD"
#: Currencies cross rates are derived through, in order of preference: USD (the demo set and most
#: own CSVs), then EUR (the base of the ECB reference rates).
PIVOTS: tuple[str, ...] = (PIVOT, "EUR")
#: Longest a published rate is carried forward to later days without one. The ECB publishes on
#: TARGET business days only (the longest gap is four days, at Easter); a week leaves room for a
#: late sync, and an older rate is reported missing rather than used stale.
MAX_CARRY_FORWARD_DAYS = 7
#: Demo rates: USD per one unit of each sandbox currency (late-2026 ballpark, not market data).
DEMO_USD_PER_UNIT: dict[str, Decimal] = {
    "GBP": Decimal("1.27"), "THB": Decimal("0.0285"), "MYR": Decimal("0.222"),
    "VND": Decimal("0.0000395"), "IDR": Decimal("0.0000632"), "CNY": Decimal("0.139"),
}
DEMO_SOURCE = "demo"
CSV_HEADER = ("day", "base", "quote", "rate")

Pair = tuple[str, str]


class FxFileError(ValueError):
    """An FX rates CSV that cannot be imported; the message names the line and the fix."""


def demo_rate(currency: str, day: date) -> Decimal:
    """The demo USD rate of ``currency`` on ``day``: the base rate moved by -1.0%..+1.0%."""
    step = (day.toordinal() * 7 + sum(map(ord, currency))) % 11 - 5  # -5..5
    return (DEMO_USD_PER_UNIT[currency] * (Decimal(1000) + 2 * step) / 1000).normalize()


def demo_rates(first: date, last: date) -> list[dict[str, object]]:
    """Demo rate rows for every day in ``[first, last]`` and every sandbox currency."""
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    return [
        {"day": day, "base": ccy, "quote": PIVOT, "rate": demo_rate(ccy, day),
         "source": DEMO_SOURCE}
        for day in days for ccy in sorted(DEMO_USD_PER_UNIT)
    ]


def seed_demo_rates(conn: Connection, first: date, last: date) -> int:
    """Store the demo rates for ``[first, last]`` (idempotent); returns rows written."""
    return upsert(conn, fx_rates, demo_rates(first, last))


def _parse_row(row: Mapping[str, str | None], where: str, source: str) -> dict[str, object]:
    if any(row.get(key) is None for key in CSV_HEADER) or None in row:
        raise FxFileError(f"{where}: expected the 4 values {','.join(CSV_HEADER)}")
    text = {key: str(row[key]).strip() for key in CSV_HEADER}
    try:
        day = date.fromisoformat(text["day"])
    except ValueError:
        raise FxFileError(f"{where}: day {row['day']!r} is not a date; write it as "
                          "YYYY-MM-DD") from None
    codes = {k: text[k].upper() for k in ("base", "quote")}
    for key, code in codes.items():
        if len(code) != 3 or not code.isalpha():
            raise FxFileError(f"{where}: {key} {row[key]!r} is not a currency code; use three "
                              "letters such as USD or GBP")
    try:
        rate = Decimal(text["rate"])
    except InvalidOperation:
        raise FxFileError(f"{where}: rate {row['rate']!r} is not a number; write it as a "
                          "decimal such as 1.2734") from None
    if not rate.is_finite() or rate <= 0:
        raise FxFileError(f"{where}: rate {row['rate']!r} must be a positive number")
    return {"day": day, **codes, "rate": rate, "source": source}


def read_fx_csv(handle: TextIO, name: str, source: str) -> list[dict[str, object]]:
    """The rate rows of a ``day,base,quote,rate`` CSV; ``FxFileError`` names the first bad line."""
    reader = csv.DictReader(handle)
    if tuple(h.strip().lower() for h in reader.fieldnames or ()) != CSV_HEADER:
        raise FxFileError(f"{name}: the first line must be the header "
                          f"{','.join(CSV_HEADER)} (found {reader.fieldnames})")
    reader.fieldnames = list(CSV_HEADER)
    return [_parse_row(row, f"{name}: line {reader.line_num}", source) for row in reader]


def import_fx_csv(conn: Connection, path: Path | str) -> int:
    """Upsert the rates of a ``day,base,quote,rate`` CSV; nothing is written if a line is bad."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = read_fx_csv(handle, str(path), f"csv:{path.name}")
    except UnicodeDecodeError as exc:
        raise FxFileError(f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
                          ) from None
    return upsert(conn, fx_rates, rows)


@dataclass(frozen=True)
class StoredPair:
    """What the warehouse holds for one pair: its latest rate and how many days it covers."""

    base: str
    quote: str
    latest_day: date
    latest_rate: Decimal
    days: int
    source: str


def stored_pairs(conn: Connection, since: date | None = None, base: str | None = None) -> (
    list[StoredPair]
):
    """Each stored pair (of ``base`` if given): its latest rate and its days since ``since``."""
    counted = func.count() if since is None else func.sum(case((fx_rates.c.day >= since, 1),
                                                               else_=0))
    counts = conn.execute(
        select(fx_rates.c.base, fx_rates.c.quote, counted, func.max(fx_rates.c.day))
        .where(*([] if base is None else [fx_rates.c.base == base]))
        .group_by(fx_rates.c.base, fx_rates.c.quote).order_by(fx_rates.c.base, fx_rates.c.quote)
    ).all()
    pairs = []
    for pair_base, pair_quote, days, latest in counts:
        rate, source = conn.execute(
            select(fx_rates.c.rate, fx_rates.c.source).where(
                fx_rates.c.day == latest, fx_rates.c.base == pair_base,
                fx_rates.c.quote == pair_quote)
        ).one()
        pairs.append(StoredPair(pair_base, pair_quote, latest, rate, days, source))
    return pairs


def load_fx(conn: Connection, currencies: Iterable[str], quote: str, first: date,
            last: date) -> FxRates:
    """Rates from each of ``currencies`` into ``quote`` for every day in ``[first, last]``.

    A day without a published rate (a weekend or holiday: the ECB publishes business days only)
    takes the last rate published on or before it, at most ``MAX_CARRY_FORWARD_DAYS`` earlier:
    the standard practice for daily reference rates. Direct and inverse pairs are used as stored;
    otherwise the rate is derived through USD or EUR, whichever is most recent (a direct pair
    wins a tie).
    """
    wanted = {c for c in currencies if c != quote}
    if not wanted:
        return FxRates({})
    codes = sorted(wanted | {quote, *PIVOTS})
    stmt = select(fx_rates.c.day, fx_rates.c.base, fx_rates.c.quote, fx_rates.c.rate).where(
        fx_rates.c.day >= first - timedelta(MAX_CARRY_FORWARD_DAYS), fx_rates.c.day <= last,
        fx_rates.c.base.in_(codes), fx_rates.c.quote.in_(codes),
    ).order_by(fx_rates.c.day)
    published = list(conn.execute(stmt))
    latest: dict[Pair, tuple[date, Decimal]] = {}
    table: dict[tuple[date, str, str], Decimal] = {}
    at = 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(offset)
        while at < len(published) and published[at].day <= day:
            row = published[at]
            latest[(row.base, row.quote)] = (row.day, row.rate)
            at += 1
        legs = {pair: seen for pair, seen in latest.items()
                if (day - seen[0]).days <= MAX_CARRY_FORWARD_DAYS}
        for (base, pair_quote), (_, rate) in legs.items():
            table[(day, base, pair_quote)] = rate
        for ccy in wanted:
            best = _freshest(legs, ccy, quote)
            if best is not None:
                table[(day, ccy, quote)] = best
    return FxRates(table)


def _leg(legs: Mapping[Pair, tuple[date, Decimal]], ccy: str, quote: str) -> (
    tuple[date, Decimal] | None
):
    """``ccy`` -> ``quote`` as stored or inverted, with the day it was published."""
    if (ccy, quote) in legs:
        return legs[(ccy, quote)]
    seen, rate = legs.get((quote, ccy), (None, Decimal(0)))
    return None if seen is None or not rate else (seen, Decimal(1) / rate)


def _freshest(legs: Mapping[Pair, tuple[date, Decimal]], ccy: str, quote: str) -> (
    Decimal | None
):
    """The most recently published way from ``ccy`` to ``quote``: direct, or via a pivot."""
    found = []
    direct = _leg(legs, ccy, quote)
    if direct is not None:
        found.append((direct[0], len(PIVOTS), direct[1]))
    for rank, pivot in enumerate(PIVOTS):
        if pivot in (ccy, quote):
            continue
        there, back = _leg(legs, ccy, pivot), _leg(legs, quote, pivot)
        if there is not None and back is not None and back[1]:
            found.append((min(there[0], back[0]), len(PIVOTS) - 1 - rank, there[1] / back[1]))
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None
