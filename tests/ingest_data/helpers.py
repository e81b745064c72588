"""Helpers of the ingest tests: put the fictional test source into a copy of the data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = "test-source"
V1 = "2020-01-15"
V2 = "2020-02-20"


def add_test_source(data_dir: Path, *, with_v1: bool = True) -> Path:
    """Add the fictional drug and ``test-source`` (with its first version) to ``data_dir``; return the source."""
    drugs = data_dir / "drugs.yaml"
    existing = drugs.read_text(encoding="utf-8") if drugs.exists() else ""
    drugs.write_text(existing.rstrip("\n") + ("\n" if existing else "") + (HERE / "drug.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    source = data_dir / "sources" / SOURCE
    source.mkdir(parents=True)
    shutil.copy(HERE / "source.yaml", source / "source.yaml")
    if with_v1:
        v1 = source / "versions" / V1
        v1.mkdir(parents=True)
        shutil.copy(HERE / "text-v1.txt", v1 / "text.txt")
        shutil.copy(HERE / "statements-v1.yaml", v1 / "statements.yaml")
        shutil.copy(HERE / "version-v1.yaml", v1 / "version.yaml")
    return source


def tiny_data(target: Path) -> Path:
    """Return a data folder holding only the fictional drug and test source (fast to build)."""
    (target / "sources").mkdir(parents=True)
    shutil.copy(HERE / "jurisdictions.yaml", target / "jurisdictions.yaml")
    add_test_source(target)
    return target


def v2_files() -> tuple[bytes, bytes]:
    """Return the held text and statements file of the test source's second version."""
    return (HERE / "text-v2.txt").read_bytes(), (HERE / "statements-v2.yaml").read_bytes()


def snapshot(*folders: Path) -> dict[str, bytes | str]:
    """Return every file (bytes) and symbolic link (target) under ``folders``, to prove nothing was written."""
    out: dict[str, bytes | str] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for p in sorted(folder.rglob("*")):
            if p.is_symlink():
                out[str(p)] = "-> " + str(p.readlink())
            elif p.is_file() and p.name != "LOCK" and "__pycache__" not in p.parts:
                out[str(p)] = p.read_bytes()
            elif p.is_dir():
                out[str(p)] = "dir"
    return out
