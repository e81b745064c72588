"""Run researchers' SPARQL queries in a pool of sandboxed worker processes: a time limit, and admission control.

No Flask here: ``api/sparql_endpoint.py`` speaks the protocol and calls :class:`SparqlExecutor`.

* **Time limit.** Oxigraph has no in-process timeout, so each query runs in a worker process (:mod:`.worker`)
  that is killed at the deadline (:class:`QueryTimeout`) and replaced at once. The waiting thread only blocks on a
  pipe. A worker whose query outgrows its memory cap is reported as :class:`QueryTooLarge`.
* **Admission.** At most ``workers`` queries run and ``queue`` more wait, each for at most ``queue_wait`` seconds;
  any other request is refused at once with :class:`EndpointBusy` (HTTP 503 with ``Retry-After``: the time until a
  running query is sure to be over). So SPARQL never holds more than ``workers + queue`` of the web server's
  threads, and the JSON API and the pages never wait behind it.
* **Sandbox.** Each worker removes its own network access before it reads anything (:mod:`.sandbox`); a worker
  that cannot is refused, and the query with it (:class:`SandboxUnavailable`, HTTP 503): nothing runs unsandboxed.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from guidancekg.graph.errors import (
    EndpointBusy,
    QueryError,
    QueryNotAcceptable,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    SandboxUnavailable,
    StoreError,
)
from guidancekg.graph.sparql.execution import QueryResult
from guidancekg.graph.sparql.formats import default_formats
from guidancekg.graph.stores.base import Store

_ERRORS: dict[str, type[QueryError]] = {cls.__name__: cls for cls in (
    QueryError, QuerySyntaxError, QueryRefused, QueryTimeout, QueryTooLarge)}


class _Worker:
    """One worker process, talking over a pair of pipes (the conversation of :mod:`.worker`).

    A fresh interpreter rather than a fork: the web server is multi-threaded (forking it could copy a held
    lock), and a plain subprocess needs no ``__main__`` guard in whatever program embeds the app.
    """

    def __init__(self, source: tuple[tuple[str, Any], str], memory_mb: int | None) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "guidancekg.graph.sparql.worker", str(to_child_r), str(from_child_w),
                 str(memory_mb or 0)],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.recv_conn = Connection(from_child_r, writable=False)
        self.ready = False
        self.busy_until = 0.0  # monotonic time by which its current query is over, one way or the other
        self._source = source

    def wait_ready(self, timeout: float) -> None:
        """Wait until the worker has sandboxed itself and opened the store; raise why it could not."""
        if self.ready:
            return
        try:
            self._expect("sandboxed", timeout)
            self.send_conn.send(self._source)
            self._expect("ready", timeout)
        except (EOFError, OSError):
            raise StoreError("the SPARQL worker stopped while starting") from None
        self.ready = True
        self._source = (("", None), "")

    def _expect(self, what: str, timeout: float) -> None:
        if not self.recv_conn.poll(timeout):
            raise StoreError(f"the SPARQL worker did not start within {timeout:.0f} s")
        message = self.recv_conn.recv()
        if message[0] == what:
            return
        if message[1] == "sandbox":
            raise SandboxUnavailable(f"no SPARQL query is run: {message[2]}")
        raise StoreError(f"the SPARQL worker could not open the store: {message[2]}")

    def exitcode(self) -> int | None:
        return self.proc.poll()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(5)
        self._close_pipes()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.send_conn.send(None)
        try:
            self.proc.wait(1)
        except Exception:
            self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for conn in (self.send_conn, self.recv_conn):
            with contextlib.suppress(Exception):
                conn.close()


# The executor's defaults: the server's settings (api/settings.py) and `guidancekg query` take theirs from here.
DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MEMORY_MB = 2048
WORKER_STORES = ("memory", "disk")
DEFAULT_QUEUE = 2
DEFAULT_QUEUE_WAIT = 0.5


class SparqlExecutor:
    """A pool of sandboxed worker processes that run SPARQL queries on a store, each under a time limit.

    ``workers`` processes at most; each opens the store once (``Store.sparql_source``): with ``worker_store``
    ``"memory"`` (the default) it copies it into memory with the union default graph materialised as a set of
    triples; with ``"disk"`` it reads an on-disk store in place (for data too large to copy, at the price of
    Oxigraph's multiset union, see :class:`.execution.SparqlStore`). Admission is described in the module
    docstring. Thread-safe: the web server's threads share one executor.
    """

    def __init__(self, store: Store | tuple[str, Any], *, workers: int = DEFAULT_WORKERS,
                 timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                 memory_mb: int | None = DEFAULT_MEMORY_MB, start_timeout: float = 120.0,
                 worker_store: str = WORKER_STORES[0], queue: int = DEFAULT_QUEUE,
                 queue_wait: float = DEFAULT_QUEUE_WAIT) -> None:
        if worker_store not in WORKER_STORES:
            raise StoreError(f"unknown SPARQL worker store {worker_store!r}; choose memory or disk")
        self.source = store if isinstance(store, tuple) else store.sparql_source()
        self.worker_store = worker_store
        self.size = max(1, int(workers))
        self.timeout = float(timeout)
        self.max_rows = int(max_rows)
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self.queue_wait = max(0.0, float(queue_wait))
        self._queue = max(0, int(queue))
        self._admission = threading.BoundedSemaphore(self.size + self._queue)
        self._unavailable: SandboxUnavailable | None = None  # the sandbox failed once: it fails for good
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._starting: set[_Worker] = set()  # replacements being started, not yet handed out
        self._closed = False
        self.stats = {"queries": 0, "timeouts": 0, "replaced": 0, "busy": 0}

    # pool ---------------------------------------------------------------------------------------------------

    def _new_worker(self) -> _Worker:
        try:
            return _Worker((self.source, self.worker_store), self.memory_mb)
        except OSError as exc:
            raise StoreError(f"cannot start a SPARQL worker: {exc}") from None

    def _busy(self) -> EndpointBusy:
        """Return the refusal of a request that found no worker: retry when a running query is sure to be over."""
        with self._cond:  # a re-entrant lock: callers may hold it already
            self.stats["busy"] += 1
            ends = [w.busy_until for w in self._all if w.busy_until]
        wait = min(max(min(ends) - time.monotonic() if ends else self.timeout, 1.0), self.timeout)
        return EndpointBusy(f"all {self.size} SPARQL workers are busy and {self._queue} more requests are waiting; "
                            f"try again in {math.ceil(wait)} s", retry_after=math.ceil(wait))

    def _acquire(self, patience: float) -> _Worker:
        """Return an idle worker (starting one if the pool is not full), waiting at most ``patience`` seconds."""
        deadline = time.monotonic() + patience
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("the SPARQL executor is closed")
                if self._idle:
                    return self._idle.pop()
                if len(self._all) < self.size:
                    worker = self._new_worker()
                    self._all.add(worker)
                    return worker
                if self._starting:  # a replacement will be free without any query ending: wait for it
                    self._cond.wait(1.0)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._busy()
                self._cond.wait(remaining)

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            worker.busy_until = 0.0
            if self._closed:
                worker.stop()
                self._all.discard(worker)
            else:
                self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker, *, replace: bool) -> None:
        worker.kill()
        with self._cond:
            self._all.discard(worker)
            fresh = None
            if replace and not self._closed:
                with contextlib.suppress(StoreError):
                    fresh = self._new_worker()
                    self._all.add(fresh)
                    self._starting.add(fresh)
                    self.stats["replaced"] += 1
            self._cond.notify()
        if fresh is not None:
            # Started now and handed out only once ready, so that no query waits for it to open the store.
            threading.Thread(target=self._ready_then_idle, args=(fresh,), name="guidancekg-sparql-start",
                             daemon=True).start()

    def _ready_then_idle(self, worker: _Worker) -> None:
        try:
            worker.wait_ready(self.start_timeout)
        except (StoreError, SandboxUnavailable):
            with self._cond:
                self._starting.discard(worker)
            self._discard(worker, replace=False)  # the next query starts one and reports why it cannot
            return
        with self._cond:
            self._starting.discard(worker)
        self._release(worker)

    def warm(self) -> None:
        """Start every worker now and wait until each has sandboxed itself and opened the store."""
        workers = []
        try:
            for _ in range(self.size):
                workers.append(self._acquire(self.start_timeout))
            for w in workers:
                w.wait_ready(self.start_timeout)
        finally:
            for w in workers:
                self._release(w)

    def close(self) -> None:
        """Stop every worker."""
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._starting.clear()
            self._cond.notify_all()
        for w in workers:
            w.stop()

    def __enter__(self) -> SparqlExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # queries ------------------------------------------------------------------------------------------------

    def run(self, query: str, formats: Mapping[str, str | None] | None = None, *,
            default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            base_iri: str | None = None, timeout: float | None = None, max_rows: int | None = None) -> QueryResult:
        """Run ``query`` in a worker and return its serialised answer.

        ``formats`` maps each query form to the media type to answer with (default: each form's first);
        ``default_graphs``/``named_graphs`` are the protocol's dataset (graph IRIs of the store).
        Raises :class:`EndpointBusy`, :class:`QueryTimeout`, :class:`QueryTooLarge`, :class:`QueryRefused`,
        :class:`QuerySyntaxError`, :class:`QueryNotAcceptable`, :class:`SandboxUnavailable` or :class:`StoreError`.
        """
        if self._unavailable is not None:
            raise self._unavailable
        if not self._admission.acquire(blocking=False):
            raise self._busy()
        try:
            return self._run(query, formats, default_graphs, named_graphs, base_iri, timeout, max_rows)
        finally:
            self._admission.release()

    def _run(self, query: str, formats: Mapping[str, str | None] | None, default_graphs: Sequence[str] | None,
             named_graphs: Sequence[str] | None, base_iri: str | None, timeout: float | None,
             max_rows: int | None) -> QueryResult:
        limit = self.timeout if timeout is None else float(timeout)
        job = {"query": query, "formats": dict(formats) if formats is not None else default_formats(),
               "default_graphs": list(default_graphs) if default_graphs is not None else None,
               "named_graphs": list(named_graphs) if named_graphs is not None else None,
               "base_iri": base_iri, "max_rows": self.max_rows if max_rows is None else int(max_rows),
               "timeout": limit}
        self.stats["queries"] += 1
        worker = self._acquire(self.queue_wait)
        try:
            worker.wait_ready(self.start_timeout)  # starting a worker does not count against the query
        except SandboxUnavailable as exc:
            self._unavailable = exc
            self._discard(worker, replace=False)
            raise
        except BaseException:
            self._discard(worker, replace=False)
            raise
        deadline = time.monotonic() + limit
        worker.busy_until = deadline + 1.0
        try:
            worker.send_conn.send(job)
            finished = worker.recv_conn.poll(max(0.0, deadline - time.monotonic()))
            reply = worker.recv_conn.recv() if finished else None
        except (EOFError, OSError):
            with contextlib.suppress(Exception):
                worker.proc.wait(2)
            code = worker.exitcode()
            self._discard(worker, replace=True)
            if code is not None and code in (-6, -9, -11):
                raise QueryTooLarge(f"the query stopped its worker process (signal {-code}), most likely by "
                                    f"needing more than {self.memory_mb} MiB of memory (SPARQL_WORKER_MEMORY_MB)"
                                    ) from None
            raise StoreError("the SPARQL worker stopped unexpectedly; try again") from None
        except BaseException:
            self._discard(worker, replace=True)
            raise
        if reply is None:
            self.stats["timeouts"] += 1
            self._discard(worker, replace=True)
            raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s (SPARQL_TIMEOUT) "
                               "and was stopped")
        if reply[-1]:  # the worker ends after this answer: replace it
            self._discard(worker, replace=True)
        else:
            self._release(worker)
        if reply[0] == "ok":
            _, form, media_type, body, rows, _restart = reply
            return QueryResult(form, media_type, body, rows)
        _, name, detail, _restart = reply
        if name == "QueryNotAcceptable":
            raise QueryNotAcceptable(detail[0], detail[1])
        if name == "StoreError":
            raise StoreError(detail)
        raise _ERRORS.get(name, QueryError)(detail)
