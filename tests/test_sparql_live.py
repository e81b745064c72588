"""/sparql on the real server (``guidancekg serve``, on-disk Oxigraph store): clients, formats and safety."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import LiveServer
from rdflib import Graph

from benchmarks.hostile import Listener
from guidancekg.graph.sparql.library import QUERIES_DIR

pytestmark = pytest.mark.server

GUIDANCE = QUERIES_DIR / "guidance-on-date.rq"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def sparql(server, query: str, accept: str = "application/sparql-results+json", **params) -> requests.Response:
    return requests.post(f"{server.url}/sparql", data={"query": query, **params}, headers={"Accept": accept},
                         timeout=60)


def api_statement_ids(server, on: str) -> set[str]:
    resp = requests.get(f"{server.url}/api/guidance", params={"on": on}, timeout=30)
    assert resp.status_code == 200
    return {s["id"] for s in resp.json()["statements"]}


def library_date(text: str) -> str:
    return re.search(r'VALUES \(\?on \?known\) \{ \("(\d{4}-\d\d-\d\d)"', text).group(1)


# -- clients ------------------------------------------------------------------------------------------------


def test_sparqlwrapper_json_and_xml(live_server):
    from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

    text = GUIDANCE.read_text(encoding="utf-8")
    expected = api_statement_ids(live_server, library_date(text))
    for method in ("GET", POST):
        client = SPARQLWrapper(f"{live_server.url}/sparql")
        client.setMethod(method)
        client.setQuery(text)
        client.setReturnFormat(JSON)
        data = client.query().convert()
        assert {b["statement"]["value"] for b in data["results"]["bindings"]} == expected
        client.setReturnFormat(XML)
        document = client.query().convert()  # an xml.dom.minidom document
        uris = {node.firstChild.data for node in document.getElementsByTagName("uri")
                if node.parentNode.getAttribute("name") == "statement"}
        assert uris == expected


def test_sparqlwrapper_ask_and_construct(live_server):
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{live_server.url}/sparql")
    client.setQuery("PREFIX gk: <https://w3id.org/guidancekg/ns#> ASK { ?s a gk:Statement }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    client.setQuery("PREFIX gk: <https://w3id.org/guidancekg/ns#> CONSTRUCT { ?s gk:wording ?w } "
                    "WHERE { ?s gk:wording ?w }")
    client.setReturnFormat(XML)  # RDF/XML for a graph
    graph = client.query().convert()
    assert isinstance(graph, Graph) and len(graph) >= 10


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_rdflib_sparqlstore(live_server, fmt):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    text = GUIDANCE.read_text(encoding="utf-8")
    store = SPARQLStore(query_endpoint=f"{live_server.url}/sparql", returnFormat=fmt)
    try:
        rows = list(store.query(text))
        assert {str(r.statement) for r in rows} == api_statement_ids(live_server, library_date(text))
        assert bool(store.query("ASK { ?s ?p ?o }")) is True
    finally:
        store.close()


# -- the acceptance criteria ----------------------------------------------------------------------------------


def test_curl_csv_of_the_library_query_equals_api_guidance(live_server):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    out = subprocess.run(["curl", "-sS", "--fail", "--data-urlencode", f"query@{GUIDANCE}",
                          f"{live_server.url}/sparql", "-H", "Accept: text/csv"],
                         capture_output=True, timeout=60, check=True)
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"), newline="")))
    expected = api_statement_ids(live_server, library_date(GUIDANCE.read_text(encoding="utf-8")))
    assert {r["statement"] for r in rows} == expected and rows


@pytest.mark.parametrize(("accept", "dialect"), [("text/csv", "excel"), ("text/tab-separated-values", "excel-tab")])
def test_csv_and_tsv_parse_with_the_csv_module(live_server, accept, dialect):
    text = GUIDANCE.read_text(encoding="utf-8").replace('"2019-04-12"^^xsd:date', '"2019-06-01"^^xsd:date', 1)
    resp = sparql(live_server, text, accept)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(accept)
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8"), newline=""), dialect=dialect))
    header = [c.lstrip("?") for c in rows[0]]
    assert header == ["statement", "key", "topic", "jurisdiction", "text"]
    column = header.index("statement")
    ids = {r[column].strip("<>") for r in rows[1:]}
    assert ids == api_statement_ids(live_server, "2019-06-01")


def test_insert_data_is_refused(live_server):
    before = sparql(live_server, COUNT).json()
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    for resp in (
        requests.post(f"{live_server.url}/sparql", data=update.encode(),
                      headers={"Content-Type": "application/sparql-update"}, timeout=30),
        requests.post(f"{live_server.url}/sparql", data={"update": update}, timeout=30),
        sparql(live_server, update),
    ):
        assert resp.status_code == 400
        assert resp.headers["Content-Type"].startswith("application/problem+json")
        assert "read-only" in resp.json()["detail"]
    assert sparql(live_server, COUNT).json() == before


def test_no_request_makes_the_server_connect_anywhere(live_server):
    listener = Listener()
    target = listener.url
    try:
        refused = [
            sparql(live_server, f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"),
            sparql(live_server, f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE SILENT <{target}> {{ ?x ?p ?o }} }}"
                                " }"),
            sparql(live_server, f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}"),
            sparql(live_server, f"LOAD <{target}>"),
            requests.post(f"{live_server.url}/sparql", data=f"LOAD <{target}> INTO GRAPH <http://example.org/g>",
                          headers={"Content-Type": "application/sparql-update"}, timeout=30),
        ]
        assert [r.status_code for r in refused] == [400] * len(refused)
        answered = [
            sparql(live_server, f"SELECT (COUNT(*) AS ?n) FROM <{target}> WHERE {{ ?s ?p ?o }}"),
            sparql(live_server, f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
            sparql(live_server, COUNT, **{"default-graph-uri": target, "named-graph-uri": target}),
            sparql(live_server, f"DESCRIBE <{target}>", "application/ld+json"),
            sparql(live_server, f"BASE <{target}> CONSTRUCT {{ <s> <p> <o> }} WHERE {{}}", "application/ld+json"),
            sparql(live_server, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 20", "application/ld+json"),
        ]
        assert [r.status_code for r in answered] == [200] * len(answered)
        # Documents that would make a careless parser fetch: a JSON-LD remote context, an XML external entity.
        jsonld = json.dumps({"@context": target, "@id": "http://example.org/a", "p": "v"})
        rdfxml = (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{target}">]>'
                  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>')
        for body, content_type in ((jsonld, "application/ld+json"), (rdfxml, "application/rdf+xml"),
                                   (rdfxml, "application/xml")):
            resp = requests.post(f"{live_server.url}/sparql", data=body.encode(),
                                 headers={"Content-Type": content_type}, timeout=30)
            assert resp.status_code == 415
    finally:
        listener.close()
    assert listener.connections == 0


def test_cartesian_product_is_stopped_while_the_api_keeps_answering(short_timeout_server: LiveServer):
    server = short_timeout_server
    assert sparql(server, "ASK {}").status_code == 200  # the workers are up
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        resp = sparql(server, CARTESIAN)
        outcome["elapsed"] = time.monotonic() - started
        outcome["response"] = resp

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    api_times = []
    while thread.is_alive() and len(api_times) < 50:
        started = time.monotonic()
        resp = requests.get(f"{server.url}/api/guidance", params={"on": "2019-05-01"}, timeout=5)
        api_times.append(time.monotonic() - started)
        assert resp.status_code == 200
        time.sleep(0.1)
    thread.join(30)
    assert api_times and max(api_times) < 1.0, api_times
    resp = outcome["response"]
    assert isinstance(resp, requests.Response) and resp.status_code == 503
    assert resp.json()["type"].endswith("/query-timeout")
    assert 2.0 <= float(outcome["elapsed"]) < 5.0  # type: ignore[arg-type]
    # The worker was replaced: queries are answered again.
    assert sparql(server, COUNT).status_code == 200


def test_the_server_log_is_quiet_about_internals(short_timeout_server: LiveServer):
    log = Path(short_timeout_server.log).read_text(errors="replace")
    assert "Traceback" not in log


def test_thirty_two_slow_queries_never_hold_up_the_json_api(short_timeout_server: LiveServer):
    """Issue 14, finding 2: eight slow queries used to make ``/api/guidance`` answer after 9 s, SPARQL requests
    waiting for a worker holding the web server's threads. Now the ones that cannot run are refused at once."""
    from benchmarks.flood import run as flood

    assert sparql(short_timeout_server, "ASK {}").status_code == 200  # the workers are up
    report = flood(short_timeout_server.url, clients=32)
    outcomes = report.outcomes()
    assert set(outcomes) <= {"answered", "timeout", "busy"}, outcomes  # every refusal carries Retry-After
    assert outcomes.get("busy", 0) >= 32 - 2 - 2  # 2 workers run, at most 2 more wait
    assert len(report.probe_ms) >= 5 and report.probe_failures == 0
    assert max(report.probe_ms) < 1000, sorted(report.probe_ms)[-5:]
    assert sparql(short_timeout_server, COUNT).status_code == 200  # and the endpoint answers again


def test_the_eight_digit_escape_query_of_issue_14_connects_nowhere(live_server):
    """Issue 14, finding 1: this query used to make the server connect to the address in its SERVICE clause."""
    from benchmarks.hostile import escape_family

    listener = Listener()
    try:
        for h in escape_family(listener.url):
            if h.form == "query":
                resp = sparql(live_server, h.text)
                assert resp.status_code == 400 or (resp.status_code == 200 and not resp.json()["results"]["bindings"])
    finally:
        listener.close()
    assert listener.connections == 0
