"""Tables fit the terminal's width and wrap at spaces only: no identifier is ever split across lines.

Issue 17's friction: "with 100 columns, `at 2019-04-12` prints 169-column rows that wrap mid-word, and source keys
split at hyphens".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from guidancekg.cli.main import main
from guidancekg.cli.tables import table, wrap


@pytest.fixture(autouse=True)
def _reuse_one_store(shared_store, monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))


def identifiers(answer: dict) -> set[str]:
    """Every statement key, source key, version date and overriding key a guidance answer names."""
    found = set()
    for s in answer["statements"] + answer["overridden"]:
        found.add(s["key"])
        found.update(b.rsplit("/", 1)[-1] for b in s.get("overridden_by", []))
        for r in s["sources"]:
            found.add(r["source"].rsplit("/", 1)[-1])
            found.add(r["published"])
    return found


def words(answer: dict) -> set[str]:
    return {w for s in answer["statements"] + answer["overridden"] for w in s["text"].split()}


def assert_fits(text: str, width: int, answer: dict) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    tokens = {t.strip("[],;") for line in lines for t in line.split()}
    for ident in identifiers(answer):
        assert ident in tokens, f"{ident} is split across lines"
    assert words(answer) <= {t for line in lines for t in line.split()} | {
        t for line in lines for t in line.replace("[", " ").split()}, "a word of a wording is split"


def test_COLUMNS_100_at_2019_04_12_fits_and_breaks_no_identifier(data_dir, shared_store):
    """The issue's "Done when", as a real process: `COLUMNS=100 guidancekg at 2019-04-12`."""
    env = {**os.environ, "COLUMNS": "100", "GUIDANCEKG_STORE": str(shared_store)}
    run = [sys.executable, "-m", "guidancekg.cli", "at", "2019-04-12", "--data", str(data_dir)]
    text = subprocess.run(run, capture_output=True, text=True, env=env, check=True).stdout
    answer = json.loads(subprocess.run([*run, "--format", "json"], capture_output=True, text=True, env=env,
                                       check=True).stdout)
    assert_fits(text, 100, answer)
    assert "ema-lemtrada-press-release-2019-04-12" in text  # the example of a key split at its hyphens


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_every_width_fits(runner, data_dir, width):
    text = runner.invoke(main, ["at", "2019-04-12", "--data", str(data_dir)], env={"COLUMNS": str(width)}).output
    answer = json.loads(runner.invoke(main, ["at", "2019-04-12", "--data", str(data_dir), "--format", "json"]).output)
    assert_fits(text, width, answer)


@pytest.mark.parametrize("command", [["changes", "2019-01-01", "2020-12-31"], ["timeline"]])
@pytest.mark.parametrize("width", [70, 100])
def test_changes_and_timeline_fit(runner, data_dir, command, width):
    result = runner.invoke(main, [*command, "--data", str(data_dir)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width
    for key in ("alemtuzumab-eu-temporary-restriction-2019", "alemtuzumab-eu-indication-2013"):
        assert any(key in line for line in lines)
    assert not any(re.search(r"\w-$", line) for line in lines)  # no word broken at a hyphen


def test_a_wide_terminal_keeps_rows_on_one_line(runner, data_dir):
    text = runner.invoke(main, ["timeline", "--jurisdiction", "EU", "--topic", "indication", "--data", str(data_dir)],
                         env={"COLUMNS": "220"}).output
    row = next(line for line in text.splitlines() if line.strip().startswith("alemtuzumab-eu-indication-2013"))
    assert "by alemtuzumab-eu-indication-2020" in row  # the whole row, overrides included, on one line


def test_json_and_csv_formats_are_unchanged_by_the_width(runner, data_dir, tmp_path):
    narrow = runner.invoke(main, ["at", "2019-04-12", "--data", str(data_dir), "--format", "json"],
                           env={"COLUMNS": "40"}).output
    wide = runner.invoke(main, ["at", "2019-04-12", "--data", str(data_dir), "--format", "json"],
                         env={"COLUMNS": "300"}).output
    assert narrow == wide and json.loads(narrow)["on"] == "2019-04-12"
    csv40 = runner.invoke(main, ["audit", "--from", "2019-04-01", "--to", "2019-04-30", "--format", "csv",
                                 "--data", str(data_dir)], env={"COLUMNS": "40"}).output
    csv300 = runner.invoke(main, ["audit", "--from", "2019-04-01", "--to", "2019-04-30", "--format", "csv",
                                  "--data", str(data_dir)], env={"COLUMNS": "300"}).output
    assert csv40 == csv300 and csv40.count("\n") > 3


def test_wrap_keeps_a_long_identifier_whole():
    assert wrap("see ema-lemtrada-press-release-2019-04-12 now", 20) == [
        "see", "ema-lemtrada-press-release-2019-04-12", "now"]


def test_columns_that_do_not_fit_move_under_their_row():
    rows = [["alemtuzumab-eu-indication-2013", "EU", "alemtuzumab-eu-temporary-restriction-2019", "a b c " * 10]]
    lines = table(["statement", "jur", "overridden by", "text"], rows, width=60).splitlines()
    assert lines[0].split() == ["statement", "jur"]
    assert lines[2] == "    overridden by: alemtuzumab-eu-temporary-restriction-2019"
    assert lines[3].startswith("    a b c") and max(len(line) for line in lines) <= 60
