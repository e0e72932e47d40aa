"""The in-process HTTP server under the fake chat APIs (Slack, Telegram, Feishu, WeCom).

``FakeServer`` listens on a free local port in a background thread, parses every request body the
real clients send (query string, form, JSON, multipart with files), records it as a ``Call`` and
hands it to ``route(call) -> Reply``. Tests inject failures for the next N calls with ``fail_next``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    """One request as the server saw it: ``params`` merges query, form and JSON fields."""

    method: str  # API method name (chat.postMessage, sendPhoto, ...) or the raw path
    path: str
    http_method: str
    headers: dict[str, str]
    params: dict[str, Any]
    #: form field name -> (filename, data)
    files: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)
    body: bytes = b""
    status: int = 200  # what the server answered


@dataclass
class Reply:
    """What the server answers: a status, a JSON (or text) body and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    """An injected failure: answer ``status`` (and ``body``) instead of the real reply."""

    status: int
    body: Any
    headers: dict[str, str]
    method: str | None  # only calls to this API method, or any call


Files = dict[str, tuple[str | None, bytes]]


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], Files]:
    """Fields and files of a request body in any of the encodings the clients use."""
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}, {}
    if kind == "application/json":
        loaded = json.loads(body)
        return (loaded if isinstance(loaded, dict) else {"_json": loaded}), {}
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        fields: dict[str, Any] = {}
        files: Files = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = _bytes(part.get_payload(decode=True))
            filename = part.get_filename()
            if filename is not None or part.get_content_type() not in ("text/plain",):
                files[str(name)] = (filename, payload)
            else:
                fields[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
        return fields, files
    return {}, {"_body": (None, body)}


def _bytes(payload: object) -> bytes:
    """A decoded multipart payload (``bytes`` for any non-multipart part)."""
    return payload if isinstance(payload, bytes) else b""


class FakeServer:
    """A threaded local HTTP server that records calls and answers through ``route``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        #: Called with each call after it is carried out and before it is answered (a test can
        #: kill the client process there: the post exists, the client never hears of it).
        self.on_call: Callable[[Call], None] | None = None
        self._failures: list[Failure] = []
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Listen on a free port of 127.0.0.1 and serve in a daemon thread."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        assert self._httpd is not None, "start() the fake server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # --- inspection and failure injection -------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call to one API method, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def answered(self, method: str) -> list[Call]:
        """Calls to ``method`` that the server answered with success (status 200)."""
        return [c for c in self.calls_to(method) if c.status == 200]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def _queue_failure(self, count: int, failure: Failure) -> None:
        with self._lock:
            self._failures.extend([failure] * count)

    def drop_reply_next(self, count: int = 1, *, method: str | None = None) -> None:
        """Carry out the next ``count`` calls (to ``method``) but close the connection unanswered.

        The client never learns the outcome: the situation of a worker that dies between the
        platform's answer and recording it.
        """
        self._queue_failure(count, Failure(0, None, {}, method))

    def _take_failure(self, method: str) -> Failure | None:
        with self._lock:
            for i, failure in enumerate(self._failures):
                if failure.method in (None, method):
                    return self._failures.pop(i)
        return None

    # --- to override ------------------------------------------------------------------------
    def method_of(self, path: str) -> str:
        """The API method name a path addresses (subclasses know their URL layout)."""
        return path

    def parses_body(self, method: str) -> bool:
        """False for paths whose body is raw bytes whatever its content type says."""
        return True

    def route(self, call: Call) -> Reply:  # pragma: no cover - subclasses answer
        raise NotImplementedError

    # --- request handling -------------------------------------------------------------------
    def handle(self, http_method: str, raw_path: str, headers: dict[str, str],
               body: bytes) -> Reply:
        """Parse, record, maybe fail, then route one request."""
        split = urlsplit(raw_path)
        method = self.method_of(split.path)
        params: dict[str, Any] = dict(parse_qsl(split.query, keep_blank_values=True))
        fields, files = (parse_body(headers.get("content-type", ""), body)
                         if self.parses_body(method) else ({}, {}))
        params.update(fields)
        call = Call(method, split.path, http_method, headers, params, files, body)
        with self._lock:
            self.calls.append(call)
            failure = self._take_failure(call.method)
            if failure is not None and failure.status == 0:
                call.status = self.route(call).status
                return Reply(0)
            reply = (Reply(failure.status, failure.body, failure.headers) if failure
                     else self.route(call))
            call.status = reply.status
        if self.on_call is not None:
            self.on_call(call)
        return reply


def _handler_for(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go in separate writes

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = server.handle(self.command, self.path, headers, body)
            if reply.status == 0:  # drop: no answer at all
                self.close_connection = True
                return
            if isinstance(reply.body, bytes | str):
                raw = reply.body if isinstance(reply.body, bytes) else reply.body.encode()
            else:
                raw = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            is_json = not isinstance(reply.body, str | bytes)
            self.send_header("Content-Type", "application/json; charset=utf-8" if is_json
                             else "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            try:
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the client is gone
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
            return

    return Handler
