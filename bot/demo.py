"""``tikpulse demo``: the whole pipeline end to end against the local sandbox, on SQLite.

Starts the TikTok API simulator in-process on a free port, authorizes its demo shops and ads
accounts through the real OAuth exchanges, syncs them with the real connectors, then shows weekly
KPIs, a few bot answers and the demo digest. Every step uses the same code as production; only the
API URLs and app credentials point at the sandbox.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import yaml
from rich.console import Console

from bot.commands import Request, as_text, dispatch
from bot.runtime import bot_context
from config.settings import Settings
from config.tenants import Tenant, TenantRegistry, load_tenants
from jobs.accounts.authorizations import connect_ads, connect_shop
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
#: The local sandbox enforces no Partner API limit; the demo's app may use more than the 20 req/s
#: a real app gets (per-order settlement lookups are one call per order).
SANDBOX_SHOP_LIMIT = RateLimit(qps=100.0)
DEMO_QUESTIONS = ("kpi all last week", "roas GB last week", "top creators 5", "投产比 TH 上周",
                  "define true roas")


@click.command(name="demo")
@click.option("--shops", default=3, show_default=True, help="Demo shops (GB, US, TH, MY, ...).")
@click.option("--weeks", default=10, show_default=True, help="Weeks of history to generate.")
@click.option("--seed", default=7, show_default=True, help="Seed of the data generator.")
@click.option("--out", default=Path("out/demo"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where the digest is written.")
@click.pass_obj
def demo(settings: Settings, shops: int, weeks: int, seed: int, out: Path) -> None:
    """Run the whole pipeline end to end against the local sandbox."""
    console = Console()
    end = this_monday()
    config = GeneratorConfig(seed=seed, shops=shops, weeks=weeks, end=end)
    console.rule("[bold]1. TikTok sandbox")
    with Sandbox.start(config=config, port=0) as sb:
        last_day = end - timedelta(days=1)
        console.print(f"sandbox on {sb.base_url}: {shops} shops, {weeks} weeks to {last_day}")
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
        console.rule(f"[bold]6. The weekly digest {week} (HTML, PNGs, PDF)")
        write_demo_digest(settings, week, out, console)


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
    """Sync every connected shop (all sources) and ads account, with progress bars."""
    shop_ids, advertiser_ids = sync_targets(conns.engine)
    for summary in sync_with_progress(conns, shop_ids, advertiser_ids, full=True,
                                      console=console):
        console.print(summary_line(summary))


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
