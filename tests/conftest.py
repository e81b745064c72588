"""Shared fixtures: the bundled data, a graph built from it in memory, the app and its test client."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.server import Server
from guidancekg.api.app import create_app
from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
TEST_BASE = DEFAULT_BASE  # the graph's IRIs: the project's, as the product mints them
TEST_SERVER = "http://localhost/"  # the public URL of the test app (the test client's host)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def graph() -> GuidanceGraph:
    """The bundled data built in memory."""
    return GuidanceGraph.open(DATA, base=TEST_BASE, kind="memory")


@pytest.fixture(scope="session")
def engine(graph: GuidanceGraph) -> Engine:
    return graph.engine


@pytest.fixture(scope="session")
def app(graph: GuidanceGraph):
    app = create_app({"TESTING": True, "GUIDANCEKG_BASE": TEST_SERVER}, graph=graph)
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
    """A data folder holding only the seed page (the MS Society source) and the EMA release it reports."""
    target = tmp_path / "seed"
    (target / "sources").mkdir(parents=True)
    shutil.copy(DATA / "drugs.yaml", target / "drugs.yaml")
    shutil.copy(DATA / "jurisdictions.yaml", target / "jurisdictions.yaml")  # its reach quotes this reference:
    shutil.copytree(DATA / "references" / "uk-eu-medicines-regulation",
                    target / "references" / "uk-eu-medicines-regulation")
    shutil.copytree(DATA / "sources" / "mssociety-lemtrada", target / "sources" / "mssociety-lemtrada")
    release = "ema-lemtrada-press-release-2019-04-12"  # defines the restriction the seed reports
    shutil.copytree(DATA / "sources" / release, target / "sources" / release)
    statements = target / "sources" / release / "versions/2019-04-12/statements.yaml"
    # Without the Commission's decisions there is no EU 2013 indication to restrict: drop that one override.
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


# -- a real browser: Debian's Chromium driven by Playwright (the browser tests skip, saying why, without it) -------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, started as scripts/images.py starts it (no network services)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    from scripts.images import CHROMIUM_ARGS

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class BrowserTab:
    """A browser tab on the live server that records console errors, page errors, failed requests and every
    request, and refuses any request outside the server (so the pages are shown to work offline)."""

    def __init__(self, browser, base: str, width: int = 1280, height: int = 900) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US",
                                           timezone_id="UTC")
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.requests: list[str] = []
        self.context.route(re.compile(r"^(?!" + re.escape(base) + r"/)"), self._refuse)
        self.tab = self.context.new_page()
        self.tab.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
        self.tab.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.tab.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.tab.on("request", lambda r: self.requests.append(r.url))
        self.tab.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def _refuse(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def open(self, query: str):
        """Open ``query`` on the page and wait for its chart."""
        self.tab.goto(self.base + query)
        self.tab.wait_for_selector("#chart svg .bar")
        return self.tab

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def page(browser, live_server):
    tab = BrowserTab(browser, live_server.url)
    yield tab
    tab.close()
