"""``Parsed``: what a question asks, in the grammar's terms (``bot.commands.grammar.parse``).

Its own module so the grammar and its slot filling (``bot.commands.slots``) share it without
importing each other.
"""

from __future__ import annotations

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
