"""The report's insight sections in words: unusual days and their drivers, creators, winning
content and stock at risk, in Chinese or English.

Each function takes the frozen records of ``WeeklyReport.insights`` and a ``Words`` and returns
plain lines; an empty section returns no lines, so the digest leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from analytics.anomaly_types import Anomaly
from analytics.catalog import UnknownMetric, get_metric
from analytics.content import WinnerProfile
from analytics.creator_verdicts import VERDICT_REASONS
from analytics.stock import StockPlan
from jobs.digest.words import Words
from jobs.report.records import CreatorRow


def creator_name(handle: str, nickname: str | None) -> str:
    """A creator as people know them: "Nickname (@handle)", or "@handle" without a nickname."""
    nick = (nickname or "").strip()
    return f"{nick} (@{handle})" if nick and nick != handle else f"@{handle}"


def verdict_reasons(codes: tuple[str, ...], w: Words) -> str:
    """Creator verdict reason codes in words (``VERDICT_REASONS``), joined for the language."""
    pairs = [VERDICT_REASONS.get(c, (c.replace("_", " "),) * 2) for c in codes]
    return ("，" if w.lang == "zh" else ", ").join(zh if w.lang == "zh" else en for en, zh in pairs)

#: Lines per section.
TOP_ANOMALIES, TOP_CREATORS, TOP_STOCK = 3, 3, 5
#: An unusual day or week is news only from this much money at stake (its own currency) and,
#: for counts, this many units from the expected value: tiny moves do not clutter the digest.
MIN_ANOMALY_MONEY, MIN_ANOMALY_COUNT = Decimal(50), 20
#: The creator list's headings and facts.
VERDICT_WORDS = {"rebook": ("✅ 续约：", "✅ Rebook: "), "watch": ("👀 观察：", "👀 Watch: "),
                 "stop": ("⛔ 停止合作：", "⛔ Stop: ")}
CREATOR_FACTS = {"orders": ("{n} 单", "{n} orders"), "clicks": ("商品点击 {n}", "{n} clicks"),
                 "cvr": ("转化率 {n}", "CVR {n}"), "engagement": ("互动率 {n}", "engagement {n}"),
                 "per_commission": ("佣金产出比 {n}", "GMV per commission {n}")}
OTHER_METRICS = {"creator_units": ("达人带货件数", "creator units"),
                 "affiliate_gmv": ("达人GMV", "affiliate GMV")}
TRAITS = {"hook_s": ("开头钩子秒数", "hook (s)"), "duration_s": ("时长秒数", "length (s)"),
          "posting_hour": ("发布时刻", "posting hour"),
          "music_share": ("使用音乐占比", "share with music")}
KIND_OF_KEY = {"cpm": ("广告系列 ", "campaign "),
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


def material(a: Anomaly) -> bool:
    """Whether an unusual day moved enough money (or, for counts, units) to be worth a line."""
    if a.money_at_stake is not None and abs(a.money_at_stake) < MIN_ANOMALY_MONEY:
        return False
    try:
        counted = get_metric(a.metric).unit == "count"
    except UnknownMetric:
        counted = a.metric in OTHER_METRICS and "units" in a.metric
    return not counted or abs(a.value - a.expected) >= MIN_ANOMALY_COUNT


def anomaly_lines(anomalies: tuple[Anomaly, ...], w: Words, store_names: Mapping[str, str],
                  names: Mapping[str, str] | None = None,
                  nicknames: Mapping[str, str | None] | None = None) -> list[str]:
    """The most unusual days/weeks worth a line (``material``): what, when, how far from
    expected, and the main driver; campaigns by ``names`` and creators by ``nicknames`` (with
    their handles) where known."""
    names, nicknames = names or {}, nicknames or {}
    out = []
    ranked = sorted(anomalies, key=lambda a: (a.severity != "high", -abs(a.robust_z)))
    runs: dict[tuple[str, str, str], list[Anomaly]] = {}
    for a in (a for a in ranked if material(a)):  # consecutive flags tell one story
        runs.setdefault((a.key, a.metric, a.direction), []).append(a)
    for run in list(runs.values())[:TOP_ANOMALIES]:
        a = run[0]
        kind = KIND_OF_KEY.get(a.metric.split("_")[0], ("", ""))
        who = store_names.get(a.key) or (
            creator_name(a.key, nicknames.get(a.key)) if a.metric.startswith("creator") else
            (_pick(w, kind) + (names.get(a.key) or a.key)).strip())
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
    """Top creators by GMV (name and handle, orders, clicks, CVR, engagement, GMV per
    commission), then the rebook / watch / stop list with each creator's reasons."""
    out = []
    for c in sorted(creators, key=lambda c: c.rank_gmv)[:TOP_CREATORS]:
        facts = [f"GMV {w.money(c.gmv, currency)}", _pick(w, CREATOR_FACTS["orders"]).format(
            n=w.count(c.orders))]
        for key, value, unit in (("clicks", c.clicks, "count"), ("cvr", c.cvr, "percent"),
                                 ("engagement", c.engagement_rate, "percent"),
                                 ("per_commission", c.gmv_per_commission, "multiple")):
            if value:  # unknown or none measured (no clicks tracked): left out
                shown = w.count(value) if unit == "count" else w.ratio(float(value), unit)
                facts.append(_pick(w, CREATOR_FACTS[key]).format(n=shown))
        colon, comma = ("：", "，") if w.lang == "zh" else (": ", ", ")
        out.append(creator_name(c.creator_username, c.nickname) + colon + comma.join(facts))
    for verdict in ("rebook", "watch", "stop"):
        group = [c for c in sorted(creators, key=lambda c: c.rank_gmv) if c.verdict == verdict]
        if not group:
            continue
        why = "（{}）" if w.lang == "zh" else " ({})"
        names = [creator_name(c.creator_username, c.nickname) + (
            "" if verdict == "rebook" else why.format(verdict_reasons(c.verdict_reasons, w)))
            for c in group]
        sep = "；" if w.lang == "zh" else "; "
        out.append(_pick(w, VERDICT_WORDS[verdict]) + sep.join(names))
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


def sku_label(sku_id: str, name: str | None, seller_sku: str | None = None) -> str:
    """A SKU as a person reads it: the product's name (with the seller's own SKU code, which
    tells variations apart, when known); the SKU id only where the warehouse has no name."""
    name, code = (name or "").strip(), (seller_sku or "").strip()
    if not name:
        return f"SKU {sku_id}"
    return f"{name} · {code}" if code else name


def stock_lines(plans: tuple[StockPlan, ...], w: Words) -> list[str]:
    """SKUs at or below their reorder point, fewest days of cover first: how much to order, now,
    and how many days the shelf stays empty if the restock takes its full lead time."""
    due = sorted((p for p in plans if p.reorder_now),
                 key=lambda p: p.days_of_cover if p.days_of_cover is not None else 0.0)
    out = []
    for p in due[:TOP_STOCK]:
        cover = 0.0 if p.days_of_cover is None else p.days_of_cover
        sku = sku_label(p.sku_id, getattr(p, "product_name", None),
                        getattr(p, "seller_sku", None))
        gap = p.lead_time_days - round(cover)  # days sold out before the restock arrives
        if w.lang == "zh":
            out.append(f"{sku}：可售 {cover:.0f} 天，补货周期 {p.lead_time_days} 天 → "
                       f"立即补货 {p.suggested_qty} 件"
                       + (f"（约断货 {gap} 天）" if gap > 0 else ""))
        else:
            out.append(f"{sku}: {cover:.0f} days of cover, lead time {p.lead_time_days} days → "
                       f"reorder {p.suggested_qty} units now"
                       + (f" (about {gap} days out of stock)" if gap > 0 else ""))
    return out
