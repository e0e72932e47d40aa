"""The running simulator: one HTTP server for the shop auth host, the Shop API host, the Business
API and the admin endpoints, in a daemon thread on 127.0.0.1 (``Sandbox.start``), in a process of
its own (``Sandbox.start(own_process=True)``), or in the foreground (``tikpulse sandbox serve``).

In a process of its own the simulator costs its caller no CPU, as the real platform would not:
served from a thread, its handlers take the caller's GIL (about 4 ms per call), so a benchmark of
a sync against it measured the simulator too. The process is forked once the data set and the
server's socket are ready, so it starts at once with both; what changes while it serves (tokens,
rate limit, clock, counts) lives there, and this handle reaches it over the admin endpoints.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from sandbox import (
    admin_api,
    ads_api,
    affiliate,
    finance_api,
    fx_feed,
    products_api,
    shop_analytics,
    shop_api,
    shop_auth,
)
from sandbox.ads_api import PREFIX as ADS_PREFIX
from sandbox.ads_gate import ads_error
from sandbox.codes import ADS_SYSTEM_ERROR, SHOP_INTERNAL, SHOP_NOT_FOUND
from sandbox.config import GeneratorConfig
from sandbox.credentials import DemoCredentials, demo_credentials
from sandbox.dataset import Dataset
from sandbox.faults import FaultClient, FaultRegistry
from sandbox.generator import generate
from sandbox.index import index_of
from sandbox.ratelimit import RateLimiter
from sandbox.shop_gate import shop_error
from sandbox.state import SandboxState
from sandbox.tokens import ACCESS_TTL, REFRESH_TTL, TokenStore
from sandbox.truth import ShopWeekTruth
from sandbox.web import QuietServer, Request, Response, Router, make_handler

_DATASETS: dict[GeneratorConfig, Dataset] = {}
_DATASETS_LOCK = threading.Lock()


def cached_dataset(config: GeneratorConfig) -> Dataset:
    """The data set of a config, generated (and indexed) once per process (data sets are
    read-only)."""
    with _DATASETS_LOCK:
        if config not in _DATASETS:
            dataset = generate(config)
            index_of(dataset)  # built with the data set, not by the first request
            _DATASETS[config] = dataset
        return _DATASETS[config]


def build_app(state: SandboxState) -> Router:
    """Every route of the simulator."""
    router = Router()
    for module in (
        shop_auth,
        shop_api,
        finance_api,
        affiliate,
        shop_analytics,
        products_api,
        ads_api,
        admin_api,
        fx_feed,
    ):
        module.add_routes(router, state)
    return router


def make_dispatch(state: SandboxState, router: Router) -> Callable[[Request], Response]:
    """The one entry point: route, count (calls and the handler's CPU seconds per path), and
    turn crashes into 5xx envelopes."""

    def dispatch(req: Request) -> Response:
        started = time.thread_time()
        handler, args, known = router.find(req.method, req.path)
        path = req.path if handler else "<unrouted>"
        try:
            return _answer(req, handler, args, known)
        finally:
            state.count_request(path, time.thread_time() - started)

    def _answer(req: Request, handler: Callable[[Request], Response] | None,
                args: dict[str, str], known: bool) -> Response:
        ads = req.path.startswith(ADS_PREFIX)
        if handler is None:
            status = 405 if known else 404
            return (
                ads_error(40002, "Unknown path", status)
                if ads
                else shop_error(status, SHOP_NOT_FOUND)
            )
        req.path_args = args
        try:
            return handler(req)
        except Exception as exc:  # a simulator bug must still answer like the platform would
            if ads:
                return ads_error(ADS_SYSTEM_ERROR, f"sandbox error: {exc!r}", 500)
            return shop_error(500, SHOP_INTERNAL, f"sandbox error: {exc!r}")

    return dispatch


@dataclass
class Sandbox:
    """A simulator serving a generated data set; see ``Sandbox.start``."""

    state: SandboxState
    server: QuietServer
    thread: threading.Thread | None = None
    process: int | None = None  #: the serving process's id, when it serves in its own
    faults: FaultClient = field(init=False)

    def __post_init__(self) -> None:
        self.faults = FaultClient(self.base_url)

    @classmethod
    def start(
        cls,
        config: GeneratorConfig | None = None,
        port: int = 0,
        credentials: DemoCredentials | None = None,
        qps: float | None = None,
        host: str = "127.0.0.1",
        scenario: Path | None = None,
        access_ttl: float = ACCESS_TTL,
        refresh_ttl: float = REFRESH_TTL,
        background: bool = True,
        own_process: bool = False,
    ) -> Sandbox:
        """Generate (or reuse) the data set and serve it, in a daemon thread if ``background``,
        or, with ``own_process``, in a forked process where this one runs a single thread (a
        fork copies the locks other threads hold; elsewhere it falls back to the thread)."""
        dataset = cached_dataset(config or GeneratorConfig())
        state = SandboxState(
            dataset,
            demo_credentials(dataset, credentials),
            TokenStore(access_ttl, refresh_ttl),
            FaultRegistry(),
            RateLimiter(qps),
        )
        if scenario:
            state.faults.load_scenario(scenario)
        server = QuietServer((host, port), make_handler(make_dispatch(state, build_app(state))))
        sandbox = cls(state, server)
        if own_process and hasattr(os, "fork") and threading.active_count() == 1:
            sandbox.process = _serve_in_child(server)
        elif background:
            sandbox.thread = threading.Thread(
                target=server.serve_forever, name="tiktok-sandbox", daemon=True
            )
            sandbox.thread.start()
        return sandbox

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def shop_auth_url(self) -> str:
        """Base URL of the shop auth host (``/api/v2/token/...``)."""
        return self.base_url

    @property
    def shop_api_url(self) -> str:
        """Base URL of the Shop API host."""
        return self.base_url

    @property
    def ads_api_url(self) -> str:
        """Base URL of the Business API, version included."""
        return self.base_url + ADS_PREFIX

    @property
    def credentials(self) -> DemoCredentials:
        """App credentials and demo sellers."""
        return self.state.credentials

    @property
    def dataset(self) -> Dataset:
        """The data set being served."""
        return self.state.dataset

    @property
    def truth(self) -> dict[tuple[str, date], ShopWeekTruth]:
        """Ground truth per (shop_id, local week start)."""
        return self.state.dataset.truth

    @property
    def anomalies(self) -> list[dict[str, Any]]:
        """The planted-anomaly manifest."""
        return self.state.dataset.anomalies

    def new_auth_code(self, seller: int = 0, api: str = "shop") -> str:
        """A fresh single-use auth code for a demo seller (as if they authorized again)."""
        if self.process:
            return str(self._admin("POST", "/sandbox/auth_codes",
                                   {"seller": seller, "api": api})["code"])
        return self.state.tokens.mint_code(api, seller)

    def set_qps(self, qps: float | None) -> None:
        """Change the enforced request rate (None: unlimited)."""
        if self.process:
            self._admin("POST", "/sandbox/qps", {"qps": qps})
        else:
            self.state.limiter.set_qps(qps)

    def stats(self) -> dict[str, Any]:
        """What the simulator has answered: ``requests`` and handler ``cpu_seconds`` per path
        (admin paths included), and ``rate_limited`` (requests refused over the rate)."""
        if self.process:
            found: dict[str, Any] = self._admin("GET", "/sandbox/stats")
            return found
        return admin_api.stats_json(self.state)

    def _admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """An admin endpoint's JSON answer (the state lives in the serving process)."""
        response = httpx.request(method, self.base_url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def set_clock(self, days_back: int = 0) -> None:
        """Move the API clock ``days_back`` whole days before the data set's end (0: the end).

        Orders created later vanish, statuses and refunds are as of then, and the last three
        days' ad conversions are less mature, so a later sync sees them change. Truth stays at
        the end.
        """
        if self.process:
            self._admin("POST", "/sandbox/clock", {"days_back": days_back})
        else:
            self.state.set_days_back(days_back)

    def serve_forever(self) -> None:
        """Serve in the current thread until interrupted."""
        self.server.serve_forever()

    def stop(self) -> None:
        """Stop serving and free the port (ending the serving process, if it has one)."""
        self.state.webhooks.stop()
        if self.process:
            os.kill(self.process, signal.SIGTERM)
            os.waitpid(self.process, 0)
            self.process = None
            return
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve_in_child(server: QuietServer) -> int:
    """Fork a process that serves ``server`` until it is sent SIGTERM (its default action ends
    it) or its parent is gone (checked between requests, at least every half second, so a
    killed caller leaves no server behind); this process closes its own copy of the listening
    socket and gets the child's id."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: serves, and never returns into the caller's code
        try:
            def orphaned() -> None:
                if os.getppid() != parent:
                    os._exit(0)

            server.service_actions = orphaned  # type: ignore[method-assign]
            server.serve_forever()
        finally:
            os._exit(0)
    server.socket.close()
    return pid
