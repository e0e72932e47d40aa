"""The alert kinds TikPulse raises, and how loud each one is.

Each kind is a key in ``alert_states`` and a name a channel can subscribe to or mute. ``urgent``
kinds go out during a tenant's quiet hours; the others wait for the quiet hours to end. Auth kinds
mention the channel's admins, because only an admin of the shop can re-authorize it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

Category = Literal["auth", "data", "business"]
Severity = Literal["low", "medium", "high"]

#: Order of severities, lowest first (the tenants file's ``alert_min_severity`` uses these).
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
#: Least time between two notices about the same thing (a flapping check stays quiet).
DEFAULT_COOLDOWN = timedelta(hours=1)
#: How often a problem that stays broken is announced again.
DEFAULT_REPEAT_AFTER = timedelta(hours=24)
#: Business anomalies are daily facts: remind weekly, and a flag that comes back within a week
#: is the same anomaly still settling, not a new one.
BUSINESS_REPEAT_AFTER = timedelta(days=7)
BUSINESS_COOLDOWN = timedelta(days=7)
#: Warn this many days before a shop's refresh token expires.
DEFAULT_EXPIRY_WARNING_DAYS = 7
#: Subscription name that stands for every kind.
ALL_KINDS = "all"


@dataclass(frozen=True)
class AlertKind:
    """What one kind of alert is and how often it may speak."""

    name: str
    category: Category
    urgent: bool
    mention_admins: bool = False
    repeat_after: timedelta = DEFAULT_REPEAT_AFTER
    cooldown: timedelta = DEFAULT_COOLDOWN
    #: Say "fixed" when it ends (a business anomaly simply stops being flagged: no all-clear).
    announce_recovery: bool = True


def _catalogue(*kinds: AlertKind) -> dict[str, AlertKind]:
    return {k.name: k for k in kinds}


KINDS: dict[str, AlertKind] = _catalogue(
    # authorization: a broken one makes every later report wrong
    AlertKind("auth_broken", "auth", urgent=True, mention_admins=True),
    AlertKind("auth_expiring", "auth", urgent=False, mention_admins=True,
              repeat_after=timedelta(days=2)),
    AlertKind("ads_token_dead", "auth", urgent=True, mention_admins=True),
    # data plumbing
    AlertKind("source_late", "data", urgent=False),
    # a past empty day is a fact to know, not a state that gets fixed: no all-clear
    AlertKind("no_orders", "data", urgent=False, announce_recovery=False),
    AlertKind("ads_day_missing", "data", urgent=False, repeat_after=timedelta(days=3),
              announce_recovery=False),
    AlertKind("sync_failing", "data", urgent=False),
    AlertKind("reconciliation_gap", "data", urgent=False, repeat_after=timedelta(days=3)),
    # business anomalies, daily
    *(AlertKind(name, "business", urgent=False, repeat_after=BUSINESS_REPEAT_AFTER,
                cooldown=BUSINESS_COOLDOWN, announce_recovery=False)
      for name in ("roas_below_target", "spend_spike", "cvr_collapse", "gmv_drop", "cpm_jump")),
)


def alert_kind(name: str) -> AlertKind:
    """The kind called ``name``; an unknown name is an error that lists the known ones."""
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"unknown alert kind {name!r}; use one of: {known}, or {ALL_KINDS}") \
            from None


def at_least(severity: str, minimum: str) -> bool:
    """True when ``severity`` is ``minimum`` or above (``low`` < ``medium`` < ``high``)."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(minimum)
