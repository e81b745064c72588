"""Turn the engine's answers into HL7 FHIR R5 resources: one ``Bundle`` (type ``collection``) per answer.

``docs/fhir.md`` is the field-by-field mapping, with what does not map and why. In short, per answer:

- a ``ClinicalUseDefinition`` per statement whose topic has a FHIR type (indication, contraindication,
  undesirable-effect, warning); a statement of any other topic is a ``Basic`` resource coded with its topic, so
  nothing is dropped;
- a ``RegulatedAuthorization`` per indication: its region, validity period, status and regulator;
- a ``Provenance`` per record (the source version, its record date, the quote or citation, the confidence);
- a ``DocumentReference`` per held text, with the text itself, its SHA-1 (``Attachment.hash``, as FHIR defines
  it) and the SHA-256 the graph records (an RFC 6920 ``ni`` URI as identifier);
- a ``MedicinalProductDefinition`` per drug and an ``Organization`` per publisher, which the others reference.

What FHIR has no element for (the override between statements, the answer's state, a date's precision where
FHIR would lose it, the quote's selectors, the confidence) is carried in extensions defined under
:data:`EXTENSION_BASE`. The resources are plain JSON-ready dicts; the tests validate every one with the
``fhir.resources`` R5 models.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.engine.answers import NO_FILTERS, Engine, Entry, Guidance, Period, RecordView
from guidancekg.graph.engine.model import Model
from guidancekg.graph.rdf.iris import Minter, normalise_base
from guidancekg.graph.stores.base import Store
from guidancekg.ontology.vocab import JURISDICTION_IRI, TOPIC_IRI, sparql_prefixes

FHIR_JSON = "application/fhir+json"
EXTENSION_BASE = "https://w3id.org/guidancekg/fhir/StructureDefinition/"
ANSWER_STATE_SYSTEM = "https://w3id.org/guidancekg/fhir/CodeSystem/answer-state"
URI_SYSTEM = "urn:ietf:rfc:3986"  # FHIR's system for an identifier that is itself a URI
PUBLICATION_STATUS = "http://hl7.org/fhir/publication-status"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
# The topics that are a ClinicalUseDefinition.type (a required binding): every other topic becomes Basic.
CLINICAL_USE_TYPES = frozenset({"indication", "contraindication", "undesirable-effect", "warning"})
_NAMESPACE = uuid.UUID("6f1c2a8e-3d4b-5c6d-8e9f-0a1b2c3d4e5f")  # fixed: the same IRI gives the same id


def resource_id(iri: str) -> str:
    """Return the FHIR id of the resource for ``iri``: a name-based UUID, stable from one answer to the next."""
    return str(uuid.uuid5(_NAMESPACE, iri))


def _ref(iri: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"urn:uuid:{resource_id(iri)}"}
    if display:
        out["display"] = display
    return out


def _uri_identifier(value: str) -> dict[str, str]:
    return {"system": URI_SYSTEM, "value": value}


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": EXTENSION_BASE + name, **value}


def _narrative(text: str) -> dict[str, str]:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escaped}</p></div>'}


def fhir_end(until: PartialDate) -> str:
    """Return a FHIR ``Period.end`` (inclusive) for an exclusive ``valid_until``.

    A day-precise end is the day before; an end known only to the month or year keeps that precision: the
    statement may be in force into that period (the engine calls it ``uncertain`` there).
    """
    return (until.lo - timedelta(days=1)).isoformat() if until.precision == "day" else until.isoformat()


def validity(s: Statement) -> dict[str, str]:
    """Return the statement's ``[valid_from, valid_until)`` as a FHIR ``Period``."""
    period = {"start": s.valid_from.isoformat()}
    if s.valid_until is not None:
        period["end"] = fhir_end(s.valid_until)
    return period


def _period(p: Period) -> dict[str, str]:
    out = {"start": p.start.isoformat()}
    if p.end is not None:
        out["end"] = fhir_end(p.end)
    return out


class _Builder:
    """Collect the resources of one Bundle, each once, in a stable order."""

    def __init__(self, model: Model, minter: Minter, texts: dict[str, str]) -> None:
        self.model = model
        self.minter = minter
        self.texts = texts
        self.entries: dict[str, dict[str, Any]] = {}

    def add(self, iri: str, resource: dict[str, Any]) -> None:
        if iri not in self.entries:
            self.entries[iri] = {"fullUrl": f"urn:uuid:{resource_id(iri)}",
                                 "resource": {"resourceType": resource.pop("resourceType"),
                                              "id": resource_id(iri), **resource}}

    def drug(self, key: str) -> str:
        d = self.model.drugs.get(key)
        iri = str(self.minter.drug(key))
        names = list(d.brand_names) if d and d.brand_names else [d.label if d else key]
        self.add(iri, {"resourceType": "MedicinalProductDefinition", "identifier": [_uri_identifier(iri)],
                       "name": [{"productName": n} for n in names],
                       **({"ingredient": [{"text": d.label}]} if d else {})})
        return iri

    def organisation(self, minter: Minter, name: str) -> str:
        iri = str(minter.agent(name))
        self.add(iri, {"resourceType": "Organization", "identifier": [_uri_identifier(iri)], "name": name})
        return iri

    def document(self, minter: Minter, view: RecordView) -> str | None:
        """Add the DocumentReference of the version's held text; return its IRI (None when no text is held)."""
        v, src = view.version, view.source
        v_iri = str(minter.version(v.source, v.key))
        text = self.texts.get(v_iri)
        if text is None or v.sha256 is None:
            return None
        data = text.encode("utf-8")
        author = self.organisation(minter, src.publisher)
        sha256 = base64.urlsafe_b64encode(bytes.fromhex(v.sha256)).decode("ascii").rstrip("=")
        set_id = dict(src.identifiers).get("fda-spl-set-id")  # the label's own id, the same across its versions
        resource: dict[str, Any] = {
            "resourceType": "DocumentReference",
            "identifier": [_uri_identifier(v_iri), _uri_identifier(f"ni:///sha-256;{sha256}"),
                           *([_uri_identifier(f"urn:uuid:{set_id}")] if set_id else [])],
            "status": "current", "docStatus": "final", "author": [_ref(author, src.publisher)],
            "description": src.title,
            "content": [{"attachment": {
                "contentType": "text/plain; charset=utf-8", "data": base64.b64encode(data).decode("ascii"),
                "size": str(len(data)), "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
                "title": src.title, "creation": v.published.isoformat()}}],
        }
        if v.revises:
            resource["relatesTo"] = [{"code": {"coding": [{"system": "http://hl7.org/fhir/document-relationship-type",
                                                           "code": "replaces"}]},
                                      "target": {"identifier": _uri_identifier(
                                          str(minter.version(v.source, v.revises)))}}]
        self.add(v_iri, resource)
        return v_iri

    def reference_document(self, iri: str, title: str | None) -> str | None:
        """Add the DocumentReference of a held reference text (what a citation quotes); None when not held."""
        text = self.texts.get(iri)
        if text is None:
            return None
        data = text.encode("utf-8")
        self.add(iri, {"resourceType": "DocumentReference", "identifier": [_uri_identifier(iri)],
                       "status": "current", "description": title or iri,
                       "content": [{"attachment": {
                           "contentType": "text/plain; charset=utf-8",
                           "data": base64.b64encode(data).decode("ascii"), "size": str(len(data)),
                           "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")}}]})
        return iri


def _state(entry: Entry, minter: Minter) -> dict[str, Any] | None:
    if entry.status is None:
        return None
    if entry.overridden_by:
        return {"coding": [{"system": ANSWER_STATE_SYSTEM, "code": "overridden", "display": "overridden"}],
                "text": "superseded: overridden by " + ", ".join(str(minter.statement(k)) for k in entry.overridden_by)}
    return {"coding": [{"system": PUBLICATION_STATUS, "code": "active", "display": "Active"},
                       {"system": ANSWER_STATE_SYSTEM, "code": "effective", "display": "effective"}],
            "text": "current: effective"}


def _statement_extensions(entry: Entry, overridden: Iterable[tuple[str, Period | None]],
                          minter: Minter) -> list[dict[str, Any]]:
    s = entry.statement
    out = [_ext("validity", valuePeriod=validity(s))]
    if entry.status is not None:
        out.append(_ext("in-force-status", valueCode=entry.status))
    out += [_ext("overrides", extension=[{"url": "statement", "valueReference": _ref(str(minter.statement(o.target)))},
                                        {"url": "kind", "valueCode": o.kind}]) for o in s.overrides]
    for by, period in overridden:
        parts: list[dict[str, Any]] = [{"url": "statement", "valueReference": _ref(str(minter.statement(by)))}]
        if period is not None:
            parts.append({"url": "period", "valuePeriod": _period(period)})
        out.append(_ext("overridden-by", extension=parts))
    if entry.applies_in is not None:  # asked in a jurisdiction: why the statement applies there
        a = entry.applies_in
        why = [{"url": "jurisdiction", "valueCode": a.jurisdiction}, {"url": "because", "valueCode": a.because}]
        if a.via is not None:
            why.append({"url": "via", "valueCode": a.via})
        if a.relation is not None:
            why.append({"url": "relation", "valueUri": str(minter.reach(a.relation))})
        out.append(_ext("applies-in", extension=why))
    return out


def _add_statement(b: _Builder, minter: Minter, entry: Entry,
                   overridden: Iterable[tuple[str, Period | None]]) -> None:
    s = entry.statement
    s_iri = str(minter.statement(s.key))
    drug = b.drug(s.drug)
    topic = {"coding": [{"system": TOPIC_IRI, "code": s.topic}], "text": s.topic}
    resource: dict[str, Any] = {"identifier": [_uri_identifier(s_iri)], "text": _narrative(entry.text or ""),
                                "extension": _statement_extensions(entry, overridden, minter)}
    state = _state(entry, minter)
    if s.topic in CLINICAL_USE_TYPES:
        resource.update(resourceType="ClinicalUseDefinition", type=s.topic, category=[topic],
                        subject=[_ref(drug)])
        if state:
            resource["status"] = state
        if s.topic == "warning":
            resource["warning"] = {"description": entry.text or ""}
    else:  # FHIR has no clinical-use type for this topic: a Basic resource coded with it, never dropped
        resource.update(resourceType="Basic", code=topic, subject=_ref(drug))
        if state:
            resource["extension"].append(_ext("answer-state", valueCodeableConcept=state))
    b.add(s_iri, resource)
    if s.topic == "indication":
        _add_authorisation(b, minter, entry, state, drug)
    for view in entry.records:
        _add_provenance(b, minter, s, view)


def _add_authorisation(b: _Builder, minter: Minter, entry: Entry, state: dict[str, Any] | None, drug: str) -> None:
    s = entry.statement
    s_iri = str(minter.statement(s.key))
    resource: dict[str, Any] = {
        "resourceType": "RegulatedAuthorization", "identifier": [_uri_identifier(s_iri + "#authorisation")],
        "subject": [_ref(drug)], "description": entry.text or "",
        "region": [{"coding": [{"system": JURISDICTION_IRI, "code": s.jurisdiction}], "text": s.jurisdiction}],
        "validityPeriod": validity(s), "indication": [{"reference": _ref(s_iri)}],
    }
    if state:
        resource["status"] = state
        since = (s.valid_from if not entry.overridden_by
                 else max(b.model.statements[o].valid_from for o in entry.overridden_by))
        resource["statusDate"] = since.isoformat()
    regulator = next((v.source for v in entry.records if v.source.kind == "regulator"), None)
    if regulator is not None:
        org = b.organisation(minter, regulator.publisher)
        resource["regulator"] = _ref(org, regulator.publisher)
        procedure = dict(regulator.identifiers).get("eu-procedure-number")
        if procedure:  # the procedure that granted the authorisation, as the data records it
            resource["case"] = {"identifier": {"type": {"text": "EU procedure number"}, "value": procedure}}
    b.add(s_iri + "#authorisation", resource)


def _add_provenance(b: _Builder, minter: Minter, s: Statement, view: RecordView) -> None:
    r, v, src = view.record, view.version, view.source
    s_iri = str(minter.statement(s.key))
    record_iri = str(minter.record(s.key, src.key, v.key))
    author = b.organisation(minter, src.publisher)
    document = b.document(minter, view)
    own_quote = r.quote is not None and r.reference is None
    what: dict[str, Any] = (_ref(document, src.title) if document else
                            {"identifier": _uri_identifier(r.citation_url or v.url
                                                           or str(minter.version(v.source, v.key))),
                             "display": r.document or src.title})
    entity: dict[str, Any] = {"role": "quotation" if own_quote else "source", "what": what}
    if own_quote and r.quote is not None:
        entity["extension"] = [_quote_extension(r.quote.exact, r.quote.start, r.quote.end)]
    entities = [entity]
    if r.reference:  # a citation quoting a held reference: the reference's words, never the version's
        ref_iri = str(minter.reference(r.reference))
        ref_title = view.reference.title if view.reference else None
        ref_doc = b.reference_document(ref_iri, ref_title)
        reported: dict[str, Any] = {"role": "source",
                                    "what": _ref(ref_doc, ref_title) if ref_doc else
                                    {"identifier": _uri_identifier(ref_iri), "display": ref_title}}
        if r.quote is not None:
            reported["extension"] = [_quote_extension(r.quote.exact, r.quote.start, r.quote.end)]
        entities.append(reported)
    resource: dict[str, Any] = {
        "resourceType": "Provenance", "target": [_ref(s_iri)], "occurredDateTime": v.published.isoformat(),
        "agent": [{"type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "author", "display": "Author"}]},
                   "who": _ref(author, src.publisher)}],
        "entity": entities,
        "extension": [_ext("record", valueUri=record_iri),
                      _ext("confidence", extension=[{"url": "wording", "valueCode": r.wording_confidence},
                                                    {"url": "date", "valueCode": r.date_confidence}])],
    }
    if s.topic == "indication":
        resource["target"].append(_ref(s_iri + "#authorisation"))
    b.add(record_iri, resource)


def _quote_extension(exact: str | None, start: int | None, end: int | None) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"url": "exact", "valueString": exact or ""}]
    if start is not None and end is not None:
        parts += [{"url": "start", "valueInteger": start}, {"url": "end", "valueInteger": end}]
    return _ext("text-quote", extension=parts)


def held_texts(store: Store) -> dict[str, str]:
    """Return every held text (of versions and references) by IRI, read from the store once."""
    rows = store.select(sparql_prefixes("gk") + "SELECT ?x ?text WHERE { ?x gk:heldText ?text }")
    return {r["x"] or "": r["text"] or "" for r in rows}


def _bundle(b: _Builder, self_url: str) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "link": [{"relation": "self", "url": self_url}],
            "entry": list(b.entries.values())}


def guidance_bundle(g: Guidance, engine: Engine, store: Store, minter: Minter) -> dict[str, Any]:
    """Return the guidance on a date (as known at a date, filtered) as a FHIR R5 Bundle.

    Its ``self`` link is the API request that asks the same question (a Bundle carries no extensions).
    """
    b = _Builder(engine.model, minter, held_texts(store))
    for entry in (*g.effective, *g.overridden):
        _add_statement(b, minter, entry, [(by, None) for by in entry.overridden_by])
    params = {"on": g.on.isoformat(), "known": g.known.isoformat() if g.known else None, "drug": g.filters.drug,
              "jurisdiction": g.filters.jurisdiction, "topic": g.filters.topic}
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return _bundle(b, f"{normalise_base(minter.base)}api/guidance?{query}")


def timeline_bundle(engine: Engine, store: Store, minter: Minter) -> dict[str, Any]:
    """Return every statement with every record, its overrides and its overridden periods (no date asked)."""
    b = _Builder(engine.model, minter, held_texts(store))
    for t in engine.timeline(None, NO_FILTERS):
        _add_statement(b, minter, t.entry, [(p.by, p) for p in t.overridden if p.by])
    return _bundle(b, f"{normalise_base(minter.base)}export/fhir")

