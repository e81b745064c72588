"""Compute the mementos of a drug's guidance page, and parse the HTTP-date of ``Accept-Datetime``.

Semantics question 5: the state of the guidance page on T is the guidance on T as known at T (both axes set to
T); its mementos are the days on which that answer changes. No Flask here: the HTTP layer is ``api/memento.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from guidancekg.graph.dates import in_force_end, in_force_start, recorded_from
from guidancekg.graph.engine.answers import Engine, Filters, Guidance
from guidancekg.graph.errors import InputError

# One answer, reduced to what a reader of the page sees change: each statement in force with its state
# (effective or overridden), its status, what overrides it and the versions it is recorded from.
_Signature = frozenset[tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]]]


def _signature(g: Guidance) -> _Signature:
    return frozenset(
        (e.statement.iri, kind, e.status, e.overridden_by, tuple(sorted(r.version.iri for r in e.records)))
        for kind, entries in (("effective", g.effective), ("overridden", g.overridden)) for e in entries)


def candidate_days(engine: Engine, drug: str) -> list[date]:
    """Return every day on which the page of ``drug`` may change, in order.

    Valid-time boundaries of the drug's statements (``in_force_start`` of ``valid_from``, ``in_force_end`` of
    ``valid_until``, and the days an imprecise bound stops or starts making the status ``uncertain``), and
    the record day (``recorded_from``) of every version of every source that ever asserted one of them (a later
    version that no longer asserts a statement withdraws it from its own record day).
    """
    model = engine.model
    mine = {iri for iri, s in model.statements.items() if s.drug == drug}
    days: set[date] = set()
    for iri in mine:
        s = model.statements[iri]
        days.add(in_force_start(s.valid_from))
        if s.valid_from.precision != "day":
            days.add(s.valid_from.hi)  # status uncertain -> in-force (Engine.status)
        if s.valid_until is not None:
            days.add(in_force_end(s.valid_until))
            if s.valid_until.precision != "day":
                days.add(s.valid_until.lo)  # status in-force -> uncertain
    sources = {model.versions[v].source for v, stmts in model.asserted_by.items()
               if v in model.versions and stmts & mine}
    days.update(recorded_from(v.published) for v in model.versions.values() if v.source in sources)
    return sorted(days)


@lru_cache(maxsize=64)
def _memento_dates(engine: Engine, drug: str, jurisdiction: str | None) -> tuple[date, ...]:
    filters = Filters(drug=drug, jurisdiction=jurisdiction)
    out: list[date] = []
    previous: _Signature = frozenset()  # before the first candidate the page is empty
    for day in candidate_days(engine, drug):
        now = _signature(engine.guidance(day, day, filters))
        if now != previous:
            out.append(day)
            previous = now
    return tuple(out)


def memento_dates(engine: Engine, drug: str, jurisdiction: str | None = None) -> list[date]:
    """Return the days on which "guidance on T as known at T" for ``drug`` changes (unknown drug: NotFound)."""
    engine.check_filters(Filters(drug=drug, jurisdiction=jurisdiction))
    return list(_memento_dates(engine, drug, jurisdiction))


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


# -- HTTP-date (RFC 9110 section 5.6.7) --------------------------------------------------------------------

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WK, _WKL, _MON = "|".join(_DAY_NAMES), "|".join(_DAY_NAMES_LONG), "|".join(_MONTHS)
_TIME = r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
# IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT ; date1 = day SP month SP year (e.g.
# "Sun, 06 Nov 1994 08:49:37 GMT"). Names are case-sensitive, exactly one SP between the parts.
_IMF = re.compile(rf"(?P<wd>{_WK}), (?P<d>\d{{2}}) (?P<mo>{_MON}) (?P<y>\d{{4}}) {_TIME} GMT", re.ASCII)
# obs-date, rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT ; date2 = day "-" month "-" 2DIGIT
_RFC850 = re.compile(rf"(?P<wd>{_WKL}), (?P<d>\d{{2}})-(?P<mo>{_MON})-(?P<y>\d{{2}}) {_TIME} GMT", re.ASCII)
# obs-date, asctime-date = day-name SP date3 SP time-of-day SP year ; date3 = month SP ( 2DIGIT / ( SP DIGIT ))
_ASCTIME = re.compile(rf"(?P<wd>{_WK}) (?P<mo>{_MON}) (?P<d>\d{{2}}| \d) {_TIME} (?P<y>\d{{4}})", re.ASCII)


def _two_digit_year(yy: int, now: datetime) -> int:
    """Expand an rfc850-date year: one that seems more than 50 years ahead is the latest past year ending so.

    RFC 9110 section 5.6.7: "Recipients of a timestamp value in rfc850-date format, which uses a two-digit
    year, MUST interpret a timestamp that appears to be more than 50 years in the future as representing the
    most recent year in the past that had the same last two digits."
    """
    year = now.year - now.year % 100 + yy
    if year > now.year + 50:
        year -= 100
    return year


def parse_http_date(text: str, parameter: str = "Accept-Datetime", now: datetime | None = None) -> datetime:
    """Parse an HTTP-date (RFC 9110 section 5.6.7) into an aware UTC datetime, strictly.

    IMF-fixdate (the ``rfc1123-date`` that RFC 7089 section 2.1.1 requires of ``Accept-Datetime``) and the two
    obsolete formats every recipient must accept (rfc850-date, asctime-date). Only GMT; the day name must be
    the date's own weekday. Anything else raises :class:`InputError` naming ``parameter``.
    """
    value = text.strip(" \t")  # RFC 9110 section 5.5: optional whitespace around a field value is not part of it
    m = _IMF.fullmatch(value) or _RFC850.fullmatch(value) or _ASCTIME.fullmatch(value)
    if m is None:
        raise InputError(parameter, f"{value!r} is not an HTTP-date; expected an IMF-fixdate such as "
                                    "'Sat, 13 Apr 2019 00:00:00 GMT' (RFC 9110 section 5.6.7)")
    year = int(m["y"])
    if len(m["y"]) == 2:
        year = _two_digit_year(year, now or datetime.now(UTC))
    try:
        when = datetime(year, _MONTHS.index(m["mo"]) + 1, int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
                        tzinfo=UTC)
    except ValueError as exc:
        raise InputError(parameter, f"{value!r} is not a real date and time ({exc})") from None
    names = _DAY_NAMES_LONG if m.re is _RFC850 else _DAY_NAMES
    if m["wd"] != names[when.weekday()]:
        raise InputError(parameter, f"{value!r}: {when:%d %b %Y} is a {_DAY_NAMES_LONG[when.weekday()]}, "
                                    f"not a {_DAY_NAMES_LONG[names.index(m['wd'])]}")
    return when


def format_http_date(day: date) -> str:
    """Return the IMF-fixdate of 00:00:00 GMT on ``day`` (RFC 9110 section 5.6.7), e.g. for Memento-Datetime."""
    return f"{_DAY_NAMES[day.weekday()]}, {day.day:02d} {_MONTHS[day.month - 1]} {day.year:04d} 00:00:00 GMT"
