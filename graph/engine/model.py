"""The records of a build, as the engine reads them: over the build's snapshot, never over SPARQL.

The build writes the snapshot (:mod:`guidancekg.graph.stores.snapshot`) from the same records it writes as RDF;
opening a graph maps it into memory. The small tables (drugs, sources, versions, references, jurisdictions, reach)
are decoded when the model is opened; a statement and its records are decoded when asked for, and the latest ones
asked for are kept. Everything is keyed by its key in the data, as in :mod:`guidancekg.graph.corpus.records`;
records carry no :class:`~guidancekg.graph.corpus.records.Where`, and versions and references no held text (the
store holds it as ``gk:heldText``). A statement's id is its position in the snapshot: its rank in every answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property, lru_cache
from typing import Any

from guidancekg.graph.corpus.jurisdictions import Scheme
from guidancekg.graph.corpus.records import (
    Assertion,
    Corpus,
    Drug,
    Jurisdiction,
    Reach,
    Reference,
    Source,
    Statement,
    Version,
)
from guidancekg.graph.stores.base import Store
from guidancekg.graph.stores.readback import read_corpus
from guidancekg.graph.stores.snapshot import Snapshot, build_snapshot, small_tables

CACHED_STATEMENTS = 1 << 17  # decoded statements (and their records) kept per model: 10^5 in all, a part of 10^6
CACHED_ENTRIES = 1 << 12  # entries of answers kept per engine, each with its JSON once written: tens of MB at most


class Statements(Mapping[str, Statement]):
    """The statements by key, decoded on demand; iteration is in answer order (the ids' order)."""

    def __init__(self, snapshot: Snapshot, ids: dict[str, int]) -> None:
        self._keys, self._ids = snapshot.keys, ids
        self.by_id = lru_cache(maxsize=CACHED_STATEMENTS)(snapshot.statement)

    def __getitem__(self, key: str) -> Statement:
        return self.by_id(self._ids[key])

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class Records(Mapping[str, tuple[Assertion, ...]]):
    """The records of each statement that has any (the versions' quotes or citations), in authority order."""

    def __init__(self, snapshot: Snapshot, ids: dict[str, int]) -> None:
        self._ids = ids
        self._having = snapshot.with_records()
        self._keys = snapshot.keys
        self.by_id = lru_cache(maxsize=CACHED_STATEMENTS)(snapshot.records)

    def __getitem__(self, key: str) -> tuple[Assertion, ...]:
        found = self.by_id(self._ids[key])
        if not found:
            raise KeyError(key)
        return found

    def get(self, key: str, default: Any = None) -> Any:
        """Return a statement's records, or ``default`` when it has none (without raising and catching)."""
        n = self._ids.get(key)
        found = self.by_id(n) if n is not None else None
        return found if found else default

    def __iter__(self) -> Iterator[str]:
        return (self._keys[i] for i in self._having)

    def __len__(self) -> int:
        return len(self._having)


class AssertedBy(Mapping[str, frozenset[str]]):
    """The statements each version asserts, by version id (the versions that assert any)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        ids = snapshot.version_ids
        counts = snapshot.arrays["vs.at"]
        self._number = {ids[n]: n for n in range(len(ids)) if counts[n + 1] > counts[n]}

    def __getitem__(self, version: str) -> frozenset[str]:
        keys = self._snapshot.keys
        return frozenset(keys[i] for i in self._snapshot.row("vs", self._number[version]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._number)

    def __len__(self) -> int:
        return len(self._number)


class Model:
    """The records of one build, with the lookups the engine needs; every mapping is keyed by key.

    ``records`` of a statement are in authority order: the defining record first, then by record date.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        tables = small_tables(snapshot)
        self.drugs: dict[str, Drug] = tables["drugs"]
        self.sources: dict[str, Source] = tables["sources"]
        self.versions: dict[str, Version] = tables["versions"]
        self.references: dict[str, Reference] = tables["references"]
        self.jurisdictions: dict[str, Jurisdiction] = tables["jurisdictions"]
        self.reach: tuple[Reach, ...] = tables["reach"]
        self.scheme = Scheme(self.jurisdictions.values())
        self.keys = snapshot.keys  # the statements in answer order: a key's position is its id
        self.ids = dict(zip(self.keys, range(len(self.keys)), strict=True))
        self.statements = Statements(snapshot, self.ids)
        self.records = Records(snapshot, self.ids)
        self.asserted_by = AssertedBy(snapshot)

    @classmethod
    def of(cls, corpus: Corpus) -> Model:
        """Return the model of ``corpus`` (checked records), its snapshot held in memory."""
        return cls(build_snapshot(corpus))

    @cached_property
    def corpus(self) -> Corpus:
        """Return every record as one :class:`Corpus` (decodes everything: for small graphs and tests)."""
        assertions = tuple(sorted((a for key in self.records for a in self.records[key]),
                                  key=lambda a: (a.statement, a.version_id)))
        return Corpus(self.drugs, self.sources, self.versions, dict(self.statements.items()), assertions,
                      self.references, self.jurisdictions, self.reach)

    def text_of(self, key: str) -> str | None:
        """Return a statement's words with every record counted: the first record's, in authority order."""
        return next((r.wording for r in self.records.get(key, ()) if r.wording is not None), None)


def load_model(store: Store) -> Model:
    """Return the model of ``store``'s contents: the snapshot its build wrote (:meth:`Store.snapshot`); a store
    holding RDF only (an in-memory dataset made without records) has its records read back over SPARQL."""
    snapshot = store.snapshot()
    return Model(snapshot if snapshot is not None else build_snapshot(read_corpus(store)))
