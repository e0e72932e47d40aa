"""FX rates into and out of the warehouse: CSV import, the demo rate set, loading for a report.

Rates are stored as ``1 base = rate quote`` per day (``fx_rates``). A CSV has the header
``day,base,quote,rate`` (ISO dates, ISO currency codes, decimal rates). The demo set covers the
sandbox currencies against USD with a small deterministic daily movement, so the demo and tests
exercise "the rate of the order's own day". Loading for a report derives cross rates through USD
(THB->GBP = THB->USD / GBP->USD) when the direct pair is not stored; a rate that cannot be found
raises ``analytics.fx.MissingFxRate`` naming the day and currency when it is used.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Connection, select

from analytics.fx import FxRates
from jobs.warehouse.schema import fx_rates
from jobs.warehouse.upsert import upsert

#: Currency every stored demo rate is quoted in, and the pivot for cross rates.
PIVOT = "USD"
#: Demo rates: USD per one unit of each sandbox currency (late-2026 ballpark, not market data).
DEMO_USD_PER_UNIT: dict[str, Decimal] = {
    "GBP": Decimal("1.27"), "THB": Decimal("0.0285"), "MYR": Decimal("0.222"),
    "VND": Decimal("0.0000395"), "IDR": Decimal("0.0000632"), "CNY": Decimal("0.139"),
}
DEMO_SOURCE = "demo"
CSV_HEADER = ("day", "base", "quote", "rate")


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


def _parse_row(row: dict[str, str], line: int, path: Path) -> dict[str, object]:
    where = f"{path}: line {line}"
    try:
        day = date.fromisoformat(row["day"].strip())
    except ValueError:
        raise FxFileError(f"{where}: day {row['day']!r} is not a date; write it as "
                          "YYYY-MM-DD") from None
    codes = {k: row[k].strip().upper() for k in ("base", "quote")}
    for key, code in codes.items():
        if len(code) != 3 or not code.isalpha():
            raise FxFileError(f"{where}: {key} {row[key]!r} is not a currency code; use three "
                              "letters such as USD or GBP")
    try:
        rate = Decimal(row["rate"].strip())
    except InvalidOperation:
        raise FxFileError(f"{where}: rate {row['rate']!r} is not a number; write it as a "
                          "decimal such as 1.2734") from None
    if not rate.is_finite() or rate <= 0:
        raise FxFileError(f"{where}: rate {row['rate']!r} must be a positive number")
    return {"day": day, **codes, "rate": rate, "source": f"csv:{path.name}"}


def import_fx_csv(conn: Connection, path: Path | str) -> int:
    """Upsert the rates of a ``day,base,quote,rate`` CSV; nothing is written if a line is bad."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(h.strip() for h in reader.fieldnames or ()) != CSV_HEADER:
            raise FxFileError(f"{path}: the first line must be the header "
                              f"{','.join(CSV_HEADER)} (found {reader.fieldnames})")
        rows = [_parse_row(row, i, path) for i, row in enumerate(reader, start=2)]
    return upsert(conn, fx_rates, rows)


def load_fx(conn: Connection, currencies: Iterable[str], quote: str, first: date,
            last: date) -> FxRates:
    """Rates from each of ``currencies`` into ``quote`` for the days in ``[first, last]``.

    Direct and inverse pairs are used as stored; missing pairs are derived through USD.
    """
    wanted = {c for c in currencies if c != quote}
    if not wanted:
        return FxRates({})
    codes = sorted(wanted | {quote, PIVOT})
    stmt = select(fx_rates.c.day, fx_rates.c.base, fx_rates.c.quote, fx_rates.c.rate).where(
        fx_rates.c.day >= first, fx_rates.c.day <= last,
        fx_rates.c.base.in_(codes), fx_rates.c.quote.in_(codes),
    )
    stored = {(r.day, r.base, r.quote): r.rate for r in conn.execute(stmt)}
    table = dict(stored)
    for day in {k[0] for k in stored}:
        for ccy in wanted:
            if (day, ccy, quote) in table or (day, quote, ccy) in table:
                continue
            cross = _cross(stored, day, ccy, quote)
            if cross is not None:
                table[(day, ccy, quote)] = cross
    return FxRates(table)


def _to_pivot(stored: dict[tuple[date, str, str], Decimal], day: date, ccy: str) -> (
    Decimal | None
):
    if ccy == PIVOT:
        return Decimal(1)
    if (day, ccy, PIVOT) in stored:
        return stored[(day, ccy, PIVOT)]
    inverse = stored.get((day, PIVOT, ccy))
    return Decimal(1) / inverse if inverse else None


def _cross(stored: dict[tuple[date, str, str], Decimal], day: date, ccy: str, quote: str) -> (
    Decimal | None
):
    """``ccy`` -> ``quote`` through USD on ``day``, or ``None`` if either leg is missing."""
    ccy_usd, quote_usd = _to_pivot(stored, day, ccy), _to_pivot(stored, day, quote)
    if ccy_usd is None or not quote_usd:
        return None
    return ccy_usd / quote_usd
