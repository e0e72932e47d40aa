"""Parsing a big CSV file while the database writes: chunks made ahead by a thread or a process.

``read_ahead`` runs a reader's chunks on a helper thread: the database's own work (SQLite and
psycopg release the GIL) overlaps with parsing. ``read_in_process`` parses in a forked child
process, so parsing and writing each get a CPU; forking and pickling the chunks cost a little,
so it is meant for big files (``PROCESS_MIN_BYTES``). Either way only a chunk or two wait, which
bounds memory.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import threading
from collections.abc import Iterator
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


def read_in_process(reader: ArrowOrderReader) -> Iterator[OrderTables]:
    """``reader``'s chunks parsed by a forked child process; ``reader.rows_read`` kept up to date.

    The child starts at once, with this process's modules already loaded, and sends pickled
    chunks through a pipe, whose buffer holds it back while the parent writes, which bounds
    memory; it touches nothing of the parent's but the reader (no database connection, no
    file but its own) and leaves by ``os._exit``, so no cleanup of the parent's runs in it.
    Anything that goes wrong in the child arrives as ``NotColumnar``, so the importer reads the
    file row by row and meets the real error (or problem report) there.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: whatever happens, it ends here and runs none of the parent's code
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                serve_chunks(reader, out)
        finally:
            os._exit(0)
    os.close(write_end)
    ended = False
    try:
        with os.fdopen(read_end, "rb") as stream:
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
        if not ended:
            os.kill(pid, signal.SIGKILL)  # the consumer stopped early, or the child failed
        os.waitpid(pid, 0)


def serve_chunks(reader: ArrowOrderReader, out: BinaryIO) -> None:
    """The child process: write ``reader``'s chunks to ``out``, pickled, then an end mark (or
    the error that stopped it)."""
    try:
        for chunk in reader.tables():
            pickle.dump(("chunk", chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(("end", None), out)
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which reads by rows
        pickle.dump(("error", f"{type(error).__name__}: {error}"), out)
    out.flush()
