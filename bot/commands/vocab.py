"""The bot's words: command names and their English and Chinese aliases, regions, rank keys.

One table per kind of word, so adding an alias is a one-line change and the help text, the
grammar and the "did you mean" suggestions all read the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.chat_words import (
    CHAT_FILLERS,
    CHAT_INTENTS,
    CHAT_METRICS,
    CHAT_QUESTIONS,
    REGION_NICKNAMES,
)
from config.regions import REGIONS


@dataclass(frozen=True)
class CommandWord:
    """A command the bot understands, with the phrases that name it and one example."""

    id: str
    phrases: tuple[str, ...]
    example: str
    summary_en: str
    summary_zh: str
    admin: bool = False
    example_zh: str = ""


COMMANDS: tuple[CommandWord, ...] = (
    CommandWord("roas", ("roas", "投产比", "广告投产比", "roi"), "roas UK last week",
                "ROAS (platform, true, blended) with spend", "投产比（平台/真实/综合）与花费",
                example_zh="上周英国投产比"),
    CommandWord("gmv", ("gmv", "销售额", "成交额", "sales"), "gmv all this week",
                "gross and net GMV, orders, AOV", "GMV、订单数、客单价",
                example_zh="本周全部销售额"),
    CommandWord("kpi", ("kpi", "kpis", "overview", "指标", "概览", "数据"), "kpi 2026-W47",
                "all headline KPIs", "全部核心指标", example_zh="2026-W47 指标"),
    CommandWord("funnel", ("funnel", "漏斗", "转化漏斗"), "funnel US last 7 days",
                "impressions -> visitors -> orders", "曝光→访客→下单漏斗",
                example_zh="最近7天美国漏斗"),
    CommandWord("traffic", ("traffic", "流量", "流量来源"), "traffic UK",
                "visitors and GMV by traffic channel", "各流量渠道的访客与GMV",
                example_zh="英国流量"),
    CommandWord("top_creators",
                ("top creators", "creators", "top", "达人排行", "达人榜", "top达人", "排行"),
                "top creators 5 by engagement",
                "creators by gmv, orders, cvr, engagement or roi, with rebook/watch/stop",
                "达人排行（按GMV/订单/转化率/互动率/投产比），附续约/观察/停止建议",
                example_zh="达人排行 前10 按转化率"),
    CommandWord("creator", ("creator", "达人"), "creator @lily.home",
                "one creator's sales and commission", "单个达人的成交与佣金",
                example_zh="达人 @lily.home"),
    CommandWord("top_videos", ("top videos", "videos", "视频排行", "爆款视频", "视频榜"),
                "top videos last week", "best videos by GMV", "GMV最高的视频",
                example_zh="上周视频排行"),
    CommandWord("stock", ("stock", "inventory", "库存", "缺货"), "stock at risk",
                "stock cover and reorder points", "库存可售天数与补货点",
                example_zh="库存 缺货风险"),
    CommandWord("campaigns", ("campaigns", "campaign", "by campaign", "广告计划", "计划",
                              "广告系列", "每个计划"),
                "campaigns UK last week",
                "ads by campaign: spend, ROAS, CPA, CTR, trend, verdict",
                "按广告计划：花费、投产比、CPA、点击率、趋势、建议",
                example_zh="上周英国广告计划"),
    CommandWord("profit", ("profit", "profits", "profitable", "making money", "profit and loss",
                           "pnl", "利润",
                           "赚钱", "盈利", "毛利", "净利", "利润表"),
                "are we making money this month",
                "settled and net revenue minus ads, commission, fees and goods",
                "结算与净收入减去广告、佣金、平台费和货品成本", example_zh="我们现在赚钱吗"),
    CommandWord("summary", ("summary", "summarize", "summarise", "recap", "how are we doing",
                            "总结", "小结", "概况", "总览", "汇报"),
                "how are we doing this month", "headline KPIs vs before and what drove them",
                "核心指标对比上期及主要原因", example_zh="本周总结"),
    CommandWord("metric", ("metric", "单项指标"), "refund rate UK last week",
                "one metric with its context (any catalog metric)",
                "单个指标及其对比（任意口径指标）", example_zh="英国广告花了多少钱"),
    CommandWord("why", ("why", "为什么", "为啥", "原因"), "why gmv UK",
                "what drove a metric's change", "指标变化的原因", example_zh="为什么英国gmv下降"),
    CommandWord("compare", ("compare", "vs", "对比", "比较"), "compare ctr UK US",
                "two stores side by side (all KPIs, or one metric)",
                "两个店铺对比（全部指标或单个指标）",
                example_zh="对比英国美国的退款率"),
    CommandWord("define", ("define", "definition", "定义", "口径", "什么是"), "define roas_true",
                "how a metric is defined", "指标口径", example_zh="定义 真实ROAS"),
    CommandWord("targets", ("targets", "目标"), "targets",
                "targets and progress", "目标与进度", example_zh="目标"),
    CommandWord("set_target", ("target", "set target", "设置目标", "设定目标"), "target roas 3.0",
                "set a target (admins)", "设置目标（管理员）", admin=True,
                example_zh="设置目标 投产比 3.0"),
    CommandWord("auth_status", ("auth status", "auth", "授权状态", "授权"), "auth status",
                "health of shop and ads authorizations", "店铺与广告授权状态",
                example_zh="授权状态"),
    CommandWord("digest_now", ("digest now", "send digest", "立即发送周报", "发送周报",
                               "立即发送月报", "发送月报", "发送双周报"),
                "digest now", "send last week's digest now (admins)",
                "立即发送上周周报（管理员）", admin=True, example_zh="立即发送周报"),
    CommandWord("digest_preview", ("digest preview", "digest", "preview", "预览周报", "周报",
                                   "预览月报", "月报", "预览双周报", "双周报"),
                "digest preview", "preview the digest here", "在此预览周报",
                example_zh="预览周报"),
    CommandWord("subscribe", ("subscribe", "订阅", "订阅提醒"), "subscribe",
                "get alerts in this channel", "在此频道接收提醒", example_zh="订阅提醒"),
    CommandWord("unsubscribe", ("unsubscribe", "取消订阅", "退订"), "unsubscribe",
                "stop alerts in this channel", "停止在此频道接收提醒", example_zh="取消订阅"),
    CommandWord("help", ("help", "帮助", "命令", "怎么用"), "help",
                "this list", "命令列表", example_zh="帮助"),
)

COMMANDS_BY_ID: dict[str, CommandWord] = {c.id: c for c in COMMANDS}

#: Commands that take a metric name as their argument (so "roas" there is not the roas command).
METRIC_ARGUMENT_COMMANDS = frozenset({"why", "define", "set_target"})

ALL_WORDS = ("all", "everything", "全部", "所有", "全部店铺", "所有店铺", "汇总")

#: Leaderboard orderings: word -> rank key.
RANK_KEYS: dict[str, str] = {
    "gmv": "gmv", "销售额": "gmv", "成交额": "gmv", "sales": "gmv", "revenue": "gmv",
    "roi": "roi", "投产比": "roi", "roas": "roi", "佣金回报": "roi",
    "cvr": "cvr", "转化率": "cvr", "conversion": "cvr", "转化": "cvr",
    "orders": "orders", "订单": "orders", "订单数": "orders",
    "views": "views", "播放": "views", "播放量": "views",
    "engagement": "engagement", "互动": "engagement", "互动率": "engagement",
    "commission": "commission", "佣金": "commission",
    "campaign": "campaign", "campaigns": "campaign", "广告计划": "campaign", "计划": "campaign",
    "spend": "spend", "花费": "spend", "ctr": "ctr", "点击率": "ctr",
    "gmv per commission": "roi", "佣金产出": "roi", "cpa": "cpa", "loss": "loss", "亏损": "loss",
    "engagement rate": "engagement", "likes": "engagement", "点赞": "engagement",
}

#: Words that ask for a command without naming it -> the command that answers them.
INTENT_WORDS: dict[str, str] = {
    "how are we": "summary", "how is it going": "summary", "怎么样": "summary",
    "表现": "summary", "进展": "summary", "情况": "summary", "overall": "summary",
    "赚钱吗": "profit", "亏钱": "profit", "亏损": "profit", "亏了": "profit", "赚了": "profit",
    "ads": "campaigns", "ad sets": "campaigns", "adgroups": "campaigns",
    "卖了多少": "gmv", "卖了": "gmv", "卖得怎么样": "gmv",
    "what happened": "why", "怎么回事": "why", "咋回事": "why",
    "mean": "define", "means": "define", "meaning": "define", "是什么意思": "define",
    "什么意思": "define",
    "on target": "targets", "on track": "targets", "达标": "targets", "完成率": "targets",
    "connected": "auth_status", "disconnected": "auth_status", "授权过期": "auth_status",
    "掉授权": "auth_status", "过期": "auth_status",
    "what can you do": "help", "你能做什么": "help", "能做什么": "help",
    "how did we do": "summary", "how did we": "summary", "how're we doing": "summary",
    "how are things": "summary", "how is": "summary", "how's": "summary", "整体": "summary",
    "总体": "summary",
    "reorder": "stock", "restock": "stock", "补货": "stock", "断货": "stock", "备货": "stock",
    "video": "top_videos", "视频": "top_videos", "爆款": "top_videos", "content": "top_videos",
    "哪个达人": "top_creators", "哪些达人": "top_creators", "达人们": "top_creators",
    "influencers": "top_creators", "influencer": "top_creators", "kols": "top_creators",
    "带货": "top_creators", **CHAT_INTENTS,
}

#: Words that rank campaigns by money lost against break-even ("which campaign is wasting
#: money", "哪个计划在烧钱").
LOSS_WORDS = ("wasting", "waste", "wasted", "burning", "losing", "turn off", "switch off",
              "pause", "kill", "烧钱", "亏钱", "浪费", "亏损", "不赚钱", "关掉", "暂停", "停掉")

#: Metric words of chat beyond the catalog's names and aliases -> catalog metric id.
METRIC_WORDS: dict[str, str] = {
    "spent": "spend", "spending": "spend", "花了": "spend", "广告花了": "spend",
    "花了多少钱": "spend", "广告费": "spend", "投放": "spend",
    "refund rate": "refund_rate", "refunds rate": "refund_rate", "returns": "refund_rate",
    "click rate": "ctr", "click-through rate": "ctr", "点击率": "ctr",
    "revenue": "gross_gmv", "sales": "gross_gmv", "营业额": "gross_gmv",
    "settled": "settled_revenue", "settled revenue": "settled_revenue", "到账": "settled_revenue",
    "conversion rate": "cvr", "转化": "cvr", "visits": "visitors", "流量": "visitors",
    "aov": "aov", "客单": "aov", "commissions": "commission_cost", **CHAT_METRICS,
}

#: Words that make a sentence a question: then a word the bot does not know is skipped, never
#: read as a store or a creator ("which creator should I stop paying" names no creator).
QUESTION_WORDS = frozenset((
    "what", "which", "why", "how", "who", "when", "where", "should", "could", "would", "can",
    "are", "is", "do", "does", "did", "any", "was", "were", "will",
    "什么", "哪", "哪个", "哪些", "哪里", "怎么", "怎样", "如何", "为什么", "为啥", "吗", "呢",
    "多少", "是否", "有没有", "是不是", "几", "啥", *CHAT_QUESTIONS,
))

#: Words that carry nothing the answer needs (articles, pronouns, verbs of asking).
FILLER_WORDS = frozenset((
    "the", "of", "for", "in", "on", "at", "please", "show", "me", "tell", "give", "our", "my",
    "i", "we", "you", "it", "its", "they", "them", "this", "that", "these", "those", "a", "an",
    "to", "from", "with", "have", "has", "had", "be", "been", "being", "get", "see", "let",
    "store", "shop", "stores", "shops", "drop", "dropped", "drops", "down", "up", "change",
    "changed", "go", "went", "going", "about", "doing", "much", "many", "so", "far", "now",
    "right", "currently", "stop", "paying", "pay", "keep", "should", "most", "best", "worst",
    "money", "wasting", "waste", "need", "want", "there", "here", "than", "more", "less",
    "fall", "fell", "rise", "rose", "increase", "decrease", "low", "high", "lately", "recently",
    "我", "我们", "的", "了", "吗", "呢", "前", "个", "名", "位", "现在", "目前", "最近",
    "下降", "下降了", "上升", "上升了", "变化", "怎么", "查看", "看看", "看", "一下", "是",
    "跌", "涨", "跌了", "涨了", "店铺", "店", "请", "帮我", "查", "查询", "在", "有", "钱",
    "广告", "花", "一共", "总共", "我的", "你", "给", "把", "和", "与", "跟", "停止", "合作",
    "成绩", "业绩", "一个", "要", "要看", "老板", "排", "排名", "这么", "高", "低", "最好", "最多",
    "sold", "sell", "selling", "sources", "source", "channel", "channels", "performance",
    "quick", "brief", "short", "update", "status", "report", "numbers", "figures", "results",
    "overall", "whole", "total", "entire", "pls", "plz", "thanks", "hi", "hey", "team", "weekly",
    "monthly", "daily", "did", "do", "just", "still", "again", "all-in", "on", "by", "per",
    "each", "every", "spent", "much", "ok", "okay", "guys", "boss", "any", "some", "send",
    *CHAT_FILLERS,
))

#: Words between two stores of a comparison.
SEPARATOR_WORDS = frozenset(("and", "vs", "versus", "with", "和", "与", "跟", "对", "比"))

#: Two-letter region codes that are also English words: in a question they are a region only
#: when written in capitals ("is it UK", not "is it up").
AMBIGUOUS_CODES = frozenset(("it", "my", "id", "us", "es", "de"))

AT_RISK_WORDS = ("at risk", "at-risk", "risk", "low", "缺货风险", "风险", "预警", "即将断货")

#: Region names in Chinese and English -> region code of config.regions.
REGION_NAMES: dict[str, str] = {
    "英国": "GB", "美国": "US", "泰国": "TH", "越南": "VN", "马来西亚": "MY", "马来": "MY",
    "印尼": "ID", "印度尼西亚": "ID", "菲律宾": "PH", "新加坡": "SG", "墨西哥": "MX",
    "西班牙": "ES", "德国": "DE", "法国": "FR", "意大利": "IT", "日本": "JP",
    "britain": "GB", "england": "GB", "usa": "US", "thailand": "TH", "vietnam": "VN",
    "malaysia": "MY", "indonesia": "ID", "philippines": "PH", "singapore": "SG",
    "mexico": "MX", "spain": "ES", "germany": "DE", "france": "FR", "italy": "IT",
    "japan": "JP", **REGION_NICKNAMES,
}


def region_code(word: str) -> str | None:
    """The region code a word names ("uk", "GB", "英国"), or ``None``."""
    key = word.strip()
    if key.upper() in REGIONS:
        return REGIONS[key.upper()].code
    return REGION_NAMES.get(key.casefold())


def phrase_table() -> list[tuple[str, str]]:
    """(phrase, command id) pairs, longest phrase first, for greedy matching."""
    pairs = [(p.casefold(), c.id) for c in COMMANDS for p in c.phrases]
    return sorted(pairs, key=lambda pair: -len(pair[0]))
