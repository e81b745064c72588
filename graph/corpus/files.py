"""Read ``data/`` (YAML and held texts) into a :class:`~.corpus.Corpus`, refusing anything malformed.

Layout (documented for curators in ``data/README.md``)::

    data/drugs.yaml
    data/jurisdictions.yaml                                      (the jurisdictions and the reach between them)
    data/references/<reference>/reference.yaml, text.txt        (held texts that report on sources)
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

from guidancekg.graph.corpus.jurisdictions import jurisdiction_code, load_jurisdictions
from guidancekg.graph.corpus.records import (
    Assertion,
    Corpus,
    Drug,
    OverrideRef,
    Reference,
    Source,
    Statement,
    Version,
)
from guidancekg.graph.corpus.yamlfile import (
    CITATION_KEYS,
    Fields,
    quote_of,
    read_citation,
    read_text,
    read_yaml,
    relative,
    sha256_of,
)
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.errors import DataError
from guidancekg.ontology.vocab import (
    BASIS_TERMS,
    CONFIDENCE_TERMS,
    LEGAL_EFFECT_TERMS,
    OVERRIDE_KIND_TERMS,
    SOURCE_KIND_TERMS,
    TOPIC_KEYS,
)

STATEMENT_KEYS = {
    "id", "drug", "topic", "jurisdiction", "text", "valid_from", "valid_from_basis", "valid_until",
    "temporary", "overrides", "quote", "citation", "note", "assertion_note", "legal_effect", "reserved",
}
ASSERTS_KEYS = {"asserts", "quote", "citation", "text", "assertion_note"}
SOURCE_KEYS = {"title", "publisher", "kind", "jurisdiction", "url", "attribution", "note", "identifiers"}
# The form of each kind of authority identifier, so that a mistyped one is refused.
IDENTIFIER_FORMS = {"eu-procedure-number": re.compile(r"EMEA/H/C/[0-9]{6}"),
                    "fda-spl-set-id": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")}
VERSION_KEYS = {"published", "date_confidence", "sha256", "url", "revises", "note"}
REFERENCE_KEYS = {"title", "sha256", "revises", "attribution", "note"}


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
    references = _load_references(root)
    jurisdictions, reach = load_jurisdictions(root, references)
    known = Corpus(drugs=_load_drugs(root), references=references, jurisdictions=jurisdictions, reach=reach)
    sources: dict[str, Source] = {}
    versions: dict[str, Version] = {}
    statements: dict[str, Statement] = {}
    assertions: list[Assertion] = []
    sources_dir = root / "sources"
    for source_dir in sorted(p for p in sources_dir.iterdir() if p.is_dir()) if sources_dir.is_dir() else []:
        source = _load_source(source_dir, root, known)
        sources[source.key] = source
        versions_dir = source_dir / "versions"
        for version_dir in sorted(p for p in versions_dir.iterdir() if p.is_dir()) if versions_dir.is_dir() else []:
            version = _load_version(source, version_dir, root)
            versions[version.id] = version
            _load_statements(version, version_dir / "statements.yaml", root,
                             dataclasses.replace(known, sources={source.key: source}), statements, assertions)
            if on_version is not None:
                on_version()
    return resolve_publication_dates(dataclasses.replace(
        known, sources=sources, versions=versions, statements=statements, assertions=tuple(assertions)))


def _load_references(root: Path) -> dict[str, Reference]:
    """Read ``references/<key>/reference.yaml`` and its held ``text.txt``, for every reference.

    A reference is held byte for byte: ``reference.yaml`` records the SHA-256 of the text its quotes were taken
    from, and a text that no longer has it is refused. A newer copy of a reference is a new reference.
    """
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
        _check_pinned(f, sha256_of(text), "reference", "a reference is never edited: hold a newer copy as a new "
                      "reference (its own folder, with 'revises' naming this one)")
        out[ref_dir.name] = Reference(
            key=ref_dir.name, title=f.text("title") or "", text=text, sha256=sha256_of(text),
            attribution=f.text("attribution", required=False), note=f.text("note", required=False),
            where=f.where())
    return out


def _check_pinned(f: Fields, actual: str, what: str, why: str, required: bool = True) -> None:
    """Refuse a held text whose SHA-256 is not the one its YAML file records (``sha256``)."""
    pinned = f.text("sha256", required=required)
    if pinned is not None and pinned != actual:
        f.fail(f"the held text.txt of this {what} has SHA-256 {actual}, not the {pinned} recorded here: {why}")


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


def _described(folder: Path, root: Path, what: str, keys: set[str]) -> Fields:
    """Return the fields of ``folder``'s ``WHAT.yaml`` (a source's or a version's), refusing a folder without one."""
    path = folder / f"{what}.yaml"
    if not path.exists():
        raise DataError(f"missing {what}.yaml", file=relative(folder, root))
    return Fields(read_yaml(path, root), relative(path, root), keys, what=what)


def _load_source(source_dir: Path, root: Path, known: Corpus) -> Source:
    f = _described(source_dir, root, "source", SOURCE_KEYS)
    return Source(
        key=source_dir.name,
        title=f.text("title") or "",
        publisher=f.text("publisher") or "",
        kind=f.choice("kind", set(SOURCE_KIND_TERMS)),
        jurisdiction=jurisdiction_code(f, "jurisdiction", known.jurisdictions.values()),
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
    f = _described(version_dir, root, "version", VERSION_KEYS)
    text_path = version_dir / "text.txt"
    text = read_text(text_path, root) if text_path.exists() else None
    if text is not None:
        _check_pinned(f, sha256_of(text), "version", "a version is never edited: record a correction as a new "
                      "version that revises this one", required=False)
    elif f.raw.get("sha256") is not None:
        f.fail("sha256 is given but the version holds no text.txt")
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
        date_confidence=f.choice("date_confidence", set(CONFIDENCE_TERMS), default="unconfirmed"),
    )


def _load_statements(version: Version, path: Path, root: Path, known: Corpus, statements: dict[str, Statement],
                     assertions: list[Assertion]) -> None:
    file = relative(path, root)
    raw = read_yaml(path, root) if path.exists() else []
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise DataError("expected a list of statements", file=file)
    read_statement_entries(raw, file, version, known, statements, assertions)


def read_statement_entries(raw: list[Any], file: str, version: Version, known: Corpus,
                           statements: dict[str, Statement], assertions: list[Assertion]) -> None:
    """Read the entries of one version's statements file (definitions and ``asserts``), naming ``file``.

    ``known`` gives the drugs, the jurisdictions and the version's source (its jurisdiction is the default).
    """
    for item in raw:
        key = item.get("id") or item.get("asserts") if isinstance(item, dict) else None
        if isinstance(item, dict) and "asserts" in item:
            f = Fields(item, file, ASSERTS_KEYS, statement=str(key), what="assertion")
            key = f.text("asserts") or ""
            defines = False
        else:
            f = Fields(item, file, STATEMENT_KEYS, statement=str(key) if key else None, what="statement")
            key = f.text("id") or ""
            if key in statements:
                f.fail(f"statement {key!r} is already defined at {statements[key].where}; "
                       f"to record it from another version, write 'asserts: {key}'")
            statements[key] = _statement(f, key, known, version)
            defines = True
        assertions.append(_assertion(f, key, version, defines))


def _statement(f: Fields, key: str, known: Corpus, version: Version) -> Statement:
    drug = f.choice("drug", known.drugs)  # looked up, not copied: a copy per statement made reading quadratic
    topic = f.choice("topic", TOPIC_KEYS)
    jurisdiction = jurisdiction_code(f, "jurisdiction", known.jurisdictions.values(),
                                     default=known.sources[version.source].jurisdiction)
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
    legal_effect = f.text("legal_effect", required=False)
    if legal_effect is not None:
        legal_effect = f.choice("legal_effect", set(LEGAL_EFFECT_TERMS))
    return Statement(
        key=key, drug=drug, topic=topic, jurisdiction=jurisdiction,
        # With the publication-date basis, this version's date until resolve_publication_dates has seen them all.
        valid_from=valid_from or version.published, valid_from_basis=basis,
        valid_until=f.date("valid_until", required=False),
        temporary=f.flag("temporary"), overrides=tuple(overrides), note=f.text("note", required=False),
        where=f.where(), legal_effect=legal_effect, reserved=f.flag("reserved"),
    )


def _assertion(f: Fields, key: str, version: Version, defines: bool) -> Assertion:
    """Read the record part of an entry: the version's words (a quote of its held text, or a citation)."""
    quote_raw, citation_raw = f.raw.get("quote"), f.raw.get("citation")
    if (quote_raw is None) == (citation_raw is None):
        f.fail("give exactly one of 'quote' (from the held text) or 'citation' (a source whose text is not held)")
    text = f.text("text", required=False)
    if quote_raw is not None:
        qf = Fields(quote_raw, f.file, {"exact", "start", "end"}, statement=key, what="quote")
        quote = quote_of(qf)
        if version.text is None:
            qf.fail(f"version {version.id} holds no text to quote; use a citation instead")
        if text is not None and text != quote.exact:
            f.fail("a record that quotes its version's held text has the quote as its wording: leave 'text' out")
        return Assertion(
            statement=key, source=version.source, version=version.key, quote=quote, citation_url=None,
            wording_confidence="verbatim", note=f.text("assertion_note", required=False), where=f.where(),
            wording=quote.exact, date_confidence=version.date_confidence, defines=defines)
    if text is None and defines:
        f.fail("missing 'text' (the wording as the cited source gives it, or the reference reports it)")
    cf = Fields(citation_raw, f.file, CITATION_KEYS, statement=key, what="citation")
    cited, reference, url, document, confidence = read_citation(cf)
    return Assertion(
        statement=key, source=version.source, version=version.key, quote=cited, citation_url=url,
        wording_confidence=confidence, note=f.text("assertion_note", required=False), where=f.where(),
        reference=reference, document=document, wording=text, date_confidence=version.date_confidence,
        defines=defines)


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
