"""The slots of a question once its command is known: stores, metric, ranking, limit, handle.

``fill_slots(parsed, words, unknown)`` reads them from the words ``bot.commands.tokens`` found
(a metric anywhere in the sentence, the number of a "top 10", "by cvr", the stores or the two
sides of a comparison); ``unknown`` are the words that name nothing and may be a store or a
creator the tenant has (a terse "roas Narnia" keeps them, a question drops them).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from bot.commands.parsed import Parsed, Word
from bot.commands.vocab import LOSS_WORDS, RANK_KEYS

#: Commands that name a metric family; a more specific command in the same question wins.
BROAD_COMMANDS = ("kpi", "gmv", "roas")
#: The metric a broad command is about when the question names none ("昨天美国卖了多少").
OWN_METRIC = {"gmv": "gross_gmv", "roas": "roas_platform"}
#: Rank keys that are campaign orderings, never a creator or video ranking.
LIST_KEYS = frozenset({"campaign", "spend", "ctr", "cpa", "loss"})


def metric_named(words: list[Word], skip: str | None = None) -> str | None:
    """The first catalog metric the words name (not counting the command word ``skip``)."""
    return next((w.metric for w in words if w.metric and (skip is None or w.command != skip)),
                None)


def scope_words(words: list[Word]) -> list[Word]:
    """The words that name a store, a region or all stores."""
    return [w for w in words if w.store or w.region or w.all]


def said(word: Word) -> str:
    """The word as read (the word meant, for a typo)."""
    return word.typo_of or word.said


def _scope(words: list[Word], unknown: list[Word]) -> str | None:
    keep = {id(w) for w in (*scope_words(words), *unknown)}
    chosen = [w for w in words if id(w) in keep]
    if not chosen:
        return None
    if any(w.all for w in chosen):
        return "all"
    return " ".join(said(w) for w in chosen)


def fill_slots(parsed: Parsed, words: list[Word], unknown: list[Word]) -> Parsed:
    """Fill in the slots the command takes from the words of the question."""
    cmd = parsed.command
    numbers = [w.said for w in words if w.number]
    metric = metric_named(words, skip=cmd) or (
        metric_named(words) if cmd in BROAD_COMMANDS else None) or OWN_METRIC.get(cmd or "")
    changes: dict[str, object] = {"metric": metric}
    if cmd == "campaigns":
        loss = any(w in parsed.text.casefold() for w in LOSS_WORDS)
        by = "loss" if loss and parsed.rank_by is None else parsed.rank_by
        changes["rank_by"] = {"roi": "roas", "campaign": None}.get(by or "", by)
        changes["n"] = int(float(numbers[0])) if numbers else None
    if cmd == "creator" and parsed.handle is None:
        if not unknown:
            return fill_slots(replace(parsed, command="top_creators"), words, unknown)
        changes["handle"], unknown = unknown[0].said.lstrip("@"), unknown[1:]
    if cmd in ("top_creators", "top_videos"):  # "佣金最高的达人": the order, not a metric
        changes["n"], changes["metric"] = (int(float(numbers[0])) if numbers else None), None
        if parsed.rank_by is None:  # "播放量最高的视频", "互动率最高的10个达人": ranked by it
            changes["rank_by"] = next((RANK_KEYS[said(w)] for w in words if said(w) in RANK_KEYS
                                       and RANK_KEYS[said(w)] not in LIST_KEYS), None)
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
    return tuple(" ".join(said(w) for w in g) for g in groups)


def _decimal(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None
