"""Build ``data/`` into a validated dataset and write it to a store, all or nothing.

Every check (form, quotes at their offsets, references, dates, an acyclic override graph, SHACL) runs before
anything is written. An on-disk build is written to a new directory and made current by replacing one
symbolic link, so a failed or interrupted build leaves the previous one untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rdflib import Dataset

from guidancekg.ontology import ONTOLOGY_DIR
from .checks import check_corpus
from .corpus import Corpus
from .datafiles import load_corpus
from .errors import StoreError, ValidationFailed
from .iris import Minter, normalise_base
from .rdfbuild import build_dataset, union_graph
from .shacl import load_vocabulary, validate
from .store import MemoryStore, OxigraphStore, Store

STORE_KINDS = ("oxigraph", "memory")


def package_version() -> str:
    """Return the installed distribution's version (the one version string lives in pyproject.toml)."""
    try:
        return version("guidancekg")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "0+unknown"


@dataclass(frozen=True)
class Compiled:
    """A corpus that passed every check, and its dataset."""

    corpus: Corpus
    dataset: Dataset
    base: str
    fingerprint: str
    warnings: tuple[str, ...]


def compile_data(data_dir: Path, base: str) -> Compiled:
    """Load, check, convert and validate ``data_dir``; raise :class:`ValidationFailed` listing every problem."""
    corpus = load_corpus(Path(data_dir))
    report = check_corpus(corpus)
    if report.problems:
        raise ValidationFailed(report.problems)
    dataset = build_dataset(corpus, Minter(normalise_base(base)), load_vocabulary())
    shacl = validate(union_graph(dataset))
    if not shacl.conforms:
        raise ValidationFailed([f"SHACL: {r.message} (focus {r.focus})" for r in shacl.results
                                if r.severity == "Violation"] or ["SHACL: the graph does not conform"])
    return Compiled(corpus, dataset, normalise_base(base), fingerprint(data_dir, base), tuple(report.warnings))


def _data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in Path(data_dir).rglob("*")
                  if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                             for part in p.relative_to(data_dir).parts)
                  and p.suffix != ".py")


def fingerprint(data_dir: Path, base: str) -> str:
    """Return a SHA-256 over the data files, the ontology, the base IRI and the code version."""
    h = hashlib.sha256()
    h.update(f"guidancekg {package_version()}\nbase {normalise_base(base)}\n".encode())
    for root in (Path(data_dir), ONTOLOGY_DIR):
        for path in _data_files(root):
            if root == ONTOLOGY_DIR and path.suffix not in {".ttl", ".jsonld"}:
                continue
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def default_store_root(data_dir: Path) -> Path:
    """Return where builds of ``data_dir`` live: ``$GUIDANCEKG_STORE`` or a per-data-folder cache."""
    env = os.environ.get("GUIDANCEKG_STORE")
    if env:
        return Path(env)
    resolved = Path(data_dir).resolve()
    tag = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "guidancekg" / "stores" / f"{resolved.name}-{tag}"


@dataclass(frozen=True)
class BuildInfo:
    """What a build wrote, read back from its ``build.json``."""

    path: Path
    fingerprint: str
    base: str
    created: str
    quads: int
    statements: int
    versions: int
    warnings: tuple[str, ...]

    @classmethod
    def read(cls, build_dir: Path) -> BuildInfo | None:
        try:
            raw = json.loads((build_dir / "build.json").read_text(encoding="utf-8"))
            return cls(path=build_dir, fingerprint=raw["fingerprint"], base=raw["base"], created=raw["created"],
                       quads=raw["quads"], statements=raw["statements"], versions=raw["versions"],
                       warnings=tuple(raw.get("warnings", ())))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def current_build(root: Path) -> BuildInfo | None:
    """Return the build the ``current`` link points at, or None when there is none that reads."""
    link = Path(root) / "current"
    return BuildInfo.read(link.resolve()) if link.exists() else None


def write_build(compiled: Compiled, root: Path) -> BuildInfo:
    """Write ``compiled`` as an Oxigraph store under ``root`` and make it current, atomically."""
    root = Path(root)
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    final = builds / compiled.fingerprint[:32]
    if not BuildInfo.read(final):
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=builds))
        try:
            nquads = compiled.dataset.serialize(format="nquads", encoding="utf-8")
            OxigraphStore.create(tmp / "oxigraph", nquads)
            meta = {
                "fingerprint": compiled.fingerprint,
                "base": compiled.base,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "quads": sum(1 for _ in compiled.dataset.quads((None, None, None, None))),
                "statements": len(compiled.corpus.statements),
                "versions": len(compiled.corpus.versions),
                "warnings": list(compiled.warnings),
                "guidancekg": package_version(),
            }
            (tmp / "build.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _point_current(root, final)
    _prune(builds, keep={final.name, *_previous(root)})
    info = BuildInfo.read(final)
    assert info is not None
    return info


def _point_current(root: Path, target: Path) -> None:
    previous = root / "current"
    old = os.readlink(previous) if previous.is_symlink() else None
    tmp_link = root / f".current-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.relpath(target, root), tmp_link)
    os.replace(tmp_link, previous)
    if old and Path(root, old).resolve() != target.resolve():
        (root / "previous").unlink(missing_ok=True)
        os.symlink(old, root / "previous")


def _previous(root: Path) -> set[str]:
    link = root / "previous"
    return {Path(os.readlink(link)).name} if link.is_symlink() else set()


def _prune(builds: Path, keep: set[str]) -> None:
    """Remove builds older than the previous one; a server may still be reading the previous."""
    for child in builds.iterdir():
        if child.name not in keep and not child.name.startswith(".tmp-"):
            shutil.rmtree(child, ignore_errors=True)


def open_store(data_dir: Path, *, base: str, kind: str = "oxigraph", root: Path | None = None,
               say: Callable[[str], None] = lambda _msg: None) -> tuple[Store, tuple[str, ...]]:
    """Open the store for ``data_dir``: reopen a current build, or build first when it is missing or stale."""
    if kind not in STORE_KINDS:
        raise StoreError(f"unknown store kind {kind!r}; choose one of {', '.join(STORE_KINDS)}")
    if kind == "memory":
        compiled = compile_data(data_dir, base)
        return MemoryStore(compiled.dataset), compiled.warnings
    root = Path(root) if root else default_store_root(data_dir)
    info = current_build(root)
    wanted = fingerprint(data_dir, base)
    if info is None or info.fingerprint != wanted:
        reason = "missing" if info is None else "stale (data, base IRI or version changed)"
        say(f"store at {root} is {reason}: building it from {data_dir}")
        info = write_build(compile_data(data_dir, base), root)
    return OxigraphStore(info.path / "oxigraph"), info.warnings
