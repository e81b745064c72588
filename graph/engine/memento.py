"""Compute the mementos of a drug's guidance page.

Semantics question 5: the state of the guidance page on T is the guidance on T as known at T (both axes set to
T); its mementos are the days on which that answer changes. No Flask here: the HTTP layer is ``api/memento.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from guidancekg.graph.dates import in_force_end, in_force_start, recorded_from
from guidancekg.graph.engine.answers import AppliesIn, Engine, Filters, Guidance
from guidancekg.graph.engine.applying import reach_days

# One answer, reduced to what a reader of the page sees change: each statement in force with its state
# (effective or overridden), its status, what overrides it, the versions it is recorded from and why it applies.
_Signature = frozenset[tuple[str, str, str | None, tuple[str, ...], tuple[str, ...], AppliesIn | None]]


def _signature(g: Guidance) -> _Signature:
    return frozenset(
        (e.statement.key, kind, e.status, e.overridden_by, tuple(sorted(r.version.id for r in e.records)),
         e.applies_in)
        for kind, entries in (("effective", g.effective), ("overridden", g.overridden)) for e in entries)


def candidate_days(engine: Engine, drug: str) -> list[date]:
    """Return every day on which the page of ``drug`` may change, in order.

    Valid-time boundaries of the drug's statements (``in_force_start`` of ``valid_from``, ``in_force_end`` of
    ``valid_until``, and the days an imprecise bound stops or starts making the status ``uncertain``), the
    days a reach starts or ends (what applies in a jurisdiction changes), and the record day (``recorded_from``)
    of every version of every source that ever asserted one of them (a later version that no longer asserts a
    statement withdraws it from its own record day).
    """
    model = engine.model
    mine = {key for key, s in model.statements.items() if s.drug == drug}
    days: set[date] = set()
    for key in mine:
        s = model.statements[key]
        days.add(in_force_start(s.valid_from))
        if s.valid_from.precision != "day":
            days.add(s.valid_from.hi)  # status uncertain -> in-force (Engine.status)
        if s.valid_until is not None:
            days.add(in_force_end(s.valid_until))
            if s.valid_until.precision != "day":
                days.add(s.valid_until.lo)  # status in-force -> uncertain
    days.update(date.fromordinal(d) for r in model.reach for d in reach_days(r) if 0 < d <= date.max.toordinal())
    sources = {model.versions[v].source for v, stmts in model.asserted_by.items()
               if v in model.versions and stmts & mine}
    days.update(recorded_from(v.published) for v in model.versions.values() if v.source in sources)
    return sorted(days)


def memento_dates(engine: Engine, drug: str, jurisdiction: str | None = None) -> list[date]:
    """Return the days on which "guidance on T as known at T" for ``drug`` changes (unknown drug: NotFound).

    Each asks the engine a question per candidate day: a server keeps the answer among its graph's caches.
    """
    filters = engine.check_filters(Filters(drug=drug, jurisdiction=jurisdiction))
    out: list[date] = []
    previous: _Signature = frozenset()  # before the first candidate the page is empty
    for day in candidate_days(engine, drug):
        now = _signature(engine.guidance(day, day, filters))
        if now != previous:
            out.append(day)
            previous = now
    return out


def select(dates: list[date], when: date) -> date | None:
    """Return the memento in force on ``when``: the latest date <= ``when``; before the first, the first."""
    if not dates:
        return None
    chosen = dates[0]
    for d in dates:
        if d > when:
            break
        chosen = d
    return chosen


def memento_for(engine: Engine, drug: str, when: date, jurisdiction: str | None = None) -> date | None:
    """Return the memento of ``drug`` in force on ``when`` (a day before the first memento gets the first)."""
    return select(memento_dates(engine, drug, jurisdiction), when)


@dataclass(frozen=True)
class Neighbours:
    """The mementos around one memento (RFC 7089 section 2.2.4: first, last, prev and next memento)."""

    first: date
    last: date
    prev: date | None
    next: date | None


def neighbours(dates: list[date], day: date) -> Neighbours:
    """Return first, last, previous and next of ``day`` in ``dates`` (``day`` must be one of them)."""
    i = dates.index(day)
    return Neighbours(dates[0], dates[-1], dates[i - 1] if i > 0 else None,
                      dates[i + 1] if i + 1 < len(dates) else None)
