"""Old RQ path of the sync jobs,
kept for one release (jobs in Redis store it); use ``jobs.tasks``."""

from jobs.tasks import refresh_tokens, sync_advertiser, sync_all, sync_shop  # noqa: F401
