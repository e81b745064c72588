"""The records of the guidance data: one set, from the data files to the engine.

:mod:`.files` reads ``data/`` into a :class:`Corpus` of these records, :mod:`.checks` checks them for meaning,
:mod:`guidancekg.graph.rdf.writer` writes them as RDF, and :mod:`guidancekg.graph.engine.model` reads the same
records back from a store for the engine. Everything is identified by its key in the data (a statement's ``id``,
a source's folder name, a version's ``source/key``); IRIs are minted from keys (:mod:`guidancekg.graph.rdf.iris`)
only where RDF or JSON needs them.

Read back from a store, a record has no :class:`Where` (it was not read from a file), and a version or reference
leaves its held text out (the store holds it as ``gk:heldText``): ``sha256`` says whether a text is held.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guidancekg.graph.dates import PartialDate


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a data file, for error messages."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """Where guidance applies: a code (ISO 3166 where one exists), a name, and the jurisdiction it lies within."""

    code: str
    name: str
    within: str | None = None
    iso3166: str | None = None
    aliases: tuple[str, ...] = ()  # former codes that still name it (UK-ENW for GB-EAW)
    note: str | None = None
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Reach:
    """A dated relation: statements of jurisdiction ``of`` also apply in ``into`` (and every part of it).

    Over ``[valid_from, valid_until)`` (an open end when None). With ``carries`` (a day), only the statements
    effective in ``of`` on that day apply, later decisions do not (the EU terms carried on in Great Britain from
    2021); without it, each day's statements of ``of`` apply as they stand.
    """

    key: str
    of: str
    into: str
    valid_from: PartialDate | None
    valid_until: PartialDate | None
    carries: PartialDate | None
    wording: str
    wording_confidence: str
    date_confidence: str
    quote: Quote | None = None  # of a held reference that reports the relation
    reference: str | None = None
    citation_url: str | None = None
    document: str | None = None
    note: str | None = None
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Drug:
    key: str
    label: str
    brand_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A publication that changes over time; ``publisher`` is its authority."""

    key: str
    title: str
    publisher: str
    kind: str
    jurisdiction: str
    url: str | None
    attribution: str | None
    note: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind, value): the authority's own, e.g. the EU procedure number


@dataclass(frozen=True, slots=True)
class Version:
    """One published state of a source; ``text`` is its held text (None when not held, or not loaded)."""

    source: str
    key: str
    published: PartialDate
    url: str | None
    revises: str | None
    text: str | None
    sha256: str | None
    note: str | None = None
    where: Where | None = None
    date_confidence: str = "unconfirmed"  # how well ``published`` is known (verbatim, paraphrase, unconfirmed)

    @property
    def id(self) -> str:
        return f"{self.source}/{self.key}"

    @property
    def revises_id(self) -> str | None:
        """Return the id of the version this one revises (of the same source), or None."""
        return f"{self.source}/{self.revises}" if self.revises else None


@dataclass(frozen=True, slots=True)
class Quote:
    exact: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OverrideRef:
    target: str
    kind: str


@dataclass(frozen=True, slots=True)
class Statement:
    """One unit of guidance about a drug, in force over ``[valid_from, valid_until)``.

    With ``valid_from_basis`` ``publication-date``, ``valid_from`` is the publication date of the earliest
    version asserting the statement (:func:`.files.resolve_publication_dates` sets it once every version is read).
    Its words are not here: each record (:class:`Assertion`) keeps its own. ``legal_effect`` says whether it is
    a binding decision or a recommendation towards one (None: neither is said); ``reserved`` that it reserves the
    drug for patients after other treatment, or who cannot have it.
    """

    key: str
    drug: str
    topic: str
    jurisdiction: str
    valid_from: PartialDate
    valid_from_basis: str
    valid_until: PartialDate | None
    temporary: bool
    overrides: tuple[OverrideRef, ...]
    note: str | None
    where: Where | None = None
    legal_effect: str | None = None
    reserved: bool = False


@dataclass(frozen=True, slots=True)
class Reference:
    """A held text that is not a version of any source: reference data that reports on sources.

    A citation whose source has no known address may quote a reference instead (the facts file of the project,
    for example, reports the EMA's recommendation of 31 October 2019 but gives no address for it). A reference
    has no record date, so it never makes a statement visible: the cited version does.
    """

    key: str
    title: str
    text: str | None
    sha256: str
    attribution: str | None = None
    note: str | None = None
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Assertion:
    """One version's record of a statement, in that version's own words: a quote of its held text, or a citation.

    A citation gives the URL of the version (``citation_url``) or, when no address is known, names the document
    (``document``) and quotes a held :class:`Reference` that reports it (``quote`` with ``reference``).
    ``wording`` is the record's words (its quote of the version's text, or what the citation reports; None when
    the record gives none); ``wording_confidence`` and ``date_confidence`` say how well the words and the
    version's date are known. ``defines`` marks the record of the version that defines the statement.
    """

    statement: str
    source: str
    version: str
    quote: Quote | None
    citation_url: str | None
    wording_confidence: str
    note: str | None
    where: Where | None = None
    reference: str | None = None
    document: str | None = None
    wording: str | None = None
    date_confidence: str = "unconfirmed"
    defines: bool = False

    @property
    def version_id(self) -> str:
        return f"{self.source}/{self.version}"

    @property
    def confidence(self) -> str:
        """Return the confidence of the wording (the one confidence records had before dates had their own)."""
        return self.wording_confidence


@dataclass(frozen=True, slots=True)
class Corpus:
    drugs: dict[str, Drug] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    versions: dict[str, Version] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    assertions: tuple[Assertion, ...] = ()
    references: dict[str, Reference] = field(default_factory=dict)
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    reach: tuple[Reach, ...] = ()
