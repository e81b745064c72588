"""The store kinds by name: ``oxigraph`` (on-disk builds), ``memory``, ``remote`` (a SPARQL 1.1 server).

A new kind is a class implementing :class:`.base.Store` (its ``open_data`` and ``publish``), listed here.
"""

from __future__ import annotations

from pathlib import Path

from guidancekg.graph.errors import StoreError
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.stores.base import MemoryStore, OxigraphStore, Say, Store
from guidancekg.graph.stores.remote import RemoteStore

STORE_CLASSES: dict[str, type[Store]] = {cls.kind: cls for cls in (OxigraphStore, MemoryStore, RemoteStore)}
STORE_KINDS = tuple(STORE_CLASSES)
DEFAULT_STORE_KIND = OxigraphStore.kind


def store_class(kind: str) -> type[Store]:
    """Return the class of the store kind ``kind``."""
    try:
        return STORE_CLASSES[kind]
    except KeyError:
        raise StoreError(f"unknown store kind {kind!r}; choose one of {', '.join(STORE_KINDS)}") from None


def open_store(data_dir: Path, *, base: str = DEFAULT_BASE, kind: str = DEFAULT_STORE_KIND, root: Path | None = None,
               say: Say = lambda _msg: None, progress: Progress = SILENT) -> tuple[Store, tuple[str, ...]]:
    """Open the store of ``data_dir`` of the kind ``kind``: its current contents, built first when missing or stale."""
    return store_class(kind).open_data(Path(data_dir), base=base, root=root, say=say, progress=progress)
