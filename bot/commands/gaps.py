"""Honest gaps: a number the source did not report reads "n/a (not reported by <source>)".

``value_text(metric, kpis, lang)`` formats a KPI like ``analytics.display.metric_value`` and, when
the value is missing because an input was never reported (no traffic data, an ads report with
"-"), names the source instead of leaving a bare "n/a" (and never shows 0). A ratio over zero
(no spend, no visitors) stays "n/a": it was reported, there is nothing to divide.
"""

from __future__ import annotations

from analytics.display import metric_value, missing
from analytics.kpis import KpiSet
from bot.commands.texts import say

#: Source tables -> how a seller knows them, per language.
SOURCE_NAMES: dict[str, dict[str, str]] = {
    "ad_report_rows": {"en": "TikTok Ads", "zh": "TikTok 广告"},
    "shop_traffic_daily": {"en": "Shop analytics traffic", "zh": "店铺流量数据"},
    "order_settlements": {"en": "TikTok Shop settlements", "zh": "TikTok Shop 结算"},
    "affiliate_order_lines": {"en": "TikTok Shop affiliate orders", "zh": "联盟订单"},
    "content_daily": {"en": "TikTok video analytics", "zh": "视频数据"},
    "orders": {"en": "TikTok Shop orders", "zh": "订单数据"},
}
#: The inputs of each KPI, and the source that reports each input.
INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "spend": (("spend", "ad_report_rows"),),
    "impressions": (("impressions", "ad_report_rows"),),
    "clicks": (("clicks", "ad_report_rows"),),
    "purchases": (("purchases", "ad_report_rows"),),
    "purchase_value": (("purchase_value", "ad_report_rows"),),
    "ctr": (("impressions", "ad_report_rows"), ("clicks", "ad_report_rows")),
    "cpc": (("spend", "ad_report_rows"), ("clicks", "ad_report_rows")),
    "cpm": (("spend", "ad_report_rows"), ("impressions", "ad_report_rows")),
    "cpa": (("spend", "ad_report_rows"), ("purchases", "ad_report_rows")),
    "roas_platform": (("spend", "ad_report_rows"), ("purchase_value", "ad_report_rows")),
    "roas_true": (("spend", "ad_report_rows"), ("paid_share", "shop_traffic_daily")),
    "roas_blended": (("spend", "ad_report_rows"),),
    "visitors": (("visitors", "shop_traffic_daily"),),
    "cvr": (("visitors", "shop_traffic_daily"),),
    "settled_revenue": (("settled_revenue", "order_settlements"),),
    "commission_cost": (("commission_cost", "affiliate_order_lines"),),
}


def source_name(source: str, lang: str) -> str:
    """A source table as sellers know it ("TikTok Ads")."""
    names = SOURCE_NAMES.get(source, {"en": source})
    return names.get(lang, names["en"])


def not_reported(source: str, lang: str) -> str:
    """"n/a (not reported by TikTok Ads)"."""
    return say("not_reported", lang, source=source_name(source, lang))


def unreported_source(metric: str, kpis: KpiSet) -> str | None:
    """The source whose missing report leaves ``metric`` without a value, if that is why."""
    for field, source in INPUTS.get(metric, ()):
        if missing(getattr(kpis, field)):
            return source
    return None


def value_text(metric: str, kpis: KpiSet | None, lang: str) -> str:
    """A KPI as text; "n/a (not reported by <source>)" when its source reported nothing."""
    if kpis is None:
        return metric_value(metric, None, "")
    value = kpis.value(metric)
    if missing(value):
        source = unreported_source(metric, kpis)
        if source is not None:
            return not_reported(source, lang)
    return metric_value(metric, value, kpis.currency)
