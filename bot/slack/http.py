"""HTTP mode for the Slack app: a small threaded server in front of ``App.dispatch``.

Slack posts slash commands and events to ``/slack/events``; bolt verifies the signature (signing
secret, 5-minute window), the listener acks, and the answer follows through ``response_url``.
Each request gets its own thread, so a slow answer never delays another command's ack.
"""

from __future__ import annotations

from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.request import BoltRequest

#: Path Slack is configured to post to (Request URL of the slash commands and events).
EVENTS_PATH = "/slack/events"
#: Largest request body accepted (Slack sends a few kilobytes).
MAX_BODY_BYTES = 1_000_000


def make_server(app: App, host: str, port: int) -> ThreadingHTTPServer:
    """A threaded HTTP server for ``app`` on ``host:port`` (port 0: any free port)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            split = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            if split.path != EVENTS_PATH or length > MAX_BODY_BYTES:
                self._send(404, b"not found", {})
                return
            body = self.rfile.read(length).decode("utf-8")
            headers: dict[str, str | Sequence[str]] = {
                k.lower(): v for k, v in self.headers.items()}
            response = app.dispatch(BoltRequest(body=body, query=split.query, headers=headers))
            extra = {k: v[0] for k, v in response.headers.items() if v}
            self._send(response.status, (response.body or "").encode("utf-8"), extra)

        def do_GET(self) -> None:  # noqa: N802
            ok = urlsplit(self.path).path == "/healthz"
            self._send(200 if ok else 404, b"ok" if ok else b"not found", {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # requests are logged by the command layer with their latency

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
