"""When a tenant's digests and reports go out: each report cadence and its cron, in local time."""

from __future__ import annotations

from typing import Literal

from croniter import croniter
from pydantic import Field, field_validator

from config.model_base import _check_zone, _Strict

Cadence = Literal["weekly", "biweekly", "monthly"]
#: When a report of each cadence goes out unless its entry names a cron: a week's and a
#: fortnight's on Monday 09:00 (a fortnight's only on the Monday after it ends), a month's on the
#: 1st at 09:00.
DEFAULT_REPORT_CRON: dict[str, str] = {"weekly": "0 9 * * MON", "biweekly": "0 9 * * MON",
                                       "monthly": "0 9 1 * *"}


def _check_cron(value: str) -> str:
    if not croniter.is_valid(value):
        raise ValueError(f"invalid cron expression {value!r} (five fields, e.g. \"0 9 * * MON\")")
    return value


class ReportSchedule(_Strict):
    """One report cadence of a tenant (周报 / 双周报 / 月报) and when it goes out."""

    cadence: Cadence = "weekly"
    cron: str | None = None  # default: ``DEFAULT_REPORT_CRON`` of the cadence

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else _check_cron(value)

    @property
    def when(self) -> str:
        """The cron expression in force."""
        return self.cron or DEFAULT_REPORT_CRON[self.cadence]


class DigestSchedule(_Strict):
    """When the digests go out, in the tenant's own time zone: ``reports`` lists the cadences
    (weekly, biweekly, monthly) each with its cron; without it, the weekly one on ``cron``."""

    cron: str = "0 9 * * MON"
    timezone: str = "Asia/Shanghai"
    #: Hours after the scheduled time a digest waits for late data before going out as partial.
    hold_hours: int = Field(default=6, ge=0, le=72)
    reports: tuple[ReportSchedule, ...] = ()

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    @field_validator("reports")
    @classmethod
    def _one_each(cls, value: tuple[ReportSchedule, ...]) -> tuple[ReportSchedule, ...]:
        cadences = [r.cadence for r in value]
        if len(set(cadences)) != len(cadences):
            raise ValueError("each cadence (weekly, biweekly, monthly) may be listed once")
        return value

    @property
    def schedules(self) -> tuple[ReportSchedule, ...]:
        """The reports in force: ``reports``, or the weekly one on ``cron`` as before."""
        return self.reports or (ReportSchedule(cadence="weekly", cron=self.cron),)
