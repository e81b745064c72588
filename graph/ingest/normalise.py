"""Find dates and durations in guidance text and normalise them (for ``guidancekg propose``).

Dates become the data format's partial dates, with their precision:

==========================  ==============  =========
text                        value           precision
==========================  ==============  =========
``12th April 2019``         ``2019-04-12``  day
``18 April 2019``           ``2019-04-18``  day
``April 12, 2019``          ``2019-04-12``  day
``2019-04-12``              ``2019-04-12``  day
``April 2019``              ``2019-04``     month
``since 2014``              ``2014``        year
==========================  ==============  =========

A bare year counts only after a word that makes it a time ("since", "in", "from", "until", "by", "before",
"after", "during", "of", "early", "late", "mid"), so that "2000 patients" is not a date. Numeric dates such
as ``12/04/2019`` are not read: day-month and month-day order cannot be told apart. A date that names no real
day ("31st February 2019") is reported with ``value`` None and the reason, never silently corrected.

Durations become ISO 8601 durations: ``4 months`` -> ``P4M``, ``four years`` -> ``P4Y``, ``12 months apart``
-> ``P12M``, ``five consecutive days`` -> ``P5D``, ``two weeks`` -> ``P2W``, ``a four-hour period`` ->
``PT4H``. Numbers are digits or English words up to ninety-nine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from guidancekg.graph.dates import PartialDate

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"

# Most specific first: a later pattern never matches inside an earlier match.
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("day", re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})\b")),
    ("day", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("day", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("month", re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("year", re.compile(r"\b(?P<lead>since|in|from|until|till|by|before|after|during|of|early|late|mid)"
                        r"[\s-]+(?P<year>(?:19|20|21)\d{2})\b(?![-/]\d|\s*%)", re.IGNORECASE)),
]

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUMBER = (rf"(?P<number>\d+|(?:{_TENS})[-\s](?:{_UNITS})|"
           + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")")
_QUALIFIERS = r"(?:(?:consecutive|successive|further|more|additional|full|whole|calendar|separate)\s+)?"
_DURATION = re.compile(
    rf"\b{_NUMBER}(?:\s+|-){_QUALIFIERS}(?P<unit>year|month|week|day|hour|minute)s?\b(?P<apart>\s+apart)?",
    re.IGNORECASE)
_DATE_UNITS = {"year": "Y", "month": "M", "week": "W", "day": "D"}
_TIME_UNITS = {"hour": "H", "minute": "M"}


@dataclass(frozen=True)
class FoundDate:
    """A date in a text: where (code points), what it said, and its value (None when it is no real date)."""

    start: int
    end: int
    text: str
    value: PartialDate | None
    problem: str | None = None

    @property
    def precision(self) -> str | None:
        return self.value.precision if self.value else None

    def describe(self) -> str:
        if self.value is None:
            return f"{self.text!r}: not a real date ({self.problem})"
        return f"{self.text!r} -> {self.value.isoformat()} ({self.value.precision})"


@dataclass(frozen=True)
class FoundDuration:
    """A duration in a text and its ISO 8601 form."""

    start: int
    end: int
    text: str
    iso: str

    def describe(self) -> str:
        return f"{self.text!r} -> {self.iso}"


def find_dates(text: str) -> list[FoundDate]:
    """Return the dates in ``text`` in order of position (see the module docstring for what counts)."""
    taken: list[tuple[int, int]] = []
    found: list[FoundDate] = []
    for precision, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            start = m.start("year") if precision == "year" else m.start()
            if any(start < e and m.end() > s for s, e in taken):
                continue
            taken.append((start, m.end()))
            found.append(_date_of(precision, m, start, text))
    return sorted(found, key=lambda d: d.start)


def _date_of(precision: str, m: re.Match[str], start: int, text: str) -> FoundDate:
    year = int(m["year"])
    month = (int(m["mon"]) if "mon" in m.groupdict() and m["mon"] else
             MONTHS[m["month"].lower()] if "month" in m.groupdict() and m["month"] else 1)
    day = int(m["day"]) if "day" in m.groupdict() and m["day"] else 1
    span = text[start:m.end()]
    try:
        value = PartialDate(date(year, month, day), precision)  # type: ignore[arg-type]
    except ValueError as exc:
        return FoundDate(start, m.end(), span, None, str(exc))
    return FoundDate(start, m.end(), span, value)


def find_durations(text: str) -> list[FoundDuration]:
    """Return the durations in ``text`` in order of position, each as an ISO 8601 duration."""
    out = []
    for m in _DURATION.finditer(text):
        n = parse_number(m["number"])
        if n is None:
            continue
        unit = m["unit"].lower()
        iso = f"P{n}{_DATE_UNITS[unit]}" if unit in _DATE_UNITS else f"PT{n}{_TIME_UNITS[unit]}"
        out.append(FoundDuration(m.start(), m.end(), m.group(), iso))
    return out


def parse_number(word: str) -> int | None:
    """Return the value of ``12``, ``twelve`` or ``twenty-four``; None for anything else."""
    w = word.lower().strip()
    if w.isdigit():
        return int(w)
    if w in NUMBER_WORDS:
        return NUMBER_WORDS[w]
    parts = re.split(r"[-\s]+", w)
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]
    return None
