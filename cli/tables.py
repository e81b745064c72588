"""Render engine answers as plain-text tables that fit the terminal.

A table takes the terminal's width (``COLUMNS`` first, as :func:`shutil.get_terminal_size` reads it). Text wraps
only at spaces, never inside a word: an identifier (a statement key, a source key such as
``ema-lemtrada-press-release-2019-04-12``, a date) is never split, at a hyphen or anywhere else. When the columns
cannot all stand side by side, the last ones move under their row, indented.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Sequence

from guidancekg.graph.engine.answers import Change, Entry, Guidance, TimelineEntry

INDENT = "  "  # before every table line
GAP = "  "  # between columns
UNDER = "    "  # before a column moved under its row
FALLBACK_WIDTH = 100  # when neither COLUMNS nor a terminal says


def terminal_width() -> int:
    """Return the width to fit: ``COLUMNS``, else the terminal's, else :data:`FALLBACK_WIDTH`."""
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


PERIOD = re.compile(r"\[[^\[\]()]*\)")  # "[2019-04-12, 2020-01-16)": a period reads as one word


def _words(text: str) -> str:
    """Return ``text`` with the spaces inside each period made unbreakable (NUL, put back after wrapping)."""
    return PERIOD.sub(lambda m: m[0].replace(" ", "\0"), text)


def wrap(text: str, width: int) -> list[str]:
    """Wrap ``text`` at spaces into lines of at most ``width`` characters; a longer word stays whole."""
    lines = textwrap.wrap(_words(text), max(width, 1), break_long_words=False, break_on_hyphens=False)
    return [line.replace("\0", " ") for line in lines] or [""]


def _longest_word(text: str) -> int:
    return max((len(w) for w in _words(text).split()), default=0)


def _fit(natural: list[int], least: list[int], room: int) -> list[int] | None:
    """Return column widths within ``room`` (each at least its longest word), or None when they cannot fit.

    Columns get their natural width when all fit; otherwise every column starts from its longest word and the
    room left goes, a character at a time, to the column that is furthest below its natural width.
    """
    if sum(natural) <= room:
        return natural
    if sum(least) > room:
        return None
    widths = list(least)
    spare = room - sum(widths)
    while spare > 0:
        wants = [natural[i] - widths[i] for i in range(len(widths))]
        i = max(range(len(widths)), key=lambda k: wants[k])
        if wants[i] <= 0:
            break
        widths[i] += 1
        spare -= 1
    return widths


def _side_by_side(rows: Sequence[Sequence[str]], widths: list[int]) -> list[list[str]]:
    """Return each row's lines with its cells side by side, each wrapped to its column's width."""
    out = []
    for row in rows:
        cells = [wrap(c, w) for c, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in cells)
        lines = []
        for n in range(height):
            parts = [(c[n] if n < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)]
            lines.append((INDENT + GAP.join(parts)).rstrip())
        out.append(lines)
    return out


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Return ``rows`` under ``headers`` in at most ``width`` columns (default: :func:`terminal_width`).

    As many leading columns as fit stand side by side (each wrapped at spaces); the others go under each row,
    indented and labelled with their header (but for a ``text`` column, which is the row's wording; a ``-``,
    nothing, is left out). Only a single word longer than the whole width can make a line longer than
    ``width``.
    """
    if not rows:
        return INDENT + "(none)"
    width = width or terminal_width()
    n = len(headers)
    natural = [max(len(headers[i]), *(len(r[i]) for r in rows)) for i in range(n)]
    least = [max(len(headers[i]), *(_longest_word(r[i]) for r in rows)) for i in range(n)]
    keep, widths = 1, least[:1]
    for k in range(n, 0, -1):
        fitted = _fit(natural[:k], least[:k], width - len(INDENT) - len(GAP) * (k - 1))
        if fitted is not None:
            keep, widths = k, fitted
            break
    lines = [(INDENT + GAP.join(h.ljust(w) for h, w in zip(headers[:keep], widths, strict=True))).rstrip()]
    for row, row_lines in zip(rows, _side_by_side([r[:keep] for r in rows], widths), strict=True):
        lines.extend(row_lines)
        for i in range(keep, n):
            if row[i] and row[i] != "-":
                label = "" if headers[i].startswith("text") else f"{headers[i]}: "
                lines.extend(UNDER + line for line in wrap(label + row[i], width - len(UNDER)))
    return "\n".join(lines)


def _sources(e: Entry) -> str:
    """Return each shown record: source, record date, and its two confidences (wording, date)."""
    return ", ".join(f"{v.source.key} {v.version.published} (wording {v.record.wording_confidence}, "
                     f"date {v.record.date_confidence})" for v in e.records)


def _where(e: Entry) -> str:
    """Return the statement's jurisdiction, or where it applies in the asked one and why (``UK via EU``: a reach)."""
    a = e.applies_in
    if a is None or a.because == "own":
        return a.jurisdiction if a is not None else e.statement.jurisdiction
    if a.because == "inside":
        return f"{a.jurisdiction} ({a.via}'s)"
    return f"{a.jurisdiction} via {a.via}"  # the reach record is in --format json


def guidance_table(g: Guidance, width: int | None = None) -> str:
    """Return the effective and the overridden statements of a guidance answer."""
    known = g.known.isoformat() if g.known else "everything recorded"
    head = f"Guidance on {g.on} as known at {known}"
    rows = [[e.statement.key, e.statement.topic, _where(e), str(e.statement.valid_from),
             e.status or "", f"{e.text} [{_sources(e)}]"] for e in g.effective]
    over = [[e.statement.key, e.statement.topic, _where(e), str(e.statement.valid_from),
             ", ".join(e.overridden_by), f"{e.text} [{_sources(e)}]"]
            for e in g.overridden]
    return "\n".join([
        head, "", f"Effective ({len(rows)}):",
        table(["statement", "topic", "jur", "from", "status", "text [sources]"], rows, width),
        "", f"Overridden ({len(over)}):",
        table(["statement", "topic", "jur", "from", "overridden by", "text [sources]"], over, width),
    ])


def changes_table(changes: list[Change], width: int | None = None) -> str:
    """Return one row per change, in date order."""
    rows = [[str(c.date), c.change, c.reason, c.entry.statement.key, _where(c.entry), c.by or "", c.entry.text or ""]
            for c in changes]
    return table(["date", "change", "reason", "statement", "jur", "by", "text"], rows, width)


def timeline_table(entries: list[TimelineEntry], width: int | None = None) -> str:
    """Return each statement with its effective and overridden periods."""
    def span(start: object, end: object) -> str:
        return f"[{start}, {end or '...'})"

    rows = []
    for t in entries:
        eff = "; ".join(span(p.start, p.end) for p in t.effective) or "-"
        over = "; ".join(f"{span(p.start, p.end)} by {p.by}" for p in t.overridden) or "-"
        rows.append([t.entry.statement.key, _where(t.entry), eff, over])
    return table(["statement", "jur", "effective", "overridden"], rows, width)
