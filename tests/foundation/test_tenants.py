from pathlib import Path

import pytest
import yaml

from config.tenant_registry import TenantsFileError, load_tenants

EXAMPLE = Path(__file__).parents[2] / "config" / "tenants.example.yaml"


def _write(tmp_path, data) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _error(tmp_path, data) -> TenantsFileError:
    with pytest.raises(TenantsFileError) as info:
        load_tenants(_write(tmp_path, data))
    return info.value


def test_example_file_loads_with_region_defaults():
    registry = load_tenants(EXAMPLE)
    acme = registry.tenant("acme")
    us = acme.stores[1]
    assert (us.resolved_currency, us.resolved_timezone) == ("USD", "America/Los_Angeles")
    assert acme.language == ("zh", "en")
    assert registry.tenant_of_shop("7495000000000000001") is acme
    assert registry.tenant_of_slack_channel("C0ACMEOPS") is acme
    assert registry.tenant_of_slack_channel("C0OTHER00") is None


def test_unknown_field_names_file_entry_and_fix(tmp_path):
    data = _example()
    data["tenants"][0]["stores"][0]["curency"] = "GBP"
    err = _error(tmp_path, data)
    text = str(err)
    assert str(tmp_path / "tenants.yaml") in text
    assert "tenants[0].stores[0].curency" in text
    assert "unknown field 'curency'" in text and "spelling" in text


def test_bad_time_zone(tmp_path):
    data = _example()
    data["tenants"][0]["stores"][1]["timezone"] = "America/Los Angeles"
    err = _error(tmp_path, data)
    assert err.problems[0].entry == "tenants[0].stores[1].timezone"
    assert "unknown time zone" in err.problems[0].message
    assert "IANA" in err.problems[0].fix


def test_bad_cron(tmp_path):
    data = _example()
    data["tenants"][0]["digest"]["cron"] = "every monday"
    err = _error(tmp_path, data)
    assert err.problems[0].entry == "tenants[0].digest.cron"
    assert "cron" in err.problems[0].fix


def test_store_in_two_tenants_and_channel_bound_twice(tmp_path):
    data = _example()
    other = {
        "id": "beta",
        "name": "Beta",
        "stores": [{"shop_id": "7495000000000000001", "region": "GB"}],
        "chats": {"slack": [{"channel": "C0ACMEOPS"}]},
    }
    data["tenants"].append(other)
    err = _error(tmp_path, data)
    entries = {p.entry: p for p in err.problems}
    assert "already a store of tenant 'acme'" in entries["tenants[1].stores[0].shop_id"].message
    assert "already bound to tenant 'acme'" in entries["tenants[1].chats.slack[0].channel"].message


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(TenantsFileError, match="not found"):
        load_tenants(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("tenants: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(TenantsFileError, match="not valid YAML"):
        load_tenants(bad)


def test_unknown_region_and_currency(tmp_path):
    data = _example()
    data["tenants"][0]["stores"][0]["region"] = "ZZ"
    data["tenants"][0]["reporting_currency"] = "usd"
    err = _error(tmp_path, data)
    messages = " ".join(p.message for p in err.problems)
    assert "unknown region 'ZZ'" in messages
    assert "ISO 4217" in messages
