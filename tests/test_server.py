"""The real server (``guidancekg serve``, waitress) over HTTP: the acceptance paths of issue 3."""

from __future__ import annotations

import pytest
import requests
from openapi_check import check
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import PROV, RDF

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
    server = LiveServer(tmp_path, "--host", "0.0.0.0", "--store-kind", "memory")
    try:
        assert get(f"{server.url}/api/sources").status_code == 200
        log = server.log.read_text(errors="replace")
    finally:
        server.stop()
    assert "warning: listening on 0.0.0.0: the API and the SPARQL endpoint are open to every network" in log
    assert "reverse proxy with TLS" in log and "set --base to the URL clients use" in log
