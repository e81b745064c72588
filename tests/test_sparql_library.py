"""The query library (graph/sparql/queries/*.rq), run through /sparql, against the engine's and the API's answers."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date

import pytest

from guidancekg.graph.dates import in_force_end, in_force_start, recorded_from
from guidancekg.graph.sparql.library import QUERIES_DIR, bind_values, day_term

GENERATED = {"guidance-on-date.rq", "guidance-on-date-as-known.rq", "overridden-on-date.rq",
             "changes-between-dates.rq", "guidance-in-jurisdiction.rq", "overridden-in-jurisdiction.rq"}
HAND_WRITTEN = {"overrides.rq", "statement-provenance.rq", "version-assertions.rq", "temporary-measures.rq",
                "reporting-lag.rq", "restrictions-by-authority.rq", "temporary-to-final-decision.rq",
                "reserved-in-one-jurisdiction-only.rq"}
VALUES_LINE = re.compile(r"^  VALUES .*$", re.M)


def library(name: str) -> str:
    return (QUERIES_DIR / name).read_text(encoding="utf-8")


def with_values(name: str, values: str) -> str:
    """Return library query ``name`` with its (first) VALUES line replaced by ``values``."""
    text = library(name)
    assert VALUES_LINE.search(text), name
    return VALUES_LINE.sub("  " + values, text, count=1)


def dated(name: str, *days: str) -> str:
    """Return a generated date query with the dates of its VALUES line replaced, in order."""
    return bind_values(library(name), *map(day_term, days))


def select(client, query: str) -> list[dict[str, str | None]]:
    """Run a SELECT through the endpoint (SPARQL JSON) and return rows of lexical values."""
    resp = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json(force=True)
    names = data["head"]["vars"]
    return [{n: (b[n]["value"] if n in b else None) for n in names} for b in data["results"]["bindings"]]


def select_csv(client, query: str) -> list[dict[str, str]]:
    resp = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv", resp.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True), newline="")))


def test_the_library_holds_the_generated_and_hand_written_queries():
    assert {p.name for p in QUERIES_DIR.glob("*.rq")} >= GENERATED | HAND_WRITTEN
    for name in HAND_WRITTEN:
        text = library(name)
        assert text.startswith("# "), name
        assert "Parameters:" in text.split("PREFIX")[0], name
        assert VALUES_LINE.search(text), name


def test_readme_documents_every_query():
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    for path in QUERIES_DIR.glob("*.rq"):
        assert f"`{path.name}`" in readme, path.name
    assert "curl" in readme and "SPARQLWrapper" in readme


# -- the generated date queries agree with the JSON API ----------------------------------------------------

DATES = ["2013-10-01", "2014-06-01", "2019-04-12", "2019-04-17", "2019-04-18", "2019-06-01", "2020-01-16",
         "2024-01-01"]


def api_guidance(client, on: str, known: str | None = None) -> dict:
    params = {"on": on, **({"known": known} if known else {})}
    resp = client.get("/api/guidance", query_string=params)
    assert resp.status_code == 200
    return resp.get_json()


@pytest.mark.parametrize("on", DATES)
def test_guidance_on_date_equals_api_guidance(client, on):
    api = {s["id"]: s for s in api_guidance(client, on)["statements"]}
    rows = select(client, dated("guidance-on-date.rq", on, "9999-12-31"))
    assert {r["statement"] for r in rows} == set(api)
    for r in rows:
        s = api[r["statement"]]
        assert r["key"] == s["key"] and r["text"] == s["text"]
        assert r["topic"].endswith("/" + s["topic"]) and r["jurisdiction"].endswith("/" + s["jurisdiction"])


@pytest.mark.parametrize("on", DATES)
def test_guidance_on_date_as_csv_equals_api_guidance(client, on):
    api = {s["id"]: s for s in api_guidance(client, on)["statements"]}
    rows = select_csv(client, dated("guidance-on-date.rq", on, "9999-12-31"))
    assert {r["statement"] for r in rows} == set(api)
    assert {r["statement"]: r["text"] for r in rows} == {i: s["text"] for i, s in api.items()}


def test_the_library_file_as_it_stands_equals_api_guidance_for_its_date(client):
    text = library("guidance-on-date.rq")
    on = re.search(r'VALUES \(\?on \?known\) \{ \("(\d{4}-\d\d-\d\d)"', text).group(1)
    api = api_guidance(client, on)
    rows = select_csv(client, text)
    assert {r["statement"] for r in rows} == {s["id"] for s in api["statements"]} and rows


@pytest.mark.parametrize(("on", "known"), [("2019-04-20", "2019-04-15"), ("2019-04-20", "2019-04-18"),
                                           ("2020-02-01", "2019-12-31"), ("2014-06-01", "2014-05-31")])
def test_guidance_as_known_equals_api_guidance(client, on, known):
    api = api_guidance(client, on, known)
    rows = select(client, dated("guidance-on-date-as-known.rq", on, known))
    assert {r["statement"] for r in rows} == {s["id"] for s in api["statements"]}


@pytest.mark.parametrize("on", DATES)
def test_overridden_on_date_equals_api_guidance(client, on):
    api = api_guidance(client, on)
    expected = {(s["id"], by) for s in api["overridden"] for by in s["overridden_by"]}
    rows = select(client, dated("overridden-on-date.rq", on, "9999-12-31"))
    assert {(r["statement"], r["by"]) for r in rows} == expected


def test_changes_between_dates_equals_api_changes(client):
    resp = client.get("/api/changes", query_string={"from": "2013-01-01", "to": "2021-12-31"})
    api = resp.get_json()["changes"]
    rows = select(client, dated("changes-between-dates.rq", "2013-01-01", "2021-12-31", "9999-12-31"))
    assert len(rows) == len(api) > 5
    # The API names a date at the precision of its cause ("2014"); the query gives the day ("2014-01-01").
    mine = sorted((r["statement"], r["change"], r["reason"], r["date"]) for r in rows)
    theirs = sorted((c["statement"]["id"], c["change"], c["reason"], c["date"]) for c in api)
    for (s1, c1, r1, d1), (s2, c2, r2, d2) in zip(mine, theirs, strict=True):
        assert (s1, c1, r1) == (s2, c2, r2) and d1.startswith(d2)


# -- the hand-written queries agree with the model ---------------------------------------------------------


def key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_overrides(client, graph):
    m, iris = graph.model, graph.minter
    rows = select(client, library("overrides.rq"))
    expected = {(str(iris.statement(s.key)), str(iris.statement(o.target)), o.kind)
                for s in m.statements.values() for o in s.overrides}
    assert {(r["statement"], r["overridden"], r["kind"]) for r in rows} == expected and expected
    sources = defaultdict(set)
    for k, records in m.records.items():
        for rec in records:
            sources[k].add(rec.source)
    for r in rows:
        s, o = m.statements[key(r["statement"])], m.statements[key(r["overridden"])]
        assert (r["key"], r["overriddenKey"]) == (s.key, o.key)
        assert r["validFrom"] == s.valid_from.isoformat() and r["overriddenValidFrom"] == o.valid_from.isoformat()
        assert r["inForceFrom"] == in_force_start(s.valid_from).isoformat()
        assert r["overriddenInForceFrom"] == in_force_start(o.valid_from).isoformat()
        assert r["validUntil"] == (s.valid_until.isoformat() if s.valid_until else None)
        assert r["overriddenInForceUntil"] == (in_force_end(o.valid_until).isoformat() if o.valid_until else None)
        assert set(r["sources"].split()) == sources[s.key]
        assert set(r["overriddenSources"].split()) == sources[o.key]


def test_overrides_for_an_unknown_drug_is_empty(client):
    assert select(client, with_values("overrides.rq", 'VALUES ?drugKey { "no-such-drug" }')) == []
    assert select(client, with_values("overrides.rq", 'VALUES ?drugKey { "alemtuzumab" }'))


def _record_tuple(graph, rec) -> tuple:
    """The record as the query gives it: a held reference's passage apart from the version's own quote."""
    iris, v = graph.minter, graph.model.versions[rec.version_id]
    q = (rec.quote.exact, rec.quote.start, rec.quote.end) if rec.quote else (None, None, None)
    own = (None, None, None) if rec.reference else q
    reported = (str(iris.reference(rec.reference)), *q) if rec.reference else (None,) * 4
    return (str(iris.statement(rec.statement)), str(iris.version(rec.source, rec.version)), v.published.isoformat(),
            recorded_from(v.published).isoformat(), v.sha256, rec.confidence, *own, rec.citation_url, rec.document,
            *reported)


def _row_tuple(r) -> tuple:
    number = lambda x: int(x) if x else None  # noqa: E731
    return (r["statement"], r["version"], r["published"], r["recordedFrom"], r["sha256"],
            r["confidence"].rsplit("#", 1)[1].lower(), r["quote"], number(r["start"]), number(r["end"]),
            r["citation"], r["citedAs"], r["reportedBy"], r["reportedQuote"], number(r["reportedStart"]),
            number(r["reportedEnd"]))


def test_statement_provenance_by_key(client, graph):
    m = graph.model
    rows = select(client, library("statement-provenance.rq"))
    wanted = re.search(r'\(UNDEF "([^"]+)"\)', library("statement-provenance.rq")).group(1)
    assert sorted(_row_tuple(r) for r in rows) == sorted(_record_tuple(graph, rec) for rec in m.records[wanted])


def test_statement_provenance_by_iri_and_for_every_statement(client, graph):
    m = graph.model
    some = sorted(m.statements)[0]
    iri = graph.minter.statement(some)
    rows = select(client, with_values("statement-provenance.rq", f"VALUES (?statement ?key) {{ (<{iri}> UNDEF) }}"))
    assert sorted(map(_row_tuple, rows)) == sorted(_record_tuple(graph, rec) for rec in m.records[some])
    rows = select(client, with_values("statement-provenance.rq", "VALUES (?statement ?key) { (UNDEF UNDEF) }"))
    expected = [_record_tuple(graph, rec) for records in m.records.values() for rec in records]
    assert sorted(map(_row_tuple, rows)) == sorted(expected) and len(expected) == sum(map(len, m.records.values()))


def test_version_assertions(client, graph):
    m, iris = graph.model, graph.minter
    rows = select(client, library("version-assertions.rq"))
    expected = {(str(iris.version(*v.split("/"))), str(iris.statement(s)))
                for v, statements in m.asserted_by.items() for s in statements}
    assert {(r["version"], r["statement"]) for r in rows} == expected
    for r in rows:
        s, v = m.statements[key(r["statement"])], m.versions[iris.key_of(r["version"], "version")]
        assert r["topic"].endswith("/" + s.topic) and r["jurisdiction"].endswith("/" + s.jurisdiction)
        assert r["published"] == v.published.isoformat() and r["source"] == str(iris.source(v.source))
    one = next(iter(m.sources.values()))
    rows = select(client, with_values("version-assertions.rq", f'VALUES ?sourceKey {{ "{one.key}" }}'))
    assert {r["source"] for r in rows} == {str(iris.source(one.key))}


def test_temporary_measures(client, graph):
    m = graph.model
    rows = {key(r["statement"]): r for r in select(client, library("temporary-measures.rq"))}
    temporary = {s.key: s for s in m.statements.values() if s.temporary}
    assert set(rows) == set(temporary) and temporary
    for k, s in temporary.items():
        r = rows[k]
        overriders = [o for o in m.statements.values() if any(x.target == k for x in o.overrides)]
        first = min(overriders, key=lambda o: (in_force_start(o.valid_from), o.key), default=None)
        until = in_force_end(s.valid_until) if s.valid_until else None
        over = in_force_start(first.valid_from) if first else None
        ends = [d for d in (until, over) if d is not None]
        ended = min(ends) if ends else None
        assert r["firstOverrider"] == (str(graph.minter.statement(first.key)) if first else None)
        assert r["overriddenFrom"] == (over.isoformat() if over else None)
        assert r["ended"] == (ended.isoformat() if ended else None)
        expected_how = ("not ended" if ended is None else "valid_until" if ended == until else "overridden")
        assert r["how"] == expected_how


def lag_rows(rows) -> dict[tuple[str, str], tuple[str, int, int, int | None, bool]]:
    """Return reporting-lag.rq's rows by (statement key, source key): first version, least, most, lag, approximate."""
    return {(r["key"], r["sourceKey"]): (r["firstVersion"], int(r["lagDaysLeast"]), int(r["lagDaysMost"]),
                                         int(r["lagDays"]) if r["lagDays"] is not None else None,
                                         r["approximate"] == "true") for r in rows}


def test_reporting_lag(client, graph):
    m, iris = graph.model, graph.minter
    expected = {}
    for k, records in m.records.items():
        s = m.statements[k]
        first = {}
        for rec in records:
            v = m.versions[rec.version_id]
            order = (recorded_from(v.published), v.key)
            if v.source not in first or order < first[v.source][0]:
                first[v.source] = (order, v)
        for source, (_, v) in first.items():
            least, most = (v.published.lo - s.valid_from.last).days, (v.published.last - s.valid_from.lo).days
            approximate = v.published.precision != "day" or s.valid_from.precision != "day"
            expected[(k, source)] = (str(iris.version(v.source, v.key)), least, most,
                                     None if approximate else least, approximate)
    rows = select(client, library("reporting-lag.rq"))
    got = lag_rows(rows)
    assert got == expected and len(got) == len(rows)
    assert any(lag for _, lag, _, _, _ in got.values())  # the bundled data has real lags
    assert any(least < most for _, least, most, _, _ in got.values())  # and imprecise dates


def test_reporting_lag_query_gives_the_audit_range(client, graph):
    """The query gives the audit's range (least, most), not one number, for every statement and source."""
    audit = pytest.importorskip("guidancekg.graph.views.audit")
    got = lag_rows(select(client, library("reporting-lag.rq")))
    lags = audit._lags(graph.engine, sorted(graph.model.statements))
    assert {(lag.statement.key, lag.source) for lag in lags} == set(got)
    for lag in lags:
        version = str(graph.minter.version(lag.source, lag.first_version.key))
        assert got[(lag.statement.key, lag.source)] == (version, lag.least, lag.most, lag.days, lag.approximate)
    # What `guidancekg audit` prints over the whole record: the same ranges ("1569 to 1933", not 1933).
    printed = audit.audit(graph.engine, date(2000, 1, 1), date(2030, 12, 31))
    assert printed.lags and all(got[(lag.statement.key, lag.source)][1:3] == (lag.least, lag.most)
                                for lag in printed.lags)
    assert got[("alemtuzumab-eu-licensed-rrms-2014", "mssociety-lemtrada")][1:] == (1569, 1933, None, True)


def test_julian_day_arithmetic_matches_python(client):
    # The day count of reporting-lag.rq, on dates across month, year and leap-year boundaries, and the first day
    # after a month or a year (month 13 of a year is January of the next in the formula).
    days = ["1999-12-31", "2000-02-28", "2000-02-29", "2000-03-01", "2019-04-12", "2019-05-01", "2024-02-29",
            "2100-03-01", "2013-09-12"]
    periods = {("2019-12", "gYearMonth"): 31, ("2020-02", "gYearMonth"): 29, ("2100-02", "gYearMonth"): 28,
               ("2019-04", "gYearMonth"): 30, ("2014", "gYear"): 365, ("2000", "gYear"): 366}
    text = library("reporting-lag.rq")
    block = re.search(r"  # Julian Day Number of \?inForceFrom\n.*?AS \?fromNextJdn\)", text, re.S).group(0)
    rows_of = [f'("{d}"^^xsd:date "{d}"^^xsd:date)' for d in days] + [
        f'("{p}"^^xsd:{kind} "{p}-01-01"^^xsd:date)' if kind == "gYear" else f'("{p}"^^xsd:{kind} "{p}-01"^^xsd:date)'
        for p, kind in periods]
    query = ("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nSELECT ?validFrom ?fromJdn ?fromNextJdn WHERE {\n"
             f"VALUES (?validFrom ?inForceFrom) {{ {' '.join(rows_of)} }}\n{block}\n}}")
    rows = {r["validFrom"]: (int(float(r["fromJdn"])), int(float(r["fromNextJdn"]))) for r in select(client, query)}
    base = date(2000, 1, 1)
    for d in days:
        assert rows[d][0] - rows["2000-03-01"][0] == (date.fromisoformat(d) - base).days - (
            date(2000, 3, 1) - base).days
    for (period, _kind), length in periods.items():
        first, after = rows[period]
        assert after - first == length, period


# -- questions across drugs --------------------------------------------------------------------------------

def restrictions_by(m, publisher: str, start: date, end: date) -> set[tuple[str, str, str | None]]:
    """Return (drug, statement, restricted) as restrictions-by-authority.rq defines them, from the model."""
    out = set()
    for version, keys in m.asserted_by.items():
        if m.sources[version.split("/")[0]].publisher != publisher:
            continue
        for k in keys:
            s = m.statements[k]
            if not start <= in_force_start(s.valid_from) <= end:
                continue
            out |= {(s.drug, k, o.target) for o in s.overrides if o.kind == "restricts"}
            if s.reserved and not any(o.kind == "restricts" for o in s.overrides):
                out.add((s.drug, k, None))
    return out


@pytest.mark.parametrize("publisher, start, end", [("EMA", "2017-01-01", "2019-12-31"),
                                                   ("EMA", "2019-01-01", "2019-12-31"),
                                                   ("FDA", "2014-01-01", "2018-12-31")])
def test_restrictions_by_authority(client, graph, publisher, start, end):
    query = with_values("restrictions-by-authority.rq",
                        f'VALUES (?publisher ?from ?to) {{ ("{publisher}" {day_term(start)} {day_term(end)}) }}')
    rows = {(r["drugKey"], r["key"], r["restrictedKey"]) for r in select(client, query)}
    expected = restrictions_by(graph.model, publisher, date.fromisoformat(start), date.fromisoformat(end))
    assert rows == expected and rows


def test_the_ema_restricted_both_drugs_from_2017_to_2019_and_only_alemtuzumab_in_2019(client):
    assert {r["drugKey"] for r in select(client, library("restrictions-by-authority.rq"))} == {
        "alemtuzumab", "daclizumab"}
    in_2019 = with_values("restrictions-by-authority.rq",
                          'VALUES (?publisher ?from ?to) { ("EMA" "2019-01-01"^^xsd:date "2019-12-31"^^xsd:date) }')
    assert {r["drugKey"] for r in select(client, in_2019)} == {"alemtuzumab"}


def test_temporary_to_final_decision(client, graph):
    m = graph.model
    rows = {r["key"]: r for r in select(client, library("temporary-to-final-decision.rq"))}
    temporary = {k: s for k, s in m.statements.items() if s.temporary}
    assert set(rows) == set(temporary)
    for k, s in temporary.items():
        decisions = [o for o in m.statements.values()
                     if o.legal_effect == "binding" and any(x.target == k for x in o.overrides)]
        first = min(decisions, key=lambda o: (in_force_start(o.valid_from), o.key), default=None)
        days = (in_force_start(first.valid_from) - in_force_start(s.valid_from)).days if first else None
        assert rows[k]["decisionKey"] == (first.key if first else None)
        assert rows[k]["days"] == (str(days) if first else None)
    # The EU's April 2019 measure on alemtuzumab was decided 279 days later; daclizumab's 2017 measures never were.
    assert rows["alemtuzumab-eu-temporary-restriction-2019"]["days"] == "279"
    assert rows["daclizumab-eu-provisional-restriction-2017"]["decision"] is None


def test_reserved_in_the_us_not_in_the_eu(client, graph):
    m = graph.model
    rows = {r["key"]: r for r in select(client, library("reserved-in-one-jurisdiction-only.rq"))}
    reserved = [s for s in m.statements.values() if s.reserved]
    expected = {}
    for us in (s for s in reserved if s.jurisdiction == "US"):
        day = in_force_start(us.valid_from)
        eu = [s for s in reserved if s.jurisdiction == "EU" and s.drug == us.drug]
        if any(in_force_start(s.valid_from) <= day and not (s.valid_until and in_force_end(s.valid_until) <= day)
               for s in eu):
            continue
        later = min((s for s in eu if in_force_start(s.valid_from) > day),
                    key=lambda s: (in_force_start(s.valid_from), s.key), default=None)
        expected[us.key] = (later.key if later else None,
                            str((in_force_start(later.valid_from) - day).days) if later else None)
    assert {k: (r["otherKey"], r["days"]) for k, r in rows.items()} == expected
    assert expected == {"alemtuzumab-us-indication-2014": ("alemtuzumab-eu-temporary-restriction-2019", "1610"),
                        "daclizumab-us-indication-2016": ("daclizumab-eu-provisional-restriction-2017", "406")}
    swapped = with_values("reserved-in-one-jurisdiction-only.rq",
                          "VALUES (?reserving ?other ?drugKey) { (jur:EU jur:US UNDEF) }")
    assert select(client, swapped) == []  # the EU never reserved either drug before the US did


def test_every_prefix_a_library_query_declares_is_the_prefix_tables():
    """The hand-written queries spell their PREFIX lines out (a researcher copies them whole): each must name the
    namespace the one prefix table (ontology/vocab.py) gives that prefix."""
    from guidancekg.ontology.vocab import PREFIXES

    declared = {(path.name, m[1], m[2]) for path in sorted(QUERIES_DIR.glob("*.rq"))
                for m in re.finditer(r"(?im)^\s*PREFIX\s+([A-Za-z][\w-]*):\s*<([^>]*)>", path.read_text("utf-8"))}
    assert declared
    assert [d for d in declared if PREFIXES.get(d[1]) != d[2]] == []
