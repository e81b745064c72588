"""The SPARQL library's date queries agree with the engine, on the bundled data and on random corpora."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import corpora

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
