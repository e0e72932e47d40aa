"""Settled money through the current Finance endpoints: each statement's orders paged by
``page_token`` (``/finance/202501/statements/{id}/statement_transactions``), stored exactly as the
sandbox settled them and as the sunset per-order lookup gave them, idempotently, at a small
fraction of the per-order calls."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, select

from jobs.ingestion import writers
from jobs.ingestion.cursors import load_cursor
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.resources import Connectors
from jobs.sources import errors as e
from jobs.sources.tiktok.records.performance import ShopTraffic
from jobs.sources.tiktok.records.settlements import Statement
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.sources.tiktok.shop_transport import ShopAccess
from jobs.warehouse import schema as s
from sandbox.finance import STATEMENT_ID_BASE, STATEMENT_ID_SHOP, order_settlement, settled_rows
from sandbox.regions import money_str
from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import connect_all, connectors
from tests.report.test_sandbox_report import SMALL

STATEMENT_PAGES = "/finance/202501/statements/"
PER_ORDER = "/finance/202309/orders/"
MONEY = ("revenue_amount", "fee_and_tax_amount", "shipping_cost_amount", "settlement_amount",
         "platform_commission_amount", "affiliate_commission_amount")


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(config=SMALL, port=0)
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _clean(sb: Sandbox) -> Iterator[None]:
    sb.state.faults.clear()
    yield
    sb.state.faults.clear()
    sb.set_clock(days_back=0)


def calls(sb: Sandbox, part: str) -> int:
    """Requests the simulator answered on paths containing ``part``."""
    return sum(n for path, n in sb.state.requests.items() if part in path)


def clock(sb: Sandbox, shop_id: str) -> datetime:
    """The sandbox's API clock for one shop, as the sync's ``now``."""
    return datetime.fromtimestamp(sb.state.as_of(sb.dataset.shop_row(shop_id)) + 1, UTC)


def shop_access(sb: Sandbox, client: TikTokShopClient, seller: int = 0) -> ShopAccess:
    token = client.get_token(sb.new_auth_code(seller, "shop")).access_token
    shop = client.authorized_shops(token)[0]
    return ShopAccess(shop.id, shop.cipher, token)


def raw_client(sb: Sandbox) -> TikTokShopClient:
    c = sb.credentials
    return TikTokShopClient(httpx.Client(timeout=10), app_key=c.app_key,
                            app_secret=c.app_secret, auth_url=sb.shop_auth_url,
                            api_url=sb.shop_api_url)


def truth(sb: Sandbox, shop_id: str) -> dict[str, dict[str, Any]]:
    """What the sandbox settled by its clock: per order, the amounts, statement and local day."""
    ds, idx = sb.dataset, sb.dataset.shop_row(shop_id)
    rows, days = settled_rows(ds, idx, sb.state.as_of(idx))
    exp = int(ds.shops["exponent"].iat[idx])
    money = order_settlement(ds, rows)
    out = {}
    for m, day in zip(money.itertuples(index=False), days, strict=True):
        fees = m.platform_fee + m.affiliate_fee + m.transaction_fee
        out[str(ds.orders["order_id"].iat[m.row])] = {
            "statement_id": str(STATEMENT_ID_BASE + idx * STATEMENT_ID_SHOP + int(day)),
            "day": SMALL.start + timedelta(days=int(day)),
            **{k: Decimal(money_str(v, exp)) for k, v in zip(MONEY, (
                m.revenue, fees, m.shipping_cost, m.settlement, m.platform_fee,
                m.affiliate_fee), strict=True)},
        }
    return out


def stored(engine: Engine, shop_id: str, zone: ZoneInfo) -> dict[str, dict[str, Any]]:
    """The warehouse's settlements of one shop, in the form of ``truth``."""
    with engine.connect() as conn:
        rows = conn.execute(select(s.order_settlements)
                            .where(s.order_settlements.c.shop_id == shop_id)).all()
    return {x.order_id: {"statement_id": x.statement_id,
                         "day": x.settled_time.astimezone(zone).date(),
                         **{k: getattr(x, k) for k in MONEY}} for x in rows}


def zone_of(sb: Sandbox, shop_id: str) -> ZoneInfo:
    return ZoneInfo(str(sb.dataset.shops["timezone"].iat[sb.dataset.shop_row(shop_id)]))


def connected_shop(sb: Sandbox, engine: Engine, redis_url: str, which: int = 0,
                   ) -> tuple[Connectors, str]:
    """Connectors with every demo seller authorized, and the ``which``-th shop's id."""
    conns = connectors(sb, engine, redis_url)
    return conns, connect_all(sb, conns)[0][which]


# --- the client ----------------------------------------------------------------------------------


def test_a_statement_pages_by_page_token_and_matches_the_per_order_lookup(sb: Sandbox) -> None:
    client = raw_client(sb)
    access = shop_access(sb, client)
    now = clock(sb, access.shop_id)
    listed = [x for p in client.statements(access, now - timedelta(days=60), now) for x in p.items]
    statement = max(listed, key=lambda x: x.revenue_amount)
    pages = list(client.statement_transactions(access, statement.id, page_size=4))
    assert len(pages) >= 3 and all(len(p.items) == 4 for p in pages[:-1])
    assert [bool(p.next_page_token) for p in pages] == [True] * (len(pages) - 1) + [False]
    orders = [x for p in pages for x in p.items]
    assert len({x.order_id for x in orders}) == len(orders) == pages[0].total_count
    whole = next(iter(client.statement_transactions(access, statement.id)))
    assert whole.items == orders and whole.is_last
    rest = [x for p in client.statement_transactions(access, statement.id,
                                                     pages[1].next_page_token, page_size=4)
            for x in p.items]
    assert rest == orders[8:]  # a page token resumes exactly where it points
    assert sum(x.settlement_amount for x in orders) == statement.settlement_amount
    zone = zone_of(sb, access.shop_id)
    for x in orders:
        old = client.settled_order(access, x.order_id)
        assert old is not None
        assert {k: getattr(x, k) for k in (*MONEY, "currency")} == {
            k: getattr(old, k) for k in (*MONEY, "currency")}
        assert x.settle_time == statement.statement_time
        assert x.settle_time.astimezone(zone).date() == old.settle_time.astimezone(zone).date()


def test_an_unknown_statement_is_a_clear_error(sb: Sandbox) -> None:
    client = raw_client(sb)
    access = shop_access(sb, client)
    with pytest.raises(e.BadRequest) as raised:
        list(client.statement_transactions(access, "8800000000099"))
    assert raised.value.code == 36009005
    assert "Statement 8800000000099 not found" in str(raised.value)


def test_statement_pages_parse_orders_and_skip_adjustments() -> None:
    page = {"id": "st1", "create_time": 1_790_000_000, "currency": "GBP", "status": "SETTLED",
            "next_page_token": "", "total_count": 2, "transactions": [
                {"id": "t1", "type": "ORDER", "order_id": "o1", "revenue_amount": "20.00",
                 "shipping_cost_amount": "-1.00", "fee_tax_amount": "-3.00",
                 "settlement_amount": "16.00", "fee_tax_breakdown": {"fee": {
                     "platform_commission_amount": "-1.60",
                     "affiliate_commission_amount": "-1.00",
                     "transaction_fee_amount": "-0.40"}}},
                {"id": "t2", "type": "LOGISTICS_REIMBURSEMENT", "adjustment_id": "a1",
                 "adjustment_amount": "2.00", "settlement_amount": "2.00"}]}

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/finance/202501/statements/st1/statement_transactions"
        assert request.url.params["sort_field"] == "order_create_time"
        return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "x",
                                         "data": page})

    client = TikTokShopClient(httpx.Client(transport=httpx.MockTransport(handler)),
                              app_key="ak", app_secret="s", auth_url="http://a",
                              api_url="http://b")
    (got,) = [x for p in client.statement_transactions(ShopAccess("1", "c", "t"), "st1")
              for x in p.items]
    assert (got.order_id, got.currency, got.settlement_amount, got.fee_and_tax_amount) == (
        "o1", "GBP", Decimal("16.00"), Decimal("-3.00"))
    assert (got.platform_commission_amount, got.affiliate_commission_amount) == (
        Decimal("-1.60"), Decimal("-1.00"))
    assert got.settle_time == datetime.fromtimestamp(1_790_000_000, UTC)


# --- the sync ------------------------------------------------------------------------------------


def test_sync_stores_every_settled_order_as_the_sandbox_settled_it_in_few_calls(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns, shop_id = connected_shop(sb, engine, redis_url)
    before, per_order = calls(sb, STATEMENT_PAGES), calls(sb, PER_ORDER)
    assert run_shop_sync(conns, shop_id, since=SMALL.start, full=True,
                         now=clock(sb, shop_id)).status == "ok"
    want = truth(sb, shop_id)
    assert stored(engine, shop_id, zone_of(sb, shop_id)) == want
    with engine.connect() as conn:
        statements = conn.execute(select(s.statements.c.statement_id)
                                  .where(s.statements.c.shop_id == shop_id)).scalars().all()
    used = calls(sb, STATEMENT_PAGES) - before
    assert used == len(statements)  # one page per statement in this small shop
    assert calls(sb, PER_ORDER) == per_order  # no per-order lookups at all
    assert used * 10 <= len(want)  # >= 10x fewer than one call per settled order
    cursor = load_cursor(engine, "settlements", shop_id)
    assert cursor.resume is None
    assert cursor.latest_complete_day == max(x["day"] for x in want.values())


def test_a_resync_is_idempotent_and_asks_for_nothing_new(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns, shop_id = connected_shop(sb, engine, redis_url, 1)
    now, zone = clock(sb, shop_id), zone_of(sb, shop_id)
    assert run_shop_sync(conns, shop_id, since=SMALL.start, full=True, now=now).status == "ok"
    first, asked = stored(engine, shop_id, zone), calls(sb, STATEMENT_PAGES)
    assert run_shop_sync(conns, shop_id, full=True, now=now).status == "ok"
    assert calls(sb, STATEMENT_PAGES) == asked  # no new statement: nothing asked
    assert run_shop_sync(conns, shop_id, since=SMALL.start, full=True, now=now).status == "ok"
    assert calls(sb, STATEMENT_PAGES) > asked  # a backfill pulls the statements again ...
    assert stored(engine, shop_id, zone) == first == truth(sb, shop_id)  # ... changing nothing


def test_an_order_settled_later_appears_on_the_next_sync(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns, shop_id = connected_shop(sb, engine, redis_url, 2)
    zone = zone_of(sb, shop_id)
    sb.set_clock(days_back=6)
    assert run_shop_sync(conns, shop_id, since=SMALL.start, full=True,
                         now=clock(sb, shop_id)).status == "ok"
    early = stored(engine, shop_id, zone)
    assert early == truth(sb, shop_id)
    sb.set_clock(days_back=0)
    assert run_shop_sync(conns, shop_id, full=True, now=clock(sb, shop_id)).status == "ok"
    late = stored(engine, shop_id, zone)
    assert late == truth(sb, shop_id)
    newly = set(late) - set(early)
    assert newly and all(late[o]["day"] > max(x["day"] for x in early.values()) for o in newly)
    assert {o: late[o] for o in early} == early  # what had settled stays as it was


def test_a_statement_cut_short_resumes_at_its_page_token(
    sb: Sandbox, sqlite_engine: Engine, redis_url: str
) -> None:
    engine = sqlite_engine  # cursors and paging, not SQL: one backend is enough
    conns, shop_id = connected_shop(sb, engine, redis_url)
    assert conns.shop is not None
    small_pages = functools.partial(conns.shop.statement_transactions, page_size=5)
    conns.shop.statement_transactions = small_pages  # type: ignore[method-assign]
    now = clock(sb, shop_id)
    want = truth(sb, shop_id)
    sizes: dict[str, int] = {}
    for x in want.values():
        sizes[x["statement_id"]] = sizes.get(x["statement_id"], 0) + 1
    pages = sum(-(-n // 5) for n in sizes.values())
    biggest = max(sizes, key=lambda k: sizes[k])
    assert sizes[biggest] > 10  # three pages of 5 or more
    before = calls(sb, STATEMENT_PAGES)
    # the biggest statement's second page and its 7 retries fail: the run stops mid-statement
    sb.state.faults.add(kind="server_error", count=8, after=1,
                        endpoint=f"{STATEMENT_PAGES}{biggest}/statement_transactions")
    cut = run_shop_sync(conns, shop_id, since=SMALL.start, full=True, now=now)
    assert cut.status == "partial" and "503" in (cut.error or "")
    resume = load_cursor(engine, "settlements", shop_id).resume
    assert resume is not None and resume["statement_id"] == biggest and resume["token"]
    assert run_shop_sync(conns, shop_id, full=True, now=now).status == "ok"
    assert stored(engine, shop_id, zone_of(sb, shop_id)) == want
    assert calls(sb, STATEMENT_PAGES) - before == pages + 8  # no page asked twice
    assert load_cursor(engine, "settlements", shop_id).resume is None


def test_an_error_envelope_stops_the_run_with_a_clear_error(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns, shop_id = connected_shop(sb, engine, redis_url)
    now = clock(sb, shop_id)
    bogus = Statement("8800000000099", now - timedelta(minutes=1), "GBP", *[Decimal(0)] * 6,
                      None, None)
    with engine.begin() as conn:  # a statement the API does not know, newest of all
        writers.write_statements(conn, shop_id, "GBP", [bogus])
    summary = run_shop_sync(conns, shop_id, since=SMALL.start, full=True, now=now)
    assert summary.status == "partial"  # the real statements before it were stored
    assert "Statement 8800000000099 not found" in (summary.error or "")
    assert "36009005" in (summary.error or "")
    assert stored(engine, shop_id, zone_of(sb, shop_id)) == truth(sb, shop_id)
    cursor = load_cursor(engine, "settlements", shop_id)
    assert cursor.cursor_time is not None and cursor.cursor_time < bogus.statement_time
    again = run_shop_sync(conns, shop_id, full=True, now=now)  # not skipped silently
    assert again.status != "ok" and "8800000000099" in (again.error or "")


def test_freshness_of_traffic_follows_latest_available_date(
    sb: Sandbox, sqlite_engine: Engine, redis_url: str
) -> None:
    engine = sqlite_engine
    conns, shop_id = connected_shop(sb, engine, redis_url)
    assert conns.shop is not None
    real = conns.shop.shop_traffic

    def lagging(*args: Any, **kw: Any) -> ShopTraffic:
        got = real(*args, **kw)
        assert got.latest_available_date is not None
        return ShopTraffic(got.days, got.latest_available_date - timedelta(days=2))

    now = clock(sb, shop_id)
    yesterday = now.astimezone(zone_of(sb, shop_id)).date() - timedelta(days=1)
    assert run_shop_sync(conns, shop_id, since=SMALL.start, full=True, now=now).status == "ok"
    assert load_cursor(engine, "traffic", shop_id).latest_complete_day == yesterday
    conns.shop.shop_traffic = lagging  # type: ignore[method-assign]
    assert run_shop_sync(conns, shop_id, full=True, now=now).status == "ok"
    assert load_cursor(engine, "traffic", shop_id).latest_complete_day == (
        yesterday - timedelta(days=2))

