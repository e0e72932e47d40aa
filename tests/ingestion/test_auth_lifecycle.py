"""Authorization lifecycle against the simulator: connect, rotation under concurrency, failures."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, update

from jobs.accounts.access_tokens import refresh_expiring, refresh_shop_tokens, shop_access
from jobs.accounts.auth_status import authorization_health
from jobs.accounts.connect import connect_shop
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.sources.errors import BadAuthCode
from jobs.warehouse import schema as s
from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import DEMO, connect_all, connectors, registry

REFRESH = "/api/v2/token/refresh"




def auth_row(engine: Engine, shop_id: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(s.authorizations).join(
            s.shops, s.shops.c.auth_id == s.authorizations.c.auth_id)
            .where(s.shops.c.shop_id == shop_id)).one()


def test_connect_registers_shops_with_region_defaults_and_encrypted_tokens(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, adv_ids = connect_all(sb, conns)
    with engine.connect() as conn:
        shops = {r.shop_id: r for r in conn.execute(select(s.shops))}
        advs = {r.advertiser_id: r for r in conn.execute(select(s.advertisers))}
        tokens = conn.execute(select(s.authorizations.c.access_token_enc)).scalars().all()
    by_region = {r.region: (r.currency, r.timezone) for r in shops.values()}
    assert by_region["GB"] == ("GBP", "Europe/London")
    assert by_region["US"] == ("USD", "America/Los_Angeles")
    assert all(r.cipher for r in shops.values())
    ds = sb.dataset
    for adv in adv_ids:  # each advertiser linked to the shop it promotes
        shop_idx = int(ds.advertisers.set_index("advertiser_id")["shop_idx"][adv])
        assert advs[adv].shop_id == str(ds.shops["shop_id"][shop_idx])
        assert advs[adv].timezone == shops[advs[adv].shop_id].timezone
    assert not any(t.startswith("TTP_") for t in tokens)  # stored encrypted
    access = shop_access(engine, conns.redis, conns.shop, conns.cipher, shop_ids[0])
    assert access.access_token.startswith("TTP_")


def test_two_workers_refreshing_at_once_keep_the_valid_refresh_token(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    first = connectors(sb, engine, redis_url)
    shop_ids, _ = connect_all(sb, first)
    second = connectors(sb, engine, redis_url)
    shop = shop_ids[0]
    row = auth_row(engine, shop)
    old_refresh = first.cipher.decrypt(row.refresh_token_enc)
    calls_before = sb.state.requests[REFRESH]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker(conns) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        results.append(refresh_shop_tokens(engine, conns.redis, conns.shop, conns.cipher,
                                           row.auth_id, row.version))

    threads = [threading.Thread(target=worker, args=(c,)) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2
    assert sb.state.requests[REFRESH] - calls_before == 1  # one rotation, not two
    after = auth_row(engine, shop)
    assert after.version == row.version + 1 and after.status == "healthy"
    assert {r.access_token_enc for r in results} == {after.access_token_enc}  # type: ignore[attr-defined]
    with pytest.raises(BadAuthCode):  # the rotated-away token is dead at the platform ...
        first.shop.refresh_token(old_refresh)  # type: ignore[union-attr]
    # ... and the stored one is the live one: the next rotation works
    shop_access(engine, first.redis, first.shop, first.cipher, shop, force_refresh=True)
    assert auth_row(engine, shop).version == row.version + 2


def test_a_worker_with_a_stale_version_does_not_rotate_again(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop = connect_all(sb, conns)[0][0]
    row = auth_row(engine, shop)
    refresh_shop_tokens(engine, conns.redis, conns.shop, conns.cipher, row.auth_id,
                        row.version)
    calls = sb.state.requests[REFRESH]
    stale = refresh_shop_tokens(engine, conns.redis, conns.shop, conns.cipher, row.auth_id,
                                row.version, use_lock=False)
    assert sb.state.requests[REFRESH] == calls  # compare-and-swap: the newer token is kept
    assert stale.version == row.version + 1


def test_revocation_is_recorded_and_sync_stops_cleanly(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, _ = connect_all(sb, conns)
    victim, other_seller_shop = shop_ids[0], shop_ids[-1]
    sb.faults.add("token_revoked", "/order/202309/orders/search", shop_id=victim, after=2)
    failed = run_shop_sync(conns, victim, since=DEMO.start)
    assert failed.status == "failed" and "auth" in (failed.error or "")
    assert auth_row(engine, victim).status == "revoked"
    requests_before = sum(sb.state.requests.values())
    skipped = run_shop_sync(conns, victim, since=DEMO.start)
    assert skipped.status == "skipped"
    assert sum(sb.state.requests.values()) == requests_before  # no hammering
    assert run_shop_sync(conns, other_seller_shop, since=date(2026, 11, 16)).status == "ok"
    health = {h.auth_id: h.health for h in authorization_health(engine)}
    assert health[auth_row(engine, victim).auth_id] == "revoked"
    assert health[auth_row(engine, other_seller_shop).auth_id] == "healthy"
    # the seller authorizes again: healthy, and syncing resumes
    connect_shop(engine, conns.shop, conns.cipher, sb.new_auth_code(0, "shop"), "seller-1",
                 registry=registry(sb))
    assert auth_row(engine, victim).status == "healthy"
    assert run_shop_sync(conns, victim, since=date(2026, 11, 16)).status == "ok"


def test_shop_entity_change_is_recorded_as_shop_changed(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop = connect_all(sb, conns)[0][-1]
    sb.faults.add("entity_changed", "/order/202309/orders/search", shop_id=shop)
    assert run_shop_sync(conns, shop, since=DEMO.start).status == "failed"
    assert auth_row(engine, shop).status == "shop_changed"
    assert auth_row(engine, shop).status_changed_at is not None


def test_auth_status_command_lists_every_authorization(
    sb: Sandbox, engine: Engine, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    conns = connectors(sb, engine, redis_url)
    connect_all(sb, conns)
    from config.settings import Settings
    from jobs.cli.auth import auth as auth_cmd

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(auth_cmd, ["status"], obj=Settings())
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4 and all("healthy" in line for line in lines)


def test_tokens_close_to_expiry_are_refreshed_ahead_of_time(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, _ = connect_all(sb, conns)
    soon, later = auth_row(engine, shop_ids[0]), auth_row(engine, shop_ids[-1])
    with engine.begin() as conn:
        conn.execute(update(s.authorizations).where(s.authorizations.c.auth_id == soon.auth_id)
                     .values(access_expires_at=datetime.now(UTC) + timedelta(hours=2)))
    outcome = refresh_expiring(engine, conns.redis, conns.shop, conns.cipher)
    assert outcome == {soon.auth_id: "refreshed"}
    assert auth_row(engine, shop_ids[0]).version == soon.version + 1
    assert auth_row(engine, shop_ids[0]).access_expires_at > datetime.now(UTC) + timedelta(days=6)
    assert auth_row(engine, shop_ids[-1]).version == later.version
