"""An oracle for the engine: the semantics (docs/semantics.md) read as directly as possible, with no index.

In a jurisdiction J, a statement is judged in the largest jurisdictions within J where it applies (its contexts),
found by asking every jurisdiction of the scheme; an overrider counts there when it applies there too.

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


def rule_state(key: str, in_force, counts, overriders: dict[str, list[str]]) -> State:
    """The override rule as the semantics says it, by recursion: effective when in force and no overrider that
    counts is itself effective; overridden by the effective overriders that count, sorted; None when not in force."""
    def effective(k: str) -> bool:
        return in_force(k) and not any(counts(o) and effective(o) for o in overriders.get(k, ()))

    if not in_force(key):
        return None
    if effective(key):
        return EFFECTIVE
    return "overridden", tuple(sorted(o for o in overriders.get(key, ()) if counts(o) and effective(o)))


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


def overriders_of(model: Model) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for s in model.statements.values():
        for o in s.overrides:
            found[o.target].append(s.key)
    return found


def reach_holds(r, on: date) -> bool:
    return ((r.valid_from is None or in_force_start(r.valid_from) <= on)
            and (r.valid_until is None or on < in_force_end(r.valid_until)))


def carried(model: Model, r, key: str, known: date | None) -> bool:
    """Whether ``key`` was effective in ``r.of`` on the day ``r`` carries, counting overriders of ``r.of``."""
    shown, overriders, day = visible(model, known), overriders_of(model), r.carries.lo

    def effective(k: str) -> bool:
        return k in shown and in_force(model.statements[k], day) and not any(
            within(model, r.of, model.statements[o].jurisdiction) and effective(o) for o in overriders[k])

    return effective(key)


def applies(model: Model, s: Statement, where: str, on: date, known: date | None) -> tuple | None:
    """Why ``s`` applies in the whole of ``where`` on D: (because, via, relation), or None."""
    if within(model, where, s.jurisdiction):
        return ("own", None, None) if where == s.jurisdiction else ("inside", s.jurisdiction, None)
    for r in model.reach:
        if (reach_holds(r, on) and within(model, s.jurisdiction, r.of) and within(model, where, r.into)
                and (r.carries is None or carried(model, r, s.key, known))):
            return ("reach", r.of, r.key)
    return None


def contexts(model: Model, s: Statement, wanted: str, on: date, known: date | None) -> set[tuple]:
    """The largest jurisdictions within ``wanted`` where ``s`` applies on D, each (code, because, via, relation)."""
    out = set()
    for code, j in model.corpus.jurisdictions.items():
        why = applies(model, s, code, on, known) if within(model, code, wanted) else None
        if why is not None and (code == wanted or applies(model, s, j.within, on, known) is None):
            out.add((code, *why))
    return out


def within(model: Model, code: str, wanted: str) -> bool:
    while code != wanted:
        j = model.corpus.jurisdictions.get(code)
        if j is None or j.within is None:
            return False
        code = j.within
    return True


def matches(model: Model, s: Statement, f: Filters) -> bool:
    """Drug and topic; a jurisdiction is judged by contexts (:func:`judged`)."""
    return (f.drug is None or s.drug == f.drug) and (f.topic is None or s.topic == f.topic)


def judged(model: Model, on: date, known: date | None, f: Filters) -> dict[tuple, State]:
    """In a jurisdiction: the state on D of each visible statement passing ``f`` in each of its contexts."""
    shown, overriders = visible(model, known), overriders_of(model)
    out: dict[tuple, State] = {}
    for key in shown:
        s = model.statements[key]
        if not (matches(model, s, f) and in_force(s, on)):
            continue
        for context in contexts(model, s, f.jurisdiction, on, known):
            where = context[0]

            def counts(o: str, where: str = where) -> bool:
                return o in shown and applies(model, model.statements[o], where, on, known) is not None

            def effective(k: str, counts=counts) -> bool:
                return in_force(model.statements[k], on) and not any(
                    counts(o) and effective(o) for o in overriders[k])

            out[(key, context)] = EFFECTIVE if effective(key) else (
                "overridden", tuple(sorted(o for o in overriders[key] if counts(o) and effective(o))))
    return out


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
    """Return (effective keys, {(overridden key, its effective overriders)}) on D as known at K.

    In a jurisdiction, a key is (statement key, context).
    """
    if f.jurisdiction is not None:
        found = judged(model, on, known, f)
        return ({k for k, st in found.items() if st == EFFECTIVE},
                {(k, st[1]) for k, st in found.items() if st and st != EFFECTIVE})
    keep = {k: st for k, st in states(model, on, visible(model, known)).items()
            if matches(model, model.statements[k], f)}
    return ({k for k, st in keep.items() if st == EFFECTIVE},
            {(k, st[1]) for k, st in keep.items() if st and st != EFFECTIVE})


def boundaries(model: Model, shown: set[str]) -> list[date]:
    days: set[date] = {d for r in model.reach for d in (r.valid_from and in_force_start(r.valid_from),
                                                      r.valid_until and in_force_end(r.valid_until)) if d}
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


def segments(model: Model, shown: set[str], known: date | None = None,
             f: Filters | None = None) -> list[tuple[date, dict]]:
    """The states on each boundary day: of every statement, or in a jurisdiction of (key, context)."""
    if f is not None and f.jurisdiction is not None:
        return [(day, judged(model, day, known, f)) for day in boundaries(model, shown)]
    return [(day, states(model, day, shown)) for day in boundaries(model, shown)]


def changes(model: Model, start: date, end: date, known: date | None, f: Filters) -> set[tuple]:
    """Return {(label, day, key, change, reason, by)} for each change of an effective state in [start, end].

    In a jurisdiction, a key is (statement key, context), and a statement starts or stops being effective in a
    context when it starts or stops applying there ("started-to-apply", "stopped-applying").
    """
    shown = visible(model, known)
    wanted = {k for k in shown if matches(model, model.statements[k], f)}
    out = set()
    previous: dict = {}
    for day, now_states in segments(model, shown, known, f):
        if start <= day <= end:
            for key in set(previous) | set(now_states):
                if (key[0] if f.jurisdiction is not None else key) not in wanted:
                    continue
                before, now = previous.get(key), now_states.get(key)
                was, is_ = before == EFFECTIVE, now == EFFECTIVE
                if was == is_:
                    continue
                s = model.statements[key[0] if f.jurisdiction is not None else key]
                name = str(label(model, day, s.key, shown))
                if is_:
                    if s.valid_from.lo == day:
                        out.add((name, day, key, "started", "came-into-force", None))
                    elif before is not None:
                        out.add((name, day, key, "started", "override-ended", before[1][0] if before[1] else None))
                    else:
                        out.add((name, day, key, "started", "started-to-apply", None))
                elif s.valid_until is not None and in_force_end(s.valid_until) == day:
                    out.add((name, day, key, "stopped", "ended", None))
                elif now is not None:
                    out.add((name, day, key, "stopped", "overridden", now[1][0] if now[1] else None))
                else:
                    out.add((name, day, key, "stopped", "stopped-applying", None))
        previous = now_states
    return out


def timeline(model: Model, known: date | None, f: Filters) -> dict:
    """Return, per statement (in a jurisdiction: per statement and context), its sorted periods
    ("effective" | "overridden", start, end, by)."""
    shown = visible(model, known)
    all_segments = segments(model, shown, known, f)
    if f.jurisdiction is None:
        keys = [k for k in shown if matches(model, model.statements[k], f)]
    else:
        keys = sorted({k for _day, found in all_segments for k in found}, key=repr)
    out = {}
    for key in keys:
        statement = key if f.jurisdiction is None else key[0]
        runs: list[tuple[date, State]] = []
        for day, now_states in all_segments:
            state = now_states.get(key)
            if not runs or runs[-1][1] != state:
                runs.append((day, state))
        periods = []
        for n, (day, state) in enumerate(runs):
            if state is None:
                continue
            end = str(label(model, runs[n + 1][0], statement, shown)) if n + 1 < len(runs) else None
            start = str(label(model, day, statement, shown))
            if state == EFFECTIVE:
                periods.append(("effective", start, end, None))
        for by in {o for _day, state in runs if state is not None and state != EFFECTIVE for o in state[1]}:
            # one period per unbroken run of days on which ``by`` overrides the statement
            days = [(day, state is not None and state != EFFECTIVE and by in state[1]) for day, state in runs]
            for n, (day, overriding) in enumerate(days):
                if overriding and (n == 0 or not days[n - 1][1]):
                    stop = next((d for d, still in days[n + 1:] if not still), None)
                    periods.append(("overridden", str(label(model, day, statement, shown)),
                                    str(label(model, stop, statement, shown)) if stop is not None else None, by))
        out[key] = sorted(periods, key=repr)
    return out
