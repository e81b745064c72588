"""Mint the IRIs of the things in the graph under a base IRI.

The base is configurable so that every IRI dereferences on the server that serves it (``guidancekg serve``
builds with its own URL as the base unless told otherwise). Paths::

    {base}id/drug/{drug}            {base}id/source/{source}        {base}id/version/{source}/{version}
    {base}id/statement/{statement}  {base}id/graph/provenance       {base}id/graph/vocabulary

A version's IRI also names the graph of what that version asserts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

DEFAULT_BASE = "http://127.0.0.1:8080/"
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

    def key_of(self, iri: str, kind: str) -> str | None:
        """Return the key of an IRI minted here for ``kind`` (``statement``, ``source``...), or None."""
        prefix = normalise_base(self.base) + f"id/{kind}/"
        if not iri.startswith(prefix):
            return None
        rest = iri[len(prefix):]
        return rest if rest and (kind == "version" or "/" not in rest) else None
