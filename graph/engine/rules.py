"""The rules of the semantics (docs/semantics.md), each written once: in force, status, effective, and periods.

The override rule is evaluated in two ways, for two shapes of question: :class:`Effective` decides it for one
statement at a time, lazily and memoised (a sweep over the days on which anything changes, a jurisdiction's
contexts), and :func:`block_states` for a block of statements at once over the snapshot's arrays (guidance on one
day, a first page of a thousand). ``tests/test_rules.py`` checks on random override graphs that the two agree on
every statement of every block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.dates import in_force_end, in_force_start

Status = Literal["in-force", "uncertain"]

# One statement's state on a day: None (not in force), ("effective", ()) or ("overridden", the overriders).
State = tuple[str, tuple[str, ...]] | None
EFFECTIVE: State = ("effective", ())


def in_force(s: Statement, on: date) -> bool:
    """In force on D: ``valid_from <= D < valid_until``, imprecise bounds widened to their periods."""
    return in_force_start(s.valid_from) <= on and (s.valid_until is None or on < in_force_end(s.valid_until))


def status(s: Statement, on: date) -> Status:
    """Return ``uncertain`` when D falls inside the period of an imprecise bound, else ``in-force``."""
    if s.valid_from.precision != "day" and on < s.valid_from.hi:
        return "uncertain"
    if s.valid_until is not None and s.valid_until.precision != "day" and on >= s.valid_until.lo:
        return "uncertain"
    return "in-force"


class Effective:
    """The override rule on one day, memoised: which statements are effective, and what overrides the others.

    Effective: "in force on D, and no statement that overrides it is itself effective on D". ``in_force(s)``
    says whether ``s`` is in force that day; ``counts(o)`` whether an overrider takes part in the question at
    all (visible at K, and inside the question's scope); ``overriders`` maps a statement to the statements that
    override it. The override graph is acyclic (the build refuses a cycle), so the recursion ends.
    """

    def __init__(self, in_force: Callable[[str], bool], counts: Callable[[str], bool],
                 overriders: Mapping[str, Sequence[str]]) -> None:
        self._in_force = in_force
        self._counts = counts
        self._overriders = overriders
        self._memo: dict[str, bool] = {}

    def __call__(self, key: str) -> bool:
        """Return whether ``key`` is effective."""
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._in_force(key) and not any(
                self._counts(o) and self(o) for o in self._overriders.get(key, ()))
        return found

    def by(self, key: str) -> tuple[str, ...]:
        """Return the effective statements that override ``key``, sorted."""
        return tuple(sorted(o for o in self._overriders.get(key, ()) if self._counts(o) and self(o)))

    def state(self, key: str) -> State:
        """Return the state of ``key``: not in force (None), effective, or overridden by whom."""
        if not self._in_force(key):
            return None
        return EFFECTIVE if self(key) else ("overridden", self.by(key))


Ids = NDArray[np.int64]  # statement ids (positions in the snapshot)
Mask = NDArray[np.bool_]


def block_states(ids: Ids, in_force: Callable[[Ids], Mask], counts: Callable[[Ids], Mask],
                 overriders: Callable[[Ids], tuple[Ids, Ids]], keys: Sequence[str]) -> list[State]:
    """Return :meth:`Effective.state` of each statement id in ``ids``, decided for them all at once.

    ``in_force`` and ``counts`` are the rule's two tests over an array of ids; ``overriders(ids)`` returns the
    overriders of each id, row after row, and the length of each row. The overriders that act (in force and
    counting) are gathered until no new one comes, the effective ones among them found by iterating the rule
    from "all effective" until nothing changes (the override graph is acyclic, so that takes its depth plus one
    rounds), and an overridden statement is named with its effective acting overriders, sorted by key.
    """
    if len(ids) == 0:
        return []
    nodes, frontier = _unique(ids), _unique(ids)
    while len(frontier):  # the acting overriders of everything gathered so far, transitively
        found, _lengths = overriders(frontier)
        found = _unique(found)
        found = found[in_force(found) & counts(found)]
        frontier = np.setdiff1d(found, nodes, assume_unique=True)
        nodes = np.union1d(nodes, frontier)
    # Edges (statement, acting overrider) among the nodes, as positions in ``nodes``.
    found, lengths = overriders(nodes)
    targets = np.repeat(np.arange(len(nodes)), lengths)
    acting = np.isin(found, nodes)  # every acting overrider of a node is a node (the closure above)
    if len(found):
        acting[acting] &= in_force(found[acting]) & counts(found[acting])
    targets, by = targets[acting], np.searchsorted(nodes, found[acting])
    standing = in_force(nodes)
    effective = standing.copy()
    for _round in range(len(nodes) + 1):  # Jacobi rounds; a cycle (which the build refuses) could not settle
        beaten = np.zeros(len(nodes), dtype=bool)
        beaten[targets[effective[by]]] = True  # an effective acting overrider beats its statement
        now = standing & ~beaten
        if np.array_equal(now, effective):
            break
        effective = now
    winners = effective[by]
    won_by = by[winners]
    # The winners of node p are won_by[bounds[p]:bounds[p + 1]] (targets are ascending).
    bounds = np.searchsorted(targets[winners], np.arange(len(nodes) + 1)).tolist()
    out: list[State] = []
    is_standing, is_effective = standing.tolist(), effective.tolist()
    for p in np.searchsorted(nodes, ids).tolist():
        if not is_standing[p]:
            out.append(None)
        elif is_effective[p]:
            out.append(EFFECTIVE)
        else:
            out.append(("overridden", tuple(sorted(keys[i] for i in nodes[won_by[bounds[p]:bounds[p + 1]]].tolist()))))
    return out


def _unique(ids: Ids) -> Ids:
    """Return the distinct ids, ascending (a sort and a diff: numpy's unique costs more on small arrays)."""
    if len(ids) < 2:
        return np.asarray(ids, dtype=np.int64)
    ordered = np.sort(ids)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


# A period of a timeline over ordinal days: (start, end or None when open, the overrider or None when effective).
Span = tuple[date, date | None, str | None]


def periods(runs: Sequence[tuple[date, State]]) -> tuple[list[Span], list[Span]]:
    """Return the effective and the overridden periods of a statement from its runs of states (each from its day
    to the next run's), the overridden ones by start and overrider.

    An overridden period lasts for as long as one overrider overrides the statement, however the others come and
    go meanwhile: each overrider's period is listed once, not once per run of the statement's state.
    """
    effective: list[Span] = []
    overridden: list[Span] = []
    since: dict[str, date] = {}  # an overrider overriding the statement now -> the day it started to
    for n, (day, state) in enumerate(runs):
        if state == EFFECTIVE:
            effective.append((day, runs[n + 1][0] if n + 1 < len(runs) else None, None))
        by = state[1] if state is not None and state != EFFECTIVE else ()
        for gone in [o for o in since if o not in by]:
            overridden.append((since.pop(gone), day, gone))
        for o in by:
            since.setdefault(o, day)
    overridden.extend((start, None, o) for o, start in since.items())
    overridden.sort(key=lambda p: (p[0], p[2] or ""))
    return effective, overridden
