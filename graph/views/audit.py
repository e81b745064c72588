"""The record-time audit: what was published between two dates, what it changed, and how late each source was.

Question 4 of ``docs/semantics.md``: for K1 <= K2, the versions published in between, the statements each
added or withdrew (against the same source's previous version), and for each statement they concern the lag
between its ``valid_from`` and each source's first record of it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from guidancekg.graph.corpus.records import Statement, Version
from guidancekg.graph.dates import PartialDate, in_force_start, recorded_from
from guidancekg.graph.engine.answers import NO_FILTERS, Engine, Filters
from guidancekg.graph.errors import InputError
from guidancekg.graph.rdf.iris import Minter


@dataclass(frozen=True)
class VersionChange:
    """One version published in the window, with what it added and withdrew against its predecessor."""

    version: Version
    previous: Version | None
    added: tuple[Statement, ...]
    withdrawn: tuple[Statement, ...]
    possibly: bool = False  # dated to a month or year that only overlaps the window: possibly published in it

    @property
    def published_in_window(self) -> str:
        """Return ``certainly`` or ``possibly``: whether the whole period of its record date lies in the window."""
        return "possibly" if self.possibly else "certainly"


@dataclass(frozen=True)
class Lag:
    """How long after a statement came into force a source first recorded it (negative: before).

    With a date known only to the month or the year, the lag is the range ``[least, most]`` that the two periods
    allow; ``days`` is the lag only when both dates are days (``least == most``), else None.
    """

    statement: Statement
    source: str
    first_version: Version
    least: int
    most: int

    @property
    def approximate(self) -> bool:
        """Return whether a date involved is known only to the month or year (the lag is a range)."""
        return self.least != self.most

    @property
    def days(self) -> int | None:
        return self.least if self.least == self.most else None

    def __str__(self) -> str:
        return str(self.least) if self.least == self.most else f"{self.least} to {self.most}"


@dataclass(frozen=True)
class Audit:
    start: date
    end: date
    filters: Filters
    versions: tuple[VersionChange, ...]
    lags: tuple[Lag, ...]
    texts: dict[str, str | None]  # each statement named, with its words (all records counted, authority first)


def _overlaps(p: PartialDate, start: date, end: date) -> bool:
    return p.lo <= end and p.hi > start


def _inside(p: PartialDate, start: date, end: date) -> bool:
    return start <= p.lo and p.last <= end


def audit(engine: Engine, start: date, end: date, filters: Filters = NO_FILTERS) -> Audit:
    """Return the record-time audit of the versions published from ``start`` to ``end`` (inclusive)."""
    filters = engine.check_filters(Filters(filters.drug, filters.jurisdiction, None))
    if end < start:
        raise InputError("to", f"{end} is before from ({start})")
    m = engine.model
    keep = [s for s in m.statements.values() if engine.matches(s, filters)]
    wanted = {s.key for s in keep}
    changes: list[VersionChange] = []
    concerned: set[str] = set()
    for _source, versions in engine.sources():
        for n, v in enumerate(versions):
            if not _overlaps(v.published, start, end):
                continue
            previous = versions[n - 1] if n else None
            now = m.asserted_by.get(v.id, frozenset()) & wanted
            before = (m.asserted_by.get(previous.id, frozenset()) if previous else frozenset()) & wanted
            added = tuple(sorted((m.statements[i] for i in now - before), key=lambda s: s.key))
            withdrawn = tuple(sorted((m.statements[i] for i in before - now), key=lambda s: s.key))
            if added or withdrawn or (not filters.jurisdiction and not filters.drug):
                changes.append(VersionChange(v, previous, added, withdrawn, not _inside(v.published, start, end)))
            concerned |= {s.key for s in added}
    concerned |= {s.key for s in keep if start <= in_force_start(s.valid_from) <= end}
    # A statement dated by its own publication has a lag of zero by construction: it tells an auditor nothing.
    concerned = {i for i in concerned if m.statements[i].valid_from_basis != "publication-date"}
    lags = tuple(_lags(engine, sorted(concerned)))
    named = {s.key for c in changes for s in (*c.added, *c.withdrawn)} | {lag.statement.key for lag in lags}
    return Audit(start, end, filters, tuple(changes), lags, {k: m.text_of(k) for k in sorted(named)})


def _lags(engine: Engine, statements: list[str]) -> list[Lag]:
    m = engine.model
    out = []
    for key in statements:
        s = m.statements[key]
        first: dict[str, Version] = {}  # a source's first record: its earliest version, the least key on a tie
        for r in m.records.get(key, ()):
            v = m.versions[r.version_id]
            if v.source not in first or ((recorded_from(v.published), v.key)
                                         < (recorded_from(first[v.source].published), first[v.source].key)):
                first[v.source] = v
        for source, v in sorted(first.items(), key=lambda kv: (recorded_from(kv[1].published), kv[0])):
            # Each date is any day of its period: the lag ranges from the earliest record against the latest start
            # to the latest record against the earliest start.
            out.append(Lag(s, source, v, (v.published.lo - s.valid_from.last).days,
                           (v.published.last - s.valid_from.lo).days))
    return out


#: The formats of an audit by name (`guidancekg audit --format`, `?format=`) and media type (`Accept`); the first is
#: the API's default.
AUDIT_FORMATS = {"json": "application/json", "csv": "text/csv", "markdown": "text/markdown"}


def audit_json(a: Audit, iris: Minter) -> dict[str, Any]:
    """Return the audit as the body of ``GET /api/audit``."""
    def brief(s: Statement) -> dict[str, Any]:
        return {"id": str(iris.statement(s.key)), "key": s.key, "topic": s.topic, "jurisdiction": s.jurisdiction,
                "text": a.texts.get(s.key), "valid_from": s.valid_from.isoformat()}

    return {
        "from": a.start.isoformat(), "to": a.end.isoformat(),
        "drug": a.filters.drug, "jurisdiction": a.filters.jurisdiction,
        "versions": [{
            "version": str(iris.version(c.version.source, c.version.key)),
            "source": str(iris.source(c.version.source)), "published": c.version.published.isoformat(),
            "precision": c.version.published.precision, "published_in_window": c.published_in_window,
            "revises": str(iris.version(c.previous.source, c.previous.key)) if c.previous else None,
            "added": [brief(s) for s in c.added], "withdrawn": [brief(s) for s in c.withdrawn],
        } for c in a.versions],
        "lags": [{
            "statement": str(iris.statement(lag.statement.key)), "key": lag.statement.key,
            "valid_from": lag.statement.valid_from.isoformat(), "source": lag.source,
            "first_version": str(iris.version(lag.source, lag.first_version.key)),
            "first_recorded": lag.first_version.published.isoformat(),
            "lag_days": lag.days, "lag_days_least": lag.least, "lag_days_most": lag.most,
            "approximate": lag.approximate,
        } for lag in a.lags],
    }


def audit_csv(a: Audit, iris: Minter) -> str:
    """Return the audit as CSV: one row per added or withdrawn statement, then one row per lag."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "source", "version", "published", "change", "statement", "valid_from", "lag_days",
                "approximate", "published_in_window"])
    for c in a.versions:
        for kind, items in (("added", c.added), ("withdrawn", c.withdrawn)):
            for s in items:
                w.writerow(["version", iris.source(c.version.source), iris.version(c.version.source, c.version.key),
                            c.version.published, kind, s.key,
                            s.valid_from, "", "", c.published_in_window])
    for lag in a.lags:
        w.writerow(["lag", lag.source, iris.version(lag.source, lag.first_version.key), lag.first_version.published,
                    "first-record",
                    lag.statement.key, lag.statement.valid_from, str(lag), str(lag.approximate).lower(), ""])
    return out.getvalue()


def audit_markdown(a: Audit) -> str:
    """Return the audit as Markdown for people."""
    lines = [f"# Record-time audit, {a.start} to {a.end}", ""]
    if a.filters.drug or a.filters.jurisdiction:
        lines += [f"Drug: {a.filters.drug or 'all'}; jurisdiction: {a.filters.jurisdiction or 'all'}.", ""]
    lines += ["## Versions published", ""]
    if not a.versions:
        lines.append("None.")
    for c in a.versions:
        published = f"possibly published in this window: dated {c.version.published} only" if c.possibly else (
            f"published {c.version.published}")
        lines.append(f"- **{c.version.source}**, version {c.version.key} ({published}"
                     + (f", revises {c.previous.key}" if c.previous else "") + ")")
        lines += [f"  - added `{s.key}` (in force from {s.valid_from})" for s in c.added]
        lines += [f"  - withdrew `{s.key}`" for s in c.withdrawn]
    lines += ["", "## Reporting lags", "", "| statement | in force from | source | first recorded | lag (days) |",
              "|---|---|---|---|---|"]
    for lag in a.lags:
        days = f"{lag}" + (" (the dates allow this range)" if lag.approximate else "")
        lines.append(f"| `{lag.statement.key}` | {lag.statement.valid_from} | {lag.source} | "
                     f"{lag.first_version.published} | {days} |")
    return "\n".join(lines) + "\n"
