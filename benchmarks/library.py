"""Benchmark: every query of the SPARQL library, asked for every drug, on Oxigraph at several sizes.

    nice -n 19 python -m benchmarks.library --sizes 1000,10000,100000
    nice -n 19 python -m benchmarks.library --sizes 10000 --only temporary-measures.rq --timeout 60

Not a test. Each size's synthetic corpus (graph/corpus/synthetic.py, seed 1) and its build are kept in ``--work``
(default ``.bench-library/``) and reused. Each query runs with its parameters set for every drug (:data:`VALUES`:
``UNDEF`` where the query has a drug parameter, typical dates and places otherwise) against the on-disk Oxigraph
store of the build, in a process of its own that is stopped at ``--timeout`` seconds and then reported as stopped.
The time is the median of up to three runs of the query (one only when a run takes more than 5 s), opening the
store not included; the rows are the answer's. Results go to ``--work/library-N.json`` and a table to stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = (1000, 10_000, 100_000)
SEED = 1
EVERYTHING = '"9999-12-31"^^xsd:date'

# Each query's VALUES row for "every drug": the terms bind_values puts first (the rest of the row is kept).
VALUES: dict[str, tuple[str, ...]] = {
    "changes-between-dates.rq": ('"2019-01-01"^^xsd:date', '"2019-12-31"^^xsd:date', EVERYTHING, "UNDEF"),
    "guidance-in-jurisdiction.rq": ('"2019-04-15"^^xsd:date', EVERYTHING, '"EU"'),
    "guidance-on-date-as-known.rq": ('"2019-04-12"^^xsd:date', '"2019-04-15"^^xsd:date'),
    "guidance-on-date.rq": ('"2019-04-12"^^xsd:date', EVERYTHING),
    "overridden-in-jurisdiction.rq": ('"2019-04-15"^^xsd:date', EVERYTHING, '"EU"'),
    "overridden-on-date.rq": ('"2019-04-12"^^xsd:date', EVERYTHING),
    "overrides.rq": ("UNDEF",),
    "reporting-lag.rq": ("UNDEF",),
    "reserved-in-one-jurisdiction-only.rq": ("jur:US", "jur:EU", "UNDEF"),
    "restrictions-by-authority.rq": ('"European Medicines Agency"', '"2017-01-01"^^xsd:date', '"2019-12-31"^^xsd:date'),
    "statement-provenance.rq": ("UNDEF", "UNDEF"),
    "temporary-measures.rq": ("UNDEF",),
    "temporary-to-final-decision.rq": ("UNDEF",),
    "version-assertions.rq": ("UNDEF",),
}


def query(name: str) -> str:
    """Return the library query ``name`` with its parameters set for every drug."""
    from guidancekg.graph.sparql.library import QUERIES_DIR, bind_values

    text = (QUERIES_DIR / name).read_text(encoding="utf-8")
    values = VALUES[name]
    if text.count("VALUES ?") and not text.count("VALUES ("):  # a single parameter: `VALUES ?x { term }`
        head = text.index("VALUES ?")
        start, end = text.index("{", head) + 1, text.index("}", head)
        return f"{text[:start]} {values[0]} {text[end:]}"
    return bind_values(text, *values)


def ensure_build(n: int, work: Path) -> Path:
    """Generate the corpus of ``n`` statements and build it unless done before; return its Oxigraph folder."""
    from guidancekg.graph.corpus.synthetic import generate
    from guidancekg.graph.rdf.iris import DEFAULT_BASE
    from guidancekg.graph.stores.build import compile_data
    from guidancekg.graph.stores.builds import current_build, write_build

    corpus, store = work / f"synth-{n}", work / f"store-{n}"
    if not (corpus / "drugs.yaml").exists():
        generate(n, SEED, corpus, overwrite=True)
    info = current_build(store)
    if info is None:
        info = write_build(compile_data(corpus, DEFAULT_BASE), store)
    return info.path / "oxigraph"


def measure(name: str, oxigraph: Path) -> None:
    """Run the query ``name`` on the store at ``oxigraph`` and print a JSON line after each run."""
    from guidancekg.graph.stores.base import OxigraphStore

    store, text, times = OxigraphStore(oxigraph), query(name), []
    while len(times) < 3:
        t = time.perf_counter()
        rows = len(store.select(text))
        times.append(time.perf_counter() - t)
        print(json.dumps({"seconds": statistics.median(times), "rows": rows, "runs": len(times)}), flush=True)
        if times[-1] > 5:
            break


def run_one(name: str, oxigraph: Path, timeout: float) -> dict:
    """Measure ``name`` in a child process stopped at ``timeout`` seconds."""
    cmd = [sys.executable, "-m", "benchmarks.library", "--child", name, "--store", str(oxigraph)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"stopped_after_s": timeout}
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}
    return json.loads(done.stdout.strip().splitlines()[-1])


def cell(result: dict) -> str:
    """Return a result as a table cell: seconds and rows, or how it stopped."""
    if "seconds" in result:
        return f"{result['seconds']:.3g} s ({result['rows']} rows)"
    if "stopped_after_s" in result:
        return f"stopped at {result['stopped_after_s']:g} s"
    return f"failed: {result['failed']}"


def main(argv: list[str] | None = None) -> None:
    """Measure the library queries at each size and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.library", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--work", type=Path, default=REPO / ".bench-library")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a query is stopped")
    parser.add_argument("--only", default="", help="comma-separated query files (default: all)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        measure(args.child, args.store)
        return
    names = [x for x in args.only.split(",") if x] or sorted(VALUES)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    table: dict[str, dict[int, dict]] = {name: {} for name in names}
    for n in sizes:
        path = work / f"library-{n}.json"
        kept = json.loads(path.read_text()) if path.exists() else {}
        oxigraph = ensure_build(n, work)
        for name in names:
            table[name][n] = kept[name] = run_one(name, oxigraph, args.timeout)
            path.write_text(json.dumps(kept, indent=2))
            print(f"{n}: {name}: {cell(kept[name])}", flush=True)
    print(f"\n| query | {' | '.join(f'{n:,}' for n in sizes)} |\n|---|{'---|' * len(sizes)}")
    for name in names:
        print(f"| `{name}` | {' | '.join(cell(table[name][n]) for n in sizes)} |")


if __name__ == "__main__":
    main()
