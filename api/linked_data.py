"""Dereference every IRI the graph mints, and the vocabulary, choosing the representation by ``Accept``.

Statements, sources, versions and drugs are minted under the configured base (``GUIDANCEKG_BASE``), so
``{base}id/statement/{key}`` is a URL of this server. Each resource is offered as HTML, JSON (the API's
objects), Turtle, JSON-LD (compacted with the published context, ``/ns/context.jsonld``) and N-Triples.
``?format=`` picks one from a plain link, since a browser cannot set ``Accept``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from werkzeug.exceptions import NotAcceptable

from guidancekg.api.state import current_graph
from guidancekg.api.web import negotiate as negotiate_media_type
from guidancekg.api.web import public_base
from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.engine.answers import Entry, RecordView
from guidancekg.graph.engine.model import Model
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import slug
from guidancekg.graph.rdf.writer import bind_prefixes
from guidancekg.graph.views.serialize import record_json, sources_json, statement_json
from guidancekg.ontology import CONTEXT_FILE, VOCABULARY_FILE
from guidancekg.ontology.vocab import sparql_prefixes

bp = Blueprint("ld", __name__)

TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
JSON = "application/json"
HTML = "text/html"
# The first offered type answers a request without Accept or with */* (curl's default): Turtle, since these
# are linked-data resources; browsers ask for text/html by name and get the page.
RESOURCE_TYPES = (TURTLE, HTML, JSON, JSONLD, NTRIPLES)
VOCABULARY_TYPES = (TURTLE, HTML, JSONLD, NTRIPLES)
FORMATS = {"ttl": TURTLE, "turtle": TURTLE, "nt": NTRIPLES, "ntriples": NTRIPLES, "jsonld": JSONLD,
           "json": JSON, "html": HTML}
_RDFLIB_FORMATS = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld"}
_FORMAT_NAMES = {TURTLE: "ttl", NTRIPLES: "nt", JSONLD: "jsonld", JSON: "json", HTML: "html"}

_PREFIXES = sparql_prefixes()


# -- content negotiation -------------------------------------------------------------------------------------

def negotiate(offered: Sequence[str]) -> str:
    """Return the offered media type the request prefers (``?format=`` first, then ``Accept``); else 406."""
    fmt = request.args.get("format")
    if fmt is not None:
        chosen = FORMATS.get(fmt)
        if chosen is None or chosen not in offered:
            names = ", ".join(_FORMAT_NAMES[t] for t in offered)
            raise InputError("format", f"unknown format {fmt!r}; one of: {names}")
        return chosen
    best = negotiate_media_type(offered)
    if best is None:
        raise NotAcceptable(description=f"This resource is available as {', '.join(offered)}; the Accept "
                                        f"header ({request.headers.get('Accept', '')}) allows none.")
    return best


def _alternates(offered: Sequence[str]) -> str:
    """Return a ``Link`` header naming each representation's ``?format=`` URL (relative to the request's)."""
    return ", ".join(f'<?format={_FORMAT_NAMES[t]}>; rel="alternate"; type="{t}"' for t in offered)


@lru_cache(maxsize=1)
def _context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return context


def context_url() -> str:
    """Return the URL of the published JSON-LD context, under the server's public URL."""
    return public_base() + "ns/context.jsonld"


def serialize_rdf(graph: Graph, mimetype: str) -> str:
    """Serialise ``graph`` as Turtle, N-Triples or JSON-LD compacted with the published context."""
    bind_prefixes(graph)
    # Sorted output: the same graph gives the same bytes, so its ETag holds from one request to the next.
    if mimetype == NTRIPLES:
        lines = graph.serialize(format="nt").splitlines()
        return "".join(line + "\n" for line in sorted(set(lines)) if line)
    if mimetype != JSONLD:
        return graph.serialize(format=_RDFLIB_FORMATS[mimetype])
    doc = json.loads(graph.serialize(format="json-ld", context=_context()))
    if isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    # Compacted with the published context, which the document then names by URL instead of repeating it.
    doc["@context"] = context_url()
    return json.dumps(doc, indent=2, ensure_ascii=False)


def represent(offered: Sequence[str], rdf: Callable[[], Graph], *, json_body: Callable[[], Any] | None = None,
              html: Callable[[], str], turtle: Callable[[], str] | None = None) -> Response:
    """Answer with the representation the request prefers among ``offered``.

    ``json_body`` gives the API object for ``application/json`` (else the JSON-LD is the JSON); ``turtle``
    gives a Turtle text to send as it is instead of serialising ``rdf()``.
    """
    chosen = negotiate(offered)
    if chosen == TURTLE and turtle is not None:
        resp = Response(turtle(), mimetype=TURTLE)
    elif chosen == HTML:
        resp = Response(html(), mimetype=HTML)
    elif chosen == JSON and json_body is not None:
        resp = jsonify(json_body())
    elif chosen == JSON:
        # A resource without an API object of its own: its JSON-LD is the JSON.
        resp = Response(serialize_rdf(rdf(), JSONLD), mimetype=JSON)
    else:
        resp = Response(serialize_rdf(rdf(), chosen), mimetype=chosen)
    resp.vary.add("Accept")
    resp.headers["Link"] = _alternates(offered)
    return resp


# -- what describes each resource ----------------------------------------------------------------------------
# The describing queries substitute IRIs that were looked up in the model first, never raw request text.

def _statement_query(s: str) -> str:
    """Return a CONSTRUCT of a statement with its overrides, records, quotes, versions, sources and drug."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{s}> }} ?x ?p ?o }}
  UNION {{ <{s}> gk:qualifiedOverride ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/gk:quotation ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/gk:quotation/oa:hasSelector ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/prov:entity ?x . ?x ?p ?o FILTER (?p != gk:heldText) }}
  UNION {{ <{s}> prov:qualifiedDerivation/prov:entity/dcterms:isVersionOf ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/prov:entity/dcterms:isVersionOf/dcterms:publisher ?x . ?x ?p ?o }}
  UNION {{ <{s}> gk:drug ?x . ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ (gk:overrides <{s}>) }} ?x ?p ?o }}
}}"""


def _source_query(src: str) -> str:
    """Return a CONSTRUCT of a source, its publisher and its versions (without their texts)."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{src}> }} ?x ?p ?o }}
  UNION {{ <{src}> dcterms:publisher ?x . ?x ?p ?o }}
  UNION {{ ?x dcterms:isVersionOf <{src}> . ?x ?p ?o FILTER (?p != gk:heldText) }}
}}"""


def _version_query(v: str) -> str:
    """Return a CONSTRUCT of a version (with its text), its source and the statements derived from it."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{v}> }} ?x ?p ?o }}
  UNION {{ <{v}> dcterms:isVersionOf ?x . ?x ?p ?o }}
  UNION {{ <{v}> dcterms:isVersionOf/dcterms:publisher ?x . ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ (prov:wasDerivedFrom <{v}>) }} ?x ?p ?o }}
}}"""


def _drug_query(d: str) -> str:
    """Return a CONSTRUCT of a drug and the links of the statements about it."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{d}> }} ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ (gk:drug <{d}>) }} ?x ?p ?o }}
}}"""


def _part_query(x: str) -> str:
    """Return a CONSTRUCT of a record or override node, with a record's quote and selectors."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{x}> }} ?x ?p ?o }}
  UNION {{ <{x}> gk:quotation ?x . ?x ?p ?o }}
  UNION {{ <{x}> gk:quotation/oa:hasSelector ?x . ?x ?p ?o }}
  UNION {{ <{x}> oa:hasSelector ?x . ?x ?p ?o }}
}}"""


def all_records(model: Model, key: str) -> tuple[RecordView, ...]:
    """Return every record of a statement, from every version that ever asserted it."""
    return tuple(RecordView(r, model.versions[r.version_id], model.sources[r.source],
                            model.references.get(r.reference) if r.reference else None)
                 for r in model.records.get(key, ()))


def overriders(model: Model, key: str) -> list[str]:
    """Return the statements that override ``key`` at some time."""
    return sorted(s.key for s in model.statements.values() if any(o.target == key for o in s.overrides))


def statement_resource_json(graph: GuidanceGraph, s: Statement) -> dict[str, Any]:
    """Return the API's STATEMENT object for ``s`` with all its records (no date: ``status`` is null)."""
    out = statement_json(Entry(s, None, all_records(graph.model, s.key)), graph.minter)
    out["overriders"] = [str(graph.minter.statement(k)) for k in overriders(graph.model, s.key)]
    return out


def parts_of(graph: GuidanceGraph, s: Statement) -> dict[str, str]:
    """Return the IRIs of a statement's records, quotes, selectors and overrides, each with what it is."""
    m, minter = graph.model, graph.minter
    found: dict[str, str] = {}
    for view in all_records(m, s.key):
        rec = str(minter.record(s.key, view.source.key, view.version.key))
        found[rec] = "record"
        if view.record.quote is not None:
            found[f"{rec}/passage"] = "passage"
            found[f"{rec}/quote"] = "quote"
            found[f"{rec}/position"] = "position"
    for o in s.overrides:
        found[str(minter.override(s.key, o.target))] = "override"
    return found


# -- routes --------------------------------------------------------------------------------------------------

def _statement(graph: GuidanceGraph, key: str) -> Statement:
    s = graph.model.statements.get(key)
    if s is None:
        raise NotFound("statement", key)
    return s


def _title(graph: GuidanceGraph, iri: str) -> str:
    """Return a short human name for an IRI of the graph (for links in pages)."""
    m, minter = graph.model, graph.minter
    key = minter.key_of(iri, "statement")
    if key in m.statements:
        return key
    version_id = minter.key_of(iri, "version")
    if version_id in m.versions:
        v = m.versions[version_id]
        source = m.sources.get(v.source)
        return f"{source.title} ({v.published.isoformat()})" if source else iri
    key = minter.key_of(iri, "source")
    if key in m.sources:
        return m.sources[key].title
    key = minter.key_of(iri, "drug")
    if key in m.drugs:
        return m.drugs[key].label
    return iri


@bp.get("/id/statement/<key>")
def statement(key: str) -> Response:
    """Dereference a statement: its content and its provenance (records, quotes, versions, sources)."""
    graph = current_graph()
    s = _statement(graph, key)
    return represent(
        RESOURCE_TYPES, lambda: graph.store.construct(_statement_query(str(graph.minter.statement(s.key)))),
        json_body=lambda: statement_resource_json(graph, s),
        html=lambda: render_template("ld_statement.html", s=statement_resource_json(graph, s),
                                     title=lambda iri: _title(graph, iri)))


@bp.get("/id/statement/<key>/<path:part>")
def statement_part(key: str, part: str) -> Response:
    """Dereference a part of a statement: a record, its quote and selectors, or an override."""
    graph = current_graph()
    s = _statement(graph, key)
    iri = f"{graph.minter.statement(key)}/{part}"
    kind = parts_of(graph, s).get(iri)
    if kind is None:
        raise NotFound("statement part", f"{key}/{part}")
    view = next((v for v in all_records(graph.model, s.key)
                 if str(graph.minter.record(s.key, v.source.key, v.version.key)) == iri), None)
    statement_iri = str(graph.minter.statement(s.key))

    def rdf() -> Graph:
        return graph.store.construct(_part_query(iri))

    record = (lambda: {"id": iri, "statement": statement_iri, **record_json(view, graph.minter)}) if view else None
    return represent(
        RESOURCE_TYPES, rdf, json_body=record,
        html=lambda: render_template("ld_triples.html", iri=iri, kind=kind, parent=(statement_iri, s.key),
                                     triples=triples_by_subject(rdf(), iri)))


@bp.get("/id/source/<key>")
def source(key: str) -> Response:
    """Dereference a source: its description and its versions."""
    graph = current_graph()
    iri = str(graph.minter.source(key))
    if key not in graph.model.sources:
        raise NotFound("source", key)
    body = next(src for src in sources_json(graph.engine, graph.minter)["sources"] if src["id"] == iri)
    return represent(RESOURCE_TYPES, lambda: graph.store.construct(_source_query(iri)),
                     json_body=lambda: body, html=lambda: render_template("ld_source.html", src=body))


def _held_text(graph: GuidanceGraph, iri: str) -> str | None:
    rows = graph.store.select(_PREFIXES + f"SELECT ?text WHERE {{ <{iri}> gk:heldText ?text }} LIMIT 1")
    return rows[0]["text"] if rows else None


@bp.get("/id/version/<source_key>/<version_key>")
def version(source_key: str, version_key: str) -> Response:
    """Dereference a version: its record date, held text and the statements it asserts (its named graph)."""
    graph = current_graph()
    m = graph.model
    iri = str(graph.minter.version(source_key, version_key))
    v = m.versions.get(f"{source_key}/{version_key}")
    if v is None:
        raise NotFound("version", f"{source_key}/{version_key}")

    def body() -> dict[str, Any]:
        source_iri = str(graph.minter.source(v.source))
        src = next(s for s in sources_json(graph.engine, graph.minter)["sources"] if s["id"] == source_iri)
        out: dict[str, Any] = next(x for x in src["versions"] if x["id"] == iri)
        return {**out, "source": source_iri, "source_title": src["title"],
                "statements": sorted(str(graph.minter.statement(k)) for k in m.asserted_by.get(v.id, frozenset())),
                "text": _held_text(graph, iri)}

    return represent(RESOURCE_TYPES, lambda: graph.store.construct(_version_query(iri)), json_body=body,
                     html=lambda: render_template("ld_version.html", v=body(),
                                                  title=lambda i: _title(graph, i)))


@bp.get("/id/drug/<key>")
def drug(key: str) -> Response:
    """Dereference a drug: its names and every statement about it, with all their records."""
    graph = current_graph()
    iri = str(graph.minter.drug(key))
    d = graph.model.drugs.get(key)
    if d is None:
        raise NotFound("drug", key, sorted(x.key for x in graph.model.drugs.values()))

    def body() -> dict[str, Any]:
        about = sorted((s for s in graph.model.statements.values() if s.drug == d.key),
                       key=lambda s: (s.topic, s.valid_from.lo, s.key))
        return {"id": iri, "key": d.key, "label": d.label, "brand_names": list(d.brand_names),
                "statements": [statement_resource_json(graph, s) for s in about]}

    return represent(RESOURCE_TYPES, lambda: graph.store.construct(_drug_query(iri)), json_body=body,
                     html=lambda: render_template("ld_drug.html", d=body()))


def _with_links_query(iri: str, link: str) -> str:
    """Return a CONSTRUCT of a resource and of the nodes that point at it through ``link`` (a prefixed name)."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{iri}> }} ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ ({link} <{iri}>) }} ?x ?p ?o }}
}}"""


def _resource_outside_the_model(kind: str, key: str, iri: str, link: str) -> Response:
    """Dereference a resource the model does not hold: its triples and the nodes linking to it through ``link``."""
    graph = current_graph()
    # Not in the model: the key is checked against the minter's slug form before it enters a query.
    found = graph.store.construct(_with_links_query(iri, link)) if key == slug(key) else Graph()
    if (URIRef(iri), None, None) not in found:
        raise NotFound(kind, key)
    return represent(RESOURCE_TYPES, lambda: found,
                     html=lambda: render_template("ld_triples.html", iri=iri, kind=kind, parent=None,
                                                  triples=triples_by_subject(found, iri)))


@bp.get("/id/agent/<key>")
def agent(key: str) -> Response:
    """Dereference a publishing agent (the authority behind sources): its name and its sources."""
    return _resource_outside_the_model("agent", key, str(current_graph().minter.agent(key)), "dcterms:publisher")


@bp.get("/id/reference/<key>")
def reference(key: str) -> Response:
    """Dereference a held reference (data/references/): its title, text and the passages records quote."""
    return _resource_outside_the_model("reference", key, str(current_graph().minter.reference(key)), "oa:hasSource")


GRAPH_NAMES = ("provenance", "vocabulary")


@bp.get("/id/graph/<name>")
def named_graph(name: str) -> Response:
    """Dereference a named graph of the dataset (provenance, vocabulary): every triple it holds."""
    graph = current_graph()
    if name not in GRAPH_NAMES:
        raise NotFound("graph", name)
    iri = str(graph.minter.provenance_graph() if name == "provenance" else graph.minter.vocabulary_graph())

    def rdf() -> Graph:
        return graph.store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")

    def html() -> str:
        g = rdf()
        return render_template("ld_triples.html", iri=iri, kind="named graph", parent=None,
                               triples=triples_by_subject(g, iri),
                               summary=f"{len(g)} triples. Each version's graph is named by its IRI.")

    return represent(RESOURCE_TYPES, rdf, html=html)


def triples_by_subject(graph: Graph, first: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Group triples by subject (``first`` first) as (subject, [(predicate CURIE, object, object is IRI)])."""
    bind_prefixes(graph)
    subjects = sorted({str(s) for s in graph.subjects()}, key=lambda s: (s != first, s))
    out = []
    for subject in subjects:
        rows = sorted((_curie(graph, p), str(o), isinstance(o, URIRef))
                      for p, o in graph.predicate_objects(URIRef(subject)))
        out.append((subject, rows))
    return out


def _curie(graph: Graph, term: object) -> str:
    try:
        return graph.namespace_manager.curie(str(term), generate=False)
    except (KeyError, ValueError):
        return str(term)


# -- the vocabulary and its JSON-LD context ------------------------------------------------------------------

@lru_cache(maxsize=1)
def _vocabulary() -> Graph:
    return Graph().parse(VOCABULARY_FILE, format="turtle")


def _vocabulary_terms() -> list[tuple[str, list[dict[str, str]]]]:
    """Return the vocabulary's terms in sections (classes, properties, schemes, concepts) for the page."""
    g = _vocabulary()
    sections = [("Classes", OWL.Class), ("Object properties", OWL.ObjectProperty),
                ("Datatype properties", OWL.DatatypeProperty), ("Concept schemes", SKOS.ConceptScheme),
                ("Concepts", SKOS.Concept)]
    out = []
    for heading, kind in sections:
        terms = []
        for term in sorted(set(g.subjects(RDF.type, kind)), key=str):
            label = g.value(term, RDFS.label) or g.value(term, SKOS.prefLabel) or Literal("")
            definition = g.value(term, SKOS.definition) or g.value(term, RDFS.comment) or Literal("")
            scheme = g.value(term, SKOS.inScheme)
            terms.append({"iri": str(term), "curie": _curie(g, term), "label": str(label),
                          "definition": str(definition), "scheme": _curie(g, scheme) if scheme else ""})
        out.append((heading, terms))
    return out


@bp.get("/ns")
def vocabulary() -> Response:
    """Publish the vocabulary (``ontology/vocabulary.ttl``) as Turtle, HTML, JSON-LD or N-Triples."""
    g = Graph()
    g += _vocabulary()
    ontology = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    # Turtle is the file itself, comments included: it is the vocabulary's source text.
    description = str(g.value(ontology, DCTERMS.description) or "")
    return represent(VOCABULARY_TYPES, lambda: g, turtle=lambda: VOCABULARY_FILE.read_text(encoding="utf-8"),
                     html=lambda: render_template("ld_vocabulary.html", sections=_vocabulary_terms(),
                                                  no_json=True, ontology=str(ontology or ""),
                                                  description=description))


@bp.get("/ns/context.jsonld")
def context() -> Response:
    """Publish the JSON-LD context that the linked-data JSON-LD is compacted with."""
    return Response(CONTEXT_FILE.read_text(encoding="utf-8"), mimetype=JSONLD)
