"""The words of a question, each read as what it names: ``read_words(text, stores) -> [Word]``.

Latin words are split on spaces, Chinese runs are cut by jieba with our own dictionary (every
command, metric, region and intent word is added to a private jieba ``Tokenizer``, built once on
the first Chinese question and quiet). Up to ``MAX_NGRAM`` neighbouring words are tried as one
phrase ("top creators", "refund rate", "acme uk", "达人排行"), longest first. A Latin word that
names nothing may be a typo (``bot.commands.typos``): of a known word ("raos" -> roas), or of a
word of a phrase ("refnud rate": the question is read once more as "refund rate"). The work is
bounded: only the first ``MAX_WORDS`` words and ``MAX_CJK_CHARS`` Chinese characters are read,
and only ``typos.FUZZY_WORDS`` distinct words are compared, so a pasted essay costs what a
question costs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from analytics.catalog import METRICS
from bot.commands.parsed import Word
from bot.commands.typos import misspelt, phrase_parts, remember, respelt
from bot.commands.vocab import (
    ALL_WORDS,
    AMBIGUOUS_CODES,
    AT_RISK_WORDS,
    COMMANDS,
    FILLER_WORDS,
    INTENT_WORDS,
    METRIC_WORDS,
    QUESTION_WORDS,
    REGION_NAMES,
    SEPARATOR_WORDS,
    region_code,
)
from config.tenants import Store

#: Words of one question that are read (a question is a few words).
MAX_WORDS = 200
#: Chinese characters of one question given to jieba.
MAX_CJK_CHARS = 1000
#: Longest phrase, in words, looked up as one ("how are we doing").
MAX_NGRAM = 4

_PIECES = re.compile(r"[\u3400-\u9fff]+|[a-z0-9][a-z0-9._\-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, dict[str, Any]]:
    """Every fixed word or phrase -> what it names (several things for "gmv": command, metric)."""
    table: dict[str, dict[str, Any]] = {}

    def add(word: str, **what: Any) -> None:
        entry = table.setdefault(word.casefold(), {})
        for key, value in what.items():
            entry.setdefault(key, value)

    for cmd in COMMANDS:
        for phrase in cmd.phrases:
            add(phrase, command=cmd.id)
    for phrase, cid in INTENT_WORDS.items():
        add(phrase, command=cid)
    for metric in METRICS:
        for name in (metric.id, metric.en, metric.zh, *metric.aliases):
            add(name, metric=metric.id)
    for phrase, mid in METRIC_WORDS.items():
        add(phrase, metric=mid)
    for word in ALL_WORDS:
        add(word, all=True)
    for word in AT_RISK_WORDS:
        add(word, at_risk=True)
    for word in QUESTION_WORDS:
        add(word, question=True)
    for word in SEPARATOR_WORDS:
        add(word, separator=True)
    for word in FILLER_WORDS:
        add(word, filler=True)
    return table


@lru_cache(maxsize=1)
def _typo_targets() -> tuple[str, ...]:
    """Latin words a typo may mean: command, metric, intent and region names, and the words of
    several-word phrases ("refund" of "refund rate")."""
    words = {w for w, what in _lexicon().items() if w.isascii() and " " not in w
             and len(w) >= 3 and not what.keys() <= {"filler", "question", "separator"}}
    parts = phrase_parts(list(_lexicon()), set(_lexicon()))
    return tuple(sorted(words | parts | {w for w in REGION_NAMES if w.isascii()}))


_JIEBA_LOCK = threading.Lock()
_jieba: Any = None


def _segmenter() -> Any:
    """The jieba tokenizer with our words, made once (its dictionary loads on first use)."""
    global _jieba
    with _JIEBA_LOCK:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            for word in (*_lexicon(), *REGION_NAMES):
                if _CJK.search(word):
                    tokenizer.add_word(word, freq=100_000)
            _jieba = tokenizer
        return _jieba


def pieces(text: str) -> Iterator[str]:
    """Latin words and jieba's Chinese words of ``text`` in order (at most ``MAX_WORDS``)."""
    budget, count = MAX_CJK_CHARS, 0
    for match in _PIECES.finditer(text):
        piece = match.group(0)
        if _CJK.match(piece):
            piece, budget = piece[:budget], budget - len(piece)
            parts: Iterable[str] = _segmenter().cut(piece, HMM=False) if piece else ()
        else:
            parts = (piece.rstrip("._-"),)
        for part in parts:
            if part.strip():
                yield part
                count += 1
                if count >= MAX_WORDS:
                    return


def _join(parts: list[str]) -> str:
    """Words as one phrase: a space between two Latin words, nothing next to Chinese."""
    out = parts[0]
    for part in parts[1:]:
        out += (" " if out[-1].isascii() and part[0].isascii() else "") + part
    return out


def read_words(text: str, stores: tuple[Store, ...] = (), capitals: frozenset[str] = frozenset(),
               question: bool = False, again: bool = True) -> list[Word]:
    """The words of ``text``, each read as a command, metric, store, region or filler (or not).

    ``stores`` are the tenant's (names and ids read as stores), ``capitals`` the two-letter
    words written in capitals (see ``vocab.AMBIGUOUS_CODES``).
    """
    store_words = _store_words(tuple((s.shop_id, s.name or "") for s in stores))
    parts = list(pieces(text))
    question = question or any(_lexicon().get(p, {}).get("question") for p in parts)
    words: list[Word] = []
    i = 0
    while i < len(parts):
        for n in range(min(MAX_NGRAM, len(parts) - i), 0, -1):
            phrase = _join(parts[i: i + n])
            word = _known(phrase, store_words, capitals, question)
            if word is not None:
                words.append(word)
                i += n
                break
        else:
            words.extend(_unknown(parts[i], store_words))
            i += 1
    if not again:  # read once more with the typos spelt out: the rest was compared already
        return words
    targets = _typo_targets() + tuple(sorted(s for s in store_words
                                             if s.isascii() and " " not in s))
    words = misspelt(words, targets, lambda meant: _known(meant, store_words, frozenset(), False))
    fixed = respelt(text, words)
    if fixed is None:
        return words
    return remember(read_words(fixed[0], stores, capitals, question, again=False), fixed[1])


@lru_cache(maxsize=64)
def _store_words(stores: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(w.casefold() for pair in stores for w in pair if w)


def _known(phrase: str, stores: frozenset[str], capitals: frozenset[str],
           question: bool) -> Word | None:
    if phrase in stores:
        return Word(phrase, store=True)
    what = _lexicon().get(phrase)
    if what is not None:
        return Word(phrase, **what)
    code = region_code(phrase) if " " not in phrase else None
    if code is not None and not (question and phrase in AMBIGUOUS_CODES and phrase not in capitals):
        return Word(phrase, region=code)
    return None


def _unknown(part: str, stores: frozenset[str]) -> list[Word]:
    """A word that names nothing; a Chinese one is searched for known words inside it."""
    if not _CJK.match(part) or len(part) < 2:
        return [Word(part)]
    out: list[Word] = []
    rest = ""
    i = 0
    while i < len(part):
        for n in range(min(8, len(part) - i), 0, -1):
            known = _known(part[i: i + n], stores, frozenset(), False) if n > 1 else None
            if known is not None:
                out.extend([Word(rest)] if rest else [])
                out.append(known)
                rest, i = "", i + n
                break
        else:
            rest += part[i]
            i += 1
    return out + ([Word(rest)] if rest else [])
