"""Generated queries around SERVICE, LOAD and updates, with escapes, comments and prefixed names.

Two checks for each query, both with real engines and a canary TCP listener where every generated SERVICE, LOAD
or FROM points:

* through the real endpoint (``guidancekg serve``): never a 500, and the canary receives nothing;
* differentially, screen against engine: when the screen (``graph/sparql/screen.py``) lets a query through,
  Oxigraph itself, run here without any sandbox, must not connect either, whether it reads the text as sent or
  the canonical text that the endpoint runs. A screen that misread the text as the engine reads it fails here,
  even though the endpoint's sandbox would have caught the connection.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.hostile import Listener
from guidancekg.graph.errors import QueryError
from guidancekg.graph.sparql.screen import inspect_query

pytestmark = pytest.mark.server

PROLOGUE = "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX ex: <http://example.org/> "
ESCAPES = ["\\u0022", "\\u00000022", "\\U00000022", "\\u0027", "\\u003E", "\\u000a", "\\u0053", "\\u005C",
           "\\\\", '\\"', "\\#", "\\."]
WORDS = ["SERVICE", "SERVICE SILENT", "service", "SERV\\u0049CE", "\\U00000053ERVICE", "LOAD", "INSERT DATA",
         "DELETE WHERE", "CLEAR ALL", "FROM", "FROM NAMED"]
PIECES = [*ESCAPES, *WORDS, "<{c}>", "{ ?s ?p ?o }", "{", "}", ".", ";", "# note", "#", "\n", '"', "'", '"""',
          "'''", "<", ">", "dcterms:a\\#b", "ex:x\\.y", "ex:%41", "ex:", ":", "?s", "$o", "_:b", "a", "1",
          "BIND(", "AS ?x)", "FILTER(", ")", "SELECT * WHERE {", "OPTIONAL {", "GRAPH ?g {"]


@st.composite
def shaped(draw) -> str:
    """A SERVICE clause between two literals that readers may read apart, after a prefixed name that may hold an
    escape: the shape of the issue's query and its variants."""
    literal = draw(st.sampled_from(['"\\u00000022"', '"\\U00000022"', "'\\u00000027'", '"\\u0022"', "'\\u0027'",
                                    '"""\\u0022\\u0022\\u0022"""', '"plain"', "<urn:a\\u003E>"]))
    name = draw(st.sampled_from(["dcterms:a\\#b", "?p", "ex:x\\.y", "ex:%41"]))
    word = draw(st.sampled_from(WORDS[:5]))
    return (f"{PROLOGUE}SELECT * WHERE {{ ?s {name} ?o FILTER(?o != {literal}) {word} <{{c}}> {{ ?s ?p ?o }} "
            f"FILTER(?o != {literal}) }}")


@st.composite
def hidden(draw) -> str:
    """A SERVICE clause written inside a string or a comment, with escapes around it: text, not a clause."""
    pieces = draw(st.lists(st.sampled_from([*ESCAPES, "SERVICE <{c}> { ?s ?p ?o }", " ", "}", "{", "#", "'"]),
                           max_size=8))
    body = "".join(pieces)
    kind = draw(st.sampled_from(['"', "'", '"""', "'''", "#"]))
    if kind == "#":
        return f"{PROLOGUE}SELECT * WHERE {{ ?s ?p ?o # {body}\n}}"
    return f"{PROLOGUE}SELECT * WHERE {{ BIND({kind}{body}{kind} AS ?x) ?s ?p ?o }}"


@st.composite
def jumbled(draw) -> str:
    """Pieces in any order, inside or outside a query skeleton."""
    pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
    separators = draw(st.lists(st.sampled_from([" ", "", "\n"]), min_size=len(pieces), max_size=len(pieces)))
    middle = "".join(p + s for p, s in zip(pieces, separators, strict=True))
    return draw(st.sampled_from([f"{PROLOGUE}SELECT * WHERE {{ ?s ?p ?o . {middle} }}", middle, PROLOGUE + middle]))


@pytest.fixture(scope="module")
def canaries():
    endpoint, engine = Listener(), Listener()
    yield endpoint, engine
    endpoint.close()
    engine.close()


# One triple for each predicate a generated pattern names, so that Oxigraph reaches the SERVICE clause after it.
PREDICATES = ("http://example.org/p", "http://purl.org/dc/terms/a#b", "http://example.org/x.y",
              "http://example.org/%41")


def _oxigraph_connects(query: str, canary: Listener) -> bool:
    store = ox.Store()
    for predicate in PREDICATES:
        store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode(predicate), ox.Literal("o")))
    before = canary.connections
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
            list(result)
    except Exception:  # syntax errors and failed SERVICE calls alike: only the connection counts
        pass
    canary.wait_for(before + 1, 0.3)
    return canary.connections > before


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=st.one_of(shaped(), hidden(), jumbled()))
def test_no_generated_query_connects_anywhere(live_server, canaries, template):
    endpoint_canary, engine_canary = canaries
    resp = requests.post(f"{live_server.url}/sparql", data={"query": template.replace("{c}", endpoint_canary.url)},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert resp.status_code in (200, 400, 406, 413, 503), (resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert endpoint_canary.connections == 0
    query = template.replace("{c}", engine_canary.url)
    try:
        info = inspect_query(query)
    except QueryError:
        return  # refused: nothing runs
    assert not _oxigraph_connects(query, engine_canary), f"the screen let through what Oxigraph connects for: {query}"
    assert not _oxigraph_connects(info.text, engine_canary), f"canonical text connects: {info.text}"


def test_the_differential_check_can_fail(canaries):
    """The control: a SERVICE clause that reaches Oxigraph connects, so the checks above are not vacuous."""
    _endpoint, engine = canaries
    assert _oxigraph_connects(f"SELECT * WHERE {{ ?s ?p ?o . SERVICE <{engine.url}> {{ ?s ?p ?o }} }}", engine)
