"""First pages over HTTP: the guidance on a date for every drug, a page at a time, from a real server.

    python -m benchmarks.paging                        # 10^5 statements (synthetic, seed 1), kept in .bench/
    python -m benchmarks.paging --size 10000 --repeat 200

Not a test. It generates the synthetic corpus (graph/corpus/synthetic.py, seed 1) and builds its store in
``--work`` when they are missing, starts ``guidancekg serve`` on them (waitress, a TCP port of its own), and times
with one keep-alive HTTP connection, over days drawn at random (seed 23) from 2005 to 2025:

- the first page of ``/api/guidance?on=D`` (every drug, everything recorded) at the default ``limit`` and at
  ``limit=100``: p50 and p99 in ms, with the statements and bytes of a page;
- the whole answer of a few days, by following ``next`` to the end: the time and the number of pages, for what a
  client pays when it does want everything.

The goal (issue 16): a first page under 10 ms at the median at 10^5 statements. :func:`measure` is the row
``benchmarks/run.py`` calls with a server it started; the results are printed and written to
``--work/paging-N.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE = "http://localhost/"  # as benchmarks/run.py builds its stores, so that one build serves both
DAYS = (date(2005, 1, 1), date(2025, 12, 31))
GOAL_MS = 10.0


def _days(n: int, seed: int = 23) -> list[date]:
    rng = random.Random(seed)
    span = (DAYS[1] - DAYS[0]).days
    return [DAYS[0] + timedelta(days=rng.randrange(span)) for _ in range(n)]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[float, bytes]:
    t = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - t
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return elapsed, body


def _first_pages(conn: http.client.HTTPConnection, days: list[date], limit: int | None) -> dict[str, Any]:
    times, sizes, held, more = [], [], [], 0
    for day in days:
        elapsed, body = _get(conn, f"/api/guidance?on={day}" + (f"&limit={limit}" if limit else ""))
        answer = json.loads(body)
        times.append(elapsed)
        sizes.append(len(body))
        held.append(len(answer["statements"]) + len(answer["overridden"]))
        more += "next" in answer
    return {"limit": limit or "default", "requests": len(days), "p50_ms": _pct(times, 50) * 1e3,
            "p99_ms": _pct(times, 99) * 1e3, "statements_per_page": statistics.mean(held),
            "bytes_per_page": statistics.mean(sizes), "pages_with_next": more}


def _whole(conn: http.client.HTTPConnection, days: list[date]) -> list[dict[str, Any]]:
    out = []
    for day in days:
        path: str | None = f"/api/guidance?on={day}"
        pages = statements = 0
        t = time.perf_counter()
        while path is not None:
            _elapsed, body = _get(conn, path)
            answer = json.loads(body)
            pages += 1
            statements += len(answer["statements"]) + len(answer["overridden"])
            parts = urlsplit(answer["next"]) if "next" in answer else None
            path = f"{parts.path}?{parts.query}" if parts else None
        out.append({"on": day.isoformat(), "statements": statements, "pages": pages,
                    "seconds": time.perf_counter() - t})
    return out


def measure(host: str, port: int, repeat: int = 300, whole_days: int = 3) -> dict[str, Any]:
    """Time first pages and whole answers of all-drug guidance from the server at ``host:port``."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    days = _days(repeat)
    _first_pages(conn, days[:20], None)  # warm: the answer's order is made on the first paged question
    out = {"first_page": _first_pages(conn, days, None), "first_page_100": _first_pages(conn, days, 100),
           "whole": _whole(conn, _days(whole_days, seed=29))}
    out["goal_met"] = out["first_page"]["p50_ms"] < GOAL_MS
    conn.close()
    return out


def main(argv: list[str] | None = None) -> None:
    from benchmarks.server import Server
    from guidancekg.graph.corpus.synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="statements of the synthetic corpus")
    parser.add_argument("--work", type=Path, default=Path(".bench"), help="where corpora and stores are kept")
    parser.add_argument("--repeat", type=int, default=300, help="first pages timed at each limit")
    args = parser.parse_args(argv)
    corpus, store = args.work / f"synth-{args.size}", args.work / f"store-{args.size}"
    if not corpus.exists():
        generate(args.size, 1, corpus)
    # start_timeout: the first start builds the store (minutes at 10^5); later starts reopen it
    with Server("--store", str(store), "--base", BASE, "--threads", "8", data=corpus, workdir=args.work,
                start_timeout=3600) as server:
        parts = urlsplit(server.url)
        assert parts.hostname is not None and parts.port is not None
        result = {"statements": args.size, "server_start_s": server.started_s,
                  **measure(parts.hostname, parts.port, args.repeat)}
    (args.work / f"paging-{args.size}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
