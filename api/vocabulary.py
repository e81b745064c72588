"""Publish the vocabulary (``ontology/vocabulary.ttl``) at ``/ns`` and its JSON-LD context at ``/ns/context.jsonld``."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, render_template
from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.namespace import DCTERMS, SKOS

from guidancekg.api.negotiation import JSONLD, VOCABULARY_TYPES, represent
from guidancekg.ontology import CONTEXT_FILE, VOCABULARY_FILE

bp = Blueprint("vocab", __name__)


def curie(graph: Graph, term: object) -> str:
    """Return ``term`` as a prefixed name where the graph binds its namespace, else as it is."""
    try:
        return graph.namespace_manager.curie(str(term), generate=False)
    except (KeyError, ValueError):
        return str(term)


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
            terms.append({"iri": str(term), "curie": curie(g, term), "label": str(label),
                          "definition": str(definition), "scheme": curie(g, scheme) if scheme else ""})
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
