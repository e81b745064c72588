"""Builds are all or nothing: checked first, written to a new directory, swapped in by one link."""

from pathlib import Path

import pytest

from guidancekg.graph.errors import DataError, ValidationFailed
from guidancekg.graph.stores.base import OxigraphStore
from guidancekg.graph.stores.build import compile_data
from guidancekg.graph.stores.builds import current_build, write_build
from guidancekg.graph.stores.kinds import open_store

BASE = "http://localhost/"
SEED = "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml"


def test_build_writes_a_store_that_reopens_without_rebuilding(data_dir, store_root):
    info = write_build(compile_data(data_dir, BASE), store_root)
    assert (info.path / "oxigraph").is_dir() and info.statements >= 22
    messages: list[str] = []
    store, _ = open_store(data_dir, base=BASE, root=store_root, say=messages.append)
    assert isinstance(store, OxigraphStore)
    assert messages == []  # reopened, not rebuilt
    assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == str(info.quads)


def test_missing_store_is_built_with_a_message(data_dir, store_root):
    messages: list[str] = []
    open_store(data_dir, base=BASE, root=store_root, say=messages.append)
    assert len(messages) == 1 and "missing" in messages[0]


def test_stale_store_is_rebuilt_with_a_message(data_copy, store_root):
    open_store(data_copy, base=BASE, root=store_root)
    first = current_build(store_root)
    path = data_copy / SEED
    path.write_text(path.read_text(encoding="utf-8") + "\n# a curator's comment\n", encoding="utf-8")
    messages: list[str] = []
    open_store(data_copy, base=BASE, root=store_root, say=messages.append)
    assert "stale" in messages[0]
    second = current_build(store_root)
    assert first and second and first.fingerprint != second.fingerprint


def test_a_changed_base_iri_is_a_stale_store(data_dir, store_root):
    open_store(data_dir, base=BASE, root=store_root)
    messages: list[str] = []
    open_store(data_dir, base="http://example.org/", root=store_root, say=messages.append)
    assert messages and "stale" in messages[0]


def test_failed_build_leaves_the_previous_build_untouched(data_copy, store_root):
    good = write_build(compile_data(data_copy, BASE), store_root)
    before = {p: p.read_bytes() for p in Path(good.path).rglob("*") if p.is_file()}
    path = data_copy / SEED
    path.write_text(path.read_text(encoding="utf-8").replace("by 70% compared", "by 71% compared"),
                    encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        write_build(compile_data(data_copy, BASE), store_root)
    assert "alemtuzumab-relapse-rate-reduction-70pc" in str(info.value)
    assert current_build(store_root) == good
    assert {p: p.read_bytes() for p in Path(good.path).rglob("*") if p.is_file()} == before
    assert not [p for p in (store_root / "builds").iterdir() if p.name.startswith(".tmp-")]


def test_broken_data_file_is_a_data_error(data_copy, store_root):
    (data_copy / "drugs.yaml").write_text("- id: [alemtuzumab\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"drugs\.yaml:\d+"):
        open_store(data_copy, base=BASE, root=store_root)
    assert current_build(store_root) is None


def test_the_same_data_builds_the_same_quads(data_dir):
    a = b"".join(compile_data(data_dir, BASE).nquad_chunks())
    b = b"".join(compile_data(data_dir, BASE).nquad_chunks())
    assert a == b and len(a.splitlines()) > 1000


def _fingerprint_cache_of(data: Path) -> Path:
    from guidancekg.graph.stores.build import _fingerprint_cache

    cache = _fingerprint_cache(data)
    assert cache is not None
    return cache


def test_fingerprint_from_its_cache_equals_reading_every_file(data_copy, tmp_path, monkeypatch):
    from guidancekg.graph.stores.build import fingerprint

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cold = fingerprint(data_copy, BASE)  # every file read and hashed; the cache written
    cache = _fingerprint_cache_of(data_copy)
    assert cache.is_file()
    assert fingerprint(data_copy, BASE) == cold  # every file's hash taken from the cache
    cache.unlink()
    assert fingerprint(data_copy, BASE) == cold
    path = data_copy / SEED
    path.write_text(path.read_text(encoding="utf-8") + "\n# a curator's comment\n", encoding="utf-8")
    assert fingerprint(data_copy, BASE) != cold


def test_a_damaged_fingerprint_cache_is_read_again_not_trusted(data_copy, tmp_path, monkeypatch):
    import json

    from guidancekg.graph.stores.build import fingerprint

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    true = fingerprint(data_copy, BASE)
    cache = _fingerprint_cache_of(data_copy)
    entries = json.loads(cache.read_text(encoding="utf-8"))
    damage = ["not hex at all", "ab" * 8, None, 7]  # each keeps the file's size and time: only the hash is bad
    for n, key in enumerate(sorted(entries)):
        entries[key][2] = damage[n % len(damage)]
    cache.write_text(json.dumps(entries), encoding="utf-8")
    assert fingerprint(data_copy, BASE) == true  # once raised ValueError: a server could not start
    assert fingerprint(data_copy, BASE) == true  # and the cache is mended
    assert all(isinstance(e[2], str) and len(e[2]) == 64 for e in json.loads(cache.read_text()).values())
