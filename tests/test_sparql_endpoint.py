"""/sparql through the Flask test client: protocol forms, content negotiation, service description, page, limits."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from guidancekg.api.app import create_app
from guidancekg.api.sparql_endpoint import library_queries
from guidancekg.graph.sparql.library import QUERIES_DIR

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROBLEM = "application/problem+json"
ASK = "ASK { ?s ?p ?o }"
SELECT = ("PREFIX gk: <https://w3id.org/guidancekg/ns#> PREFIX dcterms: <http://purl.org/dc/terms/> "
          "SELECT ?s ?key WHERE { ?s a gk:Statement ; dcterms:identifier ?key } ORDER BY ?key LIMIT 3")
CONSTRUCT = ("PREFIX gk: <https://w3id.org/guidancekg/ns#> "
             "CONSTRUCT { ?s gk:wording ?w } WHERE { ?s gk:wording ?w } LIMIT 3")
FORM = "application/x-www-form-urlencoded"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def problem(resp, status: int, slug: str | None = None) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == status and body["detail"]
    if slug:
        assert body["type"].endswith("/" + slug)
    return body


# -- the three protocol forms -----------------------------------------------------------------------------


def test_get_query(client):
    resp = client.get("/sparql", query_string={"query": SELECT})
    assert resp.status_code == 200 and resp.mimetype == "application/sparql-results+json"
    data = resp.get_json(force=True)
    assert data["head"]["vars"] == ["s", "key"] and len(data["results"]["bindings"]) == 3
    assert resp.headers["Vary"] == "Accept"


def test_post_form_query(client):
    resp = client.post("/sparql", data={"query": ASK})
    assert resp.status_code == 200 and resp.get_json(force=True) == {"head": {}, "boolean": True}


def test_post_direct_query(client):
    for content_type in ("application/sparql-query", "application/sparql-query; charset=UTF-8"):
        resp = client.post("/sparql", data=SELECT.encode("utf-8"), content_type=content_type)
        assert resp.status_code == 200 and len(resp.get_json(force=True)["results"]["bindings"]) == 3


def test_trailing_slash_path_is_the_same_endpoint(client):
    assert client.get("/sparql/", query_string={"query": ASK}).get_json(force=True)["boolean"] is True


def test_non_ascii_query_text(client):
    query = 'SELECT ?x WHERE { BIND("Ærø – naïve “quotes”" AS ?x) }'
    for resp in (client.get("/sparql", query_string={"query": query}),
                 client.post("/sparql", data={"query": query}),
                 client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query")):
        assert resp.get_json(force=True)["results"]["bindings"][0]["x"]["value"] == "Ærø – naïve “quotes”"


# -- protocol errors --------------------------------------------------------------------------------------


def test_more_than_one_query_is_a_400(client):
    body = problem(client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"), 400)
    assert body["parameter"] == "query"
    problem(client.post("/sparql?query=ASK%20%7B%7D", data=b"ASK {}", content_type="application/sparql-query"), 400)
    problem(client.post("/sparql?query=ASK%20%7B%7D", data={"query": "ASK {}"}), 400)


def test_a_post_without_a_query_is_a_400(client):
    assert problem(client.post("/sparql", data={"default-graph-uri": "http://ex/"}), 400)["parameter"] == "query"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", "multipart/form-data; boundary=x"])
def test_a_post_of_another_media_type_is_a_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    problem(client.post("/sparql", data=b"query=ASK%20%7B%7D", headers=headers), 415)


def test_a_non_utf8_direct_post_is_refused(client):
    problem(client.post("/sparql", data="ASK {}".encode("utf-16"),
                        content_type="application/sparql-query; charset=UTF-16"), 415)
    body = problem(client.post("/sparql", data=b"ASK { \xff }", content_type="application/sparql-query"), 400)
    assert "UTF-8" in body["detail"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_a_405(client, method):
    resp = client.open("/sparql?query=ASK%20%7B%7D", method=method)
    problem(resp, 405)
    assert "GET" in resp.headers["Allow"] and "POST" in resp.headers["Allow"]


def test_malformed_query_is_a_400_with_position(client):
    body = problem(client.get("/sparql", query_string={"query": "SELECT ?x WHERE {\n  ?x ?y\n}"}), 400,
                   "malformed-query")
    assert re.search(r"line \d+, column \d+", body["detail"])


def test_graph_iris_must_be_absolute(client):
    body = problem(client.get("/sparql", query_string={"query": ASK, "default-graph-uri": "not an iri"}), 400)
    assert body["parameter"] == "default-graph-uri"


# -- updates are refused ----------------------------------------------------------------------------------


def test_updates_are_refused(client):
    update = "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }"
    before = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).data
    for resp in (client.post("/sparql", data=update, content_type="application/sparql-update"),
                 client.post("/sparql", data={"update": update}),
                 client.post("/sparql", data={"update": update, "query": ASK}),
                 client.get("/sparql", query_string={"update": "CLEAR ALL"}),
                 client.get("/sparql", query_string={"query": update}),
                 client.post("/sparql", data={"query": "CLEAR ALL"}),
                 client.post("/sparql", data="DROP ALL", content_type="application/sparql-query")):
        assert "read-only" in problem(resp, 400, "query-refused")["detail"]
    after = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).data
    assert before == after


def test_service_is_refused(client):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    resp = client.get("/sparql", query_string={"query": query})
    assert "SERVICE" in problem(resp, 400, "query-refused")["detail"]


# -- content negotiation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.4, application/sparql-results+xml;q=0.9, */*;q=0.1", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    (BROWSER, "application/sparql-results+xml"),
])
def test_select_conneg(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    resp = client.get("/sparql", query_string={"query": SELECT}, headers=headers)
    assert resp.status_code == 200 and resp.mimetype == media_type
    if media_type.startswith("text/"):
        assert resp.mimetype_params.get("charset") == "utf-8"


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/trig", "application/trig"),
    ("application/n-quads", "application/n-quads"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
])
def test_construct_conneg(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    resp = client.post("/sparql", data={"query": CONSTRUCT}, headers=headers)
    assert resp.status_code == 200 and resp.mimetype == media_type
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
           "application/trig": "trig", "application/n-quads": "nquads", "application/rdf+xml": "xml"}[media_type]
    if fmt in ("trig", "nquads"):
        from rdflib import Dataset

        assert len(list(Dataset().parse(data=resp.get_data(as_text=True), format=fmt).quads())) == 3
    else:
        assert len(Graph().parse(data=resp.get_data(as_text=True), format=fmt)) == 3


def test_ask_conneg(client):
    xml = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.mimetype == "application/sparql-results+xml" and b"<boolean>true</boolean>" in xml.data


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT, "text/turtle"),
    (ASK, "application/ld+json"),
    (CONSTRUCT, "text/csv"),
    (CONSTRUCT, "application/sparql-results+json"),
    (SELECT, "image/png"),
    (SELECT, "application/sparql-results+json;q=0"),
])
def test_nothing_acceptable_is_a_406(client, query, accept):
    body = problem(client.get("/sparql", query_string={"query": query}, headers={"Accept": accept}), 406)
    assert "offers" in body["detail"]


# -- dataset ----------------------------------------------------------------------------------------------


def test_protocol_dataset_selects_graphs(client, graph):
    version = str(graph.minter.version(*next(iter(graph.model.versions)).split("/")))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params):
        resp = client.get("/sparql", query_string={"query": query, **params})
        return int(resp.get_json(force=True)["results"]["bindings"][0]["n"]["value"])

    everything, one = n(), n(**{"default-graph-uri": version})
    assert 0 < one < everything
    assert n(**{"named-graph-uri": version}) == 0  # the default graph is then empty
    assert n(**{"default-graph-uri": "http://127.0.0.1:9/not-in-the-store"}) == 0
    # Repeated parameters, in the form body of a POST too.
    resp = client.post(f"/sparql?default-graph-uri={version}", data={
        "query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "named-graph-uri": [version, str(graph.minter.provenance_graph())]})
    assert resp.get_json(force=True)["results"]["bindings"][0]["n"]["value"] == "2"


# -- limits -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tight_app(graph):
    app = create_app({"TESTING": True, "GUIDANCEKG_BASE": "http://localhost/", "SPARQL_TIMEOUT": 1.5,
                      "SPARQL_MAX_ROWS": 50, "SPARQL_MAX_QUERY_BYTES": 2000, "SPARQL_WORKERS": 1,
                      "MAX_CONTENT_LENGTH": 64 * 1024, "MAX_FORM_MEMORY_SIZE": 64 * 1024}, graph=graph)
    yield app
    from guidancekg.api.state import runtime

    runtime(app).close()


def test_query_length_cap_is_a_413(tight_app):
    client = tight_app.test_client()
    long_query = "SELECT * WHERE { ?s ?p ?o } " + "#" * 2000
    for resp in (client.get("/sparql", query_string={"query": long_query}),
                 client.post("/sparql", data={"query": long_query}),
                 client.post("/sparql", data=long_query, content_type="application/sparql-query")):
        assert "SPARQL_MAX_QUERY_BYTES" in problem(resp, 413, "too-large")["detail"]


def test_request_body_cap_is_a_413(tight_app, client):
    big = "ASK {} " + "#" * (70 * 1024)
    small_client = tight_app.test_client()
    problem(small_client.post("/sparql", data=big, content_type="application/sparql-query"), 413)
    problem(small_client.post("/sparql", data={"query": big}), 413)
    # The default app caps bodies at MAX_CONTENT_LENGTH (1 MiB) as well.
    problem(client.post("/sparql", data="ASK {} " + "#" * (1024 * 1024 + 10),
                        content_type="application/sparql-query"), 413)


def test_row_cap_is_a_413(tight_app):
    client = tight_app.test_client()
    body = problem(client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}), 413)
    assert "LIMIT" in body["detail"] and "50" in body["detail"]
    assert client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"}).status_code == 200


def test_time_limit_is_a_503(tight_app):
    client = tight_app.test_client()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    body = problem(client.get("/sparql", query_string={"query": query}), 503, "query-timeout")
    assert "1.5 s" in body["detail"]
    assert client.get("/sparql", query_string={"query": ASK}).status_code == 200


# -- service description and page -------------------------------------------------------------------------


def store_graphs(graph) -> set[str]:
    versions = {str(graph.minter.version(*v.split("/"))) for v in graph.model.versions}
    return versions | {str(graph.minter.provenance_graph()), str(graph.minter.vocabulary_graph())}


@pytest.mark.parametrize(("accept", "fmt"), [
    (None, "turtle"), ("*/*", "turtle"), ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_service_description(client, graph, accept, fmt):
    headers = {"Accept": accept} if accept else {}
    resp = client.get("/sparql", headers=headers)
    assert resp.status_code == 200
    g = Graph().parse(data=resp.get_data(as_text=True), format=fmt)
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert len(set(g.objects(service, SD.resultFormat))) == 10
    dataset = g.value(service, SD.defaultDataset)
    assert g.value(dataset, SD.defaultGraph) is not None
    names = {str(g.value(node, SD.name)) for node in g.objects(dataset, SD.namedGraph)}
    assert names == store_graphs(graph)


def test_service_description_406(client):
    problem(client.get("/sparql", headers={"Accept": "image/png"}), 406)


def test_query_page_for_browsers(client):
    resp = client.get("/sparql", headers={"Accept": BROWSER})
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "<textarea" in html and 'id="example"' in html
    for path in QUERIES_DIR.glob("*.rq"):
        assert path.name in html
    # Offline: every script and stylesheet comes from this server.
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    for asset in re.findall(r'(?:src|href)="(/static/sparql-[^"]+)"', html):
        assert client.get(asset).status_code == 200
    examples = json.loads(re.search(r'<script type="application/json" id="sparql-examples">(.*?)</script>',
                                    html, re.S).group(1))
    assert [e["name"] for e in examples] == [q["name"] for q in library_queries()]
    assert examples[0]["name"] == "guidance-on-date.rq"


def test_page_script_asks_for_sparql_json():
    from guidancekg.api import sparql_endpoint

    script = (sparql_endpoint.Path(sparql_endpoint.__file__).parent / "static" / "sparql-page.js").read_text()
    assert "application/sparql-results+json" in script and "fetch(" in script
    # It fetches only the form's own action (this endpoint): no absolute URL anywhere in it.
    assert not re.search(r"[\"']https?://", script)


def test_library_queries_run_through_the_endpoint(client):
    for query in library_queries():
        resp = client.post("/sparql", data={"query": query["text"]}, headers={"Accept": "text/csv"})
        assert resp.status_code == 200, (query["name"], resp.get_data(as_text=True))
        rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
        assert rows and rows[0], query["name"]
