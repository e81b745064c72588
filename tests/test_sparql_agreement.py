"""The SPARQL library's date queries agree with the engine, on the bundled data and on random corpora."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import BUNDLED, corpora, days

from guidancekg.graph.engine.answers import Engine, Filters
from guidancekg.graph.engine.model import load_model
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.rdf.writer import build_dataset
from guidancekg.graph.sparql.library import EVERYTHING, QUERIES_DIR, bind_values, day_term, library
from guidancekg.graph.stores.base import MemoryStore, OxigraphStore, Store

LO, HI = date(2012, 1, 1), date(2022, 12, 31)


def run(store: Store, name: str, *values: date | None, drug: str | None = None) -> list[dict[str, str | None]]:
    """Run a library query with its VALUES line bound to ``values`` (None: everything recorded), and to the
    drug key ``drug`` after them when given."""
    text = (QUERIES_DIR / name).read_text(encoding="utf-8")
    terms = [day_term(v or EVERYTHING) for v in values] + ([f'"{drug}"'] if drug else [])
    return store.select(bind_values(text, *terms))


def key(iri: str | None) -> str:
    """Return the key a statement IRI was minted from (the engine names statements by key)."""
    assert iri and "/id/statement/" in iri, iri
    return iri.rsplit("/", 1)[-1]


def answers(engine: Engine, store: Store, on: date, known: date | None):
    g = engine.guidance(on, known)
    by_engine = ({e.statement.key for e in g.effective},
                 {(e.statement.key, b) for e in g.overridden for b in e.overridden_by})
    by_sparql = ({key(r["statement"]) for r in run(store, "guidance-on-date.rq", on, known)},
                 {(key(r["statement"]), key(r["by"])) for r in run(store, "overridden-on-date.rq", on, known)})
    return by_engine, by_sparql


def changes(engine: Engine, store: Store, start: date, end: date, known: date | None, drug: str | None = None):
    by_engine = {(c.day.isoformat(), c.entry.statement.key, c.change, c.reason)
                 for c in engine.changes(start, end, known, Filters(drug=drug))}
    by_sparql = {(r["date"], key(r["statement"]), r["change"], r["reason"])
                 for r in run(store, "changes-between-dates.rq", start, end, known, drug=drug)}
    return by_engine, by_sparql


def last(iri: str | None) -> str | None:
    """Return the key or code at the end of an IRI (a statement, a jurisdiction, a reach)."""
    return iri.rsplit("/", 1)[-1] if iri else None


def placed(engine: Engine, store: Store, on: date, known: date | None, jurisdiction: str):
    """Return the engine's and the library's guidance on D in J as known at K: the effective (statement, context,
    because, via, relation) and the overridden ones with each overrider."""
    g = engine.guidance(on, known, Filters(jurisdiction=jurisdiction))

    def why(e) -> tuple:
        a = e.applies_in
        return (e.statement.key, a.jurisdiction, a.because, a.via, a.relation)

    by_engine = ({why(e) for e in g.effective}, {(*why(e), b) for e in g.overridden for b in e.overridden_by})
    values = [day_term(on), day_term(known or EVERYTHING), f'"{jurisdiction}"']

    def rows(name: str) -> list[dict[str, str | None]]:
        return store.select(bind_values((QUERIES_DIR / name).read_text(encoding="utf-8"), *values))

    def row_why(r) -> tuple:
        return (last(r["statement"]), last(r["in"]), r["because"], last(r["via"]), last(r["relation"]))

    by_sparql = ({row_why(r) for r in rows("guidance-in-jurisdiction.rq")},
                 {(*row_why(r), last(r["by"])) for r in rows("overridden-in-jurisdiction.rq")})
    return by_engine, by_sparql


def test_query_files_are_generated_from_sparqlgen():
    for name, text in library().items():
        assert (QUERIES_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run python -m guidancekg.graph.sparql.library")


@pytest.fixture(scope="module")
def bundled(graph):
    nquads = graph.store.dump_nquads()
    return graph.engine, OxigraphStore.in_memory(nquads)


@pytest.mark.parametrize("on", ["2013-06-01", "2014-03-01", "2015-01-01", "2019-04-11", "2019-04-12",
                                "2019-04-18", "2020-01-16", "2020-02-01"])
@pytest.mark.parametrize("known", [None, "2019-04-15", "2019-04-18", "2014-05-31"])
def test_bundled_data_engine_and_sparql_agree(bundled, on, known):
    engine, store = bundled
    mine, theirs = answers(engine, store, date.fromisoformat(on), date.fromisoformat(known) if known else None)
    assert mine == theirs


# The dates the issue and the facts name: the 2013 EU licence, NICE's 2014 appraisal, the April 2019 measure, the
# end of the UK's transition (2020-12-31), Great Britain and Northern Ireland from 2021, the Windsor Framework (2025).
PLACED_DAYS = ["2013-09-12", "2014-05-15", "2019-04-15", "2020-01-16", "2020-12-31", "2021-01-01", "2024-01-01",
               "2025-01-01"]


@pytest.mark.parametrize("jurisdiction", ["UK", "GB-GBN", "GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "EU", "US"])
def test_library_guidance_in_jurisdiction_agrees_with_engine(bundled, jurisdiction):
    """guidance-in-jurisdiction.rq and overridden-in-jurisdiction.rq give the engine's answer, and why each
    statement applies (a regression: the library answered only without a jurisdiction)."""
    engine, store = bundled
    seen = set()
    for on in PLACED_DAYS:
        for known in [None, "2014-05-31", "2019-04-15", "2021-06-01"]:
            mine, theirs = placed(engine, store, date.fromisoformat(on), date.fromisoformat(known) if known else None,
                                  jurisdiction)
            assert mine == theirs, (on, known)
            seen |= {because for _k, _in, because, _via, _rel in mine[0]}
    # The UK: its own statements and the EU's by reach; a part of it: the UK's (inside) and the EU's by reach.
    assert seen >= {"UK": {"own", "reach"}, "EU": {"own"}, "US": {"own"}}.get(jurisdiction, {"inside", "reach"})


def test_library_guidance_in_the_uk_through_the_eu(bundled):
    """On 2019-04-15 the EU's restriction applies in the UK through the EU's reach, as the issue asks."""
    engine, store = bundled
    mine, theirs = placed(engine, store, date(2019, 4, 15), None, "UK")
    assert mine == theirs
    assert ("alemtuzumab-eu-temporary-restriction-2019", "UK", "reach", "EU", "eu-decisions-in-the-uk") in theirs[0]


def test_bundled_changes_agree(bundled):
    engine, store = bundled
    mine, theirs = changes(engine, store, date(2012, 1, 1), date(2022, 12, 31), None)
    assert mine == theirs and len(mine) > 20


@pytest.mark.parametrize("known", [None, "2019-04-15"])
def test_changes_in_a_year_for_one_drug_agree(bundled, known):
    """The changes query's ?drugKey (what made "changes in a year" for one drug take 33 s at 10^6 without it)."""
    engine, store = bundled
    k = date.fromisoformat(known) if known else None
    seen = 0
    for drug in engine.model.drugs:
        mine, theirs = changes(engine, store, date(2019, 1, 1), date(2019, 12, 31), k, drug)
        assert mine == theirs
        seen += len(mine)
    assert seen >= 3
    assert run(store, "changes-between-dates.rq", date(2019, 1, 1), date(2019, 12, 31), None, drug="no-such-drug") == []


def test_queries_also_run_on_the_rdflib_store(graph):
    assert isinstance(graph.store, MemoryStore)
    mine, theirs = answers(graph.engine, graph.store, date(2019, 4, 12), None)
    assert mine == theirs


# Random corpora: tests/test_index.py checks the (indexed) engine against these queries with the generator of
# tests/strategies.py.


def lag_ranges(store: Store) -> dict[tuple[str, str], tuple[str, int, int, int | None, bool]]:
    """Return reporting-lag.rq's answer by (statement, source key): first version key, least, most, lag, approximate."""
    return {(r["key"], r["sourceKey"]): (
        r["firstVersion"].rsplit("/", 1)[-1], int(r["lagDaysLeast"]), int(r["lagDaysMost"]),
        int(r["lagDays"]) if r["lagDays"] is not None else None, r["approximate"] == "true")
        for r in store.select((QUERIES_DIR / "reporting-lag.rq").read_text(encoding="utf-8"))}


def audit_ranges(engine: Engine) -> dict[tuple[str, str], tuple[str, int, int, int | None, bool]]:
    """Return the audit's reporting lags (graph/views/audit.py) of every statement, keyed as :func:`lag_ranges`."""
    from guidancekg.graph.views.audit import _lags

    return {(lag.statement.key, lag.source): (lag.first_version.key, lag.least, lag.most, lag.days, lag.approximate)
            for lag in _lags(engine, sorted(engine.model.statements))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=8))
def test_reporting_lag_query_gives_the_audit_range_on_random_corpora(corpus):
    """Month- and year-precision dates on both sides: the query's least and most equal the audit's, on Oxigraph and
    rdflib (a regression: the query gave one number, the lag to the first day of the record's period)."""
    dataset = build_dataset(corpus, Minter("http://example.org/"))
    engine = Engine(load_model(MemoryStore(dataset)))
    expected = audit_ranges(engine)
    assert lag_ranges(OxigraphStore.in_memory(dataset.serialize(format="nquads", encoding="utf-8"))) == expected
    assert lag_ranges(MemoryStore(dataset)) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=8, random_reach=True), on=days, known=st.one_of(st.none(), days),
       jurisdiction=st.sampled_from(sorted(BUNDLED.jurisdictions)))
def test_library_guidance_in_jurisdiction_agrees_with_engine_on_random_reach(corpus, on, known, jurisdiction):
    """Statements of any jurisdiction of the scheme, and random dated reach records (open or closed, carrying a
    day's terms or not): the library's answer in a jurisdiction is the engine's, with the same reasons."""
    dataset = build_dataset(corpus, Minter("http://example.org/"))
    engine = Engine(load_model(MemoryStore(dataset)))
    oxigraph = OxigraphStore.in_memory(dataset.serialize(format="nquads", encoding="utf-8"))
    mine, theirs = placed(engine, oxigraph, on, known, jurisdiction)
    assert mine == theirs


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=6, random_reach=True), on=days, jurisdiction=st.sampled_from(["UK", "GB-NIR"]))
def test_library_guidance_in_jurisdiction_runs_on_rdflib(corpus, on, jurisdiction):
    """The same on rdflib, on a few corpora: it takes about 15 s a question, whatever the size (the queries are
    long), and minutes on the bundled data."""
    dataset = build_dataset(corpus, Minter("http://example.org/"))
    engine = Engine(load_model(MemoryStore(dataset)))
    mine, theirs = placed(engine, MemoryStore(dataset), on, None, jurisdiction)
    assert mine == theirs
