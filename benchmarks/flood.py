"""Flood the SPARQL endpoint with slow queries and measure whether the JSON API keeps answering.

``clients`` threads each send one query that runs into the time limit (a cartesian product), all at once, while
another thread asks ``/api/guidance`` every ``interval`` seconds until every SPARQL answer is in. Admission control
(``graph/sparql/pool.py``) should answer the SPARQL requests it cannot run at once, 503 with ``Retry-After``, and
no ``/api/guidance`` should wait behind them.
Usage: ``python -m benchmarks.flood [--clients 32] [--url URL]`` (without ``--url`` a server is started with a
2-second SPARQL time limit).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class FloodReport:
    """What the flood saw: each SPARQL answer, and the latency of each ``/api/guidance`` asked meanwhile."""

    sparql: list[dict[str, Any]] = field(default_factory=list)
    probe_ms: list[float] = field(default_factory=list)
    probe_failures: int = 0

    def outcomes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.sparql:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.probe_ms) or [0.0]
        return {"clients": len(self.sparql), "outcomes": self.outcomes(), "probes": len(self.probe_ms),
                "probe_failures": self.probe_failures, "probe_p50_ms": round(statistics.median(ordered), 1),
                "probe_max_ms": round(ordered[-1], 1),
                "slowest_refusal_ms": max((r["ms"] for r in self.sparql if r["outcome"] == "busy"), default=None)}


def _outcome(resp: requests.Response) -> str:
    """Name a SPARQL answer: answered, timeout (stopped at the limit), busy (refused: retry later), or other."""
    if resp.status_code == 200:
        return "answered"
    if resp.status_code == 503 and resp.headers.get("Content-Type", "").startswith("application/problem+json"):
        kind = resp.json().get("type", "").rsplit("/", 1)[-1]
        if kind == "busy":
            return "busy" if resp.headers.get("Retry-After", "").isdigit() else "busy without Retry-After"
        if kind == "query-timeout":
            return "timeout"
    return f"status {resp.status_code}"


def run(base_url: str, clients: int = 32, interval: float = 0.1, query: str = SLOW) -> FloodReport:
    """Send ``clients`` slow queries at once and probe ``/api/guidance`` until they are all answered."""
    report = FloodReport()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def flood() -> None:
        start.wait()
        started = time.perf_counter()
        try:
            resp = requests.post(f"{base_url}/sparql", data={"query": query},
                                 headers={"Accept": "application/sparql-results+json"}, timeout=120)
            outcome = _outcome(resp)
        except requests.RequestException as exc:
            outcome = f"error {type(exc).__name__}"
        with lock:
            report.sparql.append({"outcome": outcome, "ms": round((time.perf_counter() - started) * 1000)})

    threads = [threading.Thread(target=flood) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    session = requests.Session()
    while any(t.is_alive() for t in threads):
        started = time.perf_counter()
        try:
            ok = session.get(f"{base_url}/api/guidance", params={"on": "2019-04-12"}, timeout=30).status_code == 200
        except requests.RequestException:
            ok = False
        report.probe_ms.append((time.perf_counter() - started) * 1000)
        report.probe_failures += 0 if ok else 1
        time.sleep(interval)
    for t in threads:
        t.join()
    return report


def main() -> None:
    """Flood ``--url`` or a server it starts; print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running server (default: start one with --sparql-timeout 2)")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    if args.url:
        report = run(args.url.rstrip("/"), args.clients)
    else:
        from benchmarks.server import Server

        with Server("--sparql-timeout", "2") as server:
            report = run(server.url, args.clients)
    json.dump(report.to_json(), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
