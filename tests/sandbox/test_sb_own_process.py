"""The sandbox served from a process of its own (``Sandbox.start(own_process=True)``, as
``tikpulse demo`` and the sync benchmark start it): it answers the platform's calls there, the
handle reaches its state over the admin endpoints, and stopping it ends the process and frees
the port. Where other threads run (a pytest-xdist worker runs several), it serves from a thread.

The forking case runs in a fresh interpreter, which runs one thread."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
from sandbox_helpers import DEMO

from sandbox import Sandbox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def test_a_sandbox_in_its_own_process_serves_there_and_stops(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import json, os
        import httpx
        from sandbox_helpers import DEMO, authorize_shop
        from sandbox import Sandbox

        sb = Sandbox.start(config=DEMO, own_process=True)
        pid = sb.process
        with httpx.Client(timeout=10) as http:
            shop = authorize_shop(sb, http)  # a code minted there, exchanged there
            cipher = shop.shops()[0]["cipher"]
            answer = shop.call("POST", "/order/202309/orders/search", {"page_size": 5}, {},
                               cipher=cipher).json()
        stats = sb.stats()
        here = sum(sb.state.requests.values())  # this process's copy of the state
        sb.stop()
        try:
            os.waitpid(pid, os.WNOHANG)
            reaped = False
        except ChildProcessError:
            reaped = True
        try:
            httpx.get(sb.base_url + "/sandbox/health", timeout=2)
            port_free = False
        except httpx.ConnectError:
            port_free = True
        print(json.dumps({"pid": pid, "me": os.getpid(), "orders": len(answer["data"]["orders"]),
                          "served": stats["requests"], "here": here, "reaped": reaped,
                          "port_free": port_free}))
    """)
    paths = os.pathsep.join([str(ROOT), str(HERE)])
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          env={**os.environ, "PYTHONPATH": paths}, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["pid"] and got["pid"] != got["me"]
    assert got["orders"] == 5
    assert got["served"]["/api/v2/token/get"] == 1
    assert got["served"]["/order/202309/orders/search"] == 1
    assert got["served"]["/sandbox/auth_codes"] == 1
    assert got["here"] == 0  # none of it was served by the caller's process
    assert got["reaped"] and got["port_free"]


def test_a_sandbox_whose_caller_dies_stops_serving(tmp_path: Path) -> None:
    """A caller killed without stopping its sandbox (no ``stop``, no ``with``) leaves no server
    behind: the serving process sees its parent gone and ends, and the port is free."""
    script = textwrap.dedent("""
        import os
        from sandbox_helpers import DEMO
        from sandbox import Sandbox

        sb = Sandbox.start(config=DEMO, own_process=True)
        print(sb.base_url, sb.process, flush=True)
        os._exit(0)  # as if killed: nothing runs after this
    """)
    paths = os.pathsep.join([str(ROOT), str(HERE)])
    caller = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, text=True,
                              env={**os.environ, "PYTHONPATH": paths},
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert caller.stdout is not None
    url, server = caller.stdout.readline().split()
    caller.stdout.close()  # the server holds a copy of the pipe: do not wait for its end
    assert caller.wait(timeout=60) == 0
    try:
        for _ in range(100):  # it checks between requests, every half second at the most
            try:
                httpx.get(url + "/sandbox/health", timeout=2)
            except httpx.ConnectError:
                break
            except httpx.TransportError:
                pass  # cut off while it was ending: ask again
            time.sleep(0.1)
        else:
            raise AssertionError(f"{url} still answers after its caller died")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(server), signal.SIGKILL)  # only if the test failed: leave nothing


def test_with_other_threads_running_it_serves_from_a_thread() -> None:
    hold = threading.Event()
    other = threading.Thread(target=hold.wait, daemon=True)
    other.start()  # whatever ran before: now this process runs more than one thread
    try:
        sb = Sandbox.start(config=DEMO, own_process=True)
        try:
            assert sb.process is None and sb.thread is not None and sb.thread.is_alive()
            assert httpx.get(sb.base_url + "/sandbox/health", timeout=10).status_code == 200
            assert sb.state.requests["/sandbox/health"] == 1  # served by this process
            assert sb.stats()["requests"] == dict(sb.state.requests)
        finally:
            sb.stop()
    finally:
        hold.set()
