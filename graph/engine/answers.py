"""The date engine: guidance on a date as known at a date, changes between dates, and timelines.

This module is the one implementation of ``shared/spec/semantics.md``; the CLI, the API, the page and Memento
all call it. Definitions (quoted from the semantics page) sit beside the code that implements them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from guidancekg.graph.dates import PartialDate, in_force_end, in_force_start, recorded_from
from guidancekg.graph.engine.index import OPEN_END, DateIndex
from guidancekg.graph.engine.model import Model, Record, SourceInfo, StatementInfo, VersionInfo
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.ontology.vocab import JURISDICTION_CODES, TOPIC_KEYS

Status = Literal["in-force", "uncertain"]
Day = date  # a calendar day; an alias because Change has a field named "date"
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass(frozen=True)
class Filters:
    """Optional filters of every question: drug key, jurisdiction code, topic key."""

    drug: str | None = None
    jurisdiction: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class RecordView:
    """A record of a statement together with its version and source."""

    record: Record
    version: VersionInfo
    source: SourceInfo


@dataclass(frozen=True)
class Entry:
    """A statement as it appears in an answer."""

    statement: StatementInfo
    status: Status | None
    records: tuple[RecordView, ...]
    overridden_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guidance:
    on: date
    known: date | None
    filters: Filters
    effective: tuple[Entry, ...]
    overridden: tuple[Entry, ...]


@dataclass(frozen=True)
class Change:
    """A statement started or stopped being effective: on ``day``, named as ``date`` at its cause's precision."""

    date: PartialDate
    day: Day
    change: Literal["started", "stopped"]
    reason: Literal["came-into-force", "ended", "overridden", "override-ended"]
    by: str | None
    entry: Entry


@dataclass(frozen=True)
class Period:
    """``[start, end)``; ``end`` None is open; ``by`` names the overriding statement of an overridden period."""

    start: PartialDate
    end: PartialDate | None
    by: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    entry: Entry
    effective: tuple[Period, ...]
    overridden: tuple[Period, ...]


NO_FILTERS = Filters()

# One statement's state in a segment: None (not in force), ("effective", ()) or ("overridden", by).
_State = tuple[str, tuple[str, ...]] | None


class Engine:
    """Answer the semantics page's questions over one loaded :class:`Model`."""

    def __init__(self, model: Model, index: DateIndex | None = None) -> None:
        self.model = model
        # Every date lookup goes through the index (graph/engine/index.py), built once per model.
        self.index = index if index is not None and index.model is model else DateIndex(model)
        by_source: dict[str, list[VersionInfo]] = defaultdict(list)
        for v in model.versions.values():
            by_source[v.source].append(v)
        self._versions_by_source = {
            s: sorted(vs, key=lambda v: (recorded_from(v.published), v.key)) for s, vs in by_source.items()}
        self._overriders: dict[str, list[str]] = defaultdict(list)
        for s in model.statements.values():
            for target, _kind in s.overrides:
                self._overriders[target].append(s.iri)
        self._latest_versions = lru_cache(maxsize=256)(self._latest_versions_uncached)
        self._visible = lru_cache(maxsize=64)(self._visible_uncached)

    # -- record time ---------------------------------------------------------------------------------------

    def _latest_versions_uncached(self, known: date | None) -> frozenset[str]:
        """Return, per source, the latest version recorded on or before ``known`` (all latest when None)."""
        latest = []
        for versions in self._versions_by_source.values():
            recorded = versions if known is None else [v for v in versions if recorded_from(v.published) <= known]
            if recorded:
                latest.append(recorded[-1].iri)
        return frozenset(latest)

    def visible(self, known: date | None) -> frozenset[str]:
        """Statements visible at K: "for some source, the latest version ... on or before K asserts it"."""
        return self._visible(known)

    def _visible_uncached(self, known: date | None) -> frozenset[str]:
        out: set[str] = set()
        for v in self._latest_versions(known):
            out |= self.model.asserted_by.get(v, frozenset())
        return frozenset(out)

    # -- valid time ----------------------------------------------------------------------------------------

    @staticmethod
    def in_force(s: StatementInfo, on: date) -> bool:
        """In force on D: ``valid_from <= D < valid_until``, imprecise bounds widened to their periods."""
        return in_force_start(s.valid_from) <= on and (s.valid_until is None or on < in_force_end(s.valid_until))

    @staticmethod
    def status(s: StatementInfo, on: date) -> Status:
        """Return ``uncertain`` when D falls inside the period of an imprecise bound, else ``in-force``."""
        if s.valid_from.precision != "day" and on < s.valid_from.hi:
            return "uncertain"
        if s.valid_until is not None and s.valid_until.precision != "day" and on >= s.valid_until.lo:
            return "uncertain"
        return "in-force"

    def _states(self, on: date, visible: frozenset[str]) -> dict[str, _State]:
        """Return the state of every visible statement in force on ``on``.

        Effective: "visible at K, in force on D, and no statement that overrides it is itself effective on D
        as known at K" (the override graph is acyclic, so the recursion ends).
        """
        memo: dict[str, bool] = {}
        statements = self.model.statements

        def effective(iri: str) -> bool:
            if iri not in memo:
                s = statements[iri]
                memo[iri] = self.in_force(s, on) and not any(
                    o in visible and effective(o) for o in self._overriders.get(iri, ()))
            return memo[iri]

        states: dict[str, _State] = {}
        for iri in visible:
            s = statements[iri]
            if not self.in_force(s, on):
                continue
            if effective(iri):
                states[iri] = ("effective", ())
            else:
                by = tuple(sorted(o for o in self._overriders.get(iri, ()) if o in visible and effective(o)))
                states[iri] = ("overridden", by)
        return states

    def _effective_fn(self, on: date, known: date | None):
        """Return effective(iri) on ``on`` as known at ``known`` (memoised), for visible statements."""
        index = self.index
        day = on.toordinal()
        memo: dict[str, bool] = {}
        visible_memo: dict[str, bool] = {}

        def is_visible(iri: str) -> bool:
            v = visible_memo.get(iri)
            if v is None:
                v = visible_memo[iri] = index.is_visible(iri, known)
            return v

        def effective(iri: str) -> bool:
            e = memo.get(iri)
            if e is None:
                e = memo[iri] = index.in_force_on(iri, day) and not any(
                    is_visible(o) and effective(o) for o in index.overriders.get(iri, ()))
            return e

        return effective, is_visible

    def _indexed_states(self, on: date, known: date | None, filters: Filters) -> dict[str, _State]:
        """Return the state on ``on`` of each visible statement in force that passes ``filters``.

        The same states as :meth:`_states` restricted to the filters, found through the index: the statements in
        force on D (an interval-tree lookup, per drug when filtered by drug), kept when visible at K, with the
        override recursion evaluated only for those candidates and what overrides them.
        """
        effective, is_visible = self._effective_fn(on, known)
        statements = self.model.statements
        states: dict[str, _State] = {}
        for iri in self.index.in_force(on, filters.drug):
            if not self.matches(statements[iri], filters) or not is_visible(iri):
                continue
            if effective(iri):
                states[iri] = ("effective", ())
            else:
                by = tuple(sorted(o for o in self.index.overriders.get(iri, ()) if is_visible(o) and effective(o)))
                states[iri] = ("overridden", by)
        return states

    # -- filters -------------------------------------------------------------------------------------------

    def check_filters(self, filters: Filters) -> None:
        """Refuse an unknown drug (NotFound), jurisdiction or topic (InputError)."""
        if filters.drug is not None and self.model.drug_by_key(filters.drug) is None:
            raise NotFound("drug", filters.drug)
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

    def matches(self, s: StatementInfo, filters: Filters) -> bool:
        """Return whether ``s`` passes the filters (a jurisdiction includes the regions within it)."""
        return ((filters.drug is None or s.drug == filters.drug)
                and (filters.topic is None or s.topic == filters.topic)
                and (filters.jurisdiction is None or self._within(s.jurisdiction, filters.jurisdiction)))

    # -- answers -------------------------------------------------------------------------------------------

    def entry(self, iri: str, known: date | None, status: Status | None,
              overridden_by: tuple[str, ...] = ()) -> Entry:
        """Return a statement with the records that make it visible at ``known``."""
        is_latest = self.index.is_latest
        views = tuple(RecordView(r, self.model.versions[r.version],
                                 self.model.sources[self.model.versions[r.version].source])
                      for r in self.model.records.get(iri, ()) if is_latest(r.version, known))
        return Entry(self.model.statements[iri], status, views, overridden_by)

    def _order(self, iri: str) -> tuple[int, date, str]:
        s = self.model.statements[iri]
        return (TOPIC_KEYS.index(s.topic) if s.topic in TOPIC_KEYS else len(TOPIC_KEYS), s.valid_from.lo, s.key)

    def guidance(self, on: date, known: date | None = None, filters: Filters = NO_FILTERS) -> Guidance:
        """Question 1: the effective statements on D as known at K, and those in force but overridden."""
        self.check_filters(filters)
        states = self._indexed_states(on, known, filters)
        keep = sorted(states, key=self._order)
        effective = tuple(self.entry(i, known, self.status(self.model.statements[i], on))
                          for i in keep if states[i] == ("effective", ()))
        overridden = tuple(self.entry(i, known, self.status(self.model.statements[i], on), st[1])
                           for i in keep if (st := states[i]) and st[0] == "overridden")
        return Guidance(on, known, filters, effective, overridden)

    def _boundaries(self, visible: frozenset[str]) -> list[date]:
        days: set[date] = set()
        for iri in visible:
            s = self.model.statements[iri]
            days.add(s.valid_from.lo)
            if s.valid_until is not None:
                days.add(in_force_end(s.valid_until))
        return sorted(days)

    def _label(self, day: date, iri: str, known: date | None) -> PartialDate:
        """Name a boundary at the precision of what causes it (the statement's own bound first).

        The other causes are the statements visible at ``known`` whose interval starts or ends on ``day``.
        """
        own = self.model.statements[iri]
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

    def _segments(self, visible: frozenset[str]) -> list[tuple[date, dict[str, _State]]]:
        """Return the state of every visible statement on each boundary day (the reference, unindexed form)."""
        return [(day, self._states(day, visible)) for day in self._boundaries(visible)]

    def _scope(self, known: date | None, filters: Filters) -> tuple[list[str], set[str]]:
        """Return the visible statements passing ``filters``, and those with every visible statement overriding
        them (transitively): the statements whose states decide the wanted ones' states."""
        index = self.index
        statements = self.model.statements
        if filters == NO_FILTERS:
            visible = self.visible(known)
            return list(visible), set(visible)
        wanted = [i for i in index.statements_of(filters.drug)
                  if self.matches(statements[i], filters) and index.is_visible(i, known)]
        scope = set(wanted)
        todo = list(wanted)
        while todo:
            for o in index.overriders.get(todo.pop(), ()):
                if o not in scope and index.is_visible(o, known):
                    scope.add(o)
                    todo.append(o)
        return wanted, scope

    def _sweep(self, scope: set[str]):
        """Yield ``(day, [(iri, before, now), ...])`` for each day on which a statement of ``scope`` changes state.

        The same states as :meth:`_segments`, found by a sweep over the in-force boundaries of ``scope`` (a
        closed set: every visible overrider of a member is a member): on each boundary day only the statements
        coming into or out of force, and those they override (transitively), can change state.
        """
        index = self.index
        events: dict[int, list[str]] = defaultdict(list)
        for iri in scope:
            events[index.start[iri]].append(iri)
            if index.end[iri] != OPEN_END:  # an open interval never ends
                events[index.end[iri]].append(iri)
        in_force: set[str] = set()
        state: dict[str, _State] = {}
        for day_ord in sorted(events):
            changed = events[day_ord]
            for iri in changed:
                if index.start[iri] <= day_ord < index.end[iri]:
                    in_force.add(iri)
                else:
                    in_force.discard(iri)
            affected: set[str] = set()
            todo = [i for i in changed if i in scope]
            while todo:
                iri = todo.pop()
                if iri in affected:
                    continue
                affected.add(iri)
                todo.extend(t for t in index.overrides.get(iri, ()) if t in scope)
            memo: dict[str, bool] = {}

            def effective(iri: str, memo: dict[str, bool] = memo) -> bool:
                e = memo.get(iri)
                if e is None:
                    e = memo[iri] = iri in in_force and not any(
                        o in scope and effective(o, memo) for o in index.overriders.get(iri, ()))
                return e

            deltas = []
            for iri in affected:
                now: _State
                if iri not in in_force:
                    now = None
                elif effective(iri):
                    now = ("effective", ())
                else:
                    now = ("overridden", tuple(sorted(o for o in index.overriders.get(iri, ())
                                                      if o in scope and effective(o))))
                before = state.get(iri)
                if now != before:
                    deltas.append((iri, before, now))
                    if now is None:
                        state.pop(iri, None)
                    else:
                        state[iri] = now
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
            for iri, before, now in deltas:
                if iri not in wanted_set:
                    continue
                was, is_ = before == ("effective", ()), now == ("effective", ())
                if was == is_:
                    continue
                s = self.model.statements[iri]
                label = self._label(day, iri, known)
                if is_:
                    came = s.valid_from.lo == day
                    by = None if came or before is None else (before[1][0] if before[1] else None)
                    out.append(Change(label, day, "started", "came-into-force" if came else "override-ended", by,
                                      self.entry(iri, known, self.status(s, day))))
                else:
                    ended = s.valid_until is not None and in_force_end(s.valid_until) == day
                    by = None if ended or now is None else (now[1][0] if now[1] else None)
                    out.append(Change(label, day, "stopped", "ended" if ended else "overridden", by,
                                      self.entry(iri, known, self.status(s, day - timedelta(days=1)))))
        out.sort(key=lambda c: (c.day, c.change != "stopped", self._order(c.entry.statement.iri)))
        return out

    def timeline(self, known: date | None = None, filters: Filters = NO_FILTERS) -> list[TimelineEntry]:
        """Question 3: for each statement, its effective periods and its overridden periods."""
        self.check_filters(filters)
        wanted, scope = self._scope(known, filters)
        runs_of: dict[str, list[tuple[date, _State]]] = {i: [] for i in wanted}
        for day, deltas in self._sweep(scope):
            for iri, _before, now in deltas:
                runs = runs_of.get(iri)
                if runs is not None:
                    runs.append((day, now))
        out = []
        for iri in sorted(wanted, key=self._order):
            effective: list[Period] = []
            overridden: list[Period] = []
            runs = runs_of[iri]
            for n, (day, state) in enumerate(runs):
                if state is None:
                    continue
                end = (self._label(runs[n + 1][0], iri, known)) if n + 1 < len(runs) else None
                start = self._label(day, iri, known)
                if state[0] == "effective":
                    effective.append(Period(start, end))
                else:
                    overridden.extend(Period(start, end, by) for by in state[1])
            out.append(TimelineEntry(self.entry(iri, known, None), tuple(effective), tuple(overridden)))
        return out

    def sources(self) -> list[tuple[SourceInfo, list[VersionInfo]]]:
        """Return every source with its versions, oldest first."""
        return [(src, list(self._versions_by_source.get(iri, [])))
                for iri, src in sorted(self.model.sources.items(), key=lambda kv: kv[1].key)]
