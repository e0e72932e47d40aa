"""A missing FX rate never gives a traceback or "Something went wrong": with no rates at all, the
report, ``tikpulse kpi``, the chat answers, ``tikpulse digest --out`` / ``--dry-run`` and the
scheduled digest job show each store in its own currency, leave the totals out, name the missing
pair and days and how to add them, and the digest is marked partial."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
import redis
from click.testing import CliRunner
from rq import Queue, SimpleWorker
from three_shops import (
    ADMIN,
    CHANNEL,
    NOW,
    SHOPS,
    TENANT,
    TH,
    UK,
    US,
    W47,
    WEEK,
    own,
    seed,
    write_tenants,
)

from analytics.fx import MissingRates
from analytics.money import quantize
from bot.commands import BotContext, Request, dispatch
from bot.commands.reply import as_text
from config.tenant_registry import load_tenants
from jobs.cli import cli
from jobs.digest.runs import load_run
from jobs.report.build import build_weekly_report
from jobs.resources import QUEUE
from tests.fakes.slack_api import FakeSlack

WEEK_DAYS = [W47 + timedelta(days=i) for i in range(7)]
FIRST, LAST = date(2026, 11, 9), date(2026, 11, 22)  # every day with GBP or THB money
PAIRS = ("GBP->USD for 2026-11-09 to 2026-11-22", "THB->USD for 2026-11-09 to 2026-11-22")
FIX = ("tikpulse fx sync", "tikpulse fx import FILE", "day,base,quote,rate")

#: When chat is asked: the week is over in every store's zone (at NOW, 01:00 UTC on
#: Monday, it is still Sunday in Los Angeles, and an answer there says "data through Saturday").
AFTER_WEEK = NOW + timedelta(hours=12)


def says_what_is_missing(text: str) -> bool:
    """The note: both pairs with their days, and both ways to add the rates."""
    flat = " ".join(text.split())
    return all(p in flat for p in PAIRS + FIX)


@pytest.fixture
def globex(engine, tmp_path, monkeypatch, redis_url):
    """Globex's warehouse without a single FX rate, wired up through the environment."""
    seed(engine)
    path = write_tenants(tmp_path)
    for name, value in (("DATABASE_URL", engine.url.render_as_string(hide_password=False)),
                        ("TIKPULSE_CONFIG", str(path)), ("REDIS_URL", redis_url),
                        ("COLUMNS", "200")):
        monkeypatch.setenv(name, value)
    return engine, load_tenants(path).tenant(TENANT)


def test_the_report_keeps_each_store_and_names_the_missing_rates(globex):
    engine, tenant = globex
    report = build_weekly_report(engine, tenant, WEEK)  # no MissingFxRate
    assert report.total is None and report.total_history == ()
    assert report.missing_fx == (MissingRates("GBP", "USD", FIRST, LAST, 14),
                                 MissingRates("THB", "USD", FIRST, LAST, 14))
    for shop, (_, _, ccy, *_) in SHOPS.items():
        store = report.store(shop)
        assert store.kpis.current.currency == ccy
        assert store.kpis.current.gross_gmv == quantize(own(shop, WEEK_DAYS))
    assert report.store(UK).reporting is None and report.store(TH).reporting is None
    assert report.store(US).in_currency("USD") is report.store(US).kpis
    assert report.insights.creators == () and report.insights.contributors == ()


def test_kpi_exits_0_with_each_store_and_the_note(globex):
    result = CliRunner().invoke(cli, ["kpi", "--tenant", TENANT, "--week", WEEK])
    assert result.exit_code == 0, result.output
    out = result.output
    for shop, (name, _, ccy, *_) in SHOPS.items():
        assert name in out and f"{quantize(own(shop, WEEK_DAYS)):,.2f} {ccy}" in out
    assert "all stores · 2026-W47: left out" in out and says_what_is_missing(out)
    assert "Traceback" not in out


def _ask(ctx: BotContext, text: str):  # type: ignore[no-untyped-def]
    return dispatch(Request("slack", CHANNEL, ADMIN, text, is_direct=False), ctx)


def test_chat_shows_what_it_can_and_names_the_rate(globex, tmp_path):
    engine, _ = globex
    ctx = BotContext(load_tenants(write_tenants(tmp_path)), engine, None, clock=lambda: AFTER_WEEK)
    uk = _ask(ctx, f"kpi UK {WEEK}")
    text = as_text(uk)
    assert uk.kind == "answer" and uk.data["currency"] == "GBP"
    assert f"{quantize(own(UK, WEEK_DAYS)):,.2f} GBP" in text and "≈" not in text
    assert "No FX rate GBP->USD for 2026-11-09 to 2026-11-22" in text
    assert all(f in text for f in FIX)
    us = _ask(ctx, f"kpi US {WEEK}")  # a USD store of a USD tenant needs no rate at all
    assert us.kind == "answer" and "No FX rate" not in as_text(us)
    for question in (f"kpi all {WEEK}", f"roas {WEEK}", f"compare UK TH {WEEK}",
                     "digest preview"):  # each store in its own currency, and the note
        reply = _ask(ctx, question)
        text = as_text(reply)
        assert reply.kind == "answer", (question, text)
        assert "Something went wrong" not in text and says_what_is_missing(text), question
        assert f"{quantize(own(TH, WEEK_DAYS) * 19 / 20):,.2f} THB" in text, question  # net
    for question in ("why gmv", "top creators", "traffic", "targets"):
        text = as_text(_ask(ctx, question))  # totals only: the note instead of a number
        assert "Something went wrong" not in text and "No FX rate" in text, question
        assert "tikpulse fx sync" in text, question
    creators = as_text(_ask(ctx, f"top creators UK {WEEK}"))  # one store: its own currency
    assert "@lily.home" in creators and "GBP" in creators and "No FX rate" not in creators
    zh = as_text(_ask(ctx, f"全部 kpi {WEEK}"))
    assert "缺少汇率 GBP->USD（2026-11-09 至 2026-11-22）" in zh and "tikpulse fx import" in zh


def test_digest_out_and_dry_run_exit_0_partial_with_the_note(globex, tmp_path):
    out = tmp_path / "digest"
    result = CliRunner().invoke(cli, ["digest", "--tenant", TENANT, "--week", WEEK,
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Partial digest" in result.output and says_what_is_missing(result.output)
    en, zh = (html.unescape((out / f"tikpulse-{TENANT}-{WEEK}-{lang}.html").read_text(
        encoding="utf-8")) for lang in ("en", "zh"))
    assert "Partial digest, data incomplete" in en and says_what_is_missing(en)
    assert "Totals left out" in en
    assert "£7,491 GBP" not in en and "£7,491" in en and "THB" in en  # each store's own
    assert "数据不完整" in zh and "缺少汇率 GBP->USD（2026-11-09 至 2026-11-22）" in zh
    assert "合计未列出" in zh
    assert (out / f"tikpulse-{TENANT}-{WEEK}-en.pdf").read_bytes().startswith(b"%PDF")
    dry = CliRunner().invoke(cli, ["digest", "--tenant", TENANT, "--week", WEEK, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert ", partial); nothing is sent" in dry.output and says_what_is_missing(dry.output)
    assert f"slack {CHANNEL}: would post" in dry.output


def test_the_scheduled_digest_goes_out_partial(globex, redis_url, monkeypatch):
    engine, _ = globex
    from jobs.tasks import prepare_digest

    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_API_URL", slack.base_url)
        conn = redis.Redis.from_url(redis_url)
        queue = Queue(QUEUE, connection=conn)
        due = datetime.now(UTC).isoformat()  # still inside the hold: a late sync would wait

        queue.enqueue(prepare_digest, TENANT, WEEK, due, job_id="digest-prepare-globex")
        SimpleWorker([queue], connection=conn).work(burst=True)
        assert queue.failed_job_registry.count == 0
        run = load_run(engine, TENANT, WEEK)
        assert run["status"] == "partial"
        assert {m["source"] for m in run["missing"]} == {"fx_rate"}
        text = " ".join(str(b) for m in slack.top_level(CHANNEL) for b in m.blocks)  # zh, en
        assert "Partial digest" in text and "GBP->USD" in text and "tikpulse fx sync" in text
        assert "数据不完整" in text and "缺少汇率" in text
