"""The one settings object: its table in docs/settings.md, its checks, and its use by create_app and serve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidancekg.api.app import create_app
from guidancekg.api.settings import SETTING_FIELDS, Settings
from guidancekg.api.state import runtime
from guidancekg.cli.main import main
from guidancekg.graph.errors import InputError

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def _documented() -> dict[str, list[str]]:
    """Return the cells of docs/settings.md by key: option, default, values, description."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if re.match(r"\| `[A-Z_]+` \|", line):
            key, *cells = (cell.strip() for cell in line.strip().strip("|").split("|"))
            rows[key.strip("`")] = cells
    return rows


def _shown(value: object) -> str:
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def test_the_documented_table_is_the_settings_object():
    documented = _documented()
    assert list(documented) == [f.metadata["key"] for f in SETTING_FIELDS]
    for f in SETTING_FIELDS:
        option, default, values, doc = documented[f.metadata["key"]]
        assert option.strip("`") == (f.metadata["option"] or ""), f.name
        assert default.split(" (")[0].strip("`") == _shown(f.default), f.name
        assert (values, doc) == (f.metadata["convert"].words, f.metadata["doc"]), f.name


def test_every_serve_option_of_a_setting_shows_its_one_default(runner):
    text = runner.invoke(main, ["serve", "--help"], terminal_width=400).output
    flat = " ".join(text.split())
    for f in SETTING_FIELDS:
        if f.metadata["option"]:
            assert f.metadata["option"] in flat
            words = f.metadata["convert"].words.replace("`", "")
            assert f"config {f.metadata['key']}; default: {_shown(f.default)}; values: {words}" in flat, f.name


def test_create_app_takes_every_default_from_the_settings_object(graph):
    settings = runtime(create_app({"TESTING": True}, graph=graph)).settings
    assert settings == Settings()
    app = create_app({"TESTING": True, "SPARQL_TIMEOUT": "2.5", "INGEST_MAX_BYTES": 100}, graph=graph)
    assert runtime(app).settings.sparql_timeout == 2.5 and runtime(app).settings.ingest_max_bytes == 100
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_FORM_MEMORY_SIZE"] == Settings().max_body_bytes


@pytest.mark.parametrize(("config", "key"), [
    ({"SPARQL_TIMEOUT": -1}, "SPARQL_TIMEOUT"),
    ({"SPARQL_WORKERS": "many"}, "SPARQL_WORKERS"),
    ({"GUIDANCEKG_STORE_KIND": "sqlite"}, "GUIDANCEKG_STORE_KIND"),
    ({"SPARQL_QUEUE_WAIT": "inf"}, "SPARQL_QUEUE_WAIT"),
    ({"GUIDANCEKG_BASE": "evil.example"}, "GUIDANCEKG_BASE"),
    ({"INGEST_TOKEN": "short"}, "INGEST_TOKEN"),
    ({"SERVER_THREADS": 4, "SPARQL_WORKERS": 2, "SPARQL_QUEUE": 2}, "SERVER_THREADS"),
])
def test_a_value_that_does_not_fit_names_its_key(config, key):
    with pytest.raises(InputError) as info:
        Settings.from_config(config)
    assert info.value.parameter == key


@pytest.mark.parametrize(("option", "value", "key", "says"), [
    ("--threads", "300", "SERVER_THREADS", "must be an integer from 1 to 256"),
    ("--sparql-workers", "65", "SPARQL_WORKERS", "must be an integer from 1 to 64"),
    ("--sparql-queue", "-1", "SPARQL_QUEUE", "must be an integer from 0 to 64"),
    ("--sparql-timeout", "0.05", "SPARQL_TIMEOUT", "must be a number, at least 0.1"),
    ("--sparql-timeout", "nan", "SPARQL_TIMEOUT", "must be a number, at least 0.1"),
    ("--sparql-max-rows", "0", "SPARQL_MAX_ROWS", "must be an integer greater than 0"),
    ("--ingest-max-bytes", "lots", "INGEST_MAX_BYTES", "must be an integer greater than 0"),
    ("--threads", "2.5", "SERVER_THREADS", "must be an integer from 1 to 256"),
    ("--base", "evil.example", "GUIDANCEKG_BASE", "must be an http(s) URL"),
])
def test_serve_and_create_app_refuse_the_same_values_by_one_rule(runner, option, value, key, says):
    # serve's options once had click ranges of their own: --sparql-workers 65 was refused, SPARQL_WORKERS=65 not.
    result = runner.invoke(main, ["serve", option, value])
    assert result.exit_code == 2 and option in result.output and says in result.output, result.output
    with pytest.raises(InputError) as info:
        Settings.from_config({key: value})
    assert info.value.parameter == key and says in info.value.message


def test_the_ingest_token_comes_from_the_environment_when_not_configured(monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_INGEST_TOKEN", "t" * 20)
    assert Settings.from_config({}).ingest_token == "t" * 20
    assert Settings.from_config({"INGEST_TOKEN": "u" * 20}).ingest_token == "u" * 20
