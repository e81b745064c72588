"""Run researchers' SPARQL queries safely: read-only, no outbound requests, a time limit and a row cap.

No Flask here: :mod:`guidancekg.api.sparql_endpoint` speaks the protocol and calls :class:`SparqlExecutor`.
Media types are negotiated in :mod:`.sparql_formats`; queries are inspected in :mod:`.sparql_inspect`.

Decisions (docs/sparql.md explains them to users):

* **One engine.** Every query runs on Oxigraph (``pyoxigraph``), whatever the store kind. By default each
  worker copies the store into a private in-memory Oxigraph store (an on-disk store read with
  ``Store.read_only``, a memory store shipped once as N-Quads); ``worker_store="disk"`` reads an on-disk store
  in place instead, for data too large to copy. rdflib is only the *parser* that inspects the query first.
* **Inspection by parsing.** The text is parsed with rdflib's SPARQL parser (under ``RDFLIB_PARSE_LOCK``).
  A text that parses as a SPARQL Update (``parseUpdate``) is refused (:class:`QueryRefused`), whatever its
  operations. ``SERVICE`` anywhere in the parse tree (nested groups, OPTIONAL, UNION, MINUS, FILTER EXISTS,
  subqueries) is refused before anything runs, because both engines would open a connection for it; a lexical
  scan that skips strings, IRIs and comments backs the parse tree up, so a literal ``"SERVICE"`` still works.
* **Dataset.** With no dataset given, the default graph is the union of every graph in the store, as a set
  of triples (the RDF merge, materialised in each worker's copy: Oxigraph 0.5's own union counts a triple once
  per graph holding it, see :class:`SparqlStore`). ``FROM`` / ``FROM NAMED`` and the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` (which win over the query's) select graphs *from the store*:
  Oxigraph never loads or fetches a graph, and an IRI the store lacks is an empty graph.
* **Time limit.** Oxigraph has no in-process timeout, so each query runs in a worker process (a small pool of
  ``python -m guidancekg.graph.sparql.executor --worker`` processes, never forked from the threaded server) and the
  worker is killed at the deadline: :class:`QueryTimeout`. A killed worker is replaced at once; the server's
  threads keep answering meanwhile because the waiting thread only blocks on a pipe. Parsing happens in the
  worker too, so a query that is slow to parse is bounded as well. Each worker caps its data segment
  (``RLIMIT_DATA``): a query that outgrows it stops its worker and is reported as :class:`QueryTooLarge`. A
  watchdog thread ends a worker whose server has gone or whose query outlived its limit by a few seconds.
* **Row cap.** Results stream out of Oxigraph; the worker stops reading at ``max_rows + 1`` and answers
  :class:`QueryTooLarge` (HTTP 413) rather than a silently truncated result: a researcher must never mistake
  a partial answer for the whole. Use ``LIMIT``/``OFFSET`` to page. For CONSTRUCT/DESCRIBE the cap counts
  triples.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from guidancekg.graph.errors import (
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    StoreError,
)
from guidancekg.graph.sparql.formats import (
    BOOLEAN_MEDIA_TYPES,
    DEFAULT_PREFIXES,
    GRAPH_MEDIA_TYPES,
    RESULTS_MEDIA_TYPES,
    QueryNotAcceptable,
    choose_formats,
    offers_for,
)
from guidancekg.graph.sparql.screen import QueryInfo, _oxigraph_syntax_error, inspect_query
from guidancekg.graph.stores.base import Store

# -- execution ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer."""

    form: str
    media_type: str
    body: bytes
    rows: int  # solutions (SELECT), triples (CONSTRUCT/DESCRIBE), 1 (ASK)


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise QueryError(f"cannot serialise the term {term!r}")


_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")
MERGE_GRAPH = "urn:x-guidancekg:merge:"


class SparqlStore:
    """An Oxigraph store as the workers query it.

    ``merged``: the store's default graph holds the RDF merge of every named graph, materialised once, so that
    the union default graph is a set of triples. (Oxigraph 0.5 evaluates its own union default graph, and a
    default graph of several ``FROM`` graphs, as a multiset: a triple held by two graphs matches twice, which
    inflates COUNT and SUM; oxigraph issue 1919.) ``writable``: a private copy, where the merge of several
    requested default graphs can be materialised for the length of one query.
    """

    def __init__(self, store: ox.Store, *, merged: bool = False, writable: bool = False) -> None:
        self.store = store
        self.merged = merged
        self.writable = writable

    @classmethod
    def from_nquads(cls, nquads: bytes) -> SparqlStore:
        """Return a private in-memory store of ``nquads`` whose default graph is the merge of all graphs."""
        store = ox.Store()
        if nquads:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        return cls(store, merged=True, writable=True)

    @classmethod
    def open(cls, source: tuple[str, Any], mode: str = "memory") -> SparqlStore:
        """Open what :meth:`Store.sparql_source` describes: copied into memory (``memory``) or in place."""
        kind, value = source
        if kind == "oxigraph-dir":
            on_disk = ox.Store.read_only(str(value))
            if mode == "disk":
                return cls(on_disk)
            return cls.from_nquads(bytes(on_disk.dump(format=ox.RdfFormat.N_QUADS) or b""))
        if kind == "nquads":
            return cls.from_nquads(value or b"")
        raise StoreError(f"unknown store source {kind!r}")

    def merge_graph(self, graphs: Sequence[str]) -> ox.NamedNode:
        """Materialise the RDF merge of ``graphs`` in a scratch graph and return its name."""
        import uuid

        scratch = ox.NamedNode(MERGE_GRAPH + uuid.uuid4().hex)
        names = " ".join(f"<{g}>" for g in graphs if _ABSOLUTE_IRI.match(g))
        self.store.update(f"INSERT {{ GRAPH <{scratch.value}> {{ ?s ?p ?o }} }} "
                          f"WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        return scratch


def _dataset_args(ds: SparqlStore, info: QueryInfo, default_graphs: Sequence[str] | None,
                  named_graphs: Sequence[str] | None) -> tuple[dict[str, Any], ox.NamedNode | None]:
    """Return Oxigraph's dataset arguments (and a scratch graph to drop afterwards, if any).

    The protocol's graphs win; else the query's FROM / FROM NAMED; else the union of all graphs. Every graph
    is taken from the store, never loaded from anywhere.
    """
    if default_graphs is None and named_graphs is None:
        if not info.has_dataset:
            return ({} if ds.merged else {"use_default_graph_as_union": True}), None
        default_graphs, named_graphs = info.from_graphs, info.from_named
    defaults = list(dict.fromkeys(default_graphs or ()))
    named = [ox.NamedNode(g) for g in dict.fromkeys(named_graphs or ())]
    if len(defaults) > 1 and ds.writable:
        scratch = ds.merge_graph(defaults)
        return {"default_graph": [scratch], "named_graphs": named}, scratch
    return {"default_graph": [ox.NamedNode(g) for g in defaults], "named_graphs": named}, None


def execute(store: ox.Store | SparqlStore, query: str, formats: Mapping[str, str | None] | None = None, *,
            default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            base_iri: str | None = None, max_rows: int = 10_000) -> QueryResult:
    """Inspect and run ``query`` on a store in this process, with no time limit.

    The executor's workers call this; use :class:`SparqlExecutor` for untrusted queries. A bare ``ox.Store``
    is queried with Oxigraph's own union default graph.
    """
    ds = store if isinstance(store, SparqlStore) else SparqlStore(store)
    info = inspect_query(query)
    formats = formats if formats is not None else choose_formats(None)
    media_type = formats.get(info.form)
    if media_type is None:
        raise QueryNotAcceptable(info.form, offers_for(info.form))
    for g in [*(default_graphs or ()), *(named_graphs or ()), *info.from_graphs, *info.from_named]:
        if not _ABSOLUTE_IRI.match(g):
            raise QueryError(f"not an absolute IRI: {g!r}")
    scratch = None
    try:
        dataset, scratch = _dataset_args(ds, info, default_graphs, named_graphs)
        try:
            answer = ds.store.query(query, base_iri=base_iri, prefixes=DEFAULT_PREFIXES, **dataset)
        except SyntaxError as exc:
            raise _oxigraph_syntax_error(exc) from None
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        if isinstance(answer, ox.QueryBoolean):
            body = answer.serialize(format=BOOLEAN_MEDIA_TYPES[media_type])
            return QueryResult(info.form, media_type, bytes(body or b""), 1)
        if isinstance(answer, ox.QuerySolutions):
            return _solutions(info, answer, media_type, max_rows)
        return _triples(info, answer, media_type, max_rows)
    except OSError as exc:
        raise StoreError(f"the store could not be read: {exc}") from None
    finally:
        if scratch is not None:
            ds.store.remove_graph(scratch)


def _too_many(max_rows: int, what: str) -> QueryTooLarge:
    return QueryTooLarge(f"the result has more than {max_rows} {what} (the endpoint's row cap, "
                         "SPARQL_MAX_ROWS); add LIMIT and OFFSET to fetch it in pages")


def _solutions(info: QueryInfo, solutions: ox.QuerySolutions, media_type: str, max_rows: int) -> QueryResult:
    names = [v.value for v in solutions.variables]
    bindings: list[dict[str, Any]] = []
    for solution in solutions:
        if len(bindings) >= max_rows:
            raise _too_many(max_rows, "rows")
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = _term_json(term)
        bindings.append(row)
    document = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    fmt = RESULTS_MEDIA_TYPES[media_type]
    if fmt != ox.QueryResultsFormat.JSON:
        parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
        document = bytes(parsed.serialize(format=fmt) or b"")
    return QueryResult(info.form, media_type, document, len(bindings))


def _triples(info: QueryInfo, triples: Iterable[ox.Triple], media_type: str, max_rows: int) -> QueryResult:
    collected: list[ox.Triple] = []
    for triple in triples:
        if len(collected) >= max_rows:
            raise _too_many(max_rows, "triples")
        collected.append(triple)
    fmt = GRAPH_MEDIA_TYPES[media_type]
    kwargs: dict[str, Any] = {}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = {**DEFAULT_PREFIXES, **{k: v for k, v in info.prefixes.items() if k}}
    body = ox.serialize(collected, format=fmt, **kwargs)
    return QueryResult(info.form, media_type, bytes(body or b""), len(collected))


# -- worker processes ---------------------------------------------------------------------------------------

_ERRORS: dict[str, type[QueryError]] = {cls.__name__: cls for cls in (
    QueryError, QuerySyntaxError, QueryRefused, QueryTimeout, QueryTooLarge, QueryNotAcceptable)}


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource

        limit = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _worker_main(conn: Any, memory_mb: int | None) -> None:
    """Serve jobs from ``conn`` until it closes: open the store once, then run one query per message."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C goes to the server, which stops its workers
    try:
        source, mode = conn.recv()
        store = SparqlStore.open(source, mode)
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
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
        current["until"] = time.monotonic() + float(job.get("timeout") or 0) + _GRACE if job.get("timeout") else 0
        restart = False
        try:
            result = execute(store, job["query"], job["formats"], default_graphs=job["default_graphs"],
                             named_graphs=job["named_graphs"], base_iri=job["base_iri"],
                             max_rows=job["max_rows"])
            reply: tuple[Any, ...] = ("ok", result.form, result.media_type, result.body, result.rows)
        except QueryNotAcceptable as exc:
            reply = ("error", "QueryNotAcceptable", (exc.form, list(exc.offers)))
        except (QueryError, StoreError) as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except MemoryError:
            reply = ("error", "QueryTooLarge", "the query needs more memory than a SPARQL worker may use")
            restart = True
        except BaseException as exc:  # e.g. a parser left in an unknown state: answer, then start afresh
            reply = ("error", "QueryError", f"the query could not be run ({type(exc).__name__})")
            restart = True
        current["until"] = 0
        try:
            conn.send((*reply, restart))
        except (OSError, ValueError):
            return
        if restart:
            return


_GRACE = 5.0  # seconds a worker lets its server kill it at the deadline before it ends itself


def _start_watchdog(current: dict[str, float]) -> None:
    """End this worker when its server has gone, or when a query outlives its limit by ``_GRACE`` seconds.

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


class _Worker:
    """One worker process (``python -m guidancekg.graph.sparql.executor``), talking over a pair of pipes.

    A fresh interpreter rather than a fork: the web server is multi-threaded (forking it could copy a held
    lock), and a plain subprocess needs no ``__main__`` guard in whatever program embeds the app.
    """

    def __init__(self, source: tuple[tuple[str, Any], str], memory_mb: int | None) -> None:
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "guidancekg.graph.sparql.executor", "--worker", str(to_child_r),
                 str(from_child_w), str(memory_mb or 0)],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.recv_conn = Connection(from_child_r, writable=False)
        self.ready = False
        self._source = source

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            self.send_conn.send(self._source)
            if not self.recv_conn.poll(timeout):
                raise StoreError(f"the SPARQL worker did not start within {timeout:.0f} s")
            message = self.recv_conn.recv()
        except (EOFError, OSError):
            raise StoreError("the SPARQL worker stopped while opening the store") from None
        if message[0] != "ready":
            raise StoreError(f"the SPARQL worker could not open the store: {message[1]}")
        self.ready = True
        self._source = (("", None), "")

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


class SparqlExecutor:
    """A pool of worker processes that run SPARQL queries on a store, each under a time limit.

    ``workers`` processes at most; each opens the store once (``Store.sparql_source``): with ``worker_store``
    ``"memory"`` (the default) it copies it into memory with the union default graph materialised as a set of
    triples; with ``"disk"`` it reads an on-disk store in place (for data too large to copy, at the price of
    Oxigraph's multiset union, see :class:`SparqlStore`). A query waits for a
    free worker (that wait counts against its time limit), runs there, and the worker is killed and replaced
    when the deadline passes. Thread-safe: the web server's threads share one executor.
    """

    def __init__(self, store: Store | tuple[str, Any], *, workers: int = 2, timeout: float = 10.0,
                 max_rows: int = 10_000, memory_mb: int | None = 2048, start_timeout: float = 120.0,
                 worker_store: str = "memory") -> None:
        if worker_store not in ("memory", "disk"):
            raise StoreError(f"unknown SPARQL worker store {worker_store!r}; choose memory or disk")
        self.source = store if isinstance(store, tuple) else store.sparql_source()
        self.worker_store = worker_store
        self.size = max(1, int(workers))
        self.timeout = float(timeout)
        self.max_rows = int(max_rows)
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._closed = False
        self.stats = {"queries": 0, "timeouts": 0, "replaced": 0}

    # pool ---------------------------------------------------------------------------------------------------

    def _new_worker(self) -> _Worker:
        try:
            return _Worker((self.source, self.worker_store), self.memory_mb)
        except OSError as exc:
            raise StoreError(f"cannot start a SPARQL worker: {exc}") from None

    def _acquire(self, deadline: float) -> _Worker:
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
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout(f"all {self.size} SPARQL workers stayed busy for the whole time limit; "
                                       "try again later")
                self._cond.wait(remaining)

    def _release(self, worker: _Worker) -> None:
        with self._cond:
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
            if replace and not self._closed:
                # Start the replacement now, so that the next query does not wait for it.
                with contextlib.suppress(StoreError):
                    fresh = self._new_worker()
                    self._all.add(fresh)
                    self._idle.append(fresh)
                    self.stats["replaced"] += 1
            self._cond.notify()

    def warm(self) -> None:
        """Start every worker now and wait until each has opened the store."""
        workers = []
        try:
            for _ in range(self.size):
                workers.append(self._acquire(time.monotonic() + self.start_timeout))
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

        ``formats`` maps each query form to the media type to answer with (see :func:`choose_formats`);
        ``default_graphs``/``named_graphs`` are the protocol's dataset (graph IRIs of the store).
        Raises :class:`QueryTimeout`, :class:`QueryTooLarge`, :class:`QueryRefused`,
        :class:`QuerySyntaxError`, :class:`QueryNotAcceptable` or :class:`StoreError`.
        """
        limit = self.timeout if timeout is None else float(timeout)
        job = {"query": query, "formats": dict(formats) if formats is not None else choose_formats(None),
               "default_graphs": list(default_graphs) if default_graphs is not None else None,
               "named_graphs": list(named_graphs) if named_graphs is not None else None,
               "base_iri": base_iri, "max_rows": self.max_rows if max_rows is None else int(max_rows),
               "timeout": limit}
        self.stats["queries"] += 1
        deadline = time.monotonic() + limit
        worker = self._acquire(deadline)
        try:
            if not worker.ready:
                worker.wait_ready(self.start_timeout)  # opening the store does not count against the query
                deadline = max(deadline, time.monotonic() + limit)
        except BaseException:
            self._discard(worker, replace=False)
            raise
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
        restart = bool(reply[-1])
        if restart:
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


def _worker_command(argv: Sequence[str]) -> None:
    """Run a worker process: ``python -m guidancekg.graph.sparql.executor --worker IN_FD OUT_FD MEMORY_MB``."""
    from multiprocessing.connection import Connection

    in_fd, out_fd, memory_mb = int(argv[1]), int(argv[2]), int(argv[3])
    _worker_main(_Pair(Connection(in_fd, writable=False), Connection(out_fd, readable=False)), memory_mb or None)


class _Pair:
    """A reading and a writing connection used as one."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self.recv = reader.recv
        self.send = writer.send


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        # Run the worker loop from the imported module, so that its classes are the package's own.
        from guidancekg.graph.sparql import executor as _module

        _module._worker_command(sys.argv[1:])
    else:
        sys.stderr.write("usage: python -m guidancekg.graph.sparql.executor --worker IN_FD OUT_FD MEMORY_MB\n")
        sys.exit(2)
