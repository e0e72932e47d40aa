"""``local_date``: the local calendar day of a stored UTC time at a run's offset, as the database
computes it, is Python's ``(t + offset).date()`` (the fraction of a second cut off first), for
offsets east and west of UTC, of whole hours and not, at each side of the second the offset
carries a time into the next or previous day; NULL stays NULL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Integer, MetaData, Table, select

from jobs.warehouse.local_dates import local_date
from jobs.warehouse.types import UTCDateTime

PROBE = Table("local_date_probe", MetaData(), Column("n", Integer, primary_key=True),
              Column("at", UTCDateTime), prefixes=["TEMPORARY"])
#: Offsets in seconds: none, Bangkok, New York, Los Angeles, India, Nepal, Marquesas, Kiribati,
#: Baker Island.
OFFSETS = (0, 7 * 3600, -5 * 3600, -8 * 3600, 19_800, 20_700, -34_200, 14 * 3600, -12 * 3600)
DAY = datetime(2026, 11, 30, tzinfo=UTC)  # the last day of a month: the next day is the 1st


def _times(offset: int) -> list[datetime]:
    """Times around the instant the offset moves the local day (and a few others)."""
    edge = DAY + timedelta(seconds=86_400 - offset if offset > 0 else -offset)
    return [edge + timedelta(microseconds=us) for us in (-1_000_001, -1, 0, 1, 500_000)] + [
        DAY, DAY + timedelta(hours=12), DAY + timedelta(seconds=86_399, microseconds=999_999)]


def test_local_dates_are_pythons_at_each_offset(engine):
    with engine.begin() as conn:
        PROBE.create(conn)
        for offset in OFFSETS:
            times = _times(offset)
            conn.execute(PROBE.delete())
            conn.execute(PROBE.insert(), [{"n": i, "at": t} for i, t in enumerate(times)]
                         + [{"n": len(times), "at": None}])
            day = local_date(PROBE.c.at, [(DAY - timedelta(days=2), offset)])
            found = [str(d) if d is not None else None
                     for d in conn.execute(select(day).order_by(PROBE.c.n)).scalars()]
            expected = [str((t.replace(microsecond=0) + timedelta(seconds=offset)).date())
                        for t in times] + [None]
            assert found == expected, offset
        PROBE.drop(conn)
