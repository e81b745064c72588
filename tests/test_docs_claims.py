"""The claims of the pages stay backed: the tests they name exist, and the speed they quote is the one measured.

README.md, ARCHITECTURE.md and every page of docs/ say which test backs a promise (``tests/test_x.py``, or
``test_x.py::test_name`` for one test); a renamed or removed test must take its page's claim with it. The
README's speed figures are copied from docs/benchmarks.md, which ``python -m benchmarks.run`` writes: a new run
that changes a figure fails here until the README quotes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", REPO / "ARCHITECTURE.md", *sorted((REPO / "docs").glob("*.md"))]
NAMED = re.compile(r"\b(test_\w+\.py)(?:::(\w+))?")
SPEED = "From `python -m benchmarks.run`"  # the README paragraph quoting the benchmark page
NUMBER = re.compile(r"\d(?:[\d,]*\d)?(?:\.\d+)?")
FIGURE = re.compile(rf"({NUMBER.pattern})\s?(?:quads/s|ms|s|kB|MB|GB|times)\b")


def _named_tests() -> list[tuple[str, str, str | None]]:
    return sorted({(page.relative_to(REPO).as_posix(), file, name)
                   for page in PAGES for file, name in NAMED.findall(page.read_text(encoding="utf-8"))},
                  key=lambda t: (t[0], t[1], t[2] or ""))


def test_the_pages_name_tests():
    pages = {page for page, _file, _name in _named_tests()}
    assert {"docs/reliability.md", "docs/sparql.md"} <= pages


@pytest.mark.parametrize(("page", "file", "name"), _named_tests())
def test_every_test_a_page_names_exists(page, file, name):
    path = REPO / "tests" / file
    assert path.is_file(), f"{page} names {file}, which is not in tests/"
    if name:
        assert re.search(rf"^(async )?def {name}\(", path.read_text(encoding="utf-8"), re.MULTILINE), (
            f"{page} names {file}::{name}, which that file does not define")


def test_the_readme_speed_figures_are_the_benchmark_pages():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index(SPEED):].split("\n\n", 1)[0]
    quoted = FIGURE.findall(paragraph)
    assert len(quoted) >= 15, f"the README's speed paragraph quotes only {quoted}"
    measured = set(NUMBER.findall((REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")))
    stale = [figure for figure in quoted if figure not in measured]
    assert not stale, f"the README quotes {stale}, which docs/benchmarks.md does not say as written"
