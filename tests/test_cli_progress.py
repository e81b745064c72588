"""Progress of long commands: bars and a line per step on a terminal (a real pseudo-terminal), nothing in a pipe.

Issue 17's frictions: "build of 5,000 statements is silent for 15 s even on a terminal; nothing shows how far a
build, an ingest or synth has got", and "the first serve prints one line and then nothing for ~10 s".
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ingest_data.helpers import SOURCE, V1, V2, tiny_data, v2_files

from guidancekg.graph.progress import SILENT, LogProgress, Progress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BUILD_STEPS = ("reading the data", "checking quotes, references, dates and overrides", "validating with SHACL",
               "writing the store")
STEP_LINE = re.compile(r"^  (?P<step>[a-z][^:()]*?)(?:: (?P<what>.+))? \((?P<seconds>\d+\.\d) s\)$")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "guidancekg.cli", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "100", **extra}


def on_terminal(args: list[str], cwd: Path | None = None) -> tuple[int, str]:
    """Run ``args`` with standard output and error on a new pseudo-terminal; return the exit code and the text."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=environment(),
                            cwd=cwd)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed when the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    code = proc.wait(timeout=300)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace")).replace("\r\n", "\n")


def in_a_pipe(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=environment(), timeout=300, check=False)


def step_lines(text: str) -> dict[str, str]:
    """Return the finished steps a terminal shows, as {step: what it did}."""
    found = {}
    for line in text.replace("\r", "\n").splitlines():
        m = STEP_LINE.match(line.rstrip())
        if m:
            found[m["step"]] = m["what"] or ""
    return found


@pytest.fixture(scope="module")
def corpus_10k(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "synth-1e4"
    done = in_a_pipe(command("synth", "--statements", "10000", "--seed", "1", "--out", str(out)))
    assert done.returncode == 0, done.stderr
    return out


def test_build_of_10000_statements_shows_progress_on_a_terminal_and_nothing_extra_in_a_pipe(corpus_10k, tmp_path):
    code, text = on_terminal(command("build", "--data", str(corpus_10k), "--store", str(tmp_path / "tty")))
    assert code == 0, text
    steps = step_lines(text)
    assert set(BUILD_STEPS) <= set(steps), text[-2000:]
    assert steps["reading the data"] == "10,000 statements in 391 versions of 149 sources"
    assert steps["validating with SHACL"] == "10,000 statements"
    assert re.fullmatch(r"[\d,]+ quads", steps["writing the store"])
    assert re.search(r"\d+/391 versions", text)  # the bar counted the versions as it read them
    assert "built 10000 statements" in text

    piped = in_a_pipe(command("build", "--data", str(corpus_10k), "--store", str(tmp_path / "pipe")))
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    assert piped.stdout.startswith("built 10000 statements") and piped.stdout.count("\n") == 1


def test_quiet_on_a_terminal_leaves_only_the_result(data_dir, tmp_path):
    code, text = on_terminal(command("build", "--quiet", "--data", str(data_dir), "--store", str(tmp_path / "s")))
    assert code == 0
    assert text.strip().startswith("built ") and text.strip().count("\n") == 0
    code, text = on_terminal(command("-q", "at", "2019-04-12", "--data", str(data_dir),
                                     "--store", str(tmp_path / "s2")))
    assert code == 0 and "store at" not in text and "reading the data" not in text
    assert text.startswith("Guidance on 2019-04-12")


def test_synth_shows_progress_on_a_terminal(tmp_path):
    code, text = on_terminal(command("synth", "--statements", "2000", "--out", str(tmp_path / "c")))
    assert code == 0
    assert step_lines(text)["writing statements"] == "2,000 statements"


def test_ingest_shows_progress_on_a_terminal(tmp_path):
    data = tiny_data(tmp_path / "data")
    text_v2, statements_v2 = v2_files()
    (tmp_path / "t.txt").write_bytes(text_v2)
    (tmp_path / "s.yaml").write_bytes(statements_v2)
    code, text = on_terminal(command("ingest", "--source", SOURCE, "--published", V2, "--revises", V1,
                                     "--data", str(data), "--store", str(tmp_path / "store"),
                                     str(tmp_path / "t.txt"), str(tmp_path / "s.yaml")))
    assert code == 0, text
    steps = step_lines(text)
    assert {"checking the new version in the context of the data", "writing the version folder",
            "reading the data again", "writing the store"} <= set(steps), text


def test_first_serve_logs_each_build_step(live_server):
    """The live server started on an empty store folder: its log names each step of the build it ran."""
    log = live_server.log.read_text(encoding="utf-8", errors="replace")
    for step in (*BUILD_STEPS, "reading the model", "indexing dates"):
        assert re.search(rf"guidancekg\.start {re.escape(step)}(: .+)? \(\d+\.\d s\)", log), (step, log[:3000])


def test_the_domain_reports_through_any_progress(data_dir):
    """The callback is all the domain knows: a listener of its own hears every step with its counts."""
    from guidancekg.graph.stores.build import compile_data

    class Heard(Progress):
        def __init__(self) -> None:
            self.steps: list[tuple[str, int | None, int, str]] = []
            self._count = 0

        def begin(self, step: str, total: int | None = None, unit: str = "") -> None:
            self.steps.append((step, total, 0, ""))
            self._count = 0

        def advance(self, n: int = 1) -> None:
            self._count += n

        def end(self, summary: str = "") -> None:
            step, total, _, _ = self.steps[-1]
            self.steps[-1] = (step, total, self._count, summary)

    heard = Heard()
    compile_data(data_dir, "http://localhost/", heard)
    reading = heard.steps[0]
    assert reading[0] == "reading the data" and reading[1] == reading[2] == 19  # 19 versions, each counted
    assert [s[0] for s in heard.steps][1:] == ["checking quotes, references, dates and overrides",
                                               "validating with SHACL"]
    assert heard.steps[2][1] == heard.steps[2][2] == 56  # every statement validated, counted chunk by chunk
    assert SILENT.step("anything").__enter__() is not None  # the default hears nothing and never fails


def test_log_progress_writes_one_line_per_step(caplog):
    import logging

    progress = LogProgress(logging.getLogger("guidancekg.start"))
    with caplog.at_level(logging.INFO, logger="guidancekg.start"), progress.step("counting", 3, "things") as s:
        s.advance(2)
        s.advance(1)
    assert re.fullmatch(r"counting: 3 things \(\d+\.\d s\)", caplog.records[-1].getMessage())
