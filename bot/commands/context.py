"""A question as it arrives from any platform, and the shared things every answer needs.

``Request`` is platform-free (the adapters fill it in); ``BotContext`` is built once per process
by the entry point (settings -> engine, Redis, tenants file) and handed to ``dispatch``. Only the
first ``MAX_QUESTION_CHARS`` of a message are ever read (``Request.bounded``). The
effective tenants (file + warehouse) are re-read at most every ``TENANTS_REFRESH_S`` seconds, so a
newly connected shop shows up without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from redis import Redis
from sqlalchemy import Engine

from bot.commands.cache import TtlCache
from config.tenant_registry import TenantRegistry
from jobs.accounts.tenancy import effective_registry
from jobs.resources import QUEUE

Platform = Literal["slack", "telegram", "feishu", "terminal"]

#: Seconds the merged tenants (file + warehouse) are reused before being read again.
TENANTS_REFRESH_S = 60.0
#: Questions one user may ask per minute before the bot asks them to slow down.
DEFAULT_RATE_PER_MINUTE = 30
#: Characters of a question that are read; the rest is dropped before any work (and the answer
#: says so), so a pasted essay costs no more than a question.
MAX_QUESTION_CHARS = 500
#: RQ queue that slow answers (digest previews, charts) are enqueued on: the workers' one.
DEFAULT_QUEUE = QUEUE


@dataclass(frozen=True)
class Request:
    """One question: who asked, where, and (for thread replies) which message it answers."""

    platform: Platform
    channel_id: str  # Slack channel id, Telegram chat id (as text), Feishu oc_..., "terminal"
    user_id: str
    text: str
    is_direct: bool = False  # a DM / private chat with the bot
    thread_id: str | None = None  # Slack thread_ts or the Telegram message replied to
    tenant_id: str | None = None  # terminal only: the tenant the operator named
    lang_hint: str | None = None
    truncated: bool = False  # the text was cut to MAX_QUESTION_CHARS

    def bounded(self, limit: int = MAX_QUESTION_CHARS) -> Request:
        """This request with its text cut to ``limit`` characters (``truncated`` if cut)."""
        if len(self.text) <= limit:
            return self
        return replace(self, text=self.text[:limit], truncated=True)


@dataclass
class BotContext:
    """Everything handlers share; built once at the process entry point."""

    tenants_file: TenantRegistry
    engine: Engine
    redis: Redis | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE
    queue_name: str = DEFAULT_QUEUE
    answers: TtlCache = field(default_factory=TtlCache)  # computed KPIs, reused for a minute
    _cached: TenantRegistry | None = field(default=None, repr=False)
    _cached_at: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def tenants(self) -> TenantRegistry:
        """The tenants file merged with the shops registered in the warehouse (cached)."""
        with self._lock:
            stale = time.monotonic() - self._cached_at > TENANTS_REFRESH_S
            if self._cached is None or stale:
                self._cached = effective_registry(self.engine, self.tenants_file)
                self._cached_at = time.monotonic()
            return self._cached

    def now(self) -> datetime:
        """The current time (aware UTC); tests pass a fixed clock."""
        return self.clock()
