"""Parsing a big CSV file while the database writes: chunks made ahead by a thread or a process.

``read_ahead`` runs a reader's chunks on a helper thread: the database's own work (SQLite and
psycopg release the GIL) overlaps with parsing. ``read_in_process`` parses in a child Python
process (started like any command, so the caller's main module is not re-run), so parsing and
writing each get a CPU; it pays about a second to start, so it is meant for big files
(``PROCESS_MIN_BYTES``). Either way only a chunk or two wait, which bounds memory.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from jobs.sources.csv.arrow_orders import ArrowOrderReader, NotColumnar, OrderTables

#: Files at least this big are parsed in a child process (a 1,000,000-line export is ~330 MB).
PROCESS_MIN_BYTES = 48 * 1024 * 1024
_ROOT = Path(__file__).resolve().parents[2]
_CHILD = "from jobs.sources.csv.read_ahead import serve_chunks; serve_chunks()"
T = TypeVar("T")


def read_ahead(chunks: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``chunks`` produced by a helper thread, at most ``depth`` ahead of the consumer."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand_over(("chunk", chunk)):
                    return
            hand_over(("end", None))
        except BaseException as error:  # handed to the consumer, raised there
            hand_over(("error", error))

    worker = threading.Thread(target=produce, name="csv-order-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def read_in_process(reader: ArrowOrderReader) -> Iterator[OrderTables]:
    """``reader``'s chunks parsed by a child Python process; ``reader.rows_read`` kept up to date.

    The child gets the reader on stdin and sends pickled chunks on stdout; the pipe's buffer
    holds it back while the parent writes, which bounds memory. Anything that goes wrong in the
    child arrives as ``NotColumnar``, so the importer reads the file row by row and meets the
    real error (or problem report) there.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)
    try:
        assert child.stdin is not None and child.stdout is not None
        pickle.dump(reader, child.stdin)
        child.stdin.close()
        while True:
            try:
                kind, item = pickle.load(child.stdout)
            except EOFError:
                raise NotColumnar(f"the reader process ended ({child.wait()})") from None
            if kind == "end":
                return
            if kind == "error":
                raise NotColumnar(item)
            reader.rows_read += item.rows
            yield item
    finally:
        if child.poll() is None:
            child.kill()  # the consumer stopped early
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def serve_chunks() -> None:
    """The child process: read a pickled reader on stdin, write its chunks on stdout."""
    out = sys.stdout.buffer
    try:
        reader = pickle.load(sys.stdin.buffer)
        for chunk in reader.tables():
            pickle.dump(("chunk", chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(("end", None), out)
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which reads by rows
        pickle.dump(("error", f"{type(error).__name__}: {error}"), out)
    out.flush()
