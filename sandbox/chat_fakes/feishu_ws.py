"""The Feishu long connection, as the ``lark-oapi`` SDK's ``lark.ws.Client`` speaks it.

The client first asks ``POST /callback/ws/endpoint`` (JSON ``{"AppID", "AppSecret"}``) for a
websocket URL that carries a ``device_id`` and a numeric ``service_id``, plus its ``ClientConfig``
(ping interval, reconnect policy); then it opens the websocket and both sides exchange protobuf
``Frame``s (``lark_oapi.ws.pb.pbbp2_pb2``):

- control frames (``method`` 0): the client's ``ping`` (header ``type: ping``) is answered by a
  ``pong`` whose payload is the ``ClientConfig`` JSON;
- data frames (``method`` 1): an event is sent with the headers ``type: event``, ``message_id``,
  ``trace_id``, ``sum`` and ``seq`` (a large payload comes in ``sum`` parts, ``seq`` 0..sum-1);
  the client answers with the same frame (plus a ``biz_rt`` header) whose payload is
  ``{"code": 200, "data": <base64 of the handler's result>}`` (500 when its handler raised).

``LongConnections`` is that server side, for ``FakeFeishu``: it issues tickets, accepts only
websockets that carry one (else refuses the handshake with ``handshake-status`` headers, as
Feishu does), answers pings, and ``push`` delivers an event to a connected client and ``ack``
waits for its answer.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from sandbox.chat_fakes.http import Reply

WS_ENDPOINT_PATH = "/callback/ws/endpoint"
#: The client configuration Feishu hands out (seconds; ``ReconnectCount`` -1: for ever).
CLIENT_CONFIG = {"ReconnectCount": -1, "ReconnectInterval": 120, "ReconnectNonce": 30,
                 "PingInterval": 120}
#: Frame kinds (``Frame.method``).
CONTROL, DATA = 0, 1
#: Seconds ``push`` and ``ack`` wait for a client before giving up.
WAIT_S = 30.0


class LongConnections:
    """The websocket side of one fake app: tickets, connections, pings and event frames."""

    def __init__(self, app_id: str, app_secret: str) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        #: Pings received, and the answer frames of pushed events by message id.
        self.pings = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self._tickets: dict[str, str] = {}  # device_id -> service_id
        self._conns: list[tuple[ServerConnection, str]] = []
        self._server: Server | None = None
        self._changed = threading.Condition()
        self._ids = itertools.count(1)

    # --- the HTTP endpoint ---------------------------------------------------------------------
    def endpoint(self, params: dict[str, Any]) -> Reply:
        """``POST /callback/ws/endpoint``: a websocket URL with a fresh ticket, or an error."""
        if params.get("AppID") != self.app_id or params.get("AppSecret") != self.app_secret:
            return Reply(200, {"code": 403, "msg": "app id or app secret is invalid"})
        port = self._start()
        device_id, service_id = f"d{secrets.token_hex(8)}", str(next(self._ids) + 7000)
        self._tickets[device_id] = service_id
        url = (f"ws://127.0.0.1:{port}/ws/v2?device_id={device_id}&service_id={service_id}"
               f"&ticket={secrets.token_hex(8)}")
        return Reply(200, {"code": 0, "msg": "ok",
                           "data": {"URL": url, "ClientConfig": CLIENT_CONFIG}})

    # --- what tests do -------------------------------------------------------------------------
    def connected(self, timeout: float = WAIT_S) -> int:
        """Wait until a client holds a connection; how many do."""
        with self._changed:
            self._changed.wait_for(lambda: self._conns, timeout)
            return len(self._conns)

    def push(self, event: dict[str, Any], *, parts: int = 1, timeout: float = WAIT_S) -> str:
        """Deliver ``event`` (its JSON cut into ``parts`` frames) to the newest connection;
        returns the frames' ``message_id``."""
        if not self.connected(timeout):
            raise AssertionError("no client holds a long connection")
        with self._changed:
            conn, service_id = self._conns[-1]
        payload = json.dumps(event, ensure_ascii=False).encode("utf-8")
        size = -(-len(payload) // parts)
        chunks = [payload[i * size:(i + 1) * size] for i in range(parts)]
        message_id, trace_id = f"m{secrets.token_hex(8)}", secrets.token_hex(8)
        for seq, chunk in enumerate(chunks):
            frame = _frame(int(service_id), DATA, {"type": "event", "message_id": message_id,
                                                   "sum": str(parts), "seq": str(seq),
                                                   "trace_id": trace_id}, chunk)
            conn.send(frame.SerializeToString())
        return message_id

    def ack(self, message_id: str, timeout: float = WAIT_S) -> dict[str, Any]:
        """The client's answer to a pushed event (``{"code": 200, ...}``)."""
        with self._changed:
            if not self._changed.wait_for(lambda: message_id in self.acks, timeout):
                raise AssertionError(f"event {message_id} was never acknowledged")
            return self.acks[message_id]

    def stop(self) -> None:
        """Close every connection and the websocket server."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    # --- the websocket server ------------------------------------------------------------------
    def _start(self) -> int:
        if self._server is None:
            self._server = serve(self._serve, "127.0.0.1", 0, process_request=self._handshake)
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return int(self._server.socket.getsockname()[1])

    def _handshake(self, conn: ServerConnection, request: Request) -> Response | None:
        query = parse_qs(urlsplit(request.path).query)
        device = (query.get("device_id") or [""])[0]
        if self._tickets.get(device) != (query.get("service_id") or [""])[0]:
            refused = conn.respond(403, "forbidden\n")
            refused.headers["handshake-status"] = "403"
            refused.headers["handshake-msg"] = "invalid ticket: ask /callback/ws/endpoint"
            return refused
        return None

    def _serve(self, conn: ServerConnection) -> None:
        query = parse_qs(urlsplit(conn.request.path if conn.request else "").query)
        service_id = query["service_id"][0]
        with self._changed:
            self._conns.append((conn, service_id))
            self._changed.notify_all()
        try:
            for message in conn:
                if isinstance(message, bytes):
                    self._receive(conn, message)
        finally:
            with self._changed:
                self._conns = [c for c in self._conns if c[0] is not conn]
                self._changed.notify_all()

    def _receive(self, conn: ServerConnection, message: bytes) -> None:
        frame = Frame()
        frame.ParseFromString(message)
        headers = {h.key: h.value for h in frame.headers}
        if frame.method == CONTROL and headers.get("type") == "ping":
            with self._changed:
                self.pings += 1
            pong = _frame(frame.service, CONTROL, {"type": "pong"},
                          json.dumps(CLIENT_CONFIG).encode())
            conn.send(pong.SerializeToString())
        elif frame.method == DATA and "message_id" in headers:
            answer = json.loads(frame.payload or b"{}")
            answer["biz_rt"] = headers.get("biz_rt")
            with self._changed:
                self.acks[headers["message_id"]] = answer
                self._changed.notify_all()


def _frame(service: int, method: int, headers: dict[str, str], payload: bytes) -> Frame:
    frame = Frame()
    frame.SeqID, frame.LogID, frame.service, frame.method = 0, 0, service, method
    for key, value in headers.items():
        header = frame.headers.add()
        header.key, header.value = key, value
    frame.payload = payload
    return frame
