"""graph/stores/builds.py: a build a live process has open is never deleted; the others are collected.

The readers are real processes holding a build open (``GuidanceGraph.open`` on an on-disk store); one is killed
with SIGKILL to show that the kernel releases its lease.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingest_data.helpers import SOURCE, V1, tiny_data

from guidancekg.graph.errors import StoreError
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.stores.build import compile_data
from guidancekg.graph.stores.builds import Lease, collect, current_build, lease_current, write_build

BASE = "http://localhost/"
SEED = f"sources/{SOURCE}/versions/{V1}/statements.yaml"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A small data folder (the fictional test source), quick to build."""
    return tiny_data(tmp_path / "data")

READER = """
import sys, time
from pathlib import Path
from guidancekg.graph.opened import GuidanceGraph
graph = GuidanceGraph.open(Path(sys.argv[1]), base=sys.argv[3], store_root=Path(sys.argv[2]))
print(graph.store.build_dir, flush=True)
time.sleep(600)
"""


def touch_data(data: Path, n: int) -> None:
    """Change the data (a comment) so that the next build is another one."""
    path = data / SEED
    path.write_text(path.read_text(encoding="utf-8") + f"\n# change {n}\n", encoding="utf-8")


def builds(root: Path) -> set[str]:
    return {p.name for p in (root / "builds").iterdir() if not p.name.startswith(".")}


def start_reader(data: Path, root: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen([sys.executable, "-c", READER, str(data), str(root), BASE], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_a_build_a_live_process_has_open_is_never_deleted(data, store_root):
    """Issue 14, finding 3: a CLI build deleted the build folder a running server still read."""
    reader, held = start_reader(data, store_root)
    try:
        for n in range(2):
            touch_data(data, n)
            write_build(compile_data(data, BASE), store_root, data)
        assert held.is_dir() and held.name in builds(store_root)
        assert (held / "oxigraph").is_dir()
        current = current_build(store_root)
        assert current is not None and current.path != held
        # The middle build had no reader: it was collected by the last build.
        assert builds(store_root) == {held.name, current.path.name}
    finally:
        reader.send_signal(signal.SIGKILL)  # no chance to let go of its lease: the kernel does
        reader.wait()
    assert collect(store_root) == [held.name]
    assert not held.exists() and builds(store_root) == {current.path.name}


def test_superseded_builds_that_no_one_reads_are_collected_and_the_current_one_never(data, store_root):
    for n in range(3):
        touch_data(data, n)
        write_build(compile_data(data, BASE), store_root, data)
    current = current_build(store_root)
    assert current is not None and builds(store_root) == {current.path.name}
    assert collect(store_root) == []
    assert current.path.is_dir()


def test_a_lease_is_refused_on_a_build_that_is_being_collected(data, store_root):
    info = write_build(compile_data(data, BASE), store_root, data)
    import fcntl

    fd = os.open(info.path / "lease", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what collection holds while it moves a build away
        with pytest.raises(StoreError, match="being collected"):
            Lease.take(info.path)
    finally:
        os.close(fd)
    lease = Lease.take(info.path)
    assert lease.held
    lease.release()


def test_a_reader_opens_the_current_build_even_while_builds_are_made(data, store_root):
    write_build(compile_data(data, BASE), store_root, data)
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom pathlib import Path\n"
        "from guidancekg.graph.stores.build import compile_data\n"
        "from guidancekg.graph.stores.builds import write_build\n"
        "data, root = Path(sys.argv[1]), Path(sys.argv[2])\n"
        f"seed = data / {SEED!r}\n"
        "for n in range(6):\n"
        "    seed.write_text(seed.read_text(encoding='utf-8') + f'\\n# w{n}\\n', encoding='utf-8')\n"
        f"    write_build(compile_data(data, {BASE!r}), root, data)\n"), str(data), str(store_root)])
    opened = 0
    try:
        while writer.poll() is None:
            found = lease_current(store_root)
            assert found is not None
            info, lease = found
            assert (info.path / "oxigraph").is_dir()
            lease.release()
            opened += 1
            time.sleep(0.05)
    finally:
        writer.wait(120)
    assert writer.returncode == 0 and opened > 1


def test_a_build_keeps_its_shacl_report_and_serves_it_from_there(data, store_root):
    """Issue 14, finding 5: ``/api/validate`` used to run SHACL on the whole graph at the first request after
    each ingest; a build now keeps the report its compilation produced."""
    from guidancekg.graph.stores.builds import read_validation

    info = write_build(compile_data(data, BASE), store_root, data)
    report = read_validation(info.path)
    assert report is not None and report["conforms"] is True and report["triples"] > 50
    graph = GuidanceGraph.open(data, base=BASE, store_root=store_root)
    try:
        assert graph.validation_report() == report  # read, not computed
    finally:
        graph.close()
