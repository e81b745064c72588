"""Negotiate the media types of SPARQL results: SPARQL JSON, XML, CSV, TSV for solutions; RDF formats for graphs.

Used by the endpoint (``api/sparql_endpoint.py``), the command line and the executor (:mod:`.sparql`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from guidancekg.graph.errors import (
    QueryError,
)
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


def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        kind = pieces[0].lower()
        if not kind:
            continue
        if "/" not in kind:
            kind = "*/*" if kind == "*" else kind + "/*"
        major, _, minor = kind.partition("/")
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((major, minor, q))
    return ranges


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """Return the offer the ``Accept`` header prefers, or None when it accepts none of them.

    RFC 9110 12.5.1: each offer takes the quality of the most specific media range that matches it
    (``text/csv;q=0`` beats ``*/*``); the highest quality wins and ties go to the earlier offer. A missing or
    empty header accepts anything, so the first offer (the default) is chosen.
    """
    if accept is None or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse_accept(accept)
    best, best_q = None, 0.0
    for offer in offers:
        major, _, minor = offer.partition("/")
        q, specificity = 0.0, -1
        for r_major, r_minor, r_q in ranges:
            if r_major == "*" and r_minor == "*":
                spec = 0
            elif r_major == major and r_minor == "*":
                spec = 1
            elif r_major == major and r_minor == minor:
                spec = 2
            else:
                continue
            if spec > specificity:
                specificity, q = spec, r_q
        if q > best_q:
            best, best_q = offer, q
    return best


def choose_formats(accept: str | None) -> dict[str, str | None]:
    """Return, for each query form, the media type to answer with (None: not acceptable, HTTP 406)."""
    chosen = {}
    for form in FORMS:
        picked = negotiate(accept, offers_for(form))
        chosen[form] = canonical_media_type(form, picked) if picked else None
    return chosen


class QueryNotAcceptable(QueryError):
    """No media type the client accepts can carry this query's results (the endpoint answers 406)."""

    def __init__(self, form: str, offers: Sequence[str]) -> None:
        super().__init__(f"a {form} query cannot be answered in any media type the Accept header allows; "
                         f"this endpoint offers {', '.join(offers)}")
        self.form = form
        self.offers = tuple(offers)
