"""The local calendar date of a stored UTC time, computed by the database.

Neither database may be trusted with a store's time zone (SQLite knows none, PostgreSQL has its
own copy of the rules), so Python finds the zone's UTC offsets over a window (``offset_runs``:
every ``BUCKET_SECONDS`` bucket converted as pandas converts times, runs of equal offsets kept)
and ``local_date`` shifts each time by the offset of its run before taking the date:
``date(t + offset)`` is the local date exactly, on SQLite (whose times are UTC text: the
fraction of a second is cut off first, as SQLite would round it to milliseconds; the text's own
date is moved a day only when its time of day is past the offset's hour) and PostgreSQL.
A window without a DST change is one run, one expression, and no join: the time index reads the
window's rows in order and each row's day is computed where it lies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Date, case, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from jobs.warehouse.touched import BUCKET_SECONDS

#: Seconds in a day: a UTC offset is less.
DAY_SECONDS = 86_400

Runs = list[tuple[datetime, int]]
"""``(from, offset seconds)``: the zone's UTC offset from each time on, in order."""


class _ShiftedDate(FunctionElement[Any]):
    """The date of a stored UTC time plus a whole number of seconds."""

    type = Date()
    name = "shifted_date"
    inherit_cache = True


@compiles(_ShiftedDate, "sqlite")
def _sqlite_shifted(element: _ShiftedDate, compiler: SQLCompiler, **kw: Any) -> str:
    """On SQLite the stored time's own date, or the day after (before) it when its time of day
    (whole seconds) is past the hour the offset carries into the next (previous) day: a text
    comparison per row, ``date()`` only for those (parsing each time with ``date()`` cost 0.9 us
    a row, a quarter of a rollup's reading of its orders)."""
    column, seconds = _parts(element, compiler, **kw)
    day = f"substr({column}, 1, 10)"
    if not seconds:
        return day
    if seconds > 0:
        boundary, moved, shift = DAY_SECONDS - seconds, ">=", "+1 day"
    else:
        boundary, moved, shift = -seconds, "<", "-1 day"
    clock = f"{boundary // 3600:02d}:{boundary // 60 % 60:02d}:{boundary % 60:02d}"
    return (f"CASE WHEN substr({column}, 12, 8) {moved} '{clock}' "
            f"THEN date({day}, '{shift}') ELSE {day} END")


@compiles(_ShiftedDate, "postgresql")
def _postgresql_shifted(element: _ShiftedDate, compiler: SQLCompiler, **kw: Any) -> str:
    column, seconds = _parts(element, compiler, **kw)
    return f"CAST(({column} + INTERVAL '{seconds} seconds') AT TIME ZONE 'UTC' AS DATE)"


def _parts(element: _ShiftedDate, compiler: SQLCompiler, **kw: Any) -> tuple[str, int]:
    column, seconds = element.clauses.clauses
    return compiler.process(column, **kw), int(seconds.name)


def offset_runs(tz: str, start: datetime, end: datetime) -> Runs:
    """The UTC offsets of zone ``tz`` over ``[start, end)`` (both on bucket bounds)."""
    edges = pd.date_range(start, end, freq=pd.Timedelta(seconds=BUCKET_SECONDS),
                          inclusive="left")
    local = edges.tz_convert(tz).tz_localize(None)
    offsets = np.asarray((local - edges.tz_localize(None)).total_seconds(), dtype=np.int64)
    cuts = [0, *(np.flatnonzero(np.diff(offsets)) + 1).tolist()]
    return [(edges[cut].to_pydatetime(), int(offsets[cut])) for cut in cuts]


def local_date(column: Any, runs: Runs) -> ColumnElement[Any]:
    """The local date of the stored UTC time ``column`` (a time inside the runs' window)."""
    shifted = [_ShiftedDate(column, literal_column(str(seconds))) for _, seconds in runs]
    if len(shifted) == 1:
        return shifted[0]
    whens = [(column < later, date)
             for date, (later, _) in zip(shifted[:-1], runs[1:], strict=True)]
    return case(*whens, else_=shifted[-1])
