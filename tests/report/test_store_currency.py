"""One store answers in its own currency (what Seller Center shows) with the reporting-currency
figure beside it; totals and comparisons are in the reporting currency, each day converted at its
own rate; chat, ``tikpulse kpi`` and the digest agree. One default reporting currency, stated by
``tenants check``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from three_shops import (
    ADMIN,
    CHANNEL,
    NOW,
    SHOPS,
    TENANT,
    TH,
    UK,
    US,
    W46,
    W47,
    WEEK,
    add_rates,
    in_usd,
    own,
    rate,
    seed,
    write_tenants,
)

from analytics.money import quantize
from bot.commands import BotContext, Request, dispatch
from bot.commands.reply import as_text
from config.tenant_registry import load_tenants
from config.tenants import DEFAULT_REPORTING_CURRENCY, Targets, Tenant
from jobs.digest.compose import compose
from jobs.digest.sentences import digest_text
from jobs.report.build import build_weekly_report

WEEK_DAYS = [W47 + timedelta(days=i) for i in range(7)]
BEFORE = [W46 + timedelta(days=i) for i in range(7)]

#: When chat is asked: the week is over in every store's zone (at NOW, 01:00 UTC on
#: Monday, it is still Sunday in Los Angeles, and an answer there says "data through Saturday").
AFTER_WEEK = NOW + timedelta(hours=12)


@pytest.fixture
def globex(engine, tmp_path):
    """Globex's warehouse with a rate for every day, and its tenant."""
    seed(engine)
    add_rates(engine)
    return engine, load_tenants(write_tenants(tmp_path)).tenant(TENANT)


def test_each_store_in_its_own_currency_and_the_total_day_by_day_in_usd(globex):
    engine, tenant = globex
    report = build_weekly_report(engine, tenant, WEEK)
    assert report.missing_fx == () and report.reporting_currency == "USD"
    for shop, (_, _, ccy, *_) in SHOPS.items():
        store = report.store(shop)
        assert store.currency == ccy and store.kpis.current.currency == ccy
        assert store.kpis.current.gross_gmv == quantize(own(shop, WEEK_DAYS))
        assert store.kpis.previous.gross_gmv == quantize(own(shop, BEFORE))
        assert store.history[-1].kpis.currency == ccy  # the store's trend chart too
        usd = store.in_currency("USD")
        assert usd.current.currency == "USD"
        assert usd.current.gross_gmv == quantize(in_usd(shop, WEEK_DAYS))
    assert report.store(US).reporting is None  # already in the reporting currency
    assert report.store(UK).reporting.current.spend == quantize(
        in_usd(UK, WEEK_DAYS, lambda s, d: own(s, [d]) / 10))
    total = report.total.current  # every store-day at that day's rate, summed, rounded once
    assert total.currency == "USD"
    assert total.gross_gmv == quantize(sum((in_usd(s, WEEK_DAYS) for s in SHOPS), Decimal(0)))
    assert report.total.previous.gross_gmv == quantize(
        sum((in_usd(s, BEFORE) for s in SHOPS), Decimal(0)))
    # not one rate for the week: the week's totals at Monday's rate come out differently
    monday = (own(US, WEEK_DAYS) + own(UK, WEEK_DAYS) * rate("GBP", W47)
              + own(TH, WEEK_DAYS) * rate("THB", W47))
    assert total.gross_gmv != quantize(monday)


def _ask(ctx: BotContext, text: str):  # type: ignore[no-untyped-def]
    return dispatch(Request("slack", CHANNEL, ADMIN, text, is_direct=False), ctx)


def test_chat_answers_a_store_in_its_currency_and_totals_in_usd(globex, tmp_path):
    engine, tenant = globex
    ctx = BotContext(load_tenants(write_tenants(tmp_path)), engine, None, clock=lambda: AFTER_WEEK)
    report = build_weekly_report(engine, tenant, WEEK, insights=False)
    for said, shop, ccy in (("UK", UK, "GBP"), ("Globex TH", TH, "THB")):
        reply = _ask(ctx, f"gmv {said} {WEEK}")
        local, usd = quantize(own(shop, WEEK_DAYS)), quantize(in_usd(shop, WEEK_DAYS))
        assert reply.data["currency"] == ccy and reply.data["metrics"]["gross_gmv"] == str(local)
        assert reply.data["reporting"]["currency"] == "USD"
        assert reply.data["reporting"]["metrics"]["gross_gmv"] == str(usd)
        assert f"{local:,.2f} {ccy} (≈ {usd:,.2f} USD)" in as_text(reply)
        assert str(report.store(shop).kpis.current.gross_gmv) == str(local)  # chat = digest
    us = _ask(ctx, f"kpi US {WEEK}")
    assert us.data["currency"] == "USD" and us.data["reporting"] is None
    assert "≈" not in as_text(us) and "No FX rate" not in as_text(us)
    everyone = _ask(ctx, f"kpi all {WEEK}")
    assert everyone.data["currency"] == "USD"
    assert everyone.data["metrics"]["gross_gmv"] == str(report.total.current.gross_gmv)
    compared = _ask(ctx, f"compare UK TH {WEEK}")  # a comparison across stores: USD both sides
    assert compared.data["left"]["currency"] == compared.data["right"]["currency"] == "USD"
    assert compared.data["left"]["metrics"]["gross_gmv"] == str(
        quantize(in_usd(UK, WEEK_DAYS)))
    zh = _ask(ctx, f"英国 gmv {WEEK}")
    assert "GBP" in as_text(zh) and "括号内为按每日汇率换算的 USD" in as_text(zh)


def test_kpi_prints_each_store_in_its_currency_with_usd_beside(globex, tmp_path, monkeypatch):
    engine, _ = globex
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(write_tenants(tmp_path)))
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: no cell wraps
    from jobs.cli import cli

    result = CliRunner().invoke(cli, ["kpi", "--tenant", TENANT, "--week", WEEK])
    assert result.exit_code == 0, result.output
    out = result.output
    for shop, (name, _, ccy, *_) in SHOPS.items():
        assert f"{name} (" in out and f"{quantize(own(shop, WEEK_DAYS)):,.2f} {ccy}" in out
    assert out.count("≈ USD") == 2  # the GBP and THB stores
    assert f"{quantize(in_usd(TH, WEEK_DAYS)):,.2f} USD" in out
    assert "Globex 环球 · all stores · 2026-W47 · USD" in out and "No FX rate" not in out


def test_digest_rows_show_the_store_currency_with_usd_beside(globex):
    engine, tenant = globex
    report = build_weekly_report(engine, tenant, WEEK)
    digest = compose(report, Targets())
    assert not digest.partial
    en, zh = digest_text(digest, "en"), digest_text(digest, "zh")
    stores = {name: cells for name, cells in en.stores}
    uk_gmv = stores["Globex UK"][0].value
    assert uk_gmv.startswith("£") and "(≈ $" in uk_gmv
    assert stores["Globex TH"][0].value.startswith("THB") and "(≈ $" in stores["Globex TH"][0].value
    assert "≈" not in stores["Globex US"][0].value
    assert en.headline[0].value.startswith("$")  # the tenant total, in USD
    assert "（≈ US$" in dict(zh.stores)["Globex UK"][0].value


def test_one_default_reporting_currency_stated_by_tenants_check(engine, tmp_path, monkeypatch):
    from jobs.accounts.connect import connect_shop
    from jobs.cli import cli
    from jobs.sources.tiktok.records.access import AuthorizedShop, ShopToken
    from jobs.warehouse.crypto import TokenCipher
    from jobs.warehouse.schema import tenants

    assert DEFAULT_REPORTING_CURRENCY == "USD"
    assert Tenant(id="t", name="T").reporting_currency_defaulted
    assert not Tenant(id="t", name="T", reporting_currency="GBP").reporting_currency_defaulted
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants:\n  - {id: plain, name: Plain}\n"
                    "  - {id: brit, name: Brit, reporting_currency: GBP}\n")
    out = CliRunner().invoke(cli, ["tenants", "check", str(path)]).output
    assert "plain: Plain [en, reporting currency USD (default: reporting_currency not set)]" in out
    assert "brit: Brit [en, reporting currency GBP (set in the file)]" in out
    assert "  digests (Asia/Shanghai): weekly '0 9 * * MON'\n" in out  # the default schedule
    example = CliRunner().invoke(cli, ["tenants", "check", "config/tenants.example.yaml"]).output
    assert "digests (Asia/Shanghai): weekly '0 9 * * MON', monthly '0 9 1 * *'" in example

    class OneUkShop:  # the two calls connect_shop makes
        def get_token(self, code: str) -> ShopToken:
            later = datetime.now(UTC) + timedelta(days=7)
            return ShopToken("a", later, "r", later, "open-1", "Seller", "GB", ())

        def authorized_shops(self, token: str) -> list[AuthorizedShop]:
            return [AuthorizedShop("7700000000000000001", "UK shop", "GB", None, "c", None)]

    done = connect_shop(engine, OneUkShop(), TokenCipher("k" * 32), "code", "New Seller")
    with engine.connect() as conn:
        ccy = conn.execute(tenants.select().where(tenants.c.tenant_id == done.tenant_id)
                           ).mappings().one()["reporting_currency"]
    assert ccy == "USD"  # not its first shop's GBP: the same default as the tenants file
