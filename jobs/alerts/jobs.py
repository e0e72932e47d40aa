"""Old RQ path of the alert jobs and callbacks, kept for one release (jobs in Redis and ``rq cron``
store it); use ``jobs.tasks``."""

from jobs.tasks import (  # noqa: F401
    alert_on_final_failure,
    alerts_after_sync,
    daily_health_check,
    evaluate_alerts,
)
