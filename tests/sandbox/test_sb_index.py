"""The simulator's precomputed indexes and search results: built once, kept within bounds, and
the calls it answers (and their CPU) counted exactly when many arrive at once."""

from __future__ import annotations

import threading
from datetime import date

import httpx
from sandbox_helpers import ShopCaller

from sandbox import GeneratorConfig, Sandbox
from sandbox.index import index_of
from sandbox.server import cached_dataset
from sandbox.state import SEARCH_CACHE_SIZE

ORDERS = "/order/202309/orders/search"


def test_a_data_set_is_indexed_with_its_generation_and_once() -> None:
    ds = cached_dataset(GeneratorConfig(seed=11, shops=1, weeks=2, end=date(2026, 11, 23)))
    assert "_index" in ds.__dict__  # built with the data set, before any request
    assert index_of(ds) is index_of(ds)
    ix = index_of(ds)
    assert ix.orders["order_id"].tolist() == ds.orders["order_id"].tolist()
    assert ix.sku_text["sku_id"] == [str(x) for x in ds.skus["sku_id"]]


def test_pages_of_one_search_are_slices_of_one_result(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = sb.dataset.shops["cipher"][0]
    body = {"create_time_ge": 0}
    seen: list[str] = []
    token = ""
    before = len(sb.state._searches)
    while True:
        params = {"page_size": 100, **({"page_token": token} if token else {})}
        data = shop.call("POST", ORDERS, params, body, cipher=cipher).json()["data"]
        seen += [o["id"] for o in data["orders"]]
        token = data["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == data["total_count"]
    assert len(sb.state._searches) == before + 1  # every page after the first reused it


def test_search_results_are_bounded_and_forgotten_when_the_clock_moves(sb: Sandbox) -> None:
    builds = []
    for i in range(SEARCH_CACHE_SIZE + 5):
        sb.state.search(("test", i), lambda i=i: builds.append(i) or i)
    assert len(sb.state._searches) == SEARCH_CACHE_SIZE
    assert sb.state.search(("test", SEARCH_CACHE_SIZE + 4), lambda: -1) == SEARCH_CACHE_SIZE + 4
    assert sb.state.search(("test", 0), lambda: -1) == -1  # the oldest was dropped
    sb.set_clock(3)
    assert len(sb.state._searches) == 0


def test_concurrent_calls_are_all_counted_with_their_cpu(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = sb.dataset.shops["cipher"][0]
    callers, start = 8, threading.Barrier(8)
    calls0, cpu0 = sb.state.requests[ORDERS], sb.state.cpu_seconds[ORDERS]
    statuses: list[int] = []

    def call() -> None:
        with httpx.Client(timeout=30) as http:
            mine = ShopCaller(sb, http, shop.access_token, shop.refresh_token)
            start.wait()
            statuses.append(mine.call("POST", ORDERS, {"page_size": 50}, {},
                                      cipher=cipher).status_code)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * callers
    assert sb.state.requests[ORDERS] - calls0 == callers
    assert sb.state.cpu_seconds[ORDERS] > cpu0
