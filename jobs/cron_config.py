"""``rq cron`` configuration: every schedule of TikPulse, each a named constant, all on ``QUEUE``.

- every minute, ``dispatch_syncs``: the first sync of a new authorization, hourly incremental
  syncs and the nightly full sync in each shop's own night (``jobs.ingestion.due``);
- every minute, ``dispatch_due``: digests due in each tenant's time zone (``jobs.digest.schedule``);
- hourly at :41, ``refresh_tokens``: access tokens that expire within two days;
- daily at 01:00, ``daily_health_check``: probe every authorization, then evaluate alerts;
- hourly at :17, ``evaluate_alerts`` (alerts are also evaluated after every sync);
- daily at 15:30 and 17:30, ``refresh_fx``: the ECB's reference rates (published around 16:00
  CET on business days; the second run catches a late publication);
- every minute, ``sweep_tiktok_pushes``: TikTok push messages stored by the web process whose job
  was lost (each is normally acted on within a second of arriving).

Run exactly one cron process (Procfile ``cron``). The ticks are cheap: each task decides what is
due (per tenant, in the tenant's own time zone) and claims each window once, so an extra or a
missed tick never sends a digest twice or skips one.
"""

from rq import cron

from config.logs import install_redaction
from jobs import tasks
from jobs.resources import QUEUE

install_redaction()

#: The scheduler tick (UTC cron): each dispatcher reads what is due and claims it once.
TICK_CRON = "* * * * *"
#: Refresh access tokens that expire within two days (they live 7 days): hourly, so none lapses.
TOKEN_REFRESH_CRON = "41 * * * *"
#: Probe every authorization once a day (UTC).
HEALTH_CHECK_CRON = "0 1 * * *"
#: Fetch FX reference rates after the ECB publishes them (UTC), and once more later.
FX_CRON = "30 15,17 * * *"
#: Evaluate alerts every hour, so notices held during a tenant's quiet hours go out soon after.
EVALUATE_CRON = "17 * * * *"

cron.register(tasks.dispatch_syncs, queue_name=QUEUE, cron=TICK_CRON, name="sync-dispatch")
cron.register(tasks.dispatch_due, queue_name=QUEUE, cron=TICK_CRON, name="digest-dispatch")
cron.register(tasks.refresh_tokens, queue_name=QUEUE, cron=TOKEN_REFRESH_CRON,
              name="token-refresh")
cron.register(tasks.daily_health_check, queue_name=QUEUE, cron=HEALTH_CHECK_CRON,
              name="alerts-health-check")
cron.register(tasks.evaluate_alerts, queue_name=QUEUE, cron=EVALUATE_CRON, name="alerts-evaluate")
cron.register(tasks.refresh_fx, queue_name=QUEUE, cron=FX_CRON, name="fx-refresh")
cron.register(tasks.sweep_tiktok_pushes, queue_name=QUEUE, cron=TICK_CRON, name="push-sweep")
