"""One small store interface, and its implementations: in-memory rdflib and on-disk Oxigraph.

The engine, the API and the SPARQL endpoint only see :class:`Store`. Rows come back as plain strings (IRIs and
literals by their lexical form), which is all the engine needs and what any SPARQL server can give.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from guidancekg.graph.errors import QuerySyntaxError, StoreError
from guidancekg.graph.rdf.parsing import prepare

Row = dict[str, str | None]

DUMP_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


class Store(ABC):
    """A read-only view of the built dataset: named graphs per version, provenance, vocabulary."""

    kind: str = "abstract"
    #: Whether a server can record an ingest into this store itself (a new build, or a new in-memory dataset).
    takes_ingest: bool = True

    @abstractmethod
    def select(self, query: str) -> list[Row]:
        """Run a SPARQL SELECT over the union of all graphs; return rows of lexical values."""

    @abstractmethod
    def dump_nquads(self) -> bytes:
        """Return every quad as N-Quads."""

    def close(self) -> None:  # noqa: B027 - most stores hold nothing open
        """Release what the store holds open."""

    def to_dataset(self) -> Dataset:
        """Return the whole store as an rdflib dataset (for export and validation of small graphs)."""
        ds = Dataset()
        ds.parse(data=self.dump_nquads().decode("utf-8"), format="nquads")
        return ds

    def construct(self, query: str) -> Graph:
        """Run a SPARQL CONSTRUCT over the union of all graphs; return the triples as an rdflib graph."""
        # A fallback for stores without a native CONSTRUCT: slow, since it copies the whole store first.
        return MemoryStore(self.to_dataset()).construct(query)

    def sparql_source(self) -> tuple[str, str | bytes]:
        """Return how a SPARQL worker process opens this store (graph/sparql/worker.py): its quads as N-Quads."""
        return ("nquads", self.dump_nquads())


class MemoryStore(Store):
    """An rdflib in-memory dataset; for tests and small data."""

    kind = "memory"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.dataset.default_union = True

    def select(self, query: str) -> list[Row]:
        result = self.dataset.query(prepare(query))
        names = [str(v) for v in result.vars or []]
        rows: list[Row] = []
        for row in result:
            values = list(row)  # type: ignore[arg-type]  # a SELECT yields ResultRows
            rows.append({n: (None if values[i] is None else str(values[i])) for i, n in enumerate(names)})
        return rows

    def dump_nquads(self) -> bytes:
        return self.dataset.serialize(format="nquads", encoding="utf-8")

    def to_dataset(self) -> Dataset:
        return self.dataset

    def construct(self, query: str) -> Graph:
        result = self.dataset.query(prepare(query))
        if result.type != "CONSTRUCT" or result.graph is None:
            raise QuerySyntaxError("expected a CONSTRUCT query")
        out = Graph()
        out += result.graph
        return out


class OxigraphStore(Store):
    """An Oxigraph store on disk (RocksDB), opened read-only: builds write a new directory and swap it in."""

    kind = "oxigraph"

    def __init__(self, path: Path | None, store: ox.Store | None = None) -> None:
        self.path = Path(path) if path else None
        if store is not None:
            self.store = store
            return
        try:
            self.store = ox.Store.read_only(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store at {self.path}: {exc}") from None

    @classmethod
    def in_memory(cls, nquads: bytes) -> OxigraphStore:
        """Return an Oxigraph store held in memory, loaded with ``nquads`` (tests, small data)."""
        store = ox.Store()
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        return cls(None, store)

    @classmethod
    def create(cls, path: Path, nquads: bytes) -> None:
        """Write a new store directory holding exactly ``nquads``."""
        store = ox.Store(str(path))
        try:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            store.flush()
            store.optimize()
        finally:
            del store

    def select(self, query: str) -> list[Row]:
        try:
            solutions = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        if not isinstance(solutions, ox.QuerySolutions):
            raise QuerySyntaxError("expected a SELECT query")
        names = [v.value for v in solutions.variables]
        return [{n: (None if sol[n] is None else sol[n].value) for n in names} for sol in solutions]

    def dump_nquads(self) -> bytes:
        return self.store.dump(format=ox.RdfFormat.N_QUADS) or b""

    def close(self) -> None:
        del self.store

    def construct(self, query: str) -> Graph:
        try:
            triples = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        if not isinstance(triples, ox.QueryTriples):
            raise QuerySyntaxError("expected a CONSTRUCT query")
        # N-Triples is the cheapest lossless hand-over from Oxigraph terms to rdflib terms.
        data = triples.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def sparql_source(self) -> tuple[str, str | bytes]:
        """Return how a SPARQL worker process opens this store: its directory (read-only), else N-Quads."""
        if self.path is not None:
            return ("oxigraph-dir", str(self.path))
        return ("nquads", self.dump_nquads())
