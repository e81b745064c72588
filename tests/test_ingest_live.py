"""Ingest through the real server: readers see the old state or the new, never half; the new version is
visible at once and after a restart; the same request again changes nothing; the token is never logged."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import LiveServer
from ingest_data.helpers import SOURCE, V1, V2, add_test_source, v2_files

pytestmark = pytest.mark.server

BASE = "http://localhost/"
TOKEN = "live-test-token-0123456789abcdef"
READS = ("/api/sources", "/api/guidance?on=2020-03-01&drug=testdrug", "/api/timeline?drug=testdrug")


def _post(url: str, token: str = TOKEN) -> requests.Response:
    text, statements = v2_files()
    return requests.post(f"{url}/api/sources/{SOURCE}/versions", headers={"Authorization": f"Bearer {token}"},
                         files={"text": ("text-v2.txt", text), "statements": ("statements-v2.yaml", statements)},
                         data={"published": V2, "revises": V1}, timeout=60)


def _files(data: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file() and ".ingest" not in p.parts}


def test_ingest_through_the_live_server(data_copy, tmp_path):
    add_test_source(data_copy)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    args = ("--data", str(data_copy), "--base", BASE, "--ingest-token-file", str(token_file))
    server = LiveServer(tmp_path, *args)
    try:
        old = {path: requests.get(server.url + path, timeout=30).text for path in READS}
        assert "test-statement-three" in old[READS[1]] and "test-statement-four" not in old[READS[1]]

        # Readers run all through the ingest; each answer must be the old state or the new one.
        seen: list[tuple[str, str, float]] = []
        stop = threading.Event()

        def read() -> None:
            session = requests.Session()
            while not stop.is_set():
                for path in READS:
                    resp = session.get(server.url + path, timeout=30)
                    assert resp.status_code == 200
                    seen.append((path, resp.text, time.monotonic()))

        readers = [threading.Thread(target=read, daemon=True) for _ in range(4)]
        for t in readers:
            t.start()
        time.sleep(0.3)
        began = time.monotonic()
        created = _post(server.url)
        ended = time.monotonic()
        time.sleep(0.3)
        stop.set()
        for t in readers:
            t.join(timeout=30)

        assert created.status_code == 201, created.text
        assert created.headers["Location"] == f"{BASE}id/version/{SOURCE}/{V2}"
        new = {path: requests.get(server.url + path, timeout=30).text for path in READS}
        assert all(new[p] != old[p] for p in READS)
        assert "test-statement-four" in new[READS[1]]  # visible at once
        during = [s for s in seen if began <= s[2] <= ended]
        assert len(during) >= 3, "no reads ran during the ingest"
        mixed = [(path, body[:200]) for path, body, _ in seen if body not in (old[path], new[path])]
        assert not mixed, mixed

        # The SPARQL endpoint answers from the new store too.
        query = f"ASK {{ <{BASE}id/version/{SOURCE}/{V2}> ?p ?o }}"
        ask = requests.get(server.url + "/sparql", params={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert ask.status_code == 200 and ask.json()["boolean"] is True

        # The same request again changes nothing.
        files = _files(data_copy)
        builds = sorted(p.name for p in (tmp_path / "store" / "builds").iterdir())
        again = _post(server.url)
        assert again.status_code == 200 and again.json()["created"] is False
        assert _files(data_copy) == files
        assert sorted(p.name for p in (tmp_path / "store" / "builds").iterdir()) == builds
        assert requests.get(server.url + READS[1], timeout=30).text == new[READS[1]]

        assert _post(server.url, token="wrong-token-0123456789").status_code == 403
    finally:
        server.stop()
    assert TOKEN not in server.log.read_text(errors="replace")

    # After a restart the new version is still there (the build the ingest made current is reopened).
    restarted = LiveServer(tmp_path, *args)
    try:
        assert requests.get(restarted.url + READS[1], timeout=30).text == new[READS[1]]
        assert restarted.log.read_text(errors="replace").count("building") == 0
    finally:
        restarted.stop()
