"""``Parsed``: what a question asks, in the grammar's terms (``bot.commands.grammar.parse``),
and ``Word``: one word of it and what it names (``bot.commands.tokens.read_words``).

Their own module so the grammar, its words, their typos (``bot.commands.typos``) and the slot
filling (``bot.commands.slots``) share them without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.commands.periods import PeriodSpec


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
    literal: bool = True  # the command was named and nothing was read as a typo


@dataclass(frozen=True)
class Word:
    """One word (or phrase) of a question and what it names; ``typo_of`` if read as a typo."""

    said: str
    command: str | None = None
    metric: str | None = None
    region: str | None = None
    store: bool = False
    all: bool = False
    at_risk: bool = False
    filler: bool = False
    question: bool = False
    separator: bool = False
    typo_of: str | None = None

    @property
    def known(self) -> bool:
        """Whether the word names anything at all."""
        return bool(self.command or self.metric or self.region or self.store or self.all
                    or self.at_risk or self.filler or self.question or self.separator)

    @property
    def number(self) -> bool:
        """Whether the word is a plain number (a count, a target value)."""
        return bool(re.fullmatch(r"\d{1,7}(?:\.\d+)?", self.said))
