"""Run the reliability checks against real servers and write ``docs/reliability.md``.

Usage: ``python -m benchmarks.reliability [--examples 25] [--clients 8] [--seconds 60]``. It starts its own
servers on loopback (``guidancekg serve`` on the bundled data), runs the OpenAPI fuzzer, the hostile SPARQL
corpus and the flood of slow queries (on a server with a 2-second SPARQL time limit) and the load test, and
writes the figures with the commands and the machine they came from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import flood, fuzz, hostile, load
from benchmarks.server import Server

DOC = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"


def machine() -> str:
    """Describe this machine: CPU model, cores, memory, Python."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return f"{cpu}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()} on {platform.system()}"


def render(args: argparse.Namespace, fz: dict[str, Any], hs: dict[str, Any], fl: dict[str, Any],
           ld: dict[str, Any], load_average: float) -> str:
    """Return the Markdown page."""
    lines = [
        "# Reliability", "",
        f"Written by `python -m benchmarks.reliability --examples {args.examples} --clients {args.clients} "
        f"--seconds {args.seconds:g}` on {datetime.now(UTC):%Y-%m-%d}, on {machine()}, with a load average of "
        f"{load_average:.1f} when it started. Every server was a real "
        "`guidancekg serve` (waitress, 8 threads, 2 SPARQL workers, a SPARQL queue of 2) on loopback, on the "
        "bundled data. Each section names the test that holds its claim on every run of the suite; the figures "
        "here are one run's.", "",
        "## Fuzzing from the OpenAPI description", "",
        f"Command: `python -m benchmarks.fuzz --examples {args.examples}` (schemathesis, valid and invalid requests "
        "for every operation of `/api/openapi.json`; each response checked for status code, media type, headers "
        "and body schema). Test: `tests/test_fuzz_openapi.py` (a smaller run).", "",
        "| requests sent | 5xx seen | non-conforming responses | statuses |", "|---|---|---|---|",
        f"| {fz['requests']} | {fz['server_errors']} | {fz['nonconforming']} | "
        + ", ".join(f"{k}: {v}" for k, v in fz["statuses"].items()) + " |", "",
        "Operations with no parameter have no invalid request to generate: "
        + (", ".join(fz["skipped"]) or "none") + ".", "",
        "## Hostile SPARQL", "",
        "Command: `python -m benchmarks.hostile` (test: `tests/test_hostile_sparql.py`). The server had a 2 s "
        "SPARQL time limit; `/api/guidance` was asked every 0.2 s throughout, and a TCP listener stood at the "
        "address every SERVICE, LOAD and FROM named. The corpus ends with the escape family: `SERVICE` hidden by "
        "codepoint escapes, comments and prefixed names that two SPARQL readers read apart, the first of them the "
        "query of issue 14, which an earlier screen let through.", "",
        f"Tried {hs['tried']}: " + ", ".join(f"{v} {k}" for k, v in hs["outcomes"].items())
        + f"; unexpected outcomes: {len(hs['unexpected'])}; outbound connections: {hs['outbound_connections']}; "
        f"`/api/guidance` during the run: {hs['probes']} answers, {hs['probe_failures']} failures, slowest "
        f"{hs['probe_max_ms']} ms.", "",
        "| query | status | outcome | ms |", "|---|---|---|---|",
    ]
    lines += [f"| {r['name']} | {r['status']} | {r['outcome']} | {r['ms']} |" for r in hs["results"]]
    lines += [
        "", "\"answered\" rows are `FROM` clauses naming graphs the store does not hold, and escapes inside strings "
        "that make the clause text, not a clause: they select nothing and fetch nothing. Beyond the screen, the "
        "worker that runs a query has no network at all (a seccomp filter; `tests/test_sandbox.py` shows with the "
        "real engine that a `SERVICE` clause reaching it connects nowhere, and that open and closed ports give "
        "the same answer), and `tests/test_sparql_differential.py` sends generated escapes, comments and prefixed "
        "names around `SERVICE`, `LOAD` and updates through a real server and against Oxigraph itself.", "",
        "## A flood of slow queries", "",
        f"Command: `python -m benchmarks.flood --clients {fl['clients']}` (test: "
        "`tests/test_sparql_live.py::test_thirty_two_slow_queries_never_hold_up_the_json_api`). "
        f"{fl['clients']} queries that each run into a 2 s time limit, sent at once, while `/api/guidance` is "
        "asked every 0.1 s until every query is answered.", "",
        "| SPARQL answers | `/api/guidance` answers | failures | p50 ms | slowest ms | slowest refusal ms |",
        "|---|---|---|---|---|---|",
        "| " + ", ".join(f"{v} {k}" for k, v in fl["outcomes"].items()) + f" | {fl['probes']} | "
        f"{fl['probe_failures']} | {fl['probe_p50_ms']} | {fl['probe_max_ms']} | {fl['slowest_refusal_ms']} |", "",
        "\"busy\" is `503` with `Retry-After`: two queries ran (and were stopped at the limit), two more could "
        "wait half a second for a worker, every other was refused at once; none held a thread the JSON API "
        "needed.", "",
        "## Load", "",
        f"Command: `python -m benchmarks.load --clients {args.clients} --seconds {args.seconds:g}`: "
        "half the requests `/api/guidance` on random dates, the rest `/api/changes`, the SPARQL library's "
        "guidance-on-date query and Memento (TimeGate followed to the memento); every 10th guidance answer "
        "checked against the engine in the load process.", "",
        "| clients | seconds | requests | errors | SPARQL refused busy | throughput (req/s) | p50 ms | p99 ms | "
        "max ms | checked | mismatches |", "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {ld['clients']} | {ld['seconds']} | {ld['requests']} | {ld['errors']} | {ld['sparql_busy']} | "
        f"{ld['throughput_rps']} | {ld['p50_ms']} | {ld['p99_ms']} | {ld['max_ms']} | {ld['checked_against_engine']} "
        f"| {len(ld['mismatches'])} |", "",
        "| kind | requests | errors | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|---|",
    ]
    lines += [f"| {k} | {v['requests']} | {v['errors']} | {v['p50_ms']} | {v['p99_ms']} | {v['max_ms']} |"
              for k, v in ld["by_kind"].items()]
    lines += ["", "The SPARQL requests run the library's generated guidance-on-date query (the semantics unrolled "
              "three override levels deep) in the endpoint's worker processes, which bounds their concurrency: "
              "past the workers and the queue they are refused at once (\"SPARQL refused busy\", not counted as "
              "answers or errors); the JSON API answers from the engine's in-memory model.", ""]
    return "\n".join(lines + HELD_BY_TESTS)


# What these pages promise beyond the figures above, each held by a test against real processes on every run of
# the suite (tests/test_docs_claims.py checks that every test named here exists).
HELD_BY_TESTS = [
    "## Writing while serving", "",
    "No figures here: each line is a test that runs on every run of the suite, against real processes.", "",
    "- `tests/test_ingest_live.py::test_cli_ingests_and_a_build_while_the_server_runs_never_give_a_5xx`: "
    "`guidancekg serve` runs (2 s SPARQL time limit) while another process runs `guidancekg ingest` twice and "
    "`guidancekg build` once on its data; `/api/guidance` and `/sparql` are asked every 0.05 s throughout, "
    "before and after a query that hits the time limit, and not one answer is a 5xx. The server serves the "
    "newest build by itself, and the builds it let go of are collected by the next build.",
    "- `tests/test_builds.py::test_a_build_a_live_process_has_open_is_never_deleted`: a build a reader process "
    "holds open survives two newer builds; once the reader is killed with SIGKILL, the next collection removes it.",
    "- `tests/test_ingest_live.py::test_a_cli_and_servers_at_other_addresses_share_one_build`: two servers with "
    "other public URLs open the build the command line made, and the next `guidancekg build` writes nothing.", "",
    "## Hostile data files, bodies and headers", "",
    "- `tests/test_ingest_live.py::test_a_600_byte_yaml_bomb_is_a_422_at_once_and_a_one_line_error_from_the_cli`: "
    "a `statements.yaml` of nested aliases is a `422` within 1 s naming the file and line, and one `Error:` line "
    "from `guidancekg ingest`, without a traceback.",
    "- `tests/test_server.py::test_a_body_over_its_routes_limit_is_refused_before_it_is_read` (a gigabyte "
    "`Content-Length`: `413` within 2 s), "
    "`tests/test_server.py::test_a_chunked_body_is_stopped_once_it_passes_the_limit`, "
    "`tests/test_ingest_live.py::test_an_ingest_is_refused_before_its_body_is_read` (`401`, `403` and `413` "
    "before a byte of the body).",
    "- `tests/test_access_log.py::test_a_percent_0a_in_a_path_writes_no_forged_log_line`, "
    "`tests/test_web.py::test_a_forged_host_header_never_reaches_a_memento_redirect`, "
    "`tests/test_web.py::test_a_forged_host_header_never_reaches_the_service_description`, "
    "`tests/test_server.py::test_serve_beyond_loopback_warns_that_the_endpoint_is_open`.", "",
]


def main() -> None:
    """Run everything and write the page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    load_average = os.getloadavg()[0]  # the figures below depend on what else the machine was doing
    with Server() as server:
        fz = fuzz.fuzz(server.url, args.examples).to_json()
        ld = load.run(server.url, args.clients, args.seconds)
    listener = hostile.Listener()
    try:
        with Server("--sparql-timeout", "2") as server:
            hs = hostile.run(server.url, listener).to_json()
            fl = flood.run(server.url, 32).to_json()
    finally:
        listener.close()
    DOC.write_text(render(args, fz, hs, fl, ld, load_average), encoding="utf-8")
    print(json.dumps({"fuzz": {k: fz[k] for k in ("requests", "server_errors", "nonconforming")},
                      "hostile": {k: hs[k] for k in ("tried", "outcomes", "outbound_connections")},
                      "load": {k: ld[k] for k in ("requests", "errors", "p99_ms")}}, indent=2))
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
