"""Two ``guidancekg serve`` processes over one remote store (docs/deployment.md): an ingest through one, and both
give the same answers once the other has swapped in the new build; neither reads the model over SPARQL.

Runs against the real Virtuoso server of ``.ci/run`` (``GUIDANCEKG_TEST_VIRTUOSO_URL``), and is skipped, saying
so, without one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests
from conftest import DATA
from ingest_data.helpers import SOURCE, V1, V2, add_test_source, v2_files

from benchmarks.server import Server
from guidancekg.graph.stores.kinds import open_store

VIRTUOSO = os.environ.get("GUIDANCEKG_TEST_VIRTUOSO_URL")
pytestmark = [pytest.mark.server, pytest.mark.skipif(
    not VIRTUOSO, reason="no SPARQL server configured: set GUIDANCEKG_TEST_VIRTUOSO_URL (.ci/run starts Virtuoso)")]

TOKEN = "replica-test-token-0123456789abcdef"
READS = ("/api/sources", "/api/guidance?on=2020-03-01&drug=testdrug", "/api/timeline?drug=testdrug",
         "/api/changes?from=2019-01-01&to=2021-12-31&drug=testdrug", "/api/guidance?on=2019-04-18")


def _answers(server: Server) -> dict[str, str]:
    out = {}
    for path in READS:
        resp = requests.get(server.url + path, timeout=30)
        assert resp.status_code == 200, (path, resp.text[:300])
        out[path] = resp.text
    return out


def _wait_for(server: Server, wanted: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wanted in requests.get(server.url + READS[1], timeout=30).text:
            return
        time.sleep(0.5)
    raise AssertionError(f"{server.url} did not swap in the new build within {timeout:.0f} s: "
                         f"{server.log.read_text(errors='replace')[-2000:]}")


def test_two_servers_over_one_remote_store_answer_alike_after_an_ingest(data_copy, tmp_path, monkeypatch):
    add_test_source(data_copy)
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("GUIDANCEKG_STORE_CHECK", "0.5")  # how often a server looks for a newer build
    monkeypatch.setenv("GUIDANCEKG_STORE_URL", VIRTUOSO or "")
    shared = ("--data", str(data_copy), "--store-kind", "remote", "--store-url", VIRTUOSO or "",
              "--store", str(tmp_path / "builds"), "--ingest-token-file", str(token))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = Server(*shared, workdir=tmp_path / "a", start_timeout=180)
    try:
        second = Server(*shared, workdir=tmp_path / "b", start_timeout=180)
        try:
            before = _answers(first)
            assert _answers(second) == before
            assert "test-statement-three" in before[READS[1]] and "test-statement-four" not in before[READS[1]]
            assert "writing it from" not in second.log.read_text(errors="replace")  # it found the first's snapshot

            text, statements = v2_files()
            created = requests.post(f"{first.url}/api/sources/{SOURCE}/versions",
                                    headers={"Authorization": f"Bearer {TOKEN}"},
                                    files={"text": ("text-v2.txt", text),
                                           "statements": ("statements-v2.yaml", statements)},
                                    data={"published": V2, "revises": V1}, timeout=120)
            assert created.status_code == 201, created.text
            _wait_for(first, "test-statement-four", timeout=5)  # the ingesting server serves it at once
            _wait_for(second, "test-statement-four")
            after = _answers(first)
            assert _answers(second) == after
            assert all(after[p] != before[p] for p in READS[:4])
        finally:
            second.stop()
    finally:
        first.stop()
        open_store(DATA, base="http://localhost/", kind="remote", root=tmp_path / "restore")  # as the others expect


def test_a_replica_without_the_snapshot_writes_it_from_the_data_never_from_the_server(data_copy, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_STORE_URL", VIRTUOSO or "")
    said: list[str] = []
    store, _ = open_store(data_copy, base="http://localhost/", kind="remote", root=tmp_path / "one", say=said.append)
    store.close()
    said.clear()
    other, _ = open_store(data_copy, base="http://localhost/", kind="remote", root=tmp_path / "two",
                          say=said.append)
    try:
        assert any("no snapshot of the remote store's build" in m for m in said), said
        assert not any("loading it" in m for m in said), said  # the server was not loaded again
        assert other.build_dir is not None and Path(other.build_dir, "snapshot", "snapshot.json").is_file()
    finally:
        other.close()
