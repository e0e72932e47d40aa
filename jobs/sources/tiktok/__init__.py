"""TikTok Shop Partner API and Business API clients."""
