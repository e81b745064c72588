"""One small store interface, and its implementations: in-memory rdflib and on-disk Oxigraph builds.

The engine, the API and the SPARQL endpoint only see :class:`Store`. Rows come back as plain strings (IRIs and
literals by their lexical form), which is all the engine needs and what any SPARQL server can give. What differs
by kind is behaviour of the class: how it opens the data's current contents (:meth:`Store.open_data`, building
them when missing or stale), how it publishes new ones (:meth:`Store.publish`, for a build or an ingest), and
whether a newer build has superseded it (:meth:`Store.superseded`). ``remote.py`` is the third kind.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph

from guidancekg.graph.errors import QuerySyntaxError, StoreError
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.rdf.parsing import prepare
from guidancekg.graph.rdf.writer import union_graph
from guidancekg.graph.stores.build import Compiled, compile_data, fingerprint
from guidancekg.graph.stores.builds import (
    BuildInfo,
    Lease,
    default_store_root,
    lease_current,
    publish_build,
    read_validation,
    record_validation,
)
from guidancekg.graph.stores.snapshot import DIRECTORY as SNAPSHOT_DIRECTORY
from guidancekg.graph.stores.snapshot import Snapshot, build_snapshot, open_snapshot

Say = Callable[[str], None]

Row = dict[str, str | None]

DUMP_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


class Store(ABC):
    """A read-only view of the built dataset: named graphs per version, provenance, vocabulary."""

    kind: str = "abstract"
    _report: dict[str, Any] | None = None

    @classmethod
    @abstractmethod
    def open_data(cls, data_dir: Path, *, base: str, root: Path | None = None, say: Say = lambda _m: None,
                  progress: Progress = SILENT) -> tuple[Store, tuple[str, ...]]:
        """Open this kind's store of ``data_dir``, first building it from the data when missing or stale;
        return it with the build's warnings. ``progress`` hears each step of a build."""

    @classmethod
    @abstractmethod
    def publish(cls, compiled: Compiled, *, data_dir: Path, root: Path | None = None,
                progress: Progress = SILENT) -> Store:
        """Make ``compiled`` this kind's current contents for ``data_dir``; return a store that reads them."""

    @classmethod
    def builds_under(cls, data_dir: Path, root: Path | None) -> Path | None:
        """Return the folder of on-disk builds this kind keeps for ``data_dir`` (None: it keeps none)."""
        return None

    @property
    def build_dir(self) -> Path | None:
        """The on-disk build this store reads (None for a store that is no build)."""
        return None

    @property
    def location(self) -> str:
        """Where the store keeps its contents, for people."""
        return self.kind

    def count_quads(self) -> int:
        """Return how many quads the store holds."""
        return len(self.dump_nquads().splitlines())

    def superseded(self) -> bool:
        """Return whether a newer build of the same data has been made current since this store was opened."""
        return False

    def validation_report(self) -> dict[str, Any] | None:
        """Return the SHACL report of the contents, when one was computed (by the build, or once since)."""
        return self._report

    def check_writable(self) -> None:  # noqa: B027 - a local store is always there to write
        """Raise :class:`StoreError` when a new build could not be published now (before an ingest writes)."""

    def snapshot(self) -> Snapshot | None:
        """Return the snapshot of the model the build wrote beside the contents (never read over SPARQL).

        None: the store holds RDF only (an in-memory dataset made without records), and its model is read back
        from it (:mod:`.readback`).
        """
        build = self.build_dir
        if build is None:
            raise StoreError(f"this {self.kind} store was not opened from a build: it has no snapshot of its model")
        return open_snapshot(build / SNAPSHOT_DIRECTORY)

    def record_validation(self, report: dict[str, Any]) -> None:
        """Keep the SHACL report of the contents, so that it is computed once."""
        self._report = report

    def reopen(self) -> tuple[Store, tuple[str, ...]] | None:
        """Return a store on the data's current build (and its warnings) when :meth:`superseded`, else None."""
        return None

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

    def __init__(self, dataset: Dataset, snapshot: Snapshot | None = None) -> None:
        self.dataset = dataset
        self.dataset.default_union = True
        self._snapshot = snapshot

    @classmethod
    def open_data(cls, data_dir: Path, *, base: str, root: Path | None = None, say: Say = lambda _m: None,
                  progress: Progress = SILENT) -> tuple[Store, tuple[str, ...]]:
        compiled = compile_data(data_dir, base, progress)  # built each time: nothing is kept between processes
        return cls.publish(compiled, data_dir=data_dir), compiled.warnings

    @classmethod
    def publish(cls, compiled: Compiled, *, data_dir: Path, root: Path | None = None,
                progress: Progress = SILENT) -> MemoryStore:
        store = cls(compiled.dataset, build_snapshot(compiled.corpus))
        if compiled.shacl is not None:
            store.record_validation({**compiled.shacl.to_json(), "triples": len(union_graph(compiled.dataset))})
        return store

    @property
    def location(self) -> str:
        return "memory (kept by no other process)"

    def snapshot(self) -> Snapshot | None:
        return self._snapshot

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
    """An Oxigraph store on disk (RocksDB), opened read-only; an on-disk build is leased for as long as it is open.

    Builds write a new directory and swap it in (``builds.py``); :meth:`superseded` tells when another process
    (``guidancekg build``, ``ingest``) has made a newer build of the same data current.
    """

    kind = "oxigraph"

    def __init__(self, path: Path | None, store: ox.Store | None = None, *, build: BuildInfo | None = None,
                 lease: Lease | None = None) -> None:
        self.path = Path(path) if path else None
        self.build = build
        self.lease = lease
        if store is not None:
            self.store = store
            return
        try:
            self.store = ox.Store.read_only(str(self.path))
        except OSError as exc:
            if lease is not None:
                lease.release()
            raise StoreError(f"cannot open the Oxigraph store of the build {self.path.parent.name if self.path else ''}"
                             f": {exc.strerror or 'unreadable'}") from None

    @classmethod
    def open_build(cls, build: BuildInfo, lease: Lease) -> OxigraphStore:
        """Open a leased build (the lease is released when the store is closed)."""
        return cls(build.path / "oxigraph", build=build, lease=lease)

    @classmethod
    def builds_under(cls, data_dir: Path, root: Path | None) -> Path | None:
        return Path(root) if root else default_store_root(data_dir)

    @classmethod
    def open_data(cls, data_dir: Path, *, base: str, root: Path | None = None, say: Say = lambda _m: None,
                  progress: Progress = SILENT) -> tuple[Store, tuple[str, ...]]:
        builds = cls.builds_under(data_dir, root)
        assert builds is not None
        found = lease_current(builds)
        if found is not None and found[0].fingerprint == fingerprint(data_dir, base):
            return cls.open_build(*found), found[0].warnings
        if found is not None:
            found[1].release()
        say(f"store at {builds} is {'missing' if found is None else 'stale (the data or the version changed)'}: "
            f"building it from {data_dir}")
        compiled = compile_data(data_dir, base, progress)
        return cls.publish(compiled, data_dir=data_dir, root=builds, progress=progress), compiled.warnings

    @classmethod
    def publish(cls, compiled: Compiled, *, data_dir: Path, root: Path | None = None,
                progress: Progress = SILENT) -> OxigraphStore:
        """Write ``compiled`` as a new build, make it current, and open it (leased before anyone may collect it)."""
        builds = cls.builds_under(data_dir, root)
        assert builds is not None
        return cls.open_build(*publish_build(compiled, builds, data_dir, progress))

    @property
    def build_dir(self) -> Path | None:
        return self.build.path if self.build is not None else None

    @property
    def location(self) -> str:
        return str(self.build.path if self.build is not None else self.path or "memory")

    def count_quads(self) -> int:
        return len(self.store)

    def validation_report(self) -> dict[str, Any] | None:
        if self.build is not None:
            return read_validation(self.build.path)
        return super().validation_report()

    def record_validation(self, report: dict[str, Any]) -> None:
        if self.build is not None:
            record_validation(self.build.path, report)
        super().record_validation(report)

    def superseded(self) -> bool:
        if self.build is None:
            return False
        try:
            return os.readlink(self.build.path.parent.parent / "current") != os.path.relpath(
                self.build.path, self.build.path.parent.parent)
        except OSError:
            return False

    def reopen(self) -> tuple[Store, tuple[str, ...]] | None:
        if not self.superseded() or self.build is None:
            return None
        found = lease_current(self.build.path.parent.parent)
        if found is None or found[0].data != self.build.data:
            if found is not None:
                found[1].release()
            return None  # not a build of the same data folder: keep serving this one
        return OxigraphStore.open_build(*found), found[0].warnings

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

    def _answer(self, query: str, kind: type, form: str) -> Any:
        try:
            answer = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        if not isinstance(answer, kind):
            raise QuerySyntaxError(f"expected a {form} query")
        return answer

    def select(self, query: str) -> list[Row]:
        solutions = self._answer(query, ox.QuerySolutions, "SELECT")
        names = [v.value for v in solutions.variables]
        return [{n: (None if sol[n] is None else sol[n].value) for n in names} for sol in solutions]

    def dump_nquads(self) -> bytes:
        return self.store.dump(format=ox.RdfFormat.N_QUADS) or b""

    def close(self) -> None:
        self.store = None  # type: ignore[assignment]  # Oxigraph closes the directory when the store is freed
        if self.lease is not None:
            self.lease.release()

    def construct(self, query: str) -> Graph:
        triples = self._answer(query, ox.QueryTriples, "CONSTRUCT")
        # N-Triples is the cheapest lossless hand-over from Oxigraph terms to rdflib terms.
        data = triples.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def sparql_source(self) -> tuple[str, str | bytes]:
        """Return how a SPARQL worker process opens this store: its directory (read-only), else N-Quads."""
        if self.path is not None:
            return ("oxigraph-dir", str(self.path))
        return ("nquads", self.dump_nquads())
