"""Shared fixtures: the bundled data, a graph built from it in memory, the app and its test client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from guidancekg.api.app import create_app
from guidancekg.graph.engine import Engine
from guidancekg.graph.service import GuidanceGraph

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SHARED = REPO.parent / "shared"
TEST_BASE = "http://localhost/"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def graph() -> GuidanceGraph:
    """The bundled data built in memory, minted under the test client's own base IRI."""
    return GuidanceGraph.open(DATA, base=TEST_BASE, kind="memory")


@pytest.fixture(scope="session")
def engine(graph: GuidanceGraph) -> Engine:
    return graph.engine


@pytest.fixture(scope="session")
def app(graph: GuidanceGraph):
    app = create_app({"TESTING": True, "GUIDANCEKG_BASE": TEST_BASE}, graph=graph)
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled data, for tests that break it."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


@pytest.fixture()
def seed_only(tmp_path: Path) -> Path:
    """A data folder holding only the seed page (the MS Society source)."""
    target = tmp_path / "seed"
    (target / "sources").mkdir(parents=True)
    shutil.copy(DATA / "drugs.yaml", target / "drugs.yaml")
    shutil.copytree(DATA / "sources" / "mssociety-lemtrada", target / "sources" / "mssociety-lemtrada")
    statements = target / "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml"
    # The seed alone has no EU 2013 indication to restrict: drop that one override.
    text = statements.read_text(encoding="utf-8")
    text = text.replace("  - statement: alemtuzumab-eu-indication-2013\n    kind: restricts\n", "")
    statements.write_text(text, encoding="utf-8")
    return target


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def store_root(tmp_path: Path) -> Path:
    return tmp_path / "store"


def free_port() -> int:
    """Return a TCP port that is free on the loopback interface now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real ``guidancekg serve`` process (waitress) on a free loopback port."""

    def __init__(self, tmp: Path, *extra: str) -> None:
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "server.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "guidancekg.api.cli", "serve", "--port", str(self.port), "--data", str(DATA),
             "--store", str(tmp / "store"), *extra],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        import time
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + "/api/sources", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start within 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """The real server on the bundled data, for tests that talk HTTP."""
    server = LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store folder shared by a session's CLI calls on the bundled data (built once, reopened)."""
    return tmp_path_factory.mktemp("shared-store")


@pytest.fixture(scope="session")
def short_timeout_server(tmp_path_factory: pytest.TempPathFactory, live_server):
    """A second real server whose SPARQL queries may run 2 seconds."""
    server = LiveServer(tmp_path_factory.mktemp("live-sparql-timeout"), "--sparql-timeout", "2",
                        "--sparql-workers", "2")
    yield server
    server.stop()
