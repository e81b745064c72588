"""The examples of docs/fhir.md, docs/nanopub.md, docs/dataset-description.md and docs/api.md are what the code
gives now."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "examples.py"


def test_every_docs_example_is_what_the_code_gives():
    spec = importlib.util.spec_from_file_location("docs_examples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render(check=True) == [], "run: python docs/examples.py"


API_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "api_examples.py"


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="curl and jq run docs/api.md's "
                                                                           "examples (.ci/run installs both)")
def test_every_example_of_the_api_page_prints_what_the_server_gives(live_server):
    done = subprocess.run([sys.executable, str(API_SCRIPT), "--port", str(live_server.port), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + "\nrun: python scripts/api_examples.py --port PORT"
