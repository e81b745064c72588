"""Publish each record (a source version asserting a statement) as a nanopublication, with a trusty URI.

A nanopublication is four named graphs (http://www.nanopub.org/nschema): the head links the other three; the
**assertion** is the statement exactly as its version's graph holds it (dates, topic, jurisdiction, drug,
wording, overrides); the **provenance** says the assertion was derived from the version, attributed to its
publisher, through the record (the quote's Web Annotation selectors or the citation, and the confidence), with
the version's record date and SHA-256; the **publication info** ties the nanopublication to the record and the
dataset. Every triple comes from the store, as the build wrote it: nothing here restates the semantics.

The nanopublication's IRI is ``{base}np/{statement}/{source}/{version}/RA...``: the ``nanopub`` library (its
trustyuri module, which needs no network) hashes the four graphs into the final ``RA...`` part, so the same
record always gives the same IRI and any change gives another. No signature is added (it would need a key
pair, and a signature is not what makes a nanopublication well formed).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from rdflib import RDF, RDFS, ConjunctiveGraph, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.plugins.serializers.trig import TrigSerializer

from guidancekg.graph.corpus.records import Assertion
from guidancekg.graph.engine.model import Model
from guidancekg.graph.errors import NotFound
from guidancekg.graph.rdf.iris import Minter, normalise_base
from guidancekg.graph.rdf.writer import bind_prefixes
from guidancekg.graph.stores.base import Store
from guidancekg.graph.views.void import dataset_iri
from guidancekg.ontology.vocab import NP, sparql_prefixes

TRIG = "application/trig"
_PREFIXES = sparql_prefixes()


def _assertion_query(statement: str, version: str) -> str:
    """Return a CONSTRUCT of the statement and its override nodes as the version's own graph holds them."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{ GRAPH <{version}> {{
  {{ VALUES ?x {{ <{statement}> }} ?x ?p ?o }} UNION {{ <{statement}> gk:qualifiedOverride ?x . ?x ?p ?o }}
}} }}"""


def _provenance_query(record: str, version: str) -> str:
    """Return a CONSTRUCT of the record (quote, selectors, citation), its version (no text) and source."""
    return _PREFIXES + f"""CONSTRUCT {{ ?x ?p ?o }} WHERE {{
  {{ VALUES ?x {{ <{record}> }} ?x ?p ?o }}
  UNION {{ <{record}> gk:quotation ?x . ?x ?p ?o }}
  UNION {{ <{record}> gk:quotation/oa:hasSelector ?x . ?x ?p ?o }}
  UNION {{ VALUES ?x {{ <{version}> }} ?x ?p ?o FILTER (?p != gk:heldText) }}
  UNION {{ <{version}> dcterms:isVersionOf ?x . ?x ?p ?o FILTER (?p IN (rdf:type, dcterms:title, dcterms:publisher,
                                                                      dcterms:identifier, foaf:page)) }}
  UNION {{ <{version}> dcterms:isVersionOf/dcterms:publisher ?x . ?x ?p ?o }}
}}"""


def record_namespace(minter: Minter, record: Assertion) -> str:
    """Return the nanopublication's IRI before hashing: ``{base}np/{statement}/{source}/{version}/``."""
    return f"{normalise_base(minter.base)}np/{record.statement}/{record.source}/{record.version}/"


def record_nanopub(store: Store, model: Model, minter: Minter, record: Assertion) -> ConjunctiveGraph:
    """Return the nanopublication of one record, its IRIs made trusty."""
    from nanopub.sign_utils import replace_trusty_in_graph
    from nanopub.trustyuri.rdf import RdfHasher, RdfUtils

    s, v = model.statements[record.statement], model.versions[record.version_id]
    src = model.sources[v.source]
    s_iri, v_iri = str(minter.statement(s.key)), str(minter.version(v.source, v.key))
    record_iri = minter.record(s.key, src.key, v.key)
    ns = Namespace(record_namespace(minter, record))
    this, head, assertion, provenance, pubinfo = (URIRef(str(ns)), ns["Head"], ns["assertion"],
                                                  ns["provenance"], ns["pubinfo"])
    with warnings.catch_warnings():  # the nanopub library works on rdflib's ConjunctiveGraph, now deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        np = ConjunctiveGraph()
    bind_prefixes(np)
    np.bind("np", NP)
    graphs = {name: np.get_context(iri) for name, iri in
              (("head", head), ("assertion", assertion), ("provenance", provenance), ("pubinfo", pubinfo))}
    for triple in ((this, RDF.type, NP.Nanopublication), (this, NP.hasAssertion, assertion),
                   (this, NP.hasProvenance, provenance), (this, NP.hasPublicationInfo, pubinfo)):
        graphs["head"].add(triple)
    _copy(store.construct(_assertion_query(s_iri, v_iri)), graphs["assertion"])
    prov = graphs["provenance"]
    prov.add((assertion, PROV.wasDerivedFrom, URIRef(v_iri)))
    prov.add((assertion, PROV.wasAttributedTo, minter.agent(src.publisher)))
    prov.add((assertion, PROV.qualifiedDerivation, record_iri))
    _copy(store.construct(_provenance_query(str(record_iri), v_iri)), prov)
    info = graphs["pubinfo"]
    info.add((this, PROV.wasDerivedFrom, record_iri))
    info.add((this, DCTERMS.isPartOf, dataset_iri(minter.base)))
    info.add((this, RDFS.label, Literal(f"{s.key} as recorded by {src.key} {v.published.isoformat()}")))
    artefact = RdfHasher.make_hash(RdfUtils.get_quads(np), baseuri=str(ns), hashstr=" ")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return replace_trusty_in_graph(artefact, str(ns), np)


def _copy(source: Graph, target: Graph) -> None:
    for triple in source:
        target.add(triple)


def records(model: Model) -> Iterator[Assertion]:
    """Yield every record of every statement, in a stable order (statement key, then record date)."""
    for key in sorted(model.statements):
        yield from model.records.get(key, ())


def find_record(model: Model, statement: str, source: str, version: str) -> Assertion:
    """Return the record of ``statement`` by ``source``'s ``version`` (keys); NotFound when there is none."""
    for r in model.records.get(statement, ()):
        if (r.source, r.version) == (source, version):
            return r
    raise NotFound("record", f"{statement}/{source}/{version}")


def trusty_iri(np: ConjunctiveGraph) -> str:
    """Return the (trusty) IRI of a nanopublication."""
    return str(next(np.subjects(RDF.type, NP.Nanopublication)))


def trig(np: ConjunctiveGraph) -> str:
    """Return one nanopublication as TriG: head, assertion, provenance, publication info, in that order.

    rdflib writes a dataset's graphs in the order its store happens to hold them, which changes from one process
    to the next; the same nanopublication must be the same text (its ETag, the docs' example).
    """
    this = URIRef(trusty_iri(np))
    order = [np.value(this, link) for link in (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo)]
    serializer = TrigSerializer(np)
    serializer.contexts = sorted(serializer.contexts, key=lambda c: (
        order.index(c.identifier) + 1 if c.identifier in order else 0, str(c.identifier)))
    out = io.BytesIO()
    serializer.serialize(out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def all_nanopubs_trig(store: Store, model: Model, minter: Minter) -> str:
    """Return every record's nanopublication, one after another, as one TriG document."""
    return "\n".join(trig(record_nanopub(store, model, minter, r)) for r in records(model))
