"""kill -9 during an ingest: the data folder and the store stay consistent, holding the old state or the new.

A real ``python -m guidancekg.cli.main ingest`` process is killed with SIGKILL at a random moment of its work,
many times, on a tiny data folder (the fictional test source only, so that each check is quick). After each
kill: the data folder loads and passes the checks of the build (SHACL too, at the end); the store's current
build opens and holds the old state or the new one; opening the graph (which runs the recovery) gives a
store that agrees with the data; and no staging folder is left behind.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from ingest_data.helpers import SOURCE, V1, tiny_data

from guidancekg.graph.corpus.checks import check_corpus
from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.ingest.versions import INGEST_DIR
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.stores.base import OxigraphStore
from guidancekg.graph.stores.build import compile_data
from guidancekg.graph.stores.builds import current_build
from guidancekg.graph.stores.kinds import open_store

BASE = DEFAULT_BASE  # what the command line mints under
ITERATIONS = 25
COUNT_VERSIONS = (f"SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {{ ?v <http://purl.org/dc/terms/isVersionOf> "
                  f"<{BASE}id/source/{SOURCE}> }}")


def _files(folder: Path, i: int) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sentence = f"Test guidance sentence for crash iteration {i}."
    text = folder / "text.txt"
    text.write_text(sentence + "\n", encoding="utf-8")
    statements = folder / "statements.yaml"
    statements.write_text(
        f"- id: test-crash-{i}\n  drug: testdrug\n  topic: patient-advice\n  valid_from_basis: publication-date\n"
        f"  quote:\n    exact: '{sentence}'\n    start: 0\n    end: {len(sentence)}\n", encoding="utf-8")
    return text, statements


def _versions_on_disk(data: Path) -> list[str]:
    corpus = load_corpus(data)
    return sorted(v.key for v in corpus.versions.values() if v.source == SOURCE)


def _versions_in_current_build(store: Path) -> int:
    info = current_build(store)
    assert info is not None, "the store has no current build"
    opened = OxigraphStore(info.path / "oxigraph")
    try:
        return int(opened.select(COUNT_VERSIONS)[0]["n"] or 0)
    finally:
        opened.close()


def _start(data: Path, store: Path, i: int, published: str, revises: str, tmp: Path) -> subprocess.Popen[bytes]:
    text, statements = _files(tmp / f"upload-{i}", i)
    return subprocess.Popen(
        [sys.executable, "-m", "guidancekg.cli", "ingest", "--source", SOURCE, "--published", published,
         "--revises", revises, "--data", str(data), "--store", str(store), str(text),
         str(statements)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_9_at_random_moments_leaves_the_old_state_or_the_new(tmp_path):
    data = tiny_data(tmp_path / "data")
    store = tmp_path / "store"
    open_store(data, base=BASE, root=store)
    rng = random.Random(20190412)
    day = date(2020, 3, 1)

    # Calibrate: how long the work takes from the first line the ingest prints to its end.
    proc = _start(data, store, 0, day.isoformat(), V1, tmp_path)
    assert proc.stderr is not None
    proc.stderr.readline()
    started = time.monotonic()
    assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()
    work = time.monotonic() - started
    proc.stderr.close()
    latest = day.isoformat()

    outcomes: list[str] = []
    for i in range(1, ITERATIONS + 1):
        before = _versions_on_disk(data)
        day += timedelta(days=1)
        proc = _start(data, store, i, day.isoformat(), latest, tmp_path)
        assert proc.stderr is not None
        proc.stderr.readline()  # the ingest has begun (imports done, lock taken)
        time.sleep(rng.uniform(0.0, 1.2 * work))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()

        # The data folder: the old versions or the old ones and the new one, never anything in between.
        after = _versions_on_disk(data)
        assert after in (before, sorted([*before, day.isoformat()])), (i, before, after)
        # The store, before any repair: its current build opens and holds the old state or the new one.
        assert _versions_in_current_build(store) in (len(before), len(before) + 1)
        # Opening the graph recovers: it agrees with the data, answers, and leaves no staging folder.
        messages: list[str] = []
        graph = GuidanceGraph.open(data, base=BASE, store_root=store, say=messages.append)
        try:
            assert _versions_in_current_build(store) == len(after)
            assert len(graph.engine.guidance(date(2030, 1, 1), None).effective) >= 1
        finally:
            graph.close()
        assert not list((data / INGEST_DIR).glob("stage-*"))
        assert check_corpus(load_corpus(data)).problems == []  # the data folder loads and passes the checks
        if after != before:
            latest = day.isoformat()
        stale = any("stale" in m for m in messages)  # killed between the rename and the new build
        outcomes.append(("new, store rebuilt on open" if stale else "new") if after != before else "old")

    # Kills landed both before and after the commit point (the rename of the version folder).
    assert "old" in outcomes and any(o.startswith("new") for o in outcomes), outcomes
    compile_data(data, BASE)  # and the SHACL shapes too, on the final data folder
