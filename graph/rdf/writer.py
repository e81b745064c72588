"""Write a checked :class:`~guidancekg.graph.corpus.records.Corpus` as RDF: one named graph per version, plus
provenance.

What a version asserts (each statement's content, overrides included) goes in the version's own graph, named
by the version's IRI, so "which versions assert S" is a ``GRAPH`` pattern. Sources, versions (with their held
texts and SHA-256), drugs, and every record of a statement (a ``prov:Derivation`` with its Web Annotation
selectors, or a citation) go in the provenance graph. The vocabulary goes in a graph of its own.

There is one generator, :func:`build_nquads`: N-Quads lines written straight from the records, streamed in
chunks, so memory stays small at any size. Where a small graph is wanted as rdflib objects (the in-memory
store, an ingest's diff), :func:`build_dataset` parses those same lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import pairwise

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from guidancekg.graph.corpus.records import Assertion, Corpus, Quote, Reach
from guidancekg.graph.dates import PartialDate, in_force_end, in_force_start, recorded_from
from guidancekg.graph.rdf.iris import Minter
from guidancekg.ontology.vocab import (
    ADMS,
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    GK,
    IDENTIFIER_KIND_TERMS,
    JURISDICTION,
    LEGAL_EFFECT_TERMS,
    OA,
    OVERRIDE_KIND_TERMS,
    PRECISION_TERMS,
    PREFIXES,
    SOURCE_KIND_TERMS,
    TOPIC,
)


def date_literal(value: PartialDate) -> Literal:
    """Return ``value`` as the ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` literal the writer gives it."""
    datatype = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[value.precision]
    return Literal(value.isoformat(), datatype=datatype)


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's usual prefixes on a graph or dataset."""
    for prefix, iri in PREFIXES.items():  # the one prefix table (ontology/vocab.py)
        graph.bind(prefix, iri, override=True)


def superseded_from(corpus: Corpus) -> dict[str, date]:
    """Return, per version id, the record day of the next version of its source (none for the latest).

    Versions of a source are ordered by record day, then key, as the engine orders them; a version is the
    latest one recorded at K when ``recordedFrom <= K`` and not ``supersededFrom <= K``, so SPARQL can ask for
    it without comparing the versions of a source with each other.
    """
    by_source: dict[str, list[tuple[date, str, str]]] = defaultdict(list)
    for v in corpus.versions.values():
        by_source[v.source].append((recorded_from(v.published), v.key, v.id))
    out: dict[str, date] = {}
    for items in by_source.values():
        items.sort()
        for (_day, _key, vid), (next_day, _k, _v) in pairwise(items):
            out[vid] = next_day
    return out


def build_dataset(corpus: Corpus, minter: Minter, vocabulary: Graph | None = None) -> Dataset:
    """Return the dataset of :func:`build_nquads` as an rdflib :class:`Dataset` (for small graphs)."""
    ds = Dataset()
    ds.parse(data=b"".join(build_nquads(corpus, minter, vocabulary)).decode("utf-8"), format="nquads")
    bind_prefixes(ds)
    return ds


def identifier_iri(source: str, kind: str) -> str:
    """Return the IRI of a source's identifier of ``kind``: a fragment of the source's own IRI."""
    return f"{source}#identifier-{kind}"


def union_graph(ds: Dataset) -> Graph:
    """Return one graph holding every triple of every graph in ``ds`` (what SHACL validates)."""
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


# -- N-Quads lines ------------------------------------------------------------------------------------------
#
# Each function returns lines for one part of the dataset; with a graph of "" they are N-Triples (the union graph
# that SHACL validates, chunk by chunk).

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DT = {"day": f"<{_XSD}date>", "month": f"<{_XSD}gYearMonth>", "year": f"<{_XSD}gYear>"}
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_P = {name: f"<{iri}>" for name, iri in {
    "type": str(RDF.type), "label": str(RDFS.label), "identifier": str(DCTERMS.identifier),
    "title": str(DCTERMS.title), "publisher": str(DCTERMS.publisher), "isVersionOf": str(DCTERMS.isVersionOf),
    "issued": str(DCTERMS.issued), "source": str(DCTERMS.source), "rights": str(DCTERMS.rights),
    "altLabel": str(SKOS.altLabel), "note": str(SKOS.editorialNote), "name": str(FOAF.name),
    "page": str(FOAF.page), "revision": str(PROV.wasRevisionOf), "derivation": str(PROV.qualifiedDerivation),
    "entity": str(PROV.entity), "derivedFrom": str(PROV.wasDerivedFrom), "Derivation": str(PROV.Derivation),
    "Organization": str(PROV.Organization), "FoafOrganization": str(FOAF.Organization),
    "Drug": str(GK.Drug), "Source": str(GK.Source), "Reference": str(GK.Reference),
    "citationText": str(DCTERMS.bibliographicCitation), "Version": str(GK.Version), "Statement": str(GK.Statement),
    "Override": str(GK.Override), "sourceKind": str(GK.sourceKind), "jurisdiction": str(GK.jurisdiction),
    "recordedFrom": str(GK.recordedFrom), "supersededFrom": str(GK.supersededFrom),
    "heldText": str(GK.heldText), "sha256": str(GK.sha256),
    "confidence": str(GK.confidence), "quotation": str(GK.quotation), "drug": str(GK.drug),
    "topic": str(GK.topic), "wording": str(GK.wording), "validFrom": str(GK.validFrom),
    "validFromPrecision": str(GK.validFromPrecision), "inForceFrom": str(GK.inForceFrom),
    "validFromBasis": str(GK.validFromBasis), "validUntil": str(GK.validUntil),
    "validUntilPrecision": str(GK.validUntilPrecision), "inForceUntil": str(GK.inForceUntil),
    "temporary": str(GK.temporary), "overrides": str(GK.overrides), "qualifiedOverride": str(GK.qualifiedOverride),
    "overriddenStatement": str(GK.overriddenStatement), "overrideKind": str(GK.overrideKind),
    "SpecificResource": str(OA.SpecificResource), "hasSource": str(OA.hasSource),
    "hasSelector": str(OA.hasSelector), "TextQuoteSelector": str(OA.TextQuoteSelector), "exact": str(OA.exact),
    "TextPositionSelector": str(OA.TextPositionSelector), "start": str(OA.start), "end": str(OA.end),
    "admsIdentifier": str(ADMS.identifier), "Identifier": str(ADMS.Identifier), "notation": str(SKOS.notation),
    "dcType": str(DCTERMS.type),
    "wordingConfidence": str(GK.wordingConfidence), "dateConfidence": str(GK.dateConfidence),
    "legalEffect": str(GK.legalEffect), "reservedUse": str(GK.reservedUse), "definingRecord": str(GK.definingRecord),
    "Jurisdiction": str(GK.Jurisdiction), "Concept": str(SKOS.Concept), "inScheme": str(SKOS.inScheme),
    "topConceptOf": str(SKOS.topConceptOf), "prefLabel": str(SKOS.prefLabel),
    "broader": str(SKOS.broader), "narrower": str(SKOS.narrower), "JurisdictionScheme": str(GK.JurisdictionScheme),
    "Reach": str(GK.Reach), "reachOf": str(GK.reachOf), "reachInto": str(GK.reachInto),
    "reachFrom": str(GK.reachFrom), "reachUntil": str(GK.reachUntil), "carriesTermsOf": str(GK.carriesTermsOf),
}.items()}


def _lit(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def _date_lit(value: PartialDate) -> str:
    return f'"{value.isoformat()}"^^{_DT[value.precision]}'


def _day_lit(day: object) -> str:
    return f'"{day}"^^{_DT["day"]}'


def _term(iri: object) -> str:
    return f"<{iri}>"


def _evidence_lines(add: Callable[[str], None], node: str, evidence: Assertion | Reach, quoted: str | None,
                    end: str) -> None:
    """Write what a record or a reach says and how sure it is: wording, both confidences, citation, quote, note.

    ``quoted`` is the held text a quote is taken from (none: the quote is not written).
    """
    p, n = _P, _term(node)
    if evidence.wording is not None:
        add(f"{n} {p['wording']} {_lit(evidence.wording)}{end}")
    add(f"{n} {p['wordingConfidence']} {_term(CONFIDENCE_TERMS[evidence.wording_confidence])}{end}")
    add(f"{n} {p['dateConfidence']} {_term(CONFIDENCE_TERMS[evidence.date_confidence])}{end}")
    if evidence.citation_url:
        add(f"{n} {p['source']} {_term(evidence.citation_url)}{end}")
    if evidence.document:
        add(f"{n} {p['citationText']} {_lit(evidence.document)}{end}")
    if evidence.quote is not None and quoted is not None:
        _quotation_lines(add, node, quoted, evidence.quote, end)
    if evidence.note:
        add(f"{n} {p['note']} {_lit(evidence.note)}{end}")


def _quotation_lines(add: Callable[[str], None], node: str, quoted: str, quote: Quote, end: str) -> None:
    """Write ``node``'s gk:quotation: a passage of ``quoted`` with its quote and position selectors."""
    p = _P
    passage, quote_sel, position_sel = f"<{node}/passage>", f"<{node}/quote>", f"<{node}/position>"
    add(f"<{node}> {p['quotation']} {passage}{end}")
    add(f"{passage} {p['type']} {p['SpecificResource']}{end}")
    add(f"{passage} {p['hasSource']} {quoted}{end}")
    add(f"{passage} {p['hasSelector']} {quote_sel}{end}")
    add(f"{passage} {p['hasSelector']} {position_sel}{end}")
    add(f"{quote_sel} {p['type']} {p['TextQuoteSelector']}{end}")
    add(f"{quote_sel} {p['exact']} {_lit(quote.exact)}{end}")
    add(f"{position_sel} {p['type']} {p['TextPositionSelector']}{end}")
    add(f'{position_sel} {p["start"]} "{quote.start}"^^<{_XSD}nonNegativeInteger>{end}')
    add(f'{position_sel} {p["end"]} "{quote.end}"^^<{_XSD}nonNegativeInteger>{end}')


def jurisdiction_lines(corpus: Corpus, minter: Minter, graph: str) -> list[str]:
    """Return the jurisdiction scheme (SKOS concepts, ISO 3166 notations, nesting) and the reach records."""
    p = _P
    out: list[str] = []
    add = out.append
    end = f"{graph} .\n"
    for j in corpus.jurisdictions.values():
        c = _term(JURISDICTION[j.code])
        add(f"{c} {p['type']} {p['Concept']}{end}")
        add(f"{c} {p['type']} {p['Jurisdiction']}{end}")
        add(f"{c} {p['inScheme']} {p['JurisdictionScheme']}{end}")
        add(f"{c} {p['identifier']} {_lit(j.code)}{end}")
        add(f"{c} {p['notation']} {_lit(j.code)}{end}")
        add(f'{c} {p["prefLabel"]} {_lit(j.name)}@en{end}')
        if j.iso3166:
            add(f"{c} {p['notation']} {_lit(j.iso3166)}^^{_term(GK.ISO3166Code)}{end}")
        for alias in j.aliases:
            add(f"{c} {p['notation']} {_lit(alias)}^^{_term(GK.FormerCode)}{end}")
        if j.within is None:
            add(f"{c} {p['topConceptOf']} {p['JurisdictionScheme']}{end}")
        else:
            add(f"{c} {p['broader']} {_term(JURISDICTION[j.within])}{end}")
            add(f"{_term(JURISDICTION[j.within])} {p['narrower']} {c}{end}")
        if j.note:
            add(f"{c} {p['note']} {_lit(j.note)}{end}")
    for r in corpus.reach:
        node = str(minter.reach(r.key))
        n = _term(node)
        add(f"{n} {p['type']} {p['Reach']}{end}")
        add(f"{n} {p['identifier']} {_lit(r.key)}{end}")
        add(f"{n} {p['reachOf']} {_term(JURISDICTION[r.of])}{end}")
        add(f"{n} {p['reachInto']} {_term(JURISDICTION[r.into])}{end}")
        if r.valid_from is not None:
            add(f"{n} {p['reachFrom']} {_day_lit(r.valid_from.lo)}{end}")
        if r.valid_until is not None:
            add(f"{n} {p['reachUntil']} {_day_lit(r.valid_until.lo)}{end}")
        if r.carries is not None:
            add(f"{n} {p['carriesTermsOf']} {_day_lit(r.carries.lo)}{end}")
        quoted = _term(minter.reference(r.reference)) if r.reference is not None else None
        _evidence_lines(add, node, r, quoted, end)
    return out


def catalogue_lines(corpus: Corpus, minter: Minter, graph: str, *, versions: set[str] | None = None,
                    sources: set[str] | None = None, drugs: set[str] | None = None,
                    superseded: dict[str, date] | None = None) -> list[str]:
    """Return the provenance graph's catalogue (drugs, sources, publishers, versions) as N-Quads lines.

    ``graph`` is the graph term with a leading space (``" <iri>"``), or ``""`` for N-Triples. ``versions``
    (ids), ``sources`` and ``drugs`` (keys) restrict it to those; None means all. ``superseded`` is
    :func:`superseded_from` of the corpus, when the caller has it already.
    """
    p = _P
    out: list[str] = []
    add = out.append
    end = f"{graph} .\n"
    for drug in corpus.drugs.values():
        if drugs is not None and drug.key not in drugs:
            continue
        d = _term(minter.drug(drug.key))
        add(f"{d} {p['type']} {p['Drug']}{end}")
        add(f"{d} {p['identifier']} {_lit(drug.key)}{end}")
        add(f"{d} {p['label']} {_lit(drug.label)}{end}")
        for brand in drug.brand_names:
            add(f"{d} {p['altLabel']} {_lit(brand)}{end}")
    agents: set[str] = set()
    for source in corpus.sources.values():
        if sources is not None and source.key not in sources:
            continue
        s = _term(minter.source(source.key))
        agent = _term(minter.agent(source.publisher))
        add(f"{s} {p['type']} {p['Source']}{end}")
        add(f"{s} {p['identifier']} {_lit(source.key)}{end}")
        add(f"{s} {p['title']} {_lit(source.title)}{end}")
        add(f"{s} {p['publisher']} {agent}{end}")
        if agent not in agents:
            agents.add(agent)
            add(f"{agent} {p['type']} {p['Organization']}{end}")
            add(f"{agent} {p['type']} {p['FoafOrganization']}{end}")
            add(f"{agent} {p['name']} {_lit(source.publisher)}{end}")
        add(f"{s} {p['sourceKind']} {_term(SOURCE_KIND_TERMS[source.kind])}{end}")
        add(f"{s} {p['jurisdiction']} {_term(JURISDICTION[source.jurisdiction])}{end}")
        if source.url:
            add(f"{s} {p['page']} {_term(source.url)}{end}")
        if source.attribution:
            add(f"{s} {p['rights']} {_lit(source.attribution)}{end}")
        if source.note:
            add(f"{s} {p['note']} {_lit(source.note)}{end}")
        for kind, value in source.identifiers:
            node = _term(identifier_iri(minter.source(source.key), kind))
            add(f"{s} {p['admsIdentifier']} {node}{end}")
            add(f"{node} {p['type']} {p['Identifier']}{end}")
            add(f"{node} {p['notation']} {_lit(value)}{end}")
            add(f"{node} {p['dcType']} {_term(IDENTIFIER_KIND_TERMS[kind])}{end}")
    if superseded is None:
        superseded = superseded_from(corpus)
    for version in corpus.versions.values():
        if versions is not None and version.id not in versions:
            continue
        v = _term(minter.version(version.source, version.key))
        add(f"{v} {p['type']} {p['Version']}{end}")
        add(f"{v} {p['identifier']} {_lit(version.key)}{end}")
        add(f"{v} {p['isVersionOf']} {_term(minter.source(version.source))}{end}")
        add(f"{v} {p['issued']} {_date_lit(version.published)}{end}")
        add(f"{v} {p['recordedFrom']} {_day_lit(recorded_from(version.published))}{end}")
        add(f"{v} {p['dateConfidence']} {_term(CONFIDENCE_TERMS[version.date_confidence])}{end}")
        if version.id in superseded:
            add(f"{v} {p['supersededFrom']} {_day_lit(superseded[version.id])}{end}")
        if version.url:
            add(f"{v} {p['source']} {_term(version.url)}{end}")
        if version.revises:
            add(f"{v} {p['revision']} {_term(minter.version(version.source, version.revises))}{end}")
        if version.text is not None:
            add(f"{v} {p['heldText']} {_lit(version.text)}{end}")
            add(f"{v} {p['sha256']} {_lit(version.sha256 or '')}{end}")
        if version.note:
            add(f"{v} {p['note']} {_lit(version.note)}{end}")
    for ref in corpus.references.values():  # few and small: every chunk has them all
        r = _term(minter.reference(ref.key))
        add(f"{r} {p['type']} {p['Reference']}{end}")
        add(f"{r} {p['identifier']} {_lit(ref.key)}{end}")
        add(f"{r} {p['title']} {_lit(ref.title)}{end}")
        if ref.text is not None:
            add(f"{r} {p['heldText']} {_lit(ref.text)}{end}")
        add(f"{r} {p['sha256']} {_lit(ref.sha256)}{end}")
        if ref.attribution:
            add(f"{r} {p['rights']} {_lit(ref.attribution)}{end}")
        if ref.note:
            add(f"{r} {p['note']} {_lit(ref.note)}{end}")
    out.extend(jurisdiction_lines(corpus, minter, graph))  # few: every chunk has them all
    return out


def assertion_lines(corpus: Corpus, minter: Minter, assertions: Iterable[Assertion], prov_graph: str, *,
                    graphs: bool = True) -> list[str]:
    """Return, for each assertion, the statement's content in its version's graph and the record in the
    provenance graph (``prov_graph`` as in :func:`catalogue_lines`); ``graphs=False`` writes N-Triples."""
    p = _P
    out: list[str] = []
    add = out.append
    pend = f"{prov_graph} .\n"
    for a in assertions:
        s = corpus.statements[a.statement]
        version_iri = _term(minter.version(a.source, a.version))
        end = f" {version_iri} .\n" if graphs else " .\n"
        iri = _term(minter.statement(s.key))
        add(f"{iri} {p['type']} {p['Statement']}{end}")
        add(f"{iri} {p['identifier']} {_lit(s.key)}{end}")
        add(f"{iri} {p['drug']} {_term(minter.drug(s.drug))}{end}")
        add(f"{iri} {p['topic']} {_term(TOPIC[s.topic])}{end}")
        add(f"{iri} {p['jurisdiction']} {_term(JURISDICTION[s.jurisdiction])}{end}")
        add(f"{iri} {p['validFrom']} {_date_lit(s.valid_from)}{end}")
        add(f"{iri} {p['validFromPrecision']} {_term(PRECISION_TERMS[s.valid_from.precision])}{end}")
        add(f"{iri} {p['inForceFrom']} {_day_lit(in_force_start(s.valid_from))}{end}")
        add(f"{iri} {p['validFromBasis']} {_term(BASIS_TERMS[s.valid_from_basis])}{end}")
        if s.valid_until is not None:
            add(f"{iri} {p['validUntil']} {_date_lit(s.valid_until)}{end}")
            add(f"{iri} {p['validUntilPrecision']} {_term(PRECISION_TERMS[s.valid_until.precision])}{end}")
            add(f"{iri} {p['inForceUntil']} {_day_lit(in_force_end(s.valid_until))}{end}")
        add(f'{iri} {p["temporary"]} "{"true" if s.temporary else "false"}"^^<{_XSD}boolean>{end}')
        if s.legal_effect:
            add(f"{iri} {p['legalEffect']} {_term(LEGAL_EFFECT_TERMS[s.legal_effect])}{end}")
        if s.reserved:
            add(f'{iri} {p["reservedUse"]} "true"^^<{_XSD}boolean>{end}')
        add(f"{iri} {p['derivedFrom']} {version_iri}{end}")
        if s.note:
            add(f"{iri} {p['note']} {_lit(s.note)}{end}")
        for o in s.overrides:
            target = _term(minter.statement(o.target))
            node = _term(minter.override(s.key, o.target))
            add(f"{iri} {p['overrides']} {target}{end}")
            add(f"{iri} {p['qualifiedOverride']} {node}{end}")
            add(f"{node} {p['type']} {p['Override']}{end}")
            add(f"{node} {p['overriddenStatement']} {target}{end}")
            add(f"{node} {p['overrideKind']} {_term(OVERRIDE_KIND_TERMS[o.kind])}{end}")
        record_iri = str(minter.record(a.statement, a.source, a.version))
        record = _term(record_iri)
        add(f"{iri} {p['derivation']} {record}{pend}")
        if a.defines:
            add(f"{iri} {p['definingRecord']} {record}{pend}")
        add(f"{record} {p['type']} {p['Derivation']}{pend}")
        add(f"{record} {p['entity']} {version_iri}{pend}")
        confidence = _term(CONFIDENCE_TERMS[a.wording_confidence])
        add(f"{record} {p['confidence']} {confidence}{pend}")
        quoted = _term(minter.reference(a.reference)) if a.reference else version_iri
        _evidence_lines(add, record_iri, a, quoted, pend)
    return out


def vocabulary_lines(vocabulary: Graph, graph: str) -> list[str]:
    """Return the vocabulary graph's triples as N-Quads lines in ``graph`` (as in :func:`catalogue_lines`)."""
    text = vocabulary.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line[:-2] + graph + " .\n" for line in text.splitlines() if line.endswith(" .")]


def build_nquads(corpus: Corpus, minter: Minter, vocabulary: Graph | None = None) -> Iterator[bytes]:
    """Yield the dataset of :func:`build_dataset` as N-Quads, in UTF-8 chunks (one per version's assertions)."""
    prov = f" {_term(minter.provenance_graph())}"
    if vocabulary is not None:
        yield "".join(vocabulary_lines(vocabulary, f" {_term(minter.vocabulary_graph())}")).encode("utf-8")
    yield "".join(catalogue_lines(corpus, minter, prov)).encode("utf-8")
    by_version: dict[str, list[Assertion]] = {}
    for a in corpus.assertions:
        by_version.setdefault(a.version_id, []).append(a)
    for batch in by_version.values():
        yield "".join(assertion_lines(corpus, minter, batch, prov)).encode("utf-8")
