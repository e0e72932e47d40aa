"""``Prepared`` runs a Core statement's text on the driver, compiled once per dialect and length
of its lists: on both backends a statement with lists, a name bound twice, a percent sign in a
literal and a date gives the rows SQLAlchemy gives for it (as the driver returns them: the same
text), run after run with other values."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, literal, or_, select

from jobs.warehouse.prepared import Prepared, _numbered
from jobs.warehouse.schema import fx_rates
from jobs.warehouse.upsert import upsert

STATEMENT = (
    select(fx_rates.c.base, fx_rates.c.rate, literal("100%").label("whole"),
           func.count().over().label("rows"))
    .where(fx_rates.c.base.in_(bindparam("bases", expanding=True)),
           fx_rates.c.day >= bindparam("first", type_=fx_rates.c.day.type),
           or_(fx_rates.c.quote == bindparam("quote"), fx_rates.c.base == bindparam("quote")),
           fx_rates.c.source.like("%feed%"))
    .order_by(fx_rates.c.base))


def test_a_prepared_statement_gives_sqlalchemys_rows_on_both_backends(engine):
    with engine.begin() as conn:
        upsert(conn, fx_rates, [
            {"day": date(2026, 11, d), "base": base, "quote": "USD", "rate": rate,
             "source": source}
            for d in (2, 3) for base, rate, source in (("GBP", "1.27", "ecb feed"),
                                                       ("THB", "0.028", "ecb feed"),
                                                       ("EUR", "1.08", "manual"))])
    prepared = Prepared(STATEMENT)
    with engine.connect() as conn:
        for params in ({"bases": ["GBP", "THB", "EUR"], "first": date(2026, 11, 3),
                        "quote": "USD"},
                       {"bases": ["THB"], "first": date(2026, 11, 1), "quote": "USD"},
                       {"bases": ["GBP", "EUR"], "first": date(2026, 11, 2), "quote": "GBP"}):
            expected = [tuple(map(str, row)) for row in conn.execute(STATEMENT, params)]
            got = [tuple(map(str, row)) for row in prepared.rows(conn, params)]
            assert got == expected, params  # as text: the driver's values, no type processing
            assert expected or params["quote"] == "GBP"


def test_pyformat_marks_become_numbered_ones_a_name_keeping_its_number():
    sql, names = _numbered("SELECT %(a)s, %(b)s WHERE x LIKE '%%y' AND z = %(a)s")
    assert (sql, names) == ("SELECT $1, $2 WHERE x LIKE '%y' AND z = $1", ["a", "b"])


#: Two lists, each in two places with other values between (its items copied a run at a time),
#: one of them of dates (on SQLite bound as ISO text).
LISTS = (
    select(fx_rates.c.base, fx_rates.c.day, fx_rates.c.rate)
    .where(fx_rates.c.base.in_(bindparam("bases", expanding=True)),
           fx_rates.c.day.in_(bindparam("days", expanding=True)),
           fx_rates.c.quote == bindparam("quote"),
           or_(fx_rates.c.base.in_(bindparam("bases", expanding=True)),
               fx_rates.c.day.in_(bindparam("days", expanding=True))))
    .order_by(fx_rates.c.base, fx_rates.c.day))


def test_lists_bound_in_several_places_give_sqlalchemys_rows(engine):
    with engine.begin() as conn:
        upsert(conn, fx_rates, [
            {"day": date(2026, 11, d), "base": base, "quote": "USD", "rate": f"1.{d}",
             "source": "feed"} for d in range(1, 8) for base in ("GBP", "THB", "EUR", "MYR")])
    prepared = Prepared(LISTS)
    with engine.connect() as conn:
        for params in ({"bases": ["GBP", "THB", "MYR"],
                        "days": [date(2026, 11, d) for d in (2, 3, 5, 7)], "quote": "USD"},
                       {"bases": ["EUR"], "days": [date(2026, 11, 1)], "quote": "USD"},
                       {"bases": ["THB", "GBP"], "days": [date(2026, 11, 6), date(2026, 11, 4),
                                                          date(2026, 11, 3)], "quote": "USD"}):
            expected = [tuple(map(str, row)) for row in conn.execute(LISTS, params)]
            got = [tuple(map(str, row)) for row in prepared.rows(conn, params)]
            assert got == expected, params
            assert len(expected) == len(params["bases"]) * len(params["days"])
