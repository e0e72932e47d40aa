"""What every sync shares: the windows and look-backs, the run's summary and its logged outcome,
and the subjects to sync.

The shop sync (``jobs.ingestion.shop_sync``) and the advertiser sync (``jobs.ingestion.ads_sync``)
both take a ``jobs.resources.Connectors`` (built by ``jobs.wiring`` for the RQ tasks in
``jobs.tasks`` and the CLI; tests pass their own) and return a small ``SyncSummary``.

Windows and look-backs (named constants below): orders, returns and cancellations by
``update_time`` (so late changes are caught) with a short overlap; settlements by statement time;
affiliate orders by create time re-pulled 48 h back (their data lags); ads re-pull the last 3 days
(conversions mature). Every page is written in one transaction together with the cursor that points
past it, so a killed sync resumes from its last committed page: nothing is lost or duplicated.
Several subjects may sync at once in one process (``jobs.ingestion.fanout``): a run counts only
its own thread's retries, and on SQLite its page transactions take turns
(``jobs.warehouse.write_lock``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, select

from jobs.ingestion.runlog import Run, finish_run
from jobs.resources import Connectors
from jobs.sources.errors import AuthError, TikTokError
from jobs.warehouse.schema import advertisers, shops

#: History pulled on a shop's or advertiser's first sync without ``--since``.
DEFAULT_HISTORY = timedelta(days=90)
#: Overlap re-read before the cursor for update-time windows (late writes, clock skew).
UPDATE_LOOKBACK = timedelta(hours=1)
#: Affiliate orders arrive 24-48 h late: re-pull this far back.
AFFILIATE_LOOKBACK = timedelta(hours=48)
#: Settlement statements: re-pull one day.
STATEMENT_LOOKBACK = timedelta(days=1)
#: Ad conversions mature for days: re-pull the last 3 days.
ADS_LOOKBACK_DAYS = 3
#: Shop traffic days are revised for a few days too.
TRAFFIC_LOOKBACK_DAYS = 3
#: Days of shop traffic per request (the API allows up to a year).
TRAFFIC_CHUNK_DAYS = 30
#: Longest window queried at once, so progress and resume points come often.
CHUNK = timedelta(days=31)


@dataclass(frozen=True)
class SyncSummary:
    """What a run did (returned by the RQ jobs)."""

    run_id: int
    subject_id: str
    status: str
    rows: int
    pages: int
    retries: int
    error: str | None = None


def _logged(conns: Connectors, run: Run, body: Callable[[], SyncSummary],
            record_auth_failure: Callable[[AuthError], None]) -> SyncSummary:
    """Run ``body`` and log its outcome: auth failures recorded on the authorization, API
    failures as failed or partial (pages already committed stay), anything else re-raised.

    Retries are counted from this thread only: shops synced at once share ``conns``."""
    owner = threading.get_ident()

    def count_retry(*args: object) -> None:
        if threading.get_ident() == owner:
            run.count_retry(*args)

    conns.retry_hooks.append(count_retry)
    try:
        return body()
    except AuthError as error:
        record_auth_failure(error)
        return _finish(conns, run, "failed", f"auth: {error}")
    except TikTokError as error:
        return _finish(conns, run, "partial" if run.pages else "failed", str(error))
    except BaseException as error:
        finish_run(conns.engine, run, "failed", repr(error))
        raise
    finally:
        conns.retry_hooks.remove(count_retry)


def _finish(conns: Connectors, run: Run, status: str, error: str | None = None) -> SyncSummary:
    finish_run(conns.engine, run, status, error)
    return SyncSummary(run.run_id, str(run.subject_id), status, run.rows_read, run.pages,
                       run.retries, error)


def sync_targets(engine: Engine) -> tuple[list[str], list[str]]:
    """Every shop and advertiser with an authorization, for ``sync_all``."""
    with engine.connect() as conn:
        shop_ids = conn.execute(select(shops.c.shop_id).where(shops.c.auth_id.is_not(None))
                                .order_by(shops.c.shop_id)).scalars().all()
        adv_ids = conn.execute(select(advertisers.c.advertiser_id)
                               .where(advertisers.c.auth_id.is_not(None))
                               .order_by(advertisers.c.advertiser_id)).scalars().all()
    return list(shop_ids), list(adv_ids)
