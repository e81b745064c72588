"""The CONSTRUCT queries that describe each linked-data resource (``linked_data.py`` serves their results).

Each query substitutes IRIs that were looked up in the model first (or checked against the minter's slug form),
never raw request text.
"""

from __future__ import annotations

from collections.abc import Sequence

from guidancekg.ontology.vocab import sparql_prefixes

PREFIXES = sparql_prefixes()

# A version's held text can be megabytes: a description reached through a version leaves it out.
_NO_TEXT = " FILTER (?p != gk:heldText)"


def describe_query(iri: str, *, along: Sequence[str] = (), textless: Sequence[str] = (),
                   pointing: Sequence[str] = ()) -> str:
    """Return a CONSTRUCT of ``iri``'s triples and those of the nodes it reaches along each property path.

    ``along`` and ``textless`` are SPARQL property paths from ``iri`` (``textless`` ones reach versions and leave
    out their held texts); ``pointing`` are properties whose triples pointing at ``iri`` are included.
    """
    branches = [f"{{ VALUES ?x {{ <{iri}> }} ?x ?p ?o }}"]
    branches += [f"{{ <{iri}> {path} ?x . ?x ?p ?o }}" for path in along]
    branches += [f"{{ <{iri}> {path} ?x . ?x ?p ?o{_NO_TEXT} }}" for path in textless]
    branches += [f"{{ VALUES (?p ?o) {{ ({link} <{iri}>) }} ?x ?p ?o }}" for link in pointing]
    return PREFIXES + "CONSTRUCT { ?x ?p ?o } WHERE {\n  " + "\n  UNION ".join(branches) + "\n}"


def statement_query(s: str) -> str:
    """Return a CONSTRUCT of a statement with its overrides, records, quotes, versions, sources and drug."""
    record = "prov:qualifiedDerivation"
    return describe_query(s, along=[
        "gk:qualifiedOverride", record, f"{record}/gk:quotation", f"{record}/gk:quotation/oa:hasSelector",
        f"{record}/prov:entity/dcterms:isVersionOf", f"{record}/prov:entity/dcterms:isVersionOf/dcterms:publisher",
        "gk:drug"], textless=[f"{record}/prov:entity"], pointing=["gk:overrides"])


def source_query(src: str) -> str:
    """Return a CONSTRUCT of a source, its publisher and its versions (without their texts)."""
    return describe_query(src, along=["dcterms:publisher"], textless=["^dcterms:isVersionOf"])


def version_query(v: str) -> str:
    """Return a CONSTRUCT of a version (with its text), its source and the statements derived from it."""
    return describe_query(v, along=["dcterms:isVersionOf", "dcterms:isVersionOf/dcterms:publisher"],
                          pointing=["prov:wasDerivedFrom"])


def part_query(x: str) -> str:
    """Return a CONSTRUCT of a record or override node, with a record's quote and selectors."""
    return describe_query(x, along=["gk:quotation", "gk:quotation/oa:hasSelector", "oa:hasSelector"])


def with_links_query(iri: str, link: str) -> str:
    """Return a CONSTRUCT of a resource and of the nodes that point at it through ``link`` (a prefixed name)."""
    return describe_query(iri, pointing=[link])
