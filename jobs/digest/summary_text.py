"""The summary in words and as a phone-sized image: three conclusion lines and the KPI cards.

``summary_lines(conclusions, w)`` fills the phrases of ``SUMMARY`` (Chinese and English) with
the conclusions' numbers; ``summary_png(digest, w, period)`` draws the headline KPIs as cards
(value, vs last week, vs the 4-week average, vs target, each coloured by whether the move is good
for the business) with ``analytics.summary_card``. The chat post, the HTML page, the PDF's first
page and the deck's first content slide all lead with these.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from analytics import summary_card
from analytics.catalog import get_metric
from jobs.digest.advice_text import blocker_words, pick
from jobs.digest.compose import Digest, HeadlineRow
from jobs.digest.section_text import sku_label
from jobs.digest.summary import Conclusion
from jobs.digest.words import Words

#: topic (and ads verdict) -> (zh, en).
SUMMARY: dict[str, tuple[str, str]] = {
    "sales": ("GMV {gmv}（{gmv_pct}）：订单 {orders_pct}{note}，客单价 {aov_pct}",
              "GMV {gmv} ({gmv_pct}): orders {orders_pct}{note}, order value {aov_pct}"),
    "cvr_note": ("（{store} 转化率{against}{move}）", " ({store} conversion {move} {against})"),
    "halved": ("减半", "halved"), "doubled": ("翻倍", "doubled"),
    "cut": ("广告：{store} 花费 {spend_pct}，平台ROAS {roas} 低于盈亏平衡 {break_even}——削减",
            "ads: {store} spend {spend_pct} at platform ROAS {roas}, below break-even "
            "{break_even} — cut"),
    "scale": ("广告：{store} 平台ROAS {roas} 高于目标 {target}，转化与退款稳定——加预算",
              "ads: {store} platform ROAS {roas} beats the {target} target, conversion and "
              "refunds steady — scale up"),
    "hold": ("广告：{store} 平台ROAS {roas} 高于目标 {target}，但{why}——暂不加预算",
             "ads: {store} platform ROAS {roas} beats the {target} target, but {why} — hold"),
    "hold_noise": ("广告：{store} 平台ROAS {roas} 略低于盈亏平衡 {break_even}，在正常波动内——观察",
                   "ads: {store} platform ROAS {roas} is just below break-even {break_even}, "
                   "inside the noise — watch"),
    "keep": ("广告：{store} 花费 {spend_pct}，平台ROAS {roas}，介于盈亏平衡与目标之间——维持",
             "ads: {store} spend {spend_pct} at platform ROAS {roas}, between break-even and "
             "target — keep"),
    "stock": ("库存：{short} 个SKU将在补货到货前售罄{names}",
              "stock: {short} {skus} out before restock arrives{names}"),
    "stock_due": ("库存：{due} 个SKU需立即补货，补货到货前不会售罄",
                  "stock: {due} {skus_to} reorder now, none runs out before restock"),
    "stock_ok": ("库存：无SKU需要立即补货", "stock: no SKU needs reordering now"),
    "refunds": ("退款率 {rate}（{base_avg} {base}）", "refund rate {rate} ({base_avg} {base})"),
}
#: Card line marks: target met / missed (DejaVu Sans has both).
MET, MISSED = "✓", "✗"


def _sales(f: dict[str, Any], w: Words) -> str:
    note = ""
    if f["cvr_store"] is not None:
        pct = float(f["cvr_pct"])
        move = (pick(SUMMARY["halved"], w) if pct <= -0.45 else pick(SUMMARY["doubled"], w)
                if pct >= 0.9 else w.pct_change(pct))
        against = w.t("vs_prev" if f.get("cvr_against") == "previous" else "vs_base")
        note = pick(SUMMARY["cvr_note"], w).format(store=f["cvr_store"], move=move,
                                                   against=against)
    return pick(SUMMARY["sales"], w).format(
        gmv=w.money(f["gmv"], f["currency"]), gmv_pct=w.pct_change(f["gmv_pct"]),
        orders_pct=w.pct_change(f["orders_pct"]), note=note, aov_pct=w.pct_change(f["aov_pct"]))


def _ads(f: dict[str, Any], w: Words) -> str:
    def multiple(v: float | None) -> str:
        return w.ratio(None if v is None else float(v), "multiple")

    key = f["verdict"]
    if key == "hold" and "within_noise" in f["blockers"]:
        key = "hold_noise"
    why = blocker_words(f, w)
    return pick(SUMMARY[key], w).format(
        store=f["store"], spend_pct=w.pct_change(f["spend_pct"]), roas=multiple(f["roas"]),
        target=multiple(f["target"]), break_even=multiple(f["break_even"]), why=why)


def _stock(f: dict[str, Any], w: Words) -> str:
    if f["short"]:
        names = ", ".join(sku_label(sku, name) for sku, name in f["names"])
        shown = f"（{names}）" if w.lang == "zh" else f" ({names})"
        return pick(SUMMARY["stock"], w).format(
            short=f["short"], names=shown, skus="SKU runs" if f["short"] == 1 else "SKUs run")
    return pick(SUMMARY["stock_due" if f["due"] else "stock_ok"], w).format(
        due=f["due"], skus_to="SKU to" if f["due"] == 1 else "SKUs to")


def summary_lines(found: tuple[Conclusion, ...], w: Words) -> tuple[str, ...]:
    """The conclusions as sentences, in order."""
    out = []
    for c in found:
        if c.topic == "sales":
            out.append(_sales(c.facts, w))
        elif c.topic == "ads":
            out.append(_ads(c.facts, w))
        elif c.topic == "stock":
            out.append(_stock(c.facts, w))
        else:
            out.append(pick(SUMMARY["refunds"], w).format(
                rate=w.ratio(c.facts["rate"], "percent"),
                base=w.ratio(c.facts["base"], "percent"), base_avg=w.t("base_avg")))
    return tuple(out)


def _tone(good: bool | None) -> str:
    return "neutral" if good is None else ("good" if good else "bad")


def card(row: HeadlineRow, w: Words, currency: str) -> summary_card.Card:
    """One headline KPI as an image card (short money: ``$12.3K`` / ``US$1.2万``)."""
    currency = row.currency or currency
    metric = get_metric(row.metric)

    def shown(v: Decimal | float | int | None) -> str:
        if metric.unit == "money":  # one style with the target: US$1.8万 / 目标 US$2.0万
            return w.money(None if v is None else Decimal(str(v)), currency, short=True)
        return w.value(row.metric, v, currency)

    value = shown(row.value)
    lines = []
    if row.pct_prev is not None:
        arrow = "▲ " if row.pct_prev > 0 else "▼ " if row.pct_prev < 0 else ""
        lines.append((f"{w.t('vs_prev')} {arrow}{w.pct_change(row.pct_prev)}", _tone(row.good)))
    if row.pct_base is not None:
        better = None if metric.direction == "neutral" or row.pct_base == 0 else (
            (row.pct_base > 0) == (metric.direction == "higher_better"))
        lines.append((f"{w.t('vs_base')} {w.pct_change(row.pct_base)}", _tone(better)))
    if row.target is not None:
        goal = shown(row.target)
        lines.append((f"{w.t('target')} {goal} {MET if row.target_met else MISSED}",
                      _tone(row.target_met)))
    return summary_card.Card(w.metric(row.metric), value, tuple(lines), _tone(row.good))


def summary_png(digest: Digest, w: Words, title: str, period: str) -> bytes | None:
    """The headline KPIs as a phone-sized image (None without a headline)."""
    ccy = digest.report.reporting_currency
    cards = [card(r, w, ccy) for r in digest.headline]
    if not cards:
        return None
    return summary_card.kpi_cards(cards, title=title, period=period,
                                  lang="zh" if w.lang == "zh" else "en")
