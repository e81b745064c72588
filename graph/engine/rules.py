"""The rules of the semantics (docs/semantics.md), each written once: in force, status, effective, and periods.

The override rule, "effective on D: in force on D, and no statement that overrides it and counts in the question
is itself effective on D", is :func:`block_states`: it decides a block of statements at once over the snapshot's
ids, for every question (guidance on a day, a first page, a sweep over the days on which anything changes, a
jurisdiction's contexts, the terms a reach carries). ``tests/test_rules.py`` checks it on random override graphs
against the recursive definition in ``tests/oracle.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


Ids = NDArray[np.int64]  # statement ids (positions in the snapshot)
Mask = NDArray[np.bool_]


def block_states(ids: Ids, in_force: Callable[[Ids], Mask], counts: Callable[[Ids], Mask],
                 overriders: Callable[[Ids], tuple[Ids, Ids]], key_of: Callable[[int], str]) -> list[State]:
    """Return the state on the question's day of each statement id in ``ids``, decided for them all at once.

    ``in_force`` and ``counts`` are the rule's two tests over an array of ids (``counts``: the overrider takes
    part in the question at all, e.g. visible at K and applying in the question's context); ``overriders(ids)``
    returns the overriders of each id, row after row, and the length of each row. The overriders that act (in
    force and counting) are gathered until no new one comes, each tested once; the effective ones are found by
    iterating the rule from "all effective" until nothing changes (the override graph is acyclic, which the build
    checks, so that takes its depth plus one rounds); an overridden statement is named with its effective acting
    overriders, sorted by key (``key_of`` names an id).
    """
    if len(ids) == 0:
        return []
    nodes = frontier = _unique(ids)
    targets: list[Ids] = []  # the acting edges (statement, overrider), as ids, round after round
    by: list[Ids] = []
    while len(frontier):
        found, lengths = overriders(frontier)
        distinct = _unique(found)
        acts = in_force(distinct)
        if acts.any():  # counts is asked of the overriders in force only: it may cost more than in_force
            acts[acts] = counts(distinct[acts])
        if not acts.any():
            break
        edge = acts[np.searchsorted(distinct, found)]
        targets.append(np.repeat(frontier, lengths)[edge])
        by.append(found[edge])
        fresh = distinct[acts]
        frontier = fresh[~_members(fresh, nodes)]
        nodes = np.sort(np.concatenate((nodes, frontier)))  # disjoint: no unique needed
    if not targets:  # nothing acting overrides any of them: each is effective when in force
        return [EFFECTIVE if standing else None for standing in in_force(ids).tolist()]
    # The edges as positions in ``nodes``, ordered by their statement.
    target, over = np.searchsorted(nodes, np.concatenate(targets)), np.searchsorted(nodes, np.concatenate(by))
    order = np.argsort(target, kind="stable")
    target, over = target[order], over[order]
    standing = in_force(nodes)
    effective = standing.copy()
    for _round in range(len(nodes) + 1):  # Jacobi rounds; a cycle (which the build refuses) could not settle
        beaten = np.zeros(len(nodes), dtype=bool)
        beaten[target[effective[over]]] = True  # an effective acting overrider beats its statement
        now = standing & ~beaten
        if np.array_equal(now, effective):
            break
        effective = now
    winners = effective[over]
    won_by = nodes[over[winners]].tolist()  # the ids of the winning overriders, in one conversion
    # The winners of node p are won_by[bounds[p]:bounds[p + 1]] (the edges are ordered by statement).
    bounds = np.searchsorted(target[winners], np.arange(len(nodes) + 1)).tolist()
    out: list[State] = []
    is_standing, is_effective = standing.tolist(), effective.tolist()
    for p in np.searchsorted(nodes, ids).tolist():
        if not is_standing[p]:
            out.append(None)
        elif is_effective[p]:
            out.append(EFFECTIVE)
        else:
            names = [key_of(i) for i in won_by[bounds[p]:bounds[p + 1]]]
            out.append(("overridden", tuple(sorted(names)) if len(names) > 1 else tuple(names)))
    return out


def layered_states(layers: Ids, ids: Ids, count: int, in_force: Callable[[Ids, Ids], Mask],
                   counts: Callable[[Ids, Ids], Mask], overriders: Callable[[Ids], tuple[Ids, Ids]],
                   key_of: Callable[[int], str]) -> list[State]:
    """Return :func:`block_states` of each statement ``ids[i]`` in its layer ``layers[i]``, all layers at once.

    A layer is one question of a series (a day of a sweep, a context of a jurisdiction on a day): a statement is
    judged in its layer against the overriders in the same layer, ``in_force(layers, ids)`` and ``counts(layers,
    ids)`` testing each pair. One call for a whole series costs the numpy overhead of one block, not one per day.
    ``count`` is the number of statements (ids are below it).
    """
    def split(pairs: Ids) -> tuple[Ids, Ids]:
        return pairs // count, pairs % count

    def overriders_in_layer(pairs: Ids) -> tuple[Ids, Ids]:
        layer, of = split(pairs)
        found, lengths = overriders(of)
        return np.repeat(layer, lengths) * count + found, lengths

    return block_states(np.asarray(layers, dtype=np.int64) * count + ids, lambda p: in_force(*split(p)),
                        lambda p: counts(*split(p)), overriders_in_layer, lambda p: key_of(p % count))


def _members(ids: Ids, among: Ids) -> Mask:
    """Return, for each of ``ids``, whether it is in ``among`` (ascending): a binary search, cheaper than np.isin."""
    if len(among) == 0:
        return np.zeros(len(ids), dtype=bool)
    at = np.minimum(np.searchsorted(among, ids), len(among) - 1)
    return np.asarray(among[at] == ids)


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
