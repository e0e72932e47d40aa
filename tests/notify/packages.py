"""Digest packages for the Feishu and WeCom tests: Block Kit summaries shaped like
``jobs.digest.chat_format.slack_blocks`` (header, period, KPI fields, headed sections, footer),
in Chinese, with real PNG charts and a PDF."""

from __future__ import annotations

import io
from dataclasses import replace

from matplotlib.figure import Figure

from jobs.digest.package import Attachment, DigestPackage, Edition

TENANT, WEEK = "acme", "2026-W47"
TITLE = "Acme Home 家居 周报 · 2026-W47"


def png(label: str) -> bytes:
    fig = Figure(figsize=(3, 1), dpi=50)
    fig.text(0.1, 0.5, label)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def blocks(gmv: str, sections: list[tuple[str, list[str]]]) -> list[dict[str, object]]:
    """A Chinese Block Kit summary: headline KPIs as fields, then ``sections``."""
    return [
        {"type": "header", "text": {"type": "plain_text", "text": TITLE}},
        {"type": "context", "elements": [{"type": "mrkdwn",
                                          "text": "2026年11月16日 – 22日 · Asia/Shanghai"}]},
        _section("*本周核心指标*"),
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*总GMV*\n{gmv}  环比 ▼ −9.1% ⚠️\n目标 US$20,000 ⚠️"},
            {"type": "mrkdwn", "text": "*订单数*\n350  环比 ▼ −9.1% ⚠️"},
            {"type": "mrkdwn", "text": "*平台ROAS（投产比）*\n2.10  环比 +0.0% ▪"}]},
        {"type": "divider"},
        *(_section(f"*{title}*\n" + "\n".join(f"• {line}" for line in lines))
          for title, lines in sections),
        {"type": "context", "elements": [{"type": "mrkdwn",
                                          "text": "数据质量: 所有数据源已同步至周日。"}]},
    ]


SECTIONS = [("变化与原因", ["Acme UK 净GMV £5,460 (环比 −20.4% ⚠️)：流量 −£1,369"]),
            ("建议", ["Acme US：暂停或削减广告：真实ROAS 0.74 低于盈亏平衡 1.80。"])]


def edition(gmv: str = "US$17,500", *, charts: int = 3,
            sections: list[tuple[str, list[str]]] | None = None, lang: str = "zh") -> Edition:
    pictures = tuple(Attachment(f"{TENANT}-{WEEK}-{lang}-{n}.png", f"图{n}", png(f"{n}{gmv}"))
                     for n in ("trend", "drivers", "mix", "funnel", "stock", "creators")[:charts])
    return Edition(
        lang=lang, title=TITLE, slack_text=f"{TITLE} · 总GMV {gmv}",
        slack_blocks=blocks(gmv, SECTIONS if sections is None else sections),
        telegram_html=f"<b>{TITLE}</b>", charts=pictures,
        pdf=Attachment(f"tikpulse-{TENANT}-{WEEK}-{lang}.pdf", "完整报告",
                       b"%PDF-1.4 " + gmv.encode() + bytes(range(256)), "application/pdf"),
        correction_note="✏️ 已更正：数据更新后于 2026-11-24 09:00 UTC 重新计算。")


def package(digest_hash: str = "a" * 64, gmv: str = "US$17,500", **kw: object) -> DigestPackage:
    return DigestPackage(TENANT, WEEK, digest_hash, (edition(gmv, **kw),))  # type: ignore[arg-type]


def deck_package(deck: bytes = b"PK\x03\x04" + bytes(range(200))) -> DigestPackage:
    """``package()`` whose edition carries a PPTX deck."""
    with_deck = replace(edition(), deck=Attachment(
        f"tikpulse-{TENANT}-{WEEK}-zh.pptx", "演示文稿", deck,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"))
    return replace(package(), editions=(with_deck,))
