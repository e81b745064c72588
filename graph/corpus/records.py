"""The curated data as plain frozen records, before it becomes RDF.

A :class:`Corpus` is what ``data/`` says, checked for form by :mod:`.datafiles`; :mod:`.checks` checks it for
meaning and :mod:`.rdfbuild` turns it into the dataset.
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
class Drug:
    key: str
    label: str
    brand_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    publisher: str
    kind: str
    jurisdiction: str
    url: str | None
    attribution: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Version:
    source: str
    key: str
    published: PartialDate
    url: str | None
    revises: str | None
    text: str | None
    sha256: str | None
    note: str | None = None
    where: Where | None = None

    @property
    def id(self) -> str:
        return f"{self.source}/{self.key}"


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
    key: str
    drug: str
    topic: str
    jurisdiction: str
    wording: str
    valid_from: PartialDate | None
    valid_from_basis: str
    valid_until: PartialDate | None
    temporary: bool
    overrides: tuple[OverrideRef, ...]
    note: str | None
    where: Where


@dataclass(frozen=True, slots=True)
class Reference:
    """A held text that is not a version of any source: reference data that reports on sources.

    A citation whose source has no known address may quote a reference instead (the facts file of the project,
    for example, reports the EMA's recommendation of 31 October 2019 but gives no address for it). A reference
    has no record date, so it never makes a statement visible: the cited version does.
    """

    key: str
    title: str
    text: str
    sha256: str
    attribution: str | None = None
    note: str | None = None
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Assertion:
    """One version's record of a statement: a verbatim quote of its held text, or a citation.

    A citation gives the URL of the version (``citation_url``) or, when no address is known, names the document
    (``document``) and quotes a held :class:`Reference` that reports it (``quote`` with ``reference``).
    """

    statement: str
    source: str
    version: str
    quote: Quote | None
    citation_url: str | None
    confidence: str
    note: str | None
    where: Where
    reference: str | None = None
    document: str | None = None

    @property
    def version_id(self) -> str:
        return f"{self.source}/{self.version}"


@dataclass(frozen=True, slots=True)
class Corpus:
    drugs: dict[str, Drug] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    versions: dict[str, Version] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    assertions: tuple[Assertion, ...] = ()
    references: dict[str, Reference] = field(default_factory=dict)
