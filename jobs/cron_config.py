"""``rq cron`` configuration: one UTC tick every five minutes runs the digest dispatcher.

Run exactly one cron process (Procfile ``cron``); the tick itself decides, per tenant and in the
tenant's own time zone, which digests are due and claims each window once, so an extra or a
missed tick never sends a digest twice or skips one.
"""

from rq import cron

from jobs.digest.schedule import dispatch_due
from jobs.digest.wiring import QUEUE

#: Tick cadence (UTC cron); digests go out at most this long after their local time.
TICK_CRON = "*/5 * * * *"

cron.register(dispatch_due, queue_name=QUEUE, cron=TICK_CRON, name="digest-dispatch")

# Alerts: the daily authorization health check and an hourly evaluation (jobs.alerts.runner).
from jobs.alerts.runner import (  # noqa: E402
    EVALUATE_CRON,
    HEALTH_CHECK_CRON,
    daily_health_check,
    evaluate_alerts,
)

cron.register(daily_health_check, queue_name=QUEUE, cron=HEALTH_CHECK_CRON,
              name="alerts-health-check")
cron.register(evaluate_alerts, queue_name=QUEUE, cron=EVALUATE_CRON, name="alerts-evaluate")
