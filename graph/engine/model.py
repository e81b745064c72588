"""Read the built graph back from a store into the compact records the engine works on.

The store is the single source of truth: the engine never reads ``data/``. Loading is a handful of SPARQL
SELECTs, run once when a store is opened.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from guidancekg.graph import dates as dates_module
from guidancekg.graph.dates import PartialDate, parse_partial
from guidancekg.graph.stores.base import Store
from guidancekg.ontology.vocab import (
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    JURISDICTION_IRI,
    OVERRIDE_KIND_TERMS,
    SOURCE_KIND_TERMS,
    TOPIC_IRI,
    key_of,
    sparql_prefixes,
)

PREFIXES = sparql_prefixes("gk", "dcterms", "prov", "skos", "oa", "foaf", "rdfs")

Q_STATEMENTS = PREFIXES + """
SELECT DISTINCT ?s ?key ?drug ?topic ?jur ?wording ?from ?basis ?temp ?until ?note WHERE {
  GRAPH ?g {
    ?s a gk:Statement ; dcterms:identifier ?key ; gk:drug ?drug ; gk:topic ?topic ; gk:jurisdiction ?jur ;
       gk:wording ?wording ; gk:validFrom ?from ; gk:validFromBasis ?basis ; gk:temporary ?temp .
    OPTIONAL { ?s gk:validUntil ?until }
    OPTIONAL { ?s skos:editorialNote ?note }
  }
}"""
Q_ASSERTED = PREFIXES + "SELECT ?s ?v WHERE { GRAPH ?v { ?s a gk:Statement } }"
Q_OVERRIDES = PREFIXES + """
SELECT DISTINCT ?s ?target ?kind WHERE {
  ?s gk:qualifiedOverride ?o . ?o gk:overriddenStatement ?target ; gk:overrideKind ?kind .
}"""
Q_DRUGS = PREFIXES + """
SELECT ?d ?key ?label ?alt WHERE {
  ?d a gk:Drug ; dcterms:identifier ?key ; rdfs:label ?label . OPTIONAL { ?d skos:altLabel ?alt }
}"""
Q_SOURCES = PREFIXES + """
SELECT ?src ?key ?title ?publisher ?kind ?jur ?url ?rights WHERE {
  ?src a gk:Source ; dcterms:identifier ?key ; dcterms:title ?title ; dcterms:publisher/foaf:name ?publisher ;
       gk:sourceKind ?kind ; gk:jurisdiction ?jur .
  OPTIONAL { ?src foaf:page ?url } OPTIONAL { ?src dcterms:rights ?rights }
}"""
Q_VERSIONS = PREFIXES + """
SELECT ?v ?key ?src ?issued ?sha ?revises ?url WHERE {
  ?v a gk:Version ; dcterms:identifier ?key ; dcterms:isVersionOf ?src ; dcterms:issued ?issued .
  OPTIONAL { ?v gk:sha256 ?sha } OPTIONAL { ?v prov:wasRevisionOf ?revises } OPTIONAL { ?v dcterms:source ?url }
}"""
Q_RECORDS = PREFIXES + """
SELECT ?s ?v ?conf ?exact ?start ?end ?cite ?note ?ref ?reftitle ?doc WHERE {
  ?s prov:qualifiedDerivation ?r . ?r prov:entity ?v ; gk:confidence ?conf .
  OPTIONAL {
    ?r gk:quotation ?p . ?p oa:hasSelector ?qs , ?ps .
    ?qs a oa:TextQuoteSelector ; oa:exact ?exact . ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
  OPTIONAL { ?r dcterms:source ?cite }
  OPTIONAL { ?r skos:editorialNote ?note }
  OPTIONAL { ?r gk:quotation/oa:hasSource ?ref . ?ref a gk:Reference ; dcterms:title ?reftitle }
  OPTIONAL { ?r dcterms:bibliographicCitation ?doc }
}"""
Q_BROADER = PREFIXES + "SELECT ?j ?b WHERE { ?j skos:broader ?b . ?j skos:inScheme gk:JurisdictionScheme }"


@dataclass(frozen=True)
class DrugInfo:
    iri: str
    key: str
    label: str
    brand_names: tuple[str, ...]


@dataclass(frozen=True)
class SourceInfo:
    iri: str
    key: str
    title: str
    publisher: str
    kind: str
    jurisdiction: str
    url: str | None
    rights: str | None


@dataclass(frozen=True)
class VersionInfo:
    iri: str
    key: str
    source: str
    published: PartialDate
    sha256: str | None
    revises: str | None
    url: str | None


@dataclass(frozen=True)
class Record:
    """One version's record of a statement: a quote with its offsets, or a citation.

    A citation of a version with no known address names its document (``document``) and quotes a held reference
    (``reference``, ``reference_title``): then ``quote``, ``start`` and ``end`` are the reference's, not the
    version's.
    """

    statement: str
    version: str
    confidence: str
    quote: str | None
    start: int | None
    end: int | None
    citation: str | None
    note: str | None
    reference: str | None = None
    reference_title: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class StatementInfo:
    iri: str
    key: str
    drug: str
    topic: str
    jurisdiction: str
    wording: str
    valid_from: PartialDate
    valid_from_basis: str
    valid_until: PartialDate | None
    temporary: bool
    overrides: tuple[tuple[str, str], ...]
    note: str | None


@dataclass
class Model:
    """Everything the engine needs, keyed by IRI."""

    drugs: dict[str, DrugInfo] = field(default_factory=dict)
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    versions: dict[str, VersionInfo] = field(default_factory=dict)
    statements: dict[str, StatementInfo] = field(default_factory=dict)
    asserted_by: dict[str, frozenset[str]] = field(default_factory=dict)  # version -> statements
    records: dict[str, tuple[Record, ...]] = field(default_factory=dict)  # statement -> records
    broader: dict[str, str] = field(default_factory=dict)  # jurisdiction code -> broader code
    # Lookups by key, built on first use (a model is not changed after loading).
    _drug_keys: dict[str, DrugInfo] | None = field(default=None, init=False, repr=False, compare=False)
    _statement_keys: dict[str, StatementInfo] | None = field(default=None, init=False, repr=False, compare=False)

    def drug_by_key(self, key: str) -> DrugInfo | None:
        if self._drug_keys is None or len(self._drug_keys) != len(self.drugs):
            self._drug_keys = {}
            for d in self.drugs.values():
                self._drug_keys.setdefault(d.key, d)
        return self._drug_keys.get(key)

    def statements_by_key(self, key: str) -> StatementInfo:
        """Return the statement whose key is ``key``; raise KeyError when there is none."""
        if self._statement_keys is None or len(self._statement_keys) != len(self.statements):
            self._statement_keys = {}
            for s in self.statements.values():
                self._statement_keys.setdefault(s.key, s)
        return self._statement_keys[key]


def _local(iri: str, namespace: str) -> str:
    return iri[len(namespace):] if iri.startswith(namespace) else iri


def _snapshot_path(store: Store) -> Path | None:
    """Return where a snapshot of the model of an on-disk build lives: beside the store, named by this code.

    A build directory is content-addressed and never changed after it is written, so a snapshot of the model read
    from it stays right for as long as the code that reads the model is the same: its name carries a hash of
    this module and of the date parsing it uses.
    """
    path = getattr(store, "path", None)
    if store.kind != "oxigraph" or path is None:
        return None
    digest = hashlib.sha256()
    for module in (__file__, dates_module.__file__):
        digest.update(Path(module).read_bytes())
    return Path(path).parent / f"model-{digest.hexdigest()[:16]}.pickle"


def load_model(store: Store) -> Model:
    """Read the model from ``store`` (from the build's model snapshot when there is one; written on first read)."""
    snapshot = _snapshot_path(store)
    if snapshot is not None and snapshot.is_file():
        try:
            with snapshot.open("rb") as f:
                model = pickle.load(f)
            if isinstance(model, Model):
                return model
        except Exception:
            pass
    model = _read_model(store)
    if snapshot is not None:
        tmp = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as f:
                pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, snapshot)
        except OSError:  # a read-only build directory: no snapshot, still correct
            tmp.unlink(missing_ok=True)
    return model


def _read_model(store: Store) -> Model:
    """Read the model from ``store`` with a handful of SPARQL SELECTs."""
    m = Model()
    for r in store.select(Q_DRUGS):
        old = m.drugs.get(r["d"] or "")
        brands = (*old.brand_names, r["alt"]) if old and r["alt"] else ((r["alt"],) if r["alt"] else ())
        m.drugs[r["d"] or ""] = DrugInfo(r["d"] or "", r["key"] or "", r["label"] or "", tuple(brands))
    for r in store.select(Q_SOURCES):
        m.sources[r["src"] or ""] = SourceInfo(
            r["src"] or "", r["key"] or "", r["title"] or "", r["publisher"] or "",
            key_of(r["kind"] or "", SOURCE_KIND_TERMS), _local(r["jur"] or "", JURISDICTION_IRI), r["url"], r["rights"])
    for r in store.select(Q_VERSIONS):
        m.versions[r["v"] or ""] = VersionInfo(
            r["v"] or "", r["key"] or "", r["src"] or "", parse_partial(r["issued"] or "", "dcterms:issued"),
            r["sha"], r["revises"], r["url"])
    overrides: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in store.select(Q_OVERRIDES):
        overrides[r["s"] or ""].append((r["target"] or "", key_of(r["kind"] or "", OVERRIDE_KIND_TERMS)))
    drug_keys = {iri: d.key for iri, d in m.drugs.items()}
    for r in store.select(Q_STATEMENTS):
        iri = r["s"] or ""
        m.statements[iri] = StatementInfo(
            iri=iri, key=r["key"] or "", drug=drug_keys.get(r["drug"] or "", r["drug"] or ""),
            topic=_local(r["topic"] or "", TOPIC_IRI), jurisdiction=_local(r["jur"] or "", JURISDICTION_IRI),
            wording=r["wording"] or "", valid_from=parse_partial(r["from"] or "", "gk:validFrom"),
            valid_from_basis=key_of(r["basis"] or "", BASIS_TERMS),
            valid_until=parse_partial(r["until"], "gk:validUntil") if r["until"] else None,
            temporary=(r["temp"] or "").lower() in {"true", "1"},
            overrides=tuple(sorted(overrides.get(iri, ()))), note=r["note"])
    asserted: dict[str, set[str]] = defaultdict(set)
    for r in store.select(Q_ASSERTED):
        asserted[r["v"] or ""].add(r["s"] or "")
    m.asserted_by = {v: frozenset(s) for v, s in asserted.items()}
    records: dict[str, list[Record]] = defaultdict(list)
    for r in store.select(Q_RECORDS):
        records[r["s"] or ""].append(Record(
            statement=r["s"] or "", version=r["v"] or "", confidence=key_of(r["conf"] or "", CONFIDENCE_TERMS),
            quote=r["exact"], start=int(r["start"]) if r["start"] else None,
            end=int(r["end"]) if r["end"] else None, citation=r["cite"], note=r["note"], reference=r["ref"],
            reference_title=r["reftitle"], document=r["doc"]))
    m.records = {s: tuple(sorted(rs, key=lambda x: (m.versions[x.version].published, x.version)))
                 for s, rs in records.items()}
    for r in store.select(Q_BROADER):
        m.broader[_local(r["j"] or "", JURISDICTION_IRI)] = _local(r["b"] or "", JURISDICTION_IRI)
    return m
