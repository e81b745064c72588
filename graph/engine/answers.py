"""The date engine: guidance on a date as known at a date, changes between dates, and timelines.

The CLI, the API, the page and Memento all ask this engine. It applies the rules of :mod:`.rules` (the
semantics of ``docs/semantics.md``) through the date index (:mod:`.index`), so a question never scans the graph:
on one day, it looks up the statements in force and evaluates the override rule for those only; between two
days, it sweeps the days on which a statement comes into or goes out of force. ``tests/oracle.py`` holds an
unindexed reading of the semantics that the engine is checked against on random corpora.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from guidancekg.graph.corpus.records import Reach, Source, Statement, Version
from guidancekg.graph.dates import PartialDate, in_force_end, recorded_from
from guidancekg.graph.engine.applying import Applicability, AppliesIn
from guidancekg.graph.engine.contexts import Judged, judge, states_on, sweep, sweep_scope
from guidancekg.graph.engine.entries import Entries
from guidancekg.graph.engine.index import DateIndex
from guidancekg.graph.engine.model import Model
from guidancekg.graph.engine.results import (
    NO_FILTERS,
    Change,
    Entry,
    Filters,
    Guidance,
    Period,
    Reason,
    RecordView,
    TimelineEntry,
)
from guidancekg.graph.engine.rules import EFFECTIVE, State, periods, status
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.ontology.vocab import TOPIC_KEYS

__all__ = ["NO_FILTERS", "AppliesIn", "Change", "Engine", "Entry", "Filters", "Guidance", "Period", "RecordView",
           "TimelineEntry"]

_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


class Engine:
    """Answer the semantics' questions over one loaded :class:`Model`; statements are named by key."""

    def __init__(self, model: Model, index: DateIndex | None = None) -> None:
        self.model = model
        # Every date lookup goes through the index (graph/engine/index.py), built once per model.
        self.index = index if index is not None and index.model is model else DateIndex(model)
        by_source: dict[str, list[Version]] = defaultdict(list)
        for v in model.versions.values():
            by_source[v.source].append(v)
        self._versions_by_source = {
            s: sorted(vs, key=lambda v: (recorded_from(v.published), v.key)) for s, vs in by_source.items()}
        # An answer's entries: made from the records as known at K, the recent ones kept (graph/engine/entries.py).
        self.entry = Entries(model, self.index)
        # (reach, known) -> statement -> effective on the day whose terms the reach carries
        self._carried: dict[tuple[str, date | None], dict[str, bool]] = {}
        self._related = Applicability(model.scheme, model.reach, lambda _r, _k: True)  # no day, no carried terms

    # -- filters -------------------------------------------------------------------------------------------

    def check_filters(self, filters: Filters) -> Filters:
        """Return the filters with the jurisdiction's code (an alias gives the code it stands for).

        Refuse an unknown drug (NotFound), jurisdiction or topic (InputError).
        """
        if filters.drug is not None and filters.drug not in self.model.drugs:
            raise NotFound("drug", filters.drug, sorted(self.model.drugs))
        if filters.topic is not None and filters.topic not in TOPIC_KEYS:
            raise InputError("topic", f"unknown topic {filters.topic!r}; known: {', '.join(TOPIC_KEYS)}")
        if filters.jurisdiction is None:
            return filters
        code = self.model.scheme.canonical(filters.jurisdiction)
        if code is None:
            raise InputError("jurisdiction", f"unknown jurisdiction {filters.jurisdiction!r}; known: "
                             f"{', '.join(self.model.scheme.codes)}")
        return Filters(filters.drug, code, filters.topic)

    def matches(self, s: Statement, filters: Filters) -> bool:
        """Return whether ``s`` passes the filters: its drug, its topic, and it may apply in the jurisdiction (or a
        part of it) on some day."""
        return ((filters.drug is None or s.drug == filters.drug)
                and (filters.topic is None or s.topic == filters.topic)
                and (filters.jurisdiction is None or self._related.related(s, filters.jurisdiction)))

    # -- where statements apply ----------------------------------------------------------------------------

    def _carried_effective(self, reach: Reach, key: str, known: date | None) -> bool:
        """Return whether ``key`` is effective in ``reach.of`` on the day whose terms ``reach`` carries, as known at K.

        The statements of ``reach.of`` effective that day are judged where they are: only the overriders whose own
        jurisdiction is or contains ``reach.of`` count (a reach into it would be judged by its own reach).
        """
        memo = self._carried.setdefault((reach.key, known), {})
        found = memo.get(key)
        if found is None:
            index, statements, keys, scheme = self.index, self.model.statements, self.model.keys, self.model.scheme
            assert reach.carries is not None
            day = reach.carries.lo.toordinal()
            if not index.overriders.get(key):  # nothing overrides it: effective when in force, no rule to ask
                found = memo[key] = index.start[key] <= day < index.end[key]
                return found

            def counts(some: NDArray[np.int64]) -> NDArray[np.bool_]:
                inside = np.fromiter((scheme.contains(statements[keys[i]].jurisdiction, reach.of)
                                      for i in some.tolist()), dtype=bool, count=len(some))
                return index.visible(some, known) & inside

            state = states_on(index, day, np.asarray([self.model.ids[key]], dtype=np.int64), counts)[0]
            found = memo[key] = state == EFFECTIVE
        return found

    def applicability(self, known: date | None) -> Applicability:
        """Return where statements apply as known at ``known`` (a carrying reach reads its day's terms as of K)."""
        def carried(reach: Reach, key: str) -> bool:
            return self.index.is_visible(key, known) and self._carried_effective(reach, key, known)

        return Applicability(self.model.scheme, self.model.reach, carried)

    # -- answers -------------------------------------------------------------------------------------------

    def order(self, key: str) -> int:
        """Return a statement's place in every answer: by topic (in the scheme's order), start of validity, key.

        That is its id: the snapshot keeps the statements in this order (:func:`~.snapshot.statement_order`).
        """
        return self.model.ids[key]

    def guidance(self, on: date, known: date | None = None, filters: Filters = NO_FILTERS) -> Guidance:
        """Question 1: the effective statements on D as known at K, and those in force but overridden.

        The statements in force on D come from the interval index (per drug when filtered by drug); those visible
        at K and passing the filters are judged together by the override rule, which looks only at them and what
        overrides them.
        """
        filters = self.check_filters(filters)
        if filters.jurisdiction is not None:
            return self._guidance_in(on, known, filters, filters.jurisdiction)
        index, statements, keys = self.index, self.model.statements, self.model.keys
        ids = index.in_force_ids(on, filters.drug)  # in the answer's order
        ids = ids[index.visible(ids, known)]
        # Of the filters, only a topic is left (the drug chose the statements).
        if filters.topic is not None:
            ids = ids[np.fromiter((self.matches(statements[keys[i]], filters) for i in ids.tolist()),
                                  dtype=bool, count=len(ids))]
        found = [(keys[i], state) for i, state in zip(ids.tolist(), self.states(on, known, ids), strict=True)]
        effective = tuple(self.entry(k, known, status(statements[k], on)) for k, state in found if state == EFFECTIVE)
        overridden = tuple(self.entry(k, known, status(statements[k], on), state[1])
                           for k, state in found if state is not None and state != EFFECTIVE)
        return Guidance(on, known, filters, effective, overridden)

    def states(self, on: date, known: date | None, ids: NDArray[np.int64]) -> list[State]:
        """Return the state on ``on`` as known at ``known`` of each statement id in ``ids`` (no jurisdiction asked:
        every visible overrider counts), decided for the whole block at once (:func:`~.rules.block_states`)."""
        index = self.index
        return states_on(index, on.toordinal(), ids, lambda some: index.visible(some, known))

    def _visibility(self, known: date | None) -> Callable[[str], bool]:
        """Return "visible at K", memoised for one question."""
        index, seen = self.index, dict[str, bool]()

        def is_visible(key: str) -> bool:
            found = seen.get(key)
            if found is None:
                found = seen[key] = index.is_visible(key, known)
            return found
        return is_visible

    def _guidance_in(self, on: date, known: date | None, filters: Filters, jurisdiction: str) -> Guidance:
        """Question 1 in a jurisdiction: each statement judged where it applies within it (:mod:`.contexts`)."""
        statements, is_visible = self.model.statements, self._visibility(known)
        keys = [k for k in self.index.in_force(on, filters.drug)
                if self.matches(statements[k], filters) and is_visible(k)]
        judged = judge(statements, self.index, self.applicability(known), is_visible, jurisdiction,
                       on.toordinal(), keys)
        order = sorted(judged, key=lambda ka: (self.order(ka[0]), ka[1]))
        effective = tuple(self.entry(k, known, status(statements[k], on), (), a)
                          for k, a in order if judged[(k, a)] == EFFECTIVE)
        overridden = tuple(self.entry(k, known, status(statements[k], on), state[1], a)
                           for k, a in order if (state := judged[(k, a)]) and state != EFFECTIVE)
        return Guidance(on, known, filters, effective, overridden)

    def _label(self, day: date, key: str, known: date | None) -> PartialDate:
        """Name a boundary at the precision of what causes it (the statement's own bound first); the other causes
        are the statements visible at ``known`` whose interval starts or ends on ``day``."""
        own = self.model.statements[key]
        if own.valid_from.lo == day:
            return own.valid_from
        if own.valid_until is not None and in_force_end(own.valid_until) == day:
            return own.valid_until
        causes = []
        for other in self.index.at_boundary(day):
            if not self.index.is_visible(other, known):
                continue
            s = self.model.statements[other]
            if s.valid_from.lo == day:
                causes.append(s.valid_from)
            if s.valid_until is not None and in_force_end(s.valid_until) == day:
                causes.append(s.valid_until)
        if not causes:
            return PartialDate.of_day(day)
        return min(causes, key=lambda p: (_PRECISION_RANK[p.precision], p.lo))

    def _scope(self, known: date | None, filters: Filters) -> tuple[list[str], set[str]]:
        """Return the visible statements passing ``filters``, and those with every visible statement overriding
        them (transitively): the statements whose states decide the wanted ones' states."""
        index = self.index
        statements = self.model.statements
        wanted = [k for k in index.statements_of(filters.drug)
                  if self.matches(statements[k], filters) and index.is_visible(k, known)]
        scope = set(wanted)
        todo = list(wanted)
        while todo:
            for o in index.overriders.get(todo.pop(), ()):
                if o not in scope and index.is_visible(o, known):
                    scope.add(o)
                    todo.append(o)
        return wanted, scope

    def changes(self, start: date, end: date, known: date | None = None,
                filters: Filters = NO_FILTERS) -> list[Change]:
        """Question 2: each date in ``[start, end]`` on which a statement became or stopped being effective."""
        filters = self.check_filters(filters)
        if end < start:
            raise InputError("to", f"{end} is before from ({start})")
        if filters.jurisdiction is not None:
            return self._changes_in(start, end, known, filters, filters.jurisdiction)
        wanted, scope = self._scope(known, filters)
        wanted_set = set(wanted)
        out: list[Change] = []
        for day, deltas in sweep_scope(self.index, scope, until=end):
            if day < start:
                continue
            for key, before, now in deltas:
                change = self._change(day, key, None, known, before, now) if key in wanted_set else None
                if change is not None:
                    out.append(change)
        out.sort(key=lambda c: (c.day, c.change != "stopped", self.order(c.entry.statement.key)))
        return out

    def _sweep_in(self, known: date | None, filters: Filters, jurisdiction: str,
                  since: date | None = None, until: date | None = None) -> Iterator[tuple[date, Judged, Judged]]:
        wanted, scope = self._scope(known, filters)
        return sweep(self.model.statements, self.index, self.applicability(known), self._visibility(known),
                     jurisdiction, wanted, scope, since, until)

    def _changes_in(self, start: date, end: date, known: date | None, filters: Filters,
                    jurisdiction: str) -> list[Change]:
        """Question 2 in a jurisdiction: the changes of each statement where it applies within it.

        Besides the four reasons, a statement starts or stops being effective in a context when it starts
        (``started-to-apply``) or stops (``stopped-applying``) applying there: a reach begins or ends.
        """
        sweeping = self._sweep_in(known, filters, jurisdiction, start, end)
        out: list[Change] = []
        for day, before, now in sweeping:
            if day < start:
                continue
            for key, applies in set(before) | set(now):
                change = self._change(day, key, applies, known, before.get((key, applies)), now.get((key, applies)))
                if change is not None:
                    out.append(change)
        out.sort(key=lambda c: (c.day, c.change != "stopped", self.order(c.entry.statement.key), c.entry.applies_in))
        return out

    def _change(self, day: date, key: str, applies: AppliesIn | None, known: date | None, before: State,
                now: State) -> Change | None:
        """Return the change of ``key`` on ``day`` from ``before`` to ``now``, if it is one (in a jurisdiction,
        where ``applies`` says; without one, a statement is always where it is, and never starts to apply)."""
        was, is_ = before == EFFECTIVE, now == EFFECTIVE
        if was == is_:
            return None
        s = self.model.statements[key]
        label = self._label(day, key, known)
        reason: Reason
        if is_:
            if s.valid_from.lo == day:
                reason, by = "came-into-force", None
            elif before is not None:
                reason, by = "override-ended", before[1][0] if before[1] else None
            else:
                reason, by = "started-to-apply", None
            return Change(label, day, "started", reason, by, self.entry(key, known, status(s, day), (), applies))
        if s.valid_until is not None and in_force_end(s.valid_until) == day:
            reason, by = "ended", None
        elif now is not None:
            reason, by = "overridden", now[1][0] if now[1] else None
        else:
            reason, by = "stopped-applying", None
        return Change(label, day, "stopped", reason, by,
                      self.entry(key, known, status(s, day - timedelta(days=1)), (), applies))

    def timeline(self, known: date | None = None, filters: Filters = NO_FILTERS) -> list[TimelineEntry]:
        """Question 3: for each statement, its effective periods and its overridden periods."""
        filters = self.check_filters(filters)
        if filters.jurisdiction is not None:
            return self._timeline_in(known, filters, filters.jurisdiction)
        wanted, scope = self._scope(known, filters)
        runs_of: dict[str, list[tuple[date, State]]] = {k: [] for k in wanted}
        for day, deltas in sweep_scope(self.index, scope):
            for key, _before, now in deltas:
                runs = runs_of.get(key)
                if runs is not None:
                    runs.append((day, now))
        out = []
        for key in sorted(wanted, key=self.order):
            effective, overridden = self._periods(key, known, runs_of[key])
            out.append(TimelineEntry(self.entry(key, known, None), effective, overridden))
        return out

    def _timeline_in(self, known: date | None, filters: Filters, jurisdiction: str) -> list[TimelineEntry]:
        """Question 3 in a jurisdiction: one entry per statement and reason it applies within it, in order."""
        sweeping = self._sweep_in(known, filters, jurisdiction)
        runs_of: dict[tuple[str, AppliesIn], list[tuple[date, State]]] = defaultdict(list)
        for day, before, now in sweeping:
            for where in set(before) | set(now):
                if before.get(where) != now.get(where):
                    runs_of[where].append((day, now.get(where)))
        out = []
        for key, applies in sorted(runs_of, key=lambda ka: (self.order(ka[0]), ka[1])):
            effective, overridden = self._periods(key, known, runs_of[(key, applies)])
            out.append(TimelineEntry(self.entry(key, known, None, (), applies), effective, overridden))
        return out

    def _periods(self, key: str, known: date | None,
                 runs: list[tuple[date, State]]) -> tuple[tuple[Period, ...], tuple[Period, ...]]:
        """Return the effective and the overridden periods of a statement's runs of states (:func:`periods`),
        each bound named at the precision of what causes it."""
        def label(day: date | None) -> PartialDate | None:
            return None if day is None else self._label(day, key, known)

        effective, overridden = periods(runs)
        return (tuple(Period(self._label(start, key, known), label(end)) for start, end, _by in effective),
                tuple(Period(self._label(start, key, known), label(end), by) for start, end, by in overridden))

    def sources(self) -> list[tuple[Source, list[Version]]]:
        """Return every source with its versions, oldest first."""
        return [(src, list(self._versions_by_source.get(key, [])))
                for key, src in sorted(self.model.sources.items())]
