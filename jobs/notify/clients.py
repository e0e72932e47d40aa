"""The one factory of chat clients: every Slack, Telegram and Feishu call of the digest, the
alerts and the bot goes through a client made here, so they share one timeout and one 429 policy.

``slack_client`` gives ``slack_sdk.WebClient`` with a timeout and bounded 429 retries that honour
``Retry-After``. Connection errors are deliberately not retried: a post whose answer was lost may
exist, so the digest looks it up before posting again. ``telegram_bot`` gives PTB's ``Bot`` for
one ``async with`` block (PTB clients live inside an event loop). ``feishu_api`` gives the
official ``lark-oapi`` client wrapped in ``FeishuApi`` (Feishu's rate limits, shared through
Redis, and its "slow down" codes waited out). WeCom robots are plain HTTP (``jobs.notify.wecom``).
"""

from __future__ import annotations

import lark_oapi as lark
import redis
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from telegram import Bot

from jobs.notify.feishu_api import FeishuApi, card_escape, card_markdown

__all__ = ["FEISHU_API_URL", "SLACK_API_URL", "TELEGRAM_API_URL", "FeishuApi", "card_escape",
           "card_markdown", "feishu_api", "slack_client", "telegram_bot"]

#: Seconds each chat API call may take (delivery-lessons.md: Slack API timeout 30 s).
CHAT_TIMEOUT_S = 30
#: 429s honoured per Slack call before giving up (the job retries later).
SLACK_RATE_LIMIT_RETRIES = 3
#: Where the real APIs live; tests and the demo pass their local servers instead.
SLACK_API_URL = "https://slack.com/api/"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
FEISHU_API_URL = "https://open.feishu.cn"


def slack_client(token: str, base_url: str = SLACK_API_URL) -> WebClient:
    """A Slack Web API client for ``token``: timeout and bounded 429 retries."""
    return WebClient(token=token, base_url=base_url, timeout=CHAT_TIMEOUT_S, retry_handlers=[
        RateLimitErrorRetryHandler(max_retry_count=SLACK_RATE_LIMIT_RETRIES)])


def telegram_bot(token: str, base_url: str = TELEGRAM_API_URL) -> Bot:
    """A Telegram Bot API client for ``token`` (use it as ``async with telegram_bot(...)``)."""
    return Bot(token, base_url=base_url.rstrip("/"))


def feishu_api(app_id: str, app_secret: str, base_url: str = FEISHU_API_URL,
               conn: redis.Redis | None = None) -> FeishuApi:
    """The Feishu (or, with ``https://open.larksuite.com``, Lark) app's calls: the ``lark-oapi``
    client with a timeout, paced under Feishu's limits through ``conn`` (none: not paced)."""
    client = (lark.Client.builder().app_id(app_id).app_secret(app_secret)
              .domain(base_url.rstrip("/")).timeout(CHAT_TIMEOUT_S)
              .log_level(lark.LogLevel.WARNING).build())
    return FeishuApi(client, app_id, conn)
