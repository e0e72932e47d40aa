"""``tikpulse status`` lists each Feishu chat and WeCom robot of a tenant with the last digest
delivered to it (a robot by name: its key never shows), as JSON and as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import yaml
from click.testing import CliRunner

from jobs.cli import cli
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.schema import deliveries
from tests.fakes.wecom_api import TEST_KEY

SECRET_KEY = "wecom-test-secret-key-0123456789ab"
CHAT, ROBOT, QUIET = "oc_acmeops0001", "ops", "oc_acmeboss001"


def _tenants(tmp_path):
    chats = {"feishu": [{"chat": CHAT, "admins": ["ou_acmeboss0001"]}, {"chat": QUIET}],
             "wecom": [{"name": ROBOT, "key": "enc:" + TokenCipher(SECRET_KEY).encrypt(TEST_KEY)}]}
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": [{"id": "acme", "name": "Acme Home",
                                                 "reporting_currency": "USD", "chats": chats}]}))
    return path


def _seed(engine, now) -> None:
    rows = [("feishu", CHAT, "2026-W46", "sent", now - timedelta(days=7), None),
            ("feishu", CHAT, "2026-W47", "sent", now - timedelta(hours=3), None),
            ("wecom", ROBOT, "2026-W47", "failed", None, "WeCom send: errcode 93000")]
    with engine.begin() as conn:
        for kind, chat, window, status, sent_at, error in rows:
            conn.execute(deliveries.insert().values(
                tenant_id="acme", window=window, channel_kind=kind, channel_id=chat,
                status=status, sent_at=sent_at, claimed_at=now - timedelta(hours=4),
                error=error, attempts=1))


def test_status_shows_feishu_and_wecom_bindings_and_their_last_digest(engine, redis_url,
                                                                     tmp_path, monkeypatch):
    now = datetime.now(UTC)
    _seed(engine, now)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("TIKPULSE_CONFIG", str(_tenants(tmp_path)))
    monkeypatch.setenv("TIKPULSE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("COLUMNS", "200")
    shown = CliRunner().invoke(cli, ["status", "--json"])
    assert shown.exit_code == 0, shown.output
    [tenant] = json.loads(shown.output)["tenants"]
    assert tenant["chats"]["feishu"] == [CHAT, QUIET] and tenant["chats"]["wecom"] == [ROBOT]
    last = {(c["kind"], c["chat"]): c["last"] for c in tenant["chat_deliveries"]}
    assert last[("feishu", CHAT)]["window"] == "2026-W47"
    assert last[("feishu", CHAT)]["status"] == "sent"
    assert last[("wecom", ROBOT)]["status"] == "failed"
    assert last[("feishu", QUIET)] is None
    text = CliRunner().invoke(cli, ["status"], terminal_width=200).output
    assert f"chat feishu {CHAT}: last digest 2026-W47 sent, 3 h ago" in text
    assert f"chat wecom {ROBOT}: last digest 2026-W47 failed (WeCom send: errcode 93000)" in text
    assert f"chat feishu {QUIET}: no digest delivered yet" in text
    assert TEST_KEY not in shown.output + text
