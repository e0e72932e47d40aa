"""Parsing a big CSV file while the database writes: chunks made ahead by a thread or a process.

``read_ahead`` runs a reader's chunks on a helper thread: the database's own work (SQLite and
psycopg release the GIL) overlaps with parsing. ``read_in_process`` parses in a forked child
process, and can have a second one prepare each chunk for the writer, so parsing, preparing and
writing each run on whichever CPU is free; forking and pickling the chunks cost a little, so it
is meant for big files (``PROCESS_MIN_BYTES``). Either way only a chunk or two wait at each
step, which bounds memory.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, TypeVar

from jobs.sources.csv.arrow_orders import ArrowOrderReader, NotColumnar, OrderTables

#: Files at least this big are parsed in a child process (a 1,000,000-line export is ~330 MB).
PROCESS_MIN_BYTES = 48 * 1024 * 1024
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


def read_in_process(reader: ArrowOrderReader,
                    prepare: Callable[[OrderTables], OrderTables] | None = None,
                    ) -> Iterator[OrderTables]:
    """``reader``'s chunks parsed by a forked child process and, with ``prepare``, passed
    through it by a second one (work taken off the writer: ``jobs.warehouse.spool``), so that
    parsing, preparing and writing each run whenever a CPU is free; ``reader.rows_read`` kept
    up to date.

    The children start at once, with this process's modules already loaded, and hand pickled
    chunks on through pipes, whose buffers hold each one back while the next is busy, which
    bounds memory; they touch nothing of the parent's but the reader (no database connection,
    no file but their own) and leave by ``os._exit``, so no cleanup of the parent's runs in
    them. Anything that goes wrong in a child arrives as ``NotColumnar``, so the importer reads
    the file row by row and meets the real error (or problem report) there.
    """
    children: list[int] = []
    ended = False
    try:
        source = _forked(lambda out: serve_chunks(reader, out), children)
        if prepare is not None:
            parsed = source
            source = _forked(lambda out: relay_chunks(parsed, out, prepare), children)
            os.close(parsed)  # the preparer's now: a parser whose reader died gets EPIPE
        with os.fdopen(source, "rb") as stream:
            while True:
                try:
                    kind, item = pickle.load(stream)
                except EOFError:
                    raise NotColumnar("the reader process ended early") from None
                if kind == "end":
                    ended = True
                    return
                if kind == "error":
                    raise NotColumnar(item)
                reader.rows_read += item.rows
                yield item
    finally:
        for pid in children:
            if not ended:
                os.kill(pid, signal.SIGKILL)  # the consumer stopped early, or a child failed
            os.waitpid(pid, 0)


def _forked(work: Callable[[BinaryIO], None], children: list[int]) -> int:
    """Run ``work`` in a forked child, writing to a pipe; returns the pipe's read end (the
    child's pid goes into ``children``)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: whatever happens, it ends here and runs none of the parent's code
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                work(out)
        finally:
            os._exit(0)
    children.append(pid)
    os.close(write_end)
    return read_end


def serve_chunks(reader: ArrowOrderReader, out: BinaryIO) -> None:
    """The parser process: write ``reader``'s chunks to ``out``, pickled, then an end mark (or
    the error that stopped it)."""
    try:
        for chunk in reader.tables():
            _send(out, "chunk", chunk)
        _send(out, "end", None)
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which reads by rows
        _send(out, "error", f"{type(error).__name__}: {error}")


def relay_chunks(source: int, out: BinaryIO,
                 prepare: Callable[[OrderTables], OrderTables]) -> None:
    """The preparing process: read the parser's pickled chunks from the pipe ``source``, write
    each through ``prepare`` to ``out``, and pass the end mark or an error on."""
    try:
        with os.fdopen(source, "rb") as stream:
            while True:
                try:
                    kind, item = pickle.load(stream)
                except EOFError:
                    kind, item = "error", "the reader process ended early"
                _send(out, kind, prepare(item) if kind == "chunk" else item)
                if kind != "chunk":
                    return
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which reads by rows
        _send(out, "error", f"{type(error).__name__}: {error}")


def _send(out: BinaryIO, kind: str, item: Any) -> None:
    """One pickled message, flushed: the reader cannot use it before its last bytes."""
    pickle.dump((kind, item), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
