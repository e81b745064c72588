"""Compile ``data/`` into a validated dataset, all or nothing, and fingerprint the data it came from.

Every check (form, quotes at their offsets, references, dates, an acyclic override graph, SHACL) runs before
anything is written. Where the dataset goes is the store's business: an on-disk build (:mod:`.builds`), an
in-memory dataset, a remote SPARQL server (each store class's ``publish``).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from guidancekg.graph.corpus.checks import check_corpus
from guidancekg.graph.corpus.files import count_versions, load_corpus
from guidancekg.graph.corpus.records import Assertion, Corpus
from guidancekg.graph.errors import ValidationFailed
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.rdf.iris import DEFAULT_BASE, Minter, normalise_base
from guidancekg.graph.rdf.shacl import ShaclReport, ShaclResult, load_vocabulary, validate
from guidancekg.graph.rdf.writer import (
    assertion_lines,
    build_nquads,
    catalogue_lines,
    superseded_from,
    vocabulary_lines,
)
from guidancekg.graph.stores.snapshot import FORMAT as SNAPSHOT_FORMAT
from guidancekg.ontology import ONTOLOGY_DIR


def package_version() -> str:
    """Return the installed distribution's version (the one version string lives in pyproject.toml)."""
    try:
        return version("guidancekg")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "0+unknown"


class Compiled:
    """A corpus that passed every check, and its dataset: streamed as N-Quads, or parsed as an rdflib
    :class:`Dataset` on first use (for the in-memory store)."""

    def __init__(self, corpus: Corpus, base: str, fingerprint: str, warnings: tuple[str, ...],
                 shacl: ShaclReport | None = None) -> None:
        self.corpus = corpus
        self.shacl = shacl  # the SHACL report of the whole graph, when this compilation ran one
        self.base = normalise_base(base)
        self.fingerprint = fingerprint
        self.warnings = tuple(warnings)
        self.minter = Minter(self.base)
        self._dataset: Dataset | None = None

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            ds = Dataset()
            ds.parse(data=b"".join(self.nquad_chunks()).decode("utf-8"), format="nquads")
            self._dataset = ds
        return self._dataset

    def nquad_chunks(self) -> Iterator[bytes]:
        """Yield the dataset as N-Quads in chunks, written straight from the corpus."""
        yield from build_nquads(self.corpus, self.minter, load_vocabulary())


def _raise_on(shacl_results: Iterable[ShaclResult], conforms: bool) -> None:
    if not conforms:
        raise ValidationFailed([f"SHACL: {r.message} (focus {r.focus})" for r in shacl_results
                                if r.severity == "Violation"] or ["SHACL: the graph does not conform"])


def compile_data(data_dir: Path, base: str = DEFAULT_BASE, progress: Progress = SILENT) -> Compiled:
    """Load, check, convert and validate ``data_dir``; raise :class:`ValidationFailed` listing every problem.

    ``progress`` hears each step, with its counts."""
    with progress.step("reading the data", count_versions(data_dir), "versions") as step:
        corpus = load_corpus(Path(data_dir), on_version=step.advance)
        step.summary = (f"{len(corpus.statements):,} statements in {len(corpus.versions):,} versions of "
                        f"{len(corpus.sources):,} sources")
    with progress.step("checking quotes, references, dates and overrides") as step:
        report = check_corpus(corpus)
        step.summary = f"{len(report.problems)} problems, {len(report.warnings)} warnings"
    if report.problems:
        raise ValidationFailed(report.problems)
    with progress.step("validating with SHACL", len(corpus.statements), "statements"):
        conforms, results = validate_chunked(corpus, Minter(normalise_base(base)), on_chunk=progress.advance)
    _raise_on(results, conforms)
    return Compiled(corpus, base, fingerprint(data_dir, base), tuple(report.warnings), ShaclReport(conforms, results))


# -- SHACL in closed chunks ------------------------------------------------------------------------------------


def validation_chunks(corpus: Corpus, max_assertions: int = 3000) -> Iterator[tuple[str, set[str] | None]]:
    """Yield ``(name, statement keys)`` chunks that together cover the corpus; ``None`` is the catalogue chunk.

    Each chunk is closed under what the shapes look at from its statements: their records, the versions those
    name (and the versions they revise), the versions' sources and the drugs; and the statements they override,
    which the build's checks keep to the same drug (so a chunk is a group of whole drugs). The catalogue chunk
    holds every drug, source, publisher and version, so that those not named by any statement are validated too.
    """
    yield "catalogue", None
    by_drug: dict[str, list[str]] = {}
    for s in corpus.statements.values():
        by_drug.setdefault(s.drug, []).append(s.key)
    per_statement: dict[str, int] = {}
    for a in corpus.assertions:
        per_statement[a.statement] = per_statement.get(a.statement, 0) + 1
    chunk: set[str] = set()
    size = 0
    names: list[str] = []
    for drug, keys in sorted(by_drug.items()):
        chunk.update(keys)
        names.append(drug)
        size += sum(per_statement.get(k, 0) for k in keys)
        if size >= max_assertions:
            yield f"drugs {names[0]}..{names[-1]}", chunk
            chunk, size, names = set(), 0, []
    if chunk:
        yield f"drugs {names[0]}..{names[-1]}", chunk


def chunk_ntriples(corpus: Corpus, minter: Minter, statements: set[str] | None,
                   vocabulary: Graph | None = None,
                   by_statement: dict[str, list[Assertion]] | None = None,
                   superseded: dict[str, date] | None = None) -> bytes:
    """Return the union graph of one validation chunk (see :func:`validation_chunks`) as N-Triples.

    ``by_statement`` (the corpus's assertions per statement) and ``superseded`` (:func:`.rdfbuild.superseded_from`)
    save a pass over the corpus per chunk.
    """
    vocab = vocabulary_lines(vocabulary if vocabulary is not None else load_vocabulary(), "")
    if statements is None:
        return "".join([*vocab, *catalogue_lines(corpus, minter, "", superseded=superseded)]).encode("utf-8")
    # Override targets (the same drug, so in the chunk already; added in case a caller passes another set).
    todo, closed = list(statements), set(statements)
    while todo:
        for o in corpus.statements[todo.pop()].overrides:
            if o.target in corpus.statements and o.target not in closed:
                closed.add(o.target)
                todo.append(o.target)
    if by_statement is None:
        assertions = [a for a in corpus.assertions if a.statement in closed]
    else:
        assertions = [a for k in sorted(closed) for a in by_statement.get(k, ())]
    versions = {a.version_id for a in assertions}
    todo_v = list(versions)
    while todo_v:  # the versions they revise, for prov:wasRevisionOf's class
        v = corpus.versions.get(todo_v.pop())
        if v is not None and v.revises and f"{v.source}/{v.revises}" not in versions:
            versions.add(f"{v.source}/{v.revises}")
            todo_v.append(f"{v.source}/{v.revises}")
    sources = {corpus.versions[v].source for v in versions if v in corpus.versions}
    # Every version of those sources, for gk:supersededFrom's shape (it compares a version with the next one).
    versions.update(v.id for v in corpus.versions.values() if v.source in sources)
    drugs = {corpus.statements[k].drug for k in closed}
    lines = [*vocab, *catalogue_lines(corpus, minter, "", versions=versions, sources=sources, drugs=drugs,
                                      superseded=superseded),
             *assertion_lines(corpus, minter, assertions, "", graphs=False)]
    return "".join(lines).encode("utf-8")


def _chunk_validator() -> Callable[[bytes], tuple[bool, tuple[ShaclResult, ...]]]:
    """Return a function validating N-Triples against the shapes: pyshacl-turbo when installed, else pySHACL."""
    try:
        import pyshacl_turbo
    except ImportError:  # pragma: no cover - the dev extra installs it
        def with_pyshacl(nt: bytes) -> tuple[bool, tuple[ShaclResult, ...]]:
            report = validate(Graph().parse(data=nt.decode("utf-8"), format="nt"))
            return report.conforms, report.results

        return with_pyshacl
    import pyoxigraph as ox

    from guidancekg.graph.rdf.shacl import _results, load_shapes

    local = threading.local()

    def with_turbo(nt: bytes) -> tuple[bool, tuple[ShaclResult, ...]]:
        program = getattr(local, "program", None)
        if program is None:
            program = local.program = pyshacl_turbo.compile_shapes(load_shapes(), advanced=True)
        store = ox.Store()
        store.load(nt, format=ox.RdfFormat.N_TRIPLES)
        conforms, report, _text = program.validate(store, inference="none", allow_warnings=True)
        return bool(conforms), _results(report)

    return with_turbo


def validate_chunked(corpus: Corpus, minter: Minter, *, workers: int = 2, statements: set[str] | None = None,
                     on_chunk: Callable[[int], None] | None = None) -> tuple[bool, tuple[ShaclResult, ...]]:
    """Validate the corpus's graph against every SHACL shape, chunk by chunk; return (conforms, results).

    Every node is validated, against every shape (core and SPARQL-based constraints, SPARQL targets), in a
    chunk that holds all the context its shapes look at (:func:`validation_chunks`), so the results are those of
    one run over the whole graph; a chunk of drugs is small, so the time grows linearly, but the catalogue chunk
    holds every drug, source and version and grows with the corpus (220 MB of N-Triples at 10^6). With
    ``statements``, only the chunk of those statements (closed under their overrides) is validated: the check of
    one new version. The engine is pyshacl-turbo (a Rust SHACL engine that passes pySHACL's own test suite and
    this project's shapes tests) when installed, else pySHACL.
    """
    check = _chunk_validator()
    vocabulary = load_vocabulary()
    if statements is not None:
        conforms, results = check(chunk_ntriples(corpus, minter, statements, vocabulary))
        return conforms, results
    chunks = [keys for _name, keys in validation_chunks(corpus)]
    found: set[ShaclResult] = set()
    conforms = True
    by_statement: dict[str, list[Assertion]] = {}
    for a in corpus.assertions:
        by_statement.setdefault(a.statement, []).append(a)

    superseded = superseded_from(corpus)

    def run(keys: set[str] | None) -> tuple[bool, tuple[ShaclResult, ...]]:
        return check(chunk_ntriples(corpus, minter, keys, vocabulary, by_statement, superseded))

    from concurrent.futures import ThreadPoolExecutor

    # Generating a chunk holds the GIL; validating it does not (native code): two threads overlap the two.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for keys, (ok, results) in zip(chunks, pool.map(run, chunks), strict=True):
            conforms = conforms and ok
            found.update(results)
            if on_chunk is not None:
                on_chunk(len(keys or ()))
    return conforms, tuple(sorted(found, key=lambda r: (r.focus, r.path or "", r.message, r.severity)))


def _data_files(data_dir: Path) -> list[tuple[str, str, os.stat_result]]:
    """Return ``(relative path, path, stat)`` of every data file under ``data_dir``, in path order (one walk, one
    ``stat`` a file, no resolve: a server's start fingerprints its data)."""
    out: list[tuple[str, str, os.stat_result]] = []
    todo = [("", str(data_dir).rstrip(os.sep) or os.sep)]
    while todo:
        prefix, where = todo.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name == "__pycache__":
                    continue
                try:  # is_dir and is_file follow links, as the files' contents are read through them
                    if entry.is_dir():  # the directory entry's type: no stat (a large corpus has many folders)
                        todo.append((prefix + name + os.sep, entry.path))
                    elif entry.is_file() and not name.endswith(".py"):
                        out.append((prefix + name, entry.path, entry.stat()))
                except OSError:
                    continue  # gone or unreadable: no data
    # By parts, as paths compare: the separator as the lowest character gives the parts' order in one string.
    out.sort(key=lambda item: item[0].replace(os.sep, "\0"))
    return out


def fingerprint(data_dir: Path, base: str = DEFAULT_BASE) -> str:
    """Return a SHA-256 over the data files, the ontology, the base IRI, the code version and the snapshot format.

    Each file's content hash is remembered with its size and modification time (in nanoseconds) in a small cache
    (``$XDG_CACHE_HOME/guidancekg/fingerprints``); a file whose size and time are unchanged is not read again, so
    reopening a large corpus costs a ``stat`` per file. Any change of size or time hashes the file again.
    """
    h = hashlib.sha256()
    # The snapshot's format too: a build whose snapshot this version cannot read is stale.
    h.update(f"guidancekg {package_version()}\nsnapshot {SNAPSHOT_FORMAT}\nbase {normalise_base(base)}\n".encode())
    cache_file = _fingerprint_cache(data_dir)
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file else {}
        if not isinstance(cache, dict):
            cache = {}
    except (OSError, ValueError):
        cache = {}
    fresh: dict[str, Any] = {}  # as the cache file holds it: [size, mtime in ns, SHA-256 in hex] per file
    hashed: list[bytes] = []  # per file: its path, a NUL, the SHA-256 of its content
    for root in (Path(data_dir), ONTOLOGY_DIR):
        ontology = root == ONTOLOGY_DIR  # once per folder: a path comparison per file costs a start
        prefix = f"{ontology}:{root.resolve()}{os.sep}"
        for rel, path, stat in _data_files(root):
            if ontology and os.path.splitext(rel)[1] not in {".ttl", ".jsonld"}:
                continue
            key = prefix + rel
            known = cache.get(key)
            digest = _cached_digest(known, stat)
            if digest is None:
                digest = hashlib.sha256(Path(path).read_bytes()).digest()
                known = [stat.st_size, stat.st_mtime_ns, digest.hex()]
            fresh[key] = known  # unchanged, the cache's own entry: a start at 10^6 statements reuses 112,000
            hashed += (rel.encode(), b"\0", digest)
    h.update(b"".join(hashed))  # once: the same bytes as a call per part, without 224,000 calls at 10^6
    if cache_file and fresh != cache:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_name(f".{cache_file.name}.{os.getpid()}")
            tmp.write_text(json.dumps(fresh), encoding="utf-8")
            os.replace(tmp, cache_file)
        except OSError:
            pass  # no cache: the next fingerprint reads the files again
    return h.hexdigest()


def _cached_digest(known: object, stat: os.stat_result) -> bytes | None:
    """Return the content hash the fingerprint cache holds for a file of this size and time, or None."""
    if type(known) is not list or len(known) != 3 or known[0] != stat.st_size or known[1] != stat.st_mtime_ns:
        return None
    try:
        digest = bytes.fromhex(known[2])
    except (TypeError, ValueError):  # a damaged cache: the file is read again
        return None
    return digest if len(digest) == 32 else None


def data_cache(data_dir: Path, kind: str) -> Path:
    """Return the user's cache entry of ``kind`` for the data folder ``data_dir`` (its name and a hash of its path)."""
    resolved = Path(data_dir).resolve()
    tag = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "guidancekg" / kind / f"{resolved.name}-{tag}"


def _fingerprint_cache(data_dir: Path) -> Path | None:
    try:
        entry = data_cache(data_dir, "fingerprints")
    except (OSError, RuntimeError):
        return None
    return entry.with_name(entry.name + ".json")
