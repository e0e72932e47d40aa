"""TikPulse runs itself: the Procfile's web, worker and cron processes (started by honcho, as an
operator would) against the TikTok simulator, the fake Slack and Telegram servers and the
PostgreSQL warehouse, with no manual command after ``honcho start``:

1. the seller authorizes the app (the OAuth callback on the web process); the shop is synced by
   the worker, not by hand;
2. the tenant's digest (cron ``* * * * *``: due at every tick) goes out once in each bound chat,
   with the simulator's ground-truth gross GMV for the last complete week, and never again while
   the cron keeps firing;
3. the seller deauthorizes the app: the simulator pushes SELLER_DEAUTHORIZATION to
   ``/tiktok/webhooks`` (and delivers it twice, as TikTok does when it missed our answer); exactly
   one alert reaches each chat;
4. the seller authorizes again: exactly one all-clear;
5. SIGTERM stops every process within seconds.

The timeline (seconds after ``honcho start``) is printed at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from sqlalchemy import select, text

from jobs.accounts.oauth import CALLBACK_PATH
from jobs.warehouse.schema import job_runs, metadata
from sandbox import GeneratorConfig, Sandbox
from tests.conftest import REDIS_DB, REDIS_HOST_URL
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
CHANNEL, CHAT = "C0SELLER1", -1005550001
TENANT = "seller-1"
SECRET_KEY = "e2e-secret-key-0123456789abcdef0"
ZONE = "Europe/London"
#: Seconds the whole story may take at most (the cron ticks once a minute).
STORY_TIMEOUT_S = 360


def last_complete_week(zone: str) -> date:
    """Monday of the week before the current one in ``zone`` (what a Monday digest covers)."""
    today = datetime.now(ZoneInfo(zone)).date()
    return today - timedelta(days=today.weekday() + 7)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float, proc: subprocess.Popen,
             log: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen; processes said:\n{log.read_text()[-6000:]}")


@pytest.mark.slow
def test_the_procfile_processes_sync_send_and_alert_by_themselves(_migrated_pg, tmp_path):
    engine = _migrated_pg
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    week = last_complete_week(ZONE)
    config = GeneratorConfig(seed=11, shops=1, weeks=2, daily_orders=40, creators_per_shop=4,
                             end=week + timedelta(days=7))
    with Sandbox.start(config=config, port=0) as sb, FakeSlack() as slack, \
            FakeTelegram() as tg:
        shop_id = sb.credentials.sellers[0].shop_ids[0]
        truth = sb.truth[(shop_id, week)]
        tenants = {"tenants": [{
            "id": TENANT, "name": "Seller One", "reporting_currency": truth.currency,
            "language": "en", "digest": {"cron": "* * * * *", "timezone": ZONE, "hold_hours": 1},
            "stores": [{"shop_id": shop_id, "region": "GB"}],
            "chats": {"slack": [{"channel": CHANNEL}], "telegram": [{"chat": CHAT}]}}]}
        path = tmp_path / "tenants.yaml"
        path.write_text(yaml.safe_dump(tenants))
        port = free_port()
        creds = sb.credentials
        env = {**os.environ, "PORT": str(port),
               "DATABASE_URL": engine.url.render_as_string(hide_password=False),
               "REDIS_URL": f"{REDIS_HOST_URL}/{REDIS_DB}", "TIKPULSE_CONFIG": str(path),
               "TIKPULSE_SECRET_KEY": SECRET_KEY, "TIKTOK_APP_KEY": creds.app_key,
               "TIKTOK_APP_SECRET": creds.app_secret, "TIKTOK_SHOP_AUTH_URL": sb.shop_auth_url,
               "TIKTOK_SHOP_API_URL": sb.shop_api_url, "TIKTOK_SHOP_SERVICE_ID": "7001",
               "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
               "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.base_url,
               "PYTHONUNBUFFERED": "1"}
        for key in ("TIKTOK_ADS_APP_ID", "TIKTOK_ADS_SECRET", "SLACK_APP_TOKEN"):
            env.pop(key, None)
        import redis as redis_lib

        redis_lib.Redis.from_url(env["REDIS_URL"]).flushdb()
        web = f"http://127.0.0.1:{port}"
        log = tmp_path / "honcho.log"
        honcho = Path(sys.executable).with_name("honcho")
        start = time.monotonic()
        timeline: dict[str, float] = {}

        def mark(event: str) -> None:
            timeline[event] = round(time.monotonic() - start, 1)

        with log.open("w") as out:
            proc = subprocess.Popen([str(honcho), "start", "-f", "Procfile", "web", "worker",
                                     "cron"], cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for("web up", lambda: _ok(f"{web}/readyz"), 60, proc, log)
            mark("web ready")

            # 1. The seller authorizes the app; nobody runs a sync.
            answer = httpx.get(web + CALLBACK_PATH, timeout=30, params={
                "code": sb.new_auth_code(0, "shop"), "state": link_state(env)})
            assert answer.status_code == 200 and "1 shop(s) connected" in answer.text
            mark("authorized")
            wait_for("a finished shop sync", lambda: _synced(engine, shop_id), STORY_TIMEOUT_S,
                     proc, log)
            mark("shop synced")

            # 2. The digest arrives once in each bound chat with the ground-truth GMV.
            wait_for("the digest in Slack and Telegram",
                     lambda: _digests(slack) and _tg_texts(tg), STORY_TIMEOUT_S, proc, log)
            mark("digest delivered")
            [digest] = _digests(slack)
            gmv = f"£{truth.gross_gmv:,.0f}"
            fields = [f["text"] for b in digest.blocks if "fields" in b for f in b["fields"]]
            assert fields[0].startswith(f"*Gross GMV*\n{gmv}"), fields[0]
            assert any(gmv in t for t in _tg_texts(tg))

            # 3. The seller deauthorizes: TikTok pushes it (twice); one alert per chat.
            httpx.post(f"{sb.base_url}/sandbox/webhooks", json={
                "url": f"{web}/tiktok/webhooks", "retry_delays": [1, 2]}).raise_for_status()
            revoked = time.monotonic()
            httpx.post(f"{sb.base_url}/sandbox/revoke",
                       json={"seller": 0, "api": "shop", "duplicate": True}).raise_for_status()
            wait_for("the revocation alert", lambda: _titled(slack, tg, "🔴 Shop authorization "
                                                            "broken") == (1, 1), 60, proc, log)
            mark("revocation alert")
            alert_latency = time.monotonic() - revoked
            attempts = httpx.get(f"{sb.base_url}/sandbox/webhooks").json()["attempts"]
            assert [a["status"] for a in attempts] == [200, 200]  # the duplicate was answered

            # 4. The seller authorizes again: one all-clear.
            answer = httpx.get(web + CALLBACK_PATH, timeout=30, params={
                "code": sb.new_auth_code(0, "shop"), "state": link_state(env)})
            assert answer.status_code == 200
            wait_for("the all-clear", lambda: _titled(slack, tg, "✅ Fixed: Shop authorization "
                                                      "broken") == (1, 1), 120, proc, log)
            mark("recovery message")
            # The cron has fired again meanwhile: still one digest, still one alert.
            wait_for("another digest tick", lambda: time.monotonic() - start > timeline[
                "digest delivered"] + 61, 90, proc, log)
            assert len(_digests(slack)) == 1
            alerts_seen = [m.text.splitlines()[0] for m in slack.top_level(CHANNEL)
                           if m not in _digests(slack)]
            assert _titled(slack, tg, "🔴 Shop authorization broken") == (1, 1)
            mark("checked no repeats")
        finally:
            stopping = time.monotonic()
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
            stop_s = time.monotonic() - stopping
    assert proc.returncode is not None and stop_s < 15, f"processes took {stop_s:.1f}s to stop"
    print(f"\ntimeline (s after honcho start): {timeline}; revocation alert "
          f"{alert_latency:.1f}s after the revocation; all processes stopped {stop_s:.1f}s "
          f"after SIGTERM; alerts in Slack: {alerts_seen}")


def link_state(env: dict[str, str]) -> str:
    """The state of the link ``tikpulse auth link`` prints for the seller (single use)."""
    printed = subprocess.run([str(Path(sys.executable).with_name("tikpulse")), "auth", "link",
                              "--tenant", TENANT], cwd=ROOT, env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
    assert printed.startswith("https://services.tiktokshop.com/open/authorize?service_id=7001")
    return parse_qs(urlsplit(printed).query)["state"][0]


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _synced(engine, shop_id: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(job_runs.c.run_id).where(
            job_runs.c.kind == "sync_shop", job_runs.c.subject_id == shop_id,
            job_runs.c.status == "ok")).first() is not None


def _digests(slack) -> list:
    """The top-level digest posts in the Slack channel (alerts, which may come too, left out)."""
    return [m for m in slack.top_level(CHANNEL) if not (m.text or "").startswith(("🔴", "✅"))]


def _tg_texts(tg) -> list[str]:
    """The digest's text messages in the Telegram chat (alerts left out)."""
    return [m.text for m in tg.chat(CHAT)
            if m.kind == "text" and not (m.text or "").startswith(("🔴", "✅"))]


def _titled(slack, tg, prefix: str) -> tuple[int, int]:
    """How many alert messages start with ``prefix`` in Slack and Telegram (alerts only)."""
    alert = ("🔴", "✅")
    return (sum(1 for m in slack.top_level(CHANNEL)
                if (m.text or "").startswith(alert) and m.text.startswith(prefix)),
            sum(1 for m in tg.chat(CHAT)
                if (m.text or "").startswith(alert) and m.text.startswith(prefix)))
