"""Shared fixtures: the bundled data, a graph built from it in memory, the app and its test client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.server import Server
from guidancekg.api.app import create_app
from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.opened import GuidanceGraph

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


class LiveServer(Server):
    """A real ``guidancekg serve`` process (waitress) on the bundled data, its store and log in ``tmp``."""

    def __init__(self, tmp: Path, *extra: str, wrapper: tuple[str, ...] = ()) -> None:
        super().__init__(*extra, data=DATA, workdir=tmp, start_timeout=120, wrapper=wrapper)


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
