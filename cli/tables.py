"""Render engine answers as plain-text tables for people at a terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from guidancekg.graph.engine.answers import Change, Entry, Guidance, TimelineEntry


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], wrap: int = 60) -> str:
    """Return a fixed-width table; the last column wraps at ``wrap`` characters."""
    if not rows:
        return "  (none)"
    cells = [list(r[:-1]) for r in rows]
    last = [textwrap.wrap(r[-1], wrap) or [""] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers[:-1])]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(headers[:-1], widths, strict=True)) + "  " + headers[-1]]
    for row, (first, *more) in zip(cells, last, strict=True):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + "  " + first)
        pad = "  " + "  ".join(" " * w for w in widths) + "  "
        lines.extend(pad + m for m in more)
    return "\n".join(lines)


def _sources(e: Entry) -> str:
    return ", ".join(f"{v.source.key} {v.version.published}" for v in e.records)


def guidance_table(g: Guidance) -> str:
    """Return the effective and the overridden statements of a guidance answer."""
    known = g.known.isoformat() if g.known else "everything recorded"
    head = f"Guidance on {g.on} as known at {known}"
    rows = [[e.statement.topic, e.statement.jurisdiction, str(e.statement.valid_from), e.status or "",
             e.statement.key, f"{e.statement.wording} [{_sources(e)}]"] for e in g.effective]
    over = [[e.statement.topic, e.statement.jurisdiction, str(e.statement.valid_from),
             ", ".join(e.overridden_by), e.statement.key,
             f"{e.statement.wording} [{_sources(e)}]"] for e in g.overridden]
    return "\n".join([
        head, "", f"Effective ({len(rows)}):",
        table(["topic", "jur", "from", "status", "statement", "text [sources]"], rows),
        "", f"Overridden ({len(over)}):",
        table(["topic", "jur", "from", "overridden by", "statement", "text [sources]"], over),
    ])


def changes_table(changes: list[Change]) -> str:
    """Return one row per change, in date order."""
    rows = [[str(c.date), c.change, c.reason, c.by or "", c.entry.statement.key, c.entry.statement.wording]
            for c in changes]
    return table(["date", "change", "reason", "by", "statement", "text"], rows)


def timeline_table(entries: list[TimelineEntry]) -> str:
    """Return each statement with its effective and overridden periods."""
    def span(start: object, end: object) -> str:
        return f"[{start}, {end or '...'})"

    rows = []
    for t in entries:
        eff = "; ".join(span(p.start, p.end) for p in t.effective) or "-"
        over = "; ".join(f"{span(p.start, p.end)} by {p.by}" for p in t.overridden) or "-"
        rows.append([t.entry.statement.key, t.entry.statement.jurisdiction, eff, over])
    return table(["statement", "jur", "effective", "overridden"], rows, wrap=50)
