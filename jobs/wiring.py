"""The composition root of workers and commands: settings in, connected parts out.

``task_settings`` reads the environment once per RQ job (tasks take ids and call the builders
below with it); the ``tikpulse`` CLI reads its own once and passes it here. Nothing
below this module reads the environment. Rate limits are per (app, API) and shared by every worker
through Redis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import httpx
import redis
from rq import Queue
from sqlalchemy import Engine
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from config.settings import Settings
from config.tenant_registry import TenantRegistry, load_tenants
from config.tenants import Tenant
from jobs.accounts.oauth import connect_page
from jobs.accounts.tenancy import effective_registry
from jobs.alerts.deliver import FeishuSender, Sender, SlackSender, TelegramSender, WeComSender
from jobs.alerts.evaluate import AlertSetup
from jobs.digest.deliver import Notifier
from jobs.digest.deps import DigestDeps
from jobs.notify.clients import FeishuApi, feishu_api, slack_client
from jobs.notify.feishu import FeishuNotifier
from jobs.notify.slack import SlackNotifier
from jobs.notify.telegram import TelegramNotifier
from jobs.notify.wecom import WeComNotifier, WeComRobot, key_lookup
from jobs.resources import (
    ADS_LIMIT,
    HTTP_TIMEOUT,
    QUEUE,
    SHOP_LIMIT,
    SYNC_TIMEOUT_S,
    Connectors,
)
from jobs.sources.ratelimit import RateLimit, RateLimiter
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.db import make_engine
from jobs.web.app import Lifespan, WebDeps, make_app


def task_settings() -> Settings:
    """The settings an RQ task runs with, read from the environment at the task's start.

    RQ forks a work horse per job, so this is read once per job: the one place a worker reads
    the environment.
    """
    return Settings()


@cache
def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL per process."""
    return make_engine(url)


def registry_of(settings: Settings, engine: Engine) -> TenantRegistry:
    """The effective tenants: the tenants file plus what the warehouse registered."""
    return effective_registry(engine, load_tenants(settings.tikpulse_config))


def tenants_of(settings: Settings, engine: Engine) -> tuple[Tenant, ...]:
    """Every effective tenant (``registry_of``)."""
    return registry_of(settings, engine).tenants


def connectors_from_settings(
    settings: Settings, *, shop_limit: RateLimit = SHOP_LIMIT, ads_limit: RateLimit = ADS_LIMIT,
    http: httpx.Client | None = None,
) -> Connectors:
    """Engine, Redis, token cipher and both API clients for the configured apps (when set)."""
    conn_redis = redis.Redis.from_url(settings.redis_url)
    conns = Connectors(engine=make_engine(settings.database_url), redis=conn_redis,
                       cipher=TokenCipher(settings.secret("tikpulse_secret_key")),
                       tenants=load_tenants(settings.tikpulse_config))
    http = http or httpx.Client(timeout=HTTP_TIMEOUT)
    if settings.tiktok_app_key and settings.tiktok_app_secret:
        conns.shop = TikTokShopClient(
            http, app_key=settings.tiktok_app_key, app_secret=settings.secret("tiktok_app_secret"),
            auth_url=settings.tiktok_shop_auth_url, api_url=settings.tiktok_shop_api_url,
            limiter=RateLimiter(conn_redis, settings.tiktok_app_key, "shop", shop_limit),
            retry=RetryPolicy(on_retry=conns.on_retry))
    if settings.tiktok_ads_app_id and settings.tiktok_ads_secret:
        conns.ads = TikTokAdsClient(
            http, app_id=settings.tiktok_ads_app_id, secret=settings.secret("tiktok_ads_secret"),
            api_url=settings.tiktok_ads_api_url,
            limiter=RateLimiter(conn_redis, settings.tiktok_ads_app_id, "ads", ads_limit),
            retry=RetryPolicy(on_retry=conns.on_retry))
    return conns


def digest_notifiers(settings: Settings) -> dict[str, Notifier]:
    """A digest notifier per chat system whose bot token is set."""
    found: dict[str, Notifier] = {}
    if settings.slack_bot_token:
        found["slack"] = SlackNotifier(slack_client(settings.secret("slack_bot_token"),
                                                    settings.slack_api_url))
    if settings.telegram_bot_token:
        found["telegram"] = TelegramNotifier(settings.secret("telegram_bot_token"),
                                             settings.telegram_api_url)
    feishu, wecom = feishu_of(settings), wecom_robots(settings)
    if feishu is not None:
        found["feishu"] = FeishuNotifier(feishu)
    if wecom is not None:
        found["wecom"] = WeComNotifier(wecom)
    return found


def feishu_of(settings: Settings) -> FeishuApi | None:
    """The Feishu/Lark app's calls, paced through Redis, when FEISHU_APP_ID/SECRET are set."""
    if not (settings.feishu_app_id and settings.feishu_app_secret):
        return None
    return feishu_api(settings.feishu_app_id, settings.secret("feishu_app_secret"),
                      settings.feishu_base_url, redis.Redis.from_url(settings.redis_url))


def wecom_robots(settings: Settings) -> WeComRobot | None:
    """The WeCom robots of the tenants file, when TIKPULSE_SECRET_KEY (which decrypts their
    keys) is set."""
    if not settings.tikpulse_secret_key:
        return None
    cipher = TokenCipher(settings.secret("tikpulse_secret_key"))
    return WeComRobot(httpx.Client(timeout=HTTP_TIMEOUT),
                      key_lookup(load_tenants(settings.tikpulse_config), cipher.decrypt),
                      redis.Redis.from_url(settings.redis_url), base_url=settings.wecom_api_url)


def digest_deps(settings: Settings) -> DigestDeps:
    """Engine, Redis, the effective tenants and notifiers for ``settings``."""
    engine = engine_for(settings.database_url)
    return DigestDeps(engine, redis.Redis.from_url(settings.redis_url),
                      registry_of(settings, engine), digest_notifiers(settings))


def alert_senders(settings: Settings) -> dict[str, Sender]:
    """An alert sender per chat system whose bot token is set."""
    found: dict[str, Sender] = {}
    if settings.slack_bot_token:
        found["slack"] = SlackSender(settings.secret("slack_bot_token"), settings.slack_api_url)
    if settings.telegram_bot_token:
        found["telegram"] = TelegramSender(settings.secret("telegram_bot_token"),
                                           settings.telegram_api_url)
    feishu, wecom = feishu_of(settings), wecom_robots(settings)
    if feishu is not None:
        found["feishu"] = FeishuSender(feishu)
    if wecom is not None:
        found["wecom"] = WeComSender(wecom)
    return found


def alert_setup(settings: Settings, engine: Engine) -> AlertSetup:
    """The alert evaluation setup of this process."""
    return AlertSetup(engine=engine, senders=alert_senders(settings),
                      service_id=settings.tiktok_shop_service_id)


def _connect(settings: Settings) -> Callable[[str, str], tuple[int, bytes]]:
    """The code exchange of the OAuth callback: connect the shops, then sync them and evaluate
    the tenant's alerts at once (a re-authorization clears its alert without waiting an hour)."""

    def after(tenant_id: str, shop_ids: tuple[str, ...]) -> None:
        queue = Queue(QUEUE, connection=redis.Redis.from_url(settings.redis_url))
        for shop_id in shop_ids:
            queue.enqueue("jobs.tasks.sync_shop", shop_id, job_timeout=SYNC_TIMEOUT_S)
        queue.enqueue("jobs.tasks.evaluate_alerts", tenant_id)

    def connect(code: str, tenant: str) -> tuple[int, bytes]:
        return connect_page(connectors_from_settings(settings),
                            load_tenants(settings.tikpulse_config), code, tenant, after)

    return connect


def web_app(settings: Settings, extra_routes: Sequence[BaseRoute] = (),
            lifespan: Lifespan | None = None) -> ASGIApp:
    """The web process's app (``tikpulse serve web``): health, readiness, the OAuth callback and
    TikTok push messages, plus the chat platforms' ``extra_routes``."""
    app = ((settings.tiktok_app_key, settings.secret("tiktok_app_secret"))
           if settings.tiktok_app_key and settings.tiktok_app_secret else None)
    deps = WebDeps(engine=engine_for(settings.database_url),
                   redis=redis.Redis.from_url(settings.redis_url), tiktok_app=app,
                   connect=_connect(settings) if app and settings.tikpulse_secret_key else None)
    return make_app(deps, extra_routes, lifespan)
