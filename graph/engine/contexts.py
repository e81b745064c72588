"""Judge statements where they apply within one jurisdiction: on one day, and along the days anything changes.

A question about jurisdiction J judges each statement in each of its contexts within J (:mod:`.applying`): the
override rule of :mod:`.rules`, counting only the overriders visible at K that apply in the same context on the
same day. Over a period, the states can change on the days statements come into or go out of force and on the
days a reach starts or ends; :func:`sweep` visits those days only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date

from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.engine.applying import NO_END, Applicability, AppliesIn
from guidancekg.graph.engine.index import OPEN_END, DateIndex
from guidancekg.graph.engine.rules import Effective, State

# A statement in one context: (statement key, why it applies there), with its state there.
Judged = dict[tuple[str, AppliesIn], State]


def judge(statements: Mapping[str, Statement], index: DateIndex, where: Applicability,
          is_visible: Callable[[str], bool], jurisdiction: str, day: int, keys: Iterable[str]) -> Judged:
    """Return the state on ``day`` of each of ``keys`` in force then, in each context it has within ``jurisdiction``.

    The keys are visible at K; an overrider counts in a context when it is visible and applies there that day.
    """
    rules: dict[str, Effective] = {}

    def rule(context: str) -> Effective:
        found = rules.get(context)
        if found is None:
            found = rules[context] = Effective(
                lambda k: index.start[k] <= day < index.end[k],
                lambda o: is_visible(o) and where.applies(statements[o], context, day) is not None,
                index.overriders)
        return found

    out: Judged = {}
    for key in keys:
        if index.start[key] <= day < index.end[key]:
            for a in where.contexts(statements[key], jurisdiction, day):
                out[(key, a)] = rule(a.jurisdiction).state(key)
    return out


def sweep(statements: Mapping[str, Statement], index: DateIndex, where: Applicability,
          is_visible: Callable[[str], bool], jurisdiction: str, wanted: Iterable[str], scope: Iterable[str],
          since: date | None = None) -> Iterator[tuple[date, Judged, Judged]]:
    """Yield ``(day, before, now)`` on each day on which a state of ``wanted`` in a context may change.

    ``scope`` holds ``wanted`` and every visible overrider of its members, transitively: the days are their
    in-force boundaries and the reach boundaries. ``before`` is the states of the previous such day. With
    ``since``, the days before it are not yielded, and only the last of them is judged (the states it starts from).
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
    ordered = sorted(d for d in days if 0 < d < NO_END)
    first = since.toordinal() if since is not None else 0
    in_force: set[str] = set()
    before: Judged = {}
    for n, day in enumerate(ordered):
        for key in events.get(day, ()):
            if index.start[key] <= day < index.end[key]:
                in_force.add(key)
            else:
                in_force.discard(key)
        if n + 1 < len(ordered) and ordered[n + 1] < first:
            continue  # a later day before ``since`` gives the states it starts from
        now = judge(statements, index, where, is_visible, jurisdiction, day, in_force)
        if now != before and day >= first:
            yield date.fromordinal(day), before, now
        before = now
