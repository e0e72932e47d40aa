"""The web process's own routes: health and readiness, the TikTok Shop OAuth callback and TikTok
Shop push messages (``app.make_app``); the chat platforms' routes are added by ``bot``."""
