"""An interval index over statement validity and record dates, so that date questions never scan the graph.

Built once from a :class:`~.model.Model` when a graph is opened (a reopened or swapped graph gets a new model, and
so a new index), it answers the two lookups every date question starts with:

- **record time**: per source, its versions sorted by ``recorded_from`` (then key, as the engine orders them);
  each version keeps its own recorded day and that of the next version of its source, so "the latest version of
  its source recorded on or before K" is two comparisons, ``day <= K < next day``, made on one version or on an
  array of them at once; a statement is visible at K when one of the versions asserting it is the latest of its
  source at K;
- **valid time**: the statements in force on D, ``in_force_start <= D < in_force_end``: a drug's by comparing the
  arrays of its statements' bounds, every statement's in a static centred interval tree in O(log n + hits);
- the days on which statements come into or go out of force, for naming a change at the precision of its cause.

Dates are kept as proleptic ordinals (``date.toordinal()``): integer comparisons, no object allocation. Every
per-statement lookup (its dates, what overrides it, the versions asserting it, a drug's statements) reads the
snapshot's mapped arrays on a key's first use and keeps the answer: opening a graph makes nothing per statement,
which is what keeps a server's start within seconds at 10^6 statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from guidancekg.graph.dates import recorded_from
from guidancekg.graph.engine.model import Model
from guidancekg.graph.stores.snapshot import OPEN_END, Snapshot  # OPEN_END: an open valid_until

T = TypeVar("T")


class IntervalTree(Generic[T]):
    """A static centred interval tree over half-open integer intervals ``[start, end)`` with ids.

    ``stab(point)`` returns the ids of every interval containing ``point``, in O(log n + hits).
    """

    __slots__ = ("_root",)

    # A node: (center, by_start ascending [(start, id)], by_end descending [(end, id)], left, right), or a leaf
    # list [(start, end, id)] for small sets, scanned directly.
    _LEAF = 32

    def __init__(self, intervals: Iterable[tuple[int, int, T]]) -> None:
        items = [(s, e, i) for s, e, i in intervals if s < e]
        self._root = self._build(items)

    @classmethod
    def _build(cls, items: list[tuple[int, int, T]]) -> object:
        if len(items) <= cls._LEAF:
            return items
        points = sorted(s for s, _e, _i in items)
        center = points[len(points) // 2]
        here, left, right = [], [], []
        for item in items:
            s, e, _ = item
            if e <= center:
                left.append(item)
            elif s > center:
                right.append(item)
            else:
                here.append(item)
        if not here and (not left or not right):  # cannot split further (all on one side): keep as a leaf
            return items
        by_start = sorted(((s, i) for s, _e, i in here), key=lambda x: x[0])
        by_end = sorted(((e, i) for _s, e, i in here), key=lambda x: -x[0])
        return (center, by_start, by_end, cls._build(left), cls._build(right))

    def stab(self, point: int) -> list[T]:
        out: list[T] = []
        node: Any = self._root  # a leaf (list of intervals) or (center, by_start, by_end, left, right)
        while True:
            if isinstance(node, list):
                out.extend(i for s, e, i in node if s <= point < e)
                return out
            center, by_start, by_end, left, right = node
            if point < center:
                for s, i in by_start:
                    if s > point:
                        break
                    out.append(i)
                node = left
            else:
                for e, i in by_end:
                    if e <= point:
                        break
                    out.append(i)
                if point == center:
                    return out
                node = right


class Rows(dict[str, Sequence[T]]):
    """One of the snapshot's offset tables as rows by key (a statement's or a drug's): each row its items named
    (statement keys, or what record time knows of each version), read from the mapped arrays on the row's first
    lookup and kept.

    Nothing is read at open: filling every row would cost a loop over every statement there, seconds at 10^6.
    ``get`` reads a row too (``dict.get`` alone would not); an unknown key has no row.
    """

    def __init__(self, snapshot: Snapshot, table: str, row_of: Mapping[str, int], names: list[T]) -> None:
        super().__init__()
        self._snapshot, self._table, self._row_of, self._names = snapshot, table, row_of, names

    def __missing__(self, key: str) -> Sequence[T]:
        ids = self._snapshot.row(self._table, self._row_of[key])  # KeyError: not a row of this table
        names = self._names
        row: Sequence[T] = [names[i] for i in ids] if len(ids) else ()
        self[key] = row
        return row

    def get(self, key: str, default: Any = None) -> Any:
        found = dict.get(self, key)
        if found is not None:
            return found
        return self[key] if key in self._row_of else default


class Column(dict[str, int]):
    """One of the snapshot's per-statement integer arrays by statement key, read on a key's first lookup and kept
    (a plain dictionary after that: the date tests of every answer read it)."""

    def __init__(self, snapshot: Snapshot, name: str, ids: Mapping[str, int]) -> None:
        super().__init__()
        self._ids, self._values = ids, snapshot.view(name)

    def __missing__(self, key: str) -> int:
        value = self[key] = self._values[self._ids[key]]  # KeyError: not a statement
        return value


@dataclass(frozen=True)
class Walk:
    """Statements (of one drug, or all) in the answers' order: keys, ids, and in-force bounds as day ordinals."""

    keys: Sequence[str]
    ids: NDArray[np.int64]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]


NEVER = 2**62  # the "next day" of a source's latest version: no version comes after it
EVERYTHING = NEVER - 1  # K when everything recorded is known: on or after every recorded day

# A version as record time sees it: (its recorded day, the recorded day of its source's next version or NEVER,
# its source, its id). It is its source's latest version as known at K exactly when ``day <= K < next day``: the
# one test of record time, made below on one version and over arrays.
When = tuple[int, int, str, str]


def in_force_between(starts: NDArray[np.int64], ends: NDArray[np.int64],
                     day: int | NDArray[np.int64]) -> NDArray[np.bool_]:
    """Return, for each pair of in-force bounds (ordinal days, the end excluded), whether ``day`` (one day, or one
    for each pair) is between them."""
    return np.asarray((starts <= day) & (ends > day))


def known_day(known: date | None) -> int:
    """Return K as an ordinal (None, everything recorded: a day after every version's)."""
    return EVERYTHING if known is None else known.toordinal()


class DateIndex:
    """Record-time and valid-time lookups over one model (see the module docstring)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        snapshot = model.snapshot
        by_source: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for v in model.versions.values():
            by_source[v.source].append((recorded_from(v.published).toordinal(), v.key, v.id))
        self._when: dict[str, When] = {}
        for src, items in by_source.items():
            items.sort()
            for (day, _k, version_id), after in zip(items, [*items[1:], None], strict=True):
                self._when[version_id] = (day, after[0] if after is not None else NEVER, src, version_id)
        # The same two days by version number (a row of the snapshot's version table), for whole blocks.
        whens = [self._when[v] for v in snapshot.version_ids]
        self._day = np.asarray([w[0] for w in whens], dtype=np.int64)
        self._next = np.asarray([w[1] for w in whens], dtype=np.int64)
        # Everything else comes from the snapshot's arrays, by statement id (a key's position), without decoding
        # a statement and without a Python loop over every statement: this is what opening a graph costs.
        keys, ids = model.keys, model.ids
        self._asserting = Rows(snapshot, "av", ids, whens)
        self.start = Column(snapshot, "s.start", ids)
        self.end = Column(snapshot, "s.end", ids)
        self.overriders = Rows(snapshot, "ob", ids, keys)
        self.overrides = Rows(snapshot, "ov", ids, keys)
        self.by_drug = Rows(snapshot, "d", snapshot.drug_rows, keys)
        self._boundary: dict[int, list[str]] | None = None  # made on first use (changes and timelines)
        self._walks: dict[str | None, Walk] = {}
        self._tree: IntervalTree[int] | None = None

    # -- record time ---------------------------------------------------------------------------------------

    def is_visible(self, statement: str, known: date | None) -> bool:
        """Visible at K: "for some source, the latest version ... on or before K asserts it"."""
        k = known_day(known)
        return any(day <= k < after for day, after, _src, _v in self._asserting[statement])

    def visible(self, ids: NDArray[np.int64], known: date | None) -> NDArray[np.bool_]:
        """Return :meth:`is_visible` of each statement id in ``ids`` at once (a boolean array): the same test,
        ``day <= K < next day`` for some version asserting it, over the snapshot's arrays."""
        k = known_day(known)
        versions, counts = self._rows("av", ids)
        ends = np.cumsum(counts)
        latest = np.concatenate(([0], np.cumsum((self._day[versions] <= k) & (k < self._next[versions]))))
        return np.asarray(latest[ends] - latest[ends - counts] > 0)

    def overridden_by_none(self, ids: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Return, for each statement id in ``ids``, whether no statement overrides it (its row of ``ob`` is empty),
        over the snapshot's arrays."""
        at = self.model.snapshot.arrays["ob.at"]
        return np.asarray(at[ids + 1] == at[ids])

    def overriders_of(self, ids: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Return the ids of the statements overriding each id in ``ids``, row after row, and each row's length."""
        return self._rows("ob", ids)

    def in_force_of(self, ids: NDArray[np.int64], day: int | NDArray[np.int64]) -> NDArray[np.bool_]:
        """Return, for each statement id in ``ids``, whether it is in force on the ordinal ``day`` (one day, or one
        for each id)."""
        arrays = self.model.snapshot.arrays
        return in_force_between(arrays["s.start"][ids], arrays["s.end"][ids], day)

    def _rows(self, table: str, ids: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Return the items of the rows ``ids`` of the offset table ``table``, row after row, and each row's
        length: one gather over the snapshot's arrays."""
        arrays = self.model.snapshot.arrays
        at, flat = arrays[f"{table}.at"], arrays[f"{table}.id"]
        first, counts = at[ids], at[ids + 1] - at[ids]
        ends = np.cumsum(counts)
        positions = np.repeat(first - (ends - counts), counts) + np.arange(int(ends[-1]) if len(ends) else 0)
        return np.asarray(flat[positions], dtype=np.int64), np.asarray(counts, dtype=np.int64)

    def shows(self, statement: str, version: str, known: date | None) -> bool:
        """Return whether ``version``'s record of ``statement`` is shown as known at ``known``.

        It is when the version was recorded by then and its source still asserts the statement: the latest
        version of that source recorded by ``known`` asserts it. So every version of a source that said it is
        shown (NICE's 2014 quote beside its 2019 citation), and a source that withdrew it shows none.
        """
        when, k = self._when.get(version), known_day(known)
        if when is None or when[0] > k:
            return False
        source = when[2]
        return any(src == source and day <= k < after for day, after, src, _v in self._asserting[statement])

    def asserting(self, statement: str) -> tuple[str, ...]:
        return tuple(v for _day, _after, _src, v in self._asserting[statement])

    # -- valid time ----------------------------------------------------------------------------------------

    def walk(self, drug: str | None) -> Walk:
        """Return the statements of ``drug`` (or all) in the answers' order, with their in-force bounds as arrays:
        slices of the snapshot's, since its ids are the answers' order (made once per drug, without decoding a
        statement; two threads may both make one: the same arrays, kept once)."""
        found = self._walks.get(drug)
        if found is None:
            model = self.model
            snapshot = model.snapshot
            starts, ends = snapshot.arrays["s.start"], snapshot.arrays["s.end"]
            if drug is None:
                found = Walk(model.keys, np.arange(snapshot.count, dtype=np.int64),
                             np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))
            else:  # the drug's rows only: converting the whole arrays first cost a millisecond a drug at 10^6
                row = snapshot.drug_rows.get(drug)
                ids = (np.asarray(snapshot.row("d", row), dtype=np.int64) if row is not None
                       else np.zeros(0, dtype=np.int64))
                found = Walk(self.by_drug.get(drug, ()), ids,
                             np.asarray(starts[ids], dtype=np.int64), np.asarray(ends[ids], dtype=np.int64))
            self._walks[drug] = found
        return found

    def in_force_ids(self, on: date, drug: str | None = None) -> NDArray[np.int64]:
        """Return the ids of the statements in force on ``on`` (of ``drug`` when given), visible or not, ascending.

        A drug's few hundred statements are compared as arrays; every statement, in the interval tree."""
        day = on.toordinal()
        if drug is not None:
            walk = self.walk(drug)
            return walk.ids[in_force_between(walk.starts, walk.ends, day)]
        if self._tree is None:
            arrays = self.model.snapshot.arrays
            self._tree = IntervalTree(zip(arrays["s.start"].tolist(), arrays["s.end"].tolist(),
                                          range(self.model.snapshot.count), strict=True))
        return np.sort(np.asarray(self._tree.stab(day), dtype=np.int64))

    def in_force(self, on: date, drug: str | None = None) -> list[str]:
        """Return the statements in force on ``on`` (of ``drug`` when given), visible or not, in answer order."""
        keys = self.model.keys
        return [keys[i] for i in self.in_force_ids(on, drug).tolist()]

    def statements_of(self, drug: str | None) -> Iterable[str]:
        return self.by_drug.get(drug, ()) if drug is not None else self.model.keys

    def at_boundary(self, day: date) -> list[str]:
        """Return the statements whose in-force interval starts or ends on ``day``."""
        boundary = self._boundary
        if boundary is None:  # two threads may both make it: the same dictionary, kept once
            found: dict[int, list[str]] = defaultdict(list)
            arrays = self.model.snapshot.arrays
            for key, first, end in zip(self.model.keys, arrays["s.from"].tolist(), arrays["s.end"].tolist(),
                                       strict=True):
                found[first].append(key)
                if end != OPEN_END:
                    found[end].append(key)
            boundary = self._boundary = dict(found)
        return boundary.get(day.toordinal(), [])
