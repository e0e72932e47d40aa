"""Chat answers through the Slack HTTP path under a fixed load: ``bench_lines(scale)``.

Rollups for the scale (``bench.bot_data``) go into a fresh SQLite warehouse; the real web
process (``tikpulse serve web``: ``jobs.web.app`` + ``bot.web_routes``, Slack events route) and
one RQ worker (the production ``Procfile`` command: the overflow of a busy web process goes
there) start as subprocesses pointed at the fake Slack Web API of ``tests.fakes.slack_api``.
Signed slash commands and ``app_mention`` events (KPI questions about random weeks) are then
sent at ``rate`` per second for ``seconds``, all signed before the clock starts. Measured: ack
latency (the HTTP response to Slack: its limit is 3 s) and answers completed per second (answers
posted to the fake Slack: ``response_url`` for commands, ``chat.postMessage`` in the thread for
mentions), beside anchors from the same run: the ``/healthz`` round trip and the answers per
second one thread gets from ``dispatch`` in process. Everything shares this machine's cores.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench import bench_bot as bb
from bench.bench_reads import ms
from bench.bot_data import LAST_DAY, agency_registry, load_agency
from bot.commands import BotContext, Request, dispatch
from bot.commands.cache import TtlCache
from bot.commands.context import DEFAULT_QUEUE
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import upgrade
from tests.bot.slack_helpers import SIGNING_SECRET, event_body, signed_headers, slash_body
from tests.fakes.http import Call, Reply
from tests.fakes.slack_api import SlackMessage

#: --scale -> (stores, days of rollups, questions per second, seconds of load).
SCALES = {"test": (4, 21, 20, 2.0), "demo": (20, 70, 100, 10.0), "agency": (200, 364, 100, 30.0)}
#: Questions (KPI answers); ``{week}`` is an ISO week with data.
QUESTIONS = ("kpi {week}", "roas {week}", "gmv {week}", "roas all {week}", "kpi all {week}")
#: Issue 19's targets for this path.
TARGET_RATE, TARGET_ACK_P99_MS = 100.0, 300.0
#: Seconds to wait for the last answers once the load stops.
DRAIN_S = 30.0
#: Questions answered before the clock starts (every process imports what answers need).
WARM_UP = 12
#: Concurrent senders (Slack sends each event on its own connection).
SENDERS = 64


class TimedSlack(bb.TimedSlack):
    """``bench_bot``'s timed fake Slack, also noting answers posted in a mention's thread."""

    def route(self, call: Call) -> Reply:
        if call.method == "chat.postMessage" and call.params.get("thread_ts"):
            self.arrived[f"t{call.params['thread_ts']}"] = time.perf_counter()
        return super().route(call)


def _drain(slack: TimedSlack, keys: list[str], seconds: float) -> None:
    """Wait until every answer of ``keys`` arrived, at most ``seconds``."""
    deadline = time.perf_counter() + seconds
    while not all(k in slack.arrived for k in keys) and time.perf_counter() < deadline:
        time.sleep(0.05)


def _questions(slack: TimedSlack, channels: list[str], weeks: list[str], n: int,
               prefix: str) -> list[tuple[str, str, str]]:
    """``n`` requests (key, body, content type): commands and mentions, alternating."""
    rng, run = random.Random(7), f"{time.time_ns() % 10**6:06d}"
    out = []
    for i in range(n):
        text = rng.choice(QUESTIONS).format(week=rng.choice(weeks))
        channel, user = rng.choice(channels), f"U{run}{i % 500:04d}"
        if i % 2 == 0:
            key = f"{prefix}c{i}"
            out.append((key, slash_body(text, channel=channel, user=user,
                                        response_url=slack.response_url(key)),
                        "application/x-www-form-urlencoded"))
        else:
            ts = f"{1764000000 + (prefix == 'w')}.{i:06d}"
            slack.messages[ts] = SlackMessage(channel, ts, f"<@U0TIKBOT> {text}", [])
            out.append((f"t{ts}", event_body({"type": "app_mention", "channel": channel,
                                              "user": user, "text": f"<@U0TIKBOT> {text}",
                                              "ts": ts}), "application/json"))
    return out


def _send(url: str, asked: list[tuple[str, str, str]], rate: float) -> (
    tuple[dict[str, float], list[float], int]
):
    """Post ``asked`` at ``rate`` per second; (send time per key, ack seconds, refused)."""
    sent: dict[str, float] = {}
    acks: list[float] = []
    refused = [0]
    lock = threading.Lock()
    signed = [(k, body, signed_headers(body, content_type=ct)) for k, body, ct in asked]
    limits = httpx.Limits(max_connections=SENDERS, max_keepalive_connections=SENDERS)
    with httpx.Client(timeout=30, limits=limits) as http:

        def one(key: str, body: str, headers: dict[str, str]) -> None:
            started = time.perf_counter()
            status = http.post(f"{url}/slack/events", content=body.encode(),
                               headers=headers).status_code
            with lock:
                sent[key], _ = started, acks.append(time.perf_counter() - started)
                refused[0] += status != 200

        begun = time.perf_counter()
        with ThreadPoolExecutor(SENDERS) as pool:
            for i, item in enumerate(signed):
                time.sleep(max(0.0, begun + i / rate - time.perf_counter()))
                pool.submit(one, *item)
    return sent, acks, refused[0]


def _in_process(engine: Any, registry: Any, channels: list[str], weeks: list[str]) -> float:
    """Answers per second of ``dispatch`` on one thread, in process, no answer cache."""
    ctx = BotContext(registry, engine, None, answers=TtlCache(ttl=0))
    rng = random.Random(11)
    texts = [(rng.choice(channels), rng.choice(QUESTIONS).format(week=rng.choice(weeks)))
             for _ in range(60)]
    dispatch(Request("slack", texts[0][0], "UBENCH", texts[0][1]), ctx)
    started = time.perf_counter()
    for channel, text in texts:
        dispatch(Request("slack", channel, "UBENCH", text), ctx)
    return len(texts) / (time.perf_counter() - started)


def bench_lines(scale: str, redis_url: str | None = None) -> list[dict[str, Any]]:
    """Ack latency and answers per second through the Slack HTTP path at ``scale``."""
    shops, days, rate, seconds = SCALES[scale]
    redis_url = redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    folder = Path(tempfile.mkdtemp(prefix="tikpulse-bench-slack-"))
    engine = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    upgrade(engine)
    load_agency(engine, shops, days)
    registry = agency_registry(shops)
    channels = [t.chats.slack[0].channel for t in registry.tenants]
    monday = LAST_DAY - timedelta(LAST_DAY.weekday() + 7)
    weeks = [(monday - timedelta(7 * w)).strftime("%G-W%V")
             for w in range(days // 7 - 1)]
    tenants = folder / "tenants.yaml"
    tenants.write_text(yaml.safe_dump({"tenants": [
        t.model_dump(mode="json", exclude_defaults=True) for t in registry.tenants]}))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with TimedSlack() as slack:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'warehouse.db'}",
                   "REDIS_URL": redis_url, "TIKPULSE_CONFIG": str(tenants),
                   "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
                   "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": str(_free_port())}
            procs, url, floor = _started(env, folder, redis_url)
            try:
                warm = _questions(slack, channels, weeks, WARM_UP, "w")
                _send(url, warm, WARM_UP)
                _drain(slack, [k for k, *_ in warm], DRAIN_S)
                asked = _questions(slack, channels, weeks, int(rate * seconds), "q")
                sent, acks, refused = _send(url, asked, rate)
                _drain(slack, list(sent), DRAIN_S)
                arrived = {k: slack.arrived[k] for k in sent if k in slack.arrived}
            finally:
                _stop(procs)  # while the fake Slack still answers: no job left waiting on it
        one_thread = _in_process(engine, registry, channels, weeks)
    finally:
        _stop(procs)
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    span = max(arrived.values(), default=0.0) - min(sent.values(), default=0.0)
    per_s = len(arrived) / span if span > 0 else 0.0
    waits = [arrived[k] - sent[k] for k in arrived]
    lost = len(sent) - len(arrived)
    return [
        {"line": f"Slack HTTP answers/s ({rate:g}/s offered for {seconds:g} s)",
         "figure": f"{per_s:.1f}/s", "anchor": f"dispatch 1 thread {one_thread:.0f}/s",
         "ratio": per_s / one_thread if one_thread else None, "target": f">={TARGET_RATE:g}/s",
         "note": f"{len(arrived)} of {len(sent)} answered (lost {lost}, refused {refused}); "
                 f"answer p50 {ms(waits, .5) if waits else 0:.0f} ms "
                 f"p99 {ms(waits, .99) if waits else 0:.0f} ms"},
        {"line": "Slack HTTP ack p50 / p99 ms", "figure": f"{ms(acks, .5):.1f} / "
         f"{ms(acks, .99):.1f}", "anchor": f"/healthz p99 {ms(floor, .99):.1f}",
         "ratio": ms(acks, .99) / ms(floor, .99), "target": f"p99<{TARGET_ACK_P99_MS:g}",
         "note": "web process + 1 RQ worker, signed commands and mentions"},
    ]


def _start(env: dict[str, str], folder: Path, redis_url: str) -> list[subprocess.Popen[bytes]]:
    """The web process and one RQ worker (as in the Procfile), logs in ``folder``."""
    bin_dir = Path(sys.executable).parent
    web = subprocess.Popen([str(bin_dir / "tikpulse"), "serve", "web", "--host", "127.0.0.1"],
                           env=env, stdout=subprocess.DEVNULL,
                           stderr=(folder / "web.log").open("w"))
    worker = subprocess.Popen([str(bin_dir / "rq"), "worker", "-c", "jobs.worker_preload",
                               "--url", redis_url, "--quiet", DEFAULT_QUEUE], env=env,
                              stdout=subprocess.DEVNULL, stderr=(folder / "rq.log").open("w"))
    return [web, worker]


def _started(env: dict[str, str], folder: Path, redis_url: str) -> (
    tuple[list[subprocess.Popen[bytes]], str, list[float]]
):
    """The processes up and answering, their URL and the HTTP floor. A free port can be taken
    by another program before the web process binds it: then it exits, and the processes start
    again on another port (three tries)."""
    for attempt in range(3):
        procs = _start(env, folder, redis_url)
        url = f"http://127.0.0.1:{env['PORT']}"
        try:
            return procs, url, _health(url, procs[0])
        except BaseException as exc:
            _stop(procs)  # the caller only stops the processes it was given
            if attempt == 2 or not isinstance(exc, _WebExited):
                raise
            env["PORT"] = str(_free_port())
    raise AssertionError("unreachable")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop the processes: SIGTERM (the RQ worker finishes its job), SIGKILL after 30 s."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _WebExited(RuntimeError):
    """The web process exited before it answered."""


def _health(url: str, web: subprocess.Popen[bytes]) -> list[float]:
    """Wait for the web process, then time 50 ``/healthz`` round trips (the HTTP floor)."""
    deadline = time.perf_counter() + 60
    with httpx.Client(timeout=2) as http:
        while True:
            try:
                if http.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if web.poll() is not None:
                raise _WebExited(f"the web process exited ({web.returncode}) before it answered")
            if time.perf_counter() > deadline:
                raise RuntimeError("the web process did not start within 60 s")
            time.sleep(0.1)
        out = []
        for _ in range(50):
            started = time.perf_counter()
            http.get(f"{url}/healthz")
            out.append(time.perf_counter() - started)
    return out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
