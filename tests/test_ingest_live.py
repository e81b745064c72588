"""Ingest through the real server: readers see the old state or the new, never half; the new version is
visible at once and after a restart; the same request again changes nothing; the token is never logged."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import LiveServer
from ingest_data.helpers import HERE, SOURCE, V1, V2, add_test_source, tiny_data, v2_files

from guidancekg.graph.rdf.iris import DEFAULT_BASE

pytestmark = pytest.mark.server

BASE = DEFAULT_BASE  # the graph's IRIs: the project's, whatever the server's address
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
    args = ("--data", str(data_copy), "--ingest-token-file", str(token_file))
    server = LiveServer(tmp_path, *args)
    try:
        old = {path: requests.get(server.url + path, timeout=30).text for path in READS}
        old_build = (tmp_path / "store" / "current").resolve().name
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

        # Issue 14, finding 5: the first /api/validate after an ingest used to run SHACL on the whole graph, on
        # the request. The report is computed once, in the background, and kept in the build.
        deadline = time.monotonic() + 120
        while True:
            started = time.monotonic()
            report = requests.get(server.url + "/api/validate", timeout=30)
            assert time.monotonic() - started < 0.5
            if report.status_code == 200:
                break
            assert report.status_code == 503 and report.headers["Retry-After"] and time.monotonic() < deadline
            time.sleep(0.2)
        assert report.json()["conforms"] is True
        assert list((tmp_path / "store" / "builds").glob("*/validation.json"))

        # The same request again changes nothing.
        files = _files(data_copy)
        current = (tmp_path / "store" / "current").resolve()
        again = _post(server.url)
        assert again.status_code == 200 and again.json()["created"] is False
        assert _files(data_copy) == files
        # No build written (a superseded one nobody reads any more may have been collected meanwhile).
        assert (tmp_path / "store" / "current").resolve() == current
        assert {p.name for p in (tmp_path / "store" / "builds").iterdir()} <= {current.name, old_build}
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


# -- the command line writes while a server runs (issue 14, finding 3) ---------------------------------------------

V3 = "2020-03-15"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _v3_files(folder: Path) -> tuple[Path, Path]:
    """Write a third version of the test source: the second's text and statements again, and one statement more."""
    text, _statements = v2_files()
    extra = "Test guidance sentence five, added later."
    (folder / "text-v3.txt").write_bytes(text + extra.encode() + b"\n")
    quotes = {"test-statement-one": (0, 41), "test-statement-two-reworded": (42, 79),
              "test-statement-four": (80, 124)}
    lines = []
    for key, (start, end) in quotes.items():
        lines += [f"- asserts: {key}", "  quote:", f"    exact: {text[start:end].decode()}",
                  f"    start: {start}", f"    end: {end}"]
    lines += ["- id: test-statement-five", "  drug: testdrug", "  topic: monitoring",
              "  valid_from_basis: publication-date", "  quote:", f"    exact: {extra}",
              f"    start: {len(text)}", f"    end: {len(text) + len(extra)}"]
    (folder / "statements-v3.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "text-v3.txt", folder / "statements-v3.yaml"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guidancekg.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_ingests_and_a_build_while_the_server_runs_never_give_a_5xx(data_copy, tmp_path):
    """``guidancekg ingest`` (twice) and ``guidancekg build`` from another process while ``guidancekg serve`` runs:
    the server used to lose its build folder (503 "could not open the store ... No such file"). Now it answers
    throughout, before and after a query that hits the time limit, swaps the new builds in, and the superseded
    builds are collected once it lets go of them."""
    add_test_source(data_copy)
    store = tmp_path / "store"
    server = LiveServer(tmp_path, "--data", str(data_copy), "--sparql-timeout", "2")
    statuses: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def poll(path: str) -> None:
        session = requests.Session()
        while not stop.is_set():
            resp = session.get(server.url + path, timeout=60)
            statuses.append((path, resp.status_code, resp.text[:300] if resp.status_code >= 500 else ""))
            time.sleep(0.05)

    def slow_query() -> requests.Response:
        return requests.post(f"{server.url}/sparql", data={"query": SLOW}, timeout=60)

    # One reader of each: with the slow queries, no more SPARQL requests at once than there are workers (2), so
    # that admission control never has a reason to refuse one.
    pollers = [threading.Thread(target=poll, args=(path,), daemon=True)
               for path in ("/api/guidance?on=2020-04-01&drug=testdrug", "/sparql?query=ASK%20%7B%7D")]
    try:
        for t in pollers:
            t.start()
        assert slow_query().json()["type"].endswith("/query-timeout")
        text, statements = HERE / "text-v2.txt", HERE / "statements-v2.yaml"
        first = _cli("ingest", "--data", str(data_copy), "--store", str(store), "--source", SOURCE,
                     "--published", V2, "--revises", V1, str(text), str(statements))
        assert first.returncode == 0, first.stderr
        text3, statements3 = _v3_files(tmp_path)
        second = _cli("ingest", "--data", str(data_copy), "--store", str(store), "--source", SOURCE,
                      "--published", V3, "--revises", V2, str(text3), str(statements3))
        assert second.returncode == 0, second.stderr
        built = _cli("build", "--data", str(data_copy), "--store", str(store))
        assert built.returncode == 0, built.stderr
        assert slow_query().json()["type"].endswith("/query-timeout")
        # The server swaps in the newest build by itself (GUIDANCEKG_STORE_CHECK, 2 s by default).
        deadline = time.monotonic() + 30
        while "test-statement-five" not in requests.get(f"{server.url}/api/guidance?on=2020-04-01&drug=testdrug",
                                                        timeout=30).text:
            assert time.monotonic() < deadline, "the server never served the new build"
            time.sleep(0.5)
        query = f"ASK {{ <{BASE}id/version/{SOURCE}/{V3}> ?p ?o }}"
        ask = requests.get(server.url + "/sparql", params={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        # The builds the server let go of (after SPARQL_TIMEOUT + 5 s) are collected by the next build.
        time.sleep(2 + 5 + 1)
        assert _cli("build", "--data", str(data_copy), "--store", str(store)).returncode == 0
        kept = [p.name for p in (store / "builds").iterdir() if not p.name.startswith(".")]
        assert len(kept) == 1, kept
    finally:
        stop.set()
        for t in pollers:
            t.join(timeout=60)
        server.stop()
    assert len(statuses) > 20
    assert [s for s in statuses if s[1] >= 500] == []
    assert "No such file" not in server.log.read_text(errors="replace")


def test_a_cli_and_servers_at_other_addresses_share_one_build(tmp_path):
    """Issue 14, finding 3: a CLI and a server with different base IRIs rebuilt the store at each switch. The
    graph's IRIs no longer depend on where a server answers: two servers with other public URLs open the build
    the CLI made, and the CLI's next build finds it current and writes nothing."""
    data = tiny_data(tmp_path / "data")
    store = tmp_path / "store"
    assert _cli("build", "--data", str(data), "--store", str(store)).returncode == 0
    (name,) = [p.name for p in (store / "builds").iterdir() if not p.name.startswith(".")]
    created = json.loads((store / "builds" / name / "build.json").read_text(encoding="utf-8"))["created"]
    servers = []
    try:
        for n in (1, 2):
            (tmp_path / f"server-{n}").mkdir()
            servers.append(LiveServer(tmp_path / f"server-{n}", "--data", str(data), "--store", str(store),
                                      "--base", f"https://guidance-{n}.example/"))
        for server in servers:
            statements = requests.get(f"{server.url}/api/guidance?on=2020-03-01&drug=testdrug",
                                      timeout=30).json()["statements"]
            assert statements and all(s["id"].startswith(f"{BASE}id/statement/") for s in statements)
        again = _cli("build", "--data", str(data), "--store", str(store))
        assert again.returncode == 0, again.stderr
    finally:
        for server in servers:
            server.stop()
    assert [p.name for p in (store / "builds").iterdir() if not p.name.startswith(".")] == [name]
    assert json.loads((store / "builds" / name / "build.json").read_text(encoding="utf-8"))["created"] == created


def test_a_600_byte_yaml_bomb_is_a_422_at_once_and_a_one_line_error_from_the_cli(data_copy, tmp_path):
    """Issue 14, finding 4: nested aliases in an ingested statements.yaml grew the server to its memory cap and
    answered 500 after 48 s; the command line died with a traceback."""
    from test_yamlfile import LAUGHS

    add_test_source(data_copy)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    server = LiveServer(tmp_path, "--data", str(data_copy), "--ingest-token-file", str(token_file),
                        "--store-kind", "memory")
    text, _statements = v2_files()
    try:
        started = time.monotonic()
        resp = requests.post(f"{server.url}/api/sources/{SOURCE}/versions",
                             headers={"Authorization": f"Bearer {TOKEN}"},
                             files={"text": ("text-v2.txt", text), "statements": ("statements.yaml", LAUGHS)},
                             data={"published": V2, "revises": V1}, timeout=60)
        elapsed = time.monotonic() - started
        assert resp.status_code == 422 and resp.headers["Content-Type"].startswith("application/problem+json")
        assert elapsed < 1.0, elapsed
        assert "statements.yaml:1" in resp.json()["detail"] and "aliases" in resp.json()["detail"]
        assert requests.get(f"{server.url}/api/sources", timeout=30).status_code == 200
    finally:
        server.stop()
    (tmp_path / "statements.yaml").write_text(LAUGHS, encoding="utf-8")
    (tmp_path / "text.txt").write_bytes(text)
    cli = _cli("ingest", "--data", str(data_copy), "--store", str(tmp_path / "cli-store"), "--source", SOURCE,
               "--published", V2, "--revises", V1, str(tmp_path / "text.txt"), str(tmp_path / "statements.yaml"))
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    errors = [line for line in cli.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "statements.yaml:1" in errors[0] and "aliases" in errors[0], cli.stderr


def test_an_ingest_is_refused_before_its_body_is_read(data_copy, tmp_path):
    """Issue 14, finding 5: an ingest body was read in full before the 401 (or the 413)."""
    from test_server import raw_request

    add_test_source(data_copy)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    server = LiveServer(tmp_path, "--data", str(data_copy), "--ingest-token-file", str(token_file),
                        "--store-kind", "memory", "--ingest-max-bytes", "1000")
    head = f"POST /api/sources/{SOURCE}/versions HTTP/1.1\nHost: x\nContent-Type: multipart/form-data; boundary=b\n"
    try:
        started = time.monotonic()
        status, headers, body = raw_request(server, head + "Content-Length: 10000000\n")
        assert status == 401 and headers["www-authenticate"].startswith("Bearer")
        assert headers["content-type"] == "application/problem+json" and json.loads(body)["status"] == 401
        status, _headers, body = raw_request(server, head + "Content-Length: 10000000\n"
                                             "Authorization: Bearer wrong-token-0123456789\n")
        assert status == 403 and json.loads(body)["type"].endswith("/forbidden")
        status, _headers, body = raw_request(server, head + f"Content-Length: {2 * 1000 + 65536 + 1}\n"
                                             f"Authorization: Bearer {TOKEN}\n")
        assert status == 413 and "the limit is 67536 bytes" in json.loads(body)["detail"]
        assert time.monotonic() - started < 3.0  # three answers, and not one byte of any body sent
        # A file over INGEST_MAX_BYTES in a body within the limit: 413 naming the file.
        text, statements = v2_files()
        resp = requests.post(f"{server.url}/api/sources/{SOURCE}/versions",
                             headers={"Authorization": f"Bearer {TOKEN}"},
                             files={"text": ("text-v2.txt", text + b" " * 1000), "statements": ("s.yaml", statements)},
                             data={"published": V2, "revises": V1}, timeout=60)
        assert resp.status_code == 413 and "text-v2.txt" in resp.json()["detail"]
        assert "the limit is 1000 bytes" in resp.json()["detail"]
    finally:
        server.stop()


def test_the_ingest_limit_is_the_same_for_the_server_the_cli_and_the_docs(data_copy, tmp_path, runner):
    from guidancekg.api.settings import Settings
    from guidancekg.cli.main import main
    from guidancekg.graph.ingest.versions import DEFAULT_MAX_BYTES

    limit = Settings().ingest_max_bytes
    assert limit == DEFAULT_MAX_BYTES
    assert f"INGEST_MAX_BYTES (default: {limit})" in " ".join(runner.invoke(main, ["ingest", "--help"]).output.split())
    doc = (Path(__file__).resolve().parents[1] / "docs" / "ingest-and-propose.md").read_text(encoding="utf-8")
    assert f"`INGEST_MAX_BYTES` ({limit} bytes by default" in doc
    add_test_source(data_copy)
    text, statements = v2_files()
    (tmp_path / "text.txt").write_bytes(text + b" " * (limit + 1 - len(text)))
    (tmp_path / "statements.yaml").write_bytes(statements)
    cli = _cli("ingest", "--data", str(data_copy), "--store", str(tmp_path / "store"), "--source", SOURCE,
               "--published", V2, str(tmp_path / "text.txt"), str(tmp_path / "statements.yaml"))
    assert cli.returncode == 1 and f"has {limit + 1} bytes; the limit is {limit} bytes" in cli.stderr
