"""The interval index and the indexed engine: the same answers as the unindexed reference and as SPARQL."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import JURISDICTIONS, TOPICS, corpora, days
from test_sparql_agreement import answers, changes

from guidancekg.graph.dates import in_force_end
from guidancekg.graph.engine.answers import Change, Engine, Filters, Period, _State
from guidancekg.graph.engine.index import OPEN_END, DateIndex, IntervalTree
from guidancekg.graph.engine.model import load_model
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


# -- the reference: the engine's unindexed definitions, applied to every visible statement ---------------------


def reference_guidance(engine: Engine, on: date, known: date | None, filters: Filters):
    visible = engine.visible(known)
    states = engine._states(on, visible)
    keep = {i: st for i, st in states.items() if engine.matches(engine.model.statements[i], filters)}
    return ({i for i, st in keep.items() if st == ("effective", ())},
            {(i, st[1]) for i, st in keep.items() if st and st[0] == "overridden"})


def _label(engine: Engine, day: date, iri: str, visible) -> object:
    own = engine.model.statements[iri]
    if own.valid_from.lo == day:
        return own.valid_from
    if own.valid_until is not None and in_force_end(own.valid_until) == day:
        return own.valid_until
    causes = []
    for other in visible:
        s = engine.model.statements[other]
        if s.valid_from.lo == day:
            causes.append(s.valid_from)
        if s.valid_until is not None and in_force_end(s.valid_until) == day:
            causes.append(s.valid_until)
    rank = {"day": 0, "month": 1, "year": 2}
    return min(causes, key=lambda p: (rank[p.precision], p.lo)) if causes else ("day", day)


def reference_changes(engine: Engine, start: date, end: date, known: date | None, filters: Filters):
    visible = engine.visible(known)
    wanted = [i for i in visible if engine.matches(engine.model.statements[i], filters)]
    out = set()
    previous: dict[str, _State] = {}
    for day, states in engine._segments(visible):
        if start <= day <= end:
            for iri in wanted:
                before, now = previous.get(iri), states.get(iri)
                was, is_ = before == ("effective", ()), now == ("effective", ())
                if was == is_:
                    continue
                s = engine.model.statements[iri]
                label = _label(engine, day, iri, visible)
                if is_:
                    came = s.valid_from.lo == day
                    by = None if came or before is None else (before[1][0] if before[1] else None)
                    out.add((str(label), day, iri, "started", "came-into-force" if came else "override-ended", by))
                else:
                    ended = s.valid_until is not None and in_force_end(s.valid_until) == day
                    by = None if ended or now is None else (now[1][0] if now[1] else None)
                    out.add((str(label), day, iri, "stopped", "ended" if ended else "overridden", by))
        previous = states
    return out


def reference_timeline(engine: Engine, known: date | None, filters: Filters):
    visible = engine.visible(known)
    segments = engine._segments(visible)
    out = {}
    for iri in visible:
        if not engine.matches(engine.model.statements[iri], filters):
            continue
        runs: list[tuple[date, _State]] = []
        for day, states in segments:
            state = states.get(iri)
            if not runs or runs[-1][1] != state:
                runs.append((day, state))
        periods = []
        for n, (day, state) in enumerate(runs):
            if state is None:
                continue
            end = str(_label(engine, runs[n + 1][0], iri, visible)) if n + 1 < len(runs) else None
            start = str(_label(engine, day, iri, visible))
            if state[0] == "effective":
                periods.append(("effective", start, end, None))
            else:
                periods.extend(("overridden", start, end, by) for by in state[1])
        out[iri] = sorted(periods, key=repr)
    return out


def _change_key(c: Change):
    return (str(c.date), c.day, c.entry.statement.iri, c.change, c.reason, c.by)


def _periods(effective: tuple[Period, ...], overridden: tuple[Period, ...]):
    return sorted([("effective", str(p.start), str(p.end) if p.end else None, None) for p in effective]
                  + [("overridden", str(p.start), str(p.end) if p.end else None, p.by) for p in overridden],
                  key=repr)


filters_st = st.builds(Filters, drug=st.sampled_from([None, "d0", "d1"]),
                       jurisdiction=st.sampled_from([None, *JURISDICTIONS]), topic=st.sampled_from([None, *TOPICS]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=12), on=days, known=st.one_of(st.none(), days),
       span=st.tuples(days, days), filters=filters_st)
def test_indexed_engine_agrees_with_the_reference(corpus, on, known, span, filters):
    engine = Engine(load_model(MemoryStore(build_dataset(corpus, Minter("http://example.org/")))))
    if filters.drug is not None and engine.model.drug_by_key(filters.drug) is None:
        filters = Filters(None, filters.jurisdiction, filters.topic)
    g = engine.guidance(on, known, filters)
    mine = ({e.statement.iri for e in g.effective}, {(e.statement.iri, e.overridden_by) for e in g.overridden})
    assert mine == reference_guidance(engine, on, known, filters)
    start, end = sorted(span)
    assert {_change_key(c) for c in engine.changes(start, end, known, filters)} == \
        reference_changes(engine, start, end, known, filters)
    timeline = {t.entry.statement.iri: _periods(t.effective, t.overridden) for t in engine.timeline(known, filters)}
    assert timeline == reference_timeline(engine, known, filters)


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


def test_index_record_time_on_the_bundled_data(engine):
    index: DateIndex = engine.index
    for known in (None, date(2014, 5, 31), date(2019, 4, 15), date(2019, 4, 18), date(2030, 1, 1)):
        visible = {s for s in engine.model.statements if index.is_visible(s, known)}
        assert visible == set(engine.visible(known))
    assert not any(index.is_visible(s, date(2000, 1, 1)) for s in engine.model.statements)


def test_index_in_force_on_the_bundled_data(engine):
    for day in (date(2013, 9, 12), date(2014, 1, 1), date(2019, 4, 12), date(2020, 1, 16), date(2024, 1, 1)):
        assert set(engine.index.in_force(day)) == {i for i, s in engine.model.statements.items()
                                                   if Engine.in_force(s, day)}
        for drug in {s.drug for s in engine.model.statements.values()}:
            assert set(engine.index.in_force(day, drug)) == {
                i for i, s in engine.model.statements.items() if s.drug == drug and Engine.in_force(s, day)}


def test_engine_answers_every_day_of_2019_like_the_reference(engine):
    day = date(2019, 1, 1)
    while day.year == 2019:
        g = engine.guidance(day)
        mine = ({e.statement.iri for e in g.effective}, {(e.statement.iri, e.overridden_by) for e in g.overridden})
        assert mine == reference_guidance(engine, day, None, Filters())
        day += timedelta(days=7)
