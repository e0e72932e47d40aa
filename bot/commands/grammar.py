"""The forgiving grammar: a question in English or Chinese in, a ``Parsed`` command out.

``parse("roas UK last week")`` and ``parse("上周英国投产比")`` give the same command. Order of work:
normalise (full-width, bot mentions, ``/top_videos@bot``), take out the period, the ``@handle``,
the ``by <key>`` ordering and numbers, then find command phrases (longest first). What is left is
the store/region the question is about. Nothing here knows tenants: scopes are resolved later.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from analytics.catalog import METRICS, Metric
from bot.commands.periods import PeriodSpec, find_period
from bot.commands.vocab import (
    ALL_WORDS,
    AT_RISK_WORDS,
    COMMANDS,
    METRIC_ARGUMENT_COMMANDS,
    RANK_KEYS,
    phrase_table,
    region_code,
)

_CJK = re.compile(r"[\u3400-\u9fff]")
_MENTION = re.compile(r"<@[A-Z0-9]{1,32}(?:\|[^>]{0,100})?>"  # bounded: no rescans
                      r"|^\s*/(?:tikpulse|tp)\b|^\s*@tikpulse\b", re.I)
_SLASH = re.compile(r"^\s*/([a-z_]+)(?:@\w+)?")
_HANDLE = re.compile(r"@([\w.]+)")
_RANK = re.compile(r"\bby\s+([a-z]+)"
                   r"|按\s*(销售额|成交额|投产比|转化率|订单数|订单|播放量|gmv|roi|cvr)")
_NUMBER = re.compile(r"(?<![a-z0-9._-])(\d{1,7}(?:\.\d+)?)(?![a-z0-9._-])")
_TOP_N = re.compile(r"\btop\s+(\d+)\s+(creators|videos)\b")
_FILLER = frozenset((
    "the", "of", "for", "in", "on", "at", "please", "show", "me", "what", "is", "was",
    "were", "how", "did", "do", "does", "our", "my", "tell", "give", "store", "shop",
    "stores", "shops", "drop", "dropped", "down", "up", "change", "changed", "go", "went",
    "about", "a", "an", "我", "的", "了", "吗", "呢", "前", "个", "名", "位",
    "下降", "上升", "变化", "怎么", "查看", "看看", "看", "一下", "多少", "是",
    "跌", "涨", "店铺", "店", "请", "帮我", "查", "查询",
))
#: Distinct words of one question compared with the command phrases (typos, "did you mean"):
#: a question is a few words, so the rest of a pasted essay costs nothing.
FUZZY_WORDS = 64
#: Similarity (difflib ratio) at which a misspelt word is read as a command.
TYPO_CUTOFF = 0.75
#: Similarity from which a command is offered as "did you mean".
CLOSEST_CUTOFF = 0.4
_PHRASES = tuple(phrase_table())
_ORDER = {c.id: i for i, c in enumerate(COMMANDS)}
#: Latin command phrases a misspelt word may be read as -> command id.
_LATIN_PHRASES = {p: c.id for c in COMMANDS for p in c.phrases if p.isascii() and len(p) >= 3}


@dataclass(frozen=True)
class Parsed:
    """What a question asks. ``command`` is ``None`` when it could not be understood."""

    text: str
    lang: str
    command: str | None = None
    period: PeriodSpec | None = None
    scope: str | None = None  # raw store/region words, "all", or None for the default
    scopes: tuple[str, ...] = ()  # compare: the two stores
    metric: str | None = None  # catalog id for why/define/target
    metric_said: str | None = None  # what was written where a metric was expected
    n: int | None = None
    rank_by: str | None = None
    handle: str | None = None
    at_risk: bool = False
    value: Decimal | None = None
    typos: tuple[tuple[str, str], ...] = ()  # (written, read as)
    candidates: tuple[str, ...] = ()  # closest commands when command is None


def parse(text: str, lang_hint: str = "en") -> Parsed:
    """Read one question; never raises (a question it cannot read has ``command=None``)."""
    norm = _normalise(text)
    if not norm:
        return Parsed(text=text, lang=lang_hint, command="help")
    lang = "zh" if _CJK.search(norm) else ("en" if re.search(r"[a-z]{3,}", norm) else lang_hint)
    period, rest = find_period(norm)
    handle, rest = _take(_HANDLE, rest)
    rank, rest = _take(_RANK, rest)
    found, after = _commands(rest)
    base = Parsed(text=text, lang=lang, period=period, handle=handle,
                  rank_by=RANK_KEYS.get(rank or "", rank))
    ids = list(dict.fromkeys(cid for _, cid in found))
    if ids and ids[0] in METRIC_ARGUMENT_COMMANDS | {"targets"}:
        return _with_metric(base, ids[0], rest.replace(found[0][0], " ", 1))
    rest = after
    if len(ids) > 1:
        return _replace(base, candidates=tuple(ids))
    if not ids:
        ids, rest, typos = _typo(rest)
        base = _replace(base, typos=typos)
    if not ids:
        if _only_scope_words(rest) and (period or rest.strip()):
            return _arguments(_replace(base, command="kpi"), rest)
        return _replace(base, candidates=closest_commands(rest))
    return _arguments(_replace(base, command=ids[0]), rest)


def closest_commands(text: str, limit: int = 3) -> tuple[str, ...]:
    """Command ids whose phrases look most like ``text`` (for "did you mean")."""
    words = [w for w in re.split(r"\s+", text.strip().casefold()) if w] or [text]
    scores: dict[str, float] = {}
    for word in _fuzzy_words(words):
        for cid, score in _similar_commands(word, CLOSEST_CUTOFF):
            scores[cid] = max(scores.get(cid, 0.0), score)
    ranked = sorted(scores, key=lambda cid: (-scores[cid], _ORDER[cid]))
    return tuple(ranked[:limit]) or ("help",)


def _fuzzy_words(words: list[str]) -> list[str]:
    """The first ``FUZZY_WORDS`` distinct words, in order (the rest are not compared)."""
    return list(dict.fromkeys(words))[:FUZZY_WORDS]


def _similar_commands(word: str, cutoff: float) -> tuple[tuple[str, float], ...]:
    """(command id, best ratio) of the commands with a phrase at least ``cutoff`` like ``word``.

    A phrase is compared only when the lengths allow the cutoff (``2*min/(a+b)`` bounds the
    ratio), so a long word costs nothing.
    """
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
    norm = _SLASH.sub(lambda m: m.group(1).replace("_", " "), norm)
    norm = _TOP_N.sub(lambda m: f"top {m.group(2)} {m.group(1)}", norm)
    return re.sub(r"[,，。!！?？]", " ", norm).strip()


def _take(pattern: re.Pattern[str], text: str) -> tuple[str | None, str]:
    match = pattern.search(text)
    if not match:
        return None, text
    value = next(g for g in match.groups() if g is not None)
    return value, text[: match.start()] + " " + text[match.end():]


def _find_phrase(phrase: str, text: str) -> re.Match[str] | None:
    return _phrase_pattern(phrase).search(text)


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    if _CJK.search(phrase) or not phrase[0].isalnum():
        return re.compile(re.escape(phrase))
    return re.compile(rf"(?<![a-z0-9_.]){re.escape(phrase)}(?![a-z0-9_])")


def _commands(text: str) -> tuple[list[tuple[str, str]], str]:
    """(phrase as written, command id) in order of position, and the text without them.

    One pass per phrase (longest first): each occurrence is replaced by `` | `` and noted at its
    position in the text as replaced so far.
    """
    hits: list[tuple[int, str, str]] = []
    for phrase, cid in _PHRASES:
        text = _cut_phrase(_phrase_pattern(phrase), cid, text, hits)
    hits.sort()
    return [(said, cid) for _, said, cid in hits], text


def _cut_phrase(pattern: re.Pattern[str], cid: str, text: str,
                hits: list[tuple[int, str, str]]) -> str:
    shift = 0

    def cut(match: re.Match[str]) -> str:
        nonlocal shift
        hits.append((match.start() + shift, match.group(0), cid))
        shift += 3 - len(match.group(0))
        return " | "

    return pattern.sub(cut, text)


def _typo(text: str) -> tuple[list[str], str, tuple[tuple[str, str], ...]]:
    words = [w for w in re.findall(r"[a-z]{3,}", text) if not (region_code(w) or w in _FILLER)]
    for word in _fuzzy_words(words):
        close = difflib.get_close_matches(word, _LATIN_PHRASES, n=1, cutoff=TYPO_CUTOFF)
        if close:
            rest = re.sub(rf"\b{word}\b", " ", text, count=1)
            return [_LATIN_PHRASES[close[0]]], rest, ((word, close[0]),)
    return [], text, ()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s|]+", text) if w and w not in _FILLER]


def _only_scope_words(text: str) -> bool:
    return all(region_code(w) or w in ALL_WORDS for w in _words(text))


def _scope_text(text: str) -> str | None:
    words = _words(text)
    if not words:
        return None
    if any(w in ALL_WORDS for w in words):
        return "all"
    return " ".join(words)


def _arguments(parsed: Parsed, rest: str) -> Parsed:
    cmd = parsed.command
    number = None
    if cmd in ("top_creators", "top_videos"):
        number, rest = _take(_NUMBER, rest)
    at_risk = False
    if cmd == "stock":
        for word in AT_RISK_WORDS:
            if _find_phrase(word, rest):
                at_risk, rest = True, rest.replace(word, " ")
                break
    if cmd == "creator" and parsed.handle is None and _words(rest):
        return _replace(parsed, handle=_words(rest)[0].lstrip("@"))
    if cmd == "compare":
        return _replace(parsed, scopes=_two_scopes(rest))
    n = int(Decimal(number)) if number and cmd in ("top_creators", "top_videos") else None
    return _replace(parsed, n=n, at_risk=at_risk, scope=_scope_text(rest))


def _two_scopes(text: str) -> tuple[str, ...]:
    parts = [p for p in re.split(r"\s*(?:\||\band\b|和|与|跟)\s*", text) if _words(p)]
    if len(parts) != 2:
        parts = _words(text)
    return tuple(" ".join(_words(p)) for p in parts)


def _with_metric(parsed: Parsed, cmd: str, text: str) -> Parsed:
    number, text = _take(_NUMBER, text)
    value = _decimal(number)
    metric, text = _metric_in(text)
    if cmd == "targets" and value is not None and metric is not None:
        cmd = "set_target"
    said = " ".join(_words(text)) if metric is None else None
    scope = _scope_text(text) if metric is not None else None
    if cmd in ("define", "set_target", "targets"):
        scope = None
    return _replace(parsed, command=cmd, metric=metric.id if metric else None,
                    metric_said=said or None, value=value, scope=scope)


def _metric_in(text: str) -> tuple[Metric | None, str]:
    phrases = sorted(((name.casefold(), m) for m in METRICS for name in
                      (m.id, m.en, m.zh, *m.aliases)), key=lambda p: -len(p[0]))
    for phrase, metric in phrases:
        match = _find_phrase(phrase, text)
        if match:
            return metric, text[: match.start()] + " " + text[match.end():]
    return None, text


def _decimal(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _replace(parsed: Parsed, **changes: object) -> Parsed:
    from dataclasses import replace

    return replace(parsed, **changes)  # type: ignore[arg-type]
