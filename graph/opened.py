"""Open a built graph once: the store, the model read from it, and the engine over the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.engine.model import Model, load_model
from guidancekg.graph.ingest.recovery import recover
from guidancekg.graph.ingest.versions import IngestResult, Upload, ingest
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.rdf.iris import DEFAULT_BASE, Minter, normalise_base
from guidancekg.graph.rdf.report import report_in_a_process
from guidancekg.graph.stores.base import Store
from guidancekg.graph.stores.kinds import DEFAULT_STORE_KIND, store_class

Say = Callable[[str], None]


def bundled_data_dir() -> Path:
    """Return the data folder shipped with the installed package."""
    import guidancekg.data

    return Path(next(iter(guidancekg.data.__path__))).resolve()


def default_data_dir() -> Path:
    """Return ``./data`` when it holds guidancekg data, else the bundled data."""
    local = Path.cwd() / "data"
    return local if (local / "drugs.yaml").is_file() else bundled_data_dir()


@dataclass
class GuidanceGraph:
    """A store opened read-only, with its model and engine; share one per process."""

    store: Store
    model: Model
    engine: Engine
    minter: Minter
    data_dir: Path
    warnings: tuple[str, ...]
    store_root: Path | None = None  # where the on-disk builds of the data live (an ``oxigraph`` store)

    @classmethod
    def open(cls, data_dir: Path | None = None, *, base: str = DEFAULT_BASE, kind: str = DEFAULT_STORE_KIND,
             store_root: Path | None = None, say: Say = lambda _m: None,
             progress: Progress = SILENT) -> GuidanceGraph:
        """Open (building first when needed) the graph of ``data_dir``; ``progress`` hears each step."""
        data = Path(data_dir) if data_dir else default_data_dir()
        kind_class = store_class(kind)
        root = kind_class.builds_under(data, store_root)
        # First repair what an interrupted ingest or build left behind (graph/ingest/recovery.py). A version folder
        # whose store build is missing needs nothing here: the fingerprint check of open_data rebuilds the store.
        recover(data, root, say=say)
        store, warnings = kind_class.open_data(data, base=base, root=root, say=say, progress=progress)
        return cls.of(store, data, warnings, base=base, store_root=root, progress=progress)

    @classmethod
    def of(cls, store: Store, data_dir: Path, warnings: tuple[str, ...], *, base: str,
           store_root: Path | None = None, progress: Progress = SILENT) -> GuidanceGraph:
        """Return the graph of an opened store: its model read, its engine made."""
        with progress.step("reading the model") as step:
            model = load_model(store)
            step.summary = f"{len(model.statements):,} statements"
        with progress.step("indexing dates"):
            engine = Engine(model)
        return cls(store, model, engine, Minter(normalise_base(base)), data_dir, warnings, store_root)

    def ingest(self, upload: Upload, *, max_bytes: int, origin: str,
               say: Say = lambda _m: None) -> tuple[IngestResult, GuidanceGraph | None]:
        """Record a new version into this graph's data and store; return what was done and the new graph.

        The new graph (None when nothing was written) is opened in full before it is returned, so whoever
        serves it can swap it in at once. A store that cannot take the new build now (a remote server that does
        not answer) refuses it before anything is written (:class:`StoreError`).
        """
        self.store.check_writable()  # an unreachable remote server: refused before anything is written
        result = ingest(self.data_dir, upload, base=self.minter.base, store_root=self.store_root,
                        store_kind=self.store.kind, max_bytes=max_bytes, origin=origin, say=say)
        if result.store is None:
            return result, None
        return result, GuidanceGraph.of(result.store, self.data_dir, result.warnings, base=self.minter.base,
                                        store_root=self.store_root)

    def reopen(self) -> GuidanceGraph | None:
        """Return the graph of the data's current build when another process made a newer one, else None."""
        found = self.store.reopen()
        if found is None:
            return None
        store, warnings = found
        return GuidanceGraph.of(store, self.data_dir, warnings, base=self.minter.base, store_root=self.store_root)

    def validation_report(self) -> dict[str, Any] | None:
        """Return the SHACL report of the whole graph when it has been computed (by its build, or once since)."""
        return self.store.validation_report()

    def validate(self) -> dict[str, Any]:
        """Compute the SHACL report of the whole graph in a process of its own, keep it with the store (in the
        build), and return it.

        Slow on large data: a build computes it as it compiles; this is for a graph whose build did not (an
        ingest validates only its change).
        """
        report = report_in_a_process(self.store.dump_nquads())
        self.store.record_validation(report)
        return report

    def close(self) -> None:
        self.store.close()
