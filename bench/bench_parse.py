"""Parser benchmark: CPU time of ``parse()`` on 100 / 4,096 / 40,000-character messages.

    .venv/bin/python bench/bench_parse.py [--sizes 100 4096 40000] [--repeat 3] [--shapes dates]
    .venv/bin/python bench/bench_parse.py --questions [--repeat 5]
    .venv/bin/python bench/bench_parse.py --ack [--hostile-rate 6] [--requests 300 --rate 20]
                                         [--code-root /path/to/another/checkout]

Each shape is a kind of message a hostile (or careless) user can paste: chatter of unknown and
misspelt words (every word goes through the "did you mean" matcher), command words repeated,
unclosed Slack mentions, a date followed by a run of spaces, digits and dates, Chinese text, and
one long word. ``parse()`` is called directly, without the chat input bound that the adapters and
``dispatch`` apply (``bot.commands.context.MAX_QUESTION_CHARS``), so the figures show the parser's
own cost; a linear parser takes about 400 times as long for 40,000 characters as for 100.

``--questions`` reads the question set (``tests/bot/questions.yaml``, 150+ questions as sellers,
ad buyers, content leads and bosses type them, half in Chinese) and prints the share read exactly
as expected and the parse time per question, p50/p95, beside a regular-expression pass over the
same questions (``bench/parse_accuracy.py``); the held-out set (``questions_heldout.yaml``, 80+
questions written without reading the grammar) gets its own accuracy line, the honest figure;
``bench_lines(scale)`` gives the same rows to ``tikpulse bench``.

``--ack`` measures what the parser's cost does to everybody else: the web process
(``tikpulse serve slack --http``, uvicorn) and RQ workers over ``bench/bench_bot.py``'s agency
data, ``--hostile-rate`` 40,000-character slash commands per second (half from a bound channel,
half from an unbound one) while ``bench_bot``'s ordinary load runs; it prints the ordinary
commands' ack and answer latencies and the hostile ones' acks. ``--code-root`` runs the web
process and workers from another checkout (e.g. an export of the previous commit) for a
before/after comparison. Figures only: no pass/fail.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.commands.grammar import parse  # noqa: E402

#: Words of the chatter shape: near-misses of command words and ordinary words.
CHATTER = ("roaz", "gmvv", "funel", "trafic", "creatros", "vidoes", "stok", "compair", "defne",
           "tagrets", "sumbit", "weather", "lunch", "tomorrow", "meeting", "banana", "hello",
           "qwerty", "zebra", "kpii", "overveiw", "inventroy", "preveiw", "subscirbe")


def _fill(unit: Callable[[random.Random], str], size: int) -> str:
    rng = random.Random(size)
    parts: list[str] = []
    length = 0
    while length < size:
        part = unit(rng)
        parts.append(part)
        length += len(part)
    return "".join(parts)[:size]


#: Message shapes: name -> (how to build a message of ``size`` characters).
SHAPES: dict[str, Callable[[int], str]] = {
    "chatter": lambda n: _fill(lambda r: r.choice(CHATTER) + str(r.randrange(100)) + " ", n),
    "nonsense": lambda n: _fill(lambda r: "".join(r.choice("bfhjqxyzk")
                                               for _ in range(r.randrange(3, 9))) + " ", n),
    "commands": lambda n: _fill(lambda r: r.choice(("roas ", "gmv ", "top ", "kpi ")), n),
    "mentions": lambda n: _fill(lambda _: "<@U1|", n),
    "spaces": lambda n: "2026" + " " * (n - 4),
    "dates": lambda n: _fill(lambda r: f"{r.randrange(1, 13)}-{r.randrange(1, 29)} ", n),
    "chinese": lambda n: _fill(lambda r: r.choice(("上周", "英国", "投产比", "你好", "天气")), n),
    "one_word": lambda n: "x" * n,
}


def time_parse(text: str, repeat: int) -> float:
    """Best of ``repeat`` CPU times of parsing ``text``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        parse(text)
        best = min(best, time.process_time() - started)
    return best


def print_parse_times(args: argparse.Namespace) -> None:
    """The table of parse times: one row per shape, one column per size, and the worst row."""
    print(f"{'shape':<10}" + "".join(f"{size:>12,} ch" for size in args.sizes))
    worst = dict.fromkeys(args.sizes, 0.0)
    for shape in args.shapes:
        cells = []
        for size in args.sizes:
            seconds = time_parse(SHAPES[shape](size), args.repeat)
            worst[size] = max(worst[size], seconds)
            cells.append(f"{seconds * 1000:12.2f} ms")
        print(f"{shape:<10}" + "".join(cells))
    print(f"{'worst':<10}" + "".join(f"{worst[size] * 1000:12.2f} ms" for size in args.sizes))


def ack_under_load(args: argparse.Namespace) -> None:
    """Ordinary slash commands' ack latency while long messages arrive (see the docstring)."""
    import httpx
    import redis

    from bench import bench_bot as bb
    from bench.bot_data import agency_registry, load_agency
    from bot.commands import BotContext
    from bot.commands.cache import TtlCache
    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade
    from tests.bot.slack_helpers import signed_headers, slash_body

    folder = Path(tempfile.mkdtemp(prefix="tikpulse-bench-parse-"))
    engine = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    upgrade(engine)
    load_agency(engine, args.shops, args.days)
    registry = agency_registry(args.shops)
    ctx = BotContext(registry, engine, None, answers=TtlCache(ttl=0))
    channels = [t.chats.slack[0].channel for t in registry.tenants]
    hostile = SHAPES["dates"](40000)
    redis.Redis.from_url(args.redis_url).delete("rq:queue:" + ctx.queue_name)
    with bb.TimedSlack() as slack:
        env = bb._process_env(ctx, args, folder, engine, slack)
        root = Path(args.code_root or Path(__file__).parents[1]).resolve()
        env["PYTHONPATH"] = str(root)  # with cwd: the processes import this checkout's code
        python = [sys.executable, "-c", "import sys; from jobs.cli import main; sys.exit(main())"]
        port = bb._free_port()
        server = subprocess.Popen([*python, "serve", "slack", "--http", str(port), "--host",
                                   "127.0.0.1"], env=env, cwd=root,
                                  stderr=(folder / "serve.log").open("w"))
        workers = [subprocess.Popen([str(Path(sys.executable).with_name("rq")), "worker", "--url",
                                     args.redis_url, "--worker-class", "rq.worker.SimpleWorker",
                                     "--quiet", env["BENCH_QUEUE"]], env=env, cwd=root)
                   for _ in range(args.workers)]
        acks: list[float] = []
        statuses: list[int] = []
        stop = threading.Event()

        def attack() -> None:
            with httpx.Client(timeout=30) as http:
                i = 0
                while not stop.is_set():
                    channel = channels[0] if i % 2 else "C0HOSTILE"
                    body = slash_body(hostile, channel=channel, user=f"UHOSTILE{i % 50}",
                                      response_url=slack.response_url(f"h{i}"))
                    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
                    started = time.perf_counter()
                    response = http.post(f"http://127.0.0.1:{port}/slack/events",
                                         content=body.encode(), headers=headers)
                    acks.append(time.perf_counter() - started)
                    statuses.append(response.status_code)
                    i += 1
                    stop.wait(1 / args.hostile_rate)

        try:
            bb._wait_up(port)
            bb._warm_up(f"http://127.0.0.1:{port}", slack, channels, 4 * (args.workers + 1))
            attackers = [threading.Thread(target=attack) for _ in range(2)]
            for thread in attackers:
                thread.start()
            bb.load(f"http://127.0.0.1:{port}", slack, channels, args)
            stop.set()
            for thread in attackers:
                thread.join()
            answered = sum(1 for key in slack.arrived if key.startswith("h"))
            print(f"hostile acks    {bb.percentiles(acks)}; {statuses.count(200)} acked with "
                  f"200, {answered} answered by the end of the ordinary load")
        finally:
            stop.set()
            for proc in (server, *workers):
                proc.terminate()
                proc.wait(timeout=30)
            redis.Redis.from_url(args.redis_url).delete(f"rq:queue:{env['BENCH_QUEUE']}")


def bench_lines(scale: str) -> list[dict[str, str]]:
    """Rows for ``tikpulse bench`` (keys line, figure, anchor, note): the question set's
    accuracy and parse time per question (p50, p95), and the load average."""
    from bench.parse_accuracy import REPEATS, measure
    from tests.bot.question_set import HELDOUT_FILE

    got = measure(REPEATS.get(scale, 5))
    held = measure(1, HELDOUT_FILE)
    groups = ", ".join(f"{g} {r}/{n}" for g, (r, n) in sorted(got.groups.items()))
    misread = ", ".join(f"{k} {n}" for k, n in sorted(held.kinds.items())) or "none"
    anchor = f"regex pass over the same questions, p50 {got.anchor_p50_us:.1f} µs"
    return [
        {"line": "question set read as expected", "figure": f"{got.right}/{got.asked}",
         "anchor": f"{got.right / got.asked:.1%}", "note": groups},
        {"line": "held-out questions read as expected", "figure": f"{held.right}/{held.asked}",
         "anchor": f"{held.right / held.asked:.1%}",
         "note": f"slots misread: {misread}; wrong: " + ("; ".join(held.wrong[:5]) or "none")},
        {"line": "parse time per question p50, µs", "figure": f"{got.p50_us:.0f}",
         "anchor": anchor, "note": f"first Chinese question (jieba load) {got.cold_ms:.0f} ms"},
        {"line": "parse time per question p95, µs", "figure": f"{got.p95_us:.0f}",
         "anchor": anchor, "note": "wrong: " + ("; ".join(got.wrong[:5]) or "none")},
        {"line": "load average (1/5/15 min)", "figure": _load(), "anchor": "",
         "note": f"{os.cpu_count()} cores"},
    ]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 4096, 40000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--ack", action="store_true", help="ack latency under long messages")
    parser.add_argument("--hostile-rate", type=float, default=3.0,
                        help="long messages per second from each of two senders")
    parser.add_argument("--code-root", default=None, help="checkout the server runs from")
    parser.add_argument("--shops", type=int, default=40)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="ordinary commands per second")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/14"))
    parser.add_argument("--questions", action="store_true",
                        help="accuracy and time per question of the question set")
    args = parser.parse_args()
    if args.questions:
        for row in bench_lines("demo" if args.repeat < 20 else "agency"):
            print(f"{row['line']:<34} {row['figure']:>10}  | {row['anchor']}  | {row['note']}")
    elif args.ack:
        ack_under_load(args)
    else:
        print_parse_times(args)


if __name__ == "__main__":
    main()
