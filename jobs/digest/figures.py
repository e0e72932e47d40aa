"""The digest's charts from a composed ``Digest``: tenant charts and each store's own pair.

Tenant charts: the phone-sized summary (headline KPI cards, ``jobs.digest.summary_text``), weekly
GMV trend (4-week baseline band, weekly GMV target), why net GMV moved
(traffic x conversion x order value waterfall), the creator leaderboard, stock cover, the GMV
mix by channel (by store without traffic data) and the shop funnel (the ads funnel without
traffic data). A store section has its own trend and waterfall, in the store's own currency.
Tenant charts that need the total are left out when it needs a missing FX rate. Every chart is
drawn by ``analytics.charts``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from analytics import charts
from analytics.kpi_report import KpiReport
from analytics.periods import BASELINE_PERIODS, parse_period
from jobs.digest import section_charts
from jobs.digest.compose import Digest, gmv_decomposition
from jobs.digest.package import Attachment
from jobs.digest.summary_text import summary_png
from jobs.digest.words import Words
from jobs.report.model import StoreReport, WeekKpis

#: Stores named in the GMV mix chart; the others are one segment.
MIX_STORES = 6
#: Factor names of analytics.drivers -> phrase keys of jobs.digest.words.
FACTORS = {"traffic": "traffic", "cvr": "cvr", "aov": "aov", "orders": "orders"}


def _band(values: Sequence[float | None], n: int = 4) -> list[tuple[float, float] | None]:
    """Per period, the range of the ``n`` periods before it (None until ``n`` are known)."""
    out: list[tuple[float, float] | None] = []
    for i in range(len(values)):
        prior = [v for v in values[max(0, i - n):i] if v is not None]
        out.append((min(prior), max(prior)) if len(prior) == n else None)
    return out


def trend_png(history: Sequence[WeekKpis], w: Words, period: str, currency: str,
              target: Decimal | None, title: str) -> bytes:
    """Weekly gross GMV with its baseline band and the weekly GMV target."""
    name = w.metric("gross_gmv")
    values: list[float | None] = [float(h.kpis.gross_gmv) for h in history]
    while values and values[0] == 0:  # weeks before the first sale: no data, not zero
        values = values[1:]
    values = [None] * (len(history) - len(values)) + values
    band = _band(values, BASELINE_PERIODS[w.cadence])  # the cadence's baseline periods
    return charts.kpi_trend(title, currency, [h.week for h in history], values, period=period,
                            lang=w.lang, band=band if any(band) else (),  # type: ignore[arg-type]
                            target=target, line_label=name, band_label=w.t("band"))


def waterfall_png(store_or_total: tuple[object, object], w: Words, period: str,
                  currency: str, title: str) -> bytes | None:
    """Last week's net GMV, each driver's contribution, this week's net GMV."""
    current, previous = store_or_total
    dec = gmv_decomposition(current, previous)  # type: ignore[arg-type]
    if dec is None:
        return None
    steps = [(w.t(FACTORS.get(p.factor, p.factor)), p.contribution) for p in dec.parts]
    return charts.driver_waterfall((w.t("last_week"), dec.previous), steps,
                                   (w.t("this_week"), dec.current), title=title, unit=currency,
                                   period=period, lang=w.lang)  # type: ignore[arg-type]


def mix_png(digest: Digest, w: Words, period: str) -> bytes | None:
    """The largest stores' shares of gross GMV this week and last week (the rest as "others"),
    in the reporting currency (none when a store's rate is missing)."""
    ccy = digest.report.reporting_currency
    found = [(s, s.in_currency(ccy)) for s in digest.report.stores]
    if len(found) < 2 or any(k is None for _, k in found):
        return None
    ranked = sorted(((s, k) for s, k in found if k is not None),
                    key=lambda p: p[1].current.gross_gmv, reverse=True)
    shown, rest = ranked[:MIX_STORES], ranked[MIX_STORES:]

    def shares(pick: Callable[[KpiReport], Decimal]) -> list[Decimal]:
        values = [pick(k) for _, k in shown]
        return values + [sum((pick(k) for _, k in rest), Decimal(0))] if rest else values

    rows = {f"GMV {w.t('this_week')}": shares(lambda k: k.current.gross_gmv)}
    if all(k.previous is not None for _, k in ranked):
        rows[f"GMV {w.t('last_week')}"] = shares(
            lambda k: k.previous.gross_gmv)  # type: ignore[union-attr]
    names = [s.name for s, _ in shown] + ([w.t("others", n=len(rest))] if rest else [])
    title = "各店铺GMV占比" if w.lang == "zh" else "GMV mix by store"
    return charts.channel_mix(names, rows, title=title, period=period,
                              lang=w.lang)  # type: ignore[arg-type]


def funnel_png(digest: Digest, w: Words, period: str) -> bytes | None:
    """Ad impressions -> clicks -> purchases, this week (bars) and last week (markers)."""
    if digest.report.total is None:
        return None
    cur, prev = digest.report.total.current, digest.report.total.previous
    if not cur.impressions:
        return None
    names = ("impressions", "clicks", "purchases")
    stages = [(w.metric(n), getattr(cur, n) or 0, None if prev is None else getattr(prev, n))
              for n in names]
    title = "广告转化漏斗" if w.lang == "zh" else "Ads funnel"
    return charts.funnel(stages, title=title, period=period, lang=w.lang,
                         periods=(w.t("this_week"), w.t("last_week")))  # type: ignore[arg-type]


def tenant_charts(digest: Digest, lang: str, period: str) -> tuple[Attachment, ...]:
    """The tenant-level charts of one language, in posting order."""
    w, report = Words(lang, digest.report.cadence), digest.report
    ccy, total = report.reporting_currency, report.total
    target = None if total is None else next(
        (t.target for t in total.targets if t.metric == "gross_gmv"), None)
    title = w.t("title", tenant=report.tenant_name, week=report.week)
    made = [  # in posting order (the summary first): Slack shows the first five
        ("summary", w.t("headline"), summary_png(digest, w, title, period)),
        ("trend", w.t("gmv_trend"), None if total is None else trend_png(
            report.total_history, w, period, ccy, target, w.t("gmv_trend"))),  # type: ignore[arg-type]
        ("drivers", w.t("why_gmv"), None if total is None else waterfall_png(
            (total.current, total.previous), w, period, ccy, w.t("why_gmv"))),
        ("creators", w.t("creators"), section_charts.creators_png(report, w, period)),
        ("stock", w.t("stock"), section_charts.stock_png(report, w, period)),
        ("mix", w.t("gmv_mix"), section_charts.channel_mix_png(report, w, period)
         or mix_png(digest, w, period)),
        ("funnel", w.t("funnel"), section_charts.shop_funnel_png(report, w, period)
         or funnel_png(digest, w, period)),
    ]
    slug = f"{report.tenant_id}-{report.week}-{lang}"
    return tuple(Attachment(f"{slug}-{name}.png", title, png) for name, title, png in made if png)


def store_charts(store: StoreReport, lang: str, period: str) -> tuple[bytes, ...]:
    """A store section's trend and waterfall (the waterfall only with a previous week), in the
    store's own currency."""
    w, currency = Words(lang, parse_period(store.kpis.week)[0]), store.kpis.current.currency
    trend = trend_png(store.history, w, period, currency, None,
                      f"{store.name} · {w.t('gmv_trend')}")
    fall = waterfall_png((store.kpis.current, store.kpis.previous), w, period, currency,
                         f"{store.name} · {w.t('why_gmv')}")
    return (trend,) if fall is None else (trend, fall)
