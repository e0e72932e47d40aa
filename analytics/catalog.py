"""The metric catalog: one definition per metric (the team's 统一数据口径).

Output only: ``Metric`` records (id, zh/en names, formula, unit, direction, caveat, sources,
aliases). The bot's ``define`` command (``find_metric``), the digest footnotes and the README
metric table (``markdown_table``) all read from here, so a definition changes in one place.

True ROAS method (``roas_true``), per store and period: where shop traffic has a PAID channel,
ads-attributable net revenue = (Σ GMV of PAID / Σ GMV of all channels) × net GMV; otherwise (the
Partner API breaks GMV down by LIVE / VIDEO / PRODUCT_CARD only) it is the platform-attributed
revenue with the store's refund share removed (× net GMV / gross GMV), capped at the store's net
GMV. A tenant or region sums the stores' attributable revenue and divides by the summed spend of
the same stores (a store that can say neither is left out of true ROAS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "METRICS", "Metric", "UnknownMetric", "find_metric", "get_metric", "markdown_table",
]


Unit = Literal["money", "count", "ratio", "percent", "multiple"]
Direction = Literal["higher_better", "lower_better", "neutral"]


@dataclass(frozen=True)
class Metric:
    """One metric definition, as shown to users."""

    id: str
    en: str
    zh: str
    formula: str
    unit: Unit
    direction: Direction
    caveat: str
    sources: tuple[str, ...]
    aliases: tuple[str, ...] = ()


class UnknownMetric(KeyError):
    """No metric has this id or alias; ``suggestions`` lists near matches."""

    def __init__(self, term: str, suggestions: list[str]) -> None:
        self.term = term
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown metric {term!r}{hint}")


_SALES_VALID = "paid, not sample, not replacement, not test orders"

METRICS: tuple[Metric, ...] = (
    Metric("gross_gmv", "Gross GMV", "总GMV", f"Σ sub_total of {_SALES_VALID}, by paid time",
           "money", "higher_better",
           "Before refunds. Seller Center GMV also counts later-refunded orders, so it matches "
           "this number, not net GMV.", ("orders",),
           ("gmv", "GMV", "销售额", "成交额", "总成交额")),
    Metric("refunds", "Refunds", "退款金额", "Σ refund_amount of completed refunds, by completion "
           "time", "money", "lower_better", "Counted on the day the refund completes, not the "
           "order day.", ("refunds", "orders"), ("退款", "refund amount")),
    Metric("net_gmv", "Net GMV", "净GMV", "gross GMV − refunds completed in the period",
           "money", "higher_better", "Can be negative in a week with few sales and many "
           "refunds of earlier orders.", ("orders", "refunds"),
           ("净成交额", "净销售额", "net sales")),
    Metric("settled_revenue", "Settled revenue", "结算收入", "Σ settlement_amount of orders "
           "settled in the period (after fees, commission, shipping)", "money", "higher_better",
           "Arrives weeks after the sale; not comparable with GMV of the same week.",
           ("order_settlements",), ("回款", "结算金额", "settlement", "payout")),
    Metric("orders", "Orders", "订单数", f"count of {_SALES_VALID}", "count", "higher_better",
           "Sample and replacement orders are excluded.", ("orders",), ("订单", "order count")),
    Metric("units", "Units", "销量", "Σ line quantity of sales-valid orders (one API line = "
           "one unit)", "count", "higher_better", "", ("orders", "order_lines"),
           ("件数", "units sold", "销售件数")),
    Metric("buyers", "Buyers", "买家数", "distinct buyer_id of sales-valid orders", "count",
           "higher_better", "Distinct over the whole period; daily buyers do not add up.",
           ("orders",), ("买家", "customers", "客户数")),
    Metric("aov", "Average order value", "客单价", "gross GMV / orders", "money",
           "higher_better", "Uses gross GMV (before refunds).", ("orders",),
           ("AOV", "average order value", "平均订单价值")),
    Metric("refund_rate", "Refund rate", "退款率", "refunds / gross GMV (money, same period)",
           "percent", "lower_better", "Refunds of earlier weeks' orders land in this week, so "
           "a small week can exceed 100%.", ("orders", "refunds"), ("退货率", "return rate")),
    Metric("visitors", "Visitors", "访客数", "Σ visitors (shop traffic, channel ALL)", "count",
           "higher_better", "Platform-reported; daily visitors may double count a person.",
           ("shop_traffic_daily",), ("访客", "UV", "traffic")),
    Metric("cvr", "Conversion rate", "转化率", "buyers / visitors (Σ over the period, shop "
           "traffic); buyers / product page views where the source reports no visitors",
           "percent", "higher_better", "Ratio of sums, never an average of daily rates; both "
           "from shop traffic. The Partner API reports product page views, not visitors.",
           ("shop_traffic_daily",),
           ("CVR", "conversion", "conversion rate", "支付转化率")),
    Metric("spend", "Ad spend", "广告花费", "Σ spend (campaign level)", "money", "neutral",
           "\"-\" from the Ads API is missing data, not zero.", ("ad_report_rows",),
           ("消耗", "花费", "ad spend", "cost", "广告消耗")),
    Metric("impressions", "Ad impressions", "广告曝光", "Σ impressions (campaign level)", "count",
           "higher_better", "", ("ad_report_rows",), ("曝光", "展现", "展示量")),
    Metric("clicks", "Ad clicks", "广告点击", "Σ clicks (campaign level)", "count",
           "higher_better", "", ("ad_report_rows",), ("点击", "点击量")),
    Metric("purchases", "Ad purchases", "广告成交单数", "Σ complete_payment (campaign level)",
           "count", "higher_better", "Platform-attributed (7-day click / 1-day view by "
           "default).", ("ad_report_rows",), ("ad orders", "广告订单")),
    Metric("purchase_value", "Ad-attributed revenue", "广告归因成交额",
           "Σ total_onsite_shopping_value (campaign level)", "money", "higher_better",
           "What the ad platform claims; kept apart from shop GMV.", ("ad_report_rows",),
           ("ad revenue", "广告成交额", "gross revenue")),
    Metric("ctr", "Click-through rate", "点击率", "Σ clicks / Σ impressions", "percent",
           "higher_better", "Compare within a region only (CTR differs by market).",
           ("ad_report_rows",), ("CTR",)),
    Metric("cpc", "Cost per click", "单次点击成本", "Σ spend / Σ clicks", "money",
           "lower_better", "", ("ad_report_rows",), ("CPC",)),
    Metric("cpm", "Cost per mille", "千次展示成本", "1000 × Σ spend / Σ impressions", "money",
           "lower_better", "Compare within a region only.", ("ad_report_rows",), ("CPM",)),
    Metric("cpa", "Cost per acquisition", "单次成交成本", "Σ spend / Σ ad purchases", "money",
           "lower_better", "Purchases are platform-attributed.", ("ad_report_rows",),
           ("CPA", "cost per order", "获客成本")),
    Metric("roas_platform", "Platform ROAS", "平台ROAS（投产比）",
           "Σ ad-attributed revenue / Σ spend", "multiple", "higher_better",
           "Platform-attributed: counts what the ad platform claims. GMV Max \"ROI\" also counts "
           "organic and affiliate orders of promoted products, so it is an upper bound, not "
           "incremental.", ("ad_report_rows",),
           ("ROAS", "ROI", "投产比", "平台投产比", "广告投产比", "platform roas", "gmv max roi")),
    Metric("roas_true", "True ROAS", "真实ROAS", "ads-attributable net revenue / Σ spend; "
           "attributable = PAID-channel share × net GMV, else platform-attributed revenue × "
           "(net GMV / gross GMV), at most net GMV", "multiple", "higher_better",
           "Our estimate: net of refunds and never more than the shop actually sold; lower than "
           "platform ROAS by design.",
           ("orders", "refunds", "shop_traffic_daily", "ad_report_rows"),
           ("true roas", "真实投产比", "净ROAS", "net roas")),
    Metric("roas_blended", "Blended ROAS (MER)", "综合ROAS（MER）", "net GMV / Σ spend (all "
           "shop GMV after refunds over all ad spend)", "multiple", "higher_better",
           "Not ad performance alone: organic and affiliate sales are included. Some tools "
           "write MER as spend / revenue; ours is revenue / spend.",
           ("orders", "refunds", "ad_report_rows"),
           ("MER", "blended roas", "综合投产比", "整体投产比", "marketing efficiency ratio")),
    Metric("commission_cost", "Affiliate commission", "达人佣金", "Σ actual paid commission "
           "(estimated where not yet paid) of affiliate order lines, by order time", "money",
           "neutral", "Affiliate data lags 24-48 h; no commission on cancelled/refunded units.",
           ("affiliate_order_lines",), ("佣金", "commission", "affiliate commission", "联盟佣金")),
)

_BY_ID: dict[str, Metric] = {m.id: m for m in METRICS}


def _norm(term: str) -> str:
    return re.sub(r"[\s_\-（）()]+", "", term).casefold()


_BY_ALIAS: dict[str, Metric] = {}
for _m in METRICS:
    for _name in (_m.id, _m.en, _m.zh, *_m.aliases):
        _BY_ALIAS.setdefault(_norm(_name), _m)


def get_metric(metric_id: str) -> Metric:
    """The metric with this exact id; ``UnknownMetric`` otherwise."""
    try:
        return _BY_ID[metric_id]
    except KeyError:
        raise UnknownMetric(metric_id, _suggest(metric_id)) from None


def find_metric(term: str) -> Metric:
    """The metric named by an id, an en/zh name or an alias, ignoring case, spaces and brackets.

    ``find_metric("投产比").id == "roas_platform"``; ``UnknownMetric`` (with suggestions) if none.
    """
    found = _BY_ALIAS.get(_norm(term))
    if found is None:
        raise UnknownMetric(term, _suggest(term))
    return found


def _suggest(term: str) -> list[str]:
    key = _norm(term)
    if not key:
        return []
    hits = [m.id for alias, m in _BY_ALIAS.items() if key in alias or alias in key]
    return sorted(set(hits))[:5]


def markdown_table(lang: Literal["en", "zh"] = "en") -> str:
    """The catalog as a Markdown table (README and ``define all``)."""
    head = "| id | name | formula | unit | better | caveat |\n|---|---|---|---|---|---|\n"
    rows = []
    for m in METRICS:
        name = m.en if lang == "en" else m.zh
        better = {"higher_better": "higher", "lower_better": "lower", "neutral": "-"}[m.direction]
        rows.append(f"| {m.id} | {name} | {m.formula} | {m.unit} | {better} | {m.caveat} |")
    return head + "\n".join(rows) + "\n"
