"""Dereference every IRI the graph mints: statements and their parts, sources, versions, drugs, agents, references
and the named graphs, each in the representation ``Accept`` (or ``?format=``) asks for (``negotiation.py``).

Statements, sources, versions and drugs are minted under the configured base (``GUIDANCEKG_BASE``), so
``{base}id/statement/{key}`` is a URL of this server. The vocabulary is published by ``vocabulary.py``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, url_for
from rdflib import Graph, URIRef

from guidancekg.api import ld_queries as q
from guidancekg.api.negotiation import RESOURCE_TYPES, represent
from guidancekg.api.state import current_graph
from guidancekg.api.vocabulary import curie
from guidancekg.graph.corpus.records import Statement
from guidancekg.graph.dates import in_force_start
from guidancekg.graph.engine.answers import Entry
from guidancekg.graph.engine.model import Model
from guidancekg.graph.errors import NotFound
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import slug
from guidancekg.graph.rdf.writer import bind_prefixes
from guidancekg.graph.views.serialize import reach_json, record_json, sources_json, statement_json

bp = Blueprint("ld", __name__)


def overriders(model: Model, key: str) -> list[str]:
    """Return the statements that override ``key`` at some time."""
    return sorted(s.key for s in model.statements.values() if any(o.target == key for o in s.overrides))


def statement_resource_json(graph: GuidanceGraph, s: Statement) -> dict[str, Any]:
    """Return the API's STATEMENT object for ``s`` with all its records (no date: ``status`` is null)."""
    out = statement_json(Entry(s, None, graph.engine.entry.every_record(s.key)), graph.minter)
    out["overriders"] = [str(graph.minter.statement(k)) for k in overriders(graph.model, s.key)]
    return out


def parts_of(graph: GuidanceGraph, s: Statement) -> dict[str, str]:
    """Return the IRIs of a statement's records, quotes, selectors and overrides, each with what it is."""
    minter = graph.minter
    found: dict[str, str] = {}
    for view in graph.engine.entry.every_record(s.key):
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
    if key is not None and key in m.statements:
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
        RESOURCE_TYPES, lambda: graph.store.construct(q.statement_query(str(graph.minter.statement(s.key)))),
        json_body=lambda: statement_resource_json(graph, s),
        html=lambda: render_template("ld_statement.html", s=statement_resource_json(graph, s),
                                     title=lambda iri: _title(graph, iri),
                                     on_timeline=url_for("page.index", drug=s.drug, jurisdiction=s.jurisdiction,
                                                         on=in_force_start(s.valid_from).isoformat())))


@bp.get("/id/statement/<key>/<path:part>")
def statement_part(key: str, part: str) -> Response:
    """Dereference a part of a statement: a record, its quote and selectors, or an override."""
    graph = current_graph()
    s = _statement(graph, key)
    iri = f"{graph.minter.statement(key)}/{part}"
    kind = parts_of(graph, s).get(iri)
    if kind is None:
        raise NotFound("statement part", f"{key}/{part}")
    view = next((v for v in graph.engine.entry.every_record(s.key)
                 if str(graph.minter.record(s.key, v.source.key, v.version.key)) == iri), None)
    statement_iri = str(graph.minter.statement(s.key))

    def rdf() -> Graph:
        return graph.store.construct(q.part_query(iri))

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
    return represent(RESOURCE_TYPES, lambda: graph.store.construct(q.source_query(iri)),
                     json_body=lambda: body, html=lambda: render_template("ld_source.html", src=body))


def _held_text(graph: GuidanceGraph, iri: str) -> str | None:
    rows = graph.store.select(q.PREFIXES + f"SELECT ?text WHERE {{ <{iri}> gk:heldText ?text }} LIMIT 1")
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

    return represent(RESOURCE_TYPES, lambda: graph.store.construct(q.version_query(iri)), json_body=body,
                     html=lambda: render_template("ld_version.html", v=body(),
                                                  title=lambda i: _title(graph, i)))


@bp.get("/id/drug/<key>")
def drug(key: str) -> Response:
    """Dereference a drug: its names and every statement about it, with all their records."""
    graph = current_graph()
    iri = str(graph.minter.drug(key))
    d = graph.model.drugs.get(key)
    if d is None:
        raise NotFound("drug", key, sorted(graph.model.drugs))

    def body() -> dict[str, Any]:
        about = sorted((s for s in graph.model.statements.values() if s.drug == d.key),
                       key=lambda s: (s.topic, s.valid_from.lo, s.key))
        return {"id": iri, "key": d.key, "label": d.label, "brand_names": list(d.brand_names),
                "statements": [statement_resource_json(graph, s) for s in about]}

    return represent(RESOURCE_TYPES, lambda: graph.store.construct(q.with_links_query(iri, "gk:drug")), json_body=body,
                     html=lambda: render_template("ld_drug.html", d=body()))


def _resource_outside_the_model(kind: str, key: str, iri: str, link: str) -> Response:
    """Dereference a resource the model does not hold: its triples and the nodes linking to it through ``link``."""
    graph = current_graph()
    # Not in the model: the key is checked against the minter's slug form before it enters a query.
    found = graph.store.construct(q.with_links_query(iri, link)) if key == slug(key) else Graph()
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


@bp.get("/id/reach/<key>")
@bp.get("/id/reach/<key>/<part>")
def reach(key: str, part: str | None = None) -> Response:
    """Dereference a reach (data/jurisdictions.yaml): one jurisdiction's statements applying in another, dated."""
    graph = current_graph()
    found = next((r for r in graph.model.reach if r.key == key), None)
    if found is None or (part is not None and (found.quote is None or part not in ("passage", "quote", "position"))):
        raise NotFound("reach", f"{key}/{part}" if part else key)
    iri = str(graph.minter.reach(key)) + (f"/{part}" if part else "")

    def rdf() -> Graph:
        return graph.store.construct(q.part_query(iri))

    body = (lambda: reach_json(found, graph.minter)) if part is None else None
    parent = (str(graph.minter.reach(key)), key) if part else None
    return represent(RESOURCE_TYPES, rdf, json_body=body,
                     html=lambda: render_template("ld_triples.html", iri=iri, kind="reach", parent=parent,
                                                  triples=triples_by_subject(rdf(), iri)))


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
        rows = sorted((curie(graph, p), str(o), isinstance(o, URIRef))
                      for p, o in graph.predicate_objects(URIRef(subject)))
        out.append((subject, rows))
    return out
