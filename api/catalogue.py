"""What catalogues and other tools fetch: the dataset's description, its downloads and its nanopublications.

- ``/.well-known/void``: the DCAT and VoID description (RFC 8615 well-known location named by VoID), by ``Accept``
  as Turtle, JSON-LD, N-Triples or a page;
- ``/export/{name}``: the whole graph in each export format (the description's distributions);
- ``/np/{statement}/{source}/{version}``: one record's nanopublication in TriG; its trusty IRI (the same path
  followed by the ``RA...`` hash) dereferences to the same document.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from guidancekg.api.linked_data import triples_by_subject
from guidancekg.api.negotiation import HTML, JSONLD, NTRIPLES, TURTLE, represent
from guidancekg.api.state import current_graph
from guidancekg.api.web import public_base
from guidancekg.graph.errors import NotFound
from guidancekg.graph.views import nanopub
from guidancekg.graph.views.export import EXPORT_FORMATS, export
from guidancekg.graph.views.void import dataset_iri, describe

bp = Blueprint("catalogue", __name__)

DESCRIPTION_TYPES = (TURTLE, HTML, JSONLD, NTRIPLES)


@bp.get("/.well-known/void")
def void_description() -> Response:
    """Describe the dataset: title, publisher, sources and their rights, coverage, endpoint, distributions."""
    graph = current_graph()
    description = describe(graph.model, graph.minter, public_base())
    iri = str(dataset_iri(graph.minter.base))
    return represent(DESCRIPTION_TYPES, lambda: description,
                     html=lambda: render_template("ld_triples.html", iri=iri, kind="dataset description",
                                                  parent=None, triples=triples_by_subject(description, iri)))


@bp.get("/export/<name>")
def download(name: str) -> Response:
    """Download the whole graph in one export format (as ``guidancekg export --format NAME`` writes it)."""
    fmt = EXPORT_FORMATS.get(name)
    if fmt is None:
        raise NotFound("export format", name)
    graph = current_graph()
    body = export(name, graph.store, graph.engine, graph.minter)
    resp = Response(body, mimetype=fmt.media_type)
    resp.headers["Content-Disposition"] = f'inline; filename="guidancekg-{name}.{fmt.suffix}"'
    return resp


@bp.get("/np/<statement>/<source>/<version>")
@bp.get("/np/<statement>/<source>/<version>/<artefact>")
def record_nanopub(statement: str, source: str, version: str, artefact: str | None = None) -> Response:
    """One record's nanopublication (TriG); under its trusty IRI only when the hash is this record's."""
    graph = current_graph()
    record = nanopub.find_record(graph.model, statement, source, version)
    np = nanopub.record_nanopub(graph.store, graph.model, graph.minter, record)
    if artefact is not None and nanopub.trusty_iri(np).rsplit("/", 1)[-1] != artefact:
        raise NotFound("nanopublication", f"{statement}/{source}/{version}/{artefact}")
    resp = Response(nanopub.trig(np), mimetype=nanopub.TRIG)
    resp.headers["Link"] = f'<{nanopub.trusty_iri(np)}>; rel="canonical"'
    return resp
