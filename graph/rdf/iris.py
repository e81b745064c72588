"""Mint the IRIs of the things in the graph under one fixed base, ``https://w3id.org/guidancekg/``.

The base of the data's IRIs is the project's, beside its vocabulary (``https://w3id.org/guidancekg/ns#``), and
never the URL of a server: so a build does not depend on where it is served, and the command line and servers
on any host or port share one. A server maps its request paths onto them: ``{base}id/statement/{key}`` is
answered at ``/id/statement/{key}`` of every server (``api/linked_data.py``), so each IRI dereferences there.
Paths::

    {base}id/drug/{drug}            {base}id/source/{source}        {base}id/version/{source}/{version}
    {base}id/statement/{statement}  {base}id/graph/provenance       {base}id/graph/vocabulary
    {base}id/reference/{reference}  {base}id/reach/{reach}          {base}id/agent/{publisher}

A version's IRI also names the graph of what that version asserts. (Tests mint under a base of their own.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import URIRef

DEFAULT_BASE = "https://w3id.org/guidancekg/"
# What a server answers for under the base: resources, nanopublications, the dataset description, the vocabulary.
SERVED_PATHS = ("id/", "np/", ".well-known/", "ns")
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Return a lower-case, hyphenated form of ``text`` for use in a path segment."""
    return _SLUG.sub("-", text.lower()).strip("-")


def normalise_base(base: str) -> str:
    """Return ``base`` with exactly one trailing slash."""
    return base.rstrip("/") + "/"


@dataclass(frozen=True)
class Minter:
    """IRIs under one base."""

    base: str = DEFAULT_BASE

    @lru_cache(maxsize=1 << 16)  # noqa: B019 - a Minter lives as long as its graph; answers name the same IRIs
    def _iri(self, *parts: str) -> URIRef:
        return URIRef(normalise_base(self.base) + "id/" + "/".join(parts))

    def drug(self, key: str) -> URIRef:
        return self._iri("drug", key)

    def source(self, key: str) -> URIRef:
        return self._iri("source", key)

    def version(self, source: str, key: str) -> URIRef:
        return self._iri("version", source, key)

    def statement(self, key: str) -> URIRef:
        return self._iri("statement", key)

    def reference(self, key: str) -> URIRef:
        return self._iri("reference", key)

    def reach(self, key: str) -> URIRef:
        return self._iri("reach", key)

    def agent(self, name: str) -> URIRef:
        return self._iri("agent", slug(name))

    def provenance_graph(self) -> URIRef:
        return self._iri("graph", "provenance")

    def vocabulary_graph(self) -> URIRef:
        return self._iri("graph", "vocabulary")

    def record(self, statement: str, source: str, version: str) -> URIRef:
        """Return the IRI of one version's record (a qualified derivation) of a statement."""
        return self._iri("statement", statement, "record", source, version)

    def override(self, statement: str, target: str) -> URIRef:
        return self._iri("statement", statement, "overrides", target)

    def path_of(self, iri: str) -> str | None:
        """Return the request path at which a server answers for ``iri`` (``/id/...``, ``/np/...``, the dataset
        description), or None for an IRI the server does not answer for."""
        base = normalise_base(self.base)
        rest = iri[len(base):] if iri.startswith(base) else None
        return "/" + rest if rest is not None and rest.startswith(SERVED_PATHS) else None

    def key_of(self, iri: str, kind: str) -> str | None:
        """Return the key of an IRI minted here for ``kind`` (``statement``, ``source``...), or None."""
        prefix = normalise_base(self.base) + f"id/{kind}/"
        if not iri.startswith(prefix):
            return None
        rest = iri[len(prefix):]
        return rest if rest and (kind == "version" or "/" not in rest) else None
