"""The question sets of ``tests/bot/``: rows with the expected ``understood``.

``questions.yaml`` is the in-sample set (written while the grammar was tuned);
``questions_heldout.yaml`` was written afterwards without reading the grammar, to measure it
honestly. ``load_questions(path)`` gives each row as a ``Question`` whose ``expected`` is what
``bot.commands.understood.understood`` must return for it (command, stores as shop ids, period
first/last dates as of ``tests.bot.seed.NOW``, metric, by, limit). The parametrised test
(``test_understanding.py``) and the parser benchmark (``bench/bench_parse.py``) both read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.bot.seed import UK, US

#: The data file.
QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
#: The held-out data file (same format; a store "?word" is one the tenant does not have).
HELDOUT_FILE = Path(__file__).with_name("questions_heldout.yaml")
#: Marks a store the channel does not have: the reading must report it as ``unknown_store``.
UNKNOWN_MARK = "?"
#: Period names of the file -> (first, last) local dates as of Wednesday 2026-11-25.
PERIODS: dict[str, tuple[str, str]] = {
    "TW": ("2026-11-23", "2026-11-29"), "LW": ("2026-11-16", "2026-11-22"),
    "Y": ("2026-11-24", "2026-11-24"), "TM": ("2026-11-01", "2026-11-30"),
    "LM": ("2026-10-01", "2026-10-31"), "OCT": ("2026-10-01", "2026-10-31"),
    "L7": ("2026-11-18", "2026-11-24"), "L14": ("2026-11-11", "2026-11-24"),
    "L30": ("2026-10-26", "2026-11-24"), "W46": ("2026-11-09", "2026-11-15"),
}
#: Store names of the file -> Acme's shop ids.
STORES = {"UK": UK, "US": US}


@dataclass(frozen=True)
class Question:
    """One question, who would ask it, and the reading it must get."""

    text: str
    who: str
    expected: dict[str, Any]


def _period(name: str | None) -> tuple[str, str] | None:
    if name is None:
        return None
    if name in PERIODS:
        return PERIODS[name]
    first, last = name.split("..")
    return f"2026-{first}", f"2026-{last}"


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    """Every row of the question set."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for text, command, stores, period, metric, by, limit, who in rows:
        expected = {"command": command,
                    "stores": [STORES[s] for s in stores if not s.startswith(UNKNOWN_MARK)],
                    "period": _period(period), "metric": metric, "by": by, "limit": limit}
        expected.update(("unknown_store", s[1:]) for s in stores if s.startswith(UNKNOWN_MARK))
        out.append(Question(str(text), who, expected))
    return out


def reading(got: dict[str, Any]) -> dict[str, Any]:
    """The part of an ``understood`` object the question set checks (``unknown_store`` only
    when the reading has one, so a question the set does not expect it for fails)."""
    period = got.get("period")
    out = {"command": got["command"], "stores": got["stores"],
           "period": (period["first"], period["last"]) if period and "first" in period else None,
           "metric": got["metric"], "by": got["by"], "limit": got["limit"]}
    if "unknown_store" in got:
        out["unknown_store"] = got["unknown_store"]
    return out


def misreading(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """The slots read wrong (``command``, ``stores``, ``period``...), empty when all are right:
    the kinds a benchmark counts and a report lists."""
    return sorted(k for k in expected.keys() | got.keys() if expected.get(k) != got.get(k))
