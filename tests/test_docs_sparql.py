"""docs/sparql.md as a reader runs it: every console block against a real server, printing what the page says.

The page's server is ``guidancekg serve --port 8080`` on the bundled data; here a real server on a free port, put
in for 8080 wherever it appears. ``…`` in an output stands for any text on its line, a line ``...`` for any lines
(tests/test_readme.py reads them the same way).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import LiveServer
from test_readme import console_steps, matches, run

DOC = Path(__file__).resolve().parents[1] / "docs" / "sparql.md"

pytestmark = [pytest.mark.server,
              pytest.mark.skipif(shutil.which("curl") is None, reason="curl, which the page's examples use, is not "
                                 "installed: apt-get install curl (.ci/run installs it)")]


def test_every_console_block_of_the_sparql_page_runs_as_printed(tmp_path):
    server = LiveServer(tmp_path)  # the defaults of guidancekg serve: 10 s time limit, 2 workers
    try:
        ran = 0
        for block in re.findall(r"^```console\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL):
            for command, expected in console_steps(block):
                if command.startswith("guidancekg serve"):
                    continue  # the server of the page: started above
                out = run(command.replace(":8080", f":{server.port}"), {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
                wanted = [line.replace(":8080", f":{server.port}") for line in expected]
                assert matches(wanted, out), f"$ {command}\n--- the page prints:\n" + "\n".join(expected) + \
                    f"\n--- it prints:\n{out}"
                ran += 1
        assert ran >= 15
    finally:
        server.stop()
