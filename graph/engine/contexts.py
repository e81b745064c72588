"""Judge statements on one day and along the days anything changes: everywhere, or where they apply in a jurisdiction.

A question about jurisdiction J judges each statement in each of its contexts within J (:mod:`.applying`): the
override rule of :mod:`.rules`, counting only the overriders visible at K that apply in the same context on the
same day. Over a period, the states can change on the days statements come into or go out of force and on the
days a reach starts or ends; :func:`sweep` visits those days only. Without a jurisdiction, :func:`sweep_scope`
visits the in-force boundaries and judges only what may change on each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date

import numpy as np

from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.engine.applying import NO_END, Applicability, AppliesIn
from guidancekg.graph.engine.index import OPEN_END, DateIndex
from guidancekg.graph.engine.rules import Ids, Mask, State, block_states, layered_states

# A statement in one context: (statement key, why it applies there), with its state there.
Judged = dict[tuple[str, AppliesIn], State]

# On each day of a sweep: (statement, state before, state now) for every statement whose state changed.
Deltas = list[tuple[str, State, State]]

# Days of a sweep judged together: numpy's overhead of one call of the override rule is paid once for them all,
# and the arrays of one call stay small. (A reader that wants fewer days says so with ``until``.)
SWEEP_DAYS = 256


def states_on(index: DateIndex, day: int, ids: Ids, counts: Callable[[Ids], Mask]) -> list[State]:
    """Return the state on the ordinal ``day`` of each statement id in ``ids``: the override rule
    (:func:`~.rules.block_states`) over the index's in-force bounds and override graph, with ``counts``."""
    return block_states(ids, lambda some: index.in_force_of(some, day), counts, index.overriders_of,
                        index.model.keys.__getitem__)


def states_by_day(index: DateIndex, days: Ids, layers: Ids, ids: Ids,
                  counts: Callable[[Ids, Ids], Mask]) -> list[State]:
    """Return the state of each statement ``ids[i]`` on the ordinal day ``days[layers[i]]``, judged against the
    overriders in its own layer (:func:`~.rules.layered_states`), with ``counts(layers, ids)``."""
    keys = index.model.keys

    def in_force(layer: Ids, some: Ids) -> Mask:
        return index.in_force_of(some, days[layer])

    return layered_states(layers, ids, len(keys), in_force, counts, index.overriders_of, keys.__getitem__)


def judge(statements: Mapping[str, Statement], index: DateIndex, where: Applicability,
          is_visible: Callable[[str], bool], jurisdiction: str, day: int, keys: Iterable[str]) -> Judged:
    """Return the state on ``day`` of each of ``keys`` in force then, in each context it has within ``jurisdiction``.

    The keys are visible at K; an overrider counts in a context when it is visible and applies there that day.
    """
    return judge_days(statements, index, where, is_visible, jurisdiction, [(day, keys)])[0]


def judge_days(statements: Mapping[str, Statement], index: DateIndex, where: Applicability,
               is_visible: Callable[[str], bool], jurisdiction: str,
               days: Sequence[tuple[int, Iterable[str]]]) -> list[Judged]:
    """Return :func:`judge` of each ``(day, keys)`` of ``days``, decided by one call of the override rule in which
    each day and context is a layer (:func:`~.rules.layered_states`)."""
    ids, keys = index.model.ids, index.model.keys
    placed: list[list[tuple[str, AppliesIn]]] = []
    layer_of: dict[tuple[int, str], int] = {}  # (day, context) -> its layer
    layers: list[int] = []
    members: list[int] = []
    for day, asked in days:
        here: list[tuple[str, AppliesIn]] = []
        for key in asked:
            if index.start[key] <= day < index.end[key]:
                for a in where.contexts(statements[key], jurisdiction, day):
                    here.append((key, a))
                    layers.append(layer_of.setdefault((day, a.jurisdiction), len(layer_of)))
                    members.append(ids[key])
        placed.append(here)
    layer_day = np.asarray([day for day, _context in layer_of], dtype=np.int64)
    layer_context = [context for _day, context in layer_of]

    def counts(layer: Ids, some: Ids) -> Mask:
        return np.fromiter((is_visible(keys[o]) and where.applies(statements[keys[o]], layer_context[n],
                                                                  int(layer_day[n])) is not None
                            for n, o in zip(layer.tolist(), some.tolist(), strict=True)), dtype=bool, count=len(some))

    states = iter(states_by_day(index, layer_day, np.asarray(layers, dtype=np.int64),
                                np.asarray(members, dtype=np.int64), counts))
    return [{pair: next(states) for pair in here} for here in placed]


def sweep(statements: Mapping[str, Statement], index: DateIndex, where: Applicability,
          is_visible: Callable[[str], bool], jurisdiction: str, wanted: Iterable[str], scope: Iterable[str],
          since: date | None = None, until: date | None = None) -> Iterator[tuple[date, Judged, Judged]]:
    """Yield ``(day, before, now)`` on each day on which a state of ``wanted`` in a context may change.

    ``scope`` holds ``wanted`` and every visible overrider of its members, transitively: the days are their
    in-force boundaries and the reach boundaries. ``before`` is the states of the previous such day. With
    ``since``, the days before it are not yielded, and only the last of them is judged (the states it starts from);
    with ``until``, the days after it are not visited. The days are judged :data:`SWEEP_DAYS` at a time.
    """
    days = set(where.boundaries())
    for key in scope:
        days.add(index.start[key])
        if index.end[key] != OPEN_END:
            days.add(index.end[key])
    events: dict[int, list[str]] = defaultdict(list)  # the wanted statements coming into or going out of force
    for key in wanted:
        events[index.start[key]].append(key)
        if index.end[key] != OPEN_END:
            events[index.end[key]].append(key)
    last = until.toordinal() if until is not None else NO_END - 1
    ordered = sorted(d for d in days if 0 < d < NO_END and d <= last)
    first = since.toordinal() if since is not None else 0
    in_force: set[str] = set()
    before: Judged = {}
    pending: list[tuple[int, list[str]]] = []  # days to judge together, with the wanted statements in force
    for n, day in enumerate(ordered):
        for key in events.get(day, ()):
            if index.start[key] <= day < index.end[key]:
                in_force.add(key)
            else:
                in_force.discard(key)
        if n + 1 < len(ordered) and ordered[n + 1] < first:
            continue  # a later day before ``since`` gives the states it starts from
        pending.append((day, list(in_force)))
        if len(pending) < SWEEP_DAYS and n + 1 < len(ordered):
            continue
        for (judged_day, _keys), now in zip(pending, judge_days(statements, index, where, is_visible, jurisdiction,
                                                                  pending), strict=True):
            if now != before and judged_day >= first:
                yield date.fromordinal(judged_day), before, now
            before = now
        pending = []


def sweep_scope(index: DateIndex, scope: set[str], until: date | None = None) -> Iterator[tuple[date, Deltas]]:
    """Yield ``(day, deltas)`` for each day on which a statement of ``scope`` changes state.

    ``scope`` is closed (every visible overrider of a member is a member). The days are the in-force
    boundaries of its statements; on each, only the statements coming into or out of force, and those they
    override (transitively), can change state. With ``until``, the days after it are not visited. The days
    are judged :data:`SWEEP_DAYS` at a time, each a layer of one call of the override rule
    (:func:`~.rules.layered_states`).
    """
    ids, keys = index.model.ids, index.model.keys
    events: dict[int, list[str]] = defaultdict(list)
    for key in scope:
        events[index.start[key]].append(key)
        if index.end[key] != OPEN_END:  # an open interval never ends
            events[index.end[key]].append(key)
    in_scope = np.zeros(len(keys), dtype=bool)
    in_scope[np.fromiter((ids[k] for k in scope), dtype=np.int64, count=len(scope))] = True
    last = until.toordinal() if until is not None else max(events, default=0)
    days = sorted(day for day in events if day <= last)
    state: dict[str, State] = {}
    for first in range(0, len(days), SWEEP_DAYS):
        chunk = days[first:first + SWEEP_DAYS]
        affected = [_affected(index, events[day], scope) for day in chunk]
        layers = np.repeat(np.arange(len(chunk), dtype=np.int64), [len(a) for a in affected])
        members = np.fromiter((ids[k] for a in affected for k in a), dtype=np.int64, count=len(layers))
        judged = iter(states_by_day(index, np.asarray(chunk, dtype=np.int64), layers, members,
                                    lambda _layer, some: in_scope[some]))
        for day, keys_now in zip(chunk, affected, strict=True):
            deltas: Deltas = []
            for key in keys_now:
                now, before = next(judged), state.get(key)
                if now != before:
                    deltas.append((key, before, now))
                    if now is None:
                        state.pop(key, None)
                    else:
                        state[key] = now
            if deltas:
                yield date.fromordinal(day), deltas


def _affected(index: DateIndex, changed: list[str], scope: set[str]) -> list[str]:
    """Return ``changed`` and what they override in ``scope``, transitively: whose state may change with them."""
    overrides = index.overrides
    affected: dict[str, None] = {}
    todo = list(changed)
    while todo:
        key = todo.pop()
        if key not in affected:
            affected[key] = None
            todo.extend(t for t in overrides.get(key, ()) if t in scope)
    return list(affected)
