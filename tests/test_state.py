"""The runtime of a server: one Served per graph, owning the graph's pager and every other per-graph cache."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from datetime import date

from guidancekg.api.settings import Settings
from guidancekg.api.state import Served
from guidancekg.graph.engine.memento import memento_dates
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE


def test_a_graph_no_longer_served_is_freed_with_its_pager_and_caches(data_dir):
    graph = GuidanceGraph.open(data_dir, base=DEFAULT_BASE, kind="memory")
    served = Served(graph, Settings())
    assert served.pager is served.pager  # one pager per graph: its orders are made once
    served.pager.guidance(date(2019, 4, 20), limit=3)
    engine = graph.engine
    served.cached("memento", lambda: memento_dates(engine, "alemtuzumab"))
    gone = weakref.ref(engine)
    graph = served = engine = None
    gc.collect()
    assert gone() is None


def test_a_slow_cache_of_one_name_does_not_hold_up_another(graph):
    served = Served(graph, Settings())
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "slow"

    worker = threading.Thread(target=served.cached, args=("slow", slow))
    worker.start()
    try:
        assert started.wait(10)
        t = time.monotonic()
        assert served.cached("fast", lambda: "fast") == "fast"
        assert time.monotonic() - t < 1
    finally:
        release.set()
        worker.join(10)
    calls = []
    assert served.cached("slow", lambda: calls.append(1) or "again") == "slow" and calls == []


def test_concurrent_first_calls_of_one_name_compute_it_once(graph):
    served = Served(graph, Settings())
    calls = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    threads = [threading.Thread(target=served.cached, args=("once", compute)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert calls == [1] and served.cached("once", compute) == 1
