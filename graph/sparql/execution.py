"""Run one SPARQL query on an Oxigraph store in this process: dataset, row cap and serialised answer.

The untrusted queries of the endpoint never run here in the web server: they run in sandboxed worker processes
(:mod:`.worker`, managed by :mod:`.pool`), which call :func:`execute`. Decisions (docs/sparql.md explains them):

* **One engine.** Every query runs on Oxigraph (``pyoxigraph``), whatever the store kind; rdflib is only the
  *parser* that inspects the query first (:mod:`.screen`).
* **Dataset.** With no dataset given, the default graph is the union of every graph in the store, as a set of
  triples (the RDF merge, materialised in a worker's private copy: Oxigraph 0.5's own union counts a triple once
  per graph holding it, see :class:`SparqlStore`). ``FROM`` / ``FROM NAMED`` and the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` (which win over the query's) select graphs *from the store*:
  Oxigraph never loads or fetches a graph, and an IRI the store lacks is an empty graph.
* **Row cap.** Results stream out of Oxigraph; reading stops at ``max_rows + 1`` with :class:`QueryTooLarge`
  (HTTP 413) rather than a silently truncated result: a researcher must never mistake a partial answer for the
  whole. For CONSTRUCT/DESCRIBE the cap counts triples.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from guidancekg.graph.errors import QueryError, QueryNotAcceptable, QueryTooLarge, StoreError
from guidancekg.graph.sparql.formats import (
    BOOLEAN_MEDIA_TYPES,
    DEFAULT_PREFIXES,
    GRAPH_MEDIA_TYPES,
    RESULTS_MEDIA_TYPES,
    default_formats,
    offers_for,
)
from guidancekg.graph.sparql.screen import QueryInfo, inspect_query, oxigraph_syntax_error
from guidancekg.ontology.vocab import XSD

XSD_STRING = str(XSD.string)


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer."""

    form: str
    media_type: str
    body: bytes
    rows: int  # solutions (SELECT), triples (CONSTRUCT/DESCRIBE), 1 (ASK)


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise QueryError(f"cannot serialise the term {term!r}")


_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")
MERGE_GRAPH = "urn:x-guidancekg:merge:"
OS_REFUSAL = ("the query could not be evaluated: the operating system refused or failed an operation it needed "
              "(this endpoint opens no network connection)")


class SparqlStore:
    """An Oxigraph store as the workers query it.

    ``merged``: the store's default graph holds the RDF merge of every named graph, materialised once, so that
    the union default graph is a set of triples. (Oxigraph 0.5 evaluates its own union default graph, and a
    default graph of several ``FROM`` graphs, as a multiset: a triple held by two graphs matches twice, which
    inflates COUNT and SUM; oxigraph issue 1919.) ``writable``: a private copy, where the merge of several
    requested default graphs can be materialised for the length of one query.
    """

    def __init__(self, store: ox.Store, *, merged: bool = False, writable: bool = False) -> None:
        self.store = store
        self.merged = merged
        self.writable = writable

    @classmethod
    def from_nquads(cls, nquads: bytes) -> SparqlStore:
        """Return a private in-memory store of ``nquads`` whose default graph is the merge of all graphs."""
        store = ox.Store()
        if nquads:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        return cls(store, merged=True, writable=True)

    @classmethod
    def open(cls, source: tuple[str, Any], mode: str = "memory") -> SparqlStore:
        """Open what :meth:`Store.sparql_source` describes: copied into memory (``memory``) or in place."""
        kind, value = source
        if kind == "oxigraph-dir":
            on_disk = ox.Store.read_only(str(value))
            if mode == "disk":
                return cls(on_disk)
            return cls.from_nquads(bytes(on_disk.dump(format=ox.RdfFormat.N_QUADS) or b""))
        if kind == "nquads":
            return cls.from_nquads(value or b"")
        raise StoreError(f"unknown store source {kind!r}")

    def merge_graph(self, graphs: Sequence[str]) -> ox.NamedNode:
        """Materialise the RDF merge of ``graphs`` in a scratch graph and return its name."""
        scratch = ox.NamedNode(MERGE_GRAPH + uuid.uuid4().hex)
        names = " ".join(f"<{g}>" for g in graphs if _ABSOLUTE_IRI.match(g))
        self.store.update(f"INSERT {{ GRAPH <{scratch.value}> {{ ?s ?p ?o }} }} "
                          f"WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        return scratch


def _dataset_args(ds: SparqlStore, info: QueryInfo, default_graphs: Sequence[str] | None,
                  named_graphs: Sequence[str] | None) -> tuple[dict[str, Any], ox.NamedNode | None]:
    """Return Oxigraph's dataset arguments (and a scratch graph to drop afterwards, if any).

    The protocol's graphs win; else the query's FROM / FROM NAMED; else the union of all graphs. Every graph
    is taken from the store, never loaded from anywhere.
    """
    if default_graphs is None and named_graphs is None:
        if not info.has_dataset:
            return ({} if ds.merged else {"use_default_graph_as_union": True}), None
        default_graphs, named_graphs = info.from_graphs, info.from_named
    defaults = list(dict.fromkeys(default_graphs or ()))
    named = [ox.NamedNode(g) for g in dict.fromkeys(named_graphs or ())]
    if len(defaults) > 1 and ds.writable:
        scratch = ds.merge_graph(defaults)
        return {"default_graph": [scratch], "named_graphs": named}, scratch
    return {"default_graph": [ox.NamedNode(g) for g in defaults], "named_graphs": named}, None


def execute(store: ox.Store | SparqlStore, query: str, formats: Mapping[str, str | None] | None = None, *,
            default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            base_iri: str | None = None, max_rows: int = 10_000) -> QueryResult:
    """Inspect and run ``query`` on a store in this process, with no time limit.

    The sandboxed workers call this; untrusted queries go through :class:`.pool.SparqlExecutor`. A bare
    ``ox.Store`` is queried with Oxigraph's own union default graph.
    """
    ds = store if isinstance(store, SparqlStore) else SparqlStore(store)
    info = inspect_query(query)
    formats = formats if formats is not None else default_formats()
    media_type = formats.get(info.form)
    if media_type is None:
        raise QueryNotAcceptable(info.form, offers_for(info.form))
    for g in [*(default_graphs or ()), *(named_graphs or ()), *info.from_graphs, *info.from_named]:
        if not _ABSOLUTE_IRI.match(g):
            raise QueryError(f"not an absolute IRI: {g!r}")
    scratch = None
    try:
        dataset, scratch = _dataset_args(ds, info, default_graphs, named_graphs)
        try:
            # The canonical text: exactly what the screen inspected (lexer.canonical).
            answer = ds.store.query(info.text, base_iri=base_iri, prefixes=DEFAULT_PREFIXES, **dataset)
        except SyntaxError as exc:
            raise oxigraph_syntax_error(exc) from None
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        if isinstance(answer, ox.QueryBoolean):
            body = answer.serialize(format=BOOLEAN_MEDIA_TYPES[media_type])
            return QueryResult(info.form, media_type, bytes(body or b""), 1)
        if isinstance(answer, ox.QuerySolutions):
            return _solutions(info, answer, media_type, max_rows)
        return _triples(info, answer, media_type, max_rows)
    except OSError:
        # The same answer whatever the operating system refused (a socket, under the worker's sandbox) or failed
        # at: a query that reached for the network must not learn which ports are open.
        raise StoreError(OS_REFUSAL) from None
    finally:
        if scratch is not None:
            ds.store.remove_graph(scratch)


def _too_many(max_rows: int, what: str) -> QueryTooLarge:
    return QueryTooLarge(f"the result has more than {max_rows} {what} (the endpoint's row cap, "
                         "SPARQL_MAX_ROWS); add LIMIT and OFFSET to fetch it in pages")


def _solutions(info: QueryInfo, solutions: ox.QuerySolutions, media_type: str, max_rows: int) -> QueryResult:
    names = [v.value for v in solutions.variables]
    bindings: list[dict[str, Any]] = []
    for solution in solutions:
        if len(bindings) >= max_rows:
            raise _too_many(max_rows, "rows")
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = _term_json(term)
        bindings.append(row)
    document = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    fmt = RESULTS_MEDIA_TYPES[media_type]
    if fmt != ox.QueryResultsFormat.JSON:
        parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
        document = bytes(parsed.serialize(format=fmt) or b"")
    return QueryResult(info.form, media_type, document, len(bindings))


def _triples(info: QueryInfo, triples: Iterable[ox.Triple], media_type: str, max_rows: int) -> QueryResult:
    collected: list[ox.Triple] = []
    for triple in triples:
        if len(collected) >= max_rows:
            raise _too_many(max_rows, "triples")
        collected.append(triple)
    fmt = GRAPH_MEDIA_TYPES[media_type]
    kwargs: dict[str, Any] = {}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = {**DEFAULT_PREFIXES, **{k: v for k, v in info.prefixes.items() if k}}
    body = ox.serialize(collected, format=fmt, **kwargs)
    return QueryResult(info.form, media_type, bytes(body or b""), len(collected))
