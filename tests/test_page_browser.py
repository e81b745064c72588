"""The page in a real browser (Debian's Chromium driven by Playwright) against the real server.

Only ``/usr/bin/chromium`` is used (``playwright install`` downloads are not possible here); the tests are
skipped, with that reason, when it is absent. The browser is started without network services, and every
request outside the live server is refused, so the page is shown to work offline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed: "
                                                     "apt-get install -y chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

DOCS = Path(__file__).resolve().parents[1] / "docs"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
RESTRICTION_TEXT = "As a temporary measure, Lemtrada should only be used"
INDICATION_2013_TEXT = "LEMTRADA is indicated for adult patients"
EU = "/?drug=alemtuzumab&jurisdiction=EU"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A browser tab on the live server that records console errors, page errors and failed requests."""

    def __init__(self, browser, base: str, width: int = 1280, height: int = 900) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US",
                                           timezone_id="UTC")
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context.route(re.compile(r"^(?!" + re.escape(base) + r"/)"), self._refuse)
        self.tab = self.context.new_page()
        self.tab.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
        self.tab.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.tab.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.tab.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def _refuse(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def open(self, query: str):
        self.tab.goto(self.base + query)
        self.tab.wait_for_selector("#chart svg .bar")
        return self.tab

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def page(browser, live_server):
    p = Page(browser, live_server.url)
    yield p
    p.close()


def effective_text(tab) -> str:
    return tab.inner_text("#guidance-body").split("In force but overridden")[0]


def overridden_text(tab) -> str:
    return tab.inner_text("#guidance-body").split("In force but overridden")[1]


def show_date(tab, day: str) -> None:
    tab.fill("#on", day)
    tab.wait_for_function("d => document.querySelector('#guidance-h time').getAttribute('datetime') === d", arg=day)


def test_page_loads_without_errors_and_offline(page):
    tab = page.open(EU + "&on=2019-04-12")
    tab.wait_for_timeout(300)
    assert page.errors == []
    assert page.outside == []
    assert tab.locator("#chart svg .bar").count() > 10


def test_stepping_from_11_to_12_april_2019_shows_the_override(page):
    tab = page.open(EU + "&on=2019-01-01")
    show_date(tab, "2019-04-11")
    assert RESTRICTION_TEXT not in effective_text(tab)
    assert INDICATION_2013_TEXT in effective_text(tab)
    show_date(tab, "2019-04-12")
    assert RESTRICTION_TEXT in effective_text(tab)
    assert INDICATION_2013_TEXT not in effective_text(tab)
    over = overridden_text(tab)
    assert INDICATION_2013_TEXT in over and "eu-temporary-restriction-2019" in over
    assert "on=2019-04-12" in tab.url
    assert "12 Apr 2019" in tab.inner_text("#status")
    assert page.errors == []


def test_the_timeline_shows_the_override_on_hover_and_focus(page):
    tab = page.open(EU + "&on=2019-04-12")
    row = tab.locator('#chart g.row[data-key="alemtuzumab-eu-indication-2013"]')
    bar = row.locator("g.bar-overridden").first
    label = bar.get_attribute("aria-label") or ""
    assert "overridden from 12 Apr 2019" in label and "eu-temporary-restriction-2019" in label
    assert "overridden" in row.locator("text.bar-label").first.text_content()  # in words, not colour alone
    bar.focus()
    tip = tab.locator("#chart-tip")
    assert tip.is_visible() and "eu-temporary-restriction-2019" in tip.inner_text()
    tab.locator("#on").focus()
    assert not tip.is_visible()
    bar.hover()
    assert tip.is_visible() and "eu-temporary-restriction-2019" in tip.inner_text()
    temporary = tab.locator('#chart g.row[data-key="alemtuzumab-eu-temporary-restriction-2019"]')
    assert "temporary" in temporary.locator("text").first.text_content()
    imprecise = tab.locator('#chart g.row[data-key="alemtuzumab-eu-licensed-rrms-2014"] g.bar-effective').first
    assert "start known only to the year" in (imprecise.get_attribute("aria-label") or "")
    assert imprecise.locator('rect[fill="url(#fade-in)"]').count() == 1


def test_compare_view_lists_the_12_april_change(page):
    tab = page.open(EU + "&on=2019-04-12")
    assert not tab.is_visible("#compare-view")
    tab.fill("#from", "2019-01-01")
    tab.fill("#to", "2019-12-31")
    tab.click("#compare-button")
    tab.wait_for_selector("#compare-view ol.changes li")
    items = tab.locator("#compare-view li.change")
    texts = [items.nth(i).inner_text() for i in range(items.count())]
    started = [t for t in texts if "12 Apr 2019" in t and "started" in t and RESTRICTION_TEXT in t]
    stopped = [t for t in texts if "12 Apr 2019" in t and "stopped" in t and INDICATION_2013_TEXT in t]
    assert started and "came into force" in started[0]
    assert stopped and "overridden" in stopped[0] and "eu-temporary-restriction-2019" in stopped[0]
    assert "compare=2019-01-01..2019-12-31" in tab.url
    assert page.errors == []


def test_a_shared_url_restores_the_view(page):
    tab = page.open(EU + "&on=2019-04-12&known=2019-04-12&compare=2019-01-01..2019-12-31")
    assert tab.input_value("#jurisdiction") == "EU"
    assert tab.input_value("#on") == "2019-04-12" and tab.input_value("#known") == "2019-04-12"
    assert tab.input_value("#from") == "2019-01-01" and tab.input_value("#to") == "2019-12-31"
    assert tab.is_visible("#compare-view")
    assert "as known at 12 Apr 2019" in tab.inner_text("#guidance-h")
    assert "MS Society" not in tab.inner_text("#guidance-body")
    tab.select_option("#jurisdiction", "US")
    tab.wait_for_function("() => location.search.includes('jurisdiction=US')")
    tab.wait_for_function("() => !document.querySelector('#chart [data-key*=\"-eu-\"]')")
    tab.select_option("#zoom", "1y")
    tab.wait_for_function("() => location.search.includes('zoom=1y')")
    tab.reload()
    tab.wait_for_selector("#chart svg .bar")
    assert tab.input_value("#jurisdiction") == "US" and tab.input_value("#zoom") == "1y"
    ticks = tab.locator("#chart .axis text").all_text_contents()
    assert "Apr" in ticks  # a one-year span is ticked by month


def test_layout_holds_at_390_px(browser, live_server):
    p = Page(browser, live_server.url, width=390, height=844)
    try:
        tab = p.open(EU + "&on=2019-04-12&compare=2019-01-01..2019-12-31")
        width = tab.evaluate("document.documentElement.clientWidth")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        assert tab.evaluate("document.body.scrollWidth") <= width
        wide = tab.evaluate("""w => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.chart-scroll') && !e.closest('[hidden]'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 0.5; })
            .map(e => e.tagName + '#' + e.id + '.' + e.className)""", width)
        assert wide == []
        assert tab.evaluate("document.querySelector('.chart-scroll').getBoundingClientRect().right") <= width
        assert p.errors == []
    finally:
        p.close()


def test_keyboard_reaches_the_date_and_changes_it(page):
    tab = page.open(EU + "&on=2019-04-11")
    for _ in range(40):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "on":
            break
    else:
        pytest.fail("Tab never reached the date input")
    tab.keyboard.type("04122019")  # en-US: mm dd yyyy
    tab.wait_for_function("() => document.querySelector('#guidance-h time').getAttribute('datetime') === '2019-04-12'")
    assert RESTRICTION_TEXT in effective_text(tab)
    tab.focus("#on-slider")
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function("() => document.querySelector('#guidance-h time').getAttribute('datetime') === '2019-04-13'")
    assert "on=2019-04-13" in tab.url
    tab.click("#next-change")
    tab.wait_for_function("() => document.querySelector('#guidance-h time').getAttribute('datetime') === '2019-04-18'")
    assert page.errors == []


def test_screenshot_for_the_readme(browser, live_server):
    """Save docs/page.png: the page at desktop width on 12 April 2019 in the EU, with the year compared."""
    p = Page(browser, live_server.url, width=1280, height=1400)
    try:
        tab = p.open(EU + "&on=2019-04-12&compare=2019-01-01..2019-12-31&zoom=5y")
        tab.wait_for_timeout(300)
        DOCS.mkdir(exist_ok=True)
        tab.screenshot(path=str(DOCS / "page.png"))
        assert (DOCS / "page.png").stat().st_size > 10_000
        assert p.errors == []
    finally:
        p.close()
