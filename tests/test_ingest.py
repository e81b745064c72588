"""Ingest: a new version is checked in the context of the graph before anything is written, then recorded
atomically; a repeat changes nothing; bad input is refused with file, line and statement (CLI and API)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from ingest_data.helpers import SOURCE, V1, V2, add_test_source, tiny_data, v2_files

from guidancekg.api.app import create_app
from guidancekg.cli.main import main
from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.errors import DataError, InputError, NotFound, ValidationFailed
from guidancekg.graph.ingest.recovery import recover
from guidancekg.graph.ingest.versions import (
    INGEST_DIR,
    Upload,
    UploadTooLarge,
    VersionConflict,
    ingest,
    ingest_lock,
)
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.stores.base import OxigraphStore
from guidancekg.graph.stores.build import compile_data
from guidancekg.graph.stores.builds import current_build, write_build
from guidancekg.graph.stores.kinds import open_store
from guidancekg.graph.stores.remote import RemoteStore

BASE = "http://localhost/"
TOKEN = "test-token-0123456789abcdef"


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    return tiny_data(tmp_path / "data")


def upload_v2(text: bytes | None = None, statements: bytes | None = None, **fields) -> Upload:
    t, s = v2_files()
    values = {"source": SOURCE, "published": V2, "revises": V1, "text_name": "text-v2.txt",
              "statements_name": "statements-v2.yaml", **fields}
    return Upload(text=t if text is None else text, statements=s if statements is None else statements, **values)


def state(data: Path, store: Path) -> dict[str, object]:
    """What an ingest may change: every data file, and which build the store's ``current`` link names."""
    files = {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*"))
             if p.is_file() and INGEST_DIR not in p.parts}
    dirs = sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_dir() and INGEST_DIR not in p.parts)
    builds = sorted(p.name for p in (store / "builds").iterdir()) if (store / "builds").exists() else []
    link = str((store / "current").readlink()) if (store / "current").is_symlink() else None
    staging = sorted(p.name for p in (data / INGEST_DIR).iterdir() if p.name != "lock") \
        if (data / INGEST_DIR).exists() else []
    return {"files": files, "dirs": dirs, "builds": builds, "current": link, "staging": staging}


# -- the core ---------------------------------------------------------------------------------------------------


def test_a_new_version_is_written_and_the_store_is_current(tiny, tmp_path):
    store = tmp_path / "store"
    open_store(tiny, base=BASE, root=store)
    result = ingest(tiny, upload_v2(), base=BASE, store_root=store)
    assert result.created and result.key == V2
    assert result.iri == f"{BASE}id/version/{SOURCE}/{V2}"
    assert set(result.defines) == {"test-statement-two-reworded", "test-statement-four"}
    assert "test-statement-one" in result.asserts
    assert set(result.withdraws) == {"test-statement-two", "test-statement-three"}
    folder = tiny / "sources" / SOURCE / "versions" / V2
    text, statements = v2_files()
    assert (folder / "text.txt").read_bytes() == text  # byte for byte
    assert (folder / "statements.yaml").read_bytes() == statements
    assert f"revises: '{V1}'" in (folder / "version.yaml").read_text(encoding="utf-8")
    # The store is current: opening it rebuilds nothing, and it holds the new version.
    messages: list[str] = []
    reopened, _ = open_store(tiny, base=BASE, root=store, say=messages.append)
    assert messages == []
    rows = reopened.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{result.iri}> a "
                           f"<https://w3id.org/guidancekg/ns#Version> }}")
    assert rows[0]["n"] == "1"
    # The build the ingest wrote holds exactly what a full build of the data folder holds.
    fresh = write_build(compile_data(tiny, BASE), tmp_path / "fresh")

    def ground(nquads: bytes) -> tuple[int, set[bytes]]:  # the vocabulary's blank nodes differ between parses
        lines = nquads.splitlines()
        return len(lines), {line for line in lines if b"_:" not in line}

    assert ground(reopened.dump_nquads()) == ground(OxigraphStore(fresh.path / "oxigraph").dump_nquads())
    assert not list((tiny / INGEST_DIR).glob("stage-*"))


def test_the_same_text_again_is_idempotent_and_writes_nothing(tiny, tmp_path):
    store = tmp_path / "store"
    first = ingest(tiny, upload_v2(), base=BASE, store_root=store)
    before = state(tiny, store)
    again = ingest(tiny, upload_v2(), base=BASE, store_root=store)
    assert first.created and not again.created
    assert again.iri == first.iri and again.key == V2
    assert state(tiny, store) == before
    # The text is the key: the same page sent under another date is still that version.
    other_day = ingest(tiny, upload_v2(published="2020-03-03", key="2020-03-03"), base=BASE, store_root=store)
    assert not other_day.created and other_day.key == V2
    assert state(tiny, store) == before


def test_a_recorded_version_is_never_overwritten(tiny, tmp_path):
    store = tmp_path / "store"
    ingest(tiny, upload_v2(), base=BASE, store_root=store)
    before = state(tiny, store)
    with pytest.raises(VersionConflict, match="already recorded with another text"):
        ingest(tiny, upload_v2(text=v2_files()[0] + b"Another test sentence.\n"), base=BASE, store_root=store)
    with pytest.raises(VersionConflict, match="with other statements"):
        ingest(tiny, upload_v2(statements=v2_files()[1] + b"\n# a comment\n"), base=BASE, store_root=store)
    assert state(tiny, store) == before


CORRECTION = b"""# The second version again, with a fifth sentence: every statement asserted again, none redefined.
- asserts: test-statement-one
  quote: {exact: Test guidance sentence one for Testbrand., start: 0, end: 41}
- asserts: test-statement-two-reworded
  quote: {exact: 'Test guidance sentence two, reworded.', start: 42, end: 79}
- asserts: test-statement-four
  quote: {exact: 'Test guidance sentence four, for four weeks.', start: 80, end: 124}
"""


def test_a_correction_is_a_new_version_that_revises(tiny, tmp_path):
    store = tmp_path / "store"
    ingest(tiny, upload_v2(), base=BASE, store_root=store)
    text = v2_files()[0] + b"Test guidance sentence five.\n"
    with pytest.raises(ValidationFailed, match="was not published before it"):  # the same day is not after
        ingest(tiny, upload_v2(text=text, statements=CORRECTION, key="2020-02-20b", revises=V2), base=BASE,
               store_root=store)
    fixed = ingest(tiny, upload_v2(text=text, statements=CORRECTION, published="2020-02-21", revises=V2),
                   base=BASE, store_root=store)
    assert fixed.created and fixed.key == "2020-02-21" and fixed.defines == () and len(fixed.asserts) == 3
    assert {v.key for v in load_corpus(tiny).versions.values()} == {V1, V2, "2020-02-21"}


def test_published_must_follow_the_revised_version(tiny, tmp_path):
    store = tmp_path / "store"
    open_store(tiny, base=BASE, root=store)
    before = state(tiny, store)
    with pytest.raises(ValidationFailed, match=r"was not published before it"):
        ingest(tiny, upload_v2(published="2020-01-10"), base=BASE, store_root=store)
    with pytest.raises(ValidationFailed, match=r"revises 'no-such-version'"):
        ingest(tiny, upload_v2(revises="no-such-version"), base=BASE, store_root=store)
    assert state(tiny, store) == before


def test_unknown_source_and_malformed_fields(tiny, tmp_path):
    store = tmp_path / "store"
    with pytest.raises(NotFound):
        ingest(tiny, upload_v2(source="no-such-source"), base=BASE, store_root=store)
    with pytest.raises(InputError, match="published"):
        ingest(tiny, upload_v2(published="20th Feb"), base=BASE, store_root=store)
    with pytest.raises(InputError, match="source"):
        ingest(tiny, upload_v2(source="../escape"), base=BASE, store_root=store)
    with pytest.raises(InputError, match="key"):
        ingest(tiny, upload_v2(key=".hidden"), base=BASE, store_root=store)
    assert not (tmp_path / "escape").exists()


def test_the_new_version_is_checked_in_the_context_of_the_graph(data_copy, tmp_path):
    """Against the real data: an override of a statement about another drug is refused; the version as
    sent is accepted and the whole data folder still builds."""
    add_test_source(data_copy)
    store = tmp_path / "store"
    bad = v2_files()[1].replace(b"    kind: replaces\n",
                             b"    kind: replaces\n  - statement: alemtuzumab-infection-risk\n    kind: restricts\n")
    with pytest.raises(ValidationFailed, match=r"statements-v2\.yaml:\d+: statement test-statement-two-reworded "
                                               r"\(drug testdrug\) overrides alemtuzumab-infection-risk"):
        ingest(data_copy, upload_v2(statements=bad), base=BASE, store_root=store)
    assert not (data_copy / "sources" / SOURCE / "versions" / V2).exists()
    result = ingest(data_copy, upload_v2(), base=BASE, store_root=store)
    assert result.created
    compile_data(data_copy, BASE)  # the whole data folder still passes every check, SHACL included


def test_a_shacl_violation_refuses_the_ingest(tiny, tmp_path, monkeypatch):
    """A violation in the change's chunk refuses the ingest and writes nothing."""
    import guidancekg.graph.ingest.versions as mod
    from guidancekg.graph.rdf.shacl import ShaclResult

    def failing(corpus, minter, **kw):
        return False, (ShaclResult("x", None, "a test violation", "Violation"),)

    monkeypatch.setattr(mod, "validate_chunked", failing)
    with pytest.raises(ValidationFailed, match="a test violation"):
        ingest(tiny, upload_v2(), base=BASE, store_root=tmp_path / "store")
    assert not (tiny / "sources" / SOURCE / "versions" / V2).exists()


# -- crashes at each step (the random kill -9 test is test_ingest_crash.py) -------------------------------------


def test_a_crash_before_the_rename_leaves_a_staging_folder_that_recover_discards(tiny, tmp_path, monkeypatch):
    import guidancekg.graph.ingest.versions as mod

    store = tmp_path / "store"
    open_store(tiny, base=BASE, root=store)
    before = state(tiny, store)

    def crash(*_a):
        raise KeyboardInterrupt  # stands for the process dying between the staged files and the rename

    monkeypatch.setattr(mod.os, "rename", crash)
    monkeypatch.setattr(mod.shutil, "rmtree", lambda *a, **k: None)  # a dead process cleans nothing up
    with pytest.raises(KeyboardInterrupt):
        ingest(tiny, upload_v2(), base=BASE, store_root=store)
    monkeypatch.undo()
    staged = list((tiny / INGEST_DIR).glob("stage-*"))
    assert len(staged) == 1 and (staged[0] / "text.txt").exists()
    assert load_corpus(tiny).versions.keys() == {f"{SOURCE}/{V1}"}  # staging is invisible to the data
    done = recover(tiny, store)
    assert done and not list((tiny / INGEST_DIR).glob("stage-*"))
    assert state(tiny, store) == before


def test_the_next_ingest_discards_a_leftover_staging_folder(tiny, tmp_path):
    leftover = tiny / INGEST_DIR / "stage-test-source-2020-02-20-dead"
    leftover.mkdir(parents=True)
    (leftover / "text.txt").write_text("half", encoding="utf-8")
    messages: list[str] = []
    assert ingest(tiny, upload_v2(), base=BASE, store_root=tmp_path / "store", say=messages.append).created
    assert not leftover.exists() and any("discarded" in m for m in messages)


def test_recover_leaves_staging_alone_while_an_ingest_holds_the_lock(tiny):
    stage = tiny / INGEST_DIR / "stage-in-use"
    with ingest_lock(tiny):
        stage.mkdir()
        assert recover(tiny) == [] and stage.exists()  # another ingest is using it
    assert recover(tiny) and not stage.exists()


def test_a_crash_after_the_rename_is_finished_by_the_next_open(tiny, tmp_path, monkeypatch):
    from guidancekg.graph.stores.base import OxigraphStore

    store = tmp_path / "store"
    open_store(tiny, base=BASE, root=store)
    old = current_build(store)

    def crash(*_a, **_k):
        raise KeyboardInterrupt  # dies after the version folder is in place, before the store is written

    monkeypatch.setattr(OxigraphStore, "publish", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(tiny, upload_v2(), base=BASE, store_root=store)
    monkeypatch.undo()
    assert current_build(store) == old  # the store still answers, with the old state
    messages: list[str] = []
    graph = GuidanceGraph.open(tiny, base=BASE, store_root=store, say=messages.append)
    assert any("stale" in m for m in messages)
    assert f"{SOURCE}/{V2}" in graph.model.versions


# -- bad input, refused with file, line and statement; nothing written (CLI and API) ----------------------------


def _bad(name: str) -> tuple[bytes, bytes]:
    text, st = v2_files()
    four = b"- id: test-statement-four\n"
    if name == "malformed":
        return text, st.replace(four, b"- id: [test-statement-four\n")
    if name == "unknown-topic":
        return text, st.replace(b"topic: administration", b"topic: gossip")
    if name == "quote-not-in-text":
        return text, st.replace(b"exact: Test guidance sentence four,", b"exact: Test guidance sentence 4,")
    if name == "invalid-date":
        return text, st.replace(four + b"  drug: testdrug\n  topic: administration\n  valid_from_basis: "
                                b"publication-date\n", four + b"  drug: testdrug\n  topic: administration\n"
                                b"  valid_from: '2020-13-45'\n  valid_from_basis: stated-in-text\n")
    if name == "impossible-date":
        return text, st.replace(four + b"  drug: testdrug\n  topic: administration\n  valid_from_basis: "
                                b"publication-date\n", four + b"  drug: testdrug\n  topic: administration\n"
                                b"  valid_from: '2021-02-30'\n  valid_from_basis: stated-in-text\n")
    if name == "unknown-override":
        return text, st.replace(b"  - statement: test-statement-two\n", b"  - statement: test-statement-nine\n")
    if name == "override-cycle":
        return text, st.replace(four + b"  drug: testdrug\n", four + b"  drug: testdrug\n  overrides:\n"
                                b"  - statement: test-statement-two-reworded\n    kind: replaces\n").replace(
            b"  - statement: test-statement-two\n    kind: replaces\n",
            b"  - statement: test-statement-two\n    kind: replaces\n  - statement: test-statement-four\n"
            b"    kind: restricts\n")
    if name == "text-not-utf8":
        return text.replace(b"four weeks", b"four w\xe9eks"), st
    raise AssertionError(name)


# (case, what the message must match: the file, a line number, the statement, the reason)
BAD_CASES = [
    ("malformed", r"statements-v2\.yaml:\d+: malformed YAML"),
    ("unknown-topic", r"statements-v2\.yaml:\d+ \(statement test-statement-four\): topic 'gossip' is not one of"),
    ("quote-not-in-text", r"statements-v2\.yaml:\d+: statement test-statement-four: quote .* is not the text"),
    ("invalid-date", r"statements-v2\.yaml:\d+ \(statement test-statement-four\): .*'2020-13-45'"),
    ("impossible-date", r"statements-v2\.yaml:\d+ \(statement test-statement-four\): .*'2021-02-30' is not a real"),
    ("unknown-override", r"statements-v2\.yaml:\d+: statement test-statement-two-reworded overrides unknown "
                         r"statement 'test-statement-nine'"),
    ("override-cycle", r"statements-v2\.yaml:\d+: override cycle: test-statement-\S+ -> test-statement-"),
    ("text-not-utf8", r"text-v2\.txt: held text is not UTF-8"),
]


@pytest.mark.parametrize(("case", "message"), BAD_CASES, ids=[c for c, _ in BAD_CASES])
def test_bad_input_is_refused_by_the_core(tiny, tmp_path, case, message):
    store = tmp_path / "store"
    open_store(tiny, base=BASE, root=store)
    before = state(tiny, store)
    text, statements = _bad(case)
    with pytest.raises((DataError, ValidationFailed)) as info:
        ingest(tiny, upload_v2(text=text, statements=statements), base=BASE, store_root=store)
    assert re.search(message, str(info.value)), str(info.value)
    assert state(tiny, store) == before


@pytest.mark.parametrize(("case", "message"), BAD_CASES, ids=[c for c, _ in BAD_CASES])
def test_bad_input_is_refused_by_the_cli(tiny, tmp_path, runner, case, message):
    store = tmp_path / "store"
    open_store(tiny, base=BASE, root=store)
    before = state(tiny, store)
    text, statements = _bad(case)
    files = tmp_path / "upload"
    files.mkdir()
    (files / "text-v2.txt").write_bytes(text)
    (files / "statements-v2.yaml").write_bytes(statements)
    result = runner.invoke(main, ["ingest", "--source", SOURCE, "--published", V2, "--revises", V1,
                                  "--data", str(tiny), "--store", str(store),
                                  str(files / "text-v2.txt"), str(files / "statements-v2.yaml")])
    assert result.exit_code == 1, result.output
    assert re.search(message, result.output), result.output
    assert "Traceback" not in result.output
    assert state(tiny, store) == before


def test_an_oversized_file_is_refused_by_the_cli(tiny, tmp_path, runner):
    (tmp_path / "t.txt").write_bytes(v2_files()[0])
    (tmp_path / "s.yaml").write_bytes(v2_files()[1])
    before = state(tiny, tmp_path / "store")
    result = runner.invoke(main, ["ingest", "--source", SOURCE, "--published", V2, "--data", str(tiny),
                                  "--store", str(tmp_path / "store"), "--max-bytes", "50",
                                  str(tmp_path / "t.txt"), str(tmp_path / "s.yaml")])
    assert result.exit_code == 1 and "the limit is 50 bytes" in result.output and "t.txt" in result.output
    assert state(tiny, tmp_path / "store") == before
    with pytest.raises(UploadTooLarge):
        ingest(tiny, upload_v2(), base=BASE, store_root=tmp_path / "store", max_bytes=50)


def test_the_cli_ingests_then_reports_a_repeat(tiny, tmp_path, runner):
    text, statements = v2_files()
    (tmp_path / "t.txt").write_bytes(text)
    (tmp_path / "s.yaml").write_bytes(statements)
    args = ["ingest", "--source", SOURCE, "--published", V2, "--revises", V1, "--data", str(tiny),
            "--store", str(tmp_path / "store"), str(tmp_path / "t.txt"), str(tmp_path / "s.yaml")]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert f"created {DEFAULT_BASE}id/version/{SOURCE}/{V2}" in first.output  # the CLI mints under the one base
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and "unchanged" in again.output and "nothing was written" in again.output


# -- the API (Flask test client; the live server is in test_ingest_live.py) -------------------------------------


@pytest.fixture()
def api(tiny, tmp_path):
    store = tmp_path / "store"
    app = create_app({"TESTING": True, "GUIDANCEKG_DATA": str(tiny), "GUIDANCEKG_STORE_ROOT": str(store),
                      "GUIDANCEKG_BASE": BASE, "INGEST_TOKEN": TOKEN})
    return app, tiny, store


def post(client, text: bytes | None = None, statements: bytes | None = None, token: str | None = TOKEN,
         source: str = SOURCE, **fields):
    t, s = v2_files()
    data = {"text": (io.BytesIO(t if text is None else text), "text-v2.txt"),
            "statements": (io.BytesIO(s if statements is None else statements), "statements-v2.yaml"),
            "published": V2, "revises": V1, **fields}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/sources/{source}/versions", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_api_creates_then_repeats(api):
    app, data, store = api
    client = app.test_client()
    before = client.get("/api/guidance?on=2020-03-01&drug=testdrug").get_data(as_text=True)
    assert "test-statement-three" in before and "test-statement-four" not in before
    resp = post(client)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert resp.headers["Location"] == body["id"] == f"{DEFAULT_BASE}id/version/{SOURCE}/{V2}"
    assert body["created"] is True and "test-statement-four" in body["defines"]
    assert "Access-Control-Allow-Origin" not in resp.headers  # no CORS on a write
    # Visible at once, through the engine the app now holds.
    after = client.get("/api/guidance?on=2020-03-01&drug=testdrug")
    assert after.status_code == 200
    assert "test-statement-four" in after.get_data(as_text=True)
    assert "test-statement-three" not in after.get_data(as_text=True)  # withdrawn by the new version
    sources = client.get("/api/sources").get_json()
    mine = next(s for s in sources["sources"] if s["key"] == SOURCE)
    assert {v["key"] for v in mine["versions"]} == {V1, V2}
    snapshot = state(data, store)
    again = post(client)
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert again.get_json()["id"] == body["id"]
    assert state(data, store) == snapshot


def test_api_needs_the_bearer_token(api):
    app, data, store = api
    client = app.test_client()
    before = state(data, store)
    missing = post(client, token=None)
    assert missing.status_code == 401 and missing.mimetype == "application/problem+json"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    basic = client.post(f"/api/sources/{SOURCE}/versions", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    wrong = post(client, token="not-the-token-at-all")
    assert wrong.status_code == 403 and wrong.get_json()["title"] == "Forbidden"
    assert TOKEN not in wrong.get_data(as_text=True)
    assert client.get("/api/sources").status_code == 200  # reads stay open
    assert state(data, store) == before


def test_api_ingest_disabled_without_a_configured_token(tiny, tmp_path, monkeypatch):
    monkeypatch.delenv("GUIDANCEKG_INGEST_TOKEN", raising=False)
    app = create_app({"TESTING": True, "GUIDANCEKG_DATA": str(tiny), "GUIDANCEKG_STORE_ROOT": str(tmp_path / "s"),
                      "GUIDANCEKG_BASE": BASE})
    resp = post(app.test_client())
    assert resp.status_code == 403
    assert resp.get_json()["title"] == "Ingest disabled"
    assert resp.get_json()["type"].endswith("/ingest-disabled")


def test_api_token_from_the_environment(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_INGEST_TOKEN", TOKEN)
    app = create_app({"TESTING": True, "GUIDANCEKG_DATA": str(tiny), "GUIDANCEKG_STORE_ROOT": str(tmp_path / "s"),
                      "GUIDANCEKG_BASE": BASE})
    assert post(app.test_client()).status_code == 201


@pytest.mark.parametrize(("case", "message"), BAD_CASES, ids=[c for c, _ in BAD_CASES])
def test_bad_input_is_refused_by_the_api(api, case, message):
    app, data, store = api
    before = state(data, store)
    text, statements = _bad(case)
    resp = post(app.test_client(), text=text, statements=statements)
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert resp.mimetype == "application/problem+json"
    assert re.search(message, body["detail"]), body["detail"]
    assert str(data) not in body["detail"]  # the uploaded file's name, not a server path
    assert state(data, store) == before


def test_api_refuses_an_oversized_upload(tiny, tmp_path):
    data, store = tiny, tmp_path / "store"
    app = create_app({"TESTING": True, "GUIDANCEKG_DATA": str(tiny), "GUIDANCEKG_STORE_ROOT": str(store),
                      "GUIDANCEKG_BASE": BASE, "INGEST_TOKEN": TOKEN, "INGEST_MAX_BYTES": 100})
    before = state(data, store)
    resp = post(app.test_client())
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"
    assert "limit" in resp.get_json()["detail"]
    assert state(data, store) == before


def test_api_conflicts_and_unknowns(api):
    app, data, store = api
    client = app.test_client()
    assert post(client).status_code == 201
    before = state(data, store)
    changed = post(client, text=v2_files()[0] + b"Another test sentence.\n")
    assert changed.status_code == 409 and changed.get_json()["title"] == "Version already recorded"
    assert post(client, source="no-such-source").status_code == 404
    assert post(client, published="not-a-date").status_code == 400
    missing = client.post(f"/api/sources/{SOURCE}/versions", data={"published": V2},
                          headers={"Authorization": f"Bearer {TOKEN}"}, content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["parameter"] == "text"
    assert state(data, store) == before


def test_api_on_a_memory_store(tiny, tmp_path):
    app = create_app({"TESTING": True, "GUIDANCEKG_DATA": str(tiny), "GUIDANCEKG_STORE_KIND": "memory",
                      "GUIDANCEKG_BASE": BASE, "INGEST_TOKEN": TOKEN})
    client = app.test_client()
    assert post(client).status_code == 201
    assert "test-statement-four" in client.get("/api/guidance?on=2020-03-01&drug=testdrug").get_data(as_text=True)
    assert (tiny / "sources" / SOURCE / "versions" / V2 / "text.txt").exists()


def test_serve_refuses_a_short_ingest_token(tmp_path, runner):
    token = tmp_path / "token"
    token.write_text("short\n", encoding="utf-8")
    result = runner.invoke(main, ["serve", "--data", str(tmp_path), "--ingest-token-file", str(token)])
    assert result.exit_code == 2 and "at least 16 characters" in result.output
    assert "short" not in result.output.replace("--ingest-token-file", "")


def test_an_ingest_validates_the_chunk_of_the_change(tiny, tmp_path, monkeypatch):
    """The change is validated as a closed chunk (build.validate_chunked), whatever the corpus's size."""
    import guidancekg.graph.ingest.versions as mod

    seen: list[set[str]] = []
    real = mod.validate_chunked

    def spy(corpus, minter, **kw):
        seen.append(set(kw["statements"]))
        return real(corpus, minter, **kw)

    monkeypatch.setattr(mod, "validate_chunked", spy)
    result = ingest(tiny, upload_v2(), base=BASE, store_root=tmp_path / "store")
    assert result.created and result.compiled is not None
    assert seen == [{"test-statement-one", "test-statement-two-reworded", "test-statement-four"}]
    messages: list[str] = []
    open_store(tiny, base=BASE, root=tmp_path / "store", say=messages.append)
    assert messages == []  # the build the ingest wrote is the current one


def test_api_refuses_an_ingest_into_a_remote_store_that_does_not_answer(tiny, tmp_path):
    served = GuidanceGraph.open(tiny, base=BASE, kind="memory")
    # A real remote store on a port nothing listens on: the ingest is refused before anything is written.
    remote = GuidanceGraph(RemoteStore("http://127.0.0.1:9/sparql"), served.model, served.engine, served.minter,
                           tiny, ())
    app = create_app({"TESTING": True, "GUIDANCEKG_BASE": BASE, "INGEST_TOKEN": TOKEN}, graph=remote)
    before = state(tiny, tmp_path / "store")
    resp = post(app.test_client())
    assert resp.status_code == 503 and "cannot reach" in resp.get_json()["detail"]
    assert state(tiny, tmp_path / "store") == before
