"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint, its service description and its query page.

The protocol (https://www.w3.org/TR/sparql11-protocol/, section 2.1 "query operation"):

* ``GET /sparql?query=...``; ``POST`` ``application/x-www-form-urlencoded`` with ``query=...``; ``POST``
  ``application/sparql-query`` with the query as the UTF-8 body. ``default-graph-uri`` and ``named-graph-uri``
  (repeatable) give the dataset; without them (and without FROM in the query) the default graph is the union
  of every graph of the store.
* Updates (``update=``, ``application/sparql-update``, or an update sent as a query) are refused with 400:
  the endpoint is read-only. So is ``SERVICE``.
* The answer's format follows ``Accept`` (q-values honoured); 406 when nothing acceptable fits the query form.
* ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle and other RDF formats), or for a
  browser (``text/html``) the query page.

Everything that goes wrong is a problem+json response through :mod:`.problems`. The work happens in
:mod:`guidancekg.graph.sparql.pool` (one executor per served graph, owned by the runtime of :mod:`.state`: a pool
of sandboxed worker processes with a time limit and admission control).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, VOID
from werkzeug.exceptions import NotAcceptable, UnsupportedMediaType

from guidancekg.api.state import current, current_settings
from guidancekg.api.web import choose_formats, external_url, negotiate
from guidancekg.graph.errors import InputError, QueryRefused, QueryTooLarge
from guidancekg.graph.sparql.formats import GRAPH_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from guidancekg.graph.sparql.library import QUERIES_DIR
from guidancekg.ontology.vocab import FORMATS, SD, sparql_prefixes

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"

FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/trig": FORMATS.TriG,
    "application/n-quads": FORMATS["N-Quads"],
    "application/rdf+xml": FORMATS.RDF_XML,
}
#: Service description formats (rdflib serialiser names); text/html is the query page.
DESCRIPTION_FORMATS = {
    "text/turtle": "turtle",
    "text/html": "",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

# -- the protocol -------------------------------------------------------------------------------------------


def _refuse_update() -> QueryRefused:
    return QueryRefused("SPARQL Update is refused: this endpoint is read-only (it answers queries only)")


def _direct_body() -> str:
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"the query must be sent as UTF-8, not {charset} (SPARQL 1.1 Protocol 2.1.3)")
    raw = request.get_data(cache=False)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("query", f"the request body is not valid UTF-8 (byte {exc.start})") from None


def _request_query() -> tuple[list[str], list[Any]]:
    """Return the query texts of the request and the parameter sources of its dataset."""
    args = request.args
    if request.method == "GET":
        if "update" in args:
            raise _refuse_update()
        return args.getlist("query"), [args]
    mimetype = request.mimetype
    if mimetype == FORM:
        form = request.form
        if "update" in form or "update" in args:
            raise _refuse_update()
        return form.getlist("query") + args.getlist("query"), [args, form]
    if mimetype == DIRECT:
        return [_direct_body(), *args.getlist("query")], [args]
    if mimetype == UPDATE:
        raise _refuse_update()
    shown = mimetype or "no Content-Type"
    raise UnsupportedMediaType(f"a POST must be {FORM} (query=...) or {DIRECT} (the query as the body), "
                               f"not {shown}")


def _graph_params(sources: list[Any], name: str) -> list[str] | None:
    values = [v for source in sources for v in source.getlist(name)]
    for value in values:
        if ":" not in value or any(c in value for c in ' <>"{}|^`\\'):
            raise InputError(name, f"not an absolute IRI: {value!r}")
    return values or None


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> ResponseReturnValue:
    """Answer a SPARQL query (GET or POST), or describe the service / show the query page."""
    queries, sources = _request_query()
    if request.method == "GET" and not queries:
        return _describe()
    if not queries:
        raise InputError("query", "no query given: send query=... (GET or form POST) or the query as an "
                                  f"{DIRECT} body")
    if len(queries) > 1:
        raise InputError("query", f"give exactly one query, not {len(queries)}")
    text = queries[0]
    settings = current_settings()
    size, cap = len(text.encode("utf-8")), settings.sparql_max_query_bytes
    if size > cap:
        raise QueryTooLarge(f"the query is {size} bytes long; this endpoint accepts at most {cap} bytes "
                            "(SPARQL_MAX_QUERY_BYTES)")
    default_graphs = _graph_params(sources, "default-graph-uri")
    named_graphs = _graph_params(sources, "named-graph-uri")
    dataset = default_graphs is not None or named_graphs is not None
    result = current().executor().run(
        text, choose_formats(request.headers.get("Accept")),
        default_graphs=(default_graphs or []) if dataset else None,
        named_graphs=(named_graphs or []) if dataset else None,
        base_iri=external_url("sparql.endpoint"))
    resp = Response(result.body, status=200, content_type=_content_type(result.media_type))
    resp.headers["Vary"] = "Accept"
    return resp


# The protocol's examples use /sparql/: answer there too (same view, its own endpoint name for url_for).
bp.add_url_rule("/sparql/", endpoint="endpoint_slash", view_func=endpoint, methods=["GET", "POST"])


# -- service description and page --------------------------------------------------------------------------

_Q_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_Q_VERSIONS = sparql_prefixes("gk", "dcterms") + """SELECT ?g ?title ?issued WHERE {
  ?g a gk:Version ; dcterms:isVersionOf ?src ; dcterms:issued ?issued . ?src dcterms:title ?title .
}"""


def named_graphs() -> list[tuple[str, int, str | None]]:
    """Return each named graph of the store: IRI, triple count and a label (computed once per served graph)."""
    return current().cached("sparql.named_graphs", _named_graphs)


def _named_graphs() -> list[tuple[str, int, str | None]]:
    store = current().graph.store
    counts = {r["g"]: int(r["n"] or 0) for r in store.select(_Q_GRAPHS) if r["g"]}
    labels: dict[str, str] = {}
    for row in store.select(_Q_VERSIONS):
        if row["g"] in counts:
            labels[row["g"] or ""] = f"What {row['title']} (version of {row['issued']}) asserts"
    for iri in counts:
        if iri.endswith("/graph/provenance"):
            labels[iri] = "Provenance: sources, versions, held texts and records of statements"
        elif iri.endswith("/graph/vocabulary"):
            labels[iri] = "The guidancekg vocabulary"
    return [(iri, counts[iri], labels.get(iri)) for iri in sorted(counts)]


def service_description(endpoint_iri: str) -> Graph:
    """Return the SPARQL 1.1 Service Description of this endpoint (https://www.w3.org/TR/sparql11-service-description/)."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = URIRef(endpoint_iri)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for media_type in [*RESULTS_MEDIA_TYPES, *GRAPH_MEDIA_TYPES]:
        g.add((service, SD.resultFormat, FORMAT_IRIS[media_type]))
    g.add((service, DCTERMS.title, Literal("guidancekg SPARQL endpoint (read-only)")))
    settings = current_settings()
    g.add((service, RDFS.comment, Literal(
        "Read-only: SPARQL Update, SERVICE and LOAD are refused and no request makes the server fetch anything. "
        f"Limits: {settings.sparql_timeout:g} s per query, {settings.sparql_max_rows} result rows, "
        f"{settings.sparql_max_query_bytes} bytes of query text. The default graph is the union of all named "
        "graphs unless the request names graphs (default-graph-uri, named-graph-uri) or the query has FROM.",
        lang="en")))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of every named graph of the dataset.", lang="en")))
    for i, (iri, count, label) in enumerate(named_graphs()):
        node, graph_node = BNode(f"named{i}"), BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(iri)))
        g.add((node, SD.graph, graph_node))
        g.add((graph_node, RDF.type, SD.Graph))
        g.add((graph_node, VOID.triples, Literal(count)))
        if label:
            g.add((node, RDFS.label, Literal(label, lang="en")))
    return g


def library_queries() -> list[dict[str, str]]:
    """Return the query library (graph/sparql/queries/*.rq): file name, title (first comment, to the colon), text."""
    found = []
    for path in sorted(Path(QUERIES_DIR).glob("*.rq"), key=lambda p: (p.name != "guidance-on-date.rq", p.name)):
        text = path.read_text(encoding="utf-8")
        first = next((line for line in text.splitlines() if line.startswith("#")), "# " + path.stem)
        title = first.lstrip("# ").strip().split(":", 1)[0]
        found.append({"name": path.name, "title": title, "text": text})
    return found


def _describe() -> ResponseReturnValue:
    media_type = negotiate(list(DESCRIPTION_FORMATS))
    if media_type is None:
        raise NotAcceptable("the service description is offered as " + ", ".join(DESCRIPTION_FORMATS))
    endpoint_iri = external_url("sparql.endpoint")
    if media_type == "text/html":
        settings = current_settings()
        resp = Response(render_template(
            "sparql_page.html", endpoint=url_for("sparql.endpoint"), endpoint_iri=endpoint_iri,
            examples=library_queries(), graphs=named_graphs(), timeout=settings.sparql_timeout,
            max_rows=settings.sparql_max_rows, max_query_bytes=settings.sparql_max_query_bytes,
            results_types=list(RESULTS_MEDIA_TYPES), graph_types=list(GRAPH_MEDIA_TYPES)),
            content_type="text/html; charset=utf-8")
    else:
        body = service_description(endpoint_iri).serialize(format=DESCRIPTION_FORMATS[media_type], encoding="utf-8")
        resp = Response(body, content_type=_content_type(media_type))
    resp.headers["Vary"] = "Accept"
    return resp
