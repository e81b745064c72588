"""Benchmarks: build, open, date questions in-process and over HTTP, SPARQL, SHACL of one version, naive baseline.

    python -m benchmarks.run                      # 10^3, 10^4, 10^5 and 10^6 statements; rewrites docs/benchmarks.md
    python -m benchmarks.run --sizes 1000,10000   # some sizes only (the others keep their last results)
    python -m benchmarks.run --fresh              # measure again what was measured before
    python -m benchmarks.run --again serving      # open, questions, HTTP again on each size's current build

Not a test: it takes about an hour with 10^6 (the build of a million statements is most of it). Synthetic corpora
(graph/corpus/synthetic.py, seed 1) and their stores are kept in ``--work`` (default ``.bench/``) and each size's
results in ``--work/result-N.json``, so a run measures only what is missing unless ``--fresh``. Every size is
measured in a subprocess of its own, so that its peak RSS (``ru_maxrss``) is its own. ``--again serving`` measures
what serving does again (open, the questions in-process and over HTTP, SHACL of one version) on a size's build
when it is still current, without building it again (an hour at 10^6): the build's rows are kept from the earlier
result, and the page names the run each comes from. Each result records when and at which commit it was measured.
The naive baseline is rdflib's
in-memory dataset answering the same question as one SPARQL query with date FILTERs
(graph/sparql/queries/guidance-on-date-as-known.rq with the drug added, version graphs reached through the records:
:func:`_naive_query`), in a
subprocess stopped at ``--naive-timeout`` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from guidancekg.graph.rdf.iris import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
PLOT = REPO / "docs" / "benchmarks-latency.png"
BASE = DEFAULT_BASE  # the graph's one base: `serve` opens the build the benchmark wrote, without rebuilding
SIZES = (1000, 10_000, 100_000, 1_000_000)
SEED = 1
QUERY_DAYS = (date(2005, 1, 1), date(2025, 12, 31))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb(pid: int) -> float:
    """Return the peak RSS of a running process (``VmHWM``), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024


def _provenance() -> dict:
    """Return when and at which commit a measurement is made (``+`` marks uncommitted changes)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # The page this command writes is not the code measured: a run of several sizes rewrites it between them.
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", ".", f":!{DOC.relative_to(REPO)}",
                     f":!{PLOT.relative_to(REPO)}"))
    return {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit + ("+" if dirty else "")}


#: The rows of a size's result that come from building it: kept from the earlier result by ``--again serving``.
BUILD_ROWS = ("build_s", "compile_s", "quads", "triples_per_s", "build_rss_mb", "disk_bytes", "versions",
              "snapshot_bytes", "rss_mb", "build_steps_s", "build_steps_peak_rss_mb")


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _questions(n: int, drugs: int, seed: int = 7) -> list[tuple[str, date, date | None]]:
    rng = random.Random(seed)
    span = (QUERY_DAYS[1] - QUERY_DAYS[0]).days
    out = []
    for _ in range(n):
        on = QUERY_DAYS[0] + timedelta(days=rng.randrange(span))
        known = None if rng.random() < 0.5 else QUERY_DAYS[0] + timedelta(days=rng.randrange(span))
        out.append((f"drug{rng.randrange(drugs):05d}", on, known))
    return out


def _library(name: str, drug_iri: str | None, *values: str) -> str:
    """Return a library query with its VALUES row set to the dates ``values``, and ``drug_iri`` added to every
    statement pattern (for the queries without a drug parameter)."""
    from guidancekg.graph.sparql.library import QUERIES_DIR, bind_values, day_term

    text = bind_values((QUERIES_DIR / name).read_text(encoding="utf-8"), *map(day_term, values))
    if drug_iri:  # every statement the query ranges over is the drug's
        for var in ("?statement", "?x", "?y"):
            pattern_text = f"{{ {var} a gk:Statement }}"
            text = text.replace(pattern_text, f"{pattern_text} {var} gk:drug <{drug_iri}> .")
    return text


# -- one size, in its own process ------------------------------------------------------------------------------


def measure_size(n: int, work: Path, built: dict | None = None) -> dict:
    """Build size ``n`` and measure it; with ``built`` (the earlier result's), measure its current build again."""
    from benchmarks.steps import StepTimes
    from guidancekg.graph.corpus.files import load_corpus
    from guidancekg.graph.engine.answers import Filters
    from guidancekg.graph.opened import GuidanceGraph
    from guidancekg.graph.rdf.iris import Minter
    from guidancekg.graph.stores.build import compile_data, fingerprint, validate_chunked
    from guidancekg.graph.stores.builds import current_build, write_build

    corpus_dir, store = work / f"synth-{n}", work / f"store-{n}"
    out: dict = {"statements": n}
    if built is not None:  # --again serving: the build is kept, and so are its rows
        current = current_build(store)
        if current is None or current.fingerprint != fingerprint(corpus_dir, BASE):
            raise RuntimeError(f"{store} holds no current build of {corpus_dir}: run without --again")
        # When the build was measured: kept through every --again since (the earlier result's own time else).
        out.update({k: built[k] for k in BUILD_ROWS if k in built},
                   build_from=built.get("build_from", built.get("measured", {})))
    else:
        if store.exists():
            shutil.rmtree(store)
        steps = StepTimes()  # where the build's time and memory go, step by step
        t = time.perf_counter()
        compiled = compile_data(corpus_dir, BASE, progress=steps)
        t_compile = time.perf_counter() - t
        info = write_build(compiled, store, progress=steps)
        t_build = time.perf_counter() - t
        out.update(build_s=t_build, compile_s=t_compile, quads=info.quads, triples_per_s=info.quads / t_build,
                   build_rss_mb=_rss_mb(), disk_bytes=_du(info.path), versions=info.versions,
                   snapshot_bytes=_du(info.path / "snapshot"), build_steps_s=steps.seconds,
                   build_steps_peak_rss_mb=steps.peak_rss_mb)
        del compiled
    # Open: reopen the current build (no rebuild), read the model and build the index.
    t = time.perf_counter()
    graph = GuidanceGraph.open(corpus_dir, base=BASE, store_root=store)
    out["open_s"] = time.perf_counter() - t
    assert current_build(store) is not None
    engine = graph.engine
    drugs = len(graph.model.drugs)
    times = []
    for drug, on, known in _questions(2000, drugs):
        t = time.perf_counter()
        engine.guidance(on, known, Filters(drug=drug))
        times.append(time.perf_counter() - t)
    out.update(guidance_p50_ms=_pct(times, 50) * 1e3, guidance_p99_ms=_pct(times, 99) * 1e3)
    times = []
    for _drug, on, known in _questions(20, drugs, seed=11):
        t = time.perf_counter()
        engine.guidance(on, known)
        times.append(time.perf_counter() - t)
    out["guidance_all_drugs_p50_ms"] = _pct(times, 50) * 1e3
    times = []
    for drug, on, known in _questions(300, drugs, seed=13):
        start = on - timedelta(days=365)
        t = time.perf_counter()
        engine.changes(start, on, known, Filters(drug=drug))
        times.append(time.perf_counter() - t)
    out.update(changes_p50_ms=_pct(times, 50) * 1e3, changes_p99_ms=_pct(times, 99) * 1e3)
    out["http"] = _http(corpus_dir, store, drugs)
    graph.close()
    # SHACL of one new version: its statements (with what they override) and their context, validated alone.
    out["shacl_one_version"] = _shacl_one_version(corpus_dir, work, validate_chunked, load_corpus, Minter(BASE))
    if built is None:
        out["rss_mb"] = _rss_mb()
    out["measured"] = _provenance()
    return out


STARTS = 5  # launches of `serve` timed for its start: one launch's time varies by a third on a busy machine
FIRST_QUESTION = "/api/guidance?on=2019-01-01&drug=drug00000"  # a start is timed to this question's answer


def _http(corpus_dir: Path, store: Path, drugs: int) -> dict:
    import http.client

    from benchmarks.server import Server

    def launch() -> Server:
        return Server("--store", str(store), data=corpus_dir, workdir=store.parent, start_timeout=1800,
                      ready=FIRST_QUESTION)

    starts = []
    for _ in range(STARTS - 1):
        with launch() as server:
            starts.append(server.started_s)
    with launch() as server:  # the last launch answers the questions
        starts.append(server.started_s)
        times = []
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for drug, on, known in _questions(1000, drugs, seed=17):
            url = f"/api/guidance?on={on}&drug={drug}" + (f"&known={known}" if known else "")
            t = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            times.append(time.perf_counter() - t)
            assert response.status == 200, response.status
        from benchmarks.paging import measure as measure_pages

        pages = measure_pages("127.0.0.1", server.port, repeat=200, whole_days=1)  # all drugs, a page at a time
        return {"start_s": statistics.median(starts), "starts_s": starts, "p50_ms": _pct(times, 50) * 1e3,
                "p99_ms": _pct(times, 99) * 1e3, "paging": pages, "serve_rss_mb": _peak_rss_mb(server.proc.pid)}


def _shacl_one_version(corpus_dir: Path, work: Path, validate_chunked, load_corpus, minter) -> dict:
    """Validate the latest version of one source as a new version: its chunk, with the context it needs."""
    sources = sorted((corpus_dir / "sources").iterdir())
    source = sources[len(sources) // 2]
    drug = source.name.split("-")[0]
    view = work / f"view-{corpus_dir.name}"
    if view.exists():
        shutil.rmtree(view)
    (view / "sources").mkdir(parents=True)
    for entry in corpus_dir.iterdir():  # drugs, jurisdictions and reach, references: all but the sources
        if entry.name != "sources":
            (view / entry.name).symlink_to(entry.resolve())
    for s in sources:  # the drug's sources: a closed part of the corpus (overrides stay within a drug)
        if s.name.split("-")[0] == drug:
            (view / "sources" / s.name).symlink_to(s)
    corpus = load_corpus(view)
    versions = sorted((v for v in corpus.versions.values() if v.source == source.name), key=lambda v: v.published)
    version = versions[-1]
    keys = {a.statement for a in corpus.assertions if a.version_id == version.id}
    validate_chunked(corpus, minter, statements=set(list(keys)[:1]))  # warm-up (compiles the shapes)
    t = time.perf_counter()
    conforms, results = validate_chunked(corpus, minter, statements=keys)
    elapsed = time.perf_counter() - t
    shutil.rmtree(view)
    return {"seconds": elapsed, "statements": len(keys), "conforms": conforms, "results": len(results)}


def measure_sparql(n: int, work: Path) -> dict:
    """The SPARQL library's as-of and changes queries on the on-disk Oxigraph store of size ``n``."""
    from guidancekg.graph.stores.base import OxigraphStore
    from guidancekg.graph.stores.builds import current_build

    info = current_build(work / f"store-{n}")
    assert info is not None
    store = OxigraphStore(info.path / "oxigraph")
    drug = f"{BASE}id/drug/drug00000"
    out = {}
    times = []
    for on, known in (("2019-04-12", "2019-04-15"), ("2015-06-01", "2016-01-01"), ("2022-02-02", "9999-12-31")):
        t = time.perf_counter()
        store.select(_library("guidance-on-date-as-known.rq", drug, on, known))
        times.append(time.perf_counter() - t)
    out["as_of_drug_ms"] = statistics.median(times) * 1e3
    print(json.dumps(out), flush=True)  # kept if the changes query below is stopped
    from guidancekg.graph.sparql.library import QUERIES_DIR, bind_values, day_term

    changes = (QUERIES_DIR / "changes-between-dates.rq").read_text(encoding="utf-8")
    days = [day_term(d) for d in ("2019-01-01", "2019-12-31", "9999-12-31")]
    # Its ?drugKey parameter: one drug, then the researcher's cross-drug question (every change of 2019).
    for name, drug_key in (("changes_drug", '"drug00000"'), ("changes_all", "UNDEF")):
        t = time.perf_counter()
        rows = store.select(bind_values(changes, *days, drug_key))
        out[f"{name}_s"] = time.perf_counter() - t
        if drug_key == "UNDEF":
            out[f"{name}_rows"] = len(rows)
        print(json.dumps(out), flush=True)  # kept if the next query is stopped
    return out


def _naive_query(drug_iri: str, on: str, known: str) -> str:
    """Return the library's as-of query for rdflib: each version's graph reached through the statement's records.

    A version's graph holds a statement exactly when the provenance graph has a record of it by that version, so
    ``?s prov:qualifiedDerivation/prov:entity ?v`` asks the same as ``GRAPH ?v { ?s a gk:Statement }``; rdflib
    evaluates the GRAPH form by visiting every named graph for each candidate (more than 300 s per question at
    10^3), the path form by index lookups.
    """
    import re

    text = _library("guidance-on-date-as-known.rq", drug_iri, on, known)
    text = re.sub(r"GRAPH (\?\w+) \{ (\?\w+) a gk:Statement \}", r"\2 prov:qualifiedDerivation/prov:entity \1 .", text)
    return "PREFIX prov: <http://www.w3.org/ns/prov#>\n" + text


def measure_naive(n: int, work: Path) -> dict:
    """rdflib in memory: load the dataset, then the same question as one SPARQL query with date FILTERs."""
    from rdflib import Dataset

    from guidancekg.graph.stores.base import MemoryStore, OxigraphStore
    from guidancekg.graph.stores.builds import current_build

    info = current_build(work / f"store-{n}")
    assert info is not None
    nquads = OxigraphStore(info.path / "oxigraph").dump_nquads()
    t = time.perf_counter()
    ds = Dataset()
    ds.parse(data=nquads.decode("utf-8"), format="nquads")
    load = time.perf_counter() - t
    print(json.dumps({"load_s": load}), flush=True)
    store = MemoryStore(ds)
    oxigraph = OxigraphStore(info.path / "oxigraph")
    times = []
    for i, (drug, on, known) in enumerate(_questions(3, max(1, round(n / 200)), seed=23)):
        query = _naive_query(f"{BASE}id/drug/{drug}", on.isoformat(), (known or date(9999, 12, 31)).isoformat())
        t = time.perf_counter()
        rows = store.select(query)
        times.append(time.perf_counter() - t)
        if i == 0 and n <= 10_000:  # the same question: the same answer as the library's query on Oxigraph
            library = _library("guidance-on-date-as-known.rq", f"{BASE}id/drug/{drug}", on.isoformat(),
                               (known or date(9999, 12, 31)).isoformat())
            assert {r["statement"] for r in rows} == {r["statement"] for r in oxigraph.select(library)}
        print(json.dumps({"partial_query_s": times[-1], "load_s": load}), flush=True)
    return {"load_s": load, "query_p50_ms": statistics.median(times) * 1e3, "rss_mb": _rss_mb()}


# -- the driver ------------------------------------------------------------------------------------------------


def _child(mode: str, n: int, work: Path, timeout: float | None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", mode, "--n", str(n), "--work", str(work)]
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired as exc:
        raw = exc.stdout or b""
        text = raw.decode() if isinstance(raw, bytes) else raw
        partial = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        return {"stopped_after_s": time.perf_counter() - started, "partial": partial, "measured": _provenance()}
    if done.returncode != 0:
        raise RuntimeError(f"{mode} {n} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    import yaml

    libs = {name: version(name) for name in ("rdflib", "pyoxigraph", "pyshacl", "pyshacl-turbo", "PyYAML", "flask",
                                              "waitress")}
    libs["libyaml"] = str(getattr(yaml, "__with_libyaml__", False))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem / 1024 / 1024, 1),
            "python": platform.python_version(), "libs": libs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--work", type=Path, default=REPO / ".bench")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--naive-timeout", type=float, default=900.0)
    parser.add_argument("--sparql-timeout", type=float, default=120.0)
    parser.add_argument("--sparql-max", type=int, default=1_000_000,
                        help="run the SPARQL library queries up to this size")
    parser.add_argument("--naive-max", type=int, default=100_000,
                        help="run the naive baseline up to this size (rdflib held 16.6 GB at 10^5)")
    parser.add_argument("--again", choices=["serving"],
                        help="serving: open, questions and HTTP again on each size's current build, its build's "
                             "rows kept from the earlier result")
    parser.add_argument("--child", choices=["size", "serving", "sparql", "naive"])
    parser.add_argument("--n", type=int)
    args = parser.parse_args(argv)
    work = args.work.resolve()
    if args.child == "serving":
        earlier = json.loads((work / f"result-{args.n}.json").read_text())["size"]
        print(json.dumps(measure_size(args.n, work, built=earlier)), flush=True)
        return
    if args.child:
        fn = {"size": measure_size, "sparql": measure_sparql, "naive": measure_naive}[args.child]
        result = fn(args.n, work)
        result.setdefault("measured", _provenance())
        print(json.dumps(result), flush=True)
        return
    from guidancekg.graph.corpus.synthetic import generate

    work.mkdir(parents=True, exist_ok=True)
    for n in [int(x) for x in args.sizes.split(",") if x]:
        path = work / f"result-{n}.json"
        result = json.loads(path.read_text()) if path.exists() and not args.fresh else {}
        corpus = work / f"synth-{n}"
        if not (corpus / "drugs.yaml").exists():
            t = time.perf_counter()
            stats = generate(n, SEED, corpus, overwrite=True)
            result["synth"] = dict(stats.to_json(), seconds=time.perf_counter() - t)
            print(f"{n}: generated {stats.statements} statements in {result['synth']['seconds']:.1f} s", flush=True)
        if "size" in result and args.again == "serving":
            print(f"{n}: measuring serving again on the current build ...", flush=True)
            result["size"] = _child("serving", n, work, None)
            path.write_text(json.dumps(result, indent=2))
        if "size" not in result:
            print(f"{n}: building and measuring ...", flush=True)
            result["size"] = _child("size", n, work, None)
            path.write_text(json.dumps(result, indent=2))
        if "sparql" not in result and n <= args.sparql_max:
            print(f"{n}: SPARQL library queries ...", flush=True)
            result["sparql"] = _child("sparql", n, work, args.sparql_timeout)
            path.write_text(json.dumps(result, indent=2))
        if "naive" not in result and n <= args.naive_max:
            print(f"{n}: naive baseline (rdflib) ...", flush=True)
            result["naive"] = _child("naive", n, work, args.naive_timeout)
            path.write_text(json.dumps(result, indent=2))
        path.write_text(json.dumps(result, indent=2))
    results = {}
    for path in sorted(work.glob("result-*.json")):
        n = int(path.stem.split("-")[1])
        results[n] = json.loads(path.read_text())
    from benchmarks.report import write_report

    write_report(results, machine(), DOC, PLOT)
    print(f"wrote {DOC} and {PLOT}")


if __name__ == "__main__":
    main()
