"""Describe the dataset for data catalogues: DCAT 3 and VoID, served at ``/.well-known/void`` and exported.

Everything in the description comes from the model (sources, their publishers and rights statements, the dates
the data names) or from this server's own addresses (the SPARQL endpoint, the API, the downloads). Nothing is
invented: the data gives each source's rights as a statement (``attribution``), not as a licence, so each
source carries ``dcterms:rights`` and the dataset names no licence of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, SKOS, VOID

from guidancekg.graph.dates import PartialDate
from guidancekg.graph.engine.model import Model
from guidancekg.graph.rdf.iris import Minter, normalise_base
from guidancekg.graph.rdf.writer import bind_prefixes, date_literal
from guidancekg.ontology.vocab import FORMATS, NP, OA, VOCAB_IRI

WELL_KNOWN_PATH = ".well-known/void"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
TITLE = "guidancekg: health guidance that remembers time"
DESCRIPTION = ("Guidance statements on medicines from regulators, guidance bodies and patient information, each "
               "with the dates it applies, the source versions that assert it (a verbatim quote at its offsets "
               "in a held text, or a citation) and the overrides between statements, one named graph per source "
               "version.")
# How many statements the description names as void:exampleResource (the first ones, by key).
EXAMPLES = 3


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name (``--format``, ``/export/{name}``), media type, file suffix and title."""

    name: str
    media_type: str
    suffix: str
    title: str
    conforms_to: str | None = None


EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("trig", "application/trig", "trig", "The whole graph in TriG (every named graph)",
                 "http://www.w3.org/TR/trig/"),
    ExportFormat("nquads", "application/n-quads", "nq", "The whole graph in N-Quads (every named graph)",
                 "http://www.w3.org/TR/n-quads/"),
    ExportFormat("turtle", "text/turtle", "ttl", "The union of every graph in Turtle",
                 "http://www.w3.org/TR/turtle/"),
    ExportFormat("jsonld", "application/ld+json", "jsonld", "The whole graph in JSON-LD (every named graph)",
                 "http://www.w3.org/TR/json-ld11/"),
    ExportFormat("fhir", "application/fhir+json", "json",
                 "Every statement as FHIR R5 resources in one Bundle (collection)", "http://hl7.org/fhir/R5/"),
    ExportFormat("nanopub", "application/trig", "trig",
                 "One nanopublication per record of a statement, in one TriG document",
                 str(NP).rstrip("#")),
)}


def description_graph_iri(minter: Minter) -> URIRef:
    """Return the address of the description, which also names its graph in the export."""
    return URIRef(normalise_base(minter.base) + WELL_KNOWN_PATH)


def dataset_iri(base: str) -> URIRef:
    """Return the IRI of the dataset: a fragment of the description's own address."""
    return URIRef(normalise_base(base) + WELL_KNOWN_PATH + "#dataset")


def temporal_coverage(model: Model) -> tuple[PartialDate, PartialDate] | None:
    """Return the earliest and the latest date the data names (validity bounds and record dates), or None."""
    dates = [s.valid_from for s in model.statements.values()]
    dates += [s.valid_until for s in model.statements.values() if s.valid_until is not None]
    dates += [v.published for v in model.versions.values()]
    if not dates:
        return None
    return min(dates, key=lambda d: d.lo), max(dates, key=lambda d: d.hi)


def describe(model: Model, minter: Minter, server: str | None = None) -> Graph:
    """Return the DCAT and VoID description of the dataset whose IRIs ``minter`` mints (under its base).

    ``server`` is the public URL of the server that serves it (its SPARQL endpoint, API and downloads); without
    one (an export), those addresses are written under the minting base, where a deployment would serve them.
    """
    base = minter.base
    root = normalise_base(server or base)
    here = normalise_base(base) + WELL_KNOWN_PATH + "#"
    g = Graph()
    bind_prefixes(g)
    for prefix, ns in (("dcat", DCAT), ("void", VOID)):
        g.bind(prefix, ns)
    dataset = dataset_iri(base)
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((dataset, DCAT.landingPage, URIRef(root)))
    publisher = URIRef(here + "publisher")
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("guidancekg")))
    g.add((publisher, FOAF.homepage, URIRef(root)))
    coverage = temporal_coverage(model)
    if coverage is not None:
        period = URIRef(here + "temporal-coverage")
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, date_literal(coverage[0])))
        g.add((period, DCAT.endDate, date_literal(coverage[1])))
    sparql = URIRef(root + "sparql")
    g.add((dataset, VOID.sparqlEndpoint, sparql))
    g.add((dataset, VOID.uriSpace, Literal(normalise_base(base) + "id/")))
    g.add((dataset, VOID.feature, FORMATS.TriG))
    for vocabulary in (VOCAB_IRI, str(PROV), str(DCTERMS), str(SKOS), str(OA)):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for s in sorted(model.statements.values(), key=lambda s: s.key)[:EXAMPLES]:
        g.add((dataset, VOID.exampleResource, minter.statement(s.key)))
    _add_services(g, dataset, here, root, sparql)
    _add_distributions(g, dataset, here, root)
    _add_sources(g, dataset, here, model, minter)
    return g


def _add_services(g: Graph, dataset: URIRef, here: str, root: str, sparql: URIRef) -> None:
    for name, title, endpoint, description in (
        ("sparql", "Read-only SPARQL 1.1 endpoint", sparql, sparql),
        ("api", "JSON API (answers also as FHIR R5 Bundles)", URIRef(root + "api/"),
         URIRef(root + "api/openapi.json")),
    ):
        service = URIRef(here + name)
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCTERMS.title, Literal(title, lang="en")))
        g.add((service, DCAT.endpointURL, endpoint))
        g.add((service, DCAT.endpointDescription, description))
        g.add((service, DCAT.servesDataset, dataset))
    g.add((URIRef(here + "sparql"), DCTERMS.conformsTo, URIRef("http://www.w3.org/TR/sparql11-protocol/")))


def _add_distributions(g: Graph, dataset: URIRef, here: str, root: str) -> None:
    for fmt in EXPORT_FORMATS.values():
        dist = URIRef(here + "distribution-" + fmt.name)
        download = URIRef(root + "export/" + fmt.name)
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(fmt.title, lang="en")))
        g.add((dist, DCAT.accessURL, download))
        g.add((dist, DCAT.downloadURL, download))
        g.add((dist, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + fmt.media_type)))
        if fmt.conforms_to:
            g.add((dist, DCTERMS.conformsTo, URIRef(fmt.conforms_to)))
        if fmt.name == "trig":
            g.add((dataset, VOID.dataDump, download))
    answers = URIRef(here + "distribution-fhir-guidance")
    g.add((dataset, DCAT.distribution, answers))
    g.add((answers, RDF.type, DCAT.Distribution))
    g.add((answers, DCTERMS.title, Literal("The guidance on a date as a FHIR R5 Bundle (GET /api/guidance with "
                                           "Accept: application/fhir+json)", lang="en")))
    g.add((answers, DCAT.accessURL, URIRef(root + "api/guidance")))
    g.add((answers, DCAT.accessService, URIRef(here + "api")))
    g.add((answers, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + "application/fhir+json")))
    g.add((answers, DCTERMS.conformsTo, URIRef("http://hl7.org/fhir/R5/")))


def _add_sources(g: Graph, dataset: URIRef, here: str, model: Model, minter: Minter) -> None:
    """Name each source with its publisher and, where the data gives one, its rights statement."""
    for src in sorted(model.sources.values(), key=lambda s: s.key):
        iri = minter.source(src.key)
        g.add((dataset, DCTERMS.source, iri))
        g.add((iri, DCTERMS.title, Literal(src.title)))
        agent = minter.agent(src.publisher)  # the publisher's IRI in the graph itself
        g.add((iri, DCTERMS.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, FOAF.name, Literal(src.publisher)))
        if src.url:
            g.add((iri, FOAF.page, URIRef(src.url)))
        if src.attribution:
            rights = URIRef(here + "rights-" + src.key)  # named, not blank: the same description, byte for byte
            g.add((iri, DCTERMS.rights, rights))
            g.add((rights, RDF.type, DCTERMS.RightsStatement))
            g.add((rights, RDFS.label, Literal(src.attribution)))

