"""The forgiving grammar: a question in English or Chinese in, a ``Parsed`` command out.

``parse("roas UK last week")``, ``parse("上周英国投产比")`` and ``parse("why did roas drop in the
UK last week")`` read the intent and its slots wherever they stand in the sentence. Order of work:
normalise (full-width, bot mentions, ``/top_videos@bot``), take out the period, the ``@handle``
and the ``by <key>`` / ``按<key>`` ordering, then read every word (``bot.commands.tokens``: jieba
for Chinese, typos within an edit or two) as a command, metric, store, region or filler. The
command comes from the words that name one (``why``/``compare``/``define``/``target`` first, then
a specific command, then ``gmv``/``roas``/``kpi``, then the home of a metric asked about).

A word the bot does not know is skipped in a question ("which creator should I stop paying") and
kept as the store or creator named in a terse command ("roas Narnia" -> "unknown store"), so an
unknown word never silently becomes a store. Stores are resolved later (``bot.commands.scope``):
``stores`` only lets names of the tenant's stores be read as such.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from bot.commands.periods import PeriodSpec, find_period
from bot.commands.tokens import Word, read_words
from bot.commands.vocab import COMMANDS, RANK_KEYS, phrase_table
from config.tenants import Store

_CJK = re.compile(r"[\u3400-\u9fff]")
_MENTION = re.compile(r"<@[A-Z0-9]{1,32}(?:\|[^>]{0,100})?>"  # bounded: no rescans
                      r"|^\s*/(?:tikpulse|tp)\b|^\s*@tikpulse\b", re.I)
_SLASH = re.compile(r"^\s*/([a-z_]+)(?:@\w+)?")
_HANDLE = re.compile(r"@([\w.]+)")
_CJK_RANKS = "|".join(sorted((k for k in RANK_KEYS if _CJK.search(k)), key=len, reverse=True))
_RANK = re.compile(rf"\b(?:by|ranked by|sorted by)\s+([a-z]+)|按\s*({_CJK_RANKS}|[a-z]+)")
_TOP_N = re.compile(r"\btop\s+(\d+)\s+(creators|videos)\b")
_CAPITALS = re.compile(r"\b[A-Z]{2}\b")
#: Distinct words of one question compared for "did you mean" (the rest costs nothing).
FUZZY_WORDS = 64
#: Similarity from which a command is offered as "did you mean".
CLOSEST_CUTOFF = 0.4
#: Commands that take a metric as their argument ("roas" there is the metric, not the command).
METRIC_COMMANDS = ("define", "set_target", "targets", "why", "compare")
#: Commands that name a metric family; a more specific command in the same question wins.
BROAD_COMMANDS = ("kpi", "gmv", "roas")
#: Where a metric asked about without a command is answered: the command whose answer shows it.
METRIC_HOME = {m: "roas" for m in ("spend", "impressions", "clicks", "purchases",
                                   "purchase_value", "ctr", "cpc", "cpm", "cpa", "roas_platform",
                                   "roas_true", "roas_blended")} | {
    m: "gmv" for m in ("gross_gmv", "refunds", "net_gmv", "orders", "units", "aov")}
_PHRASES = tuple(phrase_table())
_ORDER = {c.id: i for i, c in enumerate(COMMANDS)}


@dataclass(frozen=True)
class Parsed:
    """What a question asks. ``command`` is ``None`` when it could not be understood."""

    text: str
    lang: str
    command: str | None = None
    period: PeriodSpec | None = None
    scope: str | None = None  # raw store/region words, "all", or None for the default
    scopes: tuple[str, ...] = ()  # compare: the two stores
    metric: str | None = None  # catalog id named anywhere in the question
    metric_said: str | None = None  # what was written where a metric was expected
    n: int | None = None
    rank_by: str | None = None
    handle: str | None = None
    at_risk: bool = False
    value: Decimal | None = None
    typos: tuple[tuple[str, str], ...] = ()  # (written, read as)
    candidates: tuple[str, ...] = ()  # closest commands when command is None


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
    rank, rest = _take(_RANK, rest)
    capitals = frozenset(w.casefold() for w in
                         _CAPITALS.findall(unicodedata.normalize("NFKC", text)))
    words = read_words(rest, stores, capitals)
    question = any(w.question for w in words)
    unknown = [w for w in words if not w.known and not w.number]
    base = Parsed(text=text, lang=lang, period=period, handle=handle,
                  rank_by=RANK_KEYS.get(rank or "", rank),
                  typos=tuple((w.said, w.typo_of) for w in words if w.typo_of))
    command, candidates = _intent(words)
    if command is None and not candidates:
        metric = _metric(words)
        if metric is not None:
            command = METRIC_HOME.get(metric, "kpi")
        elif (not unknown or question) and (period or _scope_words(words)):
            command = "kpi"  # a store and/or a period alone: the KPI overview
    if command is None:
        return replace(base, candidates=candidates or closest_commands(rest))
    return _slots(replace(base, command=command), words, [] if question else unknown)


def closest_commands(text: str, limit: int = 3) -> tuple[str, ...]:
    """Command ids whose phrases look most like ``text`` (for "did you mean")."""
    words = [w for w in re.split(r"\s+", text.strip().casefold()) if w] or [text]
    scores: dict[str, float] = {}
    for word in list(dict.fromkeys(words))[:FUZZY_WORDS]:
        for cid, score in _similar_commands(word, CLOSEST_CUTOFF):
            scores[cid] = max(scores.get(cid, 0.0), score)
    ranked = sorted(scores, key=lambda cid: (-scores[cid], _ORDER[cid]))
    return tuple(ranked[:limit]) or ("help",)


def _similar_commands(word: str, cutoff: float) -> tuple[tuple[str, float], ...]:
    """(command id, best ratio) of the commands with a phrase at least ``cutoff`` like ``word``;
    a phrase is compared only when the lengths allow the cutoff, so a long word costs nothing."""
    best: dict[str, float] = {}
    for phrase, cid in _PHRASES:
        bound = 2 * min(len(word), len(phrase)) / (len(word) + len(phrase))
        if bound < max(cutoff, best.get(cid, 0.0)):
            continue
        matcher = difflib.SequenceMatcher(None, word, phrase)
        if matcher.quick_ratio() >= cutoff and (score := matcher.ratio()) >= cutoff:
            best[cid] = max(best.get(cid, 0.0), score)
    return tuple(best.items())


def _normalise(text: str) -> str:
    norm = _MENTION.sub(" ", unicodedata.normalize("NFKC", text)).casefold()
    norm = re.sub(r"(?<=[a-z])['’]s\b", "", norm)  # "yesterday's gmv"
    norm = _SLASH.sub(lambda m: m.group(1).replace("_", " "), norm)
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
            if cid == "targets" and any(w.number for w in words) and _metric(words):
                return "set_target", ()
            return cid, ()
    specific = [c for c in said if c not in BROAD_COMMANDS]
    if "top_creators" in specific and "creator" in specific:
        specific.remove("creator")
    broad = [c for c in said if c in BROAD_COMMANDS]
    if len(broad) > 1 and "kpi" in broad:
        broad.remove("kpi")
    for group in (specific, broad):
        if len(group) == 1:
            return group[0], ()
        if group:
            return None, tuple(group)
    return None, ()


def _metric(words: list[Word], skip: str | None = None) -> str | None:
    """The first catalog metric the words name (not counting the command word ``skip``)."""
    return next((w.metric for w in words if w.metric and (skip is None or w.command != skip)),
                None)


def _scope_words(words: list[Word]) -> list[Word]:
    return [w for w in words if w.store or w.region or w.all]


def _said(word: Word) -> str:
    return word.typo_of or word.said


def _scope(words: list[Word], unknown: list[Word]) -> str | None:
    keep = {id(w) for w in (*_scope_words(words), *unknown)}
    chosen = [w for w in words if id(w) in keep]
    if not chosen:
        return None
    if any(w.all for w in chosen):
        return "all"
    return " ".join(_said(w) for w in chosen)


def _slots(parsed: Parsed, words: list[Word], unknown: list[Word]) -> Parsed:
    """Fill in the slots the command takes from the words of the question."""
    cmd = parsed.command
    numbers = [w.said for w in words if w.number]
    metric = _metric(words, skip=cmd) or (_metric(words) if cmd in BROAD_COMMANDS else None)
    changes: dict[str, object] = {"metric": metric}
    if parsed.rank_by is None and any(RANK_KEYS.get(w.said) == "campaign" for w in words):
        changes["rank_by"] = "campaign"  # "which campaign is wasting money": per campaign
    if cmd == "creator" and parsed.handle is None:
        if not unknown:
            return _slots(replace(parsed, command="top_creators"), words, unknown)
        changes["handle"], unknown = unknown[0].said.lstrip("@"), unknown[1:]
    if cmd in ("top_creators", "top_videos"):
        changes["n"] = int(float(numbers[0])) if numbers else None
        if parsed.rank_by is None and metric is not None:
            by = next((RANK_KEYS[w.said] for w in words if w.said in RANK_KEYS), None)
            changes["rank_by"] = by
    if cmd in ("define", "set_target", "targets", "why"):
        changes["value"] = _decimal(numbers[0]) if numbers and cmd == "set_target" else None
        if metric is None and unknown:
            changes["metric_said"] = " ".join(w.said for w in unknown)
        scope = None if cmd != "why" else _scope(words, [] if metric is None else unknown)
        return replace(parsed, scope=scope, **changes)  # type: ignore[arg-type]
    if cmd == "compare":
        return replace(parsed, scopes=_two_scopes(words, unknown), **changes)  # type: ignore
    if cmd == "stock":
        changes["at_risk"] = any(w.at_risk for w in words)
    return replace(parsed, scope=_scope(words, unknown), **changes)  # type: ignore[arg-type]


def _two_scopes(words: list[Word], unknown: list[Word]) -> tuple[str, ...]:
    """The stores of a comparison: each named store or region, and each run of unknown words."""
    groups: list[list[Word]] = []
    run: list[Word] = []
    loose = {id(w) for w in unknown}
    for word in words:
        if id(word) in loose:
            run.append(word)
            continue
        if run:
            groups.append(run)
            run = []
        if word.store or word.region:
            groups.append([word])
    if run:
        groups.append(run)
    return tuple(" ".join(_said(w) for w in g) for g in groups)


def _decimal(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None
