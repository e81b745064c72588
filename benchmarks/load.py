"""A bounded load test: N concurrent clients for T seconds against the real server, on loopback.

The mix: guidance on random dates (half the requests), changes between random dates, SPARQL library queries and
Memento requests (TimeGate and mementos). Every 10th guidance answer is checked against the engine in this
process, on the same data. Reports requests, errors, throughput and p50/p99/max latency, overall and per kind.
Usage: ``python -m benchmarks.load [--clients 8] [--seconds 60] [--url URL]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import requests

from guidancekg.graph.opened import GuidanceGraph, default_data_dir

FIRST, LAST = date(2012, 1, 1), date(2022, 12, 31)
JURISDICTIONS = [None, "EU", "UK", "US"]
QUERY = (Path(__file__).resolve().parents[1] / "graph" / "sparql" / "queries" / "guidance-on-date.rq").read_text(
    encoding="utf-8")


def _day(rng: random.Random) -> date:
    return FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1))


class Load:
    """The shared state of one load run."""

    def __init__(self, base_url: str, engine_graph: GuidanceGraph, check_every: int = 10) -> None:
        self.base_url = base_url
        self.graph = engine_graph
        self.check_every = check_every
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.busy = 0  # SPARQL requests answered 503 busy with Retry-After: admission control, not a failure
        self.checked = 0
        self.mismatches: list[str] = []
        self.lock = threading.Lock()

    def _expected(self, on: date, jurisdiction: str | None) -> tuple[set[str], set[str]]:
        from guidancekg.graph.engine.answers import Filters

        g = self.graph.engine.guidance(on, None, Filters(jurisdiction=jurisdiction))
        return {e.statement.key for e in g.effective}, {e.statement.key for e in g.overridden}

    def one(self, session: requests.Session, rng: random.Random, n: int) -> None:
        """Send one request of a kind drawn from the mix and record it."""
        roll = rng.random()
        on = _day(rng)
        jurisdiction = rng.choice(JURISDICTIONS)
        started = time.perf_counter()
        if roll < 0.5:
            kind = "guidance"
            params = {"on": on.isoformat(), **({"jurisdiction": jurisdiction} if jurisdiction else {})}
            r = session.get(f"{self.base_url}/api/guidance", params=params, timeout=30)
            ok = r.status_code == 200
            if ok and n % self.check_every == 0:
                body = r.json()
                got = ({s["key"] for s in body["statements"]}, {s["key"] for s in body["overridden"]})
                with self.lock:
                    self.checked += 1
                    if got != self._expected(on, jurisdiction):
                        self.mismatches.append(f"guidance on {on} {jurisdiction}")
                        ok = False
        elif roll < 0.65:
            kind = "changes"
            end = on + timedelta(days=rng.randrange(30, 1500))
            r = session.get(f"{self.base_url}/api/changes", params={"from": on.isoformat(), "to": end.isoformat()},
                            timeout=30)
            ok = r.status_code == 200
        elif roll < 0.8:
            kind = "sparql"
            text = QUERY.replace('"2019-04-12"^^xsd:date', f'"{on.isoformat()}"^^xsd:date', 1)
            r = session.post(f"{self.base_url}/sparql", data={"query": text},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
            ok = r.status_code == 200
            if r.status_code == 503 and r.headers.get("Retry-After") and r.json()["type"].endswith("/busy"):
                with self.lock:
                    self.busy += 1
                return  # refused at once by admission control: counted apart, not as an answer
        else:
            kind = "memento"
            when = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
            r = session.get(f"{self.base_url}/guidance/alemtuzumab", headers={
                "Accept-Datetime": format_datetime(when, usegmt=True), "Accept": "application/json"},
                allow_redirects=True, timeout=30)
            ok = r.status_code == 200 and "Memento-Datetime" in r.headers
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[kind].append(elapsed)
            if not ok:
                self.errors[kind] += 1

    def report(self, clients: int, seconds: float) -> dict[str, Any]:
        """Return the figures of the run."""
        def figures(values: list[float]) -> dict[str, float]:
            ordered = sorted(values)
            q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
            return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
                    "p99_ms": round(q[98], 1), "max_ms": round(ordered[-1], 1)}

        every = [v for values in self.latencies.values() for v in values]
        return {
            "clients": clients, "seconds": round(seconds, 1), **figures(every),
            "errors": sum(self.errors.values()), "throughput_rps": round(len(every) / seconds, 1),
            "checked_against_engine": self.checked, "mismatches": self.mismatches[:10], "sparql_busy": self.busy,
            "by_kind": {k: {**figures(v), "errors": self.errors.get(k, 0)} for k, v in sorted(self.latencies.items())},
        }


def run(base_url: str, clients: int = 8, seconds: float = 60.0, seed: int = 7,
        data: Path | None = None) -> dict[str, Any]:
    """Run ``clients`` threads for ``seconds`` against ``base_url`` and return the report."""
    graph = GuidanceGraph.open(data or default_data_dir(), kind="memory")
    load = Load(base_url, graph)
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        session = requests.Session()
        n = 0
        while time.monotonic() < deadline:
            try:
                load.one(session, rng, n)
            except requests.RequestException:
                with load.lock:
                    load.errors["connection"] += 1
            n += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return load.report(clients, time.monotonic() - started)


def main() -> None:
    """Run the load against ``--url`` or a server it starts; print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running server on the bundled data (default: start one)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.url:
        result = run(args.url.rstrip("/"), args.clients, args.seconds, args.seed)
    else:
        from benchmarks.server import Server

        with Server() as server:
            result = run(server.url, args.clients, args.seconds, args.seed)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
