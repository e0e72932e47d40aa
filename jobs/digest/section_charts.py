"""Charts from the report's insight sections: channel mix, shop funnel, creators, stock cover.

Each returns PNG bytes, or ``None`` when its section is empty (then ``jobs.digest.figures``
falls back to what the KPIs alone can show, or leaves the chart out).
"""

from __future__ import annotations

from analytics import charts
from jobs.digest.section_text import creator_name
from jobs.digest.words import Words
from jobs.report.model import WeeklyReport

CHANNELS = {"LIVE": ("直播", "LIVE"), "VIDEO": ("短视频", "Video"),
            "PRODUCT_CARD": ("商品卡", "Product card"), "SEARCH": ("搜索", "Search"),
            "AFFILIATE": ("达人", "Affiliate"), "PAID": ("付费", "Paid"), "ALL": ("全部", "All")}
STAGES = {"impressions": ("曝光", "Impressions"), "views": ("观看", "Views"),
          "page_views": ("商品浏览", "Page views"), "add_to_cart": ("加购", "Add to cart"),
          "orders": ("订单", "Orders")}
VERDICTS = {"rebook": ("续约", "rebook"), "watch": ("观察", "watch"),
            "stop": ("停止合作", "stop")}
#: Bars per chart, and the characters of a bar's label.
TOP_CREATORS, TOP_SKUS, LABEL_CHARS = 8, 8, 28


def _pick(w: Words, pair: tuple[str, str]) -> str:
    return pair[0] if w.lang == "zh" else pair[1]


def channel_mix_png(report: WeeklyReport, w: Words, period: str) -> bytes | None:
    """Shares of GMV (this week, last week) and visitors (this week) by traffic channel."""
    mix = [m for m in report.insights.mix if m.channel != "ALL"]
    if len(mix) < 2 or all(m.gmv_share is None for m in mix):
        return None  # one channel alone is not a mix

    def with_rest(shares: list[float | None]) -> list[float]:
        values = [s or 0.0 for s in shares]
        return [*values, max(0.0, 1.0 - sum(values))]  # what no channel claims

    rows = {f"GMV {w.t('this_week')}": with_rest([m.gmv_share for m in mix])}
    if any(m.gmv_share_previous for m in mix):
        rows[f"GMV {w.t('last_week')}"] = with_rest([m.gmv_share_previous for m in mix])
    traffic = any(m.visitors_share for m in mix)
    if traffic:
        rows[f"{_pick(w, ('访客', 'Visitors'))} {w.t('this_week')}"] = with_rest(
            [m.visitors_share for m in mix])
    names = [_pick(w, CHANNELS.get(m.channel, (m.channel, m.channel))) for m in mix]
    if all(row[-1] < 0.005 for row in rows.values()):  # the channels cover everything
        rows = {label: row[:-1] for label, row in rows.items()}
    else:
        names.append(_pick(w, ("其他", "Other")))
    title = _pick(w, ("流量与GMV渠道结构", "Traffic and GMV mix by channel") if traffic else (
        "GMV渠道结构", "GMV mix by channel"))  # the title names only what the bars show
    return charts.channel_mix(names, rows, title=title, period=period,
                              lang=w.lang)  # type: ignore[arg-type]


def shop_funnel_png(report: WeeklyReport, w: Words, period: str) -> bytes | None:
    """The shop's funnel over all channels, this week and last."""
    steps = [s for s in report.insights.funnel if s.channel == "ALL" and s.current]
    if len(steps) < 2:
        return None
    stages = [(_pick(w, STAGES.get(s.stage, (s.stage, s.stage))), s.current or 0, s.previous)
              for s in steps]
    title = "店铺转化漏斗" if w.lang == "zh" else "Shop funnel"
    return charts.funnel(stages, title=title, period=period, lang=w.lang,
                         periods=(w.t("this_week"), w.t("last_week")))  # type: ignore[arg-type]


def creators_png(report: WeeklyReport, w: Words, period: str) -> bytes | None:
    """Top creators by GMV (nickname and handle), coloured by rebook / watch / stop."""
    top = sorted(report.insights.creators, key=lambda c: c.rank_gmv)[:TOP_CREATORS]
    if not top:
        return None
    label = _pick(w, ("佣金产出比", "GMV/commission"))
    rows = [charts.CreatorBar(creator_name(c.creator_username, c.nickname), c.gmv or 0,
                              c.verdict or "watch", "" if c.gmv_per_commission is None
                              else f"{label} {c.gmv_per_commission:.1f}") for c in top]
    title = "达人排行" if w.lang == "zh" else "Creator leaderboard"
    return charts.creator_leaderboard(
        rows, title=title, unit=report.reporting_currency, period=period,
        lang=w.lang, verdict_names={k: _pick(w, v) for k, v in VERDICTS.items()})  # type: ignore[arg-type]


def short_sku(sku_id: str, name: str | None) -> str:
    """A SKU's bar label: its product name (cut to ``LABEL_CHARS``), else the id."""
    name = (name or "").strip()
    if not name:
        return f"SKU {sku_id}"
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def stock_png(report: WeeklyReport, w: Words, period: str) -> bytes | None:
    """SKUs with the fewest days of cover against their reorder lead time."""
    plans = sorted((p for p in report.insights.stock if p.days_of_cover is not None),
                   key=lambda p: p.days_of_cover or 0.0)[:TOP_SKUS]
    if not plans:
        return None
    rows = [charts.StockBar(short_sku(p.sku_id, getattr(p, "product_name", None)),
                            p.days_of_cover or 0.0, p.lead_time_days) for p in plans]
    title = "库存可售天数" if w.lang == "zh" else "Stock cover"
    below = "低于补货周期" if w.lang == "zh" else "below lead time"
    return charts.stock_cover(rows, title=title, period=period, lang=w.lang,  # type: ignore[arg-type]
                              below_label=below)
