"""Every kind of HTML page, checked by axe-core (the real engine, in Debian's Chromium) for WCAG 2.1 A and AA.

axe-core comes with the ``axe-playwright-python`` package (a dev dependency), which carries its own copy of the
engine: nothing is fetched at test time. The pages are checked as a browser shows them, after their scripts ran.
"""

from __future__ import annotations

import pytest
from conftest import CHROMIUM

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed: "
                                                     "apt-get install -y chromium"),
]
axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                          reason="axe-playwright-python is not installed (pip install -e '.[dev]')")

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [
    ("/?drug=alemtuzumab&jurisdiction=EU&on=2019-04-12&compare=2019-01-01..2019-12-31", "#chart svg .bar"),
    ("/?drug=alemtuzumab&on=2019-04-12&zoom=1y", "#chart svg .bar"),
    ("/guidance/alemtuzumab/2019-04-12?jurisdiction=EU", "main"),
    ("/id/statement/alemtuzumab-eu-temporary-restriction-2019", "main"),
    ("/id/statement/alemtuzumab-eu-temporary-restriction-2019/record/mssociety-lemtrada/2019-04-18", "main"),
    ("/id/source/mssociety-lemtrada", "main"),
    ("/id/version/mssociety-lemtrada/2019-04-18", "main"),
    ("/id/drug/alemtuzumab", "main"),
    ("/ns", "main"),
    ("/sparql", "#query"),
    ("/api/docs", "main"),
    ("/?on=2019-02-30", "main"),  # an error page
]


@pytest.mark.parametrize("path, ready", PAGES)
def test_no_wcag_a_or_aa_violation(page, path, ready):
    tab = page.tab
    tab.goto(page.base + path, wait_until="networkidle")
    tab.wait_for_selector(ready)
    if path == "/sparql":  # the results table too
        tab.click("#run")
        tab.wait_for_selector("#results table tbody tr")
    results = axe.Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_A_AA},
                                          "resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert violations == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in violations)
    assert page.outside == []
