"""A day without ad data where there always is some: an advertiser that reports every day, with
no report rows at all for one of the last complete days while the day after has rows again (a
hole in the report, not a pause: a paused account has no rows for days on end).

The platform answers "no data" for a day it failed to report; the digest would then understate
spend and attributed revenue for that store. Judged on ``ad_daily`` (campaign-level rollups) for
the advertiser's last ``CHECKED_DAYS`` complete days, against the ``BASELINE_DAYS`` before them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from analytics.weeks import local_midnight_utc
from jobs.alerts.findings import Finding, healthy
from jobs.alerts.subjects import Subject
from jobs.warehouse.schema import ad_daily, sync_cursors

#: Complete days judged; and the days before them that must all have data.
CHECKED_DAYS = 3
BASELINE_DAYS = 14
#: The ads report whose cursor says which days are complete.
ADS_SOURCE = "ads_campaign"


def check_ad_coverage(conn: Connection, tenant_id: str,
                      subjects: dict[str, Subject]) -> Iterator[Finding]:
    """An ``ads_day_missing`` finding per advertiser of the tenant with report rows."""
    ads = {k: s for k, s in subjects.items() if s.kind == "advertiser"}
    if not ads:
        return
    last_days = _last_complete_days(conn, list(ads))
    for advertiser_id, last in last_days.items():
        first = last - timedelta(days=BASELINE_DAYS + CHECKED_DAYS - 1)
        present = set(conn.execute(
            select(ad_daily.c.day).where(ad_daily.c.advertiser_id == advertiser_id,
                                         ad_daily.c.day >= first, ad_daily.c.day <= last)
            .distinct()).scalars())
        yield _finding(tenant_id, ads[advertiser_id], present, first, last)


def _finding(tenant_id: str, advertiser: Subject, present: set[date], first: date,
             last: date) -> Finding:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    baseline, checked = days[:BASELINE_DAYS], days[BASELINE_DAYS:]
    # a hole (data again the day after), not the start of a pause the seller chose
    missing = [d for d in checked if d not in present and d + timedelta(days=1) in present]
    facts = {"subject_id": advertiser.id, "subject_name": advertiser.name,
             "subject_kind": "advertiser", "through": last.isoformat()}
    if not missing or any(d not in present for d in baseline):
        return healthy(tenant_id, "ads_day_missing", advertiser.id, **facts)
    started = local_midnight_utc(advertiser.timezone, missing[0])
    return Finding(tenant_id, "ads_day_missing", advertiser.id, True, "ads_day_missing",
                   severity="medium", started_at=started,
                   facts={**facts, "empty_days": [d.isoformat() for d in missing]})


def _last_complete_days(conn: Connection, advertiser_ids: list[str]) -> dict[str, date]:
    """The ads cursor's last complete day per advertiser, else the last day with rows."""
    found = {r.subject_id: r.latest_complete_day for r in conn.execute(
        select(sync_cursors.c.subject_id, sync_cursors.c.latest_complete_day)
        .where(sync_cursors.c.source == ADS_SOURCE,
               sync_cursors.c.subject_id.in_(advertiser_ids))) if r.latest_complete_day}
    rest = [a for a in advertiser_ids if a not in found]
    if rest:
        found.update({r[0]: r[1] for r in conn.execute(
            select(ad_daily.c.advertiser_id, func.max(ad_daily.c.day))
            .where(ad_daily.c.advertiser_id.in_(rest)).group_by(ad_daily.c.advertiser_id))
            if r[1]})
    return found
