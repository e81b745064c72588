"""A SPARQL worker process: sandbox itself, open the store once, then run one query per message until told to stop.

Started by :mod:`.pool` as ``python -m guidancekg.graph.sparql.worker IN_FD OUT_FD MEMORY_MB``: a fresh
interpreter, never a fork of the threaded web server. The conversation, over two pipes:

1. the worker installs its network sandbox (:mod:`.sandbox`) before it reads anything, and says
   ``("sandboxed",)``; if it cannot, it says ``("failed", "sandbox", reason)`` and ends, so no query ever runs
   unsandboxed;
2. it receives how to open the store (``Store.sparql_source``) and answers ``("ready", pid)`` or
   ``("failed", "store", reason)``;
3. then each message is a job (a dict) answered with ``("ok", form, media_type, body, rows, restart)`` or
   ``("error", exception name, detail, restart)``; ``None`` ends the worker.

A watchdog thread ends the worker when its server has gone, or when a query outlives its limit by
:data:`GRACE` seconds (the server kills it at the limit; this covers a server that could not).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from guidancekg.graph.errors import QueryError, QueryNotAcceptable, SandboxUnavailable, StoreError

GRACE = 5.0  # seconds a worker lets its server kill it at the deadline before it ends itself


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource

        limit = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _start_watchdog(current: dict[str, float]) -> None:
    """End this worker when its server has gone, or when a query outlives its limit by :data:`GRACE` seconds.

    Oxigraph releases the GIL while it evaluates, so this thread runs even during a runaway query: a server
    killed without a chance to stop its workers (SIGKILL, a crash) leaves no query running forever.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            until = current.get("until") or 0
            if os.getppid() != parent or (until and time.monotonic() > until):
                os._exit(3)

    threading.Thread(target=watch, name="guidancekg-sparql-watchdog", daemon=True).start()


def _answer(store: Any, job: dict[str, Any]) -> tuple[tuple[Any, ...], bool]:
    """Run one job; return the reply and whether this worker must end after sending it."""
    from guidancekg.graph.sparql.execution import execute

    try:
        result = execute(store, job["query"], job["formats"], default_graphs=job["default_graphs"],
                         named_graphs=job["named_graphs"], base_iri=job["base_iri"], max_rows=job["max_rows"])
        return ("ok", result.form, result.media_type, result.body, result.rows), False
    except QueryNotAcceptable as exc:
        return ("error", "QueryNotAcceptable", (exc.form, list(exc.offers))), False
    except (QueryError, StoreError) as exc:
        return ("error", type(exc).__name__, str(exc)), False
    except MemoryError:
        return ("error", "QueryTooLarge", "the query needs more memory than a SPARQL worker may use"), True
    except BaseException as exc:  # e.g. a parser left in an unknown state: answer, then start afresh
        return ("error", "QueryError", f"the query could not be run ({type(exc).__name__})"), True


def serve(conn: Any, memory_mb: int | None) -> None:
    """Serve jobs from ``conn`` until it closes (the conversation of the module docstring)."""
    from guidancekg.graph.sparql import sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C goes to the server, which stops its workers
    try:
        sandbox.install()
    except SandboxUnavailable as exc:
        conn.send(("failed", "sandbox", str(exc)))
        return
    conn.send(("sandboxed",))
    try:
        from guidancekg.graph.sparql.execution import SparqlStore

        source, mode = conn.recv()
        store = SparqlStore.open(source, mode)
    except Exception as exc:
        conn.send(("failed", "store", f"{type(exc).__name__}: {exc}"))
        return
    _limit_memory(memory_mb)
    current: dict[str, float] = {}
    _start_watchdog(current)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        timeout = float(job.get("timeout") or 0)
        current["until"] = time.monotonic() + timeout + GRACE if timeout else 0
        reply, restart = _answer(store, job)
        current["until"] = 0
        try:
            conn.send((*reply, restart))
        except (OSError, ValueError):
            return
        if restart:
            return


class _Pair:
    """A reading and a writing connection used as one."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self.recv = reader.recv
        self.send = writer.send


def main(argv: Sequence[str]) -> int:
    """Run a worker: ``python -m guidancekg.graph.sparql.worker IN_FD OUT_FD MEMORY_MB``."""
    from multiprocessing.connection import Connection

    if len(argv) != 3:
        sys.stderr.write("usage: python -m guidancekg.graph.sparql.worker IN_FD OUT_FD MEMORY_MB\n")
        return 2
    in_fd, out_fd, memory_mb = (int(a) for a in argv)
    serve(_Pair(Connection(in_fd, writable=False), Connection(out_fd, readable=False)), memory_mb or None)
    return 0


if __name__ == "__main__":
    # Run the loop of the imported module, so that its classes are the package's own.
    from guidancekg.graph.sparql import worker as _module

    sys.exit(_module.main(sys.argv[1:]))
