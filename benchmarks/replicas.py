"""Two ``guidancekg serve`` processes over one remote SPARQL store: what a new build costs and what each serves.

    eval "$(.ci/virtuoso start)"                      # or any SPARQL 1.1 server with Query and Update
    GUIDANCEKG_STORE_URL=$GUIDANCEKG_TEST_VIRTUOSO_URL python -m benchmarks.replicas --statements 10000

On a synthetic corpus (graph/corpus/synthetic.py, seed 1, kept in ``--work``) it measures, and prints as JSON:

- ``publish_s``: a new build published to the remote store from nothing (compile, SHACL, the snapshot written
  under the store folder, the quads loaded into the server), with the time of each step (``steps_s``);
- ``start_a_s``, ``start_b_s``: each server's start to its first answer, the second one finding the first's snapshot;
- ``requests_per_s``: guidance on a date for one drug, ``--clients`` keep-alive clients on each server at once for
  ``--seconds`` (so the two servers share this machine's cores);
- ``new_build_s`` and ``swap_s``: a changed data file published by ``guidancekg build --store-kind remote``, and
  the time after it until the second server serves the new build.

Not a test (docs/deployment.md quotes its figures); the two-server test is tests/test_replicas.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from benchmarks.server import Server
from benchmarks.steps import StepTimes

REPO = Path(__file__).resolve().parents[1]


def _throughput(servers: list[Server], clients: int, seconds: float, drugs: int) -> list[float]:
    """Return the requests answered a second by each server, all under load at once."""
    counts = [0] * len(servers)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int, seed: int) -> None:
        rng, session = random.Random(seed), requests.Session()
        done = 0
        while time.monotonic() < stop:
            on = date(2005, 1, 1) + timedelta(days=rng.randrange(7000))
            resp = session.get(f"{servers[n].url}/api/guidance?on={on}&drug=drug{rng.randrange(drugs):05d}",
                               timeout=30)
            assert resp.status_code == 200, resp.text[:200]
            done += 1
        with lock:
            counts[n] += done

    threads = [threading.Thread(target=client, args=(n, n * 100 + c)) for n in range(len(servers))
               for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [c / seconds for c in counts]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replicas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=REPO / ".bench")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    if not os.environ.get("GUIDANCEKG_STORE_URL"):
        sys.exit("set GUIDANCEKG_STORE_URL to the SPARQL endpoint of the shared store")
    from guidancekg.graph.corpus.synthetic import generate
    from guidancekg.graph.rdf.iris import DEFAULT_BASE
    from guidancekg.graph.stores.kinds import open_store

    n, work = args.statements, args.work.resolve()
    corpus = work / f"synth-{n}"
    if not (corpus / "drugs.yaml").exists():
        generate(n, 1, corpus, overwrite=True)
    data = work / f"replicas-data-{n}"  # a copy: the run changes a file of it
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(corpus, data, symlinks=True)
    root = work / f"replicas-store-{n}"
    if root.exists():
        shutil.rmtree(root)
    out: dict = {"statements": n}
    steps = StepTimes()
    t = time.perf_counter()
    store, _ = open_store(data, base=DEFAULT_BASE, kind="remote", root=root, progress=steps)  # serve's base
    out["publish_s"] = time.perf_counter() - t
    out["steps_s"] = steps.seconds
    store.close()
    drugs = max(1, round(n / 200))  # the synthetic corpus has about 200 statements a drug
    shared = ("--data", str(data), "--store-kind", "remote", "--store", str(root))
    os.environ["GUIDANCEKG_STORE_CHECK"] = "1"
    servers: list[Server] = []
    try:
        for name in ("a", "b"):
            (root.parent / f"replicas-{name}-{n}").mkdir(exist_ok=True)
            t = time.perf_counter()
            servers.append(Server(*shared, workdir=root.parent / f"replicas-{name}-{n}", start_timeout=600))
            out[f"start_{name}_s"] = time.perf_counter() - t
        out["requests_per_s"] = _throughput(servers, args.clients, args.seconds, drugs)
        seed = next(data.glob("sources/*/versions/*/statements.yaml"))
        seed.write_text(seed.read_text(encoding="utf-8") + "\n# a curator's comment\n", encoding="utf-8")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "guidancekg.cli", "build", "--quiet", "--data", str(data),
                        "--store-kind", "remote", "--store", str(root)], check=True, cwd=REPO)
        out["new_build_s"] = time.perf_counter() - t
        t = time.perf_counter()
        log = servers[1].log
        while "serving the newer build" not in log.read_text(errors="replace"):
            requests.get(f"{servers[1].url}/api/sources", timeout=30)
            if time.perf_counter() - t > 600:
                raise RuntimeError("the second server did not swap in the new build within 600 s")
            time.sleep(0.2)
        out["swap_s"] = time.perf_counter() - t
    finally:
        for server in servers:
            server.stop()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
