"""The digest and alerts in WeCom through robot webhooks (the fake is strict like the real one):
markdown cut at section boundaries under 4,096 bytes, the summary chart and the PDF, exactly once,
20 messages a minute kept, and the robot key encrypted in the tenants file and never logged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner
from freezegun import freeze_time

from config.chat_bindings import Chats, WeComBinding
from config.tenant_registry import TenantRegistry, TenantsFileError, load_tenants
from jobs.alerts.deliver import WeComSender
from jobs.alerts.evaluate import evaluate_tenant
from jobs.digest.deliver import deliver
from jobs.digest.deliveries import DeliveryKey
from jobs.notify.errors import Refused
from jobs.notify.wecom import WeComNotifier, WeComRobot, key_lookup, markdown_parts
from jobs.sources.ratelimit import RateLimit
from jobs.warehouse.crypto import TokenCipher
from tests.alerts.conftest import alert_setup, make_tenant, seed_tenant, set_status
from tests.fakes.wecom_api import TEST_KEY, FakeWeCom
from tests.notify.packages import TITLE, edition, package

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "wecom-test-secret-key-0123456789ab"
ROBOT = "ops"
KEY = DeliveryKey("acme", "2026-W47", "wecom", ROBOT)
CIPHER = TokenCipher(SECRET_KEY)
ENCRYPTED = "enc:" + CIPHER.encrypt(TEST_KEY)


def binding(**extra: object) -> WeComBinding:
    return WeComBinding(name=ROBOT, key=ENCRYPTED, **extra)  # type: ignore[arg-type]


def robot(wecom: FakeWeCom, conn, **kw: object) -> WeComRobot:
    tenant = make_tenant().model_copy(update={"chats": Chats(wecom=(binding(),))})
    return WeComRobot(httpx.Client(), key_lookup(TenantRegistry(None, (tenant,)),
                                                 CIPHER.decrypt), conn,
                      base_url=wecom.origin, **kw)  # type: ignore[arg-type]


LONG = [(f"第{i}节 店铺动态", [f"Acme UK 第{i}条说明：" + "流量下降，转化持平，客单价略升。" * 6
                               for _ in range(3)]) for i in range(1, 9)]


def test_markdown_is_cut_at_section_boundaries_under_4096_bytes(engine, conn, wecom) -> None:
    parts = markdown_parts(edition(sections=LONG))
    assert len(parts) >= 2
    assert all(len(p.encode("utf-8")) <= 4096 for p in parts)
    for title, lines in LONG:  # every section whole, in exactly one message
        holders = [p for p in parts if f"**{title}**" in p]
        assert len(holders) == 1 and all(line in holders[0] for line in lines)
    assert parts[0].startswith(f"## {TITLE}")
    assert all(p.startswith(f"**{TITLE}** <font color=\"comment\">({i}/{len(parts)})</font>")
               for i, p in enumerate(parts[1:], start=2))
    deliver(engine, conn, package(sections=LONG), KEY, WeComNotifier(robot(wecom, conn)))
    sent = [m.content for m in wecom.sent() if m.msgtype == "markdown"]
    assert sent == parts  # the real limit accepted every part, in order


def test_a_section_longer_than_a_message_is_cut_between_lines() -> None:
    huge = [("超长一节", [f"第{i}行：" + "数据" * 60 for i in range(40)])]
    parts = markdown_parts(edition(sections=huge))
    assert all(len(p.encode()) <= 4096 for p in parts) and len(parts) >= 3
    lines = [line for p in parts for line in p.splitlines()]
    assert all(f"• 第{i}行：" + "数据" * 60 in lines for i in range(40))  # no line broken


def test_digest_markdown_chart_and_pdf_once(engine, conn, wecom) -> None:
    notifier = WeComNotifier(robot(wecom, conn))
    first = deliver(engine, conn, package(), KEY, notifier)
    again = deliver(engine, conn, package(), KEY, notifier)
    assert (first.outcome, again.outcome) == ("sent", "already_sent")
    assert [m.msgtype for m in wecom.sent()] == ["markdown", "image", "file"]
    assert "**总GMV** US$17,500" in wecom.sent()[0].content
    [media] = wecom.media.values()
    assert media.data == package().editions[0].pdf.data
    assert media.filename == "tikpulse-acme-2026-W47-zh.pdf"


def test_a_correction_posts_again_marked(engine, conn, wecom) -> None:
    notifier = WeComNotifier(robot(wecom, conn))
    deliver(engine, conn, package(), KEY, notifier)
    fixed = deliver(engine, conn, package("b" * 64, "US$18,000"), KEY, notifier)
    assert fixed.outcome == "corrected"
    last = [m.content for m in wecom.sent() if m.msgtype == "markdown"][-1]
    assert "已更正" in last and "US$18,000" in last


def test_a_later_part_refused_leaves_the_summary_in_doubt_never_doubled(engine, conn,
                                                                        wecom) -> None:
    notifier = WeComNotifier(robot(wecom, conn))
    wecom.fail_next(1, errcode=40008, method="send")  # the first part refused: nothing went out
    assert deliver(engine, conn, package(sections=LONG), KEY, notifier).outcome == "failed"
    assert wecom.sent() == []

    def refuse_the_next_part(call):
        if call.method == "send" and call.status == 200:
            wecom.on_call = None
            wecom.fail_next(1, errcode=40008, method="send")

    wecom.on_call = refuse_the_next_part
    outcome = deliver(engine, conn, package(sections=LONG), KEY, notifier)
    assert outcome.outcome == "failed" and "after 1 of" in outcome.detail
    doubt = deliver(engine, conn, package(sections=LONG), KEY, notifier)
    assert doubt.outcome == "in_doubt" and "--resend-in-doubt" in doubt.detail
    assert len(wecom.sent()) == 1  # part 1 is never posted twice


def test_twenty_a_minute_per_robot_is_kept(conn) -> None:
    # the real allowance scaled to 20 per 2 seconds, on both sides
    with FakeWeCom(window_s=2.0) as wecom:
        fast = robot(wecom, conn, limit=RateLimit(qps=10.0, per_window=20))
        started = time.monotonic()
        for i in range(30):
            fast.markdown(ROBOT, f"消息 {i}")
        assert time.monotonic() - started >= 1.9
        assert [c for c in wecom.calls if b"45009" in c.body] == []
        assert len(wecom.sent()) == 30


def test_errcode_45009_is_waited_out(conn, wecom) -> None:
    wecom.fail_next(1, errcode=45009, method="send")
    robot(wecom, conn, slow_down_s=0.2).markdown(ROBOT, "限流后重发")
    assert [m.content for m in wecom.sent()] == ["限流后重发"]


def test_an_unknown_or_undecryptable_key_is_refused_without_showing_it(conn, wecom) -> None:
    sender = robot(wecom, conn)
    with pytest.raises(Refused, match="not in the tenants file"):
        sender.markdown("nobody", "x")
    tenant = make_tenant().model_copy(update={"chats": Chats(wecom=(binding(),))})
    other = TokenCipher("another-secret-key-0123456789abcdef")
    wrong = WeComRobot(httpx.Client(), key_lookup(TenantRegistry(None, (tenant,)),
                                                  other.decrypt), conn, base_url=wecom.origin)
    with pytest.raises(Refused, match="encrypt-key") as refused:
        wrong.markdown(ROBOT, "x")
    assert TEST_KEY not in str(refused.value)
    gone = WeComRobot(httpx.Client(), lambda _: "0000-removed-robot-key", conn,
                      base_url=wecom.origin)
    with pytest.raises(Refused, match="93000") as removed:
        gone.markdown(ROBOT, "x")
    assert "0000-removed-robot-key" not in str(removed.value)


def test_the_tenants_file_keeps_the_key_encrypted(tmp_path) -> None:
    entry = {"id": "acme", "name": "Acme", "chats": {"wecom": [{"name": ROBOT,
                                                                "key": TEST_KEY}]}}
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": [entry]}))
    with pytest.raises(TenantsFileError) as plain:
        load_tenants(path)
    assert TEST_KEY not in str(plain.value) and "tikpulse chats encrypt-key" in str(plain.value)
    entry["chats"]["wecom"][0]["key"] = ENCRYPTED  # type: ignore[index]
    path.write_text(yaml.safe_dump({"tenants": [entry]}))
    [robot_binding] = load_tenants(path).tenant("acme").chats.wecom  # type: ignore[union-attr]
    assert TEST_KEY not in repr(robot_binding)
    from config.cli import tenants
    from config.settings import Settings

    shown = CliRunner().invoke(tenants, ["check", str(path)], obj=Settings())
    assert shown.exit_code == 0 and "wecom robot ops: key *** (encrypted)" in shown.output
    assert TEST_KEY not in shown.output and ENCRYPTED not in shown.output


def test_encrypt_key_takes_the_webhook_url_and_prints_only_ciphertext(monkeypatch) -> None:
    from config.settings import Settings
    from jobs.cli.chats import chats

    monkeypatch.setenv("TIKPULSE_SECRET_KEY", SECRET_KEY)
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TEST_KEY}"
    done = CliRunner().invoke(chats, ["encrypt-key"], input=url + "\n", obj=Settings())
    assert done.exit_code == 0, done.output
    line = done.output.strip().splitlines()[-1]
    assert line.startswith("enc:") and TEST_KEY not in done.output
    assert CIPHER.decrypt(line.removeprefix("enc:")) == TEST_KEY


def test_alerts_once_per_incident_with_mentions(engine, conn, wecom) -> None:
    broke = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    shop_auth, _ = seed_tenant(engine)
    set_status(engine, shop_auth, "revoked", broke)
    tenant = make_tenant(language=("zh",)).model_copy(update={"chats": Chats(
        wecom=(binding(admins=("zhangsan",)),))})
    setup = alert_setup(engine, {"wecom": WeComSender(robot(wecom, conn))})
    for hours in (0, 1, 6, 23):
        with freeze_time(broke + timedelta(hours=hours), real_asyncio=True):
            evaluate_tenant(setup, tenant)
    [first] = wecom.sent()
    assert first.msgtype == "markdown" and "店铺授权失效" in first.content
    assert "<@zhangsan>" in first.content
    set_status(engine, shop_auth, "healthy", broke + timedelta(hours=24))
    for hours in (24, 25):
        with freeze_time(broke + timedelta(hours=hours), real_asyncio=True):
            evaluate_tenant(setup, tenant)
    assert len(wecom.sent()) == 2 and "<@zhangsan>" not in wecom.sent()[-1].content


@pytest.mark.slow
def test_a_verbose_digest_to_a_robot_never_logs_its_key(tmp_path, redis_url, wecom) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "digest"))
    from digest_seed import UK, seed, tenant_entry, write_tenants

    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade

    database = tmp_path / "warehouse.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    seed(engine, stores=(UK,))
    engine.dispose()
    entry = tenant_entry(language="zh", stores=(UK,), slack=False, telegram=False)
    entry["chats"] = {"wecom": [{"name": ROBOT, "key": ENCRYPTED, "admins": ["zhangsan"]}]}
    path = write_tenants(tmp_path, entry)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url,
           "TIKPULSE_CONFIG": str(path), "TIKPULSE_SECRET_KEY": SECRET_KEY,
           "WECOM_API_URL": wecom.origin}
    logs = []
    for args in (["tenants", "check"], ["status"],
                 ["digest", "--tenant", "acme", "--week", "2026-W47", "--send-now"]):
        done = subprocess.run([sys.executable, "-m", "jobs.cli", "-v", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
        logs.append(done.stdout + done.stderr)
    text = "\n".join(logs)
    assert "HTTP Request" in text and "webhook/send" in text  # debug logging really was on
    kinds = [m.msgtype for m in wecom.sent()]  # the markdown split by section, then image, PDF
    assert kinds[-2:] == ["image", "file"] and set(kinds[:-2]) == {"markdown"}
    assert "wecom ops" in text  # status lists the robot by name
    assert TEST_KEY not in text and SECRET_KEY not in text
