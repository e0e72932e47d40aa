"""Old RQ path of the digest jobs,
kept for one release (jobs in Redis store it); use ``jobs.tasks``."""

from jobs.tasks import prepare_digest, render_store_section, send_digest  # noqa: F401
