"""The JSON objects of the HTTP contract (graph/views/serialize.py), and the JSON each entry keeps written."""

from __future__ import annotations

from datetime import date

import orjson

from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.views.serialize import guidance_json, statement_json, statement_written


def test_a_kept_entry_is_written_once_and_as_its_object(engine: Engine, graph: GuidanceGraph) -> None:
    """An entry's JSON is written on first use and kept: the same bytes as its object, not made again."""
    answer = engine.guidance(date(2019, 4, 20))
    entries = answer.effective + answer.overridden
    assert entries
    for entry in entries:
        first = statement_written(entry, graph.minter)
        assert orjson.loads(bytes(orjson.dumps(first))) == statement_json(entry, graph.minter)
        assert statement_written(entry, graph.minter) is first
    again = engine.guidance(date(2019, 4, 20))  # the engine keeps the entries of recent answers
    assert all(a is b for a, b in zip(entries, again.effective + again.overridden, strict=True))


def test_an_entry_written_under_another_base_is_written_again(engine: Engine, graph: GuidanceGraph) -> None:
    """What an entry keeps is the JSON of one minter's IRIs: another minter's question writes its own."""
    entry = engine.guidance(date(2019, 4, 20)).effective[0]
    other = Minter("http://elsewhere.example/")
    mine = orjson.loads(orjson.dumps(statement_written(entry, graph.minter)))
    theirs = orjson.loads(orjson.dumps(statement_written(entry, other)))
    assert mine["id"].startswith(graph.minter.base) and theirs["id"].startswith("http://elsewhere.example/")
    assert theirs == statement_json(entry, other)


def test_a_written_guidance_body_is_the_body_of_objects(engine: Engine, graph: GuidanceGraph) -> None:
    for on, known in ((date(2019, 4, 20), None), (date(2019, 4, 20), date(2019, 4, 15)), (date(2015, 1, 1), None)):
        answer = engine.guidance(on, known)
        assert orjson.loads(orjson.dumps(guidance_json(answer, graph.minter, written=True))) == \
            guidance_json(answer, graph.minter)
