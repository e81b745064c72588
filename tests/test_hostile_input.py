"""Property-based tests of every parser of user input: nothing a client sends gets a 5xx or a traceback."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidancekg.api.web import format_http_date, parse_http_date
from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.errors import DataError, InputError

PROBLEM = "application/problem+json"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
texts = st.one_of(st.text(max_size=40), st.sampled_from(["2019-04-12", "2019-02-30", "EU", "indication",
                                                        "alemtuzumab", "", "%00", "../../etc/passwd"]))


@SETTINGS
@given(on=texts, known=texts, drug=texts, jurisdiction=texts, topic=texts)
def test_guidance_parameters_get_an_answer_or_a_problem(client, on, known, drug, jurisdiction, topic):
    params = {"on": on, "known": known, "drug": drug, "jurisdiction": jurisdiction, "topic": topic}
    r = client.get("/api/guidance", query_string=params)
    assert r.status_code in (200, 400, 404), r.data[:300]
    if r.status_code != 200:
        body = r.get_json()
        assert r.mimetype == PROBLEM and set(body) >= {"type", "title", "status", "detail"}
        assert "Traceback" not in r.get_data(as_text=True)


@SETTINGS
@given(start=texts, end=texts, known=texts)
def test_changes_parameters(client, start, end, known):
    r = client.get("/api/changes", query_string={"from": start, "to": end, "known": known})
    assert r.status_code in (200, 400, 404)


accept_values = st.one_of(
    st.text(alphabet=string.printable, max_size=60),
    st.lists(st.sampled_from(["text/html", "application/json", "text/turtle", "application/ld+json", "*/*",
                              "image/png", "text/*", "application/*;q=0.1", "q=", ";q=abc", ",,,"]),
             max_size=5).map(", ".join),
)


@SETTINGS
@given(accept=accept_values, path=st.sampled_from([
    "/api/guidance?on=2019-04-12", "/api/sources", "/api/audit?from=2019-04-01&to=2019-04-30",
    "/id/statement/alemtuzumab-eu-temporary-restriction-2019", "/ns", "/guidance/alemtuzumab/2019-04-12",
    "/timemap/guidance/alemtuzumab", "/", "/sparql"]))
def test_content_negotiation_never_fails_on_the_server(client, accept, path):
    try:
        r = client.get(path, headers={"Accept": accept})
    except ValueError:  # werkzeug refuses header values with control characters before the app sees them
        return
    assert r.status_code < 500, (accept, path, r.data[:200])
    if r.status_code >= 400:
        assert r.mimetype == PROBLEM


@SETTINGS
@given(value=st.one_of(st.text(max_size=60), st.sampled_from([
    "Sat, 13 Apr 2019 00:00:00 GMT", "Sat, 13 Apr 2019 00:00:00 UTC", "13 Apr 2019", "Sat, 31 Feb 2019 00:00:00 GMT",
    "Saturday, 13-Apr-19 00:00:00 GMT", "Sat Apr 13 00:00:00 2019"])))
def test_accept_datetime_parser_is_strict_and_total(value):
    try:
        parsed = parse_http_date(value)
    except InputError as exc:
        assert exc.parameter == "Accept-Datetime"
        return
    assert parsed.tzinfo is not None


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_http_dates_round_trip(day):
    assert parse_http_date(format_http_date(day)) == datetime(day.year, day.month, day.day, tzinfo=UTC)


@SETTINGS
@given(header=st.text(max_size=40))
def test_timegate_never_fails_on_the_server(client, header):
    try:
        r = client.get("/guidance/alemtuzumab", headers={"Accept-Datetime": header})
    except ValueError:
        return
    assert r.status_code in (200, 302, 400)


# Statements files: whatever a curator (or an upload) writes, the loader says what is wrong, in a DataError.
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=20),
                    st.sampled_from(["indication", "EU", "2019-04-12", "2019-02-30", "2014", "publication-date",
                                     "alemtuzumab", "restricts"]))
keys = st.sampled_from(["id", "asserts", "drug", "topic", "jurisdiction", "text", "valid_from", "valid_from_basis",
                        "valid_until", "temporary", "overrides", "quote", "citation", "note", "exact", "start", "end",
                        "url", "confidence", "statement", "kind", "bogus"])
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=6)), max_leaves=25)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents)
def test_any_statements_file_is_loaded_or_refused_with_a_data_error(data_copy, doc):
    path = data_copy / "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        load_corpus(data_copy)
    except DataError as exc:
        assert str(exc)


@pytest.mark.parametrize("raw", [b"- id: [\n", b"\xff\xfe- id: x\n", b"- !!python/object:os.system x\n",
                                 b"- &a [*a]\n", b"\t- id: x\n"])
def test_hostile_yaml_is_refused(data_copy, raw):
    (data_copy / "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml").write_bytes(raw)
    with pytest.raises(DataError):
        load_corpus(data_copy)
