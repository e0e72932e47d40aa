"""The report's insight sections in words: unusual days and their drivers, creators, winning
content and stock at risk, in Chinese or English.

Each function takes the frozen records of ``WeeklyReport.insights`` and a ``Words`` and returns
plain lines; an empty section returns no lines, so the digest leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from analytics.anomalies import Anomaly
from analytics.catalog import UnknownMetric, get_metric
from analytics.content import WinnerProfile
from analytics.stock import StockPlan
from jobs.digest.words import Words
from jobs.report.records import CreatorRow

#: Lines per section.
TOP_ANOMALIES, TOP_CREATORS, TOP_STOCK = 3, 3, 5
OTHER_METRICS = {"creator_units": ("达人带货件数", "creator units"),
                 "affiliate_gmv": ("达人GMV", "affiliate GMV")}
TRAITS = {"hook_s": ("开头钩子秒数", "hook (s)"), "duration_s": ("时长秒数", "length (s)"),
          "posting_hour": ("发布时刻", "posting hour"),
          "music_share": ("使用音乐占比", "share with music")}
KIND_OF_KEY = {"creator": ("达人 ", "creator "), "cpm": ("广告系列 ", "campaign "),
               "ctr": ("广告系列 ", "campaign "), "roas": ("广告系列 ", "campaign ")}
CONTENT_TYPES = {"VIDEO": ("短视频", "videos"), "LIVE": ("直播", "LIVE sessions")}


def _pick(w: Words, pair: tuple[str, str]) -> str:
    return pair[0] if w.lang == "zh" else pair[1]


def _metric_name(metric: str, w: Words) -> str:
    if metric in OTHER_METRICS:
        return _pick(w, OTHER_METRICS[metric])
    try:
        return w.metric(metric)
    except UnknownMetric:
        return metric


def _amount(metric: str, value: float, currency: str, w: Words) -> str:
    try:
        unit = get_metric(metric).unit
    except UnknownMetric:
        unit = "count"
    if unit == "money":
        return w.money(Decimal(str(round(value, 2))), currency)
    return w.count(value) if unit == "count" else w.ratio(value, unit)


def anomaly_lines(anomalies: tuple[Anomaly, ...], w: Words,
                  store_names: Mapping[str, str]) -> list[str]:
    """The most unusual days/weeks: what, when, how far from expected, and the main driver."""
    out = []
    ranked = sorted(anomalies, key=lambda a: (a.severity != "high", -abs(a.robust_z)))
    runs: dict[tuple[str, str, str], list[Anomaly]] = {}
    for a in ranked:  # consecutive flags of one series tell one story
        runs.setdefault((a.key, a.metric, a.direction), []).append(a)
    for run in list(runs.values())[:TOP_ANOMALIES]:
        a = run[0]
        who = store_names.get(a.key) or (_pick(w, KIND_OF_KEY.get(a.metric.split("_")[0],
                                                                   ("", ""))) + a.key).strip()
        days = sorted(x.period for x in run)
        when = days[0].strftime("%m-%d") + (
            f"–{days[-1].strftime('%m-%d')} ({len(days)}×)" if len(days) > 1 else "")
        value, expected = (_amount(a.metric, v, a.currency, w) for v in (a.value, a.expected))
        pct = w.pct_change(None if a.change_pct is None else float(a.change_pct))
        driver = w.t(a.driver) if a.driver in ("aov", "orders", "traffic", "cvr", "cpm",
                                                "ctr") else None
        if w.lang == "zh":
            line = f"{who} {when} {_metric_name(a.metric, w)} {value}，预期 {expected}（{pct}）"
            out.append(line + (f"，主因：{driver}" if driver else ""))
        else:
            line = (f"{who} {_metric_name(a.metric, w)} {when}: {value} vs {expected} "
                    f"expected ({pct})")
            out.append(line + (f"; main driver: {driver}" if driver else ""))
    return out


def creator_lines(creators: tuple[CreatorRow, ...], w: Words, currency: str) -> list[str]:
    """Top creators by GMV with their GMV per commission, then every creator at risk."""
    out = []
    for c in sorted(creators, key=lambda c: c.rank_gmv)[:TOP_CREATORS]:
        line = f"{c.creator_username}: GMV {w.money(c.gmv, currency)}, " + (
            f"{c.orders} 单" if w.lang == "zh" else f"{c.orders} orders")
        if c.gmv_per_commission is not None:
            ratio = w.ratio(c.gmv_per_commission, "multiple")
            line += f", GMV/佣金 {ratio}" if w.lang == "zh" else f", GMV per commission {ratio}"
        out.append(line)
    for c in creators:
        if c.risk:
            reasons = "; ".join(c.risk_reasons)
            out.append(f"⚠️ {c.creator_username}: "
                       + (f"疑似虚假互动（{reasons}）" if w.lang == "zh"
                          else f"possible fake engagement ({reasons})"))
    return out


def _trait(t_name: str, w: Words) -> str:
    return t_name if t_name.startswith("#") else _pick(w, TRAITS.get(t_name, (t_name, t_name)))


def _trait_value(name: str, value: float) -> str:
    """Shares (``music_share``) as percentages; seconds and hours as whole numbers."""
    return f"{value:.0%}" if name.endswith("_share") else f"{value:.0f}"


def content_lines(winners: tuple[WinnerProfile, ...], w: Words) -> list[str]:
    """What the winning videos / LIVE sessions share compared with the rest."""
    out = []
    for p in winners:
        kind = _pick(w, CONTENT_TYPES.get(p.content_type, (p.content_type, p.content_type)))
        traits = [f"{_trait(t.name, w)} {_trait_value(t.name, t.winners)} vs "
                  f"{_trait_value(t.name, t.rest)}" for t in p.traits
                  if t.winners is not None and t.rest is not None][:4]
        head = (f"爆款{kind}（{p.winners}/{p.winners + p.rest}）" if w.lang == "zh"
                else f"Winning {kind} ({p.winners} of {p.winners + p.rest})")
        out.append(head + (": " + ", ".join(traits) if traits else ""))
    return out


def sku_label(sku_id: str, name: str | None) -> str:
    """A SKU as a person reads it: the product's name with the SKU id beside it, or the id."""
    name = (name or "").strip()
    return f"{name} (SKU {sku_id})" if name else f"SKU {sku_id}"


def stock_lines(plans: tuple[StockPlan, ...], w: Words) -> list[str]:
    """SKUs at or below their reorder point, fewest days of cover first, with the order size."""
    due = sorted((p for p in plans if p.reorder_now),
                 key=lambda p: p.days_of_cover if p.days_of_cover is not None else 0.0)
    out = []
    for p in due[:TOP_STOCK]:
        cover = 0.0 if p.days_of_cover is None else p.days_of_cover
        sku = sku_label(p.sku_id, getattr(p, "product_name", None))
        out.append(f"{sku}: 可售 {cover:.0f} 天，补货周期 {p.lead_time_days} 天 → "
                   f"建议补货 {p.suggested_qty} 件" if w.lang == "zh" else
                   f"{sku}: {cover:.0f} days of cover, lead time {p.lead_time_days} "
                   f"days → reorder {p.suggested_qty} units")
    return out
