"""The Turtle vocabulary, the closed Python namespaces, the shapes' lists and the JSON-LD context agree."""

from __future__ import annotations

import json

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SH, SKOS

from guidancekg.graph.rdf.shacl import load_shapes, load_vocabulary
from guidancekg.ontology import CONTEXT_FILE, vocab
from guidancekg.ontology.vocab import (
    GK,
    JURISDICTION,
    JURISDICTION_IRI,
    NAMESPACES,
    PREFIXES,
    TOPIC,
    TOPIC_IRI,
    TOPIC_KEYS,
    VOCAB_IRI,
)

GK_TERMS = sorted(dir(GK))
TOPIC_TERMS = [TOPIC[key] for key in TOPIC_KEYS]
SCHEMES = [
    (GK.PrecisionScheme, vocab.PRECISION_TERMS),
    (GK.DateBasisScheme, vocab.BASIS_TERMS),
    (GK.OverrideKindScheme, vocab.OVERRIDE_KIND_TERMS),
    (GK.SourceKindScheme, vocab.SOURCE_KIND_TERMS),
    (GK.ConfidenceScheme, vocab.CONFIDENCE_TERMS),
    (GK.IdentifierKindScheme, vocab.IDENTIFIER_KIND_TERMS),
    (GK.LegalEffectScheme, vocab.LEGAL_EFFECT_TERMS),
]


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return load_vocabulary()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def _iris_in(graph: Graph, namespace: str) -> set[URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(namespace)}


# --- the Python namespaces and the Turtle agree both ways --------------------------------------------------


def test_python_namespace_is_not_empty() -> None:
    assert GK.Statement in GK_TERMS and GK.validFrom in GK_TERMS and len(GK_TERMS) > 40


@pytest.mark.parametrize("term", GK_TERMS + TOPIC_TERMS, ids=str)
def test_python_term_is_declared(vocabulary: Graph, term: URIRef) -> None:
    assert (term, RDF.type, None) in vocabulary, f"{term} has no rdf:type in vocabulary.ttl"


@pytest.mark.parametrize(
    ("namespace", "known"),
    [(VOCAB_IRI, set(GK_TERMS)), (TOPIC_IRI, set(TOPIC_TERMS)), (JURISDICTION_IRI, set())],
)
def test_turtle_terms_are_in_python(vocabulary: Graph, namespace: str, known: set[URIRef]) -> None:
    # Any IRI of the namespace, wherever it appears: a typo in an object would otherwise go unnoticed.
    assert _iris_in(vocabulary, namespace) - known == set()


def test_shapes_use_only_declared_terms(shapes: Graph) -> None:
    used = _iris_in(shapes, VOCAB_IRI) | _iris_in(shapes, TOPIC_IRI) | _iris_in(shapes, JURISDICTION_IRI)
    # Jurisdictions are data (data/jurisdictions.yaml), so no shape names one.
    assert used - set(GK_TERMS + TOPIC_TERMS) == set()


def test_misspelt_term_raises() -> None:
    with pytest.raises(AttributeError):
        GK.Statment  # noqa: B018


def test_writer_refuses_a_misspelt_curie() -> None:
    """The N-Quads writer names predicates as CURIEs; they resolve through the same closed namespaces."""
    from guidancekg.graph.rdf.writer import _iri

    assert _iri("gk:drug") == f"<{GK.drug}>" and _iri("dcterms:identifier") == f"<{DCTERMS.identifier}>"
    for misspelt in ("gk:drugg", "dcterms:identifer", "skos:prefLable"):
        with pytest.raises(AttributeError):
            _iri(misspelt)


def test_prefix_table_is_the_namespaces() -> None:
    assert {name: str(ns) for name, ns in NAMESPACES.items()} == PREFIXES and PREFIXES["gk"] == str(GK)


@pytest.mark.parametrize("term", GK_TERMS + TOPIC_TERMS, ids=str)
def test_term_has_label_and_definition(vocabulary: Graph, term: URIRef) -> None:
    labels = list(vocabulary.objects(term, RDFS.label)) + list(vocabulary.objects(term, SKOS.prefLabel))
    assert labels, f"{term} has no rdfs:label or skos:prefLabel"
    definitions = [str(d) for d in vocabulary.objects(term, SKOS.definition)]
    assert definitions, f"{term} has no skos:definition"
    assert all(len(d.split()) >= 3 for d in definitions), f"{term}: a word or two defines nothing"


def test_ontology_header(vocabulary: Graph) -> None:
    ontology = URIRef("https://w3id.org/guidancekg/ns")
    assert (ontology, RDF.type, OWL.Ontology) in vocabulary
    assert (ontology, OWL.versionInfo, Literal("0.1.0")) in vocabulary
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert vocabulary.value(ontology, prop) is not None, prop
    seen = {str(o) for o in vocabulary.objects(ontology, RDFS.seeAlso)}
    assert {"http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#",
            "http://www.w3.org/ns/oa#"} <= seen


def test_classes_and_properties_are_typed(vocabulary: Graph) -> None:
    for term in GK_TERMS:
        name = str(term)[len(VOCAB_IRI):]
        types = set(vocabulary.objects(term, RDF.type))
        if name.endswith("Scheme"):
            assert SKOS.ConceptScheme in types, term
        elif name[0].islower():
            assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, term


def test_entities_reuse_prov(vocabulary: Graph) -> None:
    prov_entity = URIRef("http://www.w3.org/ns/prov#Entity")
    for cls in (GK.Source, GK.Version, GK.Statement):
        assert (cls, RDFS.subClassOf, prov_entity) in vocabulary


# --- the concept schemes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TOPIC_KEYS)
def test_topic_concept(vocabulary: Graph, key: str) -> None:
    concept = TOPIC[key]
    assert (concept, RDF.type, SKOS.Concept) in vocabulary
    assert (concept, SKOS.notation, Literal(key)) in vocabulary
    assert (concept, SKOS.inScheme, GK.TopicScheme) in vocabulary
    assert (concept, SKOS.topConceptOf, GK.TopicScheme) in vocabulary
    assert (GK.TopicScheme, SKOS.hasTopConcept, concept) in vocabulary


def test_topic_scheme_is_closed(vocabulary: Graph) -> None:
    assert set(vocabulary.subjects(SKOS.inScheme, GK.TopicScheme)) == set(TOPIC_TERMS)
    assert len(TOPIC_KEYS) == 13


def test_jurisdictions_are_data_not_vocabulary(vocabulary: Graph) -> None:
    assert not set(vocabulary.subjects(SKOS.inScheme, GK.JurisdictionScheme))
    assert not _iris_in(vocabulary, JURISDICTION_IRI)


@pytest.mark.parametrize(("scheme", "table"), SCHEMES, ids=lambda x: str(x) if isinstance(x, URIRef) else "")
def test_small_schemes_match_the_python_tables(vocabulary: Graph, scheme: URIRef, table: dict) -> None:
    assert (scheme, RDF.type, SKOS.ConceptScheme) in vocabulary
    assert set(vocabulary.subjects(SKOS.inScheme, scheme)) == set(table.values())
    for key, concept in table.items():
        assert (concept, SKOS.notation, Literal(key)) in vocabulary


# --- the shapes' closed lists are the schemes ---------------------------------------------------------------


def _in_lists(shapes: Graph, path: URIRef) -> list[set]:
    """Return the sh:in lists of every property shape with ``path``."""
    return [set(Collection(shapes, lst)) for shape in shapes.subjects(SH.path, path)
            for lst in shapes.objects(shape, SH["in"])]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (GK.topic, set(TOPIC_TERMS)),
        (GK.validFromPrecision, set(vocab.PRECISION_TERMS.values())),
        (GK.validUntilPrecision, set(vocab.PRECISION_TERMS.values())),
        (GK.validFromBasis, set(vocab.BASIS_TERMS.values())),
        (GK.overrideKind, set(vocab.OVERRIDE_KIND_TERMS.values())),
        (GK.sourceKind, set(vocab.SOURCE_KIND_TERMS.values())),
        (GK.legalEffect, set(vocab.LEGAL_EFFECT_TERMS.values())),
    ],
    ids=str,
)
def test_shape_lists_match_schemes(shapes: Graph, path: URIRef, expected: set) -> None:
    lists = _in_lists(shapes, path)
    assert lists and all(found == expected for found in lists)


def test_the_confidence_values_are_the_scheme(shapes: Graph) -> None:
    value = URIRef("https://w3id.org/guidancekg/shapes#ConfidenceValue")
    assert [set(Collection(shapes, lst)) for lst in shapes.objects(value, SH["in"])] == [
        set(vocab.CONFIDENCE_TERMS.values())]


def test_every_sparql_constraint_has_a_message_and_prefixes(shapes: Graph) -> None:
    constraints = list(shapes.objects(None, SH.sparql))
    assert constraints
    for c in constraints:
        assert shapes.value(c, SH.message) is not None, c
        assert shapes.value(c, SH.prefixes) is not None, c


# --- the JSON-LD context ------------------------------------------------------------------------------------


def test_context_prefixes(context: dict) -> None:
    assert context["@version"] == 1.1
    assert context["gk"] == VOCAB_IRI
    assert context["topic"] == TOPIC_IRI
    assert context["jur"] == JURISDICTION_IRI
    for prefix in ("prov", "dcterms", "skos", "oa", "xsd", "foaf"):
        assert context[prefix].startswith("http"), prefix


def test_context_coerces_object_properties_to_iris(context: dict, vocabulary: Graph) -> None:
    for term, definition in context.items():
        if not isinstance(definition, dict) or not definition["@id"].startswith("gk:"):
            continue
        iri = GK[definition["@id"][3:]]
        is_object = (iri, RDF.type, OWL.ObjectProperty) in vocabulary
        assert (definition.get("@type") == "@id") == is_object, term


# rdflib's own JSON-LD parser builds a ConjunctiveGraph internally and warns about it.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_context_reads_a_statement(context: dict) -> None:
    doc = {
        "@context": context,
        "@id": "http://example.org/id/s1",
        "@type": "Statement",
        "gk:topic": "topic:dosing",
        "jurisdiction": "jur:UK-ENW",
        "validFrom": {"@value": "2014", "@type": "xsd:gYear"},
        "validFromPrecision": "gk:YearPrecision",
        "temporary": True,
        "overrides": "http://example.org/id/s0",
    }
    g = Graph().parse(data=json.dumps(doc), format="json-ld")
    s = URIRef("http://example.org/id/s1")
    assert (s, RDF.type, GK.Statement) in g
    assert (s, GK.topic, TOPIC.dosing) in g
    assert (s, GK.jurisdiction, JURISDICTION["UK-ENW"]) in g
    assert (s, GK.validFromPrecision, GK.YearPrecision) in g
    assert (s, GK.overrides, URIRef("http://example.org/id/s0")) in g
    assert g.value(s, GK.validFrom).datatype == URIRef("http://www.w3.org/2001/XMLSchema#gYear")


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_context_round_trips_the_bundled_data(context: dict) -> None:
    from pathlib import Path

    from guidancekg.graph.corpus.files import load_corpus
    from guidancekg.graph.rdf.iris import Minter
    from guidancekg.graph.rdf.writer import build_dataset, union_graph

    data = Path(__file__).resolve().parents[1] / "data"
    g = union_graph(build_dataset(load_corpus(data), Minter()))
    text = g.serialize(format="json-ld", context=context)
    assert isomorphic(g, Graph().parse(data=text, format="json-ld"))
