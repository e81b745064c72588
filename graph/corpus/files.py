"""Read ``data/`` (YAML and held texts) into a :class:`~.corpus.Corpus`, refusing anything malformed.

Layout (documented for curators in ``data/README.md``)::

    data/drugs.yaml
    data/sources/<source>/source.yaml
    data/sources/<source>/versions/<version>/version.yaml
    data/sources/<source>/versions/<version>/text.txt          (the held text, when the project holds it)
    data/sources/<source>/versions/<version>/statements.yaml

Every error names the file and line, and the statement where there is one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guidancekg.graph.corpus.records import (
    Assertion,
    Corpus,
    Drug,
    OverrideRef,
    Quote,
    Reference,
    Source,
    Statement,
    Version,
)
from guidancekg.graph.corpus.yamlfile import Fields, read_text, read_yaml, relative, sha256_of
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.errors import DataError
from guidancekg.ontology.vocab import (
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    JURISDICTION_CODES,
    OVERRIDE_KIND_TERMS,
    SOURCE_KIND_TERMS,
    TOPIC_KEYS,
)

STATEMENT_KEYS = {
    "id", "drug", "topic", "jurisdiction", "text", "valid_from", "valid_from_basis", "valid_until",
    "temporary", "overrides", "quote", "citation", "note", "assertion_note",
}
ASSERTS_KEYS = {"asserts", "quote", "citation", "assertion_note"}
SOURCE_KEYS = {"title", "publisher", "kind", "jurisdiction", "url", "attribution", "note", "identifiers"}
# The form of each kind of authority identifier, so that a mistyped one is refused.
IDENTIFIER_FORMS = {"eu-procedure-number": re.compile(r"EMEA/H/C/[0-9]{6}"),
                    "fda-spl-set-id": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")}
VERSION_KEYS = {"published", "url", "revises", "note"}
REFERENCE_KEYS = {"title", "attribution", "note"}


def count_versions(data_dir: Path) -> int:
    """Return how many version folders ``data_dir`` holds (the units of :func:`load_corpus`'s progress)."""
    return sum(1 for p in Path(data_dir).glob("sources/*/versions/*") if p.is_dir())


def load_corpus(data_dir: Path, on_version: Callable[[], None] | None = None) -> Corpus:
    """Read every file under ``data_dir`` into a corpus; raise :class:`DataError` on the first bad one.

    ``on_version`` is called after each version folder is read (progress).
    """
    root = Path(data_dir).resolve()
    if not root.is_dir():
        raise DataError(f"data directory not found: {data_dir}")
    drugs = _load_drugs(root)
    sources: dict[str, Source] = {}
    versions: dict[str, Version] = {}
    statements: dict[str, Statement] = {}
    assertions: list[Assertion] = []
    sources_dir = root / "sources"
    for source_dir in sorted(p for p in sources_dir.iterdir() if p.is_dir()) if sources_dir.is_dir() else []:
        source = _load_source(source_dir, root)
        sources[source.key] = source
        versions_dir = source_dir / "versions"
        for version_dir in sorted(p for p in versions_dir.iterdir() if p.is_dir()) if versions_dir.is_dir() else []:
            version = _load_version(source, version_dir, root)
            versions[version.id] = version
            _load_statements(version, version_dir / "statements.yaml", root, drugs, source,
                             statements, assertions)
            if on_version is not None:
                on_version()
    references = _load_references(root)
    return resolve_publication_dates(Corpus(drugs, sources, versions, statements, tuple(assertions), references))


def _load_references(root: Path) -> dict[str, Reference]:
    """Read ``references/<key>/reference.yaml`` and its held ``text.txt``, for every reference."""
    out: dict[str, Reference] = {}
    folder = root / "references"
    for ref_dir in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        path = ref_dir / "reference.yaml"
        if not path.exists():
            raise DataError("missing reference.yaml", file=relative(ref_dir, root))
        f = Fields(read_yaml(path, root), relative(path, root), REFERENCE_KEYS, what="reference")
        text_path = ref_dir / "text.txt"
        if not text_path.exists():
            raise DataError("missing text.txt: a reference is a held text", file=relative(ref_dir, root))
        text = read_text(text_path, root)
        out[ref_dir.name] = Reference(
            key=ref_dir.name, title=f.text("title") or "", text=text, sha256=sha256_of(text),
            attribution=f.text("attribution", required=False), note=f.text("note", required=False),
            where=f.where())
    return out


def _load_drugs(root: Path) -> dict[str, Drug]:
    path = root / "drugs.yaml"
    file = relative(path, root)
    raw = read_yaml(path, root) if path.exists() else None
    if not isinstance(raw, list):
        raise DataError("expected a list of drugs", file=file)
    drugs: dict[str, Drug] = {}
    for item in raw:
        f = Fields(item, file, {"id", "label", "brand_names"}, what="drug")
        key = f.text("id") or ""
        brands = item.get("brand_names") or []
        if not isinstance(brands, list) or not all(isinstance(b, str) for b in brands):
            f.fail("brand_names must be a list of strings")
        if key in drugs:
            f.fail(f"drug {key!r} is defined twice")
        drugs[key] = Drug(key, f.text("label") or key, tuple(brands))
    return drugs


def _load_source(source_dir: Path, root: Path) -> Source:
    path = source_dir / "source.yaml"
    file = relative(path, root)
    if not path.exists():
        raise DataError("missing source.yaml", file=relative(source_dir, root))
    f = Fields(read_yaml(path, root), file, SOURCE_KEYS, what="source")
    return Source(
        key=source_dir.name,
        title=f.text("title") or "",
        publisher=f.text("publisher") or "",
        kind=f.choice("kind", set(SOURCE_KIND_TERMS)),
        jurisdiction=f.choice("jurisdiction", JURISDICTION_CODES),
        url=f.text("url", required=False),
        attribution=f.text("attribution", required=False),
        note=f.text("note", required=False),
        identifiers=_identifiers(f),
    )


def _identifiers(f: Fields) -> tuple[tuple[str, str], ...]:
    """Read a source's ``identifiers``: a list of ``{kind, value}``, each kind once, each value of its kind's form."""
    raw = f.raw.get("identifiers")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.fail("identifiers must be a list of {kind, value}")
    out: dict[str, str] = {}
    for item in raw:
        g = Fields(item, f.file, {"kind", "value"}, what="identifier")
        kind, value = g.choice("kind", set(IDENTIFIER_FORMS)), g.text("value") or ""
        if kind in out:
            g.fail(f"identifier kind {kind!r} is given twice")
        if not IDENTIFIER_FORMS[kind].fullmatch(value):
            g.fail(f"{value!r} is not of the form of a {kind} ({IDENTIFIER_FORMS[kind].pattern})")
        out[kind] = value
    return tuple(out.items())


def _load_version(source: Source, version_dir: Path, root: Path) -> Version:
    path = version_dir / "version.yaml"
    file = relative(path, root)
    if not path.exists():
        raise DataError("missing version.yaml", file=relative(version_dir, root))
    f = Fields(read_yaml(path, root), file, VERSION_KEYS, what="version")
    text_path = version_dir / "text.txt"
    text = read_text(text_path, root) if text_path.exists() else None
    published = f.date("published")
    assert published is not None
    return Version(
        source=source.key,
        key=version_dir.name,
        published=published,
        url=f.text("url", required=False),
        revises=f.text("revises", required=False),
        text=text,
        sha256=sha256_of(text) if text is not None else None,
        note=f.text("note", required=False),
        where=f.where(),
    )


def _load_statements(version: Version, path: Path, root: Path, drugs: dict[str, Drug], source: Source,
                     statements: dict[str, Statement], assertions: list[Assertion]) -> None:
    file = relative(path, root)
    raw = read_yaml(path, root) if path.exists() else []
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise DataError("expected a list of statements", file=file)
    read_statement_entries(raw, file, version, drugs, source, statements, assertions)


def read_statement_entries(raw: list[Any], file: str, version: Version, drugs: dict[str, Drug], source: Source,
                           statements: dict[str, Statement], assertions: list[Assertion]) -> None:
    """Read the entries of one version's statements file (definitions and ``asserts``), naming ``file``."""
    for item in raw:
        key = item.get("id") or item.get("asserts") if isinstance(item, dict) else None
        if isinstance(item, dict) and "asserts" in item:
            f = Fields(item, file, ASSERTS_KEYS, statement=str(key), what="assertion")
            key = f.text("asserts") or ""
        else:
            f = Fields(item, file, STATEMENT_KEYS, statement=str(key) if key else None, what="statement")
            key = f.text("id") or ""
            if key in statements:
                f.fail(f"statement {key!r} is already defined at {statements[key].where}; "
                       f"to record it from another version, write 'asserts: {key}'")
            statements[key] = _statement(f, key, drugs, source, version)
        assertions.append(_assertion(f, key, version))


def _statement(f: Fields, key: str, drugs: dict[str, Drug], source: Source, version: Version) -> Statement:
    drug = f.choice("drug", set(drugs))
    topic = f.choice("topic", TOPIC_KEYS)
    jurisdiction = f.choice("jurisdiction", JURISDICTION_CODES, default=source.jurisdiction)
    basis = f.choice("valid_from_basis", set(BASIS_TERMS))
    valid_from = f.date("valid_from", required=False)
    if basis == "publication-date" and valid_from is not None:
        f.fail("valid_from must be left out when valid_from_basis is publication-date: "
               "it is the publication date of the earliest version asserting the statement")
    if basis != "publication-date" and valid_from is None:
        f.fail(f"valid_from is required when valid_from_basis is {basis}")
    overrides_raw = f.raw.get("overrides") or []
    if not isinstance(overrides_raw, list):
        f.fail("overrides must be a list of {statement, kind}")
    overrides = []
    for o in overrides_raw:
        of = Fields(o, f.file, {"statement", "kind"}, statement=key, what="override")
        overrides.append(OverrideRef(of.text("statement") or "", of.choice("kind", set(OVERRIDE_KIND_TERMS))))
    quote = f.raw.get("quote")
    wording = f.text("text", required=False) or (quote.get("exact") if isinstance(quote, dict) else None)
    if not wording:
        f.fail("missing 'text' (the wording as the source gives it); it may be left out only with a quote")
    return Statement(
        key=key, drug=drug, topic=topic, jurisdiction=jurisdiction, wording=str(wording),
        # With the publication-date basis, this version's date until resolve_publication_dates has seen them all.
        valid_from=valid_from or version.published, valid_from_basis=basis,
        valid_until=f.date("valid_until", required=False),
        temporary=f.flag("temporary"), overrides=tuple(overrides), note=f.text("note", required=False),
        where=f.where(),
    )


def _assertion(f: Fields, key: str, version: Version) -> Assertion:
    quote_raw, citation_raw = f.raw.get("quote"), f.raw.get("citation")
    if (quote_raw is None) == (citation_raw is None):
        f.fail("give exactly one of 'quote' (from the held text) or 'citation' (a source whose text is not held)")
    quote = None
    citation_url = reference = document = None
    confidence = "verbatim"
    if quote_raw is not None:
        qf = Fields(quote_raw, f.file, {"exact", "start", "end"}, statement=key, what="quote")
        quote = _quote(qf)
        if version.text is None:
            qf.fail(f"version {version.id} holds no text to quote; use a citation instead")
    else:
        cf = Fields(citation_raw, f.file, {"url", "confidence", "document", "quote"}, statement=key,
                     what="citation")
        citation_url = cf.text("url", required=False)
        confidence = cf.choice("confidence", set(CONFIDENCE_TERMS))
        document = cf.text("document", required=False)
        if cf.raw.get("quote") is not None:
            qf = Fields(cf.raw["quote"], f.file, {"reference", "exact", "start", "end"}, statement=key,
                         what="quote of a reference")
            reference = qf.text("reference")
            quote = _quote(qf)
        if citation_url is None and (quote is None or document is None):
            cf.fail("a citation needs the version's 'url', or, where no address is known, the 'document' it "
                    "names and a 'quote' of a held reference (data/references/) that reports it")
    return Assertion(
        statement=key, source=version.source, version=version.key, quote=quote, citation_url=citation_url,
        confidence=confidence, note=f.text("assertion_note", required=False), where=f.where(),
        reference=reference, document=document,
    )


def _quote(qf: Fields) -> Quote:
    exact = qf.text("exact") or ""
    start, end = qf.raw.get("start"), qf.raw.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or start < 0:
        raise qf.fail("quote start and end must be whole numbers of characters, start >= 0")
    return Quote(exact, int(start), int(end))


def resolve_publication_dates(corpus: Corpus) -> Corpus:
    """Set ``valid_from`` of statements whose basis is the publication date to their earliest version's date."""
    earliest: dict[str, PartialDate] = {}
    for a in corpus.assertions:
        version = corpus.versions[a.version_id]
        if a.statement not in earliest or version.published < earliest[a.statement]:
            earliest[a.statement] = version.published
    statements = dict(corpus.statements)
    for key, s in statements.items():
        if s.valid_from_basis == "publication-date" and key in earliest:
            statements[key] = dataclasses.replace(s, valid_from=earliest[key])
    return dataclasses.replace(corpus, statements=statements)
