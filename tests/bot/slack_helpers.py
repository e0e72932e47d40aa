"""Signed Slack requests for the bolt app under test, as Slack would send them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed_headers(body: str, *, content_type: str, secret: str = SIGNING_SECRET,
                   timestamp: int | None = None) -> dict[str, str]:
    """Slack's ``v0`` HMAC-SHA256 signature headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"content-type": content_type, "x-slack-request-timestamp": ts,
            "x-slack-signature": signature}


def signed(body: str, **kw: Any) -> BoltRequest:
    """``body`` as a signed bolt request (``signed_headers`` arguments)."""
    return BoltRequest(body=body, headers=signed_headers(body, **kw))


def slash_body(text: str, *, channel: str, user: str, response_url: str,
               command: str = "/tikpulse") -> str:
    """The form body of a slash command."""
    return urlencode({"token": "legacy", "team_id": "T0TIKPULSE", "team_domain": "tikpulse-test",
                      "channel_id": channel, "channel_name": "ops", "user_id": user,
                      "user_name": "someone", "command": command, "text": text,
                      "api_app_id": "A0TIKPULSE", "response_url": response_url,
                      "trigger_id": "1.2.3"})


def event_body(event: dict[str, Any]) -> str:
    """The JSON body of an Events API callback carrying ``event``."""
    return json.dumps({"token": "legacy", "team_id": "T0TIKPULSE", "api_app_id": "A0TIKPULSE",
                       "type": "event_callback", "event_id": f"Ev{time.time_ns()}",
                       "event_time": int(time.time()), "event": event})


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``check`` until it returns something truthy (answers arrive after the ack)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("nothing arrived at the fake server in time")
