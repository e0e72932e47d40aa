"""Bot load benchmark: signed slash commands against the HTTP-mode Slack app on loopback.

    .venv/bin/python bench/bench_bot.py [--shops 200] [--days 365] [--requests 600] [--rate 40]
                                        [--workers 2 --redis-url redis://127.0.0.1:6379/14]

Agency-size data (``--shops`` stores of 20 tenants, ``--days`` of daily rollups, ads, traffic and
creators) is bulk-written into a fresh SQLite warehouse (or ``--database-url``). The bolt app
serves ``/slack/events`` on 127.0.0.1 through the web process (uvicorn); ``--requests`` signed
``/tikpulse`` commands are sent at ``--rate`` per second from ``--clients`` threads (stopping
after ``--max-seconds``). Ack latency is the HTTP response time (Slack's limit is 3 s); answer
latency is from sending to the answer arriving at the fake Slack server's ``response_url``.
The web process is the real ``tikpulse serve slack --http`` (answer cache and rate limit on), with
``--workers`` RQ worker processes taking the overflow and chart questions, as in production; all
of them share this machine's cores with the load generator. Also prints uncached in-process KPI
answer and chart (``why``) latencies. Figures only: no pass/fail.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import redis
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.bot_data import agency_registry, load_agency  # noqa: E402
from bot.commands import BotContext, Request, dispatch  # noqa: E402
from bot.commands.cache import TtlCache  # noqa: E402
from bot.commands.context import DEFAULT_QUEUE  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from tests.bot.slack_helpers import SIGNING_SECRET, signed_headers, slash_body  # noqa: E402
from tests.fakes.http import Call, Reply  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

#: Question templates; ``{week}`` is one of the last ``WEEKS_ASKED`` ISO weeks, picked at random.
QUESTIONS = ("roas all {week}", "gmv {week}", "kpi last 7 days", "roas GB {week}",
             "top creators 5 by roi {week}", "funnel {week}", "compare GB US {week}", "traffic",
             "gmv 11-01..11-15", "define roas_true", "{week} 投产比", "stock at risk")
WEEKS_ASKED = 26


class TimedSlack(FakeSlack):
    """The fake Slack server, noting when each response_url answer arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}

    def route(self, call: Call) -> Reply:
        if call.method == "response_url":
            self.arrived[call.path.removeprefix("/response/")] = time.perf_counter()
        return super().route(call)


def percentiles(values: list[float]) -> str:
    """p50 / p95 / p99 / p99.9 / max in milliseconds."""
    if not values:
        return "no samples"
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (f"p50 {at(0.5):7.1f} ms  p95 {at(0.95):7.1f} ms  p99 {at(0.99):7.1f} ms  "
            f"p99.9 {at(0.999):7.1f} ms  max {ordered[-1] * 1000:7.1f} ms  (n={len(values)})")


def in_process(ctx: BotContext, channel: str, text: str, repeat: int) -> list[float]:
    """Latencies of answering ``text`` directly through ``dispatch`` (after one warm-up)."""
    dispatch(Request("slack", channel, "UBENCH", text), ctx)
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        dispatch(Request("slack", channel, "UBENCH", text), ctx)
        out.append(time.perf_counter() - started)
    return out


def load(url: str, slack: TimedSlack, channels: list[str], args: argparse.Namespace) -> None:
    """Fire the slash commands and print ack and answer latencies."""
    acks: list[float] = []
    refused: list[tuple[int, str]] = []
    sent: dict[str, float] = {}
    lock = threading.Lock()
    http = httpx.Client(timeout=30)
    deadline = time.perf_counter() + args.max_seconds

    rng = random.Random(7)
    asked = [(rng.choice(QUESTIONS).format(week=f"2026-W{47 - rng.randrange(WEEKS_ASKED):02d}"),
              rng.choice(channels)) for _ in range(args.requests)]

    def one(i: int) -> None:
        key = f"q{i}"
        text, channel = asked[i]
        body = slash_body(text, channel=channel, user=f"U{i % 97:08d}",
                          response_url=slack.response_url(key))
        headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
        started = time.perf_counter()
        response = http.post(f"{url}/slack/events", content=body.encode(), headers=headers)
        with lock:
            acks.append(time.perf_counter() - started)
            sent[key] = started
            if response.status_code != 200:
                refused.append((response.status_code, response.text[:80]))

    begun = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for i in range(args.requests):
            if time.perf_counter() > deadline:
                break
            pool.submit(one, i)
            time.sleep(max(0.0, begun + (i + 1) / args.rate - time.perf_counter()))
    sending = time.perf_counter() - begun
    wait_until = time.perf_counter() + 60
    while not all(k in slack.arrived for k in sent) and time.perf_counter() < wait_until:
        time.sleep(0.05)
    elapsed = time.perf_counter() - begun
    answers = [slack.arrived[k] - sent[k] for k in sent if k in slack.arrived]
    lost = [asked[int(k[1:])] for k in sent if k not in slack.arrived]
    if lost:
        print(f"{len(lost)} not answered within 60 s, e.g. {lost[:3]}")
    if refused:
        print(f"{len(refused)} commands not acked with 200, e.g. {refused[:3]}")
    print(f"sent {len(sent)} commands in {sending:.1f} s ({len(sent) / sending:.1f}/s); "
          f"{len(answers)} answered, the last {elapsed:.1f} s after the first was sent")
    print(f"ack latency     {percentiles(acks)}")
    print(f"answer latency  {percentiles(answers)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rate", type=float, default=40.0, help="commands per second")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="tikpulse-bench-bot-"))
    engine = make_engine(args.database_url or f"sqlite:///{folder / 'warehouse.db'}")
    upgrade(engine)
    started = time.perf_counter()
    rows = load_agency(engine, args.shops, args.days)
    print(f"data: {args.shops} shops x {args.days} days, {rows:,} rollup rows "
          f"written in {time.perf_counter() - started:.1f} s")
    registry = agency_registry(args.shops)
    ctx = BotContext(registry, engine, None, answers=TtlCache(ttl=0))  # cold: no reuse
    ctx.tenants()
    channels = [t.chats.slack[0].channel for t in registry.tenants]
    big = channels[0]
    print(f"in-process KPI answer, uncached (roas all, {len(registry.tenants[0].stores)} stores, "
          f"last week)  {percentiles(in_process(ctx, big, 'roas all last week', 40))}")
    print(f"in-process KPI answer, uncached (kpi one store, 2026-W40)       "
          f"{percentiles(in_process(ctx, big, 'kpi GB 2026-W40', 40))}")
    print(f"in-process chart answer, uncached (why gmv, waterfall PNG)      "
          f"{percentiles(in_process(ctx, big, 'why gmv last week', 10))}")
    with TimedSlack() as slack:
        env = _process_env(ctx, args, folder, engine, slack)
        port = _free_port()
        server = subprocess.Popen([str(Path(sys.executable).with_name("tikpulse")), "serve",
                                   "slack", "--http", str(port), "--host", "127.0.0.1"],
                                  env=env, stderr=(folder / "serve.log").open("w"))
        workers = [subprocess.Popen([str(Path(sys.executable).with_name("rq")), "worker", "--url",
                                     args.redis_url, "--worker-class", "rq.worker.SimpleWorker",
                                     "--quiet", env["BENCH_QUEUE"]], env=env)
                   for _ in range(args.workers)]
        try:
            _wait_up(port)
            _warm_up(f"http://127.0.0.1:{port}", slack, channels, 4 * (args.workers + 1))
            load(f"http://127.0.0.1:{port}", slack, channels, args)
        finally:
            for proc in (server, *workers):
                proc.terminate()
                proc.wait(timeout=30)
            redis.Redis.from_url(args.redis_url).delete(f"rq:queue:{env['BENCH_QUEUE']}")


def _process_env(ctx: BotContext, args: argparse.Namespace, folder: Path, engine,  # type: ignore[no-untyped-def]
                 slack: TimedSlack) -> dict[str, str]:
    """Environment of the web and worker processes: this run's warehouse, tenants, fake Slack."""
    tenants = folder / "tenants.yaml"
    tenants.write_text(yaml.safe_dump({"tenants": [
        t.model_dump(mode="json", exclude_defaults=True) for t in ctx.tenants_file.tenants]}))
    return {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "REDIS_URL": args.redis_url, "TIKPULSE_CONFIG": str(tenants),
            "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "BENCH_QUEUE": DEFAULT_QUEUE}


def _warm_up(url: str, slack: TimedSlack, channels: list[str], count: int) -> None:
    """A few chart questions at once, so every process has imported what it needs."""
    keys = [f"warm{i}" for i in range(count)]
    with httpx.Client(timeout=30) as http, ThreadPoolExecutor(count) as pool:
        for i, key in enumerate(keys):
            body = slash_body("why gmv last week", channel=channels[i % len(channels)],
                              user=f"UWARM{i:04d}", response_url=slack.response_url(key))
            headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
            pool.submit(http.post, f"{url}/slack/events", content=body.encode(), headers=headers)
    deadline = time.perf_counter() + 120
    while not all(k in slack.arrived for k in keys) and time.perf_counter() < deadline:
        time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_up(port: int) -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the Slack HTTP server did not start within 60 s")


if __name__ == "__main__":
    main()
