"""Misspelt words of a question, read as the word meant: ``misspelt(words, targets, read)``.

A Latin word that names nothing may be a typo: within ``max_typo_distance`` edits (rapidfuzz's
OSA distance, so a transposition counts once) of exactly one known word, it is read as that
word ("raos" -> roas). A word may also be a misspelt part of a phrase ("refnud rate" -> "refund
rate"): ``respelt`` writes the question again with the words meant, so ``bot.commands.tokens``
reads it once more and finds the phrase, and ``remember`` keeps what was said for the "Read as"
note. Only ``FUZZY_WORDS`` distinct words are compared, so a pasted essay costs what a question
costs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.commands.parsed import Word

#: Distinct unknown words compared with the vocabulary for typos.
FUZZY_WORDS = 64
#: Shortest Latin word that may be read as a typo of another ("raos" -> roas).
MIN_TYPO_LENGTH = 4
#: Shortest word of a phrase that a misspelt word may be read as ("refnud rate": "refund").
MIN_PART_LENGTH = 5

#: What a word read as a typo takes from the word meant.
_FIELDS = ("command", "metric", "region", "store", "all", "at_risk")


def max_typo_distance(word: str) -> int:
    """Edits a misspelt word may be away from the word it means: 1, or 2 from 7 letters."""
    return 2 if len(word) >= 7 else 1


def phrase_parts(phrases: list[str], plain: set[str]) -> set[str]:
    """Latin words of several-word ``phrases`` that are not known alone (not in ``plain``):
    the words a typo inside a phrase may mean ("refund" of "refund rate")."""
    return {part for p in phrases if p.isascii() and " " in p for part in p.split()
            if len(part) >= MIN_PART_LENGTH and part.isalpha() and part not in plain}


def misspelt(words: list[Word], targets: tuple[str, ...],
             read: Callable[[str], Word | None]) -> list[Word]:
    """``words`` with each unknown Latin word within a typo's distance of one of ``targets``
    read as it (``read(meant)`` says what it names; a phrase part names nothing alone and is
    only marked with ``typo_of`` for ``respelt``)."""
    compared: set[str] = set()
    out = []
    for word in words:
        said = word.said
        if (word.known or word.number or not said.isascii() or len(said) < MIN_TYPO_LENGTH
                or len(compared) >= FUZZY_WORDS and said not in compared):
            out.append(word)
            continue
        compared.add(said)
        best = process.extractOne(said, targets, scorer=OSA.distance,
                                  score_cutoff=max_typo_distance(said))
        meant = best[0] if best and best[0] != said else None
        known = read(meant) if meant else None
        fields: dict[str, Any] = {k: getattr(known, k) for k in _FIELDS} if known else {}
        out.append(replace(word, typo_of=meant, **fields) if meant else word)
    return out


def respelt(text: str, words: list[Word]) -> tuple[str, dict[str, str]] | None:
    """``text`` with every misspelt word replaced by the word meant, and the replacements,
    when one of them is part of a phrase (``None`` otherwise: nothing to read again)."""
    if not any(w.typo_of and not w.known for w in words):
        return None
    meant = {w.said: w.typo_of for w in words if w.typo_of}  # one pass, however many typos
    typed = "|".join(re.escape(w) for w in sorted(meant, key=len, reverse=True))
    text = re.sub(rf"(?<![\w.])(?:{typed})(?![\w.])", lambda m: meant[m.group(0)], text)
    return text, {v: k for k, v in meant.items()}


def remember(words: list[Word], fixes: dict[str, str]) -> list[Word]:
    """Words read from a respelt question, each saying what was typed: a phrase with a word
    meant is a typo of that phrase; a part that made no phrase is the unknown word typed."""
    out = []
    for word in words:
        typed = " ".join(fixes.get(part, part) for part in word.said.split(" "))
        if typed == word.said:
            out.append(word)
        elif word.known:
            out.append(replace(word, said=typed, typo_of=word.said))
        else:
            out.append(replace(word, said=typed, typo_of=None))
    return out
