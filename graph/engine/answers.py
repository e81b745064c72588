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

from guidancekg.graph.corpus.records import Source, Statement, Version
from guidancekg.graph.dates import PartialDate, in_force_end, recorded_from
from guidancekg.graph.engine.index import OPEN_END, DateIndex
from guidancekg.graph.engine.model import Model
from guidancekg.graph.engine.results import (
    NO_FILTERS,
    Change,
    Entry,
    Filters,
    Guidance,
    Period,
    RecordView,
    TimelineEntry,
)
from guidancekg.graph.engine.rules import EFFECTIVE, Effective, State, Status, status
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.ontology.vocab import JURISDICTION_CODES, TOPIC_KEYS

__all__ = ["NO_FILTERS", "Change", "Engine", "Entry", "Filters", "Guidance", "Period", "RecordView",
           "TimelineEntry"]

_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}

# On each day of a sweep: (statement, state before, state now) for every statement whose state changed.
Deltas = list[tuple[str, State, State]]


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
        self._views: dict[str, tuple[tuple[str, RecordView], ...]] = {}  # statement -> (version id, record)

    # -- filters -------------------------------------------------------------------------------------------

    def check_filters(self, filters: Filters) -> None:
        """Refuse an unknown drug (NotFound), jurisdiction or topic (InputError)."""
        if filters.drug is not None and filters.drug not in self.model.drugs:
            raise NotFound("drug", filters.drug, sorted(self.model.drugs))
        if filters.jurisdiction is not None and filters.jurisdiction not in JURISDICTION_CODES:
            raise InputError("jurisdiction", f"unknown jurisdiction {filters.jurisdiction!r}; known: "
                             f"{', '.join(JURISDICTION_CODES)}")
        if filters.topic is not None and filters.topic not in TOPIC_KEYS:
            raise InputError("topic", f"unknown topic {filters.topic!r}; known: {', '.join(TOPIC_KEYS)}")

    def _within(self, code: str, wanted: str) -> bool:
        while True:
            if code == wanted:
                return True
            if code not in self.model.broader:
                return False
            code = self.model.broader[code]

    def matches(self, s: Statement, filters: Filters) -> bool:
        """Return whether ``s`` passes the filters (a jurisdiction includes the regions within it)."""
        return ((filters.drug is None or s.drug == filters.drug)
                and (filters.topic is None or s.topic == filters.topic)
                and (filters.jurisdiction is None or self._within(s.jurisdiction, filters.jurisdiction)))

    # -- answers -------------------------------------------------------------------------------------------

    def _record_views(self, key: str) -> tuple[tuple[str, RecordView], ...]:
        """Return every record of a statement with its version, source and reference (built once per statement)."""
        views = self._views.get(key)
        if views is None:
            m = self.model
            views = self._views[key] = tuple(
                (r.version_id, RecordView(r, m.versions[r.version_id], m.sources[r.source],
                                          m.references.get(r.reference) if r.reference else None))
                for r in m.records.get(key, ()))
        return views

    def entry(self, key: str, known: date | None, state_status: Status | None,
              overridden_by: tuple[str, ...] = ()) -> Entry:
        """Return a statement with the records that make it visible at ``known``."""
        is_latest = self.index.is_latest
        views = tuple(view for version, view in self._record_views(key) if is_latest(version, known))
        return Entry(self.model.statements[key], state_status, views, overridden_by)

    def order(self, key: str) -> tuple[int, date, str]:
        """Return a statement's place in every answer: by topic (in the scheme's order), start of validity, key."""
        s = self.model.statements[key]
        return (TOPIC_KEYS.index(s.topic) if s.topic in TOPIC_KEYS else len(TOPIC_KEYS), s.valid_from.lo, s.key)

    def judge(self, on: date, known: date | None) -> tuple[Effective, Callable[[str], bool]]:
        """Return the override rule on ``on`` as known at ``known``, and the visibility test it uses (memoised)."""
        index = self.index
        day = on.toordinal()
        start, end = index.start, index.end
        visible: dict[str, bool] = {}

        def is_visible(key: str) -> bool:
            found = visible.get(key)
            if found is None:
                found = visible[key] = index.is_visible(key, known)
            return found

        return Effective(lambda key: start[key] <= day < end[key], is_visible, index.overriders), is_visible

    def guidance(self, on: date, known: date | None = None, filters: Filters = NO_FILTERS) -> Guidance:
        """Question 1: the effective statements on D as known at K, and those in force but overridden.

        The statements in force on D come from the interval index (per drug when filtered by drug); those visible
        at K and passing the filters are judged by the override rule, which looks only at them and what
        overrides them.
        """
        self.check_filters(filters)
        index, statements = self.index, self.model.statements
        rule, is_visible = self.judge(on, known)
        states = {key: rule.state(key) for key in index.in_force(on, filters.drug)
                  if self.matches(statements[key], filters) and is_visible(key)}
        keep = sorted(states, key=self.order)
        effective = tuple(self.entry(k, known, status(statements[k], on)) for k in keep if states[k] == EFFECTIVE)
        overridden = tuple(self.entry(k, known, status(statements[k], on), state[1])
                           for k in keep if (state := states[k]) and state != EFFECTIVE)
        return Guidance(on, known, filters, effective, overridden)

    def _label(self, day: date, key: str, known: date | None) -> PartialDate:
        """Name a boundary at the precision of what causes it (the statement's own bound first).

        The other causes are the statements visible at ``known`` whose interval starts or ends on ``day``.
        """
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

    def _sweep(self, scope: set[str]) -> Iterator[tuple[date, Deltas]]:
        """Yield ``(day, deltas)`` for each day on which a statement of ``scope`` changes state.

        ``scope`` is closed (every visible overrider of a member is a member). The days are the in-force
        boundaries of its statements; on each, only the statements coming into or out of force, and those they
        override (transitively), can change state.
        """
        index = self.index
        events: dict[int, list[str]] = defaultdict(list)
        for key in scope:
            events[index.start[key]].append(key)
            if index.end[key] != OPEN_END:  # an open interval never ends
                events[index.end[key]].append(key)
        in_force: set[str] = set()
        state: dict[str, State] = {}
        for day_ord in sorted(events):
            changed = events[day_ord]
            for key in changed:
                if index.start[key] <= day_ord < index.end[key]:
                    in_force.add(key)
                else:
                    in_force.discard(key)
            affected: set[str] = set()
            todo = list(changed)
            while todo:
                key = todo.pop()
                if key not in affected:
                    affected.add(key)
                    todo.extend(t for t in index.overrides.get(key, ()) if t in scope)
            rule = Effective(in_force.__contains__, scope.__contains__, index.overriders)
            deltas: Deltas = []
            for key in affected:
                now, before = rule.state(key), state.get(key)
                if now != before:
                    deltas.append((key, before, now))
                    if now is None:
                        state.pop(key, None)
                    else:
                        state[key] = now
            if deltas:
                yield date.fromordinal(day_ord), deltas

    def changes(self, start: date, end: date, known: date | None = None,
                filters: Filters = NO_FILTERS) -> list[Change]:
        """Question 2: each date in ``[start, end]`` on which a statement became or stopped being effective."""
        self.check_filters(filters)
        if end < start:
            raise InputError("to", f"{end} is before from ({start})")
        wanted, scope = self._scope(known, filters)
        wanted_set = set(wanted)
        out: list[Change] = []
        for day, deltas in self._sweep(scope):
            if day > end:
                break
            if day < start:
                continue
            for key, before, now in deltas:
                was, is_ = before == EFFECTIVE, now == EFFECTIVE
                if key not in wanted_set or was == is_:
                    continue
                s = self.model.statements[key]
                label = self._label(day, key, known)
                if is_:
                    came = s.valid_from.lo == day
                    by = None if came or before is None or not before[1] else before[1][0]
                    out.append(Change(label, day, "started", "came-into-force" if came else "override-ended", by,
                                      self.entry(key, known, status(s, day))))
                else:
                    ended = s.valid_until is not None and in_force_end(s.valid_until) == day
                    by = None if ended or now is None or not now[1] else now[1][0]
                    out.append(Change(label, day, "stopped", "ended" if ended else "overridden", by,
                                      self.entry(key, known, status(s, day - timedelta(days=1)))))
        out.sort(key=lambda c: (c.day, c.change != "stopped", self.order(c.entry.statement.key)))
        return out

    def timeline(self, known: date | None = None, filters: Filters = NO_FILTERS) -> list[TimelineEntry]:
        """Question 3: for each statement, its effective periods and its overridden periods."""
        self.check_filters(filters)
        wanted, scope = self._scope(known, filters)
        runs_of: dict[str, list[tuple[date, State]]] = {k: [] for k in wanted}
        for day, deltas in self._sweep(scope):
            for key, _before, now in deltas:
                runs = runs_of.get(key)
                if runs is not None:
                    runs.append((day, now))
        out = []
        for key in sorted(wanted, key=self.order):
            effective: list[Period] = []
            overridden: list[Period] = []
            runs = runs_of[key]
            for n, (day, state) in enumerate(runs):
                if state is None:
                    continue
                end = self._label(runs[n + 1][0], key, known) if n + 1 < len(runs) else None
                start = self._label(day, key, known)
                if state == EFFECTIVE:
                    effective.append(Period(start, end))
                else:
                    overridden.extend(Period(start, end, by) for by in state[1])
            out.append(TimelineEntry(self.entry(key, known, None), tuple(effective), tuple(overridden)))
        return out

    def sources(self) -> list[tuple[Source, list[Version]]]:
        """Return every source with its versions, oldest first."""
        return [(src, list(self._versions_by_source.get(key, [])))
                for key, src in sorted(self.model.sources.items())]
