"""The real server (``guidancekg serve``, waitress) over HTTP: the acceptance paths of issue 3."""

from __future__ import annotations

import json
import time

import pytest
import requests
from openapi_check import check
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import PROV, RDF

from guidancekg.api.settings import Settings
from guidancekg.graph.rdf.iris import DEFAULT_BASE

pytestmark = pytest.mark.server

GK = Namespace("https://w3id.org/guidancekg/ns#")
OA = Namespace("http://www.w3.org/ns/oa#")
RESTRICTION = "id/statement/alemtuzumab-eu-temporary-restriction-2019"
ORIGINALS = ("id/statement/alemtuzumab-eu-indication-2013", "id/statement/alemtuzumab-eu-licensed-rrms-2014")


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=30)


def test_guidance_on_the_day_of_the_restriction(live_server):
    resp = get(f"{live_server.url}/api/guidance?on=2019-04-12")
    assert resp.status_code == 200
    body = check(resp)
    base = DEFAULT_BASE  # the graph's IRIs are the project's, whatever the server's address
    effective = {s["id"]: s for s in body["statements"]}
    overridden = {s["id"]: s for s in body["overridden"]}
    assert base + RESTRICTION in effective
    for original in ORIGINALS:
        assert base + original in overridden
        assert overridden[base + original]["overridden_by"] == [base + RESTRICTION]
    for s in body["statements"] + body["overridden"]:
        for record in s["sources"]:
            assert {"source", "version", "published", "quote"} <= set(record)


def test_statement_iri_dereferences_as_turtle_with_provenance(live_server):
    body = get(f"{live_server.url}/api/guidance?on=2019-04-12").json()
    iri = next(s["id"] for s in body["statements"] if s["id"].endswith(RESTRICTION))
    # The server answers for the graph's IRIs at their path under its own URL.
    resp = get(live_server.url + "/" + iri.removeprefix(DEFAULT_BASE), Accept="text/turtle")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/turtle")
    check(resp)
    g = Graph().parse(data=resp.text, format="turtle")
    subject = URIRef(iri)
    assert (subject, RDF.type, GK.Statement) in g
    records = list(g.objects(subject, PROV.qualifiedDerivation))
    assert records
    assert all((r, PROV.entity, None) in g for r in records)
    assert list(g.triples((None, OA.exact, None)))


def test_bad_date_is_a_400_problem_naming_on(live_server):
    resp = get(f"{live_server.url}/api/guidance?on=2019-02-30")
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = check(resp)
    assert "on" in body["detail"] and body["parameter"] == "on"
    assert "<html" not in resp.text.lower() and "Traceback" not in resp.text


@pytest.mark.parametrize(("method", "path", "status", "headers"), [
    ("get", "/api/guidance?on=yesterday", 400, {}),
    ("get", "/api/guidance?on=2019-04", 400, {}),
    ("get", "/api/guidance?on=2019-04-12&topic=astrology", 400, {}),
    ("get", "/api/guidance?on=2019-04-12&drug=aspirin", 404, {}),
    ("get", "/nowhere", 404, {}),
    ("delete", "/api/guidance", 405, {}),
    ("get", "/api/guidance?on=2019-04-12", 406, {"Accept": "text/csv"}),
    ("get", "/id/statement/nope", 404, {"Accept": "text/turtle"}),
])
def test_errors_are_problems_over_http(live_server, method, path, status, headers):
    resp = requests.request(method, live_server.url + path, headers=headers, timeout=30)
    assert resp.status_code == status
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    check(resp)


def test_oversized_body_is_a_413_over_http(live_server):
    resp = requests.post(f"{live_server.url}/sparql", data=b"x" * (1024 * 1024 + 1),
                         headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert resp.status_code == 413
    assert resp.headers["Content-Type"].startswith("application/problem+json")


def test_conditional_get_and_cors_over_http(live_server):
    url = f"{live_server.url}/api/guidance?on=2019-04-12"
    first = get(url, Origin="https://example.org")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = get(url, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_docs_and_openapi_over_http(live_server):
    check(get(f"{live_server.url}/api/openapi.json"))
    resp = get(f"{live_server.url}/api/docs")
    assert resp.status_code == 200 and "Content-Security-Policy" in resp.headers


def test_the_served_graph_conforms(live_server):
    # Regression: Oxigraph stores oa:start/oa:end (xsd:nonNegativeInteger) as xsd:integer; the shapes accept both.
    body = check(get(f"{live_server.url}/api/validate"))
    assert body["conforms"], body["results"][:3]


def test_serve_beyond_loopback_warns_that_the_endpoint_is_open(tmp_path, live_server):
    """Issue 14, finding 5: ``serve --host 0.0.0.0`` used to start without a word about who can reach it."""
    from conftest import LiveServer

    assert "warning: listening" not in live_server.log.read_text(errors="replace")  # loopback: nothing to say
    token_file = tmp_path / "token"
    token_file.write_text("a-token-of-twenty-chars\n", encoding="utf-8")
    server = LiveServer(tmp_path, "--host", "0.0.0.0", "--store-kind", "memory", "--ingest-token-file",
                        str(token_file))
    try:
        assert get(f"{server.url}/api/sources").status_code == 200
        log = server.log.read_text(errors="replace")
    finally:
        server.stop()
    assert "warning: listening on 0.0.0.0: the API and the SPARQL endpoint are open to every network" in log
    assert "reverse proxy with TLS" in log and "set --base to the URL clients use" in log
    assert "ingest over HTTP is enabled: its bearer token crosses the network in clear" in log
    assert "a-token-of-twenty-chars" not in log


# -- bodies refused before they are read (issue 14, finding 5) -------------------------------------------------------


def raw_request(server, head: str, body: bytes = b"", wait: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` (and ``body``) on a socket of its own; return the status, headers and body of the answer."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head_part, _, rest = data.partition(b"\r\n\r\n")
        lines = head_part.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        while len(rest) < int(headers.get("content-length", "0")):
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    return int(lines[0].split()[1]), headers, rest


def test_a_body_over_its_routes_limit_is_refused_before_it_is_read(live_server):
    """The server used to read any body (up to waitress's 1 GiB) before the app said 413."""
    started = time.monotonic()
    status, headers, body = raw_request(live_server, "POST /sparql HTTP/1.1\nHost: x\n"
                                        "Content-Type: application/sparql-query\nContent-Length: 1073741824\n")
    assert status == 413 and time.monotonic() - started < 2.0  # no byte of the gigabyte was sent
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["detail"] == "The request body has 1073741824 bytes or more; the limit is 1048576 bytes."


def test_a_chunked_body_is_stopped_once_it_passes_the_limit(live_server):
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(24))  # 1.5 MiB, never terminated
    status, headers, body = raw_request(live_server, "POST /sparql HTTP/1.1\nHost: x\n"
                                        "Content-Type: application/sparql-query\nTransfer-Encoding: chunked\n", chunks)
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert "the limit is 1048576 bytes" in json.loads(body)["detail"]


def test_the_body_limit_is_exactly_the_documented_one(live_server):
    limit = Settings().max_body_bytes
    at_limit = requests.post(f"{live_server.url}/sparql", data=b"#" * limit, timeout=60,
                             headers={"Content-Type": "application/sparql-query"})
    # Read, then refused for what it says (a query longer than SPARQL_MAX_QUERY_BYTES), not for its size.
    assert at_limit.json()["type"].endswith("/too-large") and "SPARQL_MAX_QUERY_BYTES" in at_limit.json()["detail"]
    over = requests.post(f"{live_server.url}/sparql", data=b"#" * (limit + 1), timeout=60,
                         headers={"Content-Type": "application/sparql-query"})
    assert over.status_code == 413 and over.json()["type"].endswith("/request-entity-too-large")


# -- large bodies sent in place (api/server.py in_place) ----------------------------------------------------


@pytest.fixture
def waitress_of():
    """Serve a WSGI app with the real waitress, wrapped by ``in_place``, on a free loopback port, in a thread."""
    import threading

    from waitress.server import create_server

    from guidancekg.api.server import in_place

    servers = []
    stopping = threading.Event()

    def run(server) -> None:
        try:
            server.run()
        except OSError:  # its socket closed under its loop at the end of the test
            if not stopping.is_set():
                raise

    def start(app) -> str:
        server = create_server(in_place(app), host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=run, args=(server,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    stopping.set()
    for server in servers:
        server.close()


class _Closing:
    """A WSGI body of given pieces that records when it is closed."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces, self.closed, self.read = pieces, 0, 0

    def __iter__(self):
        for piece in self.pieces:
            self.read += 1
            yield piece

    def close(self) -> None:
        self.closed += 1


def test_a_large_body_in_one_piece_arrives_whole_and_the_apps_body_is_closed(waitress_of):
    body = bytes(range(256)) * 48_000 + b"end"  # 12 MB, every byte value: more than one send takes
    seen: list[_Closing] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))])
        seen.append(_Closing([body]))
        return seen[-1]

    url = waitress_of(app)
    for _ in range(3):  # keep-alive: the same connection again after a body sent in place
        resp = requests.get(url, timeout=30)
        assert resp.status_code == 200 and resp.content == body
        assert int(resp.headers["Content-Length"]) == len(body)
    assert [b.closed for b in seen] == [1, 1, 1]
    head = requests.head(url, timeout=30)
    assert head.content == b"" and int(head.headers["Content-Length"]) == len(body)


def test_a_streamed_body_is_passed_on_piece_by_piece_and_closed_once(waitress_of):
    pieces = [bytes([n]) * 100_000 for n in range(5)]
    seen: list[_Closing] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        seen.append(_Closing(pieces))
        return seen[-1]

    resp = requests.get(waitress_of(app), timeout=30)
    assert resp.content == b"".join(pieces)
    assert seen[0].read == len(pieces) and seen[0].closed == 1


def test_a_large_answer_of_the_real_server_is_whole(live_server):
    url = f"{live_server.url}/api/changes?from=2000-01-01&to=2025-01-01"
    resp = get(url)
    assert len(resp.content) == int(resp.headers["Content-Length"]) > 64 * 1024
    assert resp.json()["changes"]
    again = get(url, **{"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
