"""The README as a newcomer reads it: every command block runs as printed, in a new shell in the checkout, after the
Quick start, and prints what the README says it prints.

Issue 17's friction: "After the Quick start, `guidancekg ...` is not on the PATH (the venv is never activated), so
none of the README's CLI examples run as printed; the README never says how to choose a port."

Console blocks are ``$ command`` lines, each followed by its output; in an output, ``…`` stands for any text on
its line and a line ``...`` for any lines. A Python block runs with the checkout's ``.venv/bin/python``, and the
``text`` block after it is its output. The HTTP examples talk to ``localhost:8080``; here to a real server on a
free port (the README's Quick start command with ``--port``), the port put in for 8080 wherever it appears.
The Quick start's install commands are what ``.ci/run`` runs on a fresh clone; the test command is collected
only (this test is one of its tests).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.server import free_port

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
GUIDANCEKG = REPO / ".venv" / "bin" / "guidancekg"
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not GUIDANCEKG.exists(), reason="the Quick start's .venv is not in the checkout "
                                                       "(python3 -m venv .venv && .venv/bin/pip install -e '.[dev]')"),
]


def blocks() -> list[tuple[str, str]]:
    """Return the README's fenced blocks as (language, text), in order."""
    return [(m[1], m[2]) for m in re.finditer(r"^```(\w*)\n(.*?)^```$", README.read_text(encoding="utf-8"),
                                             re.MULTILINE | re.DOTALL)]


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """Split a console block into (command, expected output lines); a trailing ``\\`` continues a command."""
    steps: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ "), f"a console block must start with a command: {line!r}"
        command = line[2:]
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + "\n" + lines[i]
        i += 1
        output = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        while output and output[-1] == "":
            output.pop()
        steps.append((command, output))
    return steps


def matches(expected: list[str], actual: str) -> bool:
    """Return whether ``actual`` is ``expected``, ``…`` matching any text on a line and ``...`` any lines."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else
                      ".*?".join(re.escape(part) for part in line.split("…")) + r"\n" for line in expected)
    text = "\n".join(line.rstrip() for line in actual.rstrip("\n").splitlines()) + "\n" if actual.strip() else ""
    return re.fullmatch(pattern, text) is not None


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """A new shell's environment (a home of its own: the store the Quick start built lives in it), and the
    server of the Quick start's first command on a free port."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "XDG_CACHE_HOME", "GUIDANCEKG_STORE") and not k.startswith("PYTEST")}
    env.update(HOME=str(home), LANG="C.UTF-8")
    port = free_port()
    server = subprocess.Popen([str(GUIDANCEKG), "serve", "--port", str(port)], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sources", timeout=2):
                break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "the Quick start's server did not start"
            time.sleep(0.3)
    yield env, port, home
    server.terminate()
    server.wait(timeout=30)


def local(text: str, port: int, home: Path) -> str:
    """Put this run's port for 8080 and its home for ``~``."""
    return text.replace(":8080", f":{port}").replace("~/", f"{home}/")


def run(command: str, env: dict[str, str], fails: bool = False) -> str:
    """Run ``command`` in bash; it must succeed, or fail when the README shows it failing (``fails``)."""
    done = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert (done.returncode != 0) == fails, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_readme_cites_nothing_outside_the_repository():
    text = README.read_text(encoding="utf-8")
    assert "../shared" not in text and "shared/spec" not in text
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith(("http://", "https://")):
            assert (REPO / target).exists(), target


def test_the_quick_start_installs_as_ci_does_and_shows_the_port():
    quick = [text for lang, text in blocks() if lang == "sh"][:2]
    assert quick[0].strip() == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/guidancekg serve"
    assert quick[1].strip() == ("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && "
                                ".venv/bin/python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'" in ci
    assert "guidancekg serve --port" in README.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl, which the README's examples use, is not installed: "
                                                     "apt-get install curl (.ci/run installs it)")
def test_every_console_block_runs_as_printed(shell):
    env, port, home = shell
    ran = 0
    for lang, text in blocks():
        if lang != "console":
            continue
        for command, expected in console_steps(text):
            out = run(local(command, port, home), env, fails=bool(expected) and expected[0].startswith("Error:"))
            wanted = [local(line, port, home) for line in expected]
            assert matches(wanted, out), f"$ {command}\n--- the README prints:\n" + "\n".join(expected) + \
                f"\n--- it prints:\n{out}"
            ran += 1
    assert ran >= 10


def test_every_python_block_runs_as_printed(shell):
    env, port, home = shell
    found = blocks()
    ran = 0
    for n, (lang, text) in enumerate(found):
        if lang != "python":
            continue
        out = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c", local(text, port, home)], cwd=REPO,
                             env=env, capture_output=True, text=True, timeout=300, check=False)
        assert out.returncode == 0, out.stderr
        follows = found[n + 1] if n + 1 < len(found) else ("", "")
        assert follows[0] == "text", "a Python block is followed by its output"
        assert matches([local(line, port, home) for line in follows[1].splitlines()], out.stdout), out.stdout
        ran += 1
    assert ran >= 3


def test_the_development_commands_run(shell):
    env, _port, _home = shell
    development = [text for lang, text in blocks() if lang == "sh"][2:]
    assert development, "the README shows the development commands"
    for text in development:
        for command in text.strip().splitlines():
            # The test command is collected only: this test is one of the tests it runs.
            run(command.replace("python -m pytest", "python -m pytest --collect-only -q"), env)
