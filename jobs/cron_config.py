"""``rq cron`` configuration: one UTC tick every five minutes runs the digest dispatcher.

Run exactly one cron process (Procfile ``cron``); the tick itself decides, per tenant and in the
tenant's own time zone, which digests are due and claims each window once, so an extra or a
missed tick never sends a digest twice or skips one.
"""

from rq import cron

from jobs.digest.wiring import QUEUE
from jobs.schedule import dispatch_due

#: Tick cadence (UTC cron); digests go out at most this long after their local time.
TICK_CRON = "*/5 * * * *"

cron.register(dispatch_due, queue_name=QUEUE, cron=TICK_CRON, name="digest-dispatch")
