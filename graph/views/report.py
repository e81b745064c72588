"""Write the audit report of a drug's whole history: Markdown and one self-contained HTML page.

The report holds the timeline per jurisdiction, every override with its sources and quotes, the reporting lags
and the data-quality notes (curators' notes on statements, records, versions and sources).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.engine.answers import Engine, Filters, Period, TimelineEntry
from guidancekg.graph.views.audit import Audit, audit


@dataclass(frozen=True)
class Section:
    """A titled table: the one structure both renderings share."""

    title: str
    intro: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _periods(periods: tuple[Period, ...], with_by: bool = False) -> str:
    def one(p: Period) -> str:
        span = f"[{p.start}, {p.end or '…'})"
        return f"{span} by {p.by}" if with_by and p.by else span

    return "; ".join(one(p) for p in periods) or "–"


def _applies(t: TimelineEntry) -> str:
    a = t.entry.applies_in
    if a is None or a.because == "own":
        return f"{a.jurisdiction if a else t.entry.statement.jurisdiction}: own"
    if a.because == "inside":
        return f"{a.jurisdiction}: inside {a.via}"
    return f"{a.jurisdiction}: reach of {a.via} ({a.relation})"


def _sources_of(engine: Engine, s: Statement) -> str:
    parts = []
    m = engine.model
    for r in m.records.get(s.key, ()):
        v = m.versions[r.version_id]
        src = m.sources[v.source]
        q = r.quote
        if r.reference and q:
            title = m.references[r.reference].title if r.reference in m.references else r.reference
            evidence = f"cited: {r.document}, as reported by {title}: “{q.exact}” [{q.start}:{q.end}]"
        else:
            evidence = f"“{q.exact}” [{q.start}:{q.end}]" if q else f"cited: {r.citation_url}"
        parts.append(f"{src.publisher}, {v.published} (wording {r.wording_confidence}, date {r.date_confidence}): "
                     f"{evidence}")
    return " | ".join(parts)


def sections(engine: Engine, drug: str) -> list[Section]:
    """Return the report's sections for ``drug``."""
    m = engine.model
    engine.check_filters(Filters(drug=drug))
    out = []
    # Each jurisdiction a statement of the drug names, judged as a question about it: what applies there, why.
    for jurisdiction in sorted({s.jurisdiction for s in m.statements.values() if s.drug == drug}):
        timeline: list[TimelineEntry] = engine.timeline(filters=Filters(drug=drug, jurisdiction=jurisdiction))
        rows = tuple((t.entry.statement.topic, t.entry.statement.key, _applies(t), _periods(t.effective),
                      _periods(t.overridden, with_by=True)) for t in timeline)
        out.append(Section(f"Timeline: {jurisdiction}", "Effective and overridden periods, [from, until), of every "
                           "statement that applies there, and why it applies (its own jurisdiction, one containing "
                           "it, or a dated reach).",
                           ("topic", "statement", "applies", "effective", "overridden"), rows))
    overrides = []
    for s in sorted((s for s in m.statements.values() if s.drug == drug), key=lambda s: s.valid_from.lo):
        for o in s.overrides:
            t = m.statements[o.target]
            overrides.append((s.key, o.kind, t.key, f"[{s.valid_from}, {s.valid_until or '…'})",
                              _sources_of(engine, s), _sources_of(engine, t)))
    out.append(Section("Overrides", "Each override with the overriding statement's interval, and the sources and "
                       "quotes of both statements.",
                       ("overriding", "kind", "overridden", "interval", "overriding: sources", "overridden: sources"),
                       tuple(overrides)))
    first = min((v.published.lo for v in m.versions.values()), default=date(1900, 1, 1))
    whole: Audit = audit(engine, first, date.max, Filters(drug=drug))
    out.append(Section("Reporting lags", "Days from a statement coming into force to each source's first record of "
                       "it (approx. where a date is known only to the month or year).",
                       ("statement", "in force from", "source", "first recorded", "lag (days)"),
                       tuple((lag.statement.key, str(lag.statement.valid_from), lag.source,
                              str(lag.first_version.published),
                              f"{lag}{' (a range: imprecise dates)' if lag.approximate else ''}")
                             for lag in whole.lags)))
    notes = [("statement", s.key, s.note) for s in m.statements.values() if s.drug == drug and s.note]
    notes += [("record", f"{r.statement} in {r.source}", r.note) for rs in m.records.values() for r in rs if r.note]
    out.append(Section("Data-quality notes", "Curators' notes: gaps in source texts, precision, identity decisions.",
                       ("about", "what", "note"), tuple(sorted((a, b, c or "") for a, b, c in notes))))
    return out


def report_markdown(engine: Engine, drug: str) -> str:
    """Return the report as Markdown."""
    lines = [f"# Audit report: {drug}", ""]
    for sec in sections(engine, drug):
        lines += [f"## {sec.title}", "", sec.intro, "", "| " + " | ".join(sec.headers) + " |",
                  "|" + "---|" * len(sec.headers)]
        lines += ["| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |"
                  for row in sec.rows] or ["| " + " | ".join("–" for _ in sec.headers) + " |"]
        lines.append("")
    return "\n".join(lines)


_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:90rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin-bottom:2rem;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef}caption{text-align:left;font-style:italic;margin:.3rem 0}"""


def report_html(engine: Engine, drug: str) -> str:
    """Return the report as one self-contained HTML page (no external resources)."""
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Audit report: {html.escape(drug)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>Audit report: {html.escape(drug)}</h1>"]
    for sec in sections(engine, drug):
        parts.append(f"<h2>{html.escape(sec.title)}</h2><table><caption>{html.escape(sec.intro)}</caption>")
        parts.append("<tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in sec.headers) + "</tr>")
        for row in sec.rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
