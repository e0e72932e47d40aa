"""The FX feed: the ECB's XML parsed exactly, synced from the sandbox's copy of it (the smallest
file that covers the data, idempotent), weekends at Friday's rate, cross rates through EUR in the
KPIs, and every failure one clear line with nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from analytics.money import quantize
from config.tenants import Store, Tenant
from jobs.report.build import build_weekly_report
from jobs.warehouse.fx_feed import (
    ECB_90D,
    ECB_DAILY,
    ECB_HIST,
    FxFeedError,
    feed_for,
    parse_ecb_xml,
    sync_fx,
)
from jobs.warehouse.fx_rates import DEMO_USD_PER_UNIT, demo_rate, load_fx
from jobs.warehouse.rollups import rebuild_rollups
from jobs.warehouse.schema import fx_rates
from sandbox import GeneratorConfig, Sandbox
from sandbox import fx_feed as sandbox_fx
from tests.report.warehouse_rows import add_order, seed_stores

END = date(2026, 11, 23)  # a Monday: the sandbox's API clock, and "today" of every sync here
FRIDAY, SATURDAY, SUNDAY = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
CONFIG = GeneratorConfig(seed=5, shops=1, weeks=2, end=END)
ECB_SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" \
xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='2026-11-20'>
\t\t\t<Cube currency='USD' rate='1.0812'/>
\t\t\t<Cube currency='JPY' rate='162.45'/>
\t\t\t<Cube currency='GBP' rate='0.85123'/>
\t\t\t<Cube currency='IDR' rate='17612.08'/>
\t\t</Cube>
\t\t<Cube time='2026-11-19'>
\t\t\t<Cube currency='USD' rate='1.0799'/>
\t\t\t<Cube currency='GBP' rate='0.8501'/>
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""
TENANT = Tenant(id="acme", name="Acme", reporting_currency="USD",
                stores=(Store(shop_id="uk1", region="GB"), Store(shop_id="us1", region="US")))


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(config=CONFIG) as sb:
        yield sb


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    module_sandbox.faults.clear()
    yield module_sandbox
    module_sandbox.faults.clear()


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(fx_rates)).scalar_one()


def _mock(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_an_ecb_file_parses_to_exact_eur_based_rates():
    rows = parse_ecb_xml(ECB_SAMPLE, "https://ecb.test/eurofxref-daily.xml", "feed:ecb.test")
    assert len(rows) == 6
    first = rows[0]
    assert first == {"day": FRIDAY, "base": "EUR", "quote": "USD", "rate": Decimal("1.0812"),
                     "source": "feed:ecb.test"}
    assert all(isinstance(r["rate"], Decimal) for r in rows)
    assert {(r["day"], r["quote"]): str(r["rate"]) for r in rows}[(FRIDAY, "IDR")] == "17612.08"


def test_the_smallest_ecb_file_that_covers_the_days_needed_is_chosen():
    base = "https://www.ecb.europa.eu/stats/eurofxref/"
    url = base + ECB_90D
    assert feed_for(url, END, END) == base + ECB_DAILY  # only today is missing
    assert feed_for(url, SATURDAY, END) == base + ECB_DAILY  # a weekend has nothing to fetch
    assert feed_for(url, FRIDAY, END) == base + ECB_90D
    assert feed_for(url, END - timedelta(days=85), END) == base + ECB_90D
    assert feed_for(url, END - timedelta(days=86), END) == base + ECB_HIST
    assert feed_for("https://rates.example/mine.csv", date(2020, 1, 1), END) == (
        "https://rates.example/mine.csv")  # not an ECB file: fetched as configured


def test_the_sandbox_serves_the_ecb_files_with_the_demo_rates(sb):
    assert sandbox_fx.USD_PER_UNIT == DEMO_USD_PER_UNIT
    source = "feed:sandbox"
    files = {name: parse_ecb_xml(httpx.get(sandbox_fx.feed_url(sb.base_url, name)).content,
                                 name, source)
             for name in (sandbox_fx.DAILY, sandbox_fx.HIST_90D, sandbox_fx.HIST)}
    days = {name: sorted({r["day"] for r in rows}) for name, rows in files.items()}
    assert days[sandbox_fx.DAILY] == [FRIDAY]  # the API clock is Monday 00:00
    assert days[sandbox_fx.HIST_90D][0] > FRIDAY - timedelta(days=90)
    assert days[sandbox_fx.HIST][0] <= CONFIG.start - timedelta(days=360)
    assert all(d.weekday() < 5 for d in days[sandbox_fx.HIST])
    assert date(2025, 12, 25) not in days[sandbox_fx.HIST]  # a TARGET holiday
    rates = {(r["day"], r["quote"]): r["rate"] for r in files[sandbox_fx.HIST_90D]}
    cross = rates[(FRIDAY, "USD")] / rates[(FRIDAY, "GBP")]  # GBP -> USD through EUR
    assert abs(cross / demo_rate("GBP", FRIDAY) - 1) < Decimal("1e-5")


def test_sync_stores_the_feed_once_and_a_resync_changes_nothing(engine, sb):
    url = sandbox_fx.feed_url(sb.base_url)
    first = sync_fx(engine, url, today=END)  # no orders yet: the last four weeks
    assert first.url.endswith(ECB_90D)
    assert (first.first, first.last, first.latest) == (date(2026, 10, 26), FRIDAY, FRIDAY)
    assert first.days == 20 and first.rows == 20 * 7 == _count(engine)
    assert first.currencies == ("CNY", "GBP", "IDR", "MYR", "THB", "USD", "VND")
    again = sync_fx(engine, url, today=END)
    assert again.url.endswith(ECB_DAILY) and again.rows == 0 and again.latest == FRIDAY
    assert _count(engine) == 140
    # A back-fill re-fetches overlapping days from the history file: upserts, no duplicates.
    back = sync_fx(engine, url, today=END, since=date(2026, 8, 3))
    assert back.url.endswith(ECB_HIST) and back.first == date(2026, 8, 3)
    assert _count(engine) == back.rows == 7 * len(sandbox_fx.publication_days(
        date(2026, 8, 3), FRIDAY))


def test_orders_older_than_90_days_are_back_filled_from_the_history_file(engine, sb):
    with engine.begin() as conn:
        seed_stores(conn)
        add_order(conn, "uk1", "old", "2026-06-10 12:00", "10.00")
    result = sync_fx(engine, sandbox_fx.feed_url(sb.base_url), today=END)
    assert result.url.endswith(ECB_HIST)
    assert result.first == date(2026, 6, 2)  # a week before the order's day, for carrying
    with engine.connect() as conn:
        fx = load_fx(conn, {"GBP"}, "USD", date(2026, 6, 10), date(2026, 6, 10))
    assert abs(fx.rate(date(2026, 6, 10), "GBP", "USD") / demo_rate("GBP", date(2026, 6, 10))
               - 1) < Decimal("1e-5")


def test_weekend_days_convert_at_fridays_rate_through_eur(engine, sb):
    sync_fx(engine, sandbox_fx.feed_url(sb.base_url), today=END)
    with engine.connect() as conn:
        fx = load_fx(conn, {"GBP", "THB"}, "USD", FRIDAY, SUNDAY)
        stored = {(r.quote): r.rate for r in conn.execute(
            select(fx_rates.c.quote, fx_rates.c.rate).where(fx_rates.c.day == FRIDAY))}
    friday = fx.rate(FRIDAY, "GBP", "USD")
    assert abs(friday - stored["USD"] / stored["GBP"]) < Decimal("1e-20")
    assert fx.rate(SATURDAY, "GBP", "USD") == fx.rate(SUNDAY, "GBP", "USD") == friday
    assert fx.rate(SUNDAY, "USD", "THB") == 1 / fx.rate(SUNDAY, "THB", "USD")


def test_the_kpis_convert_a_saturday_order_at_fridays_cross_rate(engine, sb):
    with engine.begin() as conn:
        seed_stores(conn)
        add_order(conn, "uk1", "sat", "2026-11-21 12:00", "100.00")
        add_order(conn, "us1", "mon", "2026-11-16 20:00", "50.00")
        rebuild_rollups(conn, "uk1")
        rebuild_rollups(conn, "us1")
    sync_fx(engine, sandbox_fx.feed_url(sb.base_url), today=END)
    report = build_weekly_report(engine, TENANT, "2026-W47", insights=False)
    gbp_usd = sandbox_fx.eur_rate("USD", FRIDAY) / sandbox_fx.eur_rate("GBP", FRIDAY)
    uk = report.store("uk1")  # in GBP, with the USD figures beside
    assert uk.kpis.current.gross_gmv == Decimal("100.0000")
    assert uk.reporting.current.gross_gmv == quantize(Decimal("100.00") * gbp_usd)
    assert report.total.current.gross_gmv == quantize(Decimal("100.00") * gbp_usd) + 50


@pytest.mark.parametrize(("answer", "message"), [
    (httpx.Response(500, text="oops"), "answered HTTP 500 Internal Server Error"),
    (httpx.Response(200, content=ECB_SAMPLE[:300]), "is not valid XML"),
    (httpx.Response(200, content=ECB_SAMPLE.replace(b"0.85123", b"n/a")),
     "2026-11-20 'GBP' has no positive rate ('n/a')"),
    (httpx.Response(200, text="<html><body>Moved</body></html>"), "holds no Cube time"),
    (httpx.Response(200, text="date;from;to\n"), "neither ECB XML nor a day,base,quote,rate"),
])
def test_a_bad_answer_is_one_clear_line_and_nothing_is_written(engine, answer, message):
    client = _mock(lambda request: answer)
    with pytest.raises(FxFeedError, match=re.escape(message)) as err:
        sync_fx(engine, "https://ecb.test/stats/eurofxref-hist-90d.xml", client=client,
                today=END)
    text = str(err.value)
    assert "\n" not in text and "tikpulse fx import FILE" in text
    assert _count(engine) == 0


def test_network_failures_are_one_clear_line(sqlite_engine):
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    with pytest.raises(FxFeedError, match="timed out. Try again later"):
        sync_fx(sqlite_engine, "https://ecb.test/eurofxref-daily.xml", client=_mock(timeout),
                today=END)
    with pytest.raises(FxFeedError, match="could not be reached"):  # nothing listens on port 9
        sync_fx(sqlite_engine, "http://127.0.0.1:9/fx/eurofxref-daily.xml", today=END)
    assert _count(sqlite_engine) == 0


def test_sandbox_faults_fail_the_sync_cleanly(sqlite_engine, sb):
    url = sandbox_fx.feed_url(sb.base_url)
    sb.faults.add("server_error", endpoint="/fx/*", count=1)
    with pytest.raises(FxFeedError, match="answered HTTP 503"):
        sync_fx(sqlite_engine, url, today=END)
    sb.faults.add("truncated_json", endpoint="/fx/*", count=1)
    with pytest.raises(FxFeedError, match="is not valid XML"):
        sync_fx(sqlite_engine, url, today=END)
    assert _count(sqlite_engine) == 0
    assert sync_fx(sqlite_engine, url, today=END).rows == 140  # the faults are spent


def test_a_csv_source_with_its_own_base_works(engine):
    csv = "day,base,quote,rate\n2026-11-20,GBP,USD,1.2734\n2026-11-19,GBP,USD,1.2701\n"
    client = _mock(lambda request: httpx.Response(200, text=csv))
    result = sync_fx(engine, "https://rates.example/daily.csv", client=client, today=END)
    assert (result.rows, result.days, result.currencies) == (2, 2, ("USD",))
    with engine.connect() as conn:
        fx = load_fx(conn, {"GBP"}, "USD", SATURDAY, SATURDAY)
    assert fx.rate(SATURDAY, "GBP", "USD") == Decimal("1.2734")


def test_the_daily_task_fetches_from_the_configured_feed(sqlite_engine, sb, monkeypatch):
    """``jobs.tasks.refresh_fx`` (cron ``fx-refresh``) reads ``TIKPULSE_FX_URL`` from the worker's
    environment and stores the feed, like ``tikpulse fx sync``."""
    from jobs import tasks

    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    monkeypatch.setenv("TIKPULSE_FX_URL", sandbox_fx.feed_url(sb.base_url))
    done = tasks.refresh_fx()
    assert done["rows"] == _count(sqlite_engine) > 0
    assert done["latest"] == FRIDAY.isoformat()
    assert tasks.refresh_fx()["rows"] == 0  # the same day again: nothing new
