"""The answers of the engine as plain records: guidance on a date, changes, timelines.

Statements are the records of :mod:`guidancekg.graph.corpus.records`; the statements named in an answer (what
overrides what) are named by key. :mod:`guidancekg.graph.views.serialize` mints their IRIs for JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from guidancekg.graph.corpus.records import Assertion, Reference, Source, Statement, Version
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.engine.applying import AppliesIn
from guidancekg.graph.engine.rules import Status

Day = date  # a calendar day; an alias because Change has a field named "date"
# Why a statement started or stopped being effective; the last two only in a jurisdiction, where it started or
# stopped applying (a reach began or ended).
Reason = Literal["came-into-force", "ended", "overridden", "override-ended", "started-to-apply", "stopped-applying"]


@dataclass(frozen=True)
class Filters:
    """Optional filters of every question: drug key, jurisdiction code, topic key."""

    drug: str | None = None
    jurisdiction: str | None = None
    topic: str | None = None


NO_FILTERS = Filters()


@dataclass(frozen=True)
class RecordView:
    """A record of a statement together with its version, its source and the reference it quotes (if any)."""

    record: Assertion
    version: Version
    source: Source
    reference: Reference | None = None


@dataclass(frozen=True)
class Entry:
    """A statement as it appears in an answer, with the records visible at the answer's ``known``.

    The records come in authority order (the defining record first, then by record date); ``text`` is the
    wording of the first of them that gives one.
    """

    statement: Statement
    status: Status | None
    records: tuple[RecordView, ...]
    overridden_by: tuple[str, ...] = ()
    applies_in: AppliesIn | None = None  # in a question about a jurisdiction: where it was judged, and why

    @property
    def text(self) -> str | None:
        """Return the wording of the first record, in authority order, that gives one."""
        return next((v.record.wording for v in self.records if v.record.wording is not None), None)


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
    reason: Reason
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
