"""How the remote store talks to a SPARQL 1.1 server: where it is and how to log in, terms in SPARQL syntax, and the
update operations writing a build and its pointer graph (which names the build, its graphs and its state).

Configuration (``guidancekg --store-kind remote``, or :meth:`RemoteConfig.from_env`):

==============================  ===========================================================================
``GUIDANCEKG_STORE_URL``        the query endpoint, e.g. ``http://127.0.0.1:8890/sparql`` (``--store-url``)
``GUIDANCEKG_STORE_UPDATE_URL`` the update endpoint when it differs (``--store-update-url``; default: the same)
``GUIDANCEKG_STORE_USER``       user name for HTTP basic or digest authentication (``--store-user``)
``GUIDANCEKG_STORE_PASSWORD``   its password: from the environment only, never a command-line argument
``GUIDANCEKG_STORE_AUTH``       ``basic`` (default) or ``digest`` (``--store-auth``)
``GUIDANCEKG_STORE_PAGE``       rows per page of a SELECT (default 10000: Virtuoso's ``ResultSetMaxRows``)
==============================  ===========================================================================

Credentials are kept out of every message, ``repr`` and log line (a URL's ``user:password@`` goes to them).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox

from guidancekg.graph.errors import StoreError
from guidancekg.ontology.vocab import GK, OA, XSD

XSD_BOOLEAN = str(XSD.boolean)
XSD_NNI = str(XSD.nonNegativeInteger)
# Virtuoso keeps true/false as 1/0, with the datatype of whichever equal value it stored first: select() returns
# lexical values as the server gives them (the model reads "1"/"0" and "true"/"false" alike); dump_nquads() and
# construct() write the vocabulary's boolean and integer properties back with their own datatypes.
BOOLEAN_PREDICATES = frozenset({str(GK.temporary)})
INTEGER_PREDICATES = frozenset({str(OA.start), str(OA.end)})
SPARQL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


@dataclass(frozen=True)
class RemoteConfig:
    """Where the server is and how to log in; ``password`` never appears in ``repr``."""

    url: str
    update_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"
    page: int = 10000
    timeout: float = 300.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> RemoteConfig:
        env = os.environ if environ is None else environ
        url = env.get("GUIDANCEKG_STORE_URL")
        if not url:
            raise StoreError("store kind remote needs a SPARQL endpoint: --store-url or GUIDANCEKG_STORE_URL")
        return cls(url=url, update_url=env.get("GUIDANCEKG_STORE_UPDATE_URL") or None,
                   user=env.get("GUIDANCEKG_STORE_USER") or None, password=env.get("GUIDANCEKG_STORE_PASSWORD"),
                   auth=(env.get("GUIDANCEKG_STORE_AUTH") or "basic").lower(),
                   page=int(env.get("GUIDANCEKG_STORE_PAGE") or 10000))

    def normalised(self) -> RemoteConfig:
        """Move ``user:password@`` out of the URLs into the credentials."""
        user, password = self.user, self.password
        urls: list[str | None] = []
        for url in (self.url, self.update_url):
            if url is None:
                urls.append(None)
                continue
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https"):
                raise StoreError(f"the remote store URL must be http(s), not {parts.scheme or 'empty'!r}")
            if parts.username is not None:
                user = user or urllib.parse.unquote(parts.username)
                if parts.password is not None:
                    password = password or urllib.parse.unquote(parts.password)
                netloc = parts.hostname or ""
                if parts.port:
                    netloc += f":{parts.port}"
                url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
            urls.append(url)
        if self.auth not in ("basic", "digest"):
            raise StoreError(f"unknown HTTP authentication {self.auth!r}; choose basic or digest")
        return RemoteConfig(str(urls[0]), urls[1], user, password, self.auth, max(1, self.page), self.timeout)


def sparql_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple) -> str:
    """Return ``term`` in SPARQL syntax (for ``INSERT DATA``)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:b{term.value}"
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.datatype.value, term.language)
    raise StoreError(f"cannot write {term!r}")


def _stored_datatype(predicate: str, datatype: str | None, value: str) -> str | None:
    """Return the datatype a literal of ``predicate`` was written with (Virtuoso may give another, see above)."""
    if value in ("0", "1") and datatype in (XSD_BOOLEAN, XSD_NNI):
        if predicate in BOOLEAN_PREDICATES:
            return XSD_BOOLEAN
        if predicate in INTEGER_PREDICATES:
            return XSD_NNI
    return datatype


def _literal(value: str, datatype: str | None, language: str | None) -> str:
    """Return a literal in N-Triples syntax (a boolean stored as 1/0 as true/false)."""
    if datatype == XSD_BOOLEAN and value in ("1", "0"):
        value = "true" if value == "1" else "false"
    text = '"' + value.translate(SPARQL_ESCAPES) + '"'
    if language:
        return f"{text}@{language}"
    if datatype and datatype != str(XSD.string):
        return f"{text}^^<{datatype}>"
    return text


def nquads_term(binding: dict[str, str], predicate: str) -> str:
    """Return a SPARQL JSON result term in N-Quads syntax, as the object (or subject) of ``predicate``."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":  # Virtuoso's labels ("nodeID://b10006") are not N-Quads labels
        return "_:" + re.sub(r"[^A-Za-z0-9]", "_", value)
    return _literal(value, _stored_datatype(predicate, binding.get("datatype"), value), binding.get("xml:lang"))


def stored_literal(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, predicate: str) -> str:
    """Return an object term from the server in N-Triples syntax, as the object of ``predicate``."""
    if not isinstance(term, ox.Literal):
        return str(term)
    datatype = _stored_datatype(predicate, term.datatype.value, term.value)
    return _literal(term.value, datatype, term.language)


# -- writing a build: its pointer graph and its quads -----------------------------------------------------------

META_GRAPH = "urn:guidancekg:store:meta"
META_BUILD = "urn:guidancekg:store:build"
META = "urn:guidancekg:store:"

T = TypeVar("T")


def batches(items: list[T], size: int) -> list[list[T]]:
    """Return ``items`` in consecutive lists of at most ``size``: what one update operation may name."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def has_blank_node(quad: ox.Quad) -> bool:
    """Return whether ``quad`` has a blank node, which Virtuoso refuses in ``INSERT DATA``."""
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def pointer_op(state: dict[str, str]) -> str:
    """Return the operation writing the pointer's ``state`` (its list of graphs: :func:`listing_ops`)."""
    triples = [f"<{META_BUILD}> <{META}{k}> {sparql_term(ox.Literal(v))} ." for k, v in sorted(state.items())]
    return f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n" + "\n".join(triples) + "\n} }"


def unset_state_op() -> str:
    """Return the operation removing the pointer's state and keeping its list of graphs."""
    return (f"DELETE {{ GRAPH <{META_GRAPH}> {{ <{META_BUILD}> ?p ?o }} }} WHERE {{ GRAPH <{META_GRAPH}> "
            f"{{ <{META_BUILD}> ?p ?o FILTER (?p != <{META}graph>) }} }}")


def listing_ops(graphs: Iterable[str], batch: int, verb: str = "INSERT DATA") -> list[str]:
    """Return the operations adding ``graphs`` to the pointer's list (``DELETE DATA``: removing them), at most
    ``batch`` graphs each: Virtuoso refuses one operation of a few thousand."""
    return [f"{verb} {{ GRAPH <{META_GRAPH}> {{\n" + "\n".join(f"<{META_BUILD}> <{META}graph> <{g}> ." for g in names)
            + "\n} }" for names in batches(sorted(graphs), batch)]


def drop_requests(graphs: Iterable[str], batch: int) -> list[str]:
    """Return requests dropping ``graphs``, at most ``batch`` each (Virtuoso refuses one of a few thousand)."""
    return [" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in names) for names in batches(sorted(graphs), batch)]


def insert_ops(quads: list[ox.Quad]) -> list[str]:
    """Return the operations inserting ``quads``: INSERT DATA, and for quads with blank nodes (which Virtuoso
    refuses there) an INSERT template with one empty solution, where each label is one fresh node."""
    plain = [q for q in quads if not has_blank_node(q)]
    blank = [q for q in quads if has_blank_node(q)]
    ops = []
    for group, template in ((plain, False), (blank, True)):
        if not group:
            continue
        by_graph: dict[str, list[str]] = {}
        for q in group:
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            by_graph.setdefault(graph, []).append(
                f"{sparql_term(q.subject)} {sparql_term(q.predicate)} {sparql_term(q.object)} .")
        parts = []
        for graph, triples in by_graph.items():
            body = "\n".join(triples)
            parts.append(f"GRAPH <{graph}> {{\n{body}\n}}" if graph else body)
        body = "\n".join(parts)
        ops.append(f"INSERT {{\n{body}\n}} WHERE {{ }}" if template else f"INSERT DATA {{\n{body}\n}}")
    return ops
