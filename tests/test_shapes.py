"""The SHACL shapes: a small valid graph conforms, and each way of breaking it is refused, with a message.

Every test starts from the same minimal valid graph (two sources, two versions, two statements, one override,
a quote and a citation) and breaks one thing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from guidancekg.graph.dates import in_force_end, in_force_start, parse_partial, recorded_from
from guidancekg.graph.rdf.shacl import ShaclReport, ShaclResult, load_shapes, load_vocabulary, validate
from guidancekg.ontology.vocab import GK, JURISDICTION_IRI, OA, PRECISION_TERMS, TOPIC_IRI

EX = Namespace("http://example.org/id/")
DATA_DIR = Path(__file__).resolve().parents[1] / "data"

# Curly quotes and an accented letter before the quotes: offsets count code points, not UTF-8 bytes.
TEXT = (
    "“Lemtrada” (alemtuzumab) é licensed for active relapsing remitting MS. "
    "As a temporary measure, Lemtrada should only be used when MS remains highly active."
)
QUOTE_1 = "licensed for active relapsing remitting MS"
QUOTE_2 = "As a temporary measure, Lemtrada should only be used when MS remains highly active."


def date_literal(value) -> Literal:
    """Return a PartialDate as the xsd:date, xsd:gYearMonth or xsd:gYear literal the writer gives it."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    datatype = URIRef(xsd + {"day": "date", "month": "gYearMonth", "year": "gYear"}[value.precision])
    return Literal(value.isoformat(), datatype=datatype)


def _n3(value: str) -> str:
    return Literal(value).n3()


def _quote_turtle(record: str, version: str, exact: str, text: str = TEXT) -> str:
    start = text.index(exact)
    return f"""
ex:{record} gk:quotation ex:{record}-passage .
ex:{record}-passage a oa:SpecificResource ; oa:hasSource ex:{version} ;
    oa:hasSelector ex:{record}-quote, ex:{record}-position .
ex:{record}-quote a oa:TextQuoteSelector ; oa:exact {_n3(exact)} .
ex:{record}-position a oa:TextPositionSelector ;
    oa:start "{start}"^^xsd:nonNegativeInteger ; oa:end "{start + len(exact)}"^^xsd:nonNegativeInteger .
"""


def base_turtle() -> str:
    """Return the minimal valid graph as Turtle."""
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    return f"""
@prefix gk: <https://w3id.org/guidancekg/ns#> .
@prefix topic: <https://w3id.org/guidancekg/topic/> .
@prefix jur: <https://w3id.org/guidancekg/jurisdiction/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/id/> .

jur:EU a skos:Concept, gk:Jurisdiction ; skos:inScheme gk:JurisdictionScheme ; skos:notation "EU" ;
    skos:prefLabel "European Union"@en ; skos:topConceptOf gk:JurisdictionScheme .
jur:UK a skos:Concept, gk:Jurisdiction ; skos:inScheme gk:JurisdictionScheme ; skos:notation "UK" ;
    skos:notation "GB"^^gk:ISO3166Code ; skos:prefLabel "United Kingdom"@en ; skos:topConceptOf gk:JurisdictionScheme .

ex:alemtuzumab a gk:Drug ; rdfs:label "alemtuzumab" .
ex:natalizumab a gk:Drug ; rdfs:label "natalizumab" .

ex:src1 a gk:Source ; dcterms:title "MS Society: Alemtuzumab" ; dcterms:publisher ex:ms-society ;
    gk:sourceKind gk:PatientInformation ; gk:jurisdiction jur:EU .
ex:src2 a gk:Source ; dcterms:title "Drug Safety Update" ; dcterms:publisher ex:mhra ;
    gk:sourceKind gk:Regulator ; gk:jurisdiction jur:UK .

ex:v1 a gk:Version ; dcterms:isVersionOf ex:src1 ;
    dcterms:issued "2019-04-18"^^xsd:date ; gk:recordedFrom "2019-04-18"^^xsd:date ; gk:dateConfidence gk:Verbatim ;
    gk:heldText {_n3(TEXT)} ; gk:sha256 "{sha}" .
ex:v2 a gk:Version ; dcterms:isVersionOf ex:src2 ;
    dcterms:issued "2019-05"^^xsd:gYearMonth ; gk:recordedFrom "2019-06-01"^^xsd:date ;
    gk:dateConfidence gk:Paraphrase ; dcterms:source <https://example.org/dsu/2019-05> .

ex:s1 a gk:Statement ; gk:drug ex:alemtuzumab ; gk:topic topic:indication ; gk:jurisdiction jur:EU ;
    gk:definingRecord ex:s1-v1 ;
    gk:validFrom "2014"^^xsd:gYear ; gk:validFromPrecision gk:YearPrecision ;
    gk:inForceFrom "2014-01-01"^^xsd:date ;
    gk:validFromBasis gk:StatedInText ; gk:temporary false ;
    prov:qualifiedDerivation ex:s1-v1 .
ex:s1-v1 a prov:Derivation ; prov:entity ex:v1 ; gk:confidence gk:Verbatim ; gk:wordingConfidence gk:Verbatim ;
    gk:dateConfidence gk:Verbatim ; gk:wording {_n3(QUOTE_1)} .
{_quote_turtle("s1-v1", "v1", QUOTE_1)}

ex:s2 a gk:Statement ; gk:drug ex:alemtuzumab ; gk:topic topic:indication ; gk:jurisdiction jur:EU ;
    gk:definingRecord ex:s2-v1 ; gk:legalEffect gk:Recommendation ; gk:reservedUse true ;
    gk:validFrom "2019-04-12"^^xsd:date ; gk:validFromPrecision gk:DayPrecision ;
    gk:inForceFrom "2019-04-12"^^xsd:date ;
    gk:validUntil "2020-01"^^xsd:gYearMonth ; gk:validUntilPrecision gk:MonthPrecision ;
    gk:inForceUntil "2020-02-01"^^xsd:date ;
    gk:validFromBasis gk:AuthorityDecision ; gk:temporary true ;
    gk:overrides ex:s1 ; gk:qualifiedOverride ex:s2-overrides-s1 ;
    prov:qualifiedDerivation ex:s2-v1, ex:s2-v2 .
ex:s2-overrides-s1 a gk:Override ; gk:overriddenStatement ex:s1 ; gk:overrideKind gk:Restricts .
ex:s2-v1 a prov:Derivation ; prov:entity ex:v1 ; gk:confidence gk:Verbatim ; gk:wordingConfidence gk:Verbatim ;
    gk:dateConfidence gk:Verbatim ; gk:wording {_n3(QUOTE_2)} .
{_quote_turtle("s2-v1", "v1", QUOTE_2)}
ex:s2-v2 a prov:Derivation ; prov:entity ex:v2 ; gk:confidence gk:Unconfirmed ; gk:wordingConfidence gk:Unconfirmed ;
    gk:dateConfidence gk:Paraphrase ; dcterms:source <https://example.org/dsu/2019-05#lemtrada> .
"""


@pytest.fixture()
def valid_graph() -> Graph:
    """A fresh copy of the minimal valid graph, for one test to break."""
    return Graph().parse(data=base_turtle(), format="turtle")


def messages(report: ShaclReport) -> list[str]:
    return [r.message for r in report.results]


def assert_rejected(graph: Graph, *fragments: str) -> ShaclReport:
    """Validate ``graph`` and check it does not conform, with a message containing each fragment."""
    report = validate(graph)
    assert not report.conforms, "expected the graph to be rejected"
    found = messages(report)
    for fragment in fragments:
        assert any(fragment in m for m in found), f"no message contains {fragment!r}; messages: {found}"
    return report


def set_date(g: Graph, subject: URIRef, prop: URIRef, precision_prop: URIRef, lexical: str) -> None:
    """Set a date and its precision as the build would, from its lexical form."""
    value = parse_partial(lexical)
    g.set((subject, prop, date_literal(value)))
    g.set((subject, precision_prop, PRECISION_TERMS[value.precision]))


# --- the valid graphs --------------------------------------------------------------------------------------


def test_minimal_graph_conforms(valid_graph: Graph) -> None:
    report = validate(valid_graph)
    assert report.conforms, messages(report)
    assert report.results == ()


def test_bundled_data_conforms() -> None:
    from guidancekg.graph.corpus.files import load_corpus
    from guidancekg.graph.rdf.iris import Minter
    from guidancekg.graph.rdf.writer import build_dataset, union_graph

    report = validate(union_graph(build_dataset(load_corpus(DATA_DIR), Minter())))
    assert report.conforms, messages(report)


def test_offsets_count_code_points_not_bytes() -> None:
    # The fixture's quotes follow curly quotes and an "é": byte offsets would differ from these.
    start = TEXT.index(QUOTE_1)
    assert len(TEXT[:start].encode("utf-8")) != start


# --- a. a statement lacks something ------------------------------------------------------------------------


@pytest.mark.parametrize("prop", [GK.drug, GK.topic, GK.jurisdiction, GK.definingRecord, GK.validFrom])
def test_statement_missing_property(valid_graph: Graph, prop: URIRef) -> None:
    valid_graph.remove((EX.s1, prop, None))
    name = "gk:" + str(prop).rsplit("#", 1)[1]
    report = assert_rejected(valid_graph, f"statement has no {name}")
    assert any(r.focus == str(EX.s1) and r.path == str(prop) for r in report.results)


def test_statement_without_provenance(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s1, PROV.qualifiedDerivation, None))
    assert_rejected(valid_graph, "statement has no provenance")


def test_provenance_must_name_a_version(valid_graph: Graph) -> None:
    valid_graph.set((EX["s1-v1"], PROV.entity, EX.src1))
    valid_graph.remove((EX["s1-v1-passage"], None, None))
    valid_graph.remove((EX["s1-v1"], GK.quotation, None))
    valid_graph.add((EX["s1-v1"], DCTERMS.source, URIRef("https://example.org/page")))
    assert_rejected(valid_graph, "statement has no provenance", "prov:entity of a record is not a gk:Version")


def test_statement_with_two_drugs(valid_graph: Graph) -> None:
    valid_graph.add((EX.s1, GK.drug, EX.natalizumab))
    assert_rejected(valid_graph, "statement has more than one gk:drug")


def test_drug_must_be_a_drug(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.drug, EX.src1))
    assert_rejected(valid_graph, "gk:drug of the statement is not a gk:Drug")


# --- b. closed schemes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [URIRef(TOPIC_IRI + "side-effects"), Literal("indication")])
def test_topic_outside_the_scheme(valid_graph: Graph, value) -> None:
    valid_graph.set((EX.s1, GK.topic, value))
    assert_rejected(valid_graph, "gk:topic of the statement is not a topic of gk:TopicScheme")


def test_jurisdiction_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.jurisdiction, URIRef(JURISDICTION_IRI + "FR")))
    assert_rejected(valid_graph,
                    "gk:jurisdiction of the statement is not a jurisdiction of gk:JurisdictionScheme")


def test_source_jurisdiction_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.src1, GK.jurisdiction, URIRef(JURISDICTION_IRI + "GB")))
    assert_rejected(valid_graph,
                    "gk:jurisdiction of the source is not a jurisdiction of gk:JurisdictionScheme")


def test_basis_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.validFromBasis, GK.Verbatim))
    assert_rejected(valid_graph, "gk:validFromBasis is not a date basis of gk:DateBasisScheme")


# --- c. the in-force interval is not empty ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "ok"),
    [
        ("2019-04-12", "2019-04-13", True),
        ("2019-04-12", "2019-04-12", False),
        ("2019-04-12", "2019-04-11", False),
        ("2014", "2015", True),
        ("2014", "2014", False),
        ("2014", "2014-12-31", False),  # the guidance might have started on the last day of 2014
        ("2015", "2014-12-31", False),
        ("2014", "2015-01-01", True),
        ("2014-05", "2014-06", True),
        ("2014-05", "2014-05-31", False),
        ("2014-05", "2014-06-01", True),
        ("2014-12", "2015", True),
        ("2019-04-12", "2019-04", False),  # April 2019 may end the interval before the 12th
        ("2019-04-12", "2019-05", True),
        ("2019-04-12", "2019", False),
        ("2019-04-12", "2020", True),
    ],
)
def test_valid_until_after_valid_from(
    valid_graph: Graph, valid_from: str, valid_until: str, ok: bool
) -> None:
    set_date(valid_graph, EX.s2, GK.validFrom, GK.validFromPrecision, valid_from)
    set_date(valid_graph, EX.s2, GK.validUntil, GK.validUntilPrecision, valid_until)
    valid_graph.set((EX.s2, GK.inForceFrom, Literal(in_force_start(parse_partial(valid_from)))))
    valid_graph.set((EX.s2, GK.inForceUntil, Literal(in_force_end(parse_partial(valid_until)))))
    if ok:
        report = validate(valid_graph)
        assert report.conforms, messages(report)
    else:
        assert_rejected(
            valid_graph,
            f"gk:validUntil {valid_until} of {EX.s2} is not after gk:validFrom {valid_from}",
            f"the in-force interval [{valid_from}, {valid_until}) is empty",
        )


# --- d. date datatypes and precisions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        Literal("2019-04-12"),
        Literal("2019-04-12T00:00:00", datatype=rdflib.XSD.dateTime),
        Literal("2019-02-30", datatype=rdflib.XSD.date),  # ill-typed: no such day
        # A time zone would break the lexical comparisons (rdflib drops it unless told not to normalise).
        Literal("2019-04-12Z", datatype=rdflib.XSD.date, normalize=False),
        Literal(2019, datatype=rdflib.XSD.integer),
    ],
)
def test_valid_from_datatype(valid_graph: Graph, value: Literal) -> None:
    valid_graph.set((EX.s2, GK.validFrom, value))
    assert_rejected(valid_graph, "gk:validFrom is not an xsd:date, xsd:gYearMonth or xsd:gYear literal")


def test_valid_until_datatype(valid_graph: Graph) -> None:
    valid_graph.set((EX.s2, GK.validUntil, Literal("January 2020")))
    assert_rejected(valid_graph, "gk:validUntil is not an xsd:date, xsd:gYearMonth or xsd:gYear literal")


def test_valid_from_precision_must_agree(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.validFromPrecision, GK.DayPrecision))  # but validFrom is an xsd:gYear
    assert_rejected(valid_graph, "gk:validFromPrecision does not agree with the datatype of gk:validFrom")


def test_valid_until_precision_must_agree(valid_graph: Graph) -> None:
    valid_graph.set((EX.s2, GK.validUntilPrecision, GK.YearPrecision))  # but validUntil is an xsd:gYearMonth
    assert_rejected(valid_graph, "gk:validUntilPrecision does not agree with the datatype of gk:validUntil")


def test_valid_from_precision_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.validFromPrecision, GK.Restricts))
    assert_rejected(valid_graph, "gk:validFromPrecision is not a precision of gk:PrecisionScheme")


def test_valid_from_without_precision(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s1, GK.validFromPrecision, None))
    assert_rejected(valid_graph, "statement has no gk:validFromPrecision")


def test_valid_until_without_precision(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s2, GK.validUntilPrecision, None))
    assert_rejected(valid_graph, "statement has gk:validUntil but no gk:validUntilPrecision")


def test_precision_without_valid_until(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s2, GK.validUntil, None))
    valid_graph.remove((EX.s2, GK.inForceUntil, None))
    assert_rejected(valid_graph, "statement has gk:validUntilPrecision but no gk:validUntil")


# --- derived days -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("valid_until", ["2020-01-15", "2020-01", "2019-08", "2019-09", "2019-12", "2020"])
def test_derived_days_as_the_build_computes_them_conform(valid_graph: Graph, valid_until: str) -> None:
    set_date(valid_graph, EX.s2, GK.validUntil, GK.validUntilPrecision, valid_until)
    valid_graph.set((EX.s2, GK.inForceUntil, Literal(in_force_end(parse_partial(valid_until)))))
    valid_graph.set((EX.v2, DCTERMS.issued, date_literal(parse_partial(valid_until))))
    valid_graph.set((EX.v2, GK.recordedFrom, Literal(recorded_from(parse_partial(valid_until)))))
    report = validate(valid_graph)
    assert report.conforms, messages(report)


def test_in_force_from_must_start_the_period(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.inForceFrom, Literal("2014-12-31", datatype=rdflib.XSD.date)))
    assert_rejected(valid_graph,
                    f"gk:inForceFrom 2014-12-31 of {EX.s1} is not the first day of the period of "
                    "gk:validFrom 2014")


def test_in_force_until_must_end_the_period(valid_graph: Graph) -> None:
    # validUntil 2020-01 may fall on any day of January: the statement is certainly over on 2020-02-01.
    valid_graph.set((EX.s2, GK.inForceUntil, Literal("2020-01-01", datatype=rdflib.XSD.date)))
    assert_rejected(valid_graph,
                    f"gk:inForceUntil 2020-01-01 of {EX.s2} is not the day gk:validUntil 2020-01")


def test_recorded_from_must_follow_the_record_date(valid_graph: Graph) -> None:
    valid_graph.set((EX.v2, GK.recordedFrom, Literal("2019-05-01", datatype=rdflib.XSD.date)))
    assert_rejected(valid_graph, f"gk:recordedFrom 2019-05-01 of {EX.v2} is not the first day")


def _add_later_version(graph: Graph, recorded: str) -> None:
    """Give ex:src2 a second version, ex:v3, recorded from ``recorded``."""
    graph.add((EX.v3, rdflib.RDF.type, GK.Version))
    graph.add((EX.v3, DCTERMS.isVersionOf, EX.src2))
    graph.add((EX.v3, DCTERMS.issued, Literal(recorded, datatype=rdflib.XSD.date)))
    graph.add((EX.v3, GK.recordedFrom, Literal(recorded, datatype=rdflib.XSD.date)))
    graph.add((EX.v3, DCTERMS.source, URIRef("https://example.org/dsu/later")))
    graph.add((EX.v3, GK.dateConfidence, GK.Verbatim))


def test_superseded_from_the_next_versions_record_day_conforms(valid_graph: Graph) -> None:
    _add_later_version(valid_graph, "2020-02-12")
    valid_graph.add((EX.v2, GK.supersededFrom, Literal("2020-02-12", datatype=rdflib.XSD.date)))
    report = validate(valid_graph)
    assert report.conforms, messages(report)


def test_superseded_from_missing_when_a_later_version_exists(valid_graph: Graph) -> None:
    _add_later_version(valid_graph, "2020-02-12")
    assert_rejected(valid_graph, f"{EX.v2} is followed by version {EX.v3} of its source (recorded from 2020-02-12)")


def test_superseded_from_later_than_the_next_version(valid_graph: Graph) -> None:
    _add_later_version(valid_graph, "2020-02-12")
    valid_graph.add((EX.v2, GK.supersededFrom, Literal("2020-03-01", datatype=rdflib.XSD.date)))
    assert_rejected(valid_graph, f"gk:supersededFrom 2020-03-01 of {EX.v2} is not the gk:recordedFrom")
    assert_rejected(valid_graph, f"{EX.v2} is followed by version {EX.v3}")


def test_superseded_from_on_the_latest_version(valid_graph: Graph) -> None:
    valid_graph.add((EX.v1, GK.supersededFrom, Literal("2020-01-01", datatype=rdflib.XSD.date)))
    assert_rejected(valid_graph, f"gk:supersededFrom 2020-01-01 of {EX.v1} is not the gk:recordedFrom")


def test_superseded_from_must_be_a_date(valid_graph: Graph) -> None:
    _add_later_version(valid_graph, "2020-02-12")
    valid_graph.add((EX.v2, GK.supersededFrom, Literal("2020-02-12")))
    assert_rejected(valid_graph, "gk:supersededFrom is not an xsd:date")


@pytest.mark.parametrize(
    ("subject", "prop", "message"),
    [
        (EX.s1, GK.inForceFrom, "statement has gk:validFrom but no gk:inForceFrom"),
        (EX.s2, GK.inForceUntil, "statement has gk:validUntil but no gk:inForceUntil"),
        (EX.v1, GK.recordedFrom, "version has no gk:recordedFrom"),
    ],
)
def test_derived_day_missing(valid_graph: Graph, subject: URIRef, prop: URIRef, message: str) -> None:
    valid_graph.remove((subject, prop, None))
    assert_rejected(valid_graph, message)


def test_derived_day_must_be_a_date(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.inForceFrom, Literal("2014-01-01")))
    assert_rejected(valid_graph, "gk:inForceFrom is not an xsd:date")


# --- e. quotes ----------------------------------------------------------------------------------------------


def _set_offsets(g: Graph, record: str, start: int, end: int) -> None:
    position = EX[f"{record}-position"]
    g.set((position, OA.start, Literal(start, datatype=rdflib.XSD.nonNegativeInteger)))
    g.set((position, OA.end, Literal(end, datatype=rdflib.XSD.nonNegativeInteger)))


def test_quote_not_in_the_text(valid_graph: Graph) -> None:
    wrong = "licensed for active relapsing-remitting MS"
    valid_graph.set((EX["s1-v1-quote"], OA.exact, Literal(wrong)))
    start = TEXT.index(QUOTE_1)
    assert_rejected(
        valid_graph,
        f"quote of {EX.s1} does not match the text of {EX.v1} at [{start}, {start + len(QUOTE_1)}): "
        f'expected "{wrong}", the text there is "{QUOTE_1}"',
    )


def test_quote_at_shifted_offsets(valid_graph: Graph) -> None:
    start = TEXT.index(QUOTE_1) + 1
    _set_offsets(valid_graph, "s1-v1", start, start + len(QUOTE_1))
    shown = TEXT[start:start + len(QUOTE_1)]
    assert_rejected(valid_graph, f"quote of {EX.s1} does not match", f'the text there is "{shown}"')


def test_quote_at_utf8_byte_offsets(valid_graph: Graph) -> None:
    start = len(TEXT[: TEXT.index(QUOTE_1)].encode("utf-8"))
    _set_offsets(valid_graph, "s1-v1", start, start + len(QUOTE_1.encode("utf-8")))
    assert_rejected(valid_graph, f"quote of {EX.s1} does not match the text of {EX.v1}")


@pytest.mark.parametrize(("start", "end"), [(0, len(TEXT) + 1), (10, 10), (20, 10)])
def test_quote_offsets_outside_the_text(valid_graph: Graph, start: int, end: int) -> None:
    _set_offsets(valid_graph, "s2-v1", start, end)
    assert_rejected(valid_graph, f"quote of {EX.s2} does not match the text of {EX.v1} at [{start}, {end})")


def test_quote_of_a_version_without_text(valid_graph: Graph) -> None:
    valid_graph.remove((EX.v1, GK.heldText, None))
    valid_graph.remove((EX.v1, GK.sha256, None))
    assert_rejected(valid_graph, "quote cites a version that holds no text (gk:heldText)")


def test_quote_taken_from_another_version_than_the_record(valid_graph: Graph) -> None:
    valid_graph.set((EX["s1-v1"], PROV.entity, EX.v2))
    assert_rejected(valid_graph,
                    "the quote of a record is taken from another version than the record's prov:entity")


def test_quote_without_position_selector(valid_graph: Graph) -> None:
    valid_graph.remove((EX["s1-v1-passage"], OA.hasSelector, EX["s1-v1-position"]))
    assert_rejected(valid_graph, "quote has not exactly one oa:TextPositionSelector")


def test_quote_with_backslashes_is_reported_intact(valid_graph: Graph) -> None:
    # pySHACL substitutes message values with re.sub: the shapes escape backslashes so that it neither fails
    # nor loses them.
    text = TEXT + r" See C:\new\1 \g<0>."
    valid_graph.set((EX.v1, GK.heldText, Literal(text)))
    valid_graph.set((EX.v1, GK.sha256, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest())))
    wrong = r"a \1 \g<0> quote"
    valid_graph.set((EX["s1-v1-quote"], OA.exact, Literal(wrong)))
    assert_rejected(valid_graph, f'expected "{wrong}"')


# --- f. overrides -------------------------------------------------------------------------------------------


def test_override_of_a_missing_statement(valid_graph: Graph) -> None:
    valid_graph.set((EX.s2, GK.overrides, EX.ghost))
    valid_graph.set((EX["s2-overrides-s1"], GK.overriddenStatement, EX.ghost))
    assert_rejected(
        valid_graph,
        f"{EX.s2} overrides {EX.ghost}, which is not a gk:Statement (missing override target)",
        "gk:overriddenStatement of the override is not a gk:Statement",
    )


def test_override_of_another_drug(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.drug, EX.natalizumab))
    assert_rejected(valid_graph, f"{EX.s2} is about {EX.alemtuzumab} but overrides {EX.s1}, which is about "
                                 f"another drug, {EX.natalizumab}")


def test_override_cycle(valid_graph: Graph) -> None:
    valid_graph.add((EX.s1, GK.overrides, EX.s2))
    valid_graph.add((EX.s1, GK.qualifiedOverride, EX["s1-overrides-s2"]))
    valid_graph.add((EX["s1-overrides-s2"], RDF.type, GK.Override))
    valid_graph.add((EX["s1-overrides-s2"], GK.overriddenStatement, EX.s2))
    valid_graph.add((EX["s1-overrides-s2"], GK.overrideKind, GK.Revokes))
    assert_rejected(valid_graph, f"{EX.s1} overrides itself through a cycle", f"{EX.s2} overrides itself")


def test_override_node_without_overridden_statement(valid_graph: Graph) -> None:
    valid_graph.remove((EX["s2-overrides-s1"], GK.overriddenStatement, None))
    assert_rejected(valid_graph, "gk:Override has no gk:overriddenStatement",
                    f"{EX.s2} overrides {EX.s1} but no gk:qualifiedOverride of it says how")


def test_override_kind_missing(valid_graph: Graph) -> None:
    valid_graph.remove((EX["s2-overrides-s1"], GK.overrideKind, None))
    assert_rejected(valid_graph, "gk:Override has no gk:overrideKind")


def test_override_kind_outside_the_list(valid_graph: Graph) -> None:
    valid_graph.set((EX["s2-overrides-s1"], GK.overrideKind, GK.Paraphrase))
    assert_rejected(valid_graph, "gk:overrideKind is not an override kind of gk:OverrideKindScheme")


def test_qualified_override_without_overrides(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s2, GK.overrides, None))
    assert_rejected(valid_graph, f"gk:qualifiedOverride {EX['s2-overrides-s1']} of {EX.s2} names {EX.s1}, "
                                 f"but {EX.s2} has no gk:overrides")


# --- g. versions --------------------------------------------------------------------------------------------


def test_version_without_record_date(valid_graph: Graph) -> None:
    valid_graph.remove((EX.v1, DCTERMS.issued, None))
    assert_rejected(valid_graph, "version has no dcterms:issued")


def test_version_record_date_untyped(valid_graph: Graph) -> None:
    valid_graph.set((EX.v1, DCTERMS.issued, Literal("18 April 2019")))
    assert_rejected(valid_graph, "dcterms:issued is not an xsd:date, xsd:gYearMonth or xsd:gYear literal")


def test_version_without_source(valid_graph: Graph) -> None:
    valid_graph.remove((EX.v1, DCTERMS.isVersionOf, None))
    assert_rejected(valid_graph, "version has no dcterms:isVersionOf")


def test_version_of_something_else(valid_graph: Graph) -> None:
    valid_graph.set((EX.v1, DCTERMS.isVersionOf, EX.alemtuzumab))
    assert_rejected(valid_graph, "dcterms:isVersionOf of the version is not a gk:Source")


def test_version_revising_something_else(valid_graph: Graph) -> None:
    valid_graph.add((EX.v1, PROV.wasRevisionOf, EX.src1))
    assert_rejected(valid_graph, "prov:wasRevisionOf of the version is not a gk:Version")


def test_held_text_without_sha256(valid_graph: Graph) -> None:
    valid_graph.remove((EX.v1, GK.sha256, None))
    assert_rejected(valid_graph, "version holds a gk:heldText but has no gk:sha256")


def test_sha256_of_another_text(valid_graph: Graph) -> None:
    wrong = hashlib.sha256(b"another text").hexdigest()
    valid_graph.set((EX.v1, GK.sha256, Literal(wrong)))
    actual = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert_rejected(valid_graph,
                    f"gk:sha256 of {EX.v1} is {wrong}, but the SHA-256 of its gk:heldText is {actual}")


@pytest.mark.parametrize("value", ["ABCDEF" * 10 + "ABCD", "abc", "g" * 64])
def test_sha256_not_lower_case_hex(valid_graph: Graph, value: str) -> None:
    valid_graph.set((EX.v1, GK.sha256, Literal(value)))
    assert_rejected(valid_graph, "gk:sha256 is not 64 lower-case hexadecimal digits")


def test_sha256_in_upper_case_is_refused(valid_graph: Graph) -> None:
    # The right digest in the wrong case: both the pattern and the comparison with SHA256() refuse it.
    upper = hashlib.sha256(TEXT.encode("utf-8")).hexdigest().upper()
    valid_graph.set((EX.v1, GK.sha256, Literal(upper)))
    assert_rejected(valid_graph, "not 64 lower-case hexadecimal digits", f"gk:sha256 of {EX.v1} is {upper}")


# --- h. sources ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        (DCTERMS.title, "source has no dcterms:title"),
        (DCTERMS.publisher, "source has no dcterms:publisher"),
        (GK.sourceKind, "source has no gk:sourceKind"),
        (GK.jurisdiction, "source has no gk:jurisdiction"),
    ],
)
def test_source_missing_property(valid_graph: Graph, prop: URIRef, message: str) -> None:
    valid_graph.remove((EX.src1, prop, None))
    assert_rejected(valid_graph, message)


def test_source_kind_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.src1, GK.sourceKind, URIRef("https://w3id.org/guidancekg/ns#Blog")))
    assert_rejected(valid_graph, "gk:sourceKind is not a source kind of gk:SourceKindScheme")


def test_drug_without_label(valid_graph: Graph) -> None:
    valid_graph.remove((EX.natalizumab, RDFS.label, None))
    assert_rejected(valid_graph, "drug has no rdfs:label")


# --- i. records ---------------------------------------------------------------------------------------------


def test_record_without_confidence(valid_graph: Graph) -> None:
    valid_graph.remove((EX["s2-v2"], GK.confidence, None))
    assert_rejected(valid_graph, "record of a statement has no gk:confidence")


def test_record_confidence_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX["s2-v2"], GK.confidence, GK.Replaces))
    assert_rejected(valid_graph, "gk:confidence is not a confidence of gk:ConfidenceScheme")


def test_record_without_quote_or_citation(valid_graph: Graph) -> None:
    valid_graph.remove((EX["s2-v2"], DCTERMS.source, None))
    report = assert_rejected(valid_graph,
                             "record of a statement has neither a gk:quotation nor a dcterms:source")
    assert any(r.focus == str(EX["s2-v2"]) for r in report.results)


def test_record_citation_must_be_a_url(valid_graph: Graph) -> None:
    valid_graph.set((EX["s2-v2"], DCTERMS.source, Literal("the MHRA page")))
    assert_rejected(valid_graph, "dcterms:source (the citation URL) of a record is not an IRI")


def test_record_must_be_a_derivation(valid_graph: Graph) -> None:
    valid_graph.remove((EX["s2-v2"], RDF.type, PROV.Derivation))
    assert_rejected(valid_graph, "record of a statement is not a prov:Derivation")


# --- the module ---------------------------------------------------------------------------------------------


def test_report_to_json(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s1, GK.drug, None))
    data = validate(valid_graph).to_json()
    assert data["conforms"] is False
    assert data["results"]
    assert set(data["results"][0]) == {"focus", "path", "message", "severity"}
    entry = next(r for r in data["results"] if r["message"] == "statement has no gk:drug")
    assert entry == {"focus": str(EX.s1), "path": str(GK.drug), "message": "statement has no gk:drug",
                     "severity": "Violation"}


def test_results_are_sorted_and_repeatable(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s1, GK.drug, None))
    valid_graph.remove((EX.src1, DCTERMS.title, None))
    valid_graph.remove((EX["s2-v2"], GK.confidence, None))
    first, second = validate(valid_graph), validate(valid_graph)
    assert first == second
    keys = [(r.focus, r.path or "", r.message, r.severity) for r in first.results]
    assert keys == sorted(keys)
    assert all(isinstance(r, ShaclResult) for r in first.results)


def test_focus_nodes_limit_the_validation(valid_graph: Graph) -> None:
    valid_graph.remove((EX.s1, GK.drug, None))
    valid_graph.remove((EX.s2, GK.definingRecord, None))
    only_s2 = validate(valid_graph, focus_nodes=[EX.s2])
    assert not only_s2.conforms
    assert {r.focus for r in only_s2.results} == {str(EX.s2)}
    assert validate(valid_graph, focus_nodes=[EX.src1]).conforms
    assert validate(valid_graph, focus_nodes=[]) == ShaclReport(conforms=True, results=())


def test_dataset_is_validated_as_one_graph(valid_graph: Graph) -> None:
    # Statements and provenance in separate named graphs, as the build writes them: the shapes need both.
    ds = Dataset()
    statements, provenance = ds.graph(EX["graph/v1"]), ds.graph(EX["graph/provenance"])
    for s, p, o in valid_graph:
        (statements if (s, RDF.type, GK.Statement) in valid_graph else provenance).add((s, p, o))
    report = validate(ds)
    assert report.conforms, messages(report)


def test_shapes_are_handed_out_as_copies(valid_graph: Graph) -> None:
    size = len(load_shapes())
    load_shapes().add((EX.a, EX.b, EX.c))
    validate(valid_graph)
    assert len(load_shapes()) == size
    assert load_shapes() is not load_shapes()
    assert load_vocabulary() is not load_vocabulary()


# --- citations quoting a held reference (gk:Reference) ---------------------------------------------------------


def _quote_a_reference(graph: Graph, *, document: str | None = "Drug Safety Update, May 2019") -> None:
    """Make ex:s2's record of ex:v2 (a version with no held text) quote a held reference."""
    graph.add((EX.ref, RDF.type, GK.Reference))
    graph.add((EX.ref, DCTERMS.title, Literal("A timeline that reports on sources")))
    graph.add((EX.ref, GK.heldText, Literal(TEXT)))
    graph.add((EX.ref, GK.sha256, Literal(hashlib.sha256(TEXT.encode("utf-8")).hexdigest())))
    turtle = _quote_turtle("s2-v2", "ref", QUOTE_2)
    graph.parse(data="@prefix gk: <https://w3id.org/guidancekg/ns#> .\n@prefix oa: <http://www.w3.org/ns/oa#> .\n"
                     "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix ex: <http://example.org/id/> .\n"
                     + turtle, format="turtle")
    if document:
        graph.add((EX["s2-v2"], DCTERMS.bibliographicCitation, Literal(document)))


def test_citation_quoting_a_reference_conforms(valid_graph: Graph) -> None:
    _quote_a_reference(valid_graph)
    report = validate(valid_graph)
    assert report.conforms, messages(report)


def test_citation_quoting_a_reference_names_its_document(valid_graph: Graph) -> None:
    _quote_a_reference(valid_graph, document=None)
    assert validate(valid_graph).conforms  # its address (dcterms:source) is enough
    valid_graph.remove((EX["s2-v2"], DCTERMS.source, None))
    assert_rejected(valid_graph, "a record quoting a gk:Reference has neither a dcterms:bibliographicCitation")


def test_quote_of_a_reference_must_match_its_text(valid_graph: Graph) -> None:
    _quote_a_reference(valid_graph)
    valid_graph.set((EX["s2-v2-quote"], OA.exact, Literal(QUOTE_2 + "!")))
    assert_rejected(valid_graph, f"does not match the text of {EX.ref}")


def test_reference_must_hold_its_text(valid_graph: Graph) -> None:
    _quote_a_reference(valid_graph)
    valid_graph.remove((EX.ref, GK.heldText, None))
    assert_rejected(valid_graph, "reference has not exactly one gk:heldText")


# --- wording per record, two confidences, legal effect ----------------------------------------------------------


@pytest.mark.parametrize("prop", [GK.wordingConfidence, GK.dateConfidence])
def test_record_needs_both_confidences(valid_graph: Graph, prop: URIRef) -> None:
    valid_graph.remove((EX["s2-v2"], prop, None))
    assert_rejected(valid_graph, f"record of a statement has not exactly one gk:{str(prop).rsplit('#', 1)[1]}")


def test_record_confidence_is_its_wording_confidence(valid_graph: Graph) -> None:
    valid_graph.set((EX["s2-v2"], GK.confidence, GK.Paraphrase))
    assert_rejected(valid_graph, "gk:confidence of a record is not its gk:wordingConfidence")


def test_record_date_confidence_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX["s2-v2"], GK.dateConfidence, GK.Replaces))
    assert_rejected(valid_graph, "gk:dateConfidence is not a confidence of gk:ConfidenceScheme")


def test_record_has_one_wording(valid_graph: Graph) -> None:
    valid_graph.add((EX["s2-v1"], GK.wording, Literal("other words")))
    assert_rejected(valid_graph, "record of a statement has more than one gk:wording")


def test_version_says_how_well_its_date_is_known(valid_graph: Graph) -> None:
    valid_graph.remove((EX.v2, GK.dateConfidence, None))
    assert_rejected(valid_graph, "version has not exactly one gk:dateConfidence")


def test_defining_record_is_one_of_the_statements_records(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.definingRecord, EX["s2-v2"]))
    assert_rejected(valid_graph, f"gk:definingRecord {EX['s2-v2']} of {EX.s1} is not one of its records")


def test_legal_effect_outside_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.s2, GK.legalEffect, GK.Restricts))
    assert_rejected(valid_graph, "gk:legalEffect is not a legal effect of gk:LegalEffectScheme")


# --- jurisdictions and reach are data --------------------------------------------------------------------------

JUR = Namespace("https://w3id.org/guidancekg/jurisdiction/")
XSD_NS = Namespace("http://www.w3.org/2001/XMLSchema#")


def test_statement_jurisdiction_must_be_in_the_scheme(valid_graph: Graph) -> None:
    valid_graph.set((EX.s1, GK.jurisdiction, JUR.XX))
    assert_rejected(valid_graph, "gk:jurisdiction of the statement is not a jurisdiction of gk:JurisdictionScheme")


def test_source_jurisdiction_must_be_in_the_scheme(valid_graph: Graph) -> None:
    valid_graph.remove((JUR.UK, SKOS.inScheme, None))
    assert_rejected(valid_graph, "gk:jurisdiction of the source is not a jurisdiction of gk:JurisdictionScheme",
                    "jurisdiction is not in gk:JurisdictionScheme")


def test_jurisdiction_lies_directly_within_one_at_most(valid_graph: Graph) -> None:
    valid_graph.add((JUR.UK, SKOS.broader, JUR.EU))
    assert validate(valid_graph).conforms
    valid_graph.add((JUR.UK, SKOS.broader, JUR.XX))
    assert_rejected(valid_graph, "jurisdiction lies directly within more than one jurisdiction",
                    "skos:broader of a jurisdiction is not a jurisdiction of gk:JurisdictionScheme")


def test_jurisdiction_has_one_code_and_iso_codes_of_iso_form(valid_graph: Graph) -> None:
    valid_graph.add((JUR.UK, SKOS.notation, Literal("GB-Great Britain", datatype=GK.ISO3166Code)))
    assert_rejected(valid_graph, "jurisdiction has more than one ISO 3166 skos:notation",
                    "skos:notation of a jurisdiction is not a code, a former code or an ISO 3166 code")
    valid_graph.remove((JUR.EU, SKOS.notation, Literal("EU")))
    assert_rejected(valid_graph, "jurisdiction has not exactly one plain skos:notation")


def _reach(graph: Graph) -> URIRef:
    r = EX["reach/eu-in-the-uk"]
    graph.add((r, RDF.type, GK.Reach))
    graph.add((r, GK.reachOf, JUR.EU))
    graph.add((r, GK.reachInto, JUR.UK))
    graph.add((r, GK.reachUntil, Literal("2021-01-01", datatype=XSD_NS.date)))
    graph.add((r, GK.wording, Literal("EU decisions applied in the UK until 2020-12-31")))
    graph.add((r, GK.wordingConfidence, GK.Paraphrase))
    graph.add((r, GK.dateConfidence, GK.Verbatim))
    graph.add((r, DCTERMS.source, URIRef("https://example.org/mhra-guidance")))
    return r


def test_a_reach_conforms(valid_graph: Graph) -> None:
    _reach(valid_graph)
    report = validate(valid_graph)
    assert report.conforms, messages(report)


def test_a_reach_needs_two_jurisdictions_of_the_scheme(valid_graph: Graph) -> None:
    r = _reach(valid_graph)
    valid_graph.set((r, GK.reachInto, JUR.XX))
    assert_rejected(valid_graph, "reach has not exactly one gk:reachInto, a jurisdiction of gk:JurisdictionScheme")


def test_a_reach_ends_after_it_starts(valid_graph: Graph) -> None:
    r = _reach(valid_graph)
    valid_graph.add((r, GK.reachFrom, Literal("2021-01-01", datatype=XSD_NS.date)))
    assert_rejected(valid_graph, "gk:reachUntil 2021-01-01 of")


def test_a_reach_cites_its_evidence(valid_graph: Graph) -> None:
    r = _reach(valid_graph)
    valid_graph.remove((r, DCTERMS.source, None))
    assert_rejected(valid_graph, "reach cites nothing")
