"""The forgiving grammar: a question in English or Chinese in, a ``Parsed`` command out.

``parse("roas UK last week")``, ``parse("上周英国投产比")`` and ``parse("why did roas drop in the
UK last week")`` read the intent and its slots wherever they stand in the sentence. Order of work:
normalise (full-width, bot mentions, ``/top_videos@bot``), take out the period, the ``@handle``
and the ``by <key>`` / ``按<key>`` ordering, then read every word (``bot.commands.tokens``: jieba
for Chinese, typos within an edit or two) as a command, metric, store, region or filler. The
command comes from the words that name one (``why``/``compare``/``define``/``target`` first, then
a specific command, ``PRECEDENCE`` among several, then ``gmv``/``roas``/``kpi``); a question that
names none is the metric it names ("refund rate in the UK": ``metric``), the creator of its
``@handle``, or the comparison of the two stores it names. ``Parsed.literal`` says whether the
command was named (else the answer shows "Read as: ..."); the slots are filled by
``bot.commands.slots``.

A word the bot does not know is skipped in a question ("which creator should I stop paying") and
kept as the store or creator named in a terse command ("roas Narnia" -> "unknown store"), so an
unknown word never silently becomes a store; an unknown Chinese word is never one ("下降了").
Stores are resolved later (``bot.commands.scope``): ``stores`` only lets names of the tenant's
stores be read as such.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from bot.commands.chat_words import SEND_WORDS, START_WORDS, STOP_WORDS, rewrite, said_any
from bot.commands.closest import closest_commands
from bot.commands.parsed import Parsed, Word
from bot.commands.periods import find_period
from bot.commands.slots import (
    BROAD_COMMANDS,
    OWN_METRIC,
    fill_slots,
    metric_named,
    said,
    scope_words,
)
from bot.commands.tokens import read_words
from bot.commands.vocab import COMMANDS, LOSS_WORDS, RANK_KEYS
from config.tenants import Store

__all__ = ["Parsed", "closest_commands", "parse"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_MENTION = re.compile(r"<@[A-Z0-9]{1,32}(?:\|[^>]{0,100})?>"  # bounded: no rescans
                      r"|^\s*/(?:tikpulse|tp)\b|^\s*@tikpulse\b", re.I)
_SLASH = re.compile(r"^\s*/([a-z_]+)(?:@\w+)?")
_HANDLE = re.compile(r"@([\w.]+)")
#: A creator's handle written without its "@" ("max.deals 上个月卖了多少"): letters, a dot.
_BARE_HANDLE = re.compile(r"(?<![\w.@])([a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*[a-z0-9_])(?![\w.])")
#: A command and the words that turn it into its sibling ("send the weekly report" sends it).
SWITCHES = (("digest_preview", SEND_WORDS, "digest_now"),
            ("subscribe", STOP_WORDS, "unsubscribe"))
_CJK_RANKS = "|".join(sorted((k for k in RANK_KEYS if _CJK.search(k)), key=len, reverse=True))
_RANK = re.compile(r"\b(?:by|ranked by|sorted by)\s+(gmv per commission|engagement rate|[a-z]+)"
                   rf"|按\s*({_CJK_RANKS}|[a-z]+)")
_TOP_N = re.compile(r"\btop\s+(\d+)\s+(creators|videos)\b")
_CAPITALS = re.compile(r"\b[A-Z]{2}\b")
#: Commands that take a metric as their argument ("roas" there is the metric, not the command).
METRIC_COMMANDS = ("define", "set_target", "targets", "why", "compare")
#: Where a metric asked about without a command is answered: the one-metric answer.
METRIC_HOME = "metric"
#: When a question names several specific commands, the first of these it names wins
#: ("哪个广告计划在亏钱": the campaigns, ranked by loss, not the profit overview).
PRECEDENCE = ("campaigns", "top_videos", "top_creators", "stock", "profit", "summary")
_COMMAND_PHRASES = frozenset(p.casefold() for c in COMMANDS for p in c.phrases)


def parse(text: str, lang_hint: str = "en", stores: tuple[Store, ...] = ()) -> Parsed:
    """Read one question; never raises (a question it cannot read has ``command=None``).

    ``stores`` (the tenant's) let store names be read as stores.
    """
    norm = _normalise(text)
    if not norm:
        return Parsed(text=text, lang=lang_hint, command="help")
    lang = "zh" if _CJK.search(norm) else ("en" if re.search(r"[a-z]{3,}", norm) else lang_hint)
    period, rest = find_period(norm)
    handle, rest = _take(_HANDLE, rest)
    if handle is None:
        handle, rest = _take(_BARE_HANDLE, rest)
    rank, rest = _take(_RANK, rest)
    capitals = frozenset(w.casefold() for w in
                         _CAPITALS.findall(unicodedata.normalize("NFKC", text)))
    asked = bool(re.search(r"[?？]", text))  # "anything running out of stock in the UK?"
    words = read_words(rest, stores, capitals, question=asked)
    question = asked or any(w.question for w in words)
    # a Chinese word that names nothing is never a store (store names are matched as words)
    unknown = [w for w in words if not w.known and not w.number and w.said.isascii()]
    base = Parsed(text=text, lang=lang, period=period, handle=handle,
                  rank_by=RANK_KEYS.get(rank or "", rank),
                  typos=tuple((w.said, w.typo_of) for w in words if w.typo_of))
    command, candidates = _intent(words)
    command = next((to for cid, said_words, to in SWITCHES
                    if command == cid and said_any(rest, said_words)), command)
    if command == "subscribe" and not said_any(rest, START_WORDS) and not any(
            w.command == command and said(w).casefold() in _COMMAND_PHRASES for w in words):
        command, candidates = None, ("subscribe", "unsubscribe")  # "any alerts?": ask which
    command, base, named = _unnamed(command, base, words, any(w in rest for w in LOSS_WORDS))
    if command is None and not candidates:
        command = _implied(words, handle)
        if command is None and (not unknown or question) and (period or scope_words(words)):
            command = "kpi"  # a store and/or a period alone: the KPI overview
    if command is None:
        return replace(base, candidates=candidates or closest_commands(rest))
    base = replace(base, command=command, literal=named and not base.typos)
    return fill_slots(base, words, [] if question else unknown)


def _unnamed(command: str | None, base: Parsed, words: list[Word],
             loss: bool) -> tuple[str | None, Parsed, bool]:
    """The command when the question did not name it (and whether it did): "roas by campaign"
    is the campaigns, "转化率怎么样" that metric, "how is @max.deals doing" that creator."""
    named = any(w.command == command and said(w).casefold() in _COMMAND_PHRASES for w in words)
    if base.rank_by == "campaign" and command in (None, *BROAD_COMMANDS):
        return "campaigns", replace(base, rank_by=None), True
    if command is not None and not named and not loss and base.rank_by is None and command in (
            "summary", "campaigns", *BROAD_COMMANDS) and metric_named(words) is not None:
        own = next((w.command for w in words if w.command in OWN_METRIC
                    and w.metric == OWN_METRIC[w.command]), None)  # "roi咋样": the ROAS answer
        return own or METRIC_HOME, base, own is not None
    if command in BROAD_COMMANDS and base.rank_by is None and _qualified(words, command):
        return METRIC_HOME, base, False  # "广告带来了多少成交额": that metric, not all of gmv
    if base.handle is not None and not named and command in ("summary", "kpi", "gmv"):
        return "creator", base, False
    return command, base, named


def _qualified(words: list[Word], command: str | None) -> bool:
    """Whether a question asks for another metric before the broad command's word: "广告带来了
    多少成交额" asks for the ad-attributed GMV ("roas UK 花费" stays the ROAS answer)."""
    first = next((i for i, w in enumerate(words) if w.command == command), len(words))
    other = [w.metric for w in words[:first] if w.metric and w.command is None]
    return any(w.question for w in words) and any(
        m != OWN_METRIC.get(command or "") for m in other)


def _implied(words: list[Word], handle: str | None) -> str | None:
    """The command a question without a command word asks for: a metric's own answer, a
    creator's (``@handle``), or a comparison of the two stores it names."""
    if len([w for w in words if w.store or w.region]) == 2:
        return "compare"  # "英国和美国哪个卖得好", "UK or US"
    if metric_named(words) is not None:
        return METRIC_HOME
    if handle is not None:
        return "creator"
    return None


def _normalise(text: str) -> str:
    norm = _MENTION.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    norm = re.sub(r"(?<=[a-z])['’]s\b", "", norm)  # "yesterday's gmv"
    norm = _SLASH.sub(lambda m: m.group(1).replace("_", " "), norm)
    norm = rewrite(norm)
    norm = _TOP_N.sub(lambda m: f"top {m.group(2)} {m.group(1)}", norm)
    return re.sub(r"[,，。!！?？、;；:：\"'“”‘’()（）]", " ", norm).strip()


def _take(pattern: re.Pattern[str], text: str) -> tuple[str | None, str]:
    match = pattern.search(text)
    if not match:
        return None, text
    value = next(g for g in match.groups() if g is not None)
    return value, text[: match.start()] + " " + text[match.end():]


def _intent(words: list[Word]) -> tuple[str | None, tuple[str, ...]]:
    """The command the words ask for, or ``None`` and the candidates when they name several."""
    said = list(dict.fromkeys(w.command for w in words if w.command))
    for cid in said:
        if cid in METRIC_COMMANDS:
            if cid == "targets" and any(w.number for w in words) and metric_named(words):
                return "set_target", ()
            return cid, ()
    specific = [c for c in said if c not in BROAD_COMMANDS]
    if "top_creators" in specific and "creator" in specific:
        specific.remove("creator")
    if len(specific) > 1 and "metric" in specific:
        specific.remove("metric")
    first = next((c for c in PRECEDENCE if c in specific), None)
    if len(specific) > 1 and first is not None:
        return first, ()
    broad = [c for c in said if c in BROAD_COMMANDS]
    if len(broad) > 1 and "kpi" in broad:
        broad.remove("kpi")
    for group in (specific, broad):
        if len(group) == 1:
            return group[0], ()
        if group:
            return None, tuple(group)
    return None, ()
