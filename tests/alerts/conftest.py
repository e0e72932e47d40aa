"""Alert test fixtures: a tenant bound to one Slack channel and one Telegram chat, the fake chat
servers, and warehouse rows for a tenant with one shop and one ads account."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.chat_bindings import Chats, SlackBinding, TelegramBinding
from config.schedules import DigestSchedule
from config.tenants import Tenant
from jobs.alerts.deliver import SlackSender, TelegramSender
from jobs.alerts.evaluate import AlertSetup
from jobs.warehouse.schema import advertisers, authorizations, shops, tenants
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

SLACK_CHANNEL = "C0ACMEOPS"
SLACK_ADMIN = "U0ACMEBOSS"
TELEGRAM_CHAT = -1001234567890
TELEGRAM_ADMIN = 123456789
SHOP_ID = "7495000000000000001"
ADVERTISER_ID = "7300000000000000001"


def make_tenant(language=("en",), quiet_hours=None, tenant_id="acme", **extra) -> Tenant:
    """The test tenant: Asia/Shanghai time, one Slack channel and one Telegram chat."""
    return Tenant(
        id=tenant_id, name="Acme Home", language=language, quiet_hours=quiet_hours,
        digest=DigestSchedule(timezone="Asia/Shanghai"),
        chats=Chats(slack=(SlackBinding(channel=SLACK_CHANNEL, admins=(SLACK_ADMIN,)),),
                    telegram=(TelegramBinding(chat=TELEGRAM_CHAT, admins=(TELEGRAM_ADMIN,)),)),
        **extra,
    )


@pytest.fixture(scope="session")
def _slack_server():
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="session")
def _telegram_server():
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def slack(_slack_server):
    """The fake Slack Web API, emptied for this test (servers stop slowly, so they are shared)."""
    _slack_server.messages.clear()
    _slack_server.reset_calls()
    return _slack_server


@pytest.fixture
def telegram(_telegram_server):
    """The fake Telegram Bot API, emptied for this test."""
    _telegram_server.messages.clear()
    _telegram_server.reset_calls()
    return _telegram_server


@pytest.fixture
def senders(slack, telegram):
    return {"slack": SlackSender(slack.token, slack.base_url),
            "telegram": TelegramSender(telegram.token, telegram.base_url)}


def alert_setup(engine, senders, **extra) -> AlertSetup:
    return AlertSetup(engine=engine, senders=senders, service_id="7001", **extra)


def seed_tenant(engine, *, status="healthy", refresh_expires_at=None, ads_status="healthy",
                at=datetime(2026, 11, 1, tzinfo=UTC)) -> tuple[int, int]:
    """Tenant ``acme`` with shop ``SHOP_ID`` (GB) and advertiser ``ADVERTISER_ID``; auth ids."""
    stamps = {"created_at": at, "updated_at": at}
    with engine.begin() as conn:
        conn.execute(tenants.insert().values(tenant_id="acme", name="Acme Home",
                                             reporting_currency="USD", language="en", **stamps))
        shop_auth = conn.execute(authorizations.insert().values(
            kind="shop", subject="open-1", tenant_id="acme", seller_name="Acme Ltd", region="GB",
            access_token_enc="x", refresh_token_enc="y", refresh_expires_at=refresh_expires_at,
            scopes=[], status=status, status_changed_at=at, version=1, **stamps,
        )).inserted_primary_key[0]
        ads_auth = conn.execute(authorizations.insert().values(
            kind="ads", subject="ads:" + ADVERTISER_ID, tenant_id="acme", access_token_enc="x",
            scopes=[], status=ads_status, status_changed_at=at, version=1, **stamps,
        )).inserted_primary_key[0]
        conn.execute(shops.insert().values(
            shop_id=SHOP_ID, tenant_id="acme", auth_id=shop_auth, name="Acme UK", region="GB",
            currency="GBP", timezone="Europe/London", source="api", **stamps))
        conn.execute(advertisers.insert().values(
            advertiser_id=ADVERTISER_ID, tenant_id="acme", shop_id=SHOP_ID, auth_id=ads_auth,
            name="Acme UK Ads", currency="GBP", timezone="Europe/London", **stamps))
    return int(shop_auth), int(ads_auth)


def set_status(engine, auth_id: int, status: str, at: datetime, reason: str | None = None):
    with engine.begin() as conn:
        conn.execute(authorizations.update().where(authorizations.c.auth_id == auth_id)
                     .values(status=status, status_reason=reason, status_changed_at=at,
                             updated_at=at))
