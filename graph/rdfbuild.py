"""Turn a checked :class:`~.corpus.Corpus` into an RDF dataset: one named graph per version, plus provenance.

What a version asserts (each statement's content, overrides included) goes in the version's own graph, named
by the version's IRI, so "which versions assert S" is a ``GRAPH`` pattern. Sources, versions (with their held
texts and SHA-256), drugs, and every record of a statement (a ``prov:Derivation`` with its Web Annotation
selectors, or a citation) go in the provenance graph. The vocabulary goes in a graph of its own.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from .corpus import Corpus, Statement
from .dates import PartialDate, in_force_end, in_force_start, recorded_from
from .iris import Minter
from .vocab import (
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    GK,
    JURISDICTION,
    OA,
    OVERRIDE_KIND_TERMS,
    PRECISION_TERMS,
    SOURCE_KIND_TERMS,
    TOPIC,
)

_DATATYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}

PREFIXES = {
    "gk": str(GK._NS),
    "topic": str(TOPIC._NS),
    "jur": str(JURISDICTION._NS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "oa": str(OA),
    "foaf": str(FOAF),
    "xsd": str(XSD),
    "rdfs": str(RDFS),
}


def date_literal(value: PartialDate) -> Literal:
    """Return ``value`` as an ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` literal."""
    return Literal(value.isoformat(), datatype=_DATATYPES[value.precision])


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's usual prefixes on a graph or dataset."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)


def build_dataset(corpus: Corpus, minter: Minter, vocabulary: Graph | None = None) -> Dataset:
    """Return the dataset for ``corpus``; IRIs are minted by ``minter``."""
    ds = Dataset()
    bind_prefixes(ds)
    prov_graph = ds.graph(minter.provenance_graph())
    if vocabulary is not None:
        vocab_graph = ds.graph(minter.vocabulary_graph())
        for triple in vocabulary:
            vocab_graph.add(triple)
    _add_catalogue(corpus, minter, prov_graph)
    for a in corpus.assertions:
        statement = corpus.statements[a.statement]
        version_iri = minter.version(a.source, a.version)
        _add_statement(ds.graph(version_iri), statement, minter, version_iri)
        record = minter.record(a.statement, a.source, a.version)
        s_iri = minter.statement(a.statement)
        prov_graph.add((s_iri, PROV.qualifiedDerivation, record))
        prov_graph.add((record, RDF.type, PROV.Derivation))
        prov_graph.add((record, PROV.entity, version_iri))
        prov_graph.add((record, GK.confidence, CONFIDENCE_TERMS[a.confidence]))
        if a.note:
            prov_graph.add((record, SKOS.editorialNote, Literal(a.note)))
        if a.quote is not None:
            passage = URIRef(f"{record}/passage")
            quote_sel, position_sel = URIRef(f"{record}/quote"), URIRef(f"{record}/position")
            prov_graph.add((record, GK.quotation, passage))
            prov_graph.add((passage, RDF.type, OA.SpecificResource))
            prov_graph.add((passage, OA.hasSource, version_iri))
            prov_graph.add((passage, OA.hasSelector, quote_sel))
            prov_graph.add((passage, OA.hasSelector, position_sel))
            prov_graph.add((quote_sel, RDF.type, OA.TextQuoteSelector))
            prov_graph.add((quote_sel, OA.exact, Literal(a.quote.exact)))
            prov_graph.add((position_sel, RDF.type, OA.TextPositionSelector))
            prov_graph.add((position_sel, OA.start, Literal(a.quote.start, datatype=XSD.nonNegativeInteger)))
            prov_graph.add((position_sel, OA.end, Literal(a.quote.end, datatype=XSD.nonNegativeInteger)))
        if a.citation_url:
            prov_graph.add((record, DCTERMS.source, URIRef(a.citation_url)))
    return ds


def _add_catalogue(corpus: Corpus, minter: Minter, g: Graph) -> None:
    for drug in corpus.drugs.values():
        d = minter.drug(drug.key)
        g.add((d, RDF.type, GK.Drug))
        g.add((d, DCTERMS.identifier, Literal(drug.key)))
        g.add((d, RDFS.label, Literal(drug.label)))
        for brand in drug.brand_names:
            g.add((d, SKOS.altLabel, Literal(brand)))
    for source in corpus.sources.values():
        s = minter.source(source.key)
        agent = minter.agent(source.publisher)
        g.add((s, RDF.type, GK.Source))
        g.add((s, DCTERMS.identifier, Literal(source.key)))
        g.add((s, DCTERMS.title, Literal(source.title)))
        g.add((s, DCTERMS.publisher, agent))
        g.add((agent, RDF.type, PROV.Organization))
        g.add((agent, RDF.type, FOAF.Organization))
        g.add((agent, FOAF.name, Literal(source.publisher)))
        g.add((s, GK.sourceKind, SOURCE_KIND_TERMS[source.kind]))
        g.add((s, GK.jurisdiction, JURISDICTION[source.jurisdiction]))
        if source.url:
            g.add((s, FOAF.page, URIRef(source.url)))
        if source.attribution:
            g.add((s, DCTERMS.rights, Literal(source.attribution)))
        if source.note:
            g.add((s, SKOS.editorialNote, Literal(source.note)))
    for version in corpus.versions.values():
        v = minter.version(version.source, version.key)
        g.add((v, RDF.type, GK.Version))
        g.add((v, DCTERMS.identifier, Literal(version.key)))
        g.add((v, DCTERMS.isVersionOf, minter.source(version.source)))
        g.add((v, DCTERMS.issued, date_literal(version.published)))
        g.add((v, GK.recordedFrom, Literal(recorded_from(version.published))))
        if version.url:
            g.add((v, DCTERMS.source, URIRef(version.url)))
        if version.revises:
            g.add((v, PROV.wasRevisionOf, minter.version(version.source, version.revises)))
        if version.text is not None:
            g.add((v, GK.heldText, Literal(version.text)))
            g.add((v, GK.sha256, Literal(version.sha256)))
        if version.note:
            g.add((v, SKOS.editorialNote, Literal(version.note)))


def _add_statement(g: Graph, s: Statement, minter: Minter, version_iri: URIRef) -> None:
    iri = minter.statement(s.key)
    g.add((iri, RDF.type, GK.Statement))
    g.add((iri, DCTERMS.identifier, Literal(s.key)))
    g.add((iri, GK.drug, minter.drug(s.drug)))
    g.add((iri, GK.topic, TOPIC[s.topic]))
    g.add((iri, GK.jurisdiction, JURISDICTION[s.jurisdiction]))
    g.add((iri, GK.wording, Literal(s.wording)))
    if s.valid_from is not None:
        g.add((iri, GK.validFrom, date_literal(s.valid_from)))
        g.add((iri, GK.validFromPrecision, PRECISION_TERMS[s.valid_from.precision]))
        g.add((iri, GK.inForceFrom, Literal(in_force_start(s.valid_from))))
    g.add((iri, GK.validFromBasis, BASIS_TERMS[s.valid_from_basis]))
    if s.valid_until is not None:
        g.add((iri, GK.validUntil, date_literal(s.valid_until)))
        g.add((iri, GK.validUntilPrecision, PRECISION_TERMS[s.valid_until.precision]))
        g.add((iri, GK.inForceUntil, Literal(in_force_end(s.valid_until))))
    g.add((iri, GK.temporary, Literal(s.temporary)))
    g.add((iri, PROV.wasDerivedFrom, version_iri))
    if s.note:
        g.add((iri, SKOS.editorialNote, Literal(s.note)))
    for o in s.overrides:
        target = minter.statement(o.target)
        node = minter.override(s.key, o.target)
        g.add((iri, GK.overrides, target))
        g.add((iri, GK.qualifiedOverride, node))
        g.add((node, RDF.type, GK.Override))
        g.add((node, GK.overriddenStatement, target))
        g.add((node, GK.overrideKind, OVERRIDE_KIND_TERMS[o.kind]))


def union_graph(ds: Dataset) -> Graph:
    """Return one graph holding every triple of every graph in ``ds`` (what SHACL validates)."""
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g
