"""Turn engine answers into the JSON objects of ``shared/spec/http-api.md`` (used by the API and the CLI)."""

from __future__ import annotations

from datetime import date
from typing import Any

from guidancekg.graph.engine.answers import Change, Engine, Entry, Filters, Guidance, Period, RecordView, TimelineEntry


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def record_json(view: RecordView) -> dict[str, Any]:
    """Return one source record of a statement: source, version, publication date, quote or citation."""
    r, v, src = view.record, view.version, view.source
    out: dict[str, Any] = {
        "source": src.iri,
        "title": src.title,
        "publisher": src.publisher,
        "version": v.iri,
        "published": v.published.isoformat(),
        "url": r.citation or v.url or src.url,
        "quote": r.quote,
        "start": r.start,
        "end": r.end,
        "confidence": r.confidence,
    }
    if r.reference:  # a citation: the quote is the held reference's words about the version, not the version's
        out.update(quote=None, start=None, end=None, cited_as=r.document,
                   reported_by={"reference": r.reference, "title": r.reference_title, "quote": r.quote,
                                "start": r.start, "end": r.end})
    return out


def statement_json(entry: Entry) -> dict[str, Any]:
    """Return the contract's STATEMENT object, with a few additive fields (key, bases, notes)."""
    s = entry.statement
    out: dict[str, Any] = {
        "id": s.iri,
        "key": s.key,
        "drug": s.drug,
        "topic": s.topic,
        "jurisdiction": s.jurisdiction,
        "text": s.wording,
        "valid_from": s.valid_from.isoformat(),
        "valid_until": s.valid_until.isoformat() if s.valid_until else None,
        "precision": s.valid_from.precision,
        "valid_until_precision": s.valid_until.precision if s.valid_until else None,
        "valid_from_basis": s.valid_from_basis,
        "status": entry.status,
        "temporary": s.temporary,
        "overrides": [target for target, _ in s.overrides],
        "override_kinds": {target: kind for target, kind in s.overrides},
        "note": s.note,
        "sources": [record_json(v) for v in entry.records],
    }
    if entry.overridden_by:
        out["overridden_by"] = list(entry.overridden_by)
    return out


def _filters(f: Filters) -> dict[str, str | None]:
    return {"drug": f.drug, "jurisdiction": f.jurisdiction, "topic": f.topic}


def guidance_json(g: Guidance) -> dict[str, Any]:
    """Return the body of ``GET /api/guidance``."""
    return {
        "on": g.on.isoformat(),
        "known": _day(g.known),
        **_filters(g.filters),
        "statements": [statement_json(e) for e in g.effective],
        "overridden": [statement_json(e) for e in g.overridden],
    }


def change_json(c: Change) -> dict[str, Any]:
    return {"date": c.date.isoformat(), "precision": c.date.precision, "day": c.day.isoformat(),
            "change": c.change, "reason": c.reason,
            "by": c.by, "statement": statement_json(c.entry)}


def changes_json(changes: list[Change], start: date, end: date, known: date | None,
                 filters: Filters) -> dict[str, Any]:
    """Return the body of ``GET /api/changes``."""
    return {"from": start.isoformat(), "to": end.isoformat(), "known": _day(known), **_filters(filters),
            "changes": [change_json(c) for c in changes]}


def _period(p: Period) -> list[str | None]:
    out = [p.start.isoformat(), p.end.isoformat() if p.end else None]
    if p.by is not None:
        out.append(p.by)
    return out


def timeline_json(entries: list[TimelineEntry], known: date | None, filters: Filters) -> dict[str, Any]:
    """Return the body of ``GET /api/timeline``."""
    return {
        "known": _day(known),
        **_filters(filters),
        "statements": [
            {**statement_json(t.entry), "effective": [_period(p) for p in t.effective],
             "overridden": [_period(p) for p in t.overridden]}
            for t in entries
        ],
    }


def sources_json(engine: Engine) -> dict[str, Any]:
    """Return the body of ``GET /api/sources``."""
    return {"sources": [
        {"id": src.iri, "key": src.key, "title": src.title, "publisher": src.publisher, "kind": src.kind,
         "jurisdiction": src.jurisdiction, "url": src.url,
         "versions": [{"id": v.iri, "key": v.key, "published": v.published.isoformat(),
                       "precision": v.published.precision, "sha256": v.sha256, "revises": v.revises,
                       "url": v.url} for v in versions]}
        for src, versions in engine.sources()
    ]}
