"""The examples of docs/fhir.md, docs/nanopub.md and docs/dataset-description.md are what the code gives now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "examples.py"


def test_every_docs_example_is_what_the_code_gives():
    spec = importlib.util.spec_from_file_location("docs_examples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render(check=True) == [], "run: python docs/examples.py"
