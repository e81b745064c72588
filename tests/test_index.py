"""The interval index and the indexed engine: the same answers as the unindexed oracle and as SPARQL."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import JURISDICTIONS, TOPICS, corpora, days
from test_sparql_agreement import answers, changes

from guidancekg.graph.dates import in_force_end, in_force_start
from guidancekg.graph.engine.answers import NO_FILTERS, Change, Engine, Filters, Period
from guidancekg.graph.engine.index import OPEN_END, DateIndex, IntervalTree
from guidancekg.graph.engine.model import load_model
from guidancekg.graph.engine.rules import in_force
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.rdf.writer import build_dataset
from guidancekg.graph.stores.base import MemoryStore, OxigraphStore

# -- the interval tree ---------------------------------------------------------------------------------------

intervals = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 220)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(spans=intervals, points=st.lists(st.integers(-5, 230), min_size=1, max_size=20))
def test_interval_tree_stabs_like_a_scan(spans, points):
    items = [(s, e if e > s else OPEN_END, f"i{n}") for n, (s, e) in enumerate(spans)]
    tree = IntervalTree(items)
    for p in points:
        assert sorted(tree.stab(p)) == sorted(i for s, e, i in items if s <= p < e)


def test_interval_tree_on_many_equal_starts():
    items = [(10, 10 + n % 7 + 1, f"i{n}") for n in range(1000)]
    tree = IntervalTree(items)
    for p in range(5, 25):
        assert sorted(tree.stab(p)) == sorted(i for s, e, i in items if s <= p < e)


def _key(entry, filters: Filters):
    """A statement's key; in a jurisdiction, with its context as the oracle names it."""
    a = entry.applies_in
    return entry.statement.key if filters.jurisdiction is None else (
        entry.statement.key, (a.jurisdiction, a.because, a.via, a.relation))


def _change_key(c: Change, filters: Filters = NO_FILTERS):
    return (str(c.date), c.day, _key(c.entry, filters), c.change, c.reason, c.by)


def _periods(effective: tuple[Period, ...], overridden: tuple[Period, ...]):
    return sorted([("effective", str(p.start), str(p.end) if p.end else None, None) for p in effective]
                  + [("overridden", str(p.start), str(p.end) if p.end else None, p.by) for p in overridden],
                  key=repr)


filters_st = st.builds(Filters, drug=st.sampled_from([None, "d0", "d1"]),
                       jurisdiction=st.sampled_from([None, *JURISDICTIONS]), topic=st.sampled_from([None, *TOPICS]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=12), on=days, known=st.one_of(st.none(), days),
       span=st.tuples(days, days), filters=filters_st)
def test_indexed_engine_agrees_with_the_oracle(corpus, on, known, span, filters):
    engine = Engine(load_model(MemoryStore(build_dataset(corpus, Minter("http://example.org/")))))
    model = engine.model
    if filters.drug is not None and filters.drug not in model.drugs:
        filters = Filters(None, filters.jurisdiction, filters.topic)
    g = engine.guidance(on, known, filters)
    mine = ({_key(e, filters) for e in g.effective}, {(_key(e, filters), e.overridden_by) for e in g.overridden})
    assert mine == oracle.guidance(model, on, known, filters)
    start, end = sorted(span)
    assert {_change_key(c, filters) for c in engine.changes(start, end, known, filters)} == \
        oracle.changes(model, start, end, known, filters)
    timeline = {_key(t.entry, filters): _periods(t.effective, t.overridden) for t in engine.timeline(known, filters)}
    assert timeline == oracle.timeline(model, known, filters)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=10), on=days, known=st.one_of(st.none(), days), span=st.tuples(days, days))
def test_indexed_engine_agrees_with_the_sparql_queries(corpus, on, known, span):
    dataset = build_dataset(corpus, Minter("http://example.org/"))
    engine = Engine(load_model(MemoryStore(dataset)))
    store = OxigraphStore.in_memory(dataset.serialize(format="nquads", encoding="utf-8"))
    mine, theirs = answers(engine, store, on, known)
    assert mine == theirs
    start, end = sorted(span)
    mine_changes, their_changes = changes(engine, store, start, end, known)
    assert mine_changes == their_changes
    drug = min(engine.model.drugs)  # the query's ?drugKey parameter
    assert changes(engine, store, start, end, known, drug)[0] == changes(engine, store, start, end, known, drug)[1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=12), known=st.one_of(st.none(), days), data=st.data())
def test_visibility_over_arrays_is_visibility_one_statement_at_a_time(corpus, known, data):
    """``DateIndex.visible`` (a block of statements at once, as a first page walks them) says what ``is_visible``
    says of each, for any ids in any order, repeated or not."""
    engine = Engine(load_model(MemoryStore(build_dataset(corpus, Minter("http://example.org/")))))
    keys = engine.model.keys
    ids = data.draw(st.lists(st.integers(0, len(keys) - 1), max_size=30)) if keys else []
    got = engine.index.visible(np.asarray(ids, dtype=np.int64), known).tolist()
    assert got == [engine.index.is_visible(keys[i], known) for i in ids]


def test_index_record_time_on_the_bundled_data(engine):
    index: DateIndex = engine.index
    for known in (None, date(2014, 5, 31), date(2019, 4, 15), date(2019, 4, 18), date(2030, 1, 1)):
        visible = {s for s in engine.model.statements if index.is_visible(s, known)}
        assert visible == oracle.visible(engine.model, known)
    assert not any(index.is_visible(s, date(2000, 1, 1)) for s in engine.model.statements)


def test_index_in_force_on_the_bundled_data(engine):
    for day in (date(2013, 9, 12), date(2014, 1, 1), date(2019, 4, 12), date(2020, 1, 16), date(2024, 1, 1)):
        assert set(engine.index.in_force(day)) == {i for i, s in engine.model.statements.items()
                                                   if in_force(s, day)}
        for drug in {s.drug for s in engine.model.statements.values()}:
            assert set(engine.index.in_force(day, drug)) == {
                i for i, s in engine.model.statements.items() if s.drug == drug and in_force(s, day)}


def test_engine_answers_every_week_of_2019_like_the_oracle(engine):
    day = date(2019, 1, 1)
    while day.year == 2019:
        g = engine.guidance(day)
        mine = ({e.statement.key for e in g.effective}, {(e.statement.key, e.overridden_by) for e in g.overridden})
        assert mine == oracle.guidance(engine.model, day, None, Filters())
        day += timedelta(days=7)


def test_engine_agrees_with_the_oracle_on_the_bundled_data(engine):
    model = engine.model
    for known in (None, date(2019, 4, 15), date(2019, 6, 1)):
        timeline = {t.entry.statement.key: _periods(t.effective, t.overridden) for t in engine.timeline(known)}
        assert timeline == oracle.timeline(model, known, Filters())
        got = {_change_key(c) for c in engine.changes(date(2010, 1, 1), date(2030, 12, 31), known)}
        assert got == oracle.changes(model, date(2010, 1, 1), date(2030, 12, 31), known, Filters())


def test_opening_an_index_reads_nothing_per_statement(engine):
    """Regression: the index's per-statement lookups are read on first use, so a server starts in seconds at 10^6
    (it made dictionaries of every statement at open, 2.8 s of a 6 s start)."""
    index = DateIndex(engine.model)
    assert (len(index.start), len(index.end), len(index.overriders), len(index.overrides), len(index.by_drug)) == (
        0, 0, 0, 0, 0)
    model = engine.model
    for key, s in model.statements.items():
        end = in_force_end(s.valid_until).toordinal() if s.valid_until is not None else OPEN_END
        assert (index.start[key], index.end[key]) == (in_force_start(s.valid_from).toordinal(), end)
        assert set(index.overrides.get(key, ())) == {o.target for o in s.overrides if o.target in model.statements}
        assert set(index.overriders.get(key, ())) == {k for k, o in model.statements.items()
                                                     if any(t.target == key for t in o.overrides)}
        assert set(index.asserting(key)) == {a.version_id for a in model.records.get(key, ())} | {
            v for v, keys in model.asserted_by.items() if key in keys}
    for drug in model.drugs:
        assert list(index.by_drug[drug]) == [k for k in model.keys if model.statements[k].drug == drug]
    assert index.by_drug.get("no-such-drug", ()) == () and index.overriders.get("no-such-statement") is None
    assert len(index.start) == len(model.keys)  # each read once, then kept
