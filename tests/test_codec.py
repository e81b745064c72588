"""The snapshot's codec gives back every record of the data as it was, but for what the model never holds."""

from __future__ import annotations

import dataclasses
import marshal
from pathlib import Path
from typing import Any

import pytest

from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.corpus.records import Corpus, Reach, Reference, Statement, Version
from guidancekg.graph.corpus.synthetic import generate
from guidancekg.graph.stores.codec import MARSHAL_VERSION, decoder, encode


def _without_omitted(record: Any) -> Any:
    """Return ``record`` as the model holds it: no ``where`` (anywhere in it), no held text (versions, references)."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return tuple(_without_omitted(x) for x in record) if isinstance(record, tuple) else record
    changes = {f.name: None if f.name == "where" or (isinstance(record, Version | Reference) and f.name == "text")
               else _without_omitted(getattr(record, f.name)) for f in dataclasses.fields(record)}
    return dataclasses.replace(record, **changes)


def _records(corpus: Corpus) -> list[Any]:
    return [*corpus.statements.values(), *corpus.versions.values(), *corpus.sources.values(),
            *corpus.drugs.values(), *corpus.references.values(), *corpus.jurisdictions.values(),
            *corpus.reach, *corpus.assertions]


@pytest.fixture(scope="module", params=["bundled", "synthetic"])
def corpus(request, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    if request.param == "bundled":
        return load_corpus(data_dir)
    out = tmp_path_factory.mktemp("synthetic") / "data"
    generate(300, 11, out)
    return load_corpus(out)


def test_every_record_round_trips(corpus: Corpus):
    records = _records(corpus)
    assert {type(r) for r in records} >= {Statement, Version, Reach} or not corpus.reach
    for record in records:
        back = decoder(type(record))(encode(record))
        assert back == _without_omitted(record), record


def test_small_repeating_values_are_decoded_once(corpus: Corpus):
    statements = list(corpus.statements.values())
    decode = decoder(Statement)
    days = {}
    for s in statements:
        back = decode(encode(s))
        days.setdefault(back.valid_from, back.valid_from)
        assert back.valid_from is days[back.valid_from]  # one PartialDate object per value


def test_a_field_of_an_unknown_type_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Odd:
        value: complex

    with pytest.raises(TypeError, match="cannot encode a field of type"):
        encode(Odd(1j))


def test_bytes_of_another_shape_are_refused(corpus: Corpus):
    """Regression: a record's decoder converts only the fields that need it, and still refuses a tuple of another
    length (bytes of another snapshot format) instead of building a record from the wrong fields."""
    statement = next(iter(corpus.statements.values()))
    data = marshal.loads(encode(statement))
    with pytest.raises(ValueError, match="fields, not"):
        decoder(Statement)(marshal.dumps(data[:-1], MARSHAL_VERSION))
    assert decoder(Statement)(memoryview(encode(statement))) == _without_omitted(statement)
