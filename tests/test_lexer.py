"""graph/sparql/lexer.py: tokens as Oxigraph reads them, and one canonical text for every reader.

Oxigraph is the oracle: a canonical text must mean to it what the original meant.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidancekg.graph.errors import QuerySyntaxError
from guidancekg.graph.sparql.lexer import canonical, keywords, tokens


def oxigraph_value(query: str) -> list[str]:
    return [solution["v"].value for solution in ox.Store().query(query)]


def test_tokens_skip_strings_iris_comments_names_and_variables():
    text = 'PREFIX ex: <http://x/SERVICE> SELECT ?SERVICE # SERVICE\n WHERE { ex:SERVICE "SERVICE" 1 }'
    assert keywords(text) == ["PREFIX", "SELECT", "WHERE"]
    kinds = [t.kind for t in tokens(text) if t.kind != "ws"]
    assert kinds == ["word", "pname", "iri", "word", "var", "comment", "word", "punct", "pname", "string", "number",
                     "punct"]


def test_a_prefixed_name_with_an_escape_is_one_token_as_for_oxigraph():
    """Issue 14, finding 1: ``dcterms:a\\#b`` used to end the screen's token at the backslash, and the rest of the
    line became a comment to the screen while Oxigraph read on."""
    text = "SELECT * WHERE { ?s dcterms:a\\#b ?o . SERVICE <http://127.0.0.1:9/> {} }"
    assert [t.text for t in tokens(text) if t.kind == "pname"] == ["dcterms:a\\#b"]
    assert "SERVICE" in keywords(text)


def test_an_eight_digit_u_escape_is_four_digits_and_four_characters_as_for_oxigraph():
    """Issue 14, finding 1: rdflib reads ``\\u00000022`` as a quote; Oxigraph as NUL and ``0022``."""
    query = 'SELECT ?v WHERE { BIND("\\u00000022" AS ?v) }'
    assert canonical(query) == 'SELECT ?v WHERE { BIND("\x000022" AS ?v) }'
    assert oxigraph_value(canonical(query)) == oxigraph_value(query) == ["\x000022"]


@pytest.mark.parametrize(("text", "message"), [
    ("SEL\\u0045CT * WHERE {}", "codepoint escape"),
    ("SELECT * WHERE { \\U00000053ERVICE <http://x/> {} }", "codepoint escape"),
    ("SELECT * WHERE {} # \\u000a SERVICE <http://x/> {}", "not in a comment"),
    ('SELECT * WHERE { ?s ?p "\\\\u0041" }', "backslash followed by u"),
    ('SELECT * WHERE { ?s ?p "\\u005Cu0041" }', "backslash followed by u"),
    ("SELECT * WHERE { ?s ?p <http://x/\\u0020> }", "no IRI may hold"),
    ('SELECT * WHERE { ?s ?p "\\uD800" }', "no Unicode character"),
    ('SELECT * WHERE { ?s ?p "unclosed }', "starts no SPARQL token"),
    ("SELECT * WHERE { ?s ?p \\ }", "starts no SPARQL token"),
])
def test_what_the_readers_could_read_apart_is_refused_with_its_place(text, message):
    with pytest.raises(QuerySyntaxError, match=message) as info:
        canonical(text)
    assert "line 1, column" in str(info.value) and "^" in str(info.value)


def test_canonical_text_drops_comments_and_writes_escapes_out():
    text = 'SELECT ?v # a comment\nWHERE { BIND(CONCAT("\\u0041\\"", <http://x/\\u0062>) AS ?v) }'
    assert canonical(text) == 'SELECT ?v \nWHERE { BIND(CONCAT("A\\"", <http://x/b>) AS ?v) }'
    plain = "SELECT * WHERE { ?s ?p 'x' }"
    assert canonical(plain) == plain  # nothing to write out: the text itself


ESCAPES = st.sampled_from(["\\u0022", "\\u0027", "\\u005C\\u005C", "\\u000A", "\\u0041", "\\U0001F600", "\\u00e9",
                           "\\u00000022", "\\t", "\\n", '\\"', "\\'", "\\\\", "a", "#", " ", "SERVICE", "é"])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(ESCAPES, max_size=8), quote=st.sampled_from(['"', "'", '"""', "'''"]))
def test_a_canonical_string_means_to_oxigraph_what_the_original_meant(parts, quote):
    literal = quote + "".join(parts) + quote
    query = f"SELECT ?v WHERE {{ BIND({literal} AS ?v) }}"
    try:
        expected = oxigraph_value(query)
    except SyntaxError:
        with pytest.raises(QuerySyntaxError):
            canonical(query)
        return
    try:
        same = canonical(query)
    except QuerySyntaxError as exc:
        assert "backslash followed by u" in str(exc)  # the one refusal Oxigraph itself would not make
        return
    assert oxigraph_value(same) == expected
    assert "\\u" not in same and "\\U" not in same
