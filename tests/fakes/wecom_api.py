"""The fake WeCom group robot webhook: it lives in ``sandbox.chat_fakes`` so ``tikpulse demo
--chat feishu`` can run it too; the tests import it from here."""

from sandbox.chat_fakes.wecom import (
    MARKDOWN_MAX_BYTES,
    PER_MINUTE,
    TEST_KEY,
    FakeWeCom,
    WeComMessage,
)

__all__ = ["MARKDOWN_MAX_BYTES", "PER_MINUTE", "TEST_KEY", "FakeWeCom", "WeComMessage"]
