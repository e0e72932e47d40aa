"""Outbound notifiers: thin adapters that post a digest edition to Slack or Telegram."""
