""""Did you mean": the commands whose words look most like a question nobody could read.

``closest_commands(text)`` compares each distinct word of the text (at most ``FUZZY_WORDS``)
with every command phrase (``difflib`` ratio, phrases the lengths rule out skipped), so the reply
to an unreadable question offers the nearest commands, never nothing (at worst ``help``).
"""

from __future__ import annotations

import difflib
import re

from bot.commands.vocab import COMMANDS, phrase_table

#: Distinct words of one question compared for "did you mean" (the rest costs nothing).
FUZZY_WORDS = 64
#: Similarity from which a command is offered as "did you mean".
CLOSEST_CUTOFF = 0.4
_PHRASES = tuple(phrase_table())
_ORDER = {c.id: i for i, c in enumerate(COMMANDS)}


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
