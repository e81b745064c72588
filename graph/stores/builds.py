"""The on-disk builds of a data folder: directories written once, the ``current`` link, leases, and collection.

Under a store root::

    builds/<id>/oxigraph/     the Oxigraph store (RocksDB), opened read-only by readers
    builds/<id>/snapshot/     the model as arrays (snapshot.py), memory-mapped by readers
    builds/<id>/build.json    what was built: fingerprint, counts, warnings, the data folder
    builds/<id>/lease         the lease file
    current -> builds/<id>    the build readers open

A build is written to a temporary directory, renamed into place, and made current by replacing the ``current``
link (``rename(2)``, atomic): a reader sees the old build or the new one, never a part of either.

**Leases.** A process that has a build open holds a shared ``flock`` on its lease file for as long as it does
(:class:`Lease`); the kernel drops it when the process ends, however it ends. :func:`collect` removes a build that
is not current only after taking the lease file's exclusive lock without waiting, so a build some process still
reads is never deleted; it is collected by the next build or ingest after its last reader let go.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from guidancekg.graph.errors import StoreError
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.stores.build import data_cache, package_version
from guidancekg.graph.stores.snapshot import DIRECTORY as SNAPSHOT_DIRECTORY
from guidancekg.graph.stores.snapshot import build_snapshot, snapshot_bytes, write_snapshot

LEASE_FILE = "lease"
VALIDATION_FILE = "validation.json"  # the SHACL report of the build: computed once, then served from here
TMP_PREFIX = ".tmp-"
TRASH_PREFIX = ".trash-"
STALE_BUILD_SECONDS = 15 * 60  # an unfinished build directory older than this is abandoned


class Buildable(Protocol):
    """What a build is written from (``build.Compiled``)."""

    fingerprint: str
    warnings: tuple[str, ...]
    corpus: Any
    shacl: Any  # a ShaclReport of the whole graph, or None

    def nquad_chunks(self) -> Iterable[bytes]: ...


def default_store_root(data_dir: Path) -> Path:
    """Return where builds of ``data_dir`` live: ``$GUIDANCEKG_STORE`` or a per-data-folder cache."""
    env = os.environ.get("GUIDANCEKG_STORE")
    if env:
        return Path(env)
    return data_cache(data_dir, "stores")


@dataclass(frozen=True)
class BuildInfo:
    """What a build wrote, read back from its ``build.json``."""

    path: Path
    fingerprint: str
    created: str
    quads: int
    statements: int
    versions: int
    warnings: tuple[str, ...]
    data: str | None = None  # the data folder it was built from

    @classmethod
    def read(cls, build_dir: Path) -> BuildInfo | None:
        try:
            raw = json.loads((build_dir / "build.json").read_text(encoding="utf-8"))
            return cls(path=build_dir, fingerprint=raw["fingerprint"], created=raw["created"], quads=raw["quads"],
                       statements=raw["statements"], versions=raw["versions"],
                       warnings=tuple(raw.get("warnings", ())), data=raw.get("data"))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def current_build(root: Path) -> BuildInfo | None:
    """Return the build the ``current`` link points at, or None when there is none that reads."""
    link = Path(root) / "current"
    return BuildInfo.read(link.resolve()) if link.exists() else None


class Lease:
    """A shared lock on a build, held while this process has it open; :meth:`release` (or process exit) lets go."""

    def __init__(self, build_dir: Path, fd: int) -> None:
        self.build_dir = build_dir
        self._fd: int | None = fd

    @classmethod
    def take(cls, build_dir: Path) -> Lease:
        """Lease ``build_dir``; raise :class:`StoreError` when it is gone (collected meanwhile) or has no lease."""
        path = Path(build_dir) / LEASE_FILE
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise StoreError(f"the build {Path(build_dir).name} is gone ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            # Collection locks the file, then renames the build away: the file must still be the one at the path.
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                raise FileNotFoundError(path)
        except OSError:
            os.close(fd)
            raise StoreError(f"the build {Path(build_dir).name} is being collected") from None
        return cls(Path(build_dir), fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor drops the lock


def lease_current(root: Path, attempts: int = 5) -> tuple[BuildInfo, Lease] | None:
    """Return the current build with a lease on it, or None when there is no current build.

    A build made current and superseded (and collected) between reading the link and taking the lease is
    simply passed over: the link is read again.
    """
    for _ in range(attempts):
        info = current_build(root)
        if info is None:
            return None
        try:
            return info, Lease.take(info.path)
        except StoreError:
            continue
    raise StoreError(f"the current build under {root} kept changing; try again")


def write_build(compiled: Buildable, root: Path, data_dir: Path | None = None,
                progress: Progress = SILENT) -> BuildInfo:
    """Write ``compiled`` as an Oxigraph store under ``root``, make it current, then collect unleased builds."""
    info, lease = publish_build(compiled, root, data_dir, progress)
    lease.release()
    return info


def publish_build(compiled: Buildable, root: Path, data_dir: Path | None = None,
                  progress: Progress = SILENT, *, rdf: bool = True) -> tuple[BuildInfo, Lease]:
    """Do what :func:`write_build` does, and return the new build leased (taken before it is made current).

    Every build holds the snapshot of its model (:mod:`.snapshot`); ``rdf=False`` writes a build without an
    Oxigraph store, for a store kind that keeps the RDF elsewhere (a remote SPARQL server).
    """
    root = Path(root)
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    final = builds / compiled.fingerprint[:32]
    if not BuildInfo.read(final):
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=builds))
        try:
            quads = 0
            if rdf:
                with progress.step("writing the store", None, "quads") as step:
                    quads = _create_oxigraph(tmp / "oxigraph", _counted(compiled.nquad_chunks(), step.advance))
                    step.summary = f"{quads:,} quads"
            with progress.step("writing the snapshot of the model") as step:
                write_snapshot(build_snapshot(compiled.corpus), tmp / SNAPSHOT_DIRECTORY)
                step.summary = f"{snapshot_bytes(tmp / SNAPSHOT_DIRECTORY) / 1e6:,.1f} MB"
            meta = {
                "fingerprint": compiled.fingerprint,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "quads": quads,
                "statements": len(compiled.corpus.statements),
                "versions": len(compiled.corpus.versions),
                "warnings": list(compiled.warnings),
                "data": str(Path(data_dir).resolve()) if data_dir else None,
                "guidancekg": package_version(),
            }
            (tmp / LEASE_FILE).touch()
            if compiled.shacl is not None and rdf:
                record_validation(tmp, {**compiled.shacl.to_json(), **_union_triples(tmp / "oxigraph", quads)})
            (tmp / "build.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
            if final.exists():  # a directory without a readable build.json: an unfinished older attempt
                _remove(final)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    lease = Lease.take(final)
    _point_current(root, final)
    collect(root)
    info = BuildInfo.read(final)
    assert info is not None
    return info, lease


def collect(root: Path) -> list[str]:
    """Remove every build that is not current and that no process holds a lease on; return their names."""
    builds = Path(root) / "builds"
    current = (Path(root) / "current").resolve()
    removed: list[str] = []
    if not builds.is_dir():
        return removed
    for child in sorted(builds.iterdir()):
        if child.name.startswith(TRASH_PREFIX):
            shutil.rmtree(child, ignore_errors=True)  # left by a collection that was interrupted
        elif not child.name.startswith(TMP_PREFIX) and child.resolve() != current and _remove(child):
            removed.append(child.name)
    return removed


def clean(root: Path) -> list[str]:
    """Remove what interrupted builds left under ``root`` and every superseded build no process leases.

    Abandoned build directories (``builds/.tmp-*`` older than :data:`STALE_BUILD_SECONDS`: a build in progress
    writes into its own), temporary ``.current-<pid>`` links of processes that are gone, then :func:`collect`.
    Returns what was done, one line each.
    """
    done = []
    builds = Path(root) / "builds"
    now = time.time()
    if builds.is_dir():
        for p in builds.iterdir():
            if p.name.startswith(TMP_PREFIX) and now - p.stat().st_mtime > STALE_BUILD_SECONDS:
                shutil.rmtree(p, ignore_errors=True)
                done.append(f"removed the abandoned build {p.name}")
    if Path(root).is_dir():
        for p in Path(root).iterdir():
            m = re.fullmatch(r"\.current-(\d+)", p.name)
            if m and p.is_symlink() and not _alive(int(m[1])):
                p.unlink(missing_ok=True)
                done.append(f"removed the temporary link {p.name}")
    done += [f"collected the superseded build {name}" for name in collect(root)]
    return done


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(build_dir: Path) -> bool:
    """Remove ``build_dir`` if no process leases it (taking its lease file's exclusive lock without waiting)."""
    lease = build_dir / LEASE_FILE
    try:
        fd = os.open(lease, os.O_RDONLY)
    except FileNotFoundError:
        fd = None  # a build from before leases: nobody can hold it
    except OSError:
        return False
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Renamed away while locked: a reader that opened the lease file meanwhile sees it moved and lets go.
        trash = build_dir.with_name(f"{TRASH_PREFIX}{build_dir.name}-{secrets.token_hex(4)}")
        os.rename(build_dir, trash)
    except OSError:
        return False  # leased, or already gone
    finally:
        if fd is not None:
            os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _counted(chunks: Iterable[bytes], advance: Callable[[int], None]) -> Iterator[bytes]:
    """Yield N-Quads chunks as they are, telling ``advance`` how many quads (lines) each holds."""
    for chunk in chunks:
        advance(chunk.count(b"\n"))
        yield chunk


def record_validation(build_dir: Path, report: dict[str, Any]) -> None:
    """Keep the SHACL report of a build in it (written whole or not at all), for every later reader."""
    tmp = Path(build_dir) / f".{VALIDATION_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    tmp.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, Path(build_dir) / VALIDATION_FILE)


def read_validation(build_dir: Path) -> dict[str, Any] | None:
    """Return the SHACL report kept in a build, or None when it has none yet."""
    try:
        report: dict[str, Any] = json.loads((Path(build_dir) / VALIDATION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report


# Past this many quads the report names no triple count: counting distinct triples would hold them all in memory.
COUNTED_QUADS = 2_000_000


def _union_triples(path: Path, quads: int) -> dict[str, int]:
    """Return ``{"triples": n}``, the distinct triples of the union of a new store's graphs (what SHACL validated)."""
    import pyoxigraph as ox

    if quads > COUNTED_QUADS:
        return {}
    store = ox.Store.read_only(str(path))
    solutions = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g "
                            "{ ?s ?p ?o } } }")
    assert isinstance(solutions, ox.QuerySolutions)
    return {"triples": int(next(iter(solutions))["n"].value)}


class _ChunkReader(io.RawIOBase):
    """A read-only byte stream over an iterator of byte chunks (for bulk loading without one big buffer)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _create_oxigraph(path: Path, chunks: Iterable[bytes]) -> int:
    """Write a new Oxigraph store directory holding the streamed N-Quads; return its number of quads."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    try:
        store.bulk_load(io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 20), format=ox.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
        return len(store)
    finally:
        del store


def _point_current(root: Path, target: Path) -> None:
    tmp_link = root / f".current-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.relpath(target, root), tmp_link)
    os.replace(tmp_link, root / "current")
    (root / "previous").unlink(missing_ok=True)  # kept by builds before leases; a lease protects a reader now
