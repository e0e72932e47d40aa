"""The dependency rules of shared/ARCHITECTURE.md, checked on the source (an AST walk, so an
import inside a function counts as much as one at the top).

- no import cycles among our modules;
- ``jobs`` never imports ``bot``; features never import the composition root (``jobs.tasks``,
  ``jobs.wiring``): they enqueue by dotted path and take their parts as arguments;
- ``bot`` reads only through the read API (``jobs.warehouse.queries``), the report model, the
  accounts API and the chat client factory, never table definitions or loaders;
- ``analytics``, ``config`` and ``sandbox`` import nothing of ours outside themselves (``config``
  may be read by everyone);
- ``jobs/`` keeps at most 8 top-level modules, and ``Settings()`` is built in at most 3 places.

The checks are plain functions over an import graph, so the last tests feed them a graph with a
cycle and a bot->table import and watch them fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("jobs", "bot", "analytics", "config", "sandbox")

#: Composition roots: they may import anything below them (features, wiring).
ROOTS = ("jobs.tasks", "jobs.wiring", "jobs.cron_config", "jobs.worker_preload", "jobs.cli",
         "bot.cli", "bot.demo")
#: One-release shims at old RQ dotted paths; they only re-export ``jobs.tasks``.
SHIMS = ("jobs.sync", "jobs.schedule", "jobs.digest.jobs", "jobs.alerts.jobs")
#: What ``bot`` (outside its entry points) may import from ``jobs``: the read API, the report
#: model and its frozen copies, the accounts API (targets too), alert subscriptions (set from
#: chat), the chat client factory and the named resources.
BOT_MAY_READ = ("jobs.warehouse.queries", "jobs.warehouse.reads", "jobs.warehouse.db",
                "jobs.warehouse.campaigns", "jobs.warehouse.profit", "jobs.warehouse.freshness",
                "jobs.warehouse.fx_rates", "jobs.report.model", "jobs.report.frozen",
                "jobs.accounts", "jobs.alerts.subscriptions", "jobs.notify.clients",
                "jobs.resources")
#: Top-level modules ``jobs/`` may have (the map, the roots, the resources, the shims).
MAX_JOBS_TOP_LEVEL = 8
MAX_SETTINGS_READS = 3


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                  if "migrations" not in p.parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Our modules ``path`` imports anywhere in its body (``from a import b`` -> ``a.b`` when
    ``a.b`` is a module, else ``a``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {m for m in found if m.split(".")[0] in PACKAGES}


def import_graph() -> dict[str, set[str]]:
    files = source_files()
    known = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, known) for p in files}


def within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in graph.get(node, ()):
            if dep not in graph:
                continue
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def violations(graph: Mapping[str, set[str]]) -> list[str]:
    """Every import that breaks a layer rule, as 'importer -> imported: rule'."""
    bad = []
    for mod, deps in sorted(graph.items()):
        for dep in sorted(deps):
            rule = _rule_broken(mod, dep)
            if rule:
                bad.append(f"{mod} -> {dep}: {rule}")
    return bad


def _rule_broken(mod: str, dep: str) -> str | None:
    top, dep_top = mod.split(".")[0], dep.split(".")[0]
    if top in ("analytics", "config", "sandbox") and dep_top not in (top, "config"):
        return f"{top} imports nothing of ours outside itself"
    if top == "jobs" and dep_top == "bot":
        return "jobs never imports bot"
    if within(mod, SHIMS):
        return None if dep == "jobs.tasks" else "a shim only re-exports jobs.tasks"
    if not within(mod, ROOTS) and within(dep, ("jobs.tasks", "jobs.wiring")):
        return "features never import the composition root (enqueue by dotted path)"
    if top == "bot" and not within(mod, ROOTS) and dep_top == "jobs" \
            and not within(dep, BOT_MAY_READ):
        return "bot reads through the read API, the report model and the accounts API"
    return None


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_every_import_follows_the_layers():
    assert violations(import_graph()) == []


def test_jobs_top_level_is_small():
    top = sorted(p.name for p in (ROOT / "jobs").glob("*.py"))
    assert len(top) <= MAX_JOBS_TOP_LEVEL, top


def test_settings_are_read_at_the_entry_points_only():
    reads = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Settings":
                reads.append(f"{module_name(path)}:{node.lineno}")
    assert len(reads) <= MAX_SETTINGS_READS, reads


#: Tables the rollups are computed from: written only through ``jobs.ingestion.writer``, which
#: marks the days a write changes (so no writer can forget the rollups).
RAW_FACTS = {"orders", "order_lines", "refunds", "order_settlements", "affiliate_order_lines",
             "ad_report_rows"}
WRITE_CALLS = {"upsert", "bulk_upsert", "bulk_upsert_columns", "insert"}


def raw_fact_writes(path: Path) -> list[int]:
    """Lines of ``path`` that write a raw-fact table (an upsert of it, or ``table.insert()``)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in WRITE_CALLS:
            continue
        targets = [*node.args, func.value if isinstance(func, ast.Attribute) else None]
        if any(_table_name(a) in RAW_FACTS for a in targets if a is not None):
            lines.append(node.lineno)
    return lines


def _table_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def test_raw_facts_are_written_through_the_one_writer():
    writers = {f"{module_name(p)}:{line}" for p in source_files()
               if p.parts[-3:-1] != ("jobs", "warehouse") and module_name(p).split(".")[0] == "jobs"
               for line in raw_fact_writes(p)}
    assert {w.split(":")[0] for w in writers} == {"jobs.ingestion.writer"}, writers


def test_the_checks_catch_a_cycle():
    graph = {"jobs.report.build": {"jobs.digest.render"},
             "jobs.digest.render": {"jobs.report.build"}, "jobs.resources": set()}
    assert cycles(graph) == [["jobs.digest.render", "jobs.report.build"]]
    assert cycles({"jobs.a": {"jobs.a"}}) == [["jobs.a"]]


def test_the_checks_catch_forbidden_imports():
    graph = {"bot.commands.handlers.stock": {"jobs.warehouse.schema", "jobs.warehouse.queries"},
             "jobs.digest.fanout": {"jobs.tasks"},
             "jobs.report.build": {"bot.commands"},
             "analytics.kpis": {"jobs.warehouse.types"},
             "bot.cli": {"jobs.wiring"}}
    assert violations(graph) == [
        "analytics.kpis -> jobs.warehouse.types: analytics imports nothing of ours outside itself",
        "bot.commands.handlers.stock -> jobs.warehouse.schema: bot reads through the read API, "
        "the report model and the accounts API",
        "jobs.digest.fanout -> jobs.tasks: features never import the composition root "
        "(enqueue by dotted path)",
        "jobs.report.build -> bot.commands: jobs never imports bot"]
