"""The CONSTRUCT queries that describe each linked-data resource (``linked_data.py`` serves their results).

Each query substitutes IRIs that were looked up in the model first (or checked against the minter's slug form),
never raw request text.
"""

from __future__ import annotations

from guidancekg.ontology.vocab import sparql_prefixes

PREFIXES = sparql_prefixes()


def statement_query(s: str) -> str:
    """Return a CONSTRUCT of a statement with its overrides, records, quotes, versions, sources and drug."""
    return PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{s}> }} ?x ?p ?o }}
  UNION {{ <{s}> gk:qualifiedOverride ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/gk:quotation ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/gk:quotation/oa:hasSelector ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/prov:entity ?x . ?x ?p ?o FILTER (?p != gk:heldText) }}
  UNION {{ <{s}> prov:qualifiedDerivation/prov:entity/dcterms:isVersionOf ?x . ?x ?p ?o }}
  UNION {{ <{s}> prov:qualifiedDerivation/prov:entity/dcterms:isVersionOf/dcterms:publisher ?x . ?x ?p ?o }}
  UNION {{ <{s}> gk:drug ?x . ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ (gk:overrides <{s}>) }} ?x ?p ?o }}
}}"""


def source_query(src: str) -> str:
    """Return a CONSTRUCT of a source, its publisher and its versions (without their texts)."""
    return PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{src}> }} ?x ?p ?o }}
  UNION {{ <{src}> dcterms:publisher ?x . ?x ?p ?o }}
  UNION {{ ?x dcterms:isVersionOf <{src}> . ?x ?p ?o FILTER (?p != gk:heldText) }}
}}"""


def version_query(v: str) -> str:
    """Return a CONSTRUCT of a version (with its text), its source and the statements derived from it."""
    return PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{v}> }} ?x ?p ?o }}
  UNION {{ <{v}> dcterms:isVersionOf ?x . ?x ?p ?o }}
  UNION {{ <{v}> dcterms:isVersionOf/dcterms:publisher ?x . ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ (prov:wasDerivedFrom <{v}>) }} ?x ?p ?o }}
}}"""


def drug_query(d: str) -> str:
    """Return a CONSTRUCT of a drug and the links of the statements about it."""
    return PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{d}> }} ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ (gk:drug <{d}>) }} ?x ?p ?o }}
}}"""


def part_query(x: str) -> str:
    """Return a CONSTRUCT of a record or override node, with a record's quote and selectors."""
    return PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{x}> }} ?x ?p ?o }}
  UNION {{ <{x}> gk:quotation ?x . ?x ?p ?o }}
  UNION {{ <{x}> gk:quotation/oa:hasSelector ?x . ?x ?p ?o }}
  UNION {{ <{x}> oa:hasSelector ?x . ?x ?p ?o }}
}}"""


def with_links_query(iri: str, link: str) -> str:
    """Return a CONSTRUCT of a resource and of the nodes that point at it through ``link`` (a prefixed name)."""
    return PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{iri}> }} ?x ?p ?o }}
  UNION {{ VALUES (?p ?o) {{ ({link} <{iri}>) }} ?x ?p ?o }}
}}"""
