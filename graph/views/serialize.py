"""Turn engine answers into the JSON objects of the HTTP contract (``docs/api.md``; used by the API and the CLI).

The engine names things by key; here each key becomes the IRI ``iris`` mints for it, as the contract wants.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from guidancekg.graph.corpus.records import Reach
from guidancekg.graph.engine.answers import (
    AppliesIn,
    Change,
    Engine,
    Entry,
    Filters,
    Guidance,
    Period,
    RecordView,
    TimelineEntry,
)
from guidancekg.graph.engine.model import Model
from guidancekg.graph.rdf.iris import Minter
from guidancekg.ontology.vocab import JURISDICTION


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def record_json(view: RecordView, iris: Minter) -> dict[str, Any]:
    """Return one source record of a statement: source, version, publication date, quote or citation."""
    r, v, src = view.record, view.version, view.source
    quote = r.quote
    out: dict[str, Any] = {
        "source": str(iris.source(src.key)),
        "title": src.title,
        "publisher": src.publisher,
        "version": str(iris.version(v.source, v.key)),
        "published": v.published.isoformat(),
        "url": r.citation_url or v.url or src.url,
        "quote": quote.exact if quote else None,
        "start": quote.start if quote else None,
        "end": quote.end if quote else None,
        "confidence": r.wording_confidence,
        "wording": r.wording,
        "wording_confidence": r.wording_confidence,
        "date_confidence": r.date_confidence,
        "defines": r.defines,
    }
    if r.reference:  # a citation: the quote is the held reference's words about the version, not the version's
        out.update(quote=None, start=None, end=None, cited_as=r.document,
                   reported_by={"reference": str(iris.reference(r.reference)),
                                "title": view.reference.title if view.reference else None,
                                "quote": quote.exact if quote else None,
                                "start": quote.start if quote else None, "end": quote.end if quote else None})
    return out


def applies_in_json(a: AppliesIn | None, iris: Minter) -> dict[str, Any] | None:
    """Return why a statement applies in the question's jurisdiction (None when no jurisdiction was asked)."""
    if a is None:
        return None
    return {"jurisdiction": a.jurisdiction, "because": a.because, "via": a.via,
            "relation": str(iris.reach(a.relation)) if a.relation else None}


def statement_json(entry: Entry, iris: Minter) -> dict[str, Any]:
    """Return the contract's STATEMENT object, with a few additive fields (key, bases, notes)."""
    s = entry.statement
    out: dict[str, Any] = {
        "id": str(iris.statement(s.key)),
        "key": s.key,
        "drug": s.drug,
        "topic": s.topic,
        "jurisdiction": s.jurisdiction,
        "text": entry.text,
        "valid_from": s.valid_from.isoformat(),
        "valid_until": s.valid_until.isoformat() if s.valid_until else None,
        "precision": s.valid_from.precision,
        "valid_until_precision": s.valid_until.precision if s.valid_until else None,
        "valid_from_basis": s.valid_from_basis,
        "status": entry.status,
        "temporary": s.temporary,
        "overrides": [str(iris.statement(o.target)) for o in s.overrides],
        "override_kinds": {str(iris.statement(o.target)): o.kind for o in s.overrides},
        "note": s.note,
        "sources": [record_json(v, iris) for v in entry.records],
        "applies_in": applies_in_json(entry.applies_in, iris),
    }
    if entry.overridden_by:
        out["overridden_by"] = [str(iris.statement(k)) for k in entry.overridden_by]
    return out


def statement_written(entry: Entry, iris: Minter) -> orjson.Fragment:
    """Return :func:`statement_json` of ``entry`` written as JSON, to be placed in a body as it is.

    It is written once per entry and kept on it, with the minter that named its IRIs: the engine keeps the entries
    of recent answers, so a page of a thousand statements asked again, or another day's first page sharing most of
    them, is not made and written again (those were two thirds of a page's time). Bytes, not the object: a kept
    entry costs its JSON's size (about 2 KB), a tenth of the objects it is made of.
    """
    memo = entry.__dict__.get(_WRITTEN)
    if memo is not None and memo[0] is iris:
        found: orjson.Fragment = memo[1]
        return found
    written = orjson.Fragment(orjson.dumps(statement_json(entry, iris)))
    entry.__dict__[_WRITTEN] = (iris, written)  # as functools.cached_property keeps a value on a frozen dataclass
    return written


_WRITTEN = "_written"  # where an entry keeps its JSON


def _filters(f: Filters) -> dict[str, str | None]:
    return {"drug": f.drug, "jurisdiction": f.jurisdiction, "topic": f.topic}


def guidance_json(g: Guidance, iris: Minter, *, written: bool = False) -> dict[str, Any]:
    """Return the body of ``GET /api/guidance``; ``written``: each statement as its JSON already written
    (:func:`statement_written`, for a body that orjson writes), else as the object."""
    statement = statement_written if written else statement_json
    return {
        "on": g.on.isoformat(),
        "known": _day(g.known),
        **_filters(g.filters),
        "statements": [statement(e, iris) for e in g.effective],
        "overridden": [statement(e, iris) for e in g.overridden],
    }


def change_json(c: Change, iris: Minter) -> dict[str, Any]:
    # No "day": a change dated to a month or a year has none. ``period_start``, the first day of the date's period,
    # is there to sort by, and says what it is.
    return {"date": c.date.isoformat(), "precision": c.date.precision, "period_start": c.date.lo.isoformat(),
            "change": c.change, "reason": c.reason,
            "by": str(iris.statement(c.by)) if c.by else None, "statement": statement_json(c.entry, iris)}


def changes_json(changes: list[Change], start: date, end: date, known: date | None,
                 filters: Filters, iris: Minter) -> dict[str, Any]:
    """Return the body of ``GET /api/changes``."""
    return {"from": start.isoformat(), "to": end.isoformat(), "known": _day(known), **_filters(filters),
            "changes": [change_json(c, iris) for c in changes]}


def _period(p: Period, iris: Minter) -> list[str | None]:
    out = [p.start.isoformat(), p.end.isoformat() if p.end else None]
    if p.by is not None:
        out.append(str(iris.statement(p.by)))
    return out


def timeline_json(entries: list[TimelineEntry], known: date | None, filters: Filters,
                  iris: Minter) -> dict[str, Any]:
    """Return the body of ``GET /api/timeline``."""
    return {
        "known": _day(known),
        **_filters(filters),
        "statements": [
            {**statement_json(t.entry, iris), "effective": [_period(p, iris) for p in t.effective],
             "overridden": [_period(p, iris) for p in t.overridden]}
            for t in entries
        ],
    }


def reach_json(r: Reach, iris: Minter) -> dict[str, Any]:
    """Return one reach: whose statements apply where, over which days, on what evidence."""
    quote = r.quote
    return {
        "id": str(iris.reach(r.key)), "key": r.key, "of": r.of, "into": r.into,
        "valid_from": r.valid_from.isoformat() if r.valid_from else None,
        "valid_until": r.valid_until.isoformat() if r.valid_until else None,
        "carries": r.carries.isoformat() if r.carries else None, "text": r.wording,
        "wording_confidence": r.wording_confidence, "date_confidence": r.date_confidence,
        "url": r.citation_url, "cited_as": r.document,
        "reported_by": {"reference": str(iris.reference(r.reference)), "quote": quote.exact, "start": quote.start,
                        "end": quote.end} if quote is not None and r.reference else None,
        "note": r.note,
    }


def jurisdictions_json(model: Model, iris: Minter) -> dict[str, Any]:
    """Return the body of ``GET /api/jurisdictions``: the scheme (codes, names, nesting) and the reach records."""
    return {
        "jurisdictions": [{"code": j.code, "name": j.name, "within": j.within, "iso3166": j.iso3166,
                           "aliases": list(j.aliases), "id": str(JURISDICTION[j.code])}
                          for j in model.jurisdictions.values()],
        "reach": [reach_json(r, iris) for r in model.reach],
    }


def sources_json(engine: Engine, iris: Minter) -> dict[str, Any]:
    """Return the body of ``GET /api/sources``."""
    return {"sources": [
        {"id": str(iris.source(src.key)), "key": src.key, "title": src.title, "publisher": src.publisher,
         "kind": src.kind, "jurisdiction": src.jurisdiction, "url": src.url,
         "versions": [{"id": str(iris.version(v.source, v.key)), "key": v.key, "published": v.published.isoformat(),
                       "precision": v.published.precision, "sha256": v.sha256,
                       "revises": str(iris.version(v.source, v.revises)) if v.revises else None,
                       "url": v.url} for v in versions]}
        for src, versions in engine.sources()
    ]}
