"""The media types of SPARQL results: SPARQL JSON, XML, CSV, TSV for solutions; RDF formats for graphs.

What each query form can be answered in, and what it is answered in by default. Choosing among them by an
``Accept`` header is HTTP's business (``api/web.py``); the command line chooses by ``--format``.
"""

from __future__ import annotations

import pyoxigraph as ox

from guidancekg.ontology.vocab import PREFIXES

# -- formats ------------------------------------------------------------------------------------------------

#: Media types of SELECT results, best first (the first is the default).
RESULTS_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: ASK answers: the SPARQL JSON and XML forms (CSV/TSV write ``true``/``false``, Oxigraph's convention).
BOOLEAN_MEDIA_TYPES = RESULTS_MEDIA_TYPES
#: Media types of CONSTRUCT/DESCRIBE results, best first.
GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: Generic media types some clients send, answered with the specific type they stand for.
RESULTS_ALIASES = {"application/json": "application/sparql-results+json",
                   "application/xml": "application/sparql-results+xml",
                   "text/xml": "application/sparql-results+xml"}
GRAPH_ALIASES = {"text/plain": "application/n-triples", "application/x-turtle": "text/turtle"}

#: The form of each query kind: which table of media types answers it.
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

#: Prefixes every query may use without declaring them (a query's own PREFIX wins): the one prefix table.
DEFAULT_PREFIXES = PREFIXES


def offers_for(form: str) -> list[str]:
    """Return the media types (aliases last) that can answer a query of ``form``."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        return [*GRAPH_MEDIA_TYPES, *GRAPH_ALIASES]
    return [*RESULTS_MEDIA_TYPES, *RESULTS_ALIASES]


def canonical_media_type(form: str, media_type: str) -> str:
    """Return the media type the answer is labelled with when ``media_type`` was chosen for ``form``."""
    aliases = GRAPH_ALIASES if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ALIASES
    return aliases.get(media_type, media_type)


def default_formats() -> dict[str, str | None]:
    """Return the media type each query form is answered with when the client states no preference."""
    return {form: offers_for(form)[0] for form in FORMS}
