"""The composition root of workers and commands: settings in, connected parts out.

``task_settings`` reads the environment once per RQ job (tasks take ids and call the builders
below with it); the ``tikpulse`` CLI reads its own once and passes it here. Nothing
below this module reads the environment. Rate limits are per (app, API) and shared by every worker
through Redis.
"""

from __future__ import annotations

from functools import cache
from http.server import ThreadingHTTPServer

import httpx
import redis
from sqlalchemy import Engine

from config.settings import Settings
from config.tenants import Tenant, TenantRegistry, load_tenants
from jobs.accounts.oauth import connect_page, make_oauth_server
from jobs.accounts.tenancy import effective_registry
from jobs.alerts.deliver import Sender, SlackSender, TelegramSender
from jobs.alerts.evaluate import AlertSetup
from jobs.digest.deliver import Notifier
from jobs.digest.deps import DigestDeps
from jobs.notify.clients import slack_client
from jobs.notify.slack import SlackNotifier
from jobs.notify.telegram import TelegramNotifier
from jobs.resources import ADS_LIMIT, HTTP_TIMEOUT, SHOP_LIMIT, Connectors
from jobs.sources.ratelimit import RateLimit, RateLimiter
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.db import make_engine


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
    return found


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
    return found


def alert_setup(settings: Settings, engine: Engine) -> AlertSetup:
    """The alert evaluation setup of this process."""
    return AlertSetup(engine=engine, senders=alert_senders(settings),
                      service_id=settings.tiktok_shop_service_id)


def oauth_server(settings: Settings, host: str, port: int) -> ThreadingHTTPServer:
    """The OAuth callback server of ``tikpulse serve oauth``, exchanging codes with this app."""

    def connect(code: str, tenant: str) -> tuple[int, bytes]:
        return connect_page(connectors_from_settings(settings),
                            load_tenants(settings.tikpulse_config), code, tenant)

    return make_oauth_server(settings.secret("tikpulse_secret_key"), connect, host, port)
