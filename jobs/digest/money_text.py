"""The money, traffic-mix and funnel sections in words (Chinese and English, from one catalog).

Money: gross GMV, refunds, net GMV, settled revenue, creator commission and ad spend, and the
margin they leave (net GMV less commission and ad spend, before product cost and platform fees),
for the tenant and each store. Traffic mix: paid vs organic where the data has a PAID channel,
then each channel's share of GMV and visitors with its change. Funnel: impressions -> page
views -> add to cart -> orders of the shop (all channels) and the ads' impressions -> clicks ->
purchases, each step with its rate, where the data has them. An empty section returns no lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from analytics.kpis import KpiSet
from jobs.digest.advice_text import pick
from jobs.digest.words import Words
from jobs.report.model import WeeklyReport
from jobs.report.records import ChannelShare, FunnelStep

MONEY: dict[str, tuple[str, str]] = {
    "flow": ("总GMV {gross} − 退款 {refunds} = 净GMV {net}（{vs} {pct}）",
             "Gross GMV {gross} − refunds {refunds} = net GMV {net} ({pct} {vs})"),
    "settled": ("{period}结算到账 {settled}", "Settled (paid out) {period}: {settled}"),
    "costs": ("达人佣金 {commission} · 广告花费 {spend}",
              "Creator commission {commission} · ad spend {spend}"),
    "left": ("扣除退款、佣金和广告后剩余 {left}（占总GMV {share}），尚未扣除货品成本和平台费用",
             "Left after refunds, commission and ads: {left} ({share} of gross GMV), before "
             "product cost and platform fees"),
    "store": ("{store}：净GMV {net}，剩余 {left}", "{store}: net GMV {net}, left {left}"),
    "paid": ("付费流量带来 {paid} 的GMV（{paid_pp}），自然流量 {organic}",
             "Paid traffic brought {paid} of GMV ({paid_pp}), organic {organic}"),
    "channel": ("{channel}：GMV占比 {gmv}（{gmv_pp}）{visitors}",
                "{channel}: {gmv} of GMV ({gmv_pp}){visitors}"),
    "visitors": ("，访客占比 {share}", ", {share} of visitors"),
    "shop_funnel": ("店铺：{steps}", "Shop: {steps}"),
    "ads_funnel": ("广告：{steps}", "Ads: {steps}"),
    "step": ("{stage} {count}（{rate}，{pp}）", "{stage} {count} ({rate}, {pp})"),
}
CHANNELS: dict[str, tuple[str, str]] = {
    "LIVE": ("直播", "LIVE"), "VIDEO": ("短视频", "Short video"),
    "PRODUCT_CARD": ("商品卡", "Product card"), "SEARCH": ("搜索", "Search"),
    "AFFILIATE": ("达人联盟", "Affiliates"), "PAID": ("付费广告", "Paid ads"),
}
STAGES: dict[str, tuple[str, str]] = {
    "impressions": ("曝光", "impressions"), "views": ("观看", "views"),
    "page_views": ("商品页浏览", "page views"), "add_to_cart": ("加购", "add to cart"),
    "orders": ("订单", "orders"), "clicks": ("点击", "clicks"), "purchases": ("购买", "purchases"),
}


def _left(k: KpiSet) -> Decimal:
    return k.net_gmv - (k.commission_cost or Decimal(0)) - (k.spend or Decimal(0))


def money_lines(report: WeeklyReport, w: Words) -> list[str]:
    """Where the week's money went, for the tenant (reporting currency) and each store."""
    scope = report.total or (report.stores[0].kpis if len(report.stores) == 1 else None)
    out: list[str] = []
    if scope is not None:
        k, ccy = scope.current, scope.current.currency

        def money(v: Decimal | None) -> str:
            return w.money(v, ccy)

        out.append(pick(MONEY["flow"], w).format(
            gross=money(k.gross_gmv), refunds=money(k.refunds), net=money(k.net_gmv),
            pct=w.pct_change(scope.change("net_gmv").pct), vs=w.t("vs_prev")))
        if k.settled_revenue is not None:
            out.append(pick(MONEY["settled"], w).format(settled=money(k.settled_revenue),
                                                          period=w.t("in_period")))
        out.append(pick(MONEY["costs"], w).format(commission=money(k.commission_cost),
                                                  spend=money(k.spend)))
        share = None if not k.gross_gmv else float(_left(k) / k.gross_gmv)
        out.append(pick(MONEY["left"], w).format(left=money(_left(k)),
                                                 share=w.ratio(share, "percent")))
    if len(report.stores) > 1 or scope is None:
        for store in report.stores:  # in the reporting currency, the store's own beside
            own, found = store.kpis.current, store.in_currency(report.reporting_currency)
            k = own if found is None else found.current
            net = w.money(k.net_gmv, k.currency)
            if k.currency != own.currency:
                exact = w.money(own.net_gmv, own.currency)
                net += f"（{exact}）" if w.lang == "zh" else f" ({exact})"
            out.append(pick(MONEY["store"], w).format(store=store.name, net=net,
                                                      left=w.money(_left(k), k.currency)))
    return out


def _pp(value: float | None, w: Words) -> str:
    if value is None:
        return "—"
    value = round(value, 1) + 0.0  # −0.04 points is no move: +0.0, not −0.0
    sign = "+" if value >= 0 else "−"
    return f"{sign}{abs(value):.1f} 个百分点" if w.lang == "zh" else f"{sign}{abs(value):.1f} pt"


def mix_lines(mix: tuple[ChannelShare, ...], w: Words) -> list[str]:
    """Paid vs organic (where a PAID channel exists), then each channel's share and change."""
    out: list[str] = []
    paid = next((c for c in mix if c.channel == "PAID"), None)
    if paid is not None and paid.gmv_share is not None:
        out.append(pick(MONEY["paid"], w).format(
            paid=w.ratio(paid.gmv_share, "percent"), paid_pp=_pp(paid.gmv_change_pp, w),
            organic=w.ratio(1 - paid.gmv_share, "percent")))
    for c in mix:
        if c.channel == "PAID" or c.gmv_share is None:
            continue
        name = pick(CHANNELS.get(c.channel, (c.channel.title(),) * 2), w)
        out.append(pick(MONEY["channel"], w).format(
            channel=name, gmv=w.ratio(c.gmv_share, "percent"), gmv_pp=_pp(c.gmv_change_pp, w),
            visitors="" if c.visitors_share is None else pick(MONEY["visitors"], w).format(
                share=w.ratio(c.visitors_share, "percent"))))
    return out


def _steps(rows: Sequence[tuple[str, int | None, float | None, float | None]], w: Words,
           named: tuple[str, ...] = ("orders",)) -> str:
    """Stages joined by arrows; those in ``named`` by their catalog names (so the deck's notes
    define them)."""
    parts: list[str] = []
    for stage, count, rate, pp in rows:
        name = w.metric(stage) if stage in named else pick(STAGES.get(stage, (stage,) * 2), w)
        name = name if w.lang == "zh" or not parts else name[0].lower() + name[1:]
        if rate is None:
            parts.append(f"{name} {w.count(count)}")
        else:
            parts.append(pick(MONEY["step"], w).format(
                stage=name, count=w.count(count), rate=w.ratio(rate, "percent"), pp=_pp(pp, w)))
    return " → ".join(parts)


def funnel_lines(funnel: tuple[FunnelStep, ...], w: Words, ads: KpiSet | None = None) -> (
    list[str]
):
    """The shop's funnel over all channels and, when ``ads`` has them, the ads' funnel."""
    out: list[str] = []
    shop = [(f.stage, f.current, f.current_rate, f.change_pp) for f in funnel
            if f.channel == "ALL" and f.current is not None]
    if len(shop) > 1:
        out.append(pick(MONEY["shop_funnel"], w).format(steps=_steps(shop, w)))
    if ads is not None and ads.impressions and ads.clicks:
        rows = [("impressions", ads.impressions, None, None),
                ("clicks", ads.clicks, ads.ctr, None),
                ("purchases", ads.purchases, None if not ads.purchases else
                 ads.purchases / ads.clicks, None)]
        text = _steps(rows, w, ("impressions", "clicks", "purchases")).replace(
            "，—", "").replace(", —", "")
        out.append(pick(MONEY["ads_funnel"], w).format(steps=text))
    return out
