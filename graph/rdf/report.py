"""The SHACL report of a whole dataset, computable in a process of its own.

``python -m guidancekg.graph.rdf.report < dataset.nq > report.json`` reads N-Quads on standard input and writes
the report of their union graph, so that a server can have it computed (once per build) on another core,
without holding its own interpreter's lock for the length of a pySHACL run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from rdflib import Dataset

from guidancekg.graph.errors import StoreError
from guidancekg.graph.rdf.shacl import validate
from guidancekg.graph.rdf.writer import union_graph


def report_of(nquads: bytes) -> dict[str, Any]:
    """Return the SHACL report of the union of the N-Quads ``nquads``, with how many triples it validated."""
    ds = Dataset()
    ds.parse(data=nquads.decode("utf-8"), format="nquads")
    data = union_graph(ds)
    return {**validate(data).to_json(), "triples": len(data)}


def report_in_a_process(nquads: bytes, timeout: float = 3600.0) -> dict[str, Any]:
    """Return :func:`report_of` computed by a fresh interpreter (never a fork of a threaded server)."""
    done = subprocess.run([sys.executable, "-m", "guidancekg.graph.rdf.report"], input=nquads, capture_output=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise StoreError(f"the SHACL report could not be computed ({done.stderr.decode(errors='replace')[-300:]})")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


if __name__ == "__main__":
    json.dump(report_of(sys.stdin.buffer.read()), sys.stdout, ensure_ascii=False)
