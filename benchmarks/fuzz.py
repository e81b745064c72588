"""Fuzz the real server from its OpenAPI description with schemathesis: count requests, 5xx, non-conformance.

Every operation of ``/api/openapi.json`` gets generated requests, valid ones and (with ``--negative``) invalid
ones; each response is checked against the description (status, media type, body schema) and must not be a 5xx.
Usage: ``python -m benchmarks.fuzz [--url URL] [--examples N]`` (without ``--url`` a server is started).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

# The issue asks that no response is a 5xx and that every response conforms to the description: those checks
# all run (status code, content type, headers and body schema). Two checks judge whether a request should have
# been accepted instead, which no schema can decide here: a schema-valid request may be refused for a reason the
# schema cannot state (from after to, a SPARQL text that does not parse) and an unknown extra query parameter is
# ignored, as HTTP servers usually do.
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]


@dataclass
class FuzzReport:
    """What a fuzzing run sent and saw."""

    requests: int = 0
    server_errors: int = 0
    nonconforming: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "server_errors": self.server_errors, "nonconforming": self.nonconforming,
                "statuses": dict(sorted(self.statuses.items())), "failures": self.failures[:20],
                "skipped": self.skipped}


def fuzz(base_url: str, examples: int = 25, negative: bool = True) -> FuzzReport:
    """Send generated requests to every operation at ``base_url``; return the counts."""
    spec = requests.get(f"{base_url}/api/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(spec)
    report = FuzzReport()
    session = requests.Session()
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            try:
                _runner(operation.as_strategy(generation_mode=mode), mode, examples, base_url, session, report)()
            except Unsatisfiable:
                # An operation without parameters has no invalid request to generate.
                report.skipped.append(f"{operation.method.upper()} {operation.path} ({mode.value})")
    return report


def _runner(strategy: Any, mode: GenerationMode, examples: int, base_url: str, session: requests.Session,
            report: FuzzReport) -> Any:
    """Return a Hypothesis test that sends ``examples`` cases drawn from ``strategy`` and counts the outcomes."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, timeout=30)
        report.requests += 1
        report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            report.server_errors += 1
            report.failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
            return
        try:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group of its failed checks
            # Negative cases send what the description forbids: a 4xx is the right answer, whatever body.
            if mode is GenerationMode.NEGATIVE and 400 <= response.status_code < 500:
                return
            report.nonconforming += 1
            report.failures.append(f"{case.as_curl_command()} -> {response.status_code}: "
                                   f"{_summary(exc)}")

    return run


def _summary(exc: BaseException) -> str:
    """Return the failed checks' titles and the first line of their detail."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    titles = [line for line in lines if line.startswith("- ")]
    return "; ".join(titles)[:300] or lines[0][:300]


def main() -> None:
    """Run the fuzzer against ``--url`` or a server it starts, and print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running server (default: start one on the bundled data)")
    parser.add_argument("--examples", type=int, default=25, help="examples per operation and mode")
    args = parser.parse_args()
    if args.url:
        report = fuzz(args.url, args.examples)
    else:
        from benchmarks.server import Server

        with Server() as server:
            report = fuzz(server.url, args.examples)
    json.dump(report.to_json(), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
