"""The tenants file decides who owns a shop: a warehouse that registered Rival's shop under Acme
(a stray connect, an old import) leaks nothing to Acme; moving a shop in the file moves it
completely at once; a connect that would attach another tenant's shop is refused before anything is
stored."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import select, update

from bot.commands import BotContext, as_text, dispatch
from config.tenant_registry import load_tenants
from jobs.accounts.connect import OwnedByAnotherTenant, connect_shop
from jobs.accounts.tenancy import apply_file_ownership, effective_registry
from jobs.warehouse.schema import advertisers, authorizations, shops
from tests.bot.conftest import ask_slack
from tests.bot.seed import NOW, RIVAL, RIVAL_MARKERS, UK, write_tenants
from tests.bot.test_isolation import RIVAL_QUESTIONS


def _register_under(engine, shop_id: str, tenant_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(shops).where(shops.c.shop_id == shop_id).values(tenant_id=tenant_id))
        conn.execute(update(advertisers).where(advertisers.c.shop_id == shop_id)
                     .values(tenant_id=tenant_id))


def _leaks(reply, question: str) -> list[str]:
    seen = (as_text(reply) + json.dumps(reply.data or {}, ensure_ascii=False)).lower()
    return [m for m in RIVAL_MARKERS if m.lower() in seen and m.lower() not in question.lower()]


def test_a_shop_the_warehouse_misfiled_is_never_shown_to_the_wrong_tenant(bot_engine, tmp_path,
                                                                          redis_conn):
    _register_under(bot_engine, RIVAL, "acme")  # Rival's shop registered under Acme
    ctx = BotContext(load_tenants(write_tenants(tmp_path)), bot_engine, redis_conn,
                     clock=lambda: NOW)
    questions = [q for qs in RIVAL_QUESTIONS.values() for q in qs]
    leaked = {q: _leaks(dispatch(ask_slack(q), ctx), q) for q in questions}
    assert {q: found for q, found in leaked.items() if found} == {}
    with bot_engine.connect() as conn:  # the warehouse follows the file
        owner = conn.execute(select(shops.c.tenant_id).where(shops.c.shop_id == RIVAL)).scalar()
    assert owner == "rival"


def test_moving_a_shop_in_the_file_moves_it_at_once(bot_engine, tmp_path):
    path = write_tenants(tmp_path)
    doc = yaml.safe_load(path.read_text())
    acme, rival = doc["tenants"]
    uk = next(s for s in acme["stores"] if s["shop_id"] == UK)
    acme["stores"].remove(uk)
    rival["stores"].append(uk)  # the agency moves the UK shop to the other client
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    registry = load_tenants(path)

    moved = apply_file_ownership(bot_engine, registry)
    assert [(m.kind, m.subject_id, m.warehouse_tenant, m.file_tenant) for m in moved] == [
        ("shop", UK, "acme", "rival"), ("advertiser", "7300000000000000001", "acme", "rival")]
    assert "belong to rival" in moved[0].describe()
    effective = effective_registry(bot_engine, registry)
    assert UK not in {s.shop_id for s in effective.tenant("acme").stores}
    assert UK in {s.shop_id for s in effective.tenant("rival").stores}
    assert apply_file_ownership(bot_engine, registry) == []  # applied once


@pytest.fixture
def sandbox_shop():
    from datetime import date

    from sandbox import GeneratorConfig, Sandbox

    with Sandbox.start(config=GeneratorConfig(seed=3, shops=1, weeks=2,
                                              end=date(2026, 11, 23))) as sb:
        yield sb


def test_connecting_another_tenants_shop_is_refused_and_stores_nothing(sandbox_shop, engine,
                                                                       redis_url, tmp_path):
    from tests.ingestion.sandbox_env import connectors

    sb = sandbox_shop
    shop_id = sb.credentials.sellers[0].shop_ids[0]
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": [
        {"id": "acme", "name": "Acme"},
        {"id": "rival", "name": "Rival", "stores": [{"shop_id": shop_id, "region": "GB"}]}]}))
    conns = connectors(sb, engine, redis_url)
    with pytest.raises(OwnedByAnotherTenant) as refused:
        connect_shop(engine, conns.shop, conns.cipher, sb.new_auth_code(0, "shop"),
                     "acme", registry=load_tenants(path))
    assert f"shop {shop_id} belongs to tenant rival" in str(refused.value)
    assert "tikpulse auth link --tenant rival" in str(refused.value)
    with engine.connect() as conn:
        assert conn.execute(select(authorizations)).all() == []
        assert conn.execute(select(shops)).all() == []
    done = connect_shop(engine, conns.shop, conns.cipher, sb.new_auth_code(0, "shop"),
                        "rival", registry=load_tenants(path))
    assert done.tenant_id == "rival" and done.subject_ids == (shop_id,)


def test_auth_status_says_what_the_file_moved(bot_engine, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from jobs.cli import cli

    _register_under(bot_engine, RIVAL, "acme")
    monkeypatch.setenv("DATABASE_URL", str(bot_engine.url))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(write_tenants(tmp_path)))
    result = CliRunner().invoke(cli, ["auth", "status"])
    assert result.exit_code == 0, result.output
    assert (f"note: shop {RIVAL} was registered under tenant acme; the tenants file gives it to "
            "rival") in result.output
