import pytest

from config.settings import DEFAULT_DATABASE_URL, MissingSetting, Settings


def test_defaults_point_at_embedded_warehouse_and_real_hosts(monkeypatch):
    for name in ("DATABASE_URL", "TIKTOK_SHOP_API_URL", "TIKTOK_ADS_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.tiktok_shop_api_url == "https://open-api.tiktokglobalshop.com"
    assert settings.tiktok_ads_api_url.startswith("https://business-api.tiktok.com/")


def test_environment_overrides_and_secrets_do_not_print(monkeypatch):
    monkeypatch.setenv("TIKTOK_SHOP_API_URL", "http://127.0.0.1:9999")
    monkeypatch.setenv("TIKTOK_APP_SECRET", "s3cr3t-value")
    settings = Settings()
    assert settings.tiktok_shop_api_url == "http://127.0.0.1:9999"
    assert settings.secret("tiktok_app_secret") == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(settings)


def test_missing_secret_names_the_variable(monkeypatch):
    monkeypatch.delenv("TIKTOK_APP_KEY", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(MissingSetting, match="TIKTOK_APP_KEY, SLACK_BOT_TOKEN"):
        Settings().require("tiktok_app_key", "slack_bot_token")


def test_an_empty_tenants_path_means_no_tenants_file(monkeypatch):
    from config.settings import Settings

    monkeypatch.setenv("TIKPULSE_CONFIG", "")
    assert Settings().tikpulse_config is None
    monkeypatch.setenv("TIKPULSE_CONFIG", "config/tenants.example.yaml")
    assert str(Settings().tikpulse_config) == "config/tenants.example.yaml"
