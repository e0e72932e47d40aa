"""Per-channel subscriptions: everything by default, muted per kind or all, a kind's own setting
wins over ``all``; unknown kinds and chat systems are refused with the list of known ones."""

from __future__ import annotations

import pytest

from jobs.alerts.routing import destinations
from jobs.alerts.subscriptions import is_subscribed, known_kinds, subscribe, unsubscribe
from tests.alerts.conftest import SLACK_CHANNEL, TELEGRAM_CHAT, make_tenant


def test_defaults_mute_all_and_keep_one(engine):
    with engine.begin() as conn:
        assert is_subscribed(conn, "slack", SLACK_CHANNEL, "source_late")
        unsubscribe(conn, "slack", SLACK_CHANNEL, "all")
        subscribe(conn, "slack", SLACK_CHANNEL, "auth_broken")
        unsubscribe(conn, "slack", SLACK_CHANNEL, "all")  # idempotent
    with engine.connect() as conn:
        assert not is_subscribed(conn, "slack", SLACK_CHANNEL, "source_late")
        assert is_subscribed(conn, "slack", SLACK_CHANNEL, "auth_broken")
        assert is_subscribed(conn, "telegram", TELEGRAM_CHAT, "source_late")  # other channel
        kinds = {(d.channel_kind, d.channel_id)
                 for d in destinations(conn, make_tenant(), "source_late")}
    assert kinds == {("telegram", str(TELEGRAM_CHAT))}


def test_unknown_kind_or_chat_system_is_refused(engine):
    with engine.begin() as conn, pytest.raises(ValueError, match="auth_broken"):
        unsubscribe(conn, "slack", SLACK_CHANNEL, "revoked-ish")
    with engine.begin() as conn, pytest.raises(ValueError, match="slack or telegram"):
        subscribe(conn, "email", "x@example.com", "all")
    assert known_kinds()[0] == "all" and "ads_token_dead" in known_kinds()
