"""Every IRI the graph mints dereferences here, in the representation ``Accept`` asks for."""

from __future__ import annotations

import hashlib
import json

import pytest
from openapi_check import check
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF

from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.ontology import CONTEXT_FILE, VOCABULARY_FILE

GK = Namespace("https://w3id.org/guidancekg/ns#")
OA = Namespace("http://www.w3.org/ns/oa#")
BASE = DEFAULT_BASE  # the graph's IRIs; the test app answers for them at /id/...
KEY = "alemtuzumab-eu-temporary-restriction-2019"
STATEMENT = f"/id/statement/{KEY}"
IRI = URIRef(BASE + STATEMENT[1:])
RECORD = f"{STATEMENT}/record/mssociety-lemtrada/2019-04-18"
TURTLE, JSONLD, NTRIPLES, HTML, JSON = ("text/turtle", "application/ld+json", "application/n-triples", "text/html",
                                        "application/json")


def fetch(client, path: str, accept: str | None = None, status: int = 200):
    resp = client.get(path, headers={"Accept": accept} if accept else {})
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    check(resp)
    return resp


def jsonld_graph(text: str) -> Graph:
    """Parse a JSON-LD document that names the published context by URL, with that context (no fetching)."""
    doc = json.loads(text)
    assert doc["@context"] == "http://localhost/ns/context.jsonld"  # a URL of the server, not an IRI of the graph
    doc["@context"] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return Graph().parse(data=json.dumps(doc), format="json-ld")


# -- a statement ------------------------------------------------------------------------------------------------

def test_statement_turtle_has_the_statement_and_its_provenance(client):
    resp = fetch(client, STATEMENT, TURTLE)
    assert resp.mimetype == TURTLE
    g = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    assert (IRI, RDF.type, GK.Statement) in g
    assert (IRI, GK.temporary, Literal(True)) in g
    records = set(g.objects(IRI, PROV.qualifiedDerivation))
    assert len(records) == 3  # the EMA's, the MS Society's and the MHRA's
    for record in records:
        assert (record, RDF.type, PROV.Derivation) in g
        version = g.value(record, PROV.entity)
        assert (version, RDF.type, GK.Version) in g
        assert g.value(version, DCTERMS.issued) is not None
        source = g.value(version, DCTERMS.isVersionOf)
        assert g.value(source, DCTERMS.title) is not None
        # The quote, with both selectors, is part of the provenance.
        passage = g.value(record, GK.quotation)
        exact = [g.value(sel, OA.exact) for sel in g.objects(passage, OA.hasSelector) if g.value(sel, OA.exact)]
        assert exact and str(exact[0]) in resp.get_data(as_text=True)
    # Versions are described, but without their whole held text.
    assert not list(g.triples((None, GK.heldText, None)))
    # The statements it overrides and the one that overrides it are linked.
    assert (IRI, GK.overrides, URIRef(BASE + "id/statement/alemtuzumab-eu-indication-2013")) in g
    assert (URIRef(BASE + "id/statement/alemtuzumab-eu-indication-2020"), GK.overrides, IRI) in g


def test_statement_rdf_formats_agree(client):
    turtle = Graph().parse(data=fetch(client, STATEMENT, TURTLE).get_data(as_text=True), format="turtle")
    nt = Graph().parse(data=fetch(client, STATEMENT, NTRIPLES).get_data(as_text=True), format="nt")
    ld = jsonld_graph(fetch(client, STATEMENT, JSONLD).get_data(as_text=True))
    assert isomorphic(turtle, nt)
    assert isomorphic(turtle, ld)


def test_statement_jsonld_is_compacted_with_the_context(client):
    doc = json.loads(fetch(client, STATEMENT, JSONLD).get_data(as_text=True))
    nodes = {n["@id"]: n for n in doc["@graph"]}
    node = nodes[str(IRI)]
    # Compact terms of the context, not full IRIs.
    assert node["@type"] == "Statement"
    assert "definingRecord" in node and "qualifiedDerivation" in node
    record = nodes[node["definingRecord"]]
    assert record["@type"] == "Derivation" and "wording" in record and "wordingConfidence" in record


def test_statement_json_is_the_api_statement_with_all_records(client):
    body = check(fetch(client, STATEMENT, JSON))
    assert body["id"] == str(IRI) and body["key"] == KEY
    assert body["status"] is None  # no date was asked
    assert {r["source"] for r in body["sources"]} == {
        BASE + "id/source/mssociety-lemtrada", BASE + "id/source/ema-lemtrada-press-release-2019-04-12",
        BASE + "id/source/mhra-dsu-lemtrada-2019-05"}
    assert body["overriders"] == [BASE + "id/statement/alemtuzumab-eu-indication-2020"]


def test_statement_json_matches_the_guidance_answer(client):
    guidance = client.get("/api/guidance?on=2019-04-18").get_json()
    listed = next(s for s in guidance["statements"] if s["id"] == str(IRI))
    own = client.get(STATEMENT, headers={"Accept": JSON}).get_json()
    for field in ("id", "drug", "topic", "jurisdiction", "text", "valid_from", "valid_until", "precision",
                  "temporary", "overrides"):
        assert own[field] == listed[field]


def test_statement_html_is_a_readable_page(client):
    resp = fetch(client, STATEMENT, HTML)
    text = resp.get_data(as_text=True)
    assert text.startswith("<!doctype html>")
    assert "As a temporary measure, Lemtrada should only be used" in text
    assert 'href="/id/version/mssociety-lemtrada/2019-04-18"' in text  # where this server answers for the IRI
    assert "<script" not in text and "//cdn" not in text
    # Each record with its own two confidences: the MS Society's and the EMA's.
    assert text.count("wording: verbatim, date: verbatim") >= 2


@pytest.mark.parametrize(("accept", "expected"), [
    (None, TURTLE),
    ("*/*", TURTLE),
    ("text/*", TURTLE),
    ("application/*", JSON),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    ("text/turtle;q=0.5, application/ld+json", JSONLD),
    ("text/html;q=0.9, text/turtle", TURTLE),
    ("application/json;q=0.2, application/n-triples;q=0.3", NTRIPLES),
    ("application/ld+json; profile=\"http://www.w3.org/ns/json-ld#compacted\"", JSONLD),
    ("text/csv, */*;q=0.1", TURTLE),
])
def test_content_negotiation_honours_q_values(client, accept, expected):
    resp = fetch(client, STATEMENT, accept)
    assert resp.mimetype == expected
    assert "Accept" in resp.headers.get("Vary", "")


@pytest.mark.parametrize("accept", ["text/csv", "image/png", "application/xml", "text/turtle;q=0"])
def test_unacceptable_type_is_a_406_naming_the_acceptable_types(client, accept):
    resp = fetch(client, STATEMENT, accept, status=406)
    assert resp.mimetype == "application/problem+json"
    detail = resp.get_json()["detail"]
    for media in (TURTLE, HTML, JSON, JSONLD, NTRIPLES):
        assert media in detail


@pytest.mark.parametrize(("fmt", "expected"), [("ttl", TURTLE), ("jsonld", JSONLD), ("nt", NTRIPLES),
                                               ("json", JSON), ("html", HTML)])
def test_format_parameter_picks_a_representation(client, fmt, expected):
    resp = fetch(client, f"{STATEMENT}?format={fmt}", "text/csv")  # format wins over Accept
    assert resp.mimetype == expected


def test_unknown_format_is_a_400_naming_format(client):
    resp = fetch(client, f"{STATEMENT}?format=pdf", status=400)
    assert resp.get_json()["parameter"] == "format"


def test_alternates_are_linked(client):
    link = fetch(client, STATEMENT).headers["Link"]
    assert 'rel="alternate"; type="application/ld+json"' in link and "?format=jsonld" in link


@pytest.mark.parametrize("path", ["/id/statement/no-such-statement", "/id/source/nowhere", "/id/version/x/y",
                                  "/id/version/mssociety-lemtrada/1999-01-01", "/id/drug/aspirin",
                                  "/id/agent/nobody", "/id/agent/EMA", "/id/graph/secret",
                                  f"{STATEMENT}/record/nowhere/2019-04-18", f"{STATEMENT}/anything",
                                  f"{RECORD}/elsewhere", "/id/statement/x%3E%20%3Fp%20%3Fo"])
def test_unknown_resources_are_404_problems(client, path):
    resp = fetch(client, path, TURTLE, status=404)
    assert resp.mimetype == "application/problem+json"


# -- the parts of a statement -----------------------------------------------------------------------------------

def test_record_json_and_rdf(client):
    body = check(fetch(client, RECORD, JSON))
    assert body["id"] == BASE + RECORD[1:] and body["statement"] == str(IRI)
    assert body["quote"].startswith("As a temporary measure")
    g = Graph().parse(data=fetch(client, RECORD, TURTLE).get_data(as_text=True), format="turtle")
    record = URIRef(BASE + RECORD[1:])
    assert (record, RDF.type, PROV.Derivation) in g
    assert len(list(g.triples((None, OA.exact, None)))) == 1


@pytest.mark.parametrize("part", ["passage", "quote", "position"])
def test_record_parts_dereference(client, part):
    for accept in (TURTLE, HTML, JSON, JSONLD):
        fetch(client, f"{RECORD}/{part}", accept)


def test_override_dereferences(client):
    path = f"{STATEMENT}/overrides/alemtuzumab-eu-indication-2013"
    g = Graph().parse(data=fetch(client, path, TURTLE).get_data(as_text=True), format="turtle")
    assert (URIRef(BASE + path[1:]), GK.overrideKind, GK.Restricts) in g
    fetch(client, path, HTML)


# -- sources, versions, drugs, agents, graphs -------------------------------------------------------------------

def test_source(client):
    body = check(fetch(client, "/id/source/mssociety-lemtrada", JSON))
    assert body["key"] == "mssociety-lemtrada" and body["versions"]
    g = Graph().parse(data=fetch(client, "/id/source/mssociety-lemtrada", TURTLE).get_data(as_text=True),
                      format="turtle")
    src = URIRef(BASE + "id/source/mssociety-lemtrada")
    assert (src, RDF.type, GK.Source) in g
    assert set(g.subjects(DCTERMS.isVersionOf, src))
    assert "MS Society" in fetch(client, "/id/source/mssociety-lemtrada", HTML).get_data(as_text=True)


def test_version_with_its_text(client):
    path = "/id/version/mssociety-lemtrada/2019-04-18"
    body = check(fetch(client, path, JSON))
    assert body["text"] is not None
    assert hashlib.sha256(body["text"].encode("utf-8")).hexdigest() == body["sha256"]
    assert str(IRI) in body["statements"]
    g = Graph().parse(data=fetch(client, path, TURTLE).get_data(as_text=True), format="turtle")
    version = URIRef(BASE + path[1:])
    assert (version, GK.heldText, None) in g
    assert (IRI, PROV.wasDerivedFrom, version) in g
    fetch(client, path, HTML)


def test_drug(client):
    body = check(fetch(client, "/id/drug/alemtuzumab", JSON))
    assert body["label"] == "alemtuzumab" and "Lemtrada" in body["brand_names"]
    assert str(IRI) in {s["id"] for s in body["statements"]}
    fetch(client, "/id/drug/alemtuzumab", HTML)
    g = Graph().parse(data=fetch(client, "/id/drug/alemtuzumab", TURTLE).get_data(as_text=True), format="turtle")
    assert (IRI, GK.drug, URIRef(BASE + "id/drug/alemtuzumab")) in g


def test_agent_and_graphs(client):
    g = Graph().parse(data=fetch(client, "/id/agent/ema", TURTLE).get_data(as_text=True), format="turtle")
    assert (URIRef(BASE + "id/agent/ema"), None, None) in g
    prov = Graph().parse(data=fetch(client, "/id/graph/provenance", NTRIPLES).get_data(as_text=True), format="nt")
    assert len(prov) > 100
    fetch(client, "/id/graph/vocabulary", HTML)


def test_every_minted_iri_dereferences(client, graph):
    """Every IRI under the base, in any position of any quad, answers 200 with triples about it."""
    ds = graph.store.to_dataset()
    minted = set()
    for s, _p, o, c in ds.quads((None, None, None, None)):
        for term in (s, o, getattr(c, "identifier", c)):
            if isinstance(term, URIRef) and str(term).startswith(BASE + "id/"):
                minted.add(str(term))
    assert len(minted) > 150
    for iri in sorted(minted):
        resp = client.get(iri[len(BASE) - 1:], headers={"Accept": NTRIPLES})
        assert resp.status_code == 200, iri
        g = Graph().parse(data=resp.get_data(as_text=True), format="nt")
        assert (URIRef(iri), None, None) in g or (None, None, URIRef(iri)) in g or "/graph/" in iri, iri


# -- the vocabulary and its context -----------------------------------------------------------------------------

def test_vocabulary_turtle_is_the_file(client):
    resp = fetch(client, "/ns", TURTLE)
    assert resp.get_data(as_text=True) == VOCABULARY_FILE.read_text(encoding="utf-8")


def test_vocabulary_other_formats(client):
    text = fetch(client, "/ns", HTML).get_data(as_text=True)
    assert "gk:Statement" in text and "gk:validFrom" in text
    g = jsonld_graph(fetch(client, "/ns", JSONLD).get_data(as_text=True))
    assert isomorphic(g, Graph().parse(VOCABULARY_FILE, format="turtle"))
    fetch(client, "/ns", NTRIPLES)
    fetch(client, "/ns", JSON, status=406)


def test_context_is_published(client):
    resp = fetch(client, "/ns/context.jsonld")
    assert resp.mimetype == JSONLD
    assert resp.get_json() == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def test_statement_iris_answer_rdf_xml_and_n_triples(client):
    """Issue 17: statement IRIs answered 406 to `Accept: application/rdf+xml` although /sparql serves RDF/XML."""
    turtle = Graph().parse(data=fetch(client, STATEMENT, TURTLE).get_data(as_text=True), format="turtle")
    for accept, fmt in (("application/rdf+xml", "xml"), (NTRIPLES, "nt")):
        resp = fetch(client, STATEMENT, accept)
        assert resp.mimetype == accept
        assert isomorphic(Graph().parse(data=resp.get_data(as_text=True), format=fmt), turtle)
    by_link = fetch(client, STATEMENT + "?format=rdf")
    assert by_link.mimetype == "application/rdf+xml"
    assert by_link.data == fetch(client, STATEMENT, "application/rdf+xml").data  # the same bytes: a stable ETag
    assert 'type="application/rdf+xml"' in by_link.headers["Link"]
    for path in ("/id/source/mssociety-lemtrada", "/id/version/mssociety-lemtrada/2019-04-18", "/ns"):
        resp = fetch(client, path, "application/rdf+xml")
        assert len(Graph().parse(data=resp.get_data(as_text=True), format="xml")) > 5, path
