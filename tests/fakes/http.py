"""The in-process HTTP server under the fake chat APIs: it lives in ``sandbox.chat_fakes.http``
(the demo runs the Feishu and WeCom fakes too); the tests import it from here."""

from sandbox.chat_fakes.http import Call, Failure, FakeServer, Files, Reply, parse_body

__all__ = ["Call", "Failure", "FakeServer", "Files", "Reply", "parse_body"]
