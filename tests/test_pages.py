"""Pages of the engine's answers: end to end they are the unpaged answer; a cursor continues only its question."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import JURISDICTIONS, TOPICS, corpora, days

from guidancekg.graph.engine import pages
from guidancekg.graph.engine.answers import Engine, Filters, Guidance
from guidancekg.graph.engine.model import Model, load_model
from guidancekg.graph.engine.pages import MAX_LIMIT, Pager
from guidancekg.graph.errors import InputError
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.rdf.writer import build_dataset
from guidancekg.graph.stores.base import MemoryStore

filters_st = st.builds(Filters, drug=st.sampled_from([None, "d0", "d1"]),
                       jurisdiction=st.sampled_from([None, *JURISDICTIONS]), topic=st.sampled_from([None, *TOPICS]))


def _engine(corpus) -> Engine:
    return Engine(load_model(MemoryStore(build_dataset(corpus, Minter("http://example.org/")))))


def _guidance_pages(p: Pager, on: date, known: date | None, filters: Filters, limit: int) -> list[Guidance]:
    out, cursor = [], None
    while True:
        page = p.guidance(on, known, filters, limit, cursor)
        assert len(page.answer.effective) + len(page.answer.overridden) <= limit
        out.append(page.answer)
        if page.next is None:
            return out
        assert len(page.answer.effective) + len(page.answer.overridden) == limit  # only a full page has a next
        cursor = page.next


def _all_pages(fetch, limit: int) -> list:
    out, cursor = [], None
    while True:
        page = fetch(limit, cursor)
        assert len(page.answer) <= limit
        out.extend(page.answer)
        if page.next is None:
            return out
        assert len(page.answer) == limit
        cursor = page.next


def _assert_paged_like_whole(engine: Engine, on: date, known: date | None, filters: Filters, limit: int,
                             span: tuple[date, date]) -> None:
    p = Pager(engine)
    whole = engine.guidance(on, known, filters)
    paged = _guidance_pages(p, on, known, filters, limit)
    assert tuple(e for g in paged for e in g.effective) == whole.effective
    assert tuple(e for g in paged for e in g.overridden) == whole.overridden
    start, end = span
    assert _all_pages(lambda n, c: p.changes(start, end, known, filters, n, c), limit) == \
        engine.changes(start, end, known, filters)
    assert _all_pages(lambda n, c: p.timeline(known, filters, n, c), limit) == engine.timeline(known, filters)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=14), on=days, known=st.one_of(st.none(), days), span=st.tuples(days, days),
       filters=filters_st, limit=st.integers(1, 6))
def test_pages_end_to_end_are_the_unpaged_answer_on_random_corpora(corpus, on, known, span, filters, limit):
    engine = _engine(corpus)
    if filters.drug is not None and filters.drug not in engine.model.drugs:
        filters = Filters(None, filters.jurisdiction, filters.topic)
    _assert_paged_like_whole(engine, on, known, filters, limit, tuple(sorted(span)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora(max_statements=14), on=days, known=st.one_of(st.none(), days), filters=filters_st,
       limit=st.integers(1, 4))
def test_pages_across_the_walks_blocks_are_the_unpaged_answer(corpus, on, known, filters, limit):
    engine = _engine(corpus)
    if filters.drug is not None and filters.drug not in engine.model.drugs:
        filters = Filters(None, filters.jurisdiction, filters.topic)
    whole = engine.guidance(on, known, filters)
    with pytest.MonkeyPatch.context() as mp:  # blocks of one statement, then two, four...: pages cross blocks
        mp.setattr(pages, "_BLOCK_MIN", 1)
        mp.setattr(pages, "_BLOCK_PER_ITEM", 0)
        paged = _guidance_pages(Pager(engine), on, known, filters, limit)
    assert tuple(e for g in paged for e in g.effective) == whole.effective
    assert tuple(e for g in paged for e in g.overridden) == whole.overridden


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 1000])
@pytest.mark.parametrize("on", [date(2014, 1, 1), date(2019, 4, 12), date(2020, 2, 1), date(2024, 1, 1)])
def test_pages_of_the_bundled_data_are_the_unpaged_answer(engine, on, limit):
    for known in (None, date(2019, 4, 15)):
        for filters in (Filters(), Filters(jurisdiction="EU"), Filters(topic="indication")):
            _assert_paged_like_whole(engine, on, known, filters, limit, (date(2010, 1, 1), date(2025, 12, 31)))


def test_a_page_that_fits_has_no_next(engine):
    page = Pager(engine).guidance(date(2019, 4, 12), limit=MAX_LIMIT)
    assert page.next is None
    assert page.answer == engine.guidance(date(2019, 4, 12))


# -- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_out_of_range_is_refused(engine, limit):
    p = Pager(engine)
    for ask in (lambda: p.guidance(date(2019, 4, 12), limit=limit),
                lambda: p.changes(date(2019, 1, 1), date(2020, 1, 1), limit=limit),
                lambda: p.timeline(limit=limit)):
        with pytest.raises(InputError) as err:
            ask()
        assert err.value.parameter == "limit"


def _first_cursor(engine: Engine) -> str:
    page = Pager(engine).guidance(date(2020, 2, 1), limit=1)
    assert page.next is not None
    return page.next


def test_cursor_of_another_question_is_refused(engine):
    cursor = _first_cursor(engine)
    p = Pager(engine)
    for ask in (lambda: p.guidance(date(2020, 2, 2), limit=1, cursor=cursor),
                lambda: p.guidance(date(2020, 2, 1), date(2020, 2, 1), limit=1, cursor=cursor),
                lambda: p.guidance(date(2020, 2, 1), filters=Filters(jurisdiction="EU"), limit=1, cursor=cursor),
                lambda: p.timeline(limit=1, cursor=cursor),
                lambda: p.changes(date(2019, 1, 1), date(2020, 1, 1), limit=1, cursor=cursor)):
        with pytest.raises(InputError, match="another question") as err:
            ask()
        assert err.value.parameter == "cursor"


def _edited(cursor: str) -> list[str]:
    body, _, mark = cursor.partition(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    forged = base64.urlsafe_b64encode(raw.replace(b'"a":0', b'"a":1')).decode().rstrip("=")
    return [forged + "." + mark, cursor[:-1], cursor[1:], body, "." + mark, "", "x.y", "!!!!.0000",
            cursor + "0", "é." + mark]


def test_a_made_up_cursor_with_a_position_past_any_answer_is_refused(engine):
    """The checksum is not a secret: a cursor made with it may name any position, and is refused, not a crash."""
    first = _first_cursor(engine)
    body = first.partition(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    for position in (2**53, 10**40):
        made = raw.replace(b'"a":0', f'"a":{position}'.encode())
        cursor = base64.urlsafe_b64encode(made).decode().rstrip("=") + "." + pages._checksum(made)
        with pytest.raises(InputError, match="not a cursor this server gave"):
            Pager(engine).guidance(date(2020, 2, 1), limit=1, cursor=cursor)
    made = raw.replace(b'"a":0', b'"a":100000')  # past this answer, but a position: an empty last page
    cursor = base64.urlsafe_b64encode(made).decode().rstrip("=") + "." + pages._checksum(made)
    page = Pager(engine).guidance(date(2020, 2, 1), limit=1, cursor=cursor)
    assert page.answer.effective == page.answer.overridden == () and page.next is None


def test_edited_cursor_is_refused(engine):
    cursor = _first_cursor(engine)
    for bad in _edited(cursor):
        with pytest.raises(InputError, match="not a cursor this server gave") as err:
            Pager(engine).guidance(date(2020, 2, 1), limit=1, cursor=bad)
        assert err.value.parameter == "cursor"


def test_cursor_of_a_graph_before_a_new_version_is_refused(engine):
    cursor = _first_cursor(engine)
    corpus = engine.model.corpus
    first = min(corpus.versions)
    versions = {**corpus.versions, first: replace(corpus.versions[first], sha256="0" * 64)}
    changed = Engine(Model.of(replace(corpus, versions=versions)))
    with pytest.raises(InputError, match="before a new version") as err:
        Pager(changed).guidance(date(2020, 2, 1), limit=1, cursor=cursor)
    assert err.value.parameter == "cursor"


def test_a_first_page_judges_a_block_of_statements_not_every_one_in_force(tmp_path_factory, monkeypatch):
    """The engine does not compute the whole answer for a first page: it judges one block of the answer's order."""
    from guidancekg.graph.corpus.files import load_corpus
    from guidancekg.graph.corpus.synthetic import generate

    folder = tmp_path_factory.mktemp("synth") / "synth-5000"
    generate(5000, 1, folder)
    engine = Engine(Model.of(load_corpus(folder)))
    on = date(2018, 6, 1)
    in_force = len(engine.index.in_force(on))
    judged: list[str] = []
    real, real_block = engine.index.is_visible, engine.index.visible
    monkeypatch.setattr(engine.index, "is_visible", lambda key, known: judged.append(key) or real(key, known))
    monkeypatch.setattr(engine.index, "visible", lambda ids, known: judged.extend(
        engine.model.keys[i] for i in ids.tolist()) or real_block(ids, known))
    page = Pager(engine).guidance(on, limit=5)
    assert len(page.answer.effective) + len(page.answer.overridden) == 5 and page.next is not None
    assert in_force > 4 * pages._BLOCK_MIN  # many more statements are in force that day than a block holds
    assert len(set(judged)) <= pages._BLOCK_MIN  # each judged statement is in the first block (or overrides one)
    whole = engine.guidance(on)
    assert (page.answer.effective + page.answer.overridden) == tuple(
        sorted(whole.effective + whole.overridden, key=lambda e: engine.order(e.statement.key)))[:5]


def test_an_engine_no_longer_used_is_freed_with_its_pager_and_kept_entries(data_dir):
    """An engine and its pager are freed by reference counting alone: the pager and the engine's caches of entries
    and records make no cycle back to the engine (a server's graph, swapped out, is freed with them)."""
    import gc
    import weakref

    from guidancekg.graph.corpus.files import load_corpus

    engine = Engine(Model.of(load_corpus(data_dir)))
    pages = Pager(engine)
    pages.guidance(date(2019, 4, 20), limit=3)
    engine.guidance(date(2019, 4, 20))
    engine.changes(date(2019, 1, 1), date(2019, 12, 31))
    engine.timeline(None)
    gone = weakref.ref(engine)
    gc.disable()  # freed by reference counting alone: no cycle waits for the collector
    try:
        del engine, pages
        assert gone() is None
    finally:
        gc.enable()
