"""The Feishu/Lark adapter of the command layer (events in, cards out)."""
