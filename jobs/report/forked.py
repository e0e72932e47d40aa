"""Independent pieces of CPU work at once, on the cores this process may use: ``in_forks``.

A report has two such places. Its anomalies are found (pandas over frames already loaded, about
0.15 s for a store) while the other sections are built. Its languages are drawn apart from each
other: each edition's charts, PDF and deck cost about 0.6 s of CPU and share nothing but the
composed digest. With a core to spare, the pieces after the first run in forked children while
this process runs the first. A fork starts with everything already loaded (pandas, matplotlib,
the parsed CJK font, the frames, the digest) at no cost, which a pool of fresh interpreters would
each load again (about a second). A fork copies the locks other threads hold, so it is only
taken when this process runs one thread (an RQ work horse, the CLI); otherwise, and on one core,
the pieces run one after another here. A child sends its result back pickled through a pipe; its
exception is raised here; a child that dies without a word (killed, out of memory) has its piece
run again here, and so has one the system refuses to fork. When a piece fails (here, or in a
child), the children not yet read are stopped and reaped before the error goes on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def spare_cores() -> int:
    """Cores this process may run on besides the one it is using."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) - 1
    return (os.cpu_count() or 1) - 1


def can_fork() -> bool:
    """Whether a fork is safe and worth it here: POSIX, one thread, a core to spare."""
    return hasattr(os, "fork") and threading.active_count() == 1 and spare_cores() > 0


def in_forks(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[work(item) for item in items]``, the items after the first each in a forked child
    (as many as there are spare cores; the rest here) when ``can_fork()``. ``work`` must not
    use what cannot be shared with a child: a database connection, a socket."""
    if len(items) < 2 or not can_fork():
        return [work(item) for item in items]
    children: dict[int, tuple[int, int]] = {}
    for i in range(1, min(len(items), 1 + spare_cores())):
        started = _start(work, items[i])
        if started is None:  # no fork to be had: the rest run here
            break
        children[i] = started
    results: dict[int, R] = {}
    pending = dict(children)  # the children not yet read
    try:
        for i, item in enumerate(items):
            if i not in children:
                results[i] = work(item)
        while pending:  # in the items' order
            i = next(iter(pending))
            pid, reader = pending.pop(i)
            results[i] = _collect(pid, reader, work, items[i])
    finally:  # left by a failed piece (here or in a child): stopped, none waits to be read
        for pid, reader in pending.values():
            _stop(pid, reader)
    return [results[i] for i in range(len(items))]


def _stop(pid: int, reader: int) -> None:
    """End a child whose result is no longer wanted, and reap it."""
    os.close(reader)
    with contextlib.suppress(ProcessLookupError):  # ended already
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _start(work: Callable[[T], R], item: T) -> tuple[int, int] | None:
    """Fork a child that runs ``work(item)`` and writes its outcome to a pipe; (pid, read end),
    or ``None`` when the system refuses a pipe or a process (out of processes or memory)."""
    try:
        reader, writer = os.pipe()
    except OSError as exc:
        log.warning("no pipe for a forked child (%s): running its piece here", exc)
        return None
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(reader)
        os.close(writer)
        log.warning("no forked child (%s): running its piece here", exc)
        return None
    if pid:
        os.close(writer)
        return pid, reader
    status = 0
    try:  # the child: never returns into the caller's code
        os.close(reader)
        try:
            payload = pickle.dumps((True, work(item)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001  (handed to the parent as it is)
            payload = _failure(exc)
        with os.fdopen(writer, "wb") as out:
            out.write(payload)
    except BaseException:  # noqa: BLE001  (the pipe is gone: the parent runs the piece)
        status = 1
    finally:
        os._exit(status)


def _failure(exc: BaseException) -> bytes:
    """A child's exception, pickled as it is, else as a ``RuntimeError`` with its traceback."""
    try:
        return pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001  (an exception that does not pickle)
        text = "".join(traceback.format_exception(exc))
        return pickle.dumps((False, RuntimeError(f"in a forked child:\n{text}")))


def _collect(pid: int, reader: int, work: Callable[[T], R], item: T) -> R:
    """A child's result (read to the end of its pipe, then reaped); its exception raised; its
    piece run here if it died without a word."""
    with os.fdopen(reader, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not payload:
        log.warning("forked child %s ended with status %s and no result: running it here",
                    pid, os.waitstatus_to_exitcode(status))
        return work(item)
    ok, value = pickle.loads(payload)
    if not ok:
        raise value
    result: R = value
    return result
