"""A framework-neutral request and response, routing, and the stdlib HTTP adapter around them.

``App.dispatch(Request) -> Response`` is the one entry point; ``serve`` runs it behind a
``ThreadingHTTPServer`` with HTTP/1.1 keep-alive. Responses may ask for a delay (simulated
timeouts) before they are written.
"""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """An incoming request: method, path, decoded query (all values), lower-case headers, body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    path_args: dict[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def params(self) -> dict[str, str]:
        """Query parameters with their first values (what the signature covers)."""
        return {k: v[0] for k, v in self.query.items() if v}

    def json(self) -> Any:
        """The body parsed as JSON ({} when empty); ValueError when it is not JSON."""
        return json.loads(self.body) if self.body.strip() else {}


@dataclass
class Response:
    """An outgoing response; ``delay`` holds it back (timeout faults)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with compact separators."""
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    return Response(status, body, {"content-type": "application/json", **(headers or {})})


def request_id() -> str:
    """A request id like the platforms' (a timestamp followed by random hex)."""
    return time.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:18].upper()


Handler = Callable[[Request], Response]


class Router:
    """Exact and templated (``{name}``) paths per method."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, str], Handler] = {}
        self._patterns: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, path: str, handler: Handler) -> None:
        """Route ``method path`` to ``handler``."""
        if "{" in path:
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
            self._patterns.append((method, re.compile(f"^{regex}$"), handler))
        else:
            self._exact[(method, path)] = handler

    def find(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """The handler, its path arguments, and whether the path exists under another method."""
        if (method, path) in self._exact:
            return self._exact[(method, path)], {}, True
        for m, regex, handler in self._patterns:
            match = regex.match(path)
            if match and m == method:
                return handler, match.groupdict(), True
        known = any(p == path for (_, p) in self._exact) or any(
            r.match(path) for _, r, _ in self._patterns
        )
        return None, {}, known


def make_handler(dispatch: Handler) -> type[BaseHTTPRequestHandler]:
    """A ``BaseHTTPRequestHandler`` class that feeds every request to ``dispatch``."""

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stalls

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = parse_qs(parts.query, keep_blank_values=True)
            response = dispatch(Request(self.command, parts.path, query, headers, body))
            if response.delay:
                time.sleep(response.delay)
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

    return _Handler


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print tracebacks of clients that hung up."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        return
