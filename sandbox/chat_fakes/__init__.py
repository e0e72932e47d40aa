"""Local fakes of the chat platforms that speak their real wire protocols, for tests and the demo.

``feishu`` is the Feishu/Lark Open API (token, messages, cards, image and file uploads, limits)
with ``feishu_ws``, the SDK's long connection, and ``feishu_events``, what Feishu posts to an
event subscription; ``wecom`` is WeCom's group robot webhook; ``http`` the threaded server under
them (and under the Slack and Telegram fakes in ``tests/fakes``).
"""
