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
from functools import cache
from itertools import pairwise

from rdflib import XSD, Dataset, Graph, Literal

from guidancekg.graph.corpus.records import Assertion, Corpus, Quote, Reach
from guidancekg.graph.dates import PartialDate, in_force_end, in_force_start, recorded_from
from guidancekg.graph.rdf.iris import Minter
from guidancekg.ontology.vocab import (
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    IDENTIFIER_KIND_TERMS,
    JURISDICTION,
    LEGAL_EFFECT_TERMS,
    NAMESPACES,
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

_XSD = str(XSD)
_DT = {"day": f"<{_XSD}date>", "month": f"<{_XSD}gYearMonth>", "year": f"<{_XSD}gYear>"}
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _lit(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def _maybe_lit(text: str | None) -> str | None:
    return _lit(text) if text else None


def _date_lit(value: PartialDate) -> str:
    return f'"{value.isoformat()}"^^{_DT[value.precision]}'


def _day_lit(day: object) -> str:
    return f'"{day}"^^{_DT["day"]}'


def _term(iri: object) -> str:
    return f"<{iri}>"


_TRUE = f'"true"^^<{_XSD}boolean>'
_FALSE = f'"false"^^<{_XSD}boolean>'

# What a node says: (predicate as a CURIE of ontology/vocab.py's prefixes, object term); None is not written.
Facts = Iterable[tuple[str, str | None]]


@cache
def _iri(curie: str) -> str:
    """Return the N-Triples term of ``curie`` ("gk:drug"), which its closed namespace must define.

    Cached: a build writes each term millions of times, and a closed namespace checks the name at every lookup.
    """
    prefix, name = curie.split(":", 1)
    return f"<{NAMESPACES[prefix][name]}>"


def _describe(add: Callable[[str], None], node: str, end: str, facts: Facts) -> None:
    """Write one line per fact about ``node`` whose object is not None."""
    for curie, obj in facts:
        if obj is not None:
            add(f"{node} {_iri(curie)} {obj}{end}")


def _evidence_lines(add: Callable[[str], None], node: str, evidence: Assertion | Reach, quoted: str | None,
                    end: str) -> None:
    """Write what a record or a reach says and how sure it is: wording, both confidences, citation, quote, note.

    ``quoted`` is the held text a quote is taken from (none: the quote is not written).
    """
    _describe(add, _term(node), end, [
        ("gk:wording", None if evidence.wording is None else _lit(evidence.wording)),
        ("gk:wordingConfidence", _term(CONFIDENCE_TERMS[evidence.wording_confidence])),
        ("gk:dateConfidence", _term(CONFIDENCE_TERMS[evidence.date_confidence])),
        ("dcterms:source", _term(evidence.citation_url) if evidence.citation_url else None),
        ("dcterms:bibliographicCitation", _maybe_lit(evidence.document)),
        ("skos:editorialNote", _maybe_lit(evidence.note))])
    if evidence.quote is not None and quoted is not None:
        _quotation_lines(add, node, quoted, evidence.quote, end)


def _quotation_lines(add: Callable[[str], None], node: str, quoted: str, quote: Quote, end: str) -> None:
    """Write ``node``'s gk:quotation: a passage of ``quoted`` with its quote and position selectors."""
    passage, quote_sel, position_sel = f"<{node}/passage>", f"<{node}/quote>", f"<{node}/position>"
    add(f"<{node}> {_iri('gk:quotation')} {passage}{end}")
    _describe(add, passage, end, [("rdf:type", _iri("oa:SpecificResource")), ("oa:hasSource", quoted),
                                  ("oa:hasSelector", quote_sel), ("oa:hasSelector", position_sel)])
    _describe(add, quote_sel, end, [("rdf:type", _iri("oa:TextQuoteSelector")), ("oa:exact", _lit(quote.exact))])
    offset = f"^^<{_XSD}nonNegativeInteger>"
    _describe(add, position_sel, end, [("rdf:type", _iri("oa:TextPositionSelector")),
                                       ("oa:start", f'"{quote.start}"{offset}'), ("oa:end", f'"{quote.end}"{offset}')])


def jurisdiction_lines(corpus: Corpus, minter: Minter, graph: str) -> list[str]:
    """Return the jurisdiction scheme (SKOS concepts, ISO 3166 notations, nesting) and the reach records."""
    out: list[str] = []
    add = out.append
    end = f"{graph} .\n"
    for j in corpus.jurisdictions.values():
        c = _term(JURISDICTION[j.code])
        within = None if j.within is None else _term(JURISDICTION[j.within])
        _describe(add, c, end, [
            ("rdf:type", _iri("skos:Concept")), ("rdf:type", _iri("gk:Jurisdiction")),
            ("skos:inScheme", _iri("gk:JurisdictionScheme")),
            ("dcterms:identifier", _lit(j.code)), ("skos:notation", _lit(j.code)),
            ("skos:prefLabel", f"{_lit(j.name)}@en"),
            ("skos:notation", f"{_lit(j.iso3166)}^^{_iri('gk:ISO3166Code')}" if j.iso3166 else None),
            ("skos:topConceptOf", _iri("gk:JurisdictionScheme") if within is None else None),
            ("skos:broader", within),
            ("skos:editorialNote", _maybe_lit(j.note)),
            *(("skos:notation", f"{_lit(alias)}^^{_iri('gk:FormerCode')}") for alias in j.aliases)])
        if within is not None:
            add(f"{within} {_iri('skos:narrower')} {c}{end}")
    for r in corpus.reach:
        node = str(minter.reach(r.key))
        _describe(add, _term(node), end, [
            ("rdf:type", _iri("gk:Reach")), ("dcterms:identifier", _lit(r.key)),
            ("gk:reachOf", _term(JURISDICTION[r.of])), ("gk:reachInto", _term(JURISDICTION[r.into])),
            ("gk:reachFrom", None if r.valid_from is None else _day_lit(r.valid_from.lo)),
            ("gk:reachUntil", None if r.valid_until is None else _day_lit(r.valid_until.lo)),
            ("gk:carriesTermsOf", None if r.carries is None else _day_lit(r.carries.lo))])
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
    out: list[str] = []
    add = out.append
    end = f"{graph} .\n"
    for drug in corpus.drugs.values():
        if drugs is None or drug.key in drugs:
            _describe(add, _term(minter.drug(drug.key)), end, [
                ("rdf:type", _iri("gk:Drug")), ("dcterms:identifier", _lit(drug.key)),
                ("rdfs:label", _lit(drug.label)),
                *(("skos:altLabel", _lit(brand)) for brand in drug.brand_names)])
    agents: set[str] = set()
    for source in corpus.sources.values():
        if sources is not None and source.key not in sources:
            continue
        s = _term(minter.source(source.key))
        agent = _term(minter.agent(source.publisher))
        _describe(add, s, end, [
            ("rdf:type", _iri("gk:Source")), ("dcterms:identifier", _lit(source.key)),
            ("dcterms:title", _lit(source.title)),
            ("dcterms:publisher", agent), ("gk:sourceKind", _term(SOURCE_KIND_TERMS[source.kind])),
            ("gk:jurisdiction", _term(JURISDICTION[source.jurisdiction])),
            ("foaf:page", _term(source.url) if source.url else None),
            ("dcterms:rights", _maybe_lit(source.attribution)),
            ("skos:editorialNote", _maybe_lit(source.note))])
        if agent not in agents:
            agents.add(agent)
            _describe(add, agent, end, [("rdf:type", _iri("prov:Organization")),
                                        ("rdf:type", _iri("foaf:Organization")), ("foaf:name", _lit(source.publisher))])
        for kind, value in source.identifiers:
            node = _term(identifier_iri(minter.source(source.key), kind))
            add(f"{s} {_iri('adms:identifier')} {node}{end}")
            _describe(add, node, end, [("rdf:type", _iri("adms:Identifier")), ("skos:notation", _lit(value)),
                                       ("dcterms:type", _term(IDENTIFIER_KIND_TERMS[kind]))])
    if superseded is None:
        superseded = superseded_from(corpus)
    for version in corpus.versions.values():
        if versions is not None and version.id not in versions:
            continue
        _describe(add, _term(minter.version(version.source, version.key)), end, [
            ("rdf:type", _iri("gk:Version")), ("dcterms:identifier", _lit(version.key)),
            ("dcterms:isVersionOf", _term(minter.source(version.source))),
            ("dcterms:issued", _date_lit(version.published)),
            ("gk:recordedFrom", _day_lit(recorded_from(version.published))),
            ("gk:dateConfidence", _term(CONFIDENCE_TERMS[version.date_confidence])),
            ("gk:supersededFrom", _day_lit(superseded[version.id]) if version.id in superseded else None),
            ("dcterms:source", _term(version.url) if version.url else None),
            ("prov:wasRevisionOf", _term(minter.version(version.source, version.revises)) if version.revises else None),
            ("gk:heldText", None if version.text is None else _lit(version.text)),
            ("gk:sha256", None if version.text is None else _lit(version.sha256 or "")),
            ("skos:editorialNote", _maybe_lit(version.note))])
    for ref in corpus.references.values():  # few and small: every chunk has them all
        _describe(add, _term(minter.reference(ref.key)), end, [
            ("rdf:type", _iri("gk:Reference")), ("dcterms:identifier", _lit(ref.key)),
            ("dcterms:title", _lit(ref.title)),
            ("gk:heldText", None if ref.text is None else _lit(ref.text)), ("gk:sha256", _lit(ref.sha256)),
            ("dcterms:rights", _maybe_lit(ref.attribution)), ("skos:editorialNote", _maybe_lit(ref.note))])
    out.extend(jurisdiction_lines(corpus, minter, graph))  # few: every chunk has them all
    return out


def assertion_lines(corpus: Corpus, minter: Minter, assertions: Iterable[Assertion], prov_graph: str, *,
                    graphs: bool = True) -> list[str]:
    """Return, for each assertion, the statement's content in its version's graph and the record in the
    provenance graph (``prov_graph`` as in :func:`catalogue_lines`); ``graphs=False`` writes N-Triples."""
    out: list[str] = []
    add = out.append
    pend = f"{prov_graph} .\n"
    for a in assertions:
        s = corpus.statements[a.statement]
        version_iri = _term(minter.version(a.source, a.version))
        end = f" {version_iri} .\n" if graphs else " .\n"
        iri = _term(minter.statement(s.key))
        until = s.valid_until
        _describe(add, iri, end, [
            ("rdf:type", _iri("gk:Statement")), ("dcterms:identifier", _lit(s.key)),
            ("gk:drug", _term(minter.drug(s.drug))),
            ("gk:topic", _term(TOPIC[s.topic])), ("gk:jurisdiction", _term(JURISDICTION[s.jurisdiction])),
            ("gk:validFrom", _date_lit(s.valid_from)),
            ("gk:validFromPrecision", _term(PRECISION_TERMS[s.valid_from.precision])),
            ("gk:inForceFrom", _day_lit(in_force_start(s.valid_from))),
            ("gk:validFromBasis", _term(BASIS_TERMS[s.valid_from_basis])),
            ("gk:validUntil", None if until is None else _date_lit(until)),
            ("gk:validUntilPrecision", None if until is None else _term(PRECISION_TERMS[until.precision])),
            ("gk:inForceUntil", None if until is None else _day_lit(in_force_end(until))),
            ("gk:temporary", _TRUE if s.temporary else _FALSE),
            ("gk:legalEffect", _term(LEGAL_EFFECT_TERMS[s.legal_effect]) if s.legal_effect else None),
            ("gk:reservedUse", _TRUE if s.reserved else None), ("prov:wasDerivedFrom", version_iri),
            ("skos:editorialNote", _maybe_lit(s.note))])
        for o in s.overrides:
            target = _term(minter.statement(o.target))
            node = _term(minter.override(s.key, o.target))
            _describe(add, iri, end, [("gk:overrides", target), ("gk:qualifiedOverride", node)])
            _describe(add, node, end, [("rdf:type", _iri("gk:Override")), ("gk:overriddenStatement", target),
                                       ("gk:overrideKind", _term(OVERRIDE_KIND_TERMS[o.kind]))])
        record_iri = str(minter.record(a.statement, a.source, a.version))
        record = _term(record_iri)
        _describe(add, iri, pend, [("prov:qualifiedDerivation", record),
                                   ("gk:definingRecord", record if a.defines else None)])
        _describe(add, record, pend, [("rdf:type", _iri("prov:Derivation")), ("prov:entity", version_iri),
                                      ("gk:confidence", _term(CONFIDENCE_TERMS[a.wording_confidence]))])
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
