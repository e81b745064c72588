"""Dates with a precision (day, month or year), as the data and the semantics need them.

A :class:`PartialDate` is the period its lexical form names: ``2014`` is all of 2014, ``2014-05`` all of May 2014.
Its ``lo`` is the first day of that period and ``hi`` the first day after it. Lexical forms are those of
``xsd:date``, ``xsd:gYearMonth`` and ``xsd:gYear``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from guidancekg.graph.errors import InputError

Precision = Literal["day", "month", "year"]

# ASCII digits only: \d would also match other scripts' digits, which are not YYYY-MM-DD.
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_YEAR = re.compile(r"([0-9]{4})")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar period named at day, month or year precision."""

    lo: date
    precision: Precision

    @property
    def hi(self) -> date:
        """Return the first day after the period."""
        if self.precision == "day":
            return self.lo + timedelta(days=1)
        if self.precision == "month":
            year, month = (self.lo.year + 1, 1) if self.lo.month == 12 else (self.lo.year, self.lo.month + 1)
            return date(year, month, 1)
        return date(self.lo.year + 1, 1, 1)

    @property
    def last(self) -> date:
        """Return the last day of the period."""
        return self.hi - timedelta(days=1)

    def isoformat(self) -> str:
        """Return the lexical form at this precision: ``2019-04-12``, ``2014-05`` or ``2014``."""
        if self.precision == "day":
            return self.lo.isoformat()
        if self.precision == "month":
            return f"{self.lo.year:04d}-{self.lo.month:02d}"
        return f"{self.lo.year:04d}"

    def __str__(self) -> str:
        return self.isoformat()

    @classmethod
    def of_day(cls, day: date) -> PartialDate:
        """Return the day-precision period of ``day``."""
        return cls(day, "day")


def parse_partial(text: str, parameter: str = "date") -> PartialDate:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` into a :class:`PartialDate`, naming ``parameter`` on error."""
    value = str(text).strip()
    try:
        if m := _DAY.fullmatch(value):
            return PartialDate(date(int(m[1]), int(m[2]), int(m[3])), "day")
        if m := _MONTH.fullmatch(value):
            return PartialDate(date(int(m[1]), int(m[2]), 1), "month")
        if m := _YEAR.fullmatch(value):
            return PartialDate(date(int(m[1]), 1, 1), "year")
    except ValueError as exc:
        raise InputError(parameter, f"{value!r} is not a real calendar date ({exc})") from None
    raise InputError(parameter, f"{value!r} is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY")


def parse_day(text: str, parameter: str = "date") -> date:
    """Parse exactly ``YYYY-MM-DD`` (a real calendar day), naming ``parameter`` on error."""
    value = str(text)
    m = _DAY.fullmatch(value)
    if not m:
        raise InputError(parameter, f"{value!r} is not a date; expected YYYY-MM-DD")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise InputError(parameter, f"{value!r} is not a real calendar date ({exc})") from None


def format_day(day: date | None) -> str | None:
    """Return ``YYYY-MM-DD`` or ``None``."""
    return day.isoformat() if day else None


def in_force_start(valid_from: PartialDate) -> date:
    """Return the first day a statement may be in force: the start of ``valid_from``'s period."""
    return valid_from.lo


def in_force_end(valid_until: PartialDate) -> date:
    """Return the first day a statement ending at ``valid_until`` is certainly no longer in force.

    ``[valid_from, valid_until)`` is half-open: a day-precise end is that day itself; an end known only to the
    month or year may fall anywhere in that period, so the statement counts as in force (``uncertain``) to the
    period's end.
    """
    return valid_until.lo if valid_until.precision == "day" else valid_until.hi


def recorded_from(published: PartialDate) -> date:
    """Return the first day on which a version published on ``published`` certainly had been published.

    A version dated to the day counts from that day; one dated only to the month or year from the first day
    after that period.
    """
    return published.lo if published.precision == "day" else published.hi
