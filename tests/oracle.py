"""An oracle for the engine: the semantics (docs/semantics.md) read as directly as possible, with no index.

Slow on purpose: every question looks at every statement and version. The engine (graph/engine/answers.py) must
give the same answers; tests/test_index.py checks it on random corpora (hypothesis) and on the bundled data.
Names are keys, as in the engine's answers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.dates import PartialDate, in_force_end, in_force_start, recorded_from
from guidancekg.graph.engine.model import Model
from guidancekg.graph.engine.results import Filters

State = tuple[str, tuple[str, ...]] | None
EFFECTIVE: State = ("effective", ())


def visible(model: Model, known: date | None) -> set[str]:
    """Visible at K: for some source, the latest version recorded on or before K asserts it."""
    by_source: dict[str, list] = defaultdict(list)
    for v in model.versions.values():
        if known is None or recorded_from(v.published) <= known:
            by_source[v.source].append(v)
    out: set[str] = set()
    for versions in by_source.values():
        latest = max(versions, key=lambda v: (recorded_from(v.published), v.key))
        out |= model.asserted_by.get(latest.id, frozenset())
    return out


def in_force(s: Statement, on: date) -> bool:
    return in_force_start(s.valid_from) <= on and (s.valid_until is None or on < in_force_end(s.valid_until))


def within(model: Model, code: str, wanted: str) -> bool:
    while code != wanted:
        j = model.corpus.jurisdictions.get(code)
        if j is None or j.within is None:
            return False
        code = j.within
    return True


def matches(model: Model, s: Statement, f: Filters) -> bool:
    return ((f.drug is None or s.drug == f.drug) and (f.topic is None or s.topic == f.topic)
            and (f.jurisdiction is None or within(model, s.jurisdiction, f.jurisdiction)))


def states(model: Model, on: date, shown: set[str]) -> dict[str, State]:
    """Return the state on D of every statement of ``shown`` in force on D."""
    overriders: dict[str, list[str]] = defaultdict(list)
    for s in model.statements.values():
        for o in s.overrides:
            overriders[o.target].append(s.key)

    def effective(key: str) -> bool:
        return in_force(model.statements[key], on) and not any(
            o in shown and effective(o) for o in overriders[key])

    out: dict[str, State] = {}
    for key in shown:
        if in_force(model.statements[key], on):
            out[key] = EFFECTIVE if effective(key) else (
                "overridden", tuple(sorted(o for o in overriders[key] if o in shown and effective(o))))
    return out


def guidance(model: Model, on: date, known: date | None, f: Filters) -> tuple[set[str], set[tuple]]:
    """Return (effective keys, {(overridden key, its effective overriders)}) on D as known at K."""
    keep = {k: st for k, st in states(model, on, visible(model, known)).items()
            if matches(model, model.statements[k], f)}
    return ({k for k, st in keep.items() if st == EFFECTIVE},
            {(k, st[1]) for k, st in keep.items() if st and st != EFFECTIVE})


def boundaries(model: Model, shown: set[str]) -> list[date]:
    days: set[date] = set()
    for key in shown:
        s = model.statements[key]
        days.add(s.valid_from.lo)
        if s.valid_until is not None:
            days.add(in_force_end(s.valid_until))
    return sorted(days)


def label(model: Model, day: date, key: str, shown: set[str]) -> PartialDate:
    """Name a boundary at the precision of its cause: the statement's own bound, else the least imprecise cause."""
    own = model.statements[key]
    if own.valid_from.lo == day:
        return own.valid_from
    if own.valid_until is not None and in_force_end(own.valid_until) == day:
        return own.valid_until
    causes = []
    for k in shown:
        s = model.statements[k]
        if s.valid_from.lo == day:
            causes.append(s.valid_from)
        if s.valid_until is not None and in_force_end(s.valid_until) == day:
            causes.append(s.valid_until)
    rank = {"day": 0, "month": 1, "year": 2}
    return min(causes, key=lambda p: (rank[p.precision], p.lo)) if causes else PartialDate.of_day(day)


def segments(model: Model, shown: set[str]) -> list[tuple[date, dict[str, State]]]:
    return [(day, states(model, day, shown)) for day in boundaries(model, shown)]


def changes(model: Model, start: date, end: date, known: date | None, f: Filters) -> set[tuple]:
    """Return {(label, day, key, change, reason, by)} for each change of an effective state in [start, end]."""
    shown = visible(model, known)
    wanted = [k for k in shown if matches(model, model.statements[k], f)]
    out = set()
    previous: dict[str, State] = {}
    for day, now_states in segments(model, shown):
        if start <= day <= end:
            for key in wanted:
                before, now = previous.get(key), now_states.get(key)
                was, is_ = before == EFFECTIVE, now == EFFECTIVE
                if was == is_:
                    continue
                s = model.statements[key]
                name = str(label(model, day, key, shown))
                if is_:
                    came = s.valid_from.lo == day
                    by = None if came or before is None or not before[1] else before[1][0]
                    out.add((name, day, key, "started", "came-into-force" if came else "override-ended", by))
                else:
                    ended = s.valid_until is not None and in_force_end(s.valid_until) == day
                    by = None if ended or now is None or not now[1] else now[1][0]
                    out.add((name, day, key, "stopped", "ended" if ended else "overridden", by))
        previous = now_states
    return out


def timeline(model: Model, known: date | None, f: Filters) -> dict[str, list[tuple]]:
    """Return, per statement, its sorted periods ("effective" | "overridden", start, end, by)."""
    shown = visible(model, known)
    all_segments = segments(model, shown)
    out = {}
    for key in shown:
        if not matches(model, model.statements[key], f):
            continue
        runs: list[tuple[date, State]] = []
        for day, now_states in all_segments:
            state = now_states.get(key)
            if not runs or runs[-1][1] != state:
                runs.append((day, state))
        periods = []
        for n, (day, state) in enumerate(runs):
            if state is None:
                continue
            end = str(label(model, runs[n + 1][0], key, shown)) if n + 1 < len(runs) else None
            start = str(label(model, day, key, shown))
            if state == EFFECTIVE:
                periods.append(("effective", start, end, None))
            else:
                periods.extend(("overridden", start, end, by) for by in state[1])
        out[key] = sorted(periods, key=repr)
    return out
