"""No traceback reaches a user without ``-v``: a short secret key, a warehouse that was never
migrated (and the single-use authorization code is not spent on it), Redis down during a sync
(the run is recorded as failed), a port in use — each is one line that says what to do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from jobs.warehouse.db import make_engine
from jobs.warehouse.schema import job_runs
from sandbox import GeneratorConfig, Sandbox

ROOT = Path(__file__).resolve().parents[2]
KEY = "clear-errors-secret-key-012345678"


def tikpulse(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "TIKPULSE_CONFIG"}
    return subprocess.run([sys.executable, "-m", "jobs.cli", *args], cwd=ROOT, timeout=timeout,
                          env={**base, **env}, capture_output=True, text=True)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def sb():
    with Sandbox.start(config=GeneratorConfig(seed=8, shops=1, weeks=2,
                                              end=date(2026, 11, 23))) as sandbox:
        yield sandbox


def shop_env(sb, database: Path, redis_url: str) -> dict[str, str]:
    c = sb.credentials
    return {"DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url,
            "TIKPULSE_SECRET_KEY": KEY, "TIKTOK_APP_KEY": c.app_key,
            "TIKTOK_APP_SECRET": c.app_secret, "TIKTOK_SHOP_AUTH_URL": sb.shop_auth_url,
            "TIKTOK_SHOP_API_URL": sb.shop_api_url}


def test_a_short_secret_key_says_how_to_make_one(sb, tmp_path, redis_url):
    env = {**shop_env(sb, tmp_path / "w.db", redis_url), "TIKPULSE_SECRET_KEY": "short"}
    done = tikpulse("auth", "connect-shop", "--auth-code", "x", "--tenant", "t", env=env)
    assert done.returncode == 2
    assert "at least 16 characters" in one_line(done) and "secrets.token_urlsafe" in done.stderr


def test_connecting_before_the_warehouse_exists_keeps_the_code(sb, tmp_path, redis_url):
    code = sb.new_auth_code(0, "shop")
    env = shop_env(sb, tmp_path / "w.db", redis_url)
    done = tikpulse("auth", "connect-shop", "--auth-code", code, "--tenant", "t", env=env)
    assert done.returncode == 1
    assert "run 'tikpulse db upgrade' first" in one_line(done)
    assert sb.state.tokens.shop_codes[code].used is False  # the seller need not authorize again
    assert tikpulse("db", "upgrade", env=env).returncode == 0
    done = tikpulse("auth", "connect-shop", "--auth-code", code, "--tenant", "t", env=env)
    assert done.returncode == 0, done.stderr


def test_redis_down_during_a_sync_is_one_line_and_a_failed_run(sb, tmp_path, redis_url):
    env = shop_env(sb, tmp_path / "w.db", redis_url)
    assert tikpulse("db", "upgrade", env=env).returncode == 0
    code = sb.new_auth_code(0, "shop")
    assert tikpulse("auth", "connect-shop", "--auth-code", code, "--tenant", "t",
                    env=env).returncode == 0
    down = {**env, "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    done = tikpulse("sync", env=down)
    assert done.returncode == 1
    assert "Redis is not reachable" in one_line(done) and "REDIS_URL" in done.stderr
    engine = make_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        statuses = conn.execute(select(job_runs.c.status)).scalars().all()
    assert statuses and "running" not in statuses and "failed" in statuses
    verbose = tikpulse("-v", "sync", env=down)
    assert "Traceback" in verbose.stderr  # asked for: the details are there


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
        done = tikpulse("serve", "web", "--host", "127.0.0.1", "--port", str(port), env=env,
                        timeout=60)
        sandbox = tikpulse("sandbox", "serve", "--port", str(port), "--weeks", "2", env=env,
                           timeout=120)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in one_line(done)
    assert sandbox.returncode == 1 and "already in use" in one_line(sandbox)


@pytest.mark.parametrize("args", [["kpi", "--tenant", "acme", "--week", "9999-W52"],
                                  ["digest", "--tenant", "acme", "--week", "9999-W52",
                                   "--dry-run"]])
def test_an_impossible_week_is_a_bad_period_with_the_valid_range(tmp_path, args):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
           "TIKPULSE_CONFIG": str(ROOT / "config" / "tenants.example.yaml")}
    assert tikpulse("db", "upgrade", env=env).returncode == 0
    done = tikpulse(*args, env=env)
    assert done.returncode == 2
    assert "'9999-W52' is out of range: weeks of 2000 to 2100" in one_line(done)


def test_a_changed_secret_key_says_how_to_recover(sb, tmp_path, redis_url):
    env = shop_env(sb, tmp_path / "w.db", redis_url)
    assert tikpulse("db", "upgrade", env=env).returncode == 0
    assert tikpulse("auth", "connect-shop", "--auth-code", sb.new_auth_code(0, "shop"),
                    "--tenant", "t", env=env).returncode == 0
    done = tikpulse("sync", env={**env, "TIKPULSE_SECRET_KEY": "another-secret-key-0123456789"})
    assert done.returncode == 1
    line = one_line(done)
    assert "could not be decrypted" in line and "restore the old key or re-authorize" in line
