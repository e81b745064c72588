"""Answers in pages: a stable order, a cursor that pins the question, and a first page without the whole answer.

Every paged answer keeps the order of the unpaged one (guidance and timeline: topic, start of validity, key;
changes: day, stops before starts, then the same), so the pages of one question, put end to end, are the unpaged
answer. A cursor is opaque to clients but not secret: it names the question it continues (the kind, the dates and
the filters), the graph it was cut from (a digest of the versions and statements: a cursor made before an ingest or
a rebuild is refused rather than continued against other data) and the position after which the next page starts,
with a checksum, so that an edited, truncated or borrowed cursor is an :class:`InputError` naming ``cursor``.

Guidance on a day is the question asked of large graphs ("everything on D"); its first page never judges every
statement in force: it walks the statements in the answer's order from the cursor's position, a block at a time,
and stops when the page is full. In each block the statements in force on D are found at once over arrays of
their in-force bounds (numpy), so a day on which few statements are in force costs a few vector comparisons per
block, not a Python loop over every statement; the blocks grow as the walk goes on, so a sparse answer costs a
handful of blocks. The statements in force are then tested for visibility at K over the same arrays, the whole
block at once (:meth:`~.index.DateIndex.visible`); a visible one that nothing overrides is effective as it stands,
and those that something overrides are judged by the override rule together, over arrays
(:meth:`~.answers.Engine.states`). Changes and timelines are
computed whole and cut (their sweep decides a statement's periods only at the end).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any, Generic, TypeVar

import numpy as np

from guidancekg.graph.engine.answers import NO_FILTERS, Change, Engine, Filters, Guidance, TimelineEntry
from guidancekg.graph.engine.index import in_force_between
from guidancekg.graph.engine.rules import EFFECTIVE, State, status
from guidancekg.graph.errors import InputError

DEFAULT_LIMIT = 1000  # items a page of the HTTP API holds when the client names no limit (a setting's default)
MAX_LIMIT = 10_000  # items a page of the HTTP API may hold at most (a setting's default)

# The first block of a walk holds this many statements per wanted item (at least _BLOCK_MIN); each next block is
# twice the one before, so that a sparse answer is found in a few blocks.
_BLOCK_PER_ITEM = 2
_BLOCK_MIN = 512

# A position past any answer: a cursor's checksum is not a secret, so a made-up cursor may hold any number.
_MAX_POSITION = 2**53

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of an answer, and the cursor of the next page (None: this page ends the answer)."""

    answer: T
    next: str | None


def check_limit(limit: int | None, maximum: int | None = None, parameter: str = "limit") -> None:
    """Refuse a page size below 1 or above ``maximum`` (``limit`` None: no limit, the whole answer)."""
    if limit is None:
        return
    if limit < 1 or (maximum is not None and limit > maximum):
        raise InputError(parameter, f"{limit} is not a page size: give a whole number from 1 to "
                                    f"{maximum if maximum is not None else 'any'}")


def _checksum(payload: bytes) -> str:
    return hashlib.sha256(b"guidancekg cursor\0" + payload).hexdigest()[:16]


def _question(kind: str, *parts: date | str | None) -> str:
    text = "\0".join([kind, *("" if p is None else str(p) for p in parts)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Pager:
    """Cut the engine's answers into pages, its orders made on first use.

    A server keeps one per graph it serves, among that graph's caches (``api/state.py``); a command makes its own.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._generation: str | None = None

    # -- the answer's order and the graph's identity -------------------------------------------------------

    def _order(self) -> tuple[list[str], dict[str, int]]:
        """Return every statement in the answers' order, and each statement's rank in it (the snapshot's ids)."""
        model = self.engine.model
        return model.keys, model.ids

    def generation(self) -> str:
        """Return a digest of the graph's versions and statements: a cursor is valid only on the same graph."""
        keys, _rank = self._order()
        with self._lock:
            if self._generation is None:
                digest = hashlib.sha256()
                for v in sorted(self.engine.model.versions.values(), key=lambda v: v.id):
                    digest.update(f"{v.id}\0{v.published.isoformat()}\0{v.sha256}\n".encode())
                digest.update("\n".join(keys).encode("utf-8"))
                self._generation = digest.hexdigest()[:16]
            return self._generation

    # -- cursors --------------------------------------------------------------------------------------------

    def _cursor(self, question: str, after: int) -> str:
        payload = json.dumps({"q": question, "g": self.generation(), "a": after}, separators=(",", ":"))
        raw = payload.encode("ascii")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") + "." + _checksum(raw)

    def _position(self, question: str, cursor: str | None) -> int:
        """Return the position a cursor continues after (-1: the first page), refusing one not of this question."""
        if cursor is None:
            return -1
        body, _, mark = cursor.partition(".")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            fields: Any = json.loads(raw) if _checksum(raw) == mark else None
        except (binascii.Error, ValueError):
            fields = None
        if (not isinstance(fields, dict) or not isinstance(fields.get("a"), int) or isinstance(fields["a"], bool)
                or not 0 <= fields["a"] < _MAX_POSITION):
            raise InputError("cursor", "is not a cursor this server gave (edited or cut short); "
                                       "take the `next` of the previous page as it is, or ask without a cursor")
        if fields.get("q") != question:
            raise InputError("cursor", "belongs to another question; a cursor continues only the question it came "
                                       "with (the same dates, known and filters)")
        if fields.get("g") != self.generation():
            raise InputError("cursor", "was cut from the graph as it was before a new version was recorded; "
                                       "ask for the first page again")
        return int(fields["a"])

    # -- guidance on a day ----------------------------------------------------------------------------------

    def guidance(self, on: date, known: date | None = None, filters: Filters = NO_FILTERS,
                 limit: int | None = None, cursor: str | None = None) -> Page[Guidance]:
        """Return a page of :meth:`Engine.guidance`: effective and overridden statements, in the answer's order.

        The page holds at most ``limit`` statements of the two lists together; ``limit`` None gives the rest.
        """
        check_limit(limit)
        question = _question("guidance", on, known, filters.drug, filters.jurisdiction, filters.topic)
        after = self._position(question, cursor)
        engine = self.engine
        filters = engine.check_filters(filters)
        if filters.jurisdiction is not None:
            return self._cut_guidance(question, engine.guidance(on, known, filters), limit, after)
        if limit is None:
            whole = engine.guidance(on, known, filters)
            _keys, rank = self._order()
            return Page(Guidance(on, known, filters, *(tuple(e for e in entries if rank[e.statement.key] > after)
                                                     for entries in (whole.effective, whole.overridden))), None)
        found = self._first_in_force(on, known, filters, after, limit + 1)
        more = len(found) > limit
        found = found[:limit]
        statements = engine.model.statements
        effective = tuple(engine.entry(k, known, status(statements[k], on)) for k, _n, s in found if s == EFFECTIVE)
        overridden = tuple(engine.entry(k, known, status(statements[k], on), s[1])
                           for k, _n, s in found if s is not None and s != EFFECTIVE)
        next_cursor = self._cursor(question, found[-1][1]) if more else None
        return Page(Guidance(on, known, filters, effective, overridden), next_cursor)

    def _cut_guidance(self, question: str, whole: Guidance, limit: int | None, after: int) -> Page[Guidance]:
        """Return a page of a whole answer in a jurisdiction, where a statement may appear once per context: the
        cursor is a position in the answer (effective, then overridden), not a statement's rank."""
        entries = [*((e, True) for e in whole.effective), *((e, False) for e in whole.overridden)]
        start = after + 1
        stop = len(entries) if limit is None else min(len(entries), start + limit)
        part = entries[start:stop]
        next_cursor = self._cursor(question, stop - 1) if stop < len(entries) else None
        return Page(Guidance(whole.on, whole.known, whole.filters, tuple(e for e, eff in part if eff),
                             tuple(e for e, eff in part if not eff)), next_cursor)

    def _first_in_force(self, on: date, known: date | None, filters: Filters, after: int,
                        wanted: int) -> list[tuple[str, int, State]]:
        """Return the first ``wanted`` statements of the answer after rank ``after``: (key, rank, state)."""
        engine = self.engine
        statements, index = engine.model.statements, engine.index
        day = on.toordinal()
        walk = index.walk(filters.drug)
        keys, ranks = walk.keys, walk.ids
        # The walk is the drug's own when a drug is asked: only a topic is left to test on each statement.
        by_record = filters.topic is not None
        block = max(_BLOCK_MIN, _BLOCK_PER_ITEM * wanted)
        here = int(np.searchsorted(ranks, after, side="right"))
        out: list[tuple[str, int, State]] = []
        while here < len(keys) and len(out) < wanted:
            there = min(len(keys), here + block)
            found = np.flatnonzero(in_force_between(walk.starts[here:there], walk.ends[here:there], day)) + here
            ids = ranks[found]
            seen = index.visible(ids, known)
            found, ids = found[seen], ids[seen]
            room = wanted - len(out)
            if by_record:  # the first `room` passing the filters, tested one at a time (each is decoded)
                passing = (n for n, i in enumerate(found.tolist()) if engine.matches(statements[keys[i]], filters))
                picked = np.fromiter(islice(passing, room), dtype=np.int64)
                found, ids = found[picked], ids[picked]
            found, ids = found[:room], ids[:room]
            # Nothing overrides it: in force and visible, it is effective without asking the override rule; the
            # others are judged together.
            states: list[State] = [EFFECTIVE] * len(ids)
            judged = np.flatnonzero(~index.overridden_by_none(ids))
            for n, state in zip(judged.tolist(), engine.states(on, known, ids[judged]), strict=True):
                states[n] = state
            out.extend(zip([keys[n] for n in found.tolist()], ids.tolist(), states, strict=True))
            here, block = there, 2 * block
        return out

    # -- changes and timelines ----------------------------------------------------------------------------

    def _cut(self, question: str, items: list[T], limit: int | None, cursor: str | None) -> Page[list[T]]:
        check_limit(limit)
        after = self._position(question, cursor)
        start = after + 1
        stop = len(items) if limit is None else min(len(items), start + limit)
        next_cursor = self._cursor(question, stop - 1) if stop < len(items) else None
        return Page(items[start:stop], next_cursor)

    def changes(self, start: date, end: date, known: date | None = None, filters: Filters = NO_FILTERS,
                limit: int | None = None, cursor: str | None = None) -> Page[list[Change]]:
        """Return a page of :meth:`Engine.changes`, in its order (day, stops before starts, statement)."""
        check_limit(limit)
        question = _question("changes", start, end, known, filters.drug, filters.jurisdiction, filters.topic)
        self._position(question, cursor)  # a bad cursor is refused before the work
        return self._cut(question, self.engine.changes(start, end, known, filters), limit, cursor)

    def timeline(self, known: date | None = None, filters: Filters = NO_FILTERS, limit: int | None = None,
                 cursor: str | None = None) -> Page[list[TimelineEntry]]:
        """Return a page of :meth:`Engine.timeline`, in its order (topic, start of validity, key)."""
        check_limit(limit)
        question = _question("timeline", known, filters.drug, filters.jurisdiction, filters.topic)
        self._position(question, cursor)
        return self._cut(question, self.engine.timeline(known, filters), limit, cursor)

