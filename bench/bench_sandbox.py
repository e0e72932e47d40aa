"""Benchmark of the sandbox: data generation (demo set and 200 shops x 1 year) and API throughput.

Each generation runs in a fresh subprocess so its peak resident memory (ru_maxrss) is its own;
CPU seconds are printed beside wall time because a busy machine stretches the latter.

    .venv/bin/python bench/bench_sandbox.py            # demo + 200-shop year + throughput
    .venv/bin/python bench/bench_sandbox.py --quick    # demo + throughput only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCALES = {
    "demo (3 shops x 10 weeks)": dict(seed=7, shops=3, weeks=10),
    "200 shops x 52 weeks": dict(seed=7, shops=200, weeks=52),
}
CHILD = """
import json, resource, sys, time
from datetime import date
from sandbox import GeneratorConfig, generate
kw = json.loads(sys.argv[1])
t = time.perf_counter()
ds = generate(GeneratorConfig(end=date(2026, 11, 23), **kw))
took = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": took, "cpu_seconds": cpu, "peak_rss_mb": peak,
                  "orders": len(ds.orders), "lines": len(ds.lines), "refunds": len(ds.refunds),
                  "ad_rows": len(ds.ad_rows), "truth_weeks": len(ds.truth)}))
"""


def bench_generation(name: str, kwargs: dict) -> dict:
    """Generate one data set in a subprocess; its time, peak memory and size."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(kwargs)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(
        f"{name:28s} {result['seconds']:6.2f} s wall, "
        f"{result['cpu_seconds']:5.1f} s CPU (with imports)"
        f"  peak RSS {result['peak_rss_mb']:5.0f} MB  "
        f"{result['orders']:>10,} orders {result['lines']:>11,} lines "
        f"{result['refunds']:>9,} refunds "
        f"{result['ad_rows']:>9,} ad rows"
    )
    return result


SERVER = [
    sys.executable,
    "-c",
    "from sandbox.cli import sandbox; sandbox()",
    "serve",
    "--seed",
    "7",
    "--shops",
    "3",
    "--weeks",
    "10",
    "--end",
    "2026-11-23",
]


def bench_throughput(seconds: float = 3.0, clients: int = 4) -> float:
    """Signed order-search pages (100 orders each) per second against ``tikpulse sandbox serve``
    in its own process, from ``clients`` keep-alive clients in threads of this process."""
    sys.path.insert(0, str(ROOT / "tests" / "sandbox"))
    from concurrent.futures import ThreadPoolExecutor


    port = _free_port()
    server = subprocess.Popen([*SERVER, "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base)
        with ThreadPoolExecutor(clients) as pool:
            counts = list(pool.map(lambda i: _page_loop(base, seconds), range(clients)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    rate = sum(counts) / seconds
    print(
        f"{'order pages (100 orders) / s':28s} {rate:6.0f}  ({clients} clients, keep-alive, signed)"
    )
    return rate


def _page_loop(base: str, seconds: float) -> int:
    """Walk order pages of the GB shop for ``seconds``; the number of pages fetched."""
    import httpx
    from sandbox_helpers import ShopCaller

    from sandbox.credentials import DemoCredentials

    creds = DemoCredentials()
    with httpx.Client(timeout=30) as http:
        code = http.post(base + "/sandbox/auth_codes", json={"seller": 0, "api": "shop"}).json()[
            "code"
        ]
        data = http.get(
            base + "/api/v2/token/get",
            params={
                "app_key": creds.app_key,
                "app_secret": creds.app_secret,
                "auth_code": code,
                "grant_type": "authorized_code",
            },
        ).json()["data"]
        caller = ShopCaller(_Urls(base, creds), http, data["access_token"], data["refresh_token"])
        cipher = caller.shops()[0]["cipher"]
        done, token, started = 0, "", time.perf_counter()
        while time.perf_counter() - started < seconds:
            query = {"page_size": 100, **({"page_token": token} if token else {})}
            page = caller.call("POST", "/order/202309/orders/search", query, {}, cipher=cipher)
            token, done = page.json()["data"]["next_page_token"], done + 1
        return done


class _Urls:
    """The two attributes ``ShopCaller`` needs from a sandbox, for one in another process."""

    def __init__(self, base: str, credentials: object) -> None:
        self.shop_api_url, self.credentials = base, credentials


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(base: str) -> None:
    import httpx

    for _ in range(300):
        try:
            httpx.get(base + "/sandbox/health", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("sandbox did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 200-shop year")
    args = parser.parse_args()
    for name, kwargs in SCALES.items():
        if args.quick and kwargs["shops"] > 3:
            continue
        bench_generation(name, kwargs)
    bench_throughput()


if __name__ == "__main__":
    main()
