"""Open a built graph once: the store, the model read from it, and the engine over the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.engine.model import Model, load_model
from guidancekg.graph.rdf.iris import Minter, normalise_base
from guidancekg.graph.stores.base import Store
from guidancekg.graph.stores.build import default_store_root, open_store


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

    @classmethod
    def open(cls, data_dir: Path | None = None, *, base: str = "http://127.0.0.1:8080/", kind: str = "oxigraph",
             store_root: Path | None = None, say: Callable[[str], None] = lambda _m: None) -> GuidanceGraph:
        """Open (building first when needed) the graph of ``data_dir``."""
        data = Path(data_dir) if data_dir else default_data_dir()
        # Issue 8 (graph/ingest/versions.py): first repair what an interrupted ingest left behind. A version folder
        # whose store build is missing needs nothing here: open_store's fingerprint check rebuilds the store.
        from guidancekg.graph.ingest.versions import recover

        recover(data, (store_root or default_store_root(data)) if kind == "oxigraph" else None, say=say)
        store, warnings = open_store(data, base=base, kind=kind, root=store_root, say=say)
        model = load_model(store)
        return cls(store, model, Engine(model), Minter(normalise_base(base)), data, warnings)

    def close(self) -> None:
        self.store.close()
