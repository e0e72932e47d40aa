"""``tikpulse demo``: the whole pipeline end to end against the local sandbox, on SQLite.

Starts the TikTok API simulator in-process on a free port, authorizes its demo shops and ads
accounts through the real OAuth exchanges, syncs them with the real connectors, then shows weekly
KPIs, a few bot answers and the demo digest. Every step uses the same code as production; only the
API URLs and app credentials point at the sandbox. With ``--chat feishu`` the digest is then
delivered to local fakes of the Feishu Open API and a WeCom group robot (``sandbox.chat_fakes``,
the same servers the tests use) and what they received is printed.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import yaml
from rich.console import Console

from bot.commands import Request, as_text, dispatch
from bot.runtime import bot_context
from config.settings import Settings
from config.tenant_registry import TenantRegistry, load_tenants
from config.tenants import Tenant
from jobs.accounts.connect import connect_ads, connect_shop
from jobs.accounts.tenancy import tenant_directory
from jobs.cli.fx import sync_line as fx_sync_line
from jobs.cli.kpi import print_report
from jobs.cli.sync import summary_line, sync_with_progress
from jobs.ingestion.sync import sync_targets
from jobs.report.build import build_weekly_report
from jobs.resources import Connectors
from jobs.sources.ratelimit import RateLimit
from jobs.warehouse.fx_feed import sync_fx
from jobs.warehouse.migrate import upgrade
from jobs.wiring import connectors_from_settings
from sandbox import GeneratorConfig, Sandbox
from sandbox.fx_feed import feed_url

#: Key that encrypts the sandbox's tokens when TIKPULSE_SECRET_KEY is not set (demo only).
DEMO_SECRET_KEY = "tikpulse-demo-key-for-sandbox-tokens-only"
DEMO_TENANT = "demo"
#: The demo's Partner API allowance: the docs allow 50 req/s per API per shop, and the demo syncs
#: its shops at once (``jobs.ingestion.fanout``), so its app may use 100 req/s in all, more than
#: the 20 req/s ``jobs.resources.SHOP_LIMIT`` assumes of a real app (the sandbox enforces none).
SANDBOX_SHOP_LIMIT = RateLimit(qps=100.0)
DEMO_QUESTIONS = ("kpi all last week", "roas GB last week", "top creators 5", "投产比 TH 上周",
                  "define true roas")


@click.command(name="demo")
@click.option("--shops", default=3, show_default=True, help="Demo shops (GB, US, TH, MY, ...).")
@click.option("--weeks", default=10, show_default=True, help="Weeks of history to generate.")
@click.option("--seed", default=7, show_default=True, help="Seed of the data generator.")
@click.option("--out", default=Path("out/demo"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where the digest is written.")
@click.option("--chat", type=click.Choice(["none", "feishu"]), default="none", show_default=True,
              help="Also deliver the digest to local fake Feishu and WeCom servers and print "
                   "what they received (needs Redis at REDIS_URL).")
@click.pass_obj
def demo(settings: Settings, shops: int, weeks: int, seed: int, out: Path,  # noqa: PLR0913
         chat: str = "none") -> None:
    """Run the whole pipeline end to end against the local sandbox."""
    console = Console()
    end = this_monday()
    config = GeneratorConfig(seed=seed, shops=shops, weeks=weeks, end=end)
    console.rule("[bold]1. TikTok sandbox")
    with Sandbox.start(config=config, port=0, own_process=True) as sb:  # apart, as the platform
        last_day = end - timedelta(days=1)
        where = "its own process" if sb.process else "this process"
        console.print(f"sandbox on {sb.base_url} ({where}): {shops} shops, {weeks} weeks to "
                      f"{last_day}")
        settings = pointed_at_sandbox(settings, sb, out.parent / "demo-tenants.yaml")
        conns = connectors_from_settings(settings, shop_limit=SANDBOX_SHOP_LIMIT)
        upgrade(conns.engine)
        console.rule("[bold]2. Authorize the demo shops and ads accounts (OAuth code exchange)")
        authorize(conns, load_tenants(settings.tikpulse_config), sb, console)
        console.rule("[bold]3. Sync orders, refunds, settlements, creators, traffic, ads and FX")
        sync_everything(conns, console)
        console.print(fx_sync_line(sync_fx(conns.engine, settings.tikpulse_fx_url)))
        week = week_label(end - timedelta(days=7))
        tenant = tenant_directory(conns.engine, settings.tikpulse_config).tenant(DEMO_TENANT)
        assert tenant is not None
        console.rule(f"[bold]4. Weekly KPIs {week} ({tenant.reporting_currency})")
        show_kpis(conns.engine, tenant, week, console)
        console.rule("[bold]5. Ask the bot (tikpulse ask)")
        ask_questions(settings, console)
        console.rule(f"[bold]6. The weekly digest {week} (HTML, PNGs, PDF, PPTX)")
        write_demo_digest(settings, week, out, console)
        if chat == "feishu":
            console.rule(f"[bold]7. The digest {week} in Feishu and WeCom (local fake servers)")
            send_to_fake_chats(settings, week, out.parent / "demo-chat-tenants.yaml", console)


def this_monday(today: date | None = None) -> date:
    """Monday of the current week: the sandbox data ends just before it, so last week is whole."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def pointed_at_sandbox(settings: Settings, sb: Sandbox, tenants_path: Path) -> Settings:
    """Settings whose TikTok URLs and app credentials are the sandbox's, plus a tenants file."""
    creds = sb.credentials
    write_demo_tenants(sb, tenants_path)
    return settings.model_copy(update={
        "tiktok_shop_api_url": sb.shop_api_url, "tiktok_shop_auth_url": sb.shop_auth_url,
        "tiktok_ads_api_url": sb.ads_api_url, "tiktok_app_key": creds.app_key,
        "tiktok_app_secret": creds.app_secret, "tiktok_ads_app_id": creds.ads_app_id,
        "tiktok_ads_secret": creds.ads_secret, "tikpulse_config": tenants_path,
        "tikpulse_secret_key": settings.tikpulse_secret_key or DEMO_SECRET_KEY,
        "tikpulse_fx_url": feed_url(sb.base_url),
    })


def write_demo_tenants(sb: Sandbox, path: Path) -> None:
    """The tenants file an operator would write for the demo: stores and their ads accounts."""
    shops, advertisers = sb.dataset.shops, sb.dataset.advertisers
    stores = []
    for idx in range(len(shops)):
        linked = advertisers[advertisers["shop_idx"] == idx]["advertiser_id"]
        stores.append({"shop_id": str(shops["shop_id"][idx]), "name": str(shops["name"][idx]),
                       "region": str(shops["region"][idx]),
                       "advertiser_ids": [str(a) for a in linked]})
    tenant = {"id": DEMO_TENANT, "name": "Demo Seller 演示卖家", "reporting_currency": "USD",
              "language": "both", "targets": {"roas": 3.0, "break_even_roas": 1.6, "cvr": 0.02},
              "digest": {"cron": "0 9 * * MON", "timezone": "Asia/Shanghai"}, "stores": stores}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"tenants": [tenant]}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def authorize(conns: Connectors, registry: TenantRegistry, sb: Sandbox, console: Console) -> None:
    """Exchange each demo seller's Seller Center and ads authorization codes, as a user would."""
    assert conns.shop is not None and conns.ads is not None
    for seller in sb.credentials.sellers:
        shop = connect_shop(conns.engine, conns.shop, conns.cipher, seller.shop_auth_code,
                            DEMO_TENANT, registry=registry)
        ads = connect_ads(conns.engine, conns.ads, conns.cipher, seller.ads_auth_code,
                          DEMO_TENANT, registry=registry)
        console.print(f"{seller.name}: shops {', '.join(shop.subject_ids)}; "
                      f"ads accounts {', '.join(ads.subject_ids)} -> tenant '{shop.tenant_id}'")


def sync_everything(conns: Connectors, console: Console) -> None:
    """Sync every connected shop (all sources) and ads account, several at once, with progress
    bars."""
    shop_ids, advertiser_ids = sync_targets(conns.engine)
    started = time.perf_counter()
    summaries = sync_with_progress(conns, shop_ids, advertiser_ids, full=True, console=console)
    for summary in summaries:
        console.print(summary_line(summary))
    console.print(f"{len(shop_ids)} shops and {len(advertiser_ids)} ads accounts synced in "
                  f"{time.perf_counter() - started:.1f} s")


def show_kpis(engine: object, tenant: Tenant, week: str, console: Console) -> None:
    """The weekly KPI table of each store and the tenant (rates from the sandbox's FX feed)."""
    report = build_weekly_report(engine, tenant, week)  # type: ignore[arg-type]
    print_report(console, report, tenant.name)


def write_demo_digest(settings: Settings, week: str, out: Path, console: Console) -> None:
    """The demo tenant's digest in Chinese and English, written to ``out``."""
    from jobs.cli.digest import write_digest
    from jobs.wiring import digest_deps

    paths = write_digest(digest_deps(settings), DEMO_TENANT, week, out)
    pages = [p for p in paths if p.suffix in (".html", ".pdf")]
    console.print(f"The {week} digest ({len(paths)} files) is in {out.resolve()}:")
    for path in pages:
        console.print(f"  {path}")


def ask_questions(settings: Settings, console: Console) -> None:
    """A few questions an operator would ask in chat, answered by the same command layer."""
    ctx = bot_context(settings, redis_required=False)
    for question in DEMO_QUESTIONS:
        reply = dispatch(Request("terminal", "terminal", "operator", question,
                                 tenant_id=DEMO_TENANT), ctx)
        console.print(f"[bold cyan]> tikpulse ask --tenant {DEMO_TENANT} \"{question}\"")
        console.print(as_text(reply), markup=False, highlight=False)
    ctx.engine.dispose()


def send_to_fake_chats(settings: Settings, week: str, tenants_path: Path,
                       console: Console) -> None:
    """Deliver the demo digest, through the production fan-out, to a fake Feishu group and a fake
    WeCom robot started here, then print every card, image, file and markdown they received."""
    import secrets

    import redis
    from pydantic import SecretStr

    from jobs.digest.fanout import run_send
    from jobs.digest.pipeline import take_snapshot
    from jobs.warehouse.crypto import TokenCipher
    from jobs.wiring import digest_deps
    from sandbox.chat_fakes.feishu import FakeFeishu
    from sandbox.chat_fakes.show import feishu_lines, wecom_lines
    from sandbox.chat_fakes.wecom import FakeWeCom

    try:
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        console.print(f"skipped: delivering needs Redis at {settings.redis_url} (REDIS_URL)")
        return
    run = secrets.token_hex(4)  # fresh chats each run: earlier runs' deliveries stay theirs
    chat_id, robot, key = f"oc_demo{run}", f"demo-ops-{run}", secrets.token_hex(16)
    cipher = TokenCipher(str(settings.secret("tikpulse_secret_key")))
    data = yaml.safe_load(Path(str(settings.tikpulse_config)).read_text(encoding="utf-8"))
    for tenant in data["tenants"]:
        if tenant["id"] == DEMO_TENANT:
            tenant["chats"] = {"feishu": [{"chat": chat_id}],
                               "wecom": [{"name": robot, "key": "enc:" + cipher.encrypt(key)}]}
    tenants_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
    with FakeFeishu(chats={chat_id}) as feishu, FakeWeCom(keys={key}) as wecom:
        chat_settings = settings.model_copy(update={
            "tikpulse_config": tenants_path, "feishu_app_id": feishu.app_id,
            "feishu_app_secret": SecretStr(feishu.app_secret), "feishu_base_url": feishu.origin,
            "wecom_api_url": wecom.origin})
        deps = digest_deps(chat_settings)
        take_snapshot(deps, deps.tenant(DEMO_TENANT), week, due_at=None)
        outcomes = run_send(deps, DEMO_TENANT, week)
        for channel, outcome in outcomes.items():
            console.print(f"{channel}: {outcome}", markup=False, highlight=False)
        console.print(f"[bold]Feishu group {chat_id}[/] ({feishu.origin}):")
        console.print("\n".join(feishu_lines(feishu, chat_id)), markup=False, highlight=False)
        console.print(f"[bold]WeCom robot {robot}[/] ({wecom.origin}):")
        console.print("\n".join(wecom_lines(wecom, key)), markup=False, highlight=False)
