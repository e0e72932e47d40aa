"""How well and how fast the grammar reads the question sets (``tests/bot/questions.yaml``, and
the held-out ``questions_heldout.yaml`` written without reading the grammar).

``measure(repeat, path)`` parses every question of a set ``repeat`` times as Acme's channel would
(``parse`` with Acme's stores, then ``understood`` as of Wednesday 2026-11-25), and reports the
share read exactly as expected (command, stores, period, metric, by, limit), per kind of asker
and language, the slots misread (``kinds``: how many questions got each slot wrong), and the
time per question (best of the repeats; p50 and p95 over the questions).
The anchor, measured in the same run on the same questions, is one pass of a plain regular
expression over the text: the parser's cost in units of this machine's current speed.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.commands.grammar import parse
from bot.commands.understood import understood
from config.tenant_registry import load_tenants
from tests.bot.question_set import QUESTIONS_FILE, Question, load_questions, misreading, reading
from tests.bot.seed import NOW, write_tenants

_WORDS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9][a-z0-9._\-]*")
#: Repeats per question at each ``tikpulse bench`` scale.
REPEATS = {"demo": 5, "agency": 20}


@dataclass(frozen=True)
class Accuracy:
    """The question set's result: right / asked, per group, and timings in microseconds."""

    right: int
    asked: int
    groups: dict[str, tuple[int, int]]
    wrong: list[str]
    kinds: dict[str, int]
    p50_us: float
    p95_us: float
    anchor_p50_us: float
    cold_ms: float


def _best(fn, text: str, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - started)
    return best * 1e6


def _group(q: Question) -> list[str]:
    zh = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in q.text) else "en"
    return [q.who, zh]


def measure(repeat: int = 5, path: Path = QUESTIONS_FILE) -> Accuracy:
    """Parse the question set of ``path`` ``repeat`` times (see the module docstring)."""
    tenant = load_tenants(write_tenants(Path(tempfile.mkdtemp()))).tenant("acme")
    assert tenant is not None
    questions = load_questions(path)
    started = time.perf_counter()
    parse("上周英国投产比", "en", tenant.stores)  # the first Chinese question loads jieba
    cold = (time.perf_counter() - started) * 1000
    groups: dict[str, tuple[int, int]] = {}
    wrong, times, anchors = [], [], []
    kinds: dict[str, int] = {}
    for q in questions:
        slots = misreading(q.expected,
                           reading(understood(parse(q.text, "en", tenant.stores), tenant, NOW)))
        ok = not slots
        for slot in slots:
            kinds[slot] = kinds.get(slot, 0) + 1
        for g in _group(q):
            right, asked = groups.get(g, (0, 0))
            groups[g] = (right + ok, asked + 1)
        if not ok:
            wrong.append(q.text)
        times.append(_best(lambda t: parse(t, "en", tenant.stores), q.text, repeat))
        anchors.append(_best(lambda t: _WORDS.findall(t.casefold()), q.text, repeat))
    return Accuracy(len(questions) - len(wrong), len(questions), groups, wrong, kinds,
                    statistics.median(times), statistics.quantiles(times, n=20)[18],
                    statistics.median(anchors), cold)
