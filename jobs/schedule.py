"""Old RQ path of the digest tick,
kept for one release (``rq cron`` stores it); use ``jobs.tasks``."""

from jobs.tasks import dispatch_due  # noqa: F401
