"""Pieces run side by side in forked children (``jobs.report.forked``): the same results, in
order, as run one after another (a report's anomalies beside its other sections, its editions);
a child's error raised in the parent; a child that dies without a word has its piece run in the
parent; no fork while other threads run.

A fork is only taken in a process running one thread, and a pytest-xdist worker runs several
(its channel to the controller): the forking cases run in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

from jobs.report.forked import can_fork, in_forks

ROOT = Path(__file__).resolve().parents[2]
#: Prepended to every script: a machine with a core to spare.
_TWO_CORES = "from jobs.report import forked\nforked.spare_cores = lambda: 1\n"


#: Appended to a script that failed a piece (its error's text in ``raised``): whether a child
#: is left unreaped, and whether the slow piece (which writes a file at its end) finished.
_AFTERMATH = """
        try:
            os.waitpid(-1, os.WNOHANG)
            left = True
        except ChildProcessError:
            left = False
        print(json.dumps({"raised": raised, "left": left,
                          "finished": os.path.exists("drawn-to-the-end")}))
"""


def _fresh(script: str, tmp_path: Path) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter (one thread, and a core to spare whatever this
    machine has: the fork does not depend on it); the JSON it prints last."""
    paths = os.pathsep.join([str(ROOT), str(ROOT / "tests" / "digest")])
    done = subprocess.run([sys.executable, "-c", _TWO_CORES + textwrap.dedent(script)],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": paths},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_pieces_run_in_children_as_cores_allow_and_come_back_in_order(tmp_path: Path) -> None:
    got = _fresh("""
        import json, os
        from jobs.report.forked import can_fork, in_forks
        ran = in_forks(lambda n: (n * n, os.getpid()), [1, 2, 3])
        print(json.dumps({"can": can_fork(), "me": os.getpid(), "ran": ran}))
    """, tmp_path)
    assert got["can"] is True
    ran = got["ran"]
    assert [value for value, _ in ran] == [1, 4, 9]
    pids = [pid for _, pid in ran]
    assert pids[1] != got["me"]  # the second in a child; one core spare: the third here
    assert pids[0] == pids[2] == got["me"]


def test_a_childs_error_is_raised_in_the_parent(tmp_path: Path) -> None:
    got = _fresh("""
        import json, os
        from jobs.report.forked import in_forks
        me = os.getpid()
        def work(n):
            if os.getpid() != me:
                raise KeyError(f"no edition {n}")
            return n
        try:
            in_forks(work, ["zh", "en"])
            print(json.dumps({"raised": None}))
        except KeyError as exc:
            print(json.dumps({"raised": str(exc)}))
    """, tmp_path)
    assert got["raised"] == "'no edition en'"


def test_an_error_that_cannot_be_pickled_comes_back_as_its_traceback(tmp_path: Path) -> None:
    got = _fresh("""
        import json, os
        from jobs.report.forked import in_forks
        me = os.getpid()
        class Unpicklable(Exception):
            def __reduce__(self):
                raise TypeError("not this one")
        def work(n):
            if os.getpid() != me:
                raise Unpicklable("chart of " + n)
            return n
        try:
            in_forks(work, ["zh", "en"])
        except RuntimeError as exc:
            print(json.dumps({"raised": str(exc)}))
    """, tmp_path)
    assert "in a forked child" in str(got["raised"])
    assert "Unpicklable: chart of en" in str(got["raised"])


def test_a_child_that_dies_without_a_word_has_its_piece_run_here(tmp_path: Path) -> None:
    got = _fresh("""
        import json, os
        from jobs.report.forked import in_forks
        me = os.getpid()
        def work(n):
            if os.getpid() != me:
                os._exit(9)  # killed before it could answer
            return (n, os.getpid())
        print(json.dumps({"me": me, "ran": in_forks(work, ["zh", "en"])}))
    """, tmp_path)
    assert got["ran"] == [["zh", got["me"]], ["en", got["me"]]]


def test_a_fork_the_system_refuses_has_its_piece_run_here(tmp_path: Path) -> None:
    got = _fresh("""
        import errno, json, os
        from jobs.report.forked import in_forks
        def refused():
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        os.fork = refused
        print(json.dumps({"me": os.getpid(),
                          "ran": in_forks(lambda n: (n, os.getpid()), ["zh", "en"])}))
    """, tmp_path)
    assert got["ran"] == [["zh", got["me"]], ["en", got["me"]]]


def test_when_this_process_fails_its_piece_no_child_is_left(tmp_path: Path) -> None:
    got = _fresh("""
        import json, os, time
        from jobs.report.forked import in_forks
        me = os.getpid()
        def work(n):
            if os.getpid() == me:
                raise ValueError("the first language failed")
            time.sleep(60)  # the second: still drawing when the first fails
            open("drawn-to-the-end", "w").close()
            return n
        try:
            in_forks(work, ["zh", "en"])
        except ValueError as exc:
            raised = str(exc)
    """ + _AFTERMATH, tmp_path)
    assert got == {"raised": "the first language failed", "left": False, "finished": False}


def test_when_a_child_fails_the_other_children_are_stopped(tmp_path: Path) -> None:
    got = _fresh("""
        import json, os, time
        from jobs.report import forked
        forked.spare_cores = lambda: 2
        me = os.getpid()
        def work(n):
            if n == "en":
                raise KeyError("no English edition")
            if n == "th":
                time.sleep(60)  # still drawing when the English one fails
                open("drawn-to-the-end", "w").close()
            return n
        try:
            forked.in_forks(work, ["zh", "en", "th"])
        except KeyError as exc:
            raised = str(exc)
    """ + _AFTERMATH, tmp_path)
    assert got == {"raised": "'no English edition'", "left": False, "finished": False}


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        assert in_forks(lambda n: (n, os.getpid()), ["zh", "en"]) == [
            ("zh", os.getpid()), ("en", os.getpid())]
    finally:
        stop.set()
        other.join()


def test_editions_drawn_side_by_side_are_the_editions_drawn_in_turn(tmp_path: Path) -> None:
    """Both languages of the seeded store's digest, drawn in forks and one after the other: the
    same text, chart PNGs (byte for byte) and HTML (but for the minute it was made in); a PDF
    and a deck each; and the fork ran."""
    got = _fresh("""
        import hashlib, json, os, re
        from pathlib import Path
        from digest_seed import UK, seed, tenant_entry, write_tenants
        from config.settings import Settings
        from jobs.accounts.targets import effective_targets
        from jobs.report import forked
        from jobs.digest.compose import compose
        from jobs.digest.render import render_editions
        from jobs.report.build import build_weekly_report
        from jobs.warehouse.db import make_engine
        from jobs.warehouse.migrate import upgrade
        from jobs.wiring import digest_deps

        engine = make_engine(f"sqlite:///{Path.cwd() / 'warehouse.db'}")
        upgrade(engine)
        seed(engine, stores=(UK,))
        path = write_tenants(Path.cwd(), tenant_entry(language="both", stores=(UK,)))
        os.environ.update(DATABASE_URL=str(engine.url), TIKPULSE_CONFIG=str(path))
        deps = digest_deps(Settings())
        tenant = deps.tenant("acme")
        report = build_weekly_report(deps.engine, tenant, "2026-W47")
        with deps.engine.connect() as conn:
            digest = compose(report, effective_targets(conn, tenant))
        deps.engine.dispose()

        def drawn(editions):
            return [{"lang": e.text.lang, "text": repr(e.text),
                     "html": re.sub(r"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC", "(made)", e.html),
                     "charts": [(c.filename, hashlib.sha256(c.data).hexdigest())
                                for c in e.charts],
                     "pdf": e.pdf.data[:5].decode(), "deck": e.deck.data[:2].decode()}
                    for e in editions]

        pids = []
        real = forked._start
        def counted(work, item):
            pid, reader = real(work, item)
            pids.append(pid)
            return pid, reader
        forked._start = counted
        side_by_side = drawn(render_editions(digest, "Asia/Shanghai"))
        forked.spare_cores = lambda: 0
        in_turn = drawn(render_editions(digest, "Asia/Shanghai"))
        print(json.dumps({"forks": len(pids), "same": side_by_side == in_turn,
                          "langs": [e["lang"] for e in side_by_side],
                          "charts": [len(e["charts"]) for e in side_by_side],
                          "formats": [(e["pdf"], e["deck"]) for e in side_by_side]}))
    """, tmp_path)
    assert got["forks"] == 1  # the second language, in a child
    assert got["langs"] == ["zh", "en"]
    assert got["same"] is True
    assert all(n >= 3 for n in got["charts"])
    assert got["formats"] == [["%PDF-", "PK"], ["%PDF-", "PK"]]


def test_anomalies_found_in_a_fork_are_those_found_in_turn(tmp_path: Path) -> None:
    """The seeded store's report built with its anomalies found in a forked child equals the
    one built in turn, anomalies included (there are some), and the fork ran."""
    got = _fresh("""
        import json
        from pathlib import Path
        from digest_seed import UK, seed, tenant_entry, write_tenants
        from config.tenant_registry import load_tenants
        from jobs.report import forked
        from jobs.report.build import build_weekly_report
        from jobs.warehouse.db import make_engine
        from jobs.warehouse.migrate import upgrade

        engine = make_engine(f"sqlite:///{Path.cwd() / 'warehouse.db'}")
        upgrade(engine)
        seed(engine, stores=(UK,))
        tenant = load_tenants(write_tenants(Path.cwd(), tenant_entry(stores=(UK,)))).tenant("acme")
        forks = []
        real = forked._start
        def counted(work, item):
            forks.append(item.__name__)
            return real(work, item)
        forked._start = counted
        side_by_side = build_weekly_report(engine, tenant, "2026-W47")
        forked.spare_cores = lambda: 0
        in_turn = build_weekly_report(engine, tenant, "2026-W47")
        print(json.dumps({"forks": forks, "same": repr(side_by_side) == repr(in_turn),
                          "anomalies": len(in_turn.insights.anomalies)}))
    """, tmp_path)
    assert got["forks"] == ["anomalies"]
    assert got["same"] is True
    assert got["anomalies"] > 0
