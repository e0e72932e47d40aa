"""The digest's words and numbers in Chinese and English (Babel formats numbers and dates).

``Words(lang, cadence)`` gives every fixed phrase (``w.t("headline")``; a bi-weekly or monthly
report's titles and comparisons from ``CADENCE_PHRASES``: "vs last month", "较近3月平均"), metric
names from the catalog and locale-aware formatting of money, counts, ratios, changes and periods,
so a figure reads ``US$1,234`` / ``$1,234`` and a date ``11月16日`` / ``Nov 16`` for the reader's
language.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.dates import format_interval
from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent

from analytics.catalog import get_metric

LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}
#: What ``Words.beside`` writes, in either language.
_BESIDE = re.compile(r"(?P<own>.+?)(?:（≈ | \(≈ )(?P<reporting>.+)[）)]")

PHRASES: dict[str, tuple[str, str]] = {  # key: (zh, en)
    "title": ("{tenant} 周报 · {week}", "{tenant} weekly digest · {week}"),
    "summary": ("本周结论", "This week in three lines"),
    "money": ("资金", "Money"), "traffic_mix": ("流量构成", "Traffic mix"),
    "funnel_steps": ("转化路径", "Conversion path"),
    "headline": ("本周核心指标", "This week's headline"),
    "vs_prev": ("环比", "WoW"),
    "vs_base": ("对比4周均值", "vs 4-wk avg"),
    "base_avg": ("4周均值", "4-week average"),
    "band": ("4周基线", "4-week baseline"),
    "target": ("目标", "target"),
    "what_changed": ("变化与原因", "What changed and why"),
    "suggestions": ("建议", "Suggestions"),
    "stores": ("各店铺", "Stores"),
    "quality": ("数据质量", "Data quality"),
    "partial": ("⚠️ 数据不完整（部分报告）：", "⚠️ Partial digest, data incomplete: "),
    "correction": ("✏️ 已更正：数据更新后于 {when} 重新计算。",
                   "✏️ Corrected: recalculated at {when} after the data was updated."),
    "charts": ("图表", "Charts"),
    "full_report": ("完整报告（PDF）", "Full report (PDF)"),
    "no_change": ("本周无显著变化。", "No significant changes this week."),
    "in_period": ("本周", "this week"),  # mid-sentence: "settled this week", "本周佣金"
    "per_period": ("每周", "a week"), "next_period": ("下周", "next week"),
    "no_suggestion": ("暂无建议。", "No suggestions this week."),
    "fresh_all": ("所有数据源已同步至周日。", "Every source is synced through Sunday."),
    "behind": ("{store} {source} 落后 {days} 天", "{store} {source} {days} day(s) behind"),
    "never": ("{store} {source} 从未同步", "{store} {source} never synced"),
    "excluded": ("已排除：{items}", "Excluded: {items}"),
    "reconciled": ("与平台GMV差异 {pct}", "vs platform GMV {pct}"),
    "traffic": ("流量", "Traffic"), "cvr": ("转化率", "Conversion"),
    "aov": ("客单价", "Order value"),
    "orders": ("订单数", "Orders"), "ctr": ("点击率", "CTR"), "cpm": ("CPM", "CPM"),
    "refunds": ("退款", "Refunds"),
    "revenue": ("广告归因收入", "Attributed revenue"), "spend": ("花费", "Spend"),
    "last_week": ("上周", "Last week"), "this_week": ("本周", "This week"),
    "why_gmv": ("净GMV变化原因", "Why net GMV moved"),
    "gmv_trend": ("GMV周趋势", "Weekly GMV"),
    "gmv_mix": ("GMV构成", "GMV mix"), "funnel": ("转化漏斗", "Funnel"),
    "flat": ("持平", "flat"),
    "others": ("其他 {n} 家", "{n} others"),
    "anomalies": ("异常", "Unusual days"), "creators": ("达人", "Creators"),
    "content": ("内容", "Content"), "stock": ("库存预警", "Stock at risk"),
    "zone_note": ("时区 {zone}", "time zone {zone}"),
    "totals_left_out": ("合计未列出：换算为 {currency} 所需的汇率缺失（见上）。"
                        "各店铺数字以其本币列在“各店铺”中。",
                        "Totals left out: converting into {currency} needs the missing FX rates "
                        "above. Each store's numbers are under Stores, in its own currency."),
}
PHRASES.update({  # ads by campaign, and the funnel's conversion rate (the headline's)
    "campaigns": ("广告计划", "Ads by campaign"),
    "funnel_cvr": ("{cvr_name}（买家数/访客数，与核心指标同一口径）：{cvr}；{orders_name} {orders}",
                   "{cvr_name} (buyers / visitors, as in the headline): {cvr}; {orders_name} "
                   "{orders}"),
})

#: The phrases that name the period, per cadence other than weekly: key -> cadence -> (zh, en).
CADENCE_PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    "title": {"biweekly": ("{tenant} 双周报 · {week}", "{tenant} bi-weekly digest · {week}"),
              "monthly": ("{tenant} 月报 · {week}", "{tenant} monthly digest · {week}")},
    "summary": {"biweekly": ("本期结论", "These two weeks in three lines"),
                "monthly": ("本月结论", "This month in three lines")},
    "headline": {"biweekly": ("本期核心指标", "This fortnight's headline"),
                 "monthly": ("本月核心指标", "This month's headline")},
    "vs_prev": {"biweekly": ("较上期", "vs last fortnight"),
                "monthly": ("较上月", "vs last month")},
    "vs_base": {"biweekly": ("较前2期平均", "vs 2-fortnight avg"),
                "monthly": ("较近3月平均", "vs 3-month avg")},
    "base_avg": {"biweekly": ("前2期均值", "2-fortnight average"),
                 "monthly": ("近3月均值", "3-month average")},
    "band": {"biweekly": ("前2期区间", "2-fortnight range"),
             "monthly": ("近3月区间", "3-month range")},
    "last_week": {"biweekly": ("上期", "Last fortnight"), "monthly": ("上月", "Last month")},
    "this_week": {"biweekly": ("本期", "This fortnight"), "monthly": ("本月", "This month")},
    "in_period": {"biweekly": ("本期", "these two weeks"), "monthly": ("本月", "this month")},
    "per_period": {"biweekly": ("每两周", "a fortnight"), "monthly": ("每月", "a month")},
    "next_period": {"biweekly": ("下期", "next fortnight"), "monthly": ("下月", "next month")},
    "gmv_trend": {"biweekly": ("GMV双周趋势", "Bi-weekly GMV"),
                  "monthly": ("GMV月趋势", "Monthly GMV")},
    "no_change": {"biweekly": ("本期无显著变化。", "No significant changes this fortnight."),
                  "monthly": ("本月无显著变化。", "No significant changes this month.")},
    "no_suggestion": {"biweekly": ("暂无建议。", "No suggestions this fortnight."),
                      "monthly": ("暂无建议。", "No suggestions this month.")},
    "fresh_all": {"biweekly": ("所有数据源已同步至本期最后一天。",
                               "Every source is synced through the fortnight's last day."),
                  "monthly": ("所有数据源已同步至月末。",
                              "Every source is synced through the month's last day.")},
}


#: Cleaning rules and sync sources in words (``analytics.clean`` rule ids, refund rules with a
#: ``refund_`` prefix, ``jobs.ingestion`` source names): no code reaches a reader.
RULES: dict[str, tuple[str, str]] = {
    "cancelled_before_payment": ("付款前取消", "cancelled before payment"),
    "unpaid": ("未付款", "unpaid"),
    "sample": ("样品单", "samples"),
    "replacement": ("补发单", "replacements"),
    "test": ("测试单", "test orders"),
    "refund_not_completed": ("未完成的退款", "refunds not completed"),
    "refund_order_not_found": ("找不到原订单的退款", "refunds of unknown orders"),
    "refund_order_excluded": ("已排除订单的退款", "refunds of excluded orders"),
}
SOURCES: dict[str, tuple[str, str]] = {
    "orders": ("订单", "orders"), "returns": ("退货", "returns"),
    "cancellations": ("取消", "cancellations"), "statements": ("结算单", "statements"),
    "settlements": ("结算", "settlements"), "affiliate": ("联盟订单", "affiliate orders"),
    "traffic": ("流量", "traffic"), "stock": ("库存", "stock"), "videos": ("视频", "videos"),
    "lives": ("直播", "LIVEs"), "creators": ("达人", "creators"),
    "ads_campaign": ("广告系列", "ad campaigns"), "ads_ad": ("广告", "ads"),
    "ads": ("广告", "ads"),
}


def apart(value: str) -> tuple[str, str]:
    """A value written by ``Words.beside`` as (own amount, reporting amount), ``(value, "")``
    when nothing is beside it: for a layout that puts the reporting amount on its own line."""
    found = _BESIDE.fullmatch(value)
    return (value, "") if found is None else (found["own"], found["reporting"])


class Words:
    """Phrases and number formats of one language, for a report of one cadence."""

    def __init__(self, lang: str, cadence: str = "weekly") -> None:
        if lang not in LOCALES:
            raise ValueError(f"unsupported digest language {lang!r}; use zh or en")
        self.lang, self.locale, self.cadence = lang, LOCALES[lang], cadence

    def t(self, key: str, **values: object) -> str:
        """A fixed phrase, with ``{placeholders}`` filled in (the cadence's own where it has one:
        a monthly report says "vs last month")."""
        zh, en = CADENCE_PHRASES.get(key, {}).get(self.cadence, PHRASES[key])
        return (zh if self.lang == "zh" else en).format(**values)

    def rule(self, rule_id: str) -> str:
        """A cleaning rule in words (an unknown id is still shown without underscores)."""
        zh, en = RULES.get(rule_id, (rule_id.replace("_", " "),) * 2)
        return zh if self.lang == "zh" else en

    def source(self, source_id: str) -> str:
        """A synced source in words."""
        zh, en = SOURCES.get(source_id, (source_id.replace("_", " "),) * 2)
        return zh if self.lang == "zh" else en

    def metric(self, metric_id: str) -> str:
        """The catalog name of a metric in this language."""
        m = get_metric(metric_id)
        return m.zh if self.lang == "zh" else m.en

    def money(self, amount: Decimal | float | None, currency: str, *, short: bool = False) -> str:
        """``US$1,234`` (no cents above 1,000; ``short``: ``$10.4K`` / ``US$1.04万``, three
        significant digits at least, as a coarse ``US$1万`` hides a 4 % move)."""
        if amount is None:
            return "—"
        if short and abs(amount) >= 10_000:
            symbol = format_currency(0, currency, locale=self.locale).replace("0.00", "")
            whole = format_compact_decimal(float(amount), locale=self.locale)  # "1万", "299K"
            digits = max(1, 3 - sum(c.isdigit() for c in whole))
            compact = format_compact_decimal(float(amount), locale=self.locale,
                                             fraction_digits=digits)
            return f"{symbol}{compact}"
        digits = 0 if abs(amount) >= 1000 else 2
        pattern = "¤#,##0" if digits == 0 else "¤#,##0.00"
        return format_currency(Decimal(str(amount)), currency, format=pattern,
                               locale=self.locale, currency_digits=False)

    def beside(self, own: str, reporting: str) -> str:
        """A store's own amount with the reporting-currency amount beside it (``apart`` reads
        it back)."""
        return f"{own}（≈ {reporting}）" if self.lang == "zh" else f"{own} (≈ {reporting})"

    def count(self, value: float | int | None) -> str:
        return "—" if value is None else format_decimal(value, format="#,##0", locale=self.locale)

    def ratio(self, value: float | None, unit: str) -> str:
        """A ratio metric: ``percent`` as 2.5%, ``multiple`` as 3.10."""
        if value is None:
            return "—"
        if unit == "percent":
            return format_percent(value, format="#,##0.0%", locale=self.locale)
        return format_decimal(value, format="#,##0.00", locale=self.locale)

    def value(self, metric_id: str, value: Decimal | float | int | None, currency: str) -> str:
        """Any catalog metric's value in its unit."""
        unit = get_metric(metric_id).unit
        if unit == "money":
            return self.money(value, currency)
        if unit == "count":
            return self.count(value)
        return self.ratio(None if value is None else float(value), unit)

    def pct_change(self, pct: float | None) -> str:
        """``+12.3%`` / ``−4.0%`` (true minus sign), or ``—``."""
        if pct is None:
            return "—"
        text = format_percent(abs(pct), format="#,##0.0%", locale=self.locale)
        return ("+" if pct >= 0 else "−") + text

    def period(self, first: date, last: date) -> str:
        """The week's local dates: ``Nov 16 – 22, 2026`` / ``2026年11月16日至22日``."""
        return format_interval(first, last, "yMMMd", locale=self.locale)
