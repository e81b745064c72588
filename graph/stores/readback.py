"""Read the records of a store back over SPARQL: for an in-memory dataset that holds only RDF, and for tests.

A build never needs this: it writes the snapshot of its model (:mod:`.snapshot`), which every process opens
instead. A dataset made without records (a test's, or one loaded from N-Quads) has only its RDF, so its model is
read back here with a handful of SPARQL SELECTs; what comes back are the records of
:mod:`guidancekg.graph.corpus.records` (identified by their keys, without held texts), as one :class:`Corpus`.
That the RDF says everything the records say is what the agreement tests check through it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from guidancekg.graph.corpus.records import (
    Assertion,
    Corpus,
    Drug,
    Jurisdiction,
    OverrideRef,
    Quote,
    Reach,
    Reference,
    Source,
    Statement,
    Version,
)
from guidancekg.graph.dates import PartialDate, parse_partial
from guidancekg.graph.stores.base import Row, Store
from guidancekg.ontology.vocab import (
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    IDENTIFIER_KIND_TERMS,
    JURISDICTION_IRI,
    LEGAL_EFFECT_TERMS,
    OVERRIDE_KIND_TERMS,
    SOURCE_KIND_TERMS,
    TOPIC_IRI,
    key_of,
    sparql_prefixes,
)

PREFIXES = sparql_prefixes("gk", "dcterms", "prov", "skos", "oa", "foaf", "rdfs", "adms")
# The quote of a record or a reach (?r): its selectors, and the held reference it is taken from, if any.
_EVIDENCE = """  OPTIONAL {
    ?r gk:quotation ?p . ?p oa:hasSelector ?qs , ?ps .
    ?qs a oa:TextQuoteSelector ; oa:exact ?exact . ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
  OPTIONAL { ?r gk:quotation/oa:hasSource ?refnode . ?refnode a gk:Reference ; dcterms:identifier ?ref }
"""

Q_STATEMENTS = PREFIXES + """
SELECT DISTINCT ?s ?key ?drug ?topic ?jur ?from ?basis ?temp ?until ?note ?effect ?reserved WHERE {
  GRAPH ?g {
    ?s a gk:Statement ; dcterms:identifier ?key ; gk:drug ?drug ; gk:topic ?topic ; gk:jurisdiction ?jur ;
       gk:validFrom ?from ; gk:validFromBasis ?basis ; gk:temporary ?temp .
    OPTIONAL { ?s gk:validUntil ?until }
    OPTIONAL { ?s skos:editorialNote ?note }
    OPTIONAL { ?s gk:legalEffect ?effect }
    OPTIONAL { ?s gk:reservedUse ?reserved }
  }
}"""
Q_OVERRIDES = PREFIXES + """
SELECT DISTINCT ?s ?target ?kind WHERE {
  ?s gk:qualifiedOverride ?o . ?o gk:overriddenStatement ?target ; gk:overrideKind ?kind .
}"""
Q_DRUGS = PREFIXES + """
SELECT ?d ?key ?label ?alt WHERE {
  ?d a gk:Drug ; dcterms:identifier ?key ; rdfs:label ?label . OPTIONAL { ?d skos:altLabel ?alt }
} ORDER BY ?key ?alt"""
Q_SOURCES = PREFIXES + """
SELECT ?key ?title ?publisher ?kind ?jur ?url ?rights ?note WHERE {
  ?src a gk:Source ; dcterms:identifier ?key ; dcterms:title ?title ; dcterms:publisher/foaf:name ?publisher ;
       gk:sourceKind ?kind ; gk:jurisdiction ?jur .
  OPTIONAL { ?src foaf:page ?url } OPTIONAL { ?src dcterms:rights ?rights }
  OPTIONAL { ?src skos:editorialNote ?note }
}"""
Q_VERSIONS = PREFIXES + """
SELECT ?v ?key ?src ?issued ?dconf ?sha ?revises ?url ?note WHERE {
  ?v a gk:Version ; dcterms:identifier ?key ; dcterms:isVersionOf/dcterms:identifier ?src ; dcterms:issued ?issued ;
     gk:dateConfidence ?dconf .
  OPTIONAL { ?v gk:sha256 ?sha } OPTIONAL { ?v prov:wasRevisionOf/dcterms:identifier ?revises }
  OPTIONAL { ?v dcterms:source ?url } OPTIONAL { ?v skos:editorialNote ?note }
}"""
Q_REFERENCES = PREFIXES + """
SELECT ?key ?title ?sha ?rights ?note WHERE {
  ?r a gk:Reference ; dcterms:identifier ?key ; dcterms:title ?title ; gk:sha256 ?sha .
  OPTIONAL { ?r dcterms:rights ?rights } OPTIONAL { ?r skos:editorialNote ?note }
}"""
Q_RECORDS = PREFIXES + """
SELECT DISTINCT ?s ?v ?wconf ?dconf ?wording ?defines ?exact ?start ?end ?cite ?note ?ref ?doc WHERE {
  ?s prov:qualifiedDerivation ?r . ?r prov:entity ?v ; gk:wordingConfidence ?wconf ; gk:dateConfidence ?dconf .
  OPTIONAL { ?r gk:wording ?wording }
  OPTIONAL { ?s gk:definingRecord ?r BIND(true AS ?defines) }
  OPTIONAL { ?r dcterms:source ?cite }
  OPTIONAL { ?r skos:editorialNote ?note }
  OPTIONAL { ?r dcterms:bibliographicCitation ?doc }
""" + _EVIDENCE + "}"
Q_JURISDICTIONS = PREFIXES + """
SELECT ?code ?name ?within ?iso ?former ?note WHERE {
  ?j a gk:Jurisdiction ; dcterms:identifier ?code ; skos:prefLabel ?name .
  OPTIONAL { ?j skos:broader/dcterms:identifier ?within }
  OPTIONAL { ?j skos:notation ?iso FILTER (DATATYPE(?iso) = gk:ISO3166Code) }
  OPTIONAL { ?j skos:notation ?former FILTER (DATATYPE(?former) = gk:FormerCode) }
  OPTIONAL { ?j skos:editorialNote ?note }
} ORDER BY ?code ?former"""
Q_REACH = PREFIXES + """
SELECT ?key ?of ?into ?from ?until ?carries ?wording ?wconf ?dconf ?cite ?doc ?note ?ref ?exact ?start ?end WHERE {
  ?r a gk:Reach ; dcterms:identifier ?key ; gk:reachOf/dcterms:identifier ?of ; gk:reachInto/dcterms:identifier ?into ;
     gk:wording ?wording ; gk:wordingConfidence ?wconf ; gk:dateConfidence ?dconf .
  OPTIONAL { ?r gk:reachFrom ?from } OPTIONAL { ?r gk:reachUntil ?until } OPTIONAL { ?r gk:carriesTermsOf ?carries }
  OPTIONAL { ?r dcterms:source ?cite } OPTIONAL { ?r dcterms:bibliographicCitation ?doc }
  OPTIONAL { ?r skos:editorialNote ?note }
""" + _EVIDENCE + "} ORDER BY ?key"
Q_IDENTIFIERS = PREFIXES + """
SELECT ?key ?kind ?value WHERE {
  ?src a gk:Source ; dcterms:identifier ?key ; adms:identifier ?i . ?i dcterms:type ?kind ; skos:notation ?value .
}"""


def _local(iri: str, namespace: str) -> str:
    return iri[len(namespace):] if iri.startswith(namespace) else iri


def _text(row: Row, name: str) -> str:
    return row[name] or ""


def read_corpus(store: Store) -> Corpus:
    """Return the records ``store`` holds, read with a handful of SPARQL SELECTs."""
    brands: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    drug_keys: dict[str, str] = {}  # IRI -> key, and the same for versions and statements below
    for r in store.select(Q_DRUGS):
        drug_keys[_text(r, "d")] = _text(r, "key")
        labels[_text(r, "key")] = _text(r, "label")
        if r["alt"] and r["alt"] not in brands[_text(r, "key")]:
            brands[_text(r, "key")].append(r["alt"])
    drugs = {k: Drug(k, label, tuple(brands.get(k, ()))) for k, label in labels.items()}
    identifiers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in store.select(Q_IDENTIFIERS):
        identifiers[_text(r, "key")].append((key_of(_text(r, "kind"), IDENTIFIER_KIND_TERMS), _text(r, "value")))
    sources = {
        _text(r, "key"): Source(_text(r, "key"), _text(r, "title"), _text(r, "publisher"),
                                key_of(_text(r, "kind"), SOURCE_KIND_TERMS), _local(_text(r, "jur"), JURISDICTION_IRI),
                                r["url"], r["rights"], r["note"], tuple(sorted(identifiers.get(_text(r, "key"), ()))))
        for r in store.select(Q_SOURCES)}
    versions = {}
    version_ids: dict[str, Version] = {}
    for r in store.select(Q_VERSIONS):
        v = Version(_text(r, "src"), _text(r, "key"), parse_partial(_text(r, "issued"), "dcterms:issued"), r["url"],
                    r["revises"], None, r["sha"], r["note"],
                    date_confidence=key_of(_text(r, "dconf"), CONFIDENCE_TERMS))
        versions[v.id] = version_ids[_text(r, "v")] = v
    references = {_text(r, "key"): Reference(_text(r, "key"), _text(r, "title"), None, _text(r, "sha"), r["rights"],
                                             r["note"])
                  for r in store.select(Q_REFERENCES)}
    statement_rows = store.select(Q_STATEMENTS)
    statement_keys = {_text(r, "s"): _text(r, "key") for r in statement_rows}
    overrides: dict[str, list[OverrideRef]] = defaultdict(list)
    for r in store.select(Q_OVERRIDES):
        kind = key_of(_text(r, "kind"), OVERRIDE_KIND_TERMS)
        overrides[statement_keys[_text(r, "s")]].append(OverrideRef(statement_keys[_text(r, "target")], kind))
    statements = {}
    for r in statement_rows:
        key = _text(r, "key")
        statements[key] = Statement(
            key=key, drug=drug_keys.get(_text(r, "drug"), _text(r, "drug")), topic=_local(_text(r, "topic"), TOPIC_IRI),
            jurisdiction=_local(_text(r, "jur"), JURISDICTION_IRI),
            valid_from=parse_partial(_text(r, "from"), "gk:validFrom"),
            valid_from_basis=key_of(_text(r, "basis"), BASIS_TERMS),
            valid_until=parse_partial(r["until"], "gk:validUntil") if r["until"] else None,
            temporary=_text(r, "temp").lower() in {"true", "1"},
            overrides=tuple(sorted(overrides.get(key, ()), key=lambda o: (o.target, o.kind))), note=r["note"],
            legal_effect=key_of(r["effect"], LEGAL_EFFECT_TERMS) if r["effect"] else None,
            reserved=_text(r, "reserved").lower() in {"true", "1"})
    assertions = []
    for r in store.select(Q_RECORDS):
        version = version_ids[_text(r, "v")]
        assertions.append(Assertion(
            statement=statement_keys[_text(r, "s")], source=version.source, version=version.key, quote=_quote(r),
            citation_url=r["cite"], wording_confidence=key_of(_text(r, "wconf"), CONFIDENCE_TERMS), note=r["note"],
            reference=r["ref"], document=r["doc"], wording=r["wording"],
            date_confidence=key_of(_text(r, "dconf"), CONFIDENCE_TERMS), defines=r["defines"] is not None))
    return Corpus(drugs, sources, versions, statements,
                  tuple(sorted(assertions, key=lambda a: (a.statement, a.version_id))), references,
                  _read_jurisdictions(store), tuple(_read_reach(store)))


def _quote(r: Row) -> Quote | None:
    return Quote(_text(r, "exact"), int(_text(r, "start")), int(_text(r, "end"))) if r["exact"] else None


def _day(value: str | None, name: str) -> PartialDate | None:
    return parse_partial(value, name) if value else None


def _read_jurisdictions(store: Store) -> dict[str, Jurisdiction]:
    rows: dict[str, list[Row]] = defaultdict(list)
    for r in store.select(Q_JURISDICTIONS):
        rows[_text(r, "code")].append(r)
    return {code: Jurisdiction(code, _text(rs[0], "name"), rs[0]["within"], rs[0]["iso"],
                               tuple(sorted({r["former"] for r in rs if r["former"]})), rs[0]["note"])
            for code, rs in rows.items()}


def _read_reach(store: Store) -> Iterator[Reach]:
    for r in store.select(Q_REACH):
        yield Reach(
            key=_text(r, "key"), of=_text(r, "of"), into=_text(r, "into"), valid_from=_day(r["from"], "gk:reachFrom"),
            valid_until=_day(r["until"], "gk:reachUntil"), carries=_day(r["carries"], "gk:carriesTermsOf"),
            wording=_text(r, "wording"), wording_confidence=key_of(_text(r, "wconf"), CONFIDENCE_TERMS),
            date_confidence=key_of(_text(r, "dconf"), CONFIDENCE_TERMS), quote=_quote(r), reference=r["ref"],
            citation_url=r["cite"], document=r["doc"], note=r["note"])
