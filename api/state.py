"""The server's runtime state, in a module of its own (the flaskr pattern): blueprints read it from here.

One :class:`Runtime` per app owns the settings and the graph being served, as a :class:`Served`: the graph, its
SPARQL executor (started on first use) and every cache computed from that graph. :meth:`Runtime.swap` replaces
the whole of it in one assignment (after an ingest through the API, or when a newer build of the data appears).
A request keeps the :class:`Served` it started with to its end, so it never mixes two graphs; the one replaced
is retired once requests that may still use it are done.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, current_app, g, has_request_context

from guidancekg.graph.engine.pages import Pager
from guidancekg.graph.errors import GuidanceError, ReportPending
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.sparql.pool import SparqlExecutor

if TYPE_CHECKING:
    from guidancekg.api.settings import Settings

EXTENSION_KEY = "guidancekg"
T = TypeVar("T")
log = logging.getLogger("guidancekg.api")


class Served:
    """One graph as the server serves it: the graph, its SPARQL executor and its caches."""

    def __init__(self, graph: GuidanceGraph, settings: Settings) -> None:
        self.graph = graph
        self._settings = settings
        self._lock = threading.Lock()
        self._executor: SparqlExecutor | None = None
        self._cache: dict[str, Any] = {}
        self._computing: dict[str, threading.Lock] = {}  # name -> the lock of its first computation
        self._retired = False
        self._validating = False

    def executor(self) -> SparqlExecutor:
        """Return the SPARQL executor of this graph, starting it on first use (its workers start lazily too)."""
        with self._lock:
            if self._executor is None:
                s = self._settings
                self._executor = SparqlExecutor(
                    self.graph.store, workers=s.sparql_workers, timeout=s.sparql_timeout,
                    max_rows=s.sparql_max_rows, memory_mb=s.sparql_worker_memory_mb or None,
                    worker_store=s.sparql_worker_store, queue=s.sparql_queue, queue_wait=s.sparql_queue_wait)
            return self._executor

    @property
    def executor_started(self) -> bool:
        return self._executor is not None

    def cached(self, name: str, compute: Callable[[], T]) -> T:
        """Return the value ``compute`` gives for this graph, computed once.

        Concurrent first calls of one name wait for the one computing it; other names do not wait for it.
        """
        with self._lock:
            if name in self._cache:
                found: T = self._cache[name]
                return found
            computing = self._computing.setdefault(name, threading.Lock())
        with computing:
            with self._lock:
                if name in self._cache:
                    done: T = self._cache[name]
                    return done
            value = compute()
            with self._lock:
                self._cache[name] = value
                self._computing.pop(name, None)
            return value

    @property
    def pager(self) -> Pager:
        """Return the pager of this graph (its answers' orders are made once per graph)."""
        return self.cached("pager", lambda: Pager(self.graph.engine))

    def validation_report(self) -> dict[str, Any]:
        """Return the SHACL report of this graph; while it is being computed (once), raise :class:`ReportPending`.

        A build computes its report as it compiles; for one that did not (an ingest validates only its change) the
        report is computed once, in a thread of its own, never on a request's thread, and kept in the build.
        """
        found = self.graph.validation_report()
        if found is not None:
            return found
        self.start_validation()
        raise ReportPending("the SHACL report of the served graph is being computed, once; try again shortly",
                            retry_after=5)

    def start_validation(self) -> None:
        """Start computing the SHACL report in the background, unless it is known or already under way."""
        with self._lock:
            if self._validating or self.graph.validation_report() is not None:
                return
            self._validating = True
        threading.Thread(target=self._validate, name="guidancekg-validate", daemon=True).start()

    def _validate(self) -> None:
        try:
            self.graph.validate()
        except GuidanceError as exc:
            log.warning("could not compute the SHACL report of the served graph: %s", exc)
        finally:
            self._validating = False

    def retire(self) -> None:
        """Stop the executor's workers and release the graph (its build may then be collected)."""
        with self._lock:
            if self._retired:
                return
            self._retired = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.close()
        self.graph.close()


class Runtime:
    """The settings and the graph an app serves, with one :meth:`swap`."""

    def __init__(self, settings: Settings, graph: GuidanceGraph) -> None:
        self.settings = settings
        self._current = Served(graph, settings)
        self._swap_lock = threading.Lock()
        self._next_look = time.monotonic() + settings.store_check
        self._reopening = False
        atexit.register(self.close)

    @property
    def current(self) -> Served:
        return self._current

    def swap(self, graph: GuidanceGraph) -> None:
        """Serve ``graph`` from the next request on; retire the old one when requests still on it are done.

        When SPARQL was in use, the new graph's workers are started first, so that no query waits for them. A
        request may use its graph for as long as a SPARQL query may run, so the old graph is retired after
        ``SPARQL_TIMEOUT`` plus a margin.
        """
        fresh = Served(graph, self.settings)
        if self._current.executor_started:
            try:
                fresh.executor().warm()
            except GuidanceError as exc:  # the first query will say what is wrong
                log.warning("the SPARQL workers of the new graph did not start: %s", exc)
        fresh.start_validation()  # once per build, now rather than on a request
        with self._swap_lock:
            old, self._current = self._current, fresh
        timer = threading.Timer(self.settings.sparql_timeout + 5.0, old.retire)
        timer.daemon = True
        timer.start()

    def look_for_a_new_build(self) -> None:
        """Start swapping in a newer build of the data, if another process has made one current.

        Called before each request, it looks at most every ``GUIDANCEKG_STORE_CHECK`` seconds (one ``readlink``),
        and opens the new build in a thread of its own: requests go on being answered from the old one until the
        new one is open in full (model and engine), then :meth:`swap` replaces it between two requests.
        """
        interval = self.settings.store_check
        if not interval or time.monotonic() < self._next_look:
            return
        with self._swap_lock:
            if self._reopening or time.monotonic() < self._next_look:
                return
            self._next_look = time.monotonic() + interval
            if not self._current.graph.store.superseded():
                return
            self._reopening = True
        threading.Thread(target=self._reopen, name="guidancekg-reopen", daemon=True).start()

    def _reopen(self) -> None:
        try:
            fresh = self._current.graph.reopen()
            if fresh is not None:
                self.swap(fresh)
                log.info("serving the newer build %s", fresh.store.location)
        except GuidanceError as exc:  # the old build goes on being served; the next look tries again
            log.warning("could not open the newer build: %s", exc)
        finally:
            self._reopening = False

    def close(self) -> None:
        """Stop the SPARQL workers (at exit, or when a test is done with the app)."""
        self._current.retire()


def runtime(app: Flask | None = None) -> Runtime:
    """Return the runtime of ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    found: Runtime = target.extensions[EXTENSION_KEY]
    return found


def current() -> Served:
    """Return what the current request serves: the same :class:`Served` from its start to its end."""
    if not has_request_context():
        return runtime().current
    served: Served | None = g.get("guidancekg_served")
    if served is None:
        served = g.guidancekg_served = runtime().current
    return served


def current_pager() -> Pager:
    """Return the pager of the graph the current request is answered from."""
    return current().pager


def current_graph() -> GuidanceGraph:
    """Return the graph the current request is answered from."""
    return current().graph


def current_settings() -> Settings:
    """Return the settings of the current app."""
    return runtime().settings
