"""Add a new version of a source, all or nothing, append-only and crash-safe (``guidancekg ingest``, the API).

The steps, in order (docs/ingest-and-propose.md explains the design):

1. **Lock.** One ingest at a time per data folder: an exclusive ``flock`` on ``<data>/.ingest/lock``, which the
   kernel releases when the process ends, however it ends.
2. **Check, writing nothing.** The data folder is loaded as it is; the new version (its ``published`` date,
   ``revises``, held text and statements file) is added to that corpus in memory and every check of the build
   runs on the result: the form of the statements file (with the uploaded file's name and line in each
   message), quotes at their offsets, references, dates, ``published`` after the revised version's, an acyclic
   override graph, then the SHACL shapes on what changed (the new version, its statements and records, and
   whatever else the change touches), with the whole graph as context.
3. **Append-only.** A text already recorded for the source (byte for byte) is an idempotent repeat: the
   answer is that version and nothing is written, provided the statements file is the same too. A version
   key already taken by another text, or a recorded text sent with other statements, is refused: a recorded
   version is never overwritten; a correction is a new version that revises it.
4. **Write the data, atomically.** The three files are written (and fsynced) into a staging folder
   ``<data>/.ingest/stage-*`` (hidden: neither ``load_corpus`` nor the fingerprint looks there), then the
   folder is renamed to ``sources/<source>/versions/<key>`` in one ``rename(2)``: the commit point.
5. **Update the store, atomically.** The data folder is read again and written as a new content-addressed
   build, made current by replacing one symbolic link (the store's ``publish``; :mod:`.stores.builds`). Readers
   of the previous build are undisturbed: they hold a lease on it, and it is collected after the last one.

Crash safety: killed before step 4's rename, the data folder is unchanged (a staging folder may be left:
:func:`recover` discards it); killed after it, the data holds the new version and the store's fingerprint no
longer matches, so the next :func:`.build.open_store` rebuilds it (the ingest is finished). Either way the
store answers with the old state or the new one, never a mixture.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from rdflib import Dataset

from guidancekg.graph.corpus.checks import check_corpus
from guidancekg.graph.corpus.files import load_corpus, read_statement_entries, resolve_publication_dates
from guidancekg.graph.corpus.records import Corpus, Version, Where
from guidancekg.graph.corpus.yamlfile import parse_yaml, sha256_of
from guidancekg.graph.dates import parse_partial
from guidancekg.graph.errors import (
    DataError,
    IngestBusy,
    InputError,
    NotFound,
    UploadTooLarge,
    ValidationFailed,
    VersionConflict,
)
from guidancekg.graph.ingest.recovery import INGEST_DIR, STAGE_PREFIX, discard_staging, ingest_lock
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.rdf.iris import DEFAULT_BASE, Minter, normalise_base
from guidancekg.graph.stores.base import Store
from guidancekg.graph.stores.build import Compiled, fingerprint, validate_chunked
from guidancekg.graph.stores.builds import clean
from guidancekg.graph.stores.kinds import DEFAULT_STORE_KIND, store_class
from guidancekg.ontology.vocab import CONFIDENCE_TERMS

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # per uploaded file (config INGEST_MAX_BYTES)
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")  # folder names: no dot first, no slash

Say = Callable[[str], None]


@dataclass(frozen=True)
class Upload:
    """A new version as a client sends it: the held text and statements file (bytes) and the version fields."""

    source: str
    published: str
    text: bytes
    statements: bytes
    revises: str | None = None
    url: str | None = None
    key: str | None = None  # the version's folder name; default: the published date
    date_confidence: str = "unconfirmed"  # how well ``published`` is known: verbatim, paraphrase, unconfirmed
    text_name: str = "text.txt"
    statements_name: str = "statements.yaml"


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: ``created`` False for an idempotent repeat (nothing written)."""

    created: bool
    source: str
    key: str
    published: str
    iri: str
    defines: tuple[str, ...]
    asserts: tuple[str, ...]
    withdraws: tuple[str, ...]
    warnings: tuple[str, ...]
    compiled: Compiled | None = None  # the data folder now on disk, checked and converted (None for a repeat)
    store: Store | None = None  # the store holding the new contents, open (None for a repeat)

    @property
    def dataset(self) -> Dataset | None:
        """The new dataset, parsed on first use."""
        return self.compiled.dataset if self.compiled is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"created": self.created, "source": self.source, "version": self.key, "id": self.iri,
                "published": self.published, "defines": list(self.defines), "asserts": list(self.asserts),
                "withdraws": list(self.withdraws), "warnings": list(self.warnings)}


@dataclass(frozen=True)
class _Plan:
    corpus: Corpus  # the corpus with the new version
    version: Version
    existing: Version | None  # an identical version already recorded: nothing to write
    warnings: tuple[str, ...]


# -- the ingest -------------------------------------------------------------------------------------------------


def ingest(data_dir: Path, upload: Upload, *, base: str = DEFAULT_BASE, store_root: Path | None = None,
           store_kind: str = DEFAULT_STORE_KIND, max_bytes: int = DEFAULT_MAX_BYTES, origin: str = "cli",
           say: Say = lambda _m: None, progress: Progress = SILENT) -> IngestResult:
    """Check ``upload`` in the context of ``data_dir``, then record it and update the store (module docstring).

    ``progress`` hears each step (checking, writing the version, updating the store). ``store_kind`` names the
    store to update (``store_root`` for on-disk builds); the result holds it open (``result.store``: close it
    when done, which releases an on-disk build's lease).

    Raises :class:`DataError` / :class:`ValidationFailed` (the new version breaks a check),
    :class:`VersionConflict` (it would change a recorded version), :class:`NotFound` (unknown source),
    :class:`InputError` (a malformed field), :class:`UploadTooLarge`; in each case nothing is written.
    """
    data_dir = Path(data_dir).resolve()
    _check_fields(upload, max_bytes)
    kind = store_class(store_kind)
    root = kind.builds_under(data_dir, Path(store_root) if store_root else None)
    with ingest_lock(data_dir) as folder:
        # What an ingest killed earlier left behind (we hold the lock, so no staging folder is in use).
        for line in discard_staging(folder) + (clean(root) if root else []):
            say(f"recover: {line}")
        say(f"ingest: checking version {upload.key or upload.published} of {upload.source} against {data_dir}")
        with progress.step("checking the new version in the context of the data"):
            plan = _prepare(data_dir, upload, base)
        minter = Minter(normalise_base(base))
        v = plan.existing or plan.version
        iri = str(minter.version(v.source, v.key))
        if plan.existing is not None:
            say(f"ingest: the text is already recorded as {iri}; nothing was written")
            mine = [a for a in plan.corpus.assertions if a.version_id == v.id]
            return IngestResult(False, v.source, v.key, v.published.isoformat(), iri, (),
                                tuple(a.statement for a in mine), (), ())
        say(f"ingest: writing {upload.source}/{plan.version.key} into the data folder")
        with progress.step("writing the version folder"):
            _commit(data_dir, plan.version, upload, origin)
        say("ingest: updating the store")
        with progress.step("reading the data again") as step:
            compiled = _reload(data_dir, base)
            step.summary = f"{len(compiled.corpus.statements):,} statements"
        store = kind.publish(compiled, data_dir=data_dir, root=root, progress=progress)
    corpus, warnings = compiled.corpus, compiled.warnings
    version = corpus.versions[plan.version.id]
    mine = [a for a in corpus.assertions if a.version_id == version.id]
    result = IngestResult(True, version.source, version.key, version.published.isoformat(), iri,
                          _defined_here(corpus, version), tuple(a.statement for a in mine),
                          _withdrawn(corpus, version), warnings, compiled, store)
    say(f"ingest: recorded {iri} ({len(result.defines)} new statements, {len(result.asserts)} asserted, "
        f"{len(result.withdraws)} withdrawn)")
    return result


def _check_fields(upload: Upload, max_bytes: int) -> None:
    if not KEY.fullmatch(upload.source or ""):
        raise InputError("source", f"{upload.source!r} is not a source key")
    for name, value in (("revises", upload.revises), ("key", upload.key)):
        if value is not None and not KEY.fullmatch(value):
            raise InputError(name, f"{value!r} is not a version key (letters, digits, '-', '_', inner dots)")
    for what, data in ((upload.text_name, upload.text), (upload.statements_name, upload.statements)):
        if len(data) > max_bytes:
            raise UploadTooLarge(what, len(data), max_bytes)
    if upload.date_confidence not in CONFIDENCE_TERMS:
        raise InputError("date_confidence", f"{upload.date_confidence!r} is not one of "
                                            f"{', '.join(CONFIDENCE_TERMS)}")
    if upload.url is not None and not re.match(r"https?://\S+$", upload.url):
        raise InputError("url", f"{upload.url!r} is not an http(s) URL")


def _prepare(data_dir: Path, upload: Upload, base: str) -> _Plan:
    corpus = load_corpus(data_dir)
    source = corpus.sources.get(upload.source)
    if source is None:
        raise NotFound("source", upload.source, sorted(corpus.sources))
    published = parse_partial(upload.published, "published")
    key = upload.key or published.isoformat()
    try:
        text = upload.text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"held text is not UTF-8 ({exc.reason} at byte {exc.start})",
                        file=upload.text_name) from None
    sha = sha256_of(text)
    mine = sorted((v for v in corpus.versions.values() if v.source == source.key), key=lambda v: v.key)
    for v in mine:
        if v.sha256 == sha:
            recorded = data_dir / "sources" / v.source / "versions" / v.key / "statements.yaml"
            if recorded.is_file() and recorded.read_bytes() == upload.statements:
                return _Plan(corpus, v, v, ())
            raise VersionConflict(
                f"this text is already recorded as version {v.key} of {v.source}, with other statements; a "
                f"recorded version is never edited: to correct its statements, record a new version that "
                f"revises {v.key}", file=upload.statements_name)
    if any(v.key == key for v in mine) or (data_dir / "sources" / source.key / "versions" / key).exists():
        raise VersionConflict(
            f"version {key} of {source.key} is already recorded with another text; a recorded version is never "
            f"overwritten: record the correction as a new version (another key) that revises it",
            file=upload.text_name)
    version = Version(source=source.key, key=key, published=published, url=upload.url, revises=upload.revises,
                      text=text, sha256=sha, where=Where(f"ingest of {source.key}/{key}"),
                      date_confidence=upload.date_confidence)
    statements = dict(corpus.statements)
    assertions = list(corpus.assertions)
    raw = _read_statements(upload)
    read_statement_entries(raw, upload.statements_name, version, corpus, statements, assertions)
    candidate = resolve_publication_dates(dataclasses.replace(
        corpus, versions={**corpus.versions, version.id: version}, statements=statements,
        assertions=tuple(assertions)))
    report = check_corpus(candidate)
    if report.problems:
        raise ValidationFailed(report.problems)
    _validate_change(corpus, candidate, version, base)
    return _Plan(candidate, version, None, tuple(report.warnings))


def _read_statements(upload: Upload) -> Any:
    file = upload.statements_name
    try:
        text = upload.statements.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=file) from None
    raw = parse_yaml(text, file)
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise DataError("expected a list of statements", file=file)
    return raw


def _validate_change(before: Corpus, after: Corpus, version: Version, base: str) -> None:
    """Run the SHACL shapes on what the change touches, with the context those shapes look at.

    The closed validation chunk (:func:`.build.validate_chunked`) of the statements the new version records and
    of those it changes (an earlier publication date moves a statement's ``valid_from``), so the time does not
    grow with the graph.
    """
    touched = {a.statement for a in after.assertions if a.version_id == version.id}
    touched |= {k for k, s in after.statements.items() if before.statements.get(k) != s}
    conforms, results = validate_chunked(after, Minter(normalise_base(base)), statements=touched)
    if not conforms:
        raise ValidationFailed([f"SHACL: {r.message} (focus {r.focus})" for r in results
                                if r.severity == "Violation"] or ["SHACL: the new version does not conform"])


def _commit(data_dir: Path, version: Version, upload: Upload, origin: str) -> None:
    """Write the version's folder under a staging name, then rename it into place (the commit point)."""
    staging = data_dir / INGEST_DIR / f"{STAGE_PREFIX}{version.source}-{version.key}-{secrets.token_hex(4)}"
    final = data_dir / "sources" / version.source / "versions" / version.key
    staging.mkdir()
    try:
        meta: dict[str, str] = {"published": version.published.isoformat(), "date_confidence": version.date_confidence,
                                "sha256": version.sha256 or ""}
        if version.url:
            meta["url"] = version.url
        if version.revises:
            meta["revises"] = version.revises
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        header = (f"# Recorded by guidancekg ingest ({origin}) on {stamp} from {_safe(upload.text_name)} and "
                  f"{_safe(upload.statements_name)}.\n# A version is never edited: a correction is a new version "
                  f"that revises this one.\n")
        files = {
            "text.txt": upload.text,
            "statements.yaml": upload.statements,
            "version.yaml": (header + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)).encode("utf-8"),
        }
        for name, data in files.items():
            _write_synced(staging / name, data)
        _fsync_dir(staging)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise VersionConflict(f"version {version.key} of {version.source} appeared while checking; "
                                  f"nothing was written", file=upload.statements_name)
        try:
            os.rename(staging, final)  # atomic: the version appears whole or not at all
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise VersionConflict(f"version {version.key} of {version.source} already exists",
                                      file=upload.statements_name) from None
            raise
        _fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _safe(name: str) -> str:
    return re.sub(r"[\r\n]+", " ", name)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reload(data_dir: Path, base: str) -> Compiled:
    """Read the data folder again after the commit: the store is always a function of the files on disk.

    SHACL ran before the commit, on the change.
    """
    corpus = load_corpus(data_dir)
    report = check_corpus(corpus)
    if report.problems:  # cannot happen after _prepare; the next open would rebuild and report it
        raise ValidationFailed(report.problems)
    return Compiled(corpus, base, fingerprint(data_dir, base), tuple(report.warnings))


def _defined_here(corpus: Corpus, version: Version) -> tuple[str, ...]:
    """Return the statements ``version`` defines (not those it asserts from elsewhere)."""
    return tuple(a.statement for a in corpus.assertions
                 if a.version_id == version.id and corpus.statements[a.statement].where == a.where)


def _withdrawn(corpus: Corpus, version: Version) -> tuple[str, ...]:
    """Return what the source's previous latest version asserted and ``version`` does not (when it is latest)."""
    others = [v for v in corpus.versions.values() if v.source == version.source and v.id != version.id]
    if not others:
        return ()
    previous = max(others, key=lambda v: (v.published, v.key))
    if previous.published > version.published:
        return ()
    now = {a.statement for a in corpus.assertions if a.version_id == version.id}
    return tuple(sorted({a.statement for a in corpus.assertions if a.version_id == previous.id} - now))


__all__ = ["DEFAULT_MAX_BYTES", "INGEST_DIR", "IngestBusy", "IngestResult", "Upload", "UploadTooLarge",
           "VersionConflict", "ingest", "ingest_lock"]
