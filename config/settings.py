"""Process settings, read from the environment once at each entry point and passed down.

Every URL defaults to the real host; tests and the demo point the same clients at local servers.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.logs import register_secret

#: The embedded warehouse a newcomer gets on a first run.
DEFAULT_DATABASE_URL = "sqlite:///var/tikpulse.db"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
#: Real hosts, from shared/reference/tiktok-api.md.
TIKTOK_SHOP_API_URL = "https://open-api.tiktokglobalshop.com"
TIKTOK_SHOP_AUTH_URL = "https://auth.tiktok-shops.com"
TIKTOK_ADS_API_URL = "https://business-api.tiktok.com/open_api/v1.3"
SLACK_API_URL = "https://slack.com/api/"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
#: Feishu's Open API (Lark international: https://open.larksuite.com); an origin, no path.
FEISHU_API_URL = "https://open.feishu.cn"
WECOM_API_URL = "https://qyapi.weixin.qq.com"
#: The ECB's euro reference rates of the last 90 days (no key; its daily and full-history files sit
#: beside it, and ``tikpulse fx sync`` picks the smallest that covers the days needed).
ECB_FX_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"


class Settings(BaseSettings):
    """Secrets and endpoints. Unset secrets stay ``None``; the code that needs one says so."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    tikpulse_config: Path | None = Field(default=None, description="Path of the tenants file")

    @field_validator("tikpulse_config", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``TIKPULSE_CONFIG=`` (empty) means no tenants file, not the current directory."""
        return None if isinstance(value, str) and not value.strip() else value
    tikpulse_secret_key: SecretStr | None = Field(
        default=None, description="Key that encrypts stored tokens (any string; 32+ chars advised)"
    )

    tiktok_shop_api_url: str = TIKTOK_SHOP_API_URL
    tiktok_shop_auth_url: str = TIKTOK_SHOP_AUTH_URL
    tiktok_app_key: str | None = None
    tiktok_app_secret: SecretStr | None = None
    #: The Partner app's service id, for the re-authorize link in alerts (Partner Center).
    tiktok_shop_service_id: str | None = None
    tiktok_ads_api_url: str = TIKTOK_ADS_API_URL
    tiktok_ads_app_id: str | None = None
    tiktok_ads_secret: SecretStr | None = None

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = TELEGRAM_API_URL
    feishu_app_id: str | None = None
    feishu_app_secret: SecretStr | None = None
    feishu_base_url: str = FEISHU_API_URL
    #: Event subscription of the HTTP callback (``/feishu/events``): Verification Token and the
    #: optional Encrypt Key of the app's "Events and callbacks" page.
    feishu_verification_token: SecretStr | None = None
    feishu_encrypt_key: SecretStr | None = None
    #: WeCom group robots' host (their keys are in the tenants file, encrypted).
    wecom_api_url: str = WECOM_API_URL

    #: Daily FX reference rates: an ECB-format XML file or a ``day,base,quote,rate`` CSV.
    tikpulse_fx_url: str = ECB_FX_URL

    def require(self, *names: str) -> None:
        """Raise a clear error naming every missing variable in ``names``."""
        missing = [n.upper() for n in names if getattr(self, n) in (None, "")]
        if missing:
            raise MissingSetting(missing)

    def secret(self, name: str) -> str:
        """The plain value of a secret setting, or a ``MissingSetting`` error naming it."""
        self.require(name)
        value = getattr(self, name)
        plain = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        register_secret(plain)  # never in a log line (config.logs)
        return plain


class BadSetting(ValueError):
    """A setting is present but cannot be used as it is; the message says how to fix it."""


class MissingSetting(RuntimeError):
    """One or more environment variables that this command needs are not set."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        joined = ", ".join(names)
        super().__init__(
            f"missing setting(s): {joined}. Set them in the environment "
            f"(see README 'Configuration'), e.g. export {names[0]}=..."
        )
