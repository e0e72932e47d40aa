"""``tikpulse sandbox serve`` starts a server that prints its credentials and serves the API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from sandbox.cli import sandbox

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_credentials_and_serves() -> None:
    port = _free_port()
    cmd = [
        sys.executable,
        "-c",
        "from sandbox.cli import sandbox; sandbox()",
        "serve",
        "--port",
        str(port),
        "--seed",
        "3",
        "--shops",
        "2",
        "--weeks",
        "3",
        "--end",
        "2026-11-23",
        "--daily-orders",
        "10",
        "--app-key",
        "mykey",
        "--app-secret",
        "mysecret",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}" in text and "TIKTOK_APP_KEY=mykey" in text
        assert "TIKTOK_APP_SECRET=mysecret" in text
        for _ in range(50):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/sandbox/health").json()["shops"] == 2
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("sandbox did not answer")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0  # a clean stop


def test_truth_command_prints_weeks() -> None:
    result = CliRunner().invoke(
        sandbox,
        ["truth", "--shops", "1", "--weeks", "3", "--end", "2026-11-23", "--daily-orders", "5"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [w["week_start"] for w in data["weeks"]] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert data["weeks"][0]["currency"] == "GBP"
