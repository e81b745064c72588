"""graph/corpus/yamlfile.py: YAML anchors, aliases and deep nesting are refused, fast, naming file and line."""

from __future__ import annotations

import time

import pytest

from guidancekg.graph.corpus.yamlfile import MAX_DEPTH, parse_yaml
from guidancekg.graph.errors import DataError

# Nested aliases: each line nine times the one before; about 600 bytes for nine levels ("billion laughs").
LAUGHS = "\n".join(
    [f'l0: &l0 [{", ".join(["lol"] * 9)}]']
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]) + "\n"


def test_nested_aliases_are_refused_at_once_naming_the_line():
    assert len(LAUGHS.encode()) < 700
    started = time.monotonic()
    with pytest.raises(DataError, match="anchors and aliases") as info:
        parse_yaml(LAUGHS, "statements.yaml")
    assert time.monotonic() - started < 0.5
    assert info.value.file == "statements.yaml" and info.value.line == 1


@pytest.mark.parametrize(("text", "line"), [
    ("- id: x\n  quote: &q {exact: a}\n", 2),
    ("- id: x\n- id: y\n  note: *q\n", 3),
    ("- !!str &tagged x\n", 1),
])
def test_any_anchor_or_alias_is_refused(text, line):
    with pytest.raises(DataError, match="anchors and aliases") as info:
        parse_yaml(text, "s.yaml")
    assert info.value.line == line


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    "- " * 100_000 + "x\n",
    "a:\n" + "".join("  " * i + "k:\n" for i in range(1, 3000)),
])
def test_deep_nesting_is_refused_not_a_recursion_error(text):
    started = time.monotonic()
    with pytest.raises(DataError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_yaml(text, "s.yaml")
    assert time.monotonic() - started < 0.5


def test_the_data_format_still_reads():
    assert parse_yaml("- id: x\n  overrides:\n  - statement: y\n    kind: restricts\n", "s.yaml") == [
        {"id": "x", "overrides": [{"statement": "y", "kind": "restricts", "__line__": 3}], "__line__": 1}]
