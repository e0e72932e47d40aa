"""The web process on uvicorn: an oversized body is refused without being read and nothing after
it is taken as a second request (no smuggling); a malformed Content-Length is a 400, not a crash;
the process keeps answering."""

from __future__ import annotations

import socket

import pytest

from jobs.web.app import MAX_BODY_BYTES, WebDeps, make_app
from tests.fakes.asgi import serve_asgi


@pytest.fixture
def web(sqlite_engine, redis_conn):
    deps = WebDeps(engine=sqlite_engine, redis=redis_conn, tiktok_app=("key", "secret"),
                   connect=None)
    with serve_asgi(make_app(deps)) as url:
        yield int(url.rsplit(":", 1)[1])


def exchange(port: int, raw: bytes) -> bytes:
    """Send ``raw`` on one connection and read until the server closes it (or 3 s pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
        conn.sendall(raw)
        data = b""
        try:
            while chunk := conn.recv(65536):
                data += chunk
        except TimeoutError:
            pass
    return data


def test_an_oversized_body_is_refused_and_nothing_is_smuggled(web):
    smuggled = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    head = (b"POST /tiktok/webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + str(2 * MAX_BODY_BYTES).encode() + b"\r\n\r\n")
    answer = exchange(web, head + smuggled)
    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.count(b"HTTP/1.1 ") == 1  # the bytes after the headers were not a request


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1e3"])
def test_a_malformed_content_length_is_a_400(web, length):
    answer = exchange(web, b"POST /tiktok/webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      + length + b"\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 400")
    assert exchange(web, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    ).startswith(b"HTTP/1.1 200")
