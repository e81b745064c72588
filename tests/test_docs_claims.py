"""The tests the docs name as holding a claim exist, so that a "tested by" in a page is never a dead reference.

README.md, ARCHITECTURE.md and every page of docs/ say which test backs a promise (``tests/test_x.py``, or
``test_x.py::test_name`` for one test); a renamed or removed test must take its page's claim with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", REPO / "ARCHITECTURE.md", *sorted((REPO / "docs").glob("*.md"))]
NAMED = re.compile(r"\b(test_\w+\.py)(?:::(\w+))?")


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
