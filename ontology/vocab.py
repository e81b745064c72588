"""Closed namespaces for the guidancekg vocabulary and the W3C vocabularies it reuses.

Every term here is declared in ``ontology/vocabulary.ttl`` (a test checks both ways). The namespaces are
closed (``_fail = True``): ``GK.Statment`` raises ``AttributeError`` instead of minting a new IRI.
"""

from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

VOCAB_IRI = "https://w3id.org/guidancekg/ns#"
TOPIC_IRI = "https://w3id.org/guidancekg/topic/"
JURISDICTION_IRI = "https://w3id.org/guidancekg/jurisdiction/"


class GK(DefinedNamespace):
    """The guidancekg vocabulary."""

    _fail = True
    _NS = Namespace(VOCAB_IRI)

    # Classes
    Source: URIRef  # a publication that changes over time
    Version: URIRef  # one published state of a source
    Reference: URIRef  # a held text reporting on sources, quoted by citations of versions with no known address
    Statement: URIRef  # one unit of guidance
    Override: URIRef  # a qualified override of one statement by another
    Drug: URIRef  # a medicinal substance the guidance is about
    Jurisdiction: URIRef  # a region where guidance applies (SKOS concept)
    Topic: URIRef  # a kind of guidance (SKOS concept)
    Precision: URIRef
    DateBasis: URIRef
    OverrideKind: URIRef
    SourceKind: URIRef
    Confidence: URIRef
    IdentifierKind: URIRef  # a kind of authority identifier (SKOS concept)
    Reach: URIRef  # a dated relation: one jurisdiction's statements also apply in another
    LegalEffect: URIRef
    ISO3166Code: URIRef  # datatype of a jurisdiction's ISO 3166 notation
    FormerCode: URIRef  # datatype of a code a jurisdiction was known by before

    # Concept schemes
    TopicScheme: URIRef
    JurisdictionScheme: URIRef
    PrecisionScheme: URIRef
    DateBasisScheme: URIRef
    OverrideKindScheme: URIRef
    SourceKindScheme: URIRef
    ConfidenceScheme: URIRef
    IdentifierKindScheme: URIRef
    LegalEffectScheme: URIRef

    # Statement properties
    drug: URIRef
    topic: URIRef
    jurisdiction: URIRef
    wording: URIRef
    validFrom: URIRef
    validUntil: URIRef
    validFromPrecision: URIRef
    validUntilPrecision: URIRef
    validFromBasis: URIRef
    temporary: URIRef
    inForceFrom: URIRef  # derived: the first day the statement may be in force (xsd:date)
    inForceUntil: URIRef  # derived: the first day it is certainly no longer in force (xsd:date)
    overrides: URIRef
    qualifiedOverride: URIRef
    overriddenStatement: URIRef
    overrideKind: URIRef
    legalEffect: URIRef
    reservedUse: URIRef
    definingRecord: URIRef  # the record of the version that defines the statement

    # Source, version and provenance properties
    sourceKind: URIRef
    heldText: URIRef
    sha256: URIRef
    recordedFrom: URIRef  # derived: the first day the version certainly had been published (xsd:date)
    supersededFrom: URIRef  # derived: the record day of the next version of the same source (xsd:date)
    confidence: URIRef  # the same as wordingConfidence, kept for queries written before
    wordingConfidence: URIRef
    dateConfidence: URIRef
    quotation: URIRef
    provenanceGraph: URIRef

    # Reach properties
    reachOf: URIRef
    reachInto: URIRef
    reachFrom: URIRef
    reachUntil: URIRef
    carriesTermsOf: URIRef

    # Individuals: precisions, date bases, override kinds, source kinds, confidences
    DayPrecision: URIRef
    MonthPrecision: URIRef
    YearPrecision: URIRef
    StatedInText: URIRef
    AuthorityDecision: URIRef
    PublicationDate: URIRef
    Restricts: URIRef
    Replaces: URIRef
    Revokes: URIRef
    Regulator: URIRef
    GuidanceBody: URIRef
    PatientInformation: URIRef
    Verbatim: URIRef
    Paraphrase: URIRef
    Unconfirmed: URIRef
    EUProcedureNumber: URIRef
    SPLSetId: URIRef
    BindingDecision: URIRef
    Recommendation: URIRef


class TOPIC(DefinedNamespace):
    """The closed scheme of guidance topics; the local name is the API's topic key."""

    _fail = True
    _NS = Namespace(TOPIC_IRI)
    _extras = [  # noqa: RUF012 - DefinedNamespace's own protocol
        "indication",
        "contraindication",
        "undesirable-effect",
        "warning",
        "dosing",
        "administration",
        "monitoring",
        "efficacy",
        "mechanism",
        "pregnancy",
        "breastfeeding",
        "regulatory-action",
        "patient-advice",
    ]


#: Jurisdictions are data (data/jurisdictions.yaml), not vocabulary: an open namespace, keyed by their codes.
JURISDICTION = Namespace(JURISDICTION_IRI)
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
#: Outside the prefix table (the service description and the nanopublications bind them where they write them).
FORMATS = Namespace("http://www.w3.org/ns/formats/")
NP = Namespace("http://www.nanopub.org/nschema#")

#: The one prefix table: every generated query, RDF serialisation and SPARQL default uses these names. Each
#: prefix names its namespace object, closed (``_fail``) where rdflib or this module closes it, so a CURIE such
#: as ``gk:drug`` resolves through :data:`NAMESPACES` with the same typo check as ``GK.drug``.
NAMESPACES: dict[str, type[DefinedNamespace] | Namespace] = {
    "gk": GK,
    "topic": TOPIC,
    "jur": JURISDICTION,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "oa": OA,
    "foaf": FOAF,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "sd": SD,
    "adms": ADMS,
}
PREFIXES: dict[str, str] = {name: str(namespace) for name, namespace in NAMESPACES.items()}


def sparql_prefixes(*names: str) -> str:
    """Return SPARQL ``PREFIX`` lines for ``names`` (all of the table when none is given)."""
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in (names or PREFIXES))

TOPIC_KEYS: tuple[str, ...] = tuple(TOPIC._extras)

PRECISION_TERMS = {"day": GK.DayPrecision, "month": GK.MonthPrecision, "year": GK.YearPrecision}
BASIS_TERMS = {
    "stated-in-text": GK.StatedInText,
    "authority-decision": GK.AuthorityDecision,
    "publication-date": GK.PublicationDate,
}
OVERRIDE_KIND_TERMS = {"restricts": GK.Restricts, "replaces": GK.Replaces, "revokes": GK.Revokes}
SOURCE_KIND_TERMS = {
    "regulator": GK.Regulator,
    "guidance-body": GK.GuidanceBody,
    "patient-information": GK.PatientInformation,
}
CONFIDENCE_TERMS = {"verbatim": GK.Verbatim, "paraphrase": GK.Paraphrase, "unconfirmed": GK.Unconfirmed}
IDENTIFIER_KIND_TERMS = {"eu-procedure-number": GK.EUProcedureNumber, "fda-spl-set-id": GK.SPLSetId}
LEGAL_EFFECT_TERMS = {"binding": GK.BindingDecision, "recommendation": GK.Recommendation}


def key_of(term: str, table: dict[str, URIRef]) -> str:
    """Return the key whose IRI is ``term`` in one of the tables above."""
    for key, iri in table.items():
        if str(iri) == term:
            return key
    raise KeyError(term)
