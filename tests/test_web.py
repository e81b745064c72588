"""api/web.py: negotiation on werkzeug, and URLs that never come from the request's Host header."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef

from guidancekg.api.web import choose_formats, negotiate

EVIL = "evil.example"
APR13 = "Sat, 13 Apr 2019 00:00:00 GMT"


@pytest.mark.parametrize(("accept", "offers", "expected"), [
    (None, ["a/x", "b/y"], "a/x"),
    ("", ["a/x", "b/y"], "a/x"),
    ("*/*", ["a/x", "b/y"], "a/x"),
    ("b/y", ["a/x", "b/y"], "b/y"),
    ("a/x;q=0.5, b/y", ["a/x", "b/y"], "b/y"),
    ("a/*;q=0.9, b/y;q=0.8", ["a/x", "b/y"], "a/x"),
    ("*/*, a/x;q=0", ["a/x", "b/y"], "b/y"),
    ("text/html", ["a/x", "b/y"], None),
    ("A/X", ["a/x"], "a/x"),
    ("b/y; charset=utf-8; q=0.3, c/z", ["a/x", "b/y"], "b/y"),
    ("a/x;q=garbage, b/y;q=0.1", ["a/x", "b/y"], "b/y"),
])
def test_negotiate(accept, offers, expected):
    assert negotiate(offers, accept) == expected


def test_generic_types_stand_for_the_sparql_ones():
    formats = choose_formats("application/json")
    assert formats["SELECT"] == "application/sparql-results+json" and formats["CONSTRUCT"] is None
    assert choose_formats("application/xml")["ASK"] == "application/sparql-results+xml"
    assert choose_formats("text/plain")["DESCRIBE"] == "application/n-triples"

# -- the Host header is never trusted (issue 14, finding 5) -------------------------------------------------------


@pytest.mark.server
def test_a_forged_host_header_never_reaches_a_memento_redirect(live_server):
    resp = requests.get(f"{live_server.url}/guidance/alemtuzumab", allow_redirects=False, timeout=30,
                        headers={"Host": EVIL, "Accept-Datetime": APR13})
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"{live_server.url}/guidance/alemtuzumab/2019-04-12"
    assert EVIL not in resp.headers["Link"]
    timemap = requests.get(f"{live_server.url}/timemap/guidance/alemtuzumab", headers={"Host": EVIL}, timeout=30)
    assert timemap.status_code == 200 and EVIL not in timemap.text


@pytest.mark.server
def test_a_forged_host_header_never_reaches_the_service_description(live_server):
    resp = requests.get(f"{live_server.url}/sparql", headers={"Host": EVIL, "Accept": "text/turtle"}, timeout=30)
    assert resp.status_code == 200 and EVIL not in resp.text
    endpoint = URIRef(f"{live_server.url}/sparql")
    sd = URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")
    assert (endpoint, sd, endpoint) in Graph().parse(data=resp.text, format="turtle")
    servers = requests.get(f"{live_server.url}/api/openapi.json", headers={"Host": EVIL}, timeout=30).json()
    assert servers["servers"][0]["url"] == live_server.url


@pytest.mark.server
def test_relative_iris_in_a_query_resolve_against_the_public_url_not_the_host(live_server):
    resp = requests.post(f"{live_server.url}/sparql", data={"query": "SELECT ?x WHERE { BIND(<here> AS ?x) }"},
                         headers={"Host": EVIL, "Accept": "application/sparql-results+json"}, timeout=30)
    assert resp.status_code == 200
    assert resp.json()["results"]["bindings"][0]["x"]["value"] == f"{live_server.url}/here"
