"""The server's runtime state, in a module of its own (the flaskr pattern): blueprints read it from here.

One :class:`Runtime` per app owns the settings and the graph being served, as a :class:`Served`: the graph, its
SPARQL executor (started on first use) and every cache computed from that graph. :meth:`Runtime.swap` replaces
the whole of it in one assignment (after an ingest through the API, or when a newer build of the data appears).
A request keeps the :class:`Served` it started with to its end, so it never mixes two graphs; the one replaced
is retired once requests that may still use it are done.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, current_app, g, has_request_context

from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.sparql.pool import SparqlExecutor

if TYPE_CHECKING:
    from guidancekg.api.settings import Settings

EXTENSION_KEY = "guidancekg"
T = TypeVar("T")


class Served:
    """One graph as the server serves it: the graph, its SPARQL executor and its caches."""

    def __init__(self, graph: GuidanceGraph, settings: Settings) -> None:
        self.graph = graph
        self._settings = settings
        self._lock = threading.Lock()
        self._executor: SparqlExecutor | None = None
        self._cache: dict[str, Any] = {}
        self._retired = False

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

    def cached(self, name: str, compute: Callable[[], T]) -> T:
        """Return the value ``compute`` gives for this graph, computed once (concurrent first calls wait)."""
        with self._lock:
            if name not in self._cache:
                self._cache[name] = compute()
            value: T = self._cache[name]
            return value

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
        atexit.register(self.close)

    @property
    def current(self) -> Served:
        return self._current

    def swap(self, graph: GuidanceGraph) -> None:
        """Serve ``graph`` from the next request on; retire the old one when requests still on it are done.

        A request may use its graph for as long as a SPARQL query may run, so the old graph is retired after
        ``SPARQL_TIMEOUT`` plus a margin.
        """
        with self._swap_lock:
            old, self._current = self._current, Served(graph, self.settings)
        timer = threading.Timer(self.settings.sparql_timeout + 5.0, old.retire)
        timer.daemon = True
        timer.start()

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


def current_graph() -> GuidanceGraph:
    """Return the graph the current request is answered from."""
    return current().graph


def current_settings() -> Settings:
    """Return the settings of the current app."""
    return runtime().settings
