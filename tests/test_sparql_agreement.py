"""The SPARQL library's date queries agree with the engine, on the bundled data and on random corpora."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidancekg.graph.corpus import Assertion, Corpus, Drug, OverrideRef, Source, Statement, Version, Where
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.engine import Engine
from guidancekg.graph.iris import Minter
from guidancekg.graph.model import load_model
from guidancekg.graph.rdfbuild import build_dataset
from guidancekg.graph.sparqlgen import EVERYTHING, QUERIES_DIR, library
from guidancekg.graph.store import MemoryStore, OxigraphStore, Store

LO, HI = date(2012, 1, 1), date(2022, 12, 31)
VALUES = re.compile(r"VALUES \([^)]*\) \{ \([^)]*\) \}")


def run(store: Store, name: str, *values: date | None) -> list[dict[str, str | None]]:
    """Run a library query with its VALUES line bound to ``values`` (None: everything recorded)."""
    text = (QUERIES_DIR / name).read_text(encoding="utf-8")
    literals = " ".join(f'"{(v or date.fromisoformat(EVERYTHING)).isoformat()}"^^xsd:date' for v in values)
    line = VALUES.search(text)
    assert line, name
    head = line.group(0).split("{")[0]
    return store.select(VALUES.sub(head + "{ (" + literals + ") }", text, count=1))


def answers(engine: Engine, store: Store, on: date, known: date | None):
    g = engine.guidance(on, known)
    by_engine = ({e.statement.iri for e in g.effective},
                 {(e.statement.iri, b) for e in g.overridden for b in e.overridden_by})
    by_sparql = ({r["statement"] for r in run(store, "guidance-on-date.rq", on, known)},
                 {(r["statement"], r["by"]) for r in run(store, "overridden-on-date.rq", on, known)})
    return by_engine, by_sparql


def changes(engine: Engine, store: Store, start: date, end: date, known: date | None):
    by_engine = {(c.day.isoformat(), c.entry.statement.iri, c.change, c.reason)
                 for c in engine.changes(start, end, known)}
    by_sparql = {(r["date"], r["statement"], r["change"], r["reason"])
                 for r in run(store, "changes-between-dates.rq", start, end, known)}
    return by_engine, by_sparql


def test_query_files_are_generated_from_sparqlgen():
    for name, text in library().items():
        assert (QUERIES_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run python -m guidancekg.graph.sparqlgen")


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


def test_queries_also_run_on_the_rdflib_store(graph):
    assert isinstance(graph.store, MemoryStore)
    mine, theirs = answers(graph.engine, graph.store, date(2019, 4, 12), None)
    assert mine == theirs


# -- random corpora ----------------------------------------------------------------------------------------

days = st.dates(min_value=LO, max_value=HI)


@st.composite
def partial_dates(draw, after: date | None = None) -> PartialDate:
    day = draw(st.dates(min_value=after or LO, max_value=HI))
    precision = draw(st.sampled_from(["day", "day", "month", "year"]))
    if precision == "month":
        return PartialDate(day.replace(day=1), "month")
    if precision == "year":
        return PartialDate(day.replace(month=1, day=1), "year")
    return PartialDate(day, "day")


@st.composite
def corpora(draw) -> Corpus:
    where = Where("generated.yaml")
    sources = {f"s{i}": Source(f"s{i}", f"Source {i}", "Publisher", "regulator", "EU", None, None)
               for i in range(draw(st.integers(1, 3)))}
    versions: dict[str, Version] = {}
    for key in sources:
        published = sorted({draw(partial_dates()) for _ in range(draw(st.integers(1, 3)))})
        for n, p in enumerate(published):
            versions[f"{key}/v{n}"] = Version(key, f"v{n}", p, None, None, None, None)
    statements: dict[str, Statement] = {}
    depth: dict[str, int] = {}
    for i in range(draw(st.integers(1, 7))):
        key = f"st{i}"
        valid_from = draw(partial_dates())
        until = draw(st.one_of(st.none(), partial_dates(after=min(valid_from.hi + timedelta(days=1), HI))))
        if until is not None and until.lo < valid_from.hi:
            until = None
        targets = draw(st.lists(st.sampled_from(sorted(statements)), unique=True, max_size=3)) if statements else []
        targets = [t for t in targets if depth[t] < 3]
        depth[key] = 1 + max((depth[t] for t in targets), default=-1)
        statements[key] = Statement(key, "d", "indication", "EU", f"statement {i}", valid_from, "stated-in-text",
                                    until, False, tuple(OverrideRef(t, "replaces") for t in targets), None, where)
    assertions = []
    for key in statements:
        for vid in draw(st.lists(st.sampled_from(sorted(versions)), min_size=1, max_size=3, unique=True)):
            v = versions[vid]
            assertions.append(Assertion(key, v.source, v.key, None, "http://example.org/cited", "paraphrase",
                                        None, where))
    return Corpus({"d": Drug("d", "d")}, sources, versions, statements, tuple(assertions))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(), on=days, known=st.one_of(st.none(), days), span=st.tuples(days, days))
def test_random_corpora_engine_and_sparql_agree(corpus, on, known, span):
    dataset = build_dataset(corpus, Minter("http://example.org/"))
    engine = Engine(load_model(MemoryStore(dataset)))
    store = OxigraphStore.in_memory(dataset.serialize(format="nquads", encoding="utf-8"))
    mine, theirs = answers(engine, store, on, known)
    assert mine == theirs
    start, end = sorted(span)
    mine_changes, their_changes = changes(engine, store, start, end, known)
    assert mine_changes == their_changes
