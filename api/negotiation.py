"""Choose and write the representation of a linked-data resource: ``?format=`` or ``Accept``, then RDF out.

Every resource of ``linked_data.py`` and the vocabulary is offered as Turtle (the default, for ``*/*``), HTML,
JSON (the API's objects), JSON-LD (compacted with the published context), N-Triples and RDF/XML.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from flask import Response, jsonify, request
from rdflib import Graph
from werkzeug.exceptions import NotAcceptable

from guidancekg.api.web import negotiate as negotiate_media_type
from guidancekg.api.web import public_base
from guidancekg.graph.errors import InputError
from guidancekg.graph.rdf.writer import bind_prefixes
from guidancekg.ontology import CONTEXT_FILE

TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"
JSON = "application/json"
HTML = "text/html"
# The first offered type answers a request without Accept or with */* (curl's default): Turtle, since these
# are linked-data resources; browsers ask for text/html by name and get the page.
RESOURCE_TYPES = (TURTLE, HTML, JSON, JSONLD, NTRIPLES, RDFXML)
VOCABULARY_TYPES = (TURTLE, HTML, JSONLD, NTRIPLES, RDFXML)
FORMATS = {"ttl": TURTLE, "turtle": TURTLE, "nt": NTRIPLES, "ntriples": NTRIPLES, "rdf": RDFXML, "xml": RDFXML,
           "jsonld": JSONLD, "json": JSON, "html": HTML}
_FORMAT_NAMES = {TURTLE: "ttl", NTRIPLES: "nt", RDFXML: "rdf", JSONLD: "jsonld", JSON: "json", HTML: "html"}


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


def _sorted(graph: Graph) -> Graph:
    """Return a copy of ``graph`` with its triples added in sorted order (the same graph gives the same bytes)."""
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=True)
    for triple in sorted(graph):
        out.add(triple)
    return out


def serialize_rdf(graph: Graph, mimetype: str) -> str:
    """Serialise ``graph`` as Turtle, N-Triples, RDF/XML or JSON-LD compacted with the published context."""
    bind_prefixes(graph)
    # Sorted output: the same graph gives the same bytes, so its ETag holds from one request to the next.
    if mimetype == NTRIPLES:
        lines = graph.serialize(format="nt").splitlines()
        return "".join(line + "\n" for line in sorted(set(lines)) if line)
    if mimetype == RDFXML:
        return _sorted(graph).serialize(format="xml")
    if mimetype != JSONLD:
        return graph.serialize(format="turtle")
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
