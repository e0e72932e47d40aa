"""End to end: sandbox data -> OAuth -> sync -> rollups -> report -> digest delivered to the fake
Slack and Telegram APIs by ``tikpulse digest --send-now``, in Chinese and English, with the
week's gross GMV equal to the sandbox's ground truth."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from click.testing import CliRunner

from jobs.cli import cli
from jobs.ingestion.ads_sync import run_advertiser_sync
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.warehouse.fx_rates import seed_demo_rates
from sandbox import GeneratorConfig, Sandbox
from tests.ingestion.sandbox_env import connect_all, connectors

CONFIG = GeneratorConfig(seed=11, shops=1, weeks=5, end=date(2026, 11, 23))
#: Sources synced: orders, refunds, ads and the extra ones (creators, traffic, content, stock).
CHANNEL, CHAT = "C0SELLER1", -1005550001


@pytest.mark.slow
def test_sandbox_week_reaches_slack_and_telegram(sqlite_engine, redis_url, slack, tg, tmp_path,
                                                  monkeypatch) -> None:
    with Sandbox.start(config=CONFIG, port=0) as sb:
        conns = connectors(sb, sqlite_engine, redis_url)
        shop_ids, adv_ids = connect_all(sb, conns)
        for shop_id in shop_ids:
            assert run_shop_sync(conns, shop_id, since=CONFIG.start, full=True).status == "ok"
        for adv in adv_ids:
            assert run_advertiser_sync(conns, adv, since=CONFIG.start).status == "ok"
        truth = sb.truth[(shop_ids[0], date(2026, 11, 16))]
    with sqlite_engine.begin() as conn:
        seed_demo_rates(conn, CONFIG.start, CONFIG.end)
    tenant = {"id": "seller-1", "name": "Seller One 一号", "reporting_currency": truth.currency,
              "language": "both", "stores": [{"shop_id": shop_ids[0], "region": "GB",
                                              "advertiser_ids": adv_ids}],
              "chats": {"slack": [{"channel": CHANNEL}], "telegram": [{"chat": CHAT}]}}
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": [tenant]}, allow_unicode=True), encoding="utf-8")
    for name, value in {"DATABASE_URL": str(sqlite_engine.url), "REDIS_URL": redis_url,
                        "TIKPULSE_CONFIG": str(path), "SLACK_BOT_TOKEN": slack.token,
                        "SLACK_API_URL": slack.base_url, "TELEGRAM_BOT_TOKEN": tg.token,
                        "TELEGRAM_API_URL": tg.base_url}.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["digest", "--tenant", "seller-1", "--week", "2026-W47",
                                      "--send-now"], catch_exceptions=False)
    assert result.exit_code == 0, result.output

    zh, en = slack.top_level(CHANNEL)
    assert zh.blocks[0]["text"]["text"].startswith("Seller One 一号 周报")
    gmv = f"£{truth.gross_gmv:,.0f}"  # the shop is in GB and reports in GBP: no FX involved
    fields = [f["text"] for b in en.blocks if "fields" in b for f in b["fields"]]
    assert truth.gross_gmv > 1000 and fields[0].startswith(f"*Gross GMV*\n{gmv}  WoW ")
    names = [f.filename.split("-en-")[-1] for f in slack.thread(CHANNEL, en.ts)]
    assert names == ["summary.png", "trend.png", "drivers.png", "creators.png", "stock.png",
                     "tikpulse-seller-1-2026-W47-en.pdf"]  # five images at most, then the PDF
    sections = [b["text"]["text"] for b in en.blocks if b["type"] == "section" and "text" in b]
    assert any(s.startswith("*This week in three lines*\n• GMV ") for s in sections)
    assert any(s.startswith("*Creators*\n• ") and " (@creator_" in s for s in sections)
    assert any(s.startswith("*Stock at risk*\n• ") and "(SKU " not in s and "reorder" in s
                   for s in sections)  # the product's name, no id beside it
    texts = [m for m in tg.chat(CHAT) if m.kind == "text"]
    zh_tg, en_tg = (m for m in texts if m.reply_to is None)  # a summary message per language
    assert gmv in en_tg.text and gmv in zh_tg.text
    more = [m for m in texts if m.reply_to is not None]  # the sections that did not fit
    assert {m.reply_to for m in more} <= {zh_tg.message_id, en_tg.message_id}
    assert all("(continued)" in m.text or "（续）" in m.text for m in more)
