"""``rq cron`` configuration: every schedule of TikPulse, each a named constant, all on ``QUEUE``.

Run exactly one cron process (Procfile ``cron``). The ticks are cheap: each task decides what is
due (per tenant, in the tenant's own time zone) and claims each window once, so an extra or a
missed tick never sends a digest twice or skips one.
"""

from rq import cron

from jobs import tasks
from jobs.resources import QUEUE

#: Digest dispatch (UTC cron); digests go out at most this long after their local time.
DIGEST_TICK_CRON = "*/5 * * * *"
#: Probe every authorization once a day (UTC).
HEALTH_CHECK_CRON = "0 1 * * *"
#: Evaluate alerts every hour, so notices held during a tenant's quiet hours go out soon after.
EVALUATE_CRON = "17 * * * *"

cron.register(tasks.dispatch_due, queue_name=QUEUE, cron=DIGEST_TICK_CRON, name="digest-dispatch")
cron.register(tasks.daily_health_check, queue_name=QUEUE, cron=HEALTH_CHECK_CRON,
              name="alerts-health-check")
cron.register(tasks.evaluate_alerts, queue_name=QUEUE, cron=EVALUATE_CRON, name="alerts-evaluate")
