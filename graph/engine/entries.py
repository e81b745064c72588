"""Make the entries of answers: a statement with its records as known at K, and keep the recent ones.

Two bounded caches: a statement's records with their versions, sources and references (as many statements as the
model keeps decoded), and the entries themselves (:data:`~.model.CACHED_ENTRIES`). The answers of a busy server
repeat the same entries (the first page of every day's guidance shares most of its statements), and an entry kept
keeps its JSON once written (``graph/views/serialize.py``), which a page of a thousand would otherwise make again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache, partial

from guidancekg.graph.engine.applying import AppliesIn
from guidancekg.graph.engine.index import DateIndex
from guidancekg.graph.engine.model import CACHED_ENTRIES, CACHED_STATEMENTS, Model
from guidancekg.graph.engine.results import Entry, RecordView
from guidancekg.graph.engine.rules import Status


class Entries:
    """Make and keep the entries of one model's answers."""

    def __init__(self, model: Model, index: DateIndex) -> None:
        # Bounded as the model's decoded statements are, so that a server that walks a whole large answer keeps a
        # part of it, not every statement's records. Functions of the model and index, not methods of this object:
        # a cache of its own bound method would make a cycle, and a swapped-out graph would wait for the cyclic
        # garbage collector to be freed.
        self.record_views = lru_cache(maxsize=CACHED_STATEMENTS)(partial(_record_views, model))
        self._entries = lru_cache(maxsize=CACHED_ENTRIES)(partial(_entry, model, index, self.record_views))

    def __call__(self, key: str, known: date | None, state_status: Status | None,
                 overridden_by: tuple[str, ...] = (), applies_in: AppliesIn | None = None) -> Entry:
        """Return a statement with its records shown as known at ``known``, in authority order."""
        return self._entries(key, known, state_status, overridden_by, applies_in)

    def every_record(self, key: str) -> tuple[RecordView, ...]:
        """Return every record of a statement, from every version that ever asserted it, in authority order."""
        return tuple(view for _version, view in self.record_views(key))


def _record_views(m: Model, key: str) -> tuple[tuple[str, RecordView], ...]:
    """Return every record of a statement with its version, source and reference, by version id."""
    return tuple((r.version_id, RecordView(r, m.versions[r.version_id], m.sources[r.source],
                                           m.references.get(r.reference) if r.reference else None))
                 for r in m.records.get(key, ()))


def _entry(m: Model, index: DateIndex, record_views: Callable[[str], tuple[tuple[str, RecordView], ...]],
           key: str, known: date | None, state_status: Status | None, overridden_by: tuple[str, ...],
           applies_in: AppliesIn | None) -> Entry:
    shows = index.shows
    views = tuple(view for version, view in record_views(key) if shows(key, version, known))
    return Entry(m.statements[key], state_status, views, overridden_by, applies_in)
