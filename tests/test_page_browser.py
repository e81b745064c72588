"""The page in a real browser (Debian's Chromium driven by Playwright) against the real server.

Only ``/usr/bin/chromium`` is used (``playwright install`` downloads are not possible here); the tests are
skipped, with that reason, when it is absent. The browser is started without network services, and every
request outside the live server is refused, so the page is shown to work offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHROMIUM, BrowserTab

REPO = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed: "
                                                     "apt-get install -y chromium"),
]

RESTRICTION_TEXT = "Lemtrada should only be started in adults"  # the EMA's words, which it defines
INDICATION_2013_TEXT = "LEMTRADA is indicated for adult patients"
EU = "/?drug=alemtuzumab&jurisdiction=EU"


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
    p = BrowserTab(browser, live_server.url, width=390, height=844)
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
    tab.click("#next-change")  # the PRAC's recommendation: the MS Society's own advice of 18 April is the UK's
    tab.wait_for_function("() => document.querySelector('#guidance-h time').getAttribute('datetime') === '2019-10-31'")
    assert page.errors == []


def test_the_readme_screenshot_script_draws_the_headline_example(browser, live_server, tmp_path):
    """scripts/images.py regenerates docs/page.png (here into a temporary file, from the live server)."""
    from scripts.images import favicon_ico, page_png

    png = page_png(browser, tmp_path / "page.png", live_server.url)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    ico = favicon_ico(browser, REPO / "api/static/page-favicon.svg", tmp_path / "favicon.ico")
    assert ico.read_bytes()[:4] == b"\x00\x00\x01\x00"


# -- issue 17: the page, tried as a new user would --------------------------------------------------------------

def guidance_requests(p) -> list[str]:
    return [u for u in p.requests if "/page/guidance?" in u]


def test_typing_a_date_sends_one_request(page):
    """Friction: typing a date fired seven requests (on=0002-04-12, 0020-..., 0201-...)."""
    tab = page.open(EU + "&on=2019-04-11")
    tab.wait_for_timeout(300)
    before = len(guidance_requests(page))
    tab.focus("#on")
    tab.keyboard.press("Home")  # the month segment (en-US: mm/dd/yyyy)
    tab.keyboard.type("04122019", delay=60)
    tab.wait_for_function("() => document.querySelector('#guidance-h time').getAttribute('datetime') === '2019-04-12'")
    tab.wait_for_timeout(700)
    sent = guidance_requests(page)[before:]
    assert len(sent) == 1 and "on=2019-04-12" in sent[0], sent
    assert RESTRICTION_TEXT in effective_text(tab)
    assert page.errors == []


def test_overridden_cards_say_since_when_and_by_what(page):
    """Friction: overridden cards did not say from when (here after the script redrew them)."""
    tab = page.open(EU + "&on=2019-04-11")
    show_date(tab, "2020-03-01")
    card = tab.locator("#guidance-body ul.overridden > li", has_text=INDICATION_2013_TEXT)
    assert "eu-indication-2020 (EU), since 16 Jan 2020" in card.inner_text()
    show_date(tab, "2019-06-01")
    card = tab.locator("#guidance-body ul.overridden > li", has_text=INDICATION_2013_TEXT)
    assert "eu-temporary-restriction-2019 (EU), since 12 Apr 2019" in card.inner_text()


def test_every_override_segment_is_labelled_or_announced(page):
    """Friction: overridden bars in the default zoom were labelled only with the last overrider."""
    tab = page.open(EU + "&on=2020-03-01")
    row = tab.locator('#chart g.row[data-key="alemtuzumab-eu-indication-2013"]')
    label = " ".join(row.locator("text.bar-label").all_text_contents())
    assert "eu-temporary-restriction-2019" in label and "eu-indication-2020" in label
    bars = row.locator("g.bar-overridden")
    announced = [bars.nth(i).get_attribute("aria-label") or "" for i in range(bars.count())]
    assert any("overridden by eu-temporary-restriction-2019" in a for a in announced)
    assert any("overridden by eu-indication-2020" in a for a in announced)


def test_the_first_view_is_the_latest_change_and_is_in_the_url(page):
    """Friction: the page opened on today with all jurisdictions (8,600 px)."""
    tab = page.open("/")
    assert "on=2020-01-16" in tab.url and "jurisdiction=EU" in tab.url
    assert tab.input_value("#on") == "2020-01-16" and tab.input_value("#jurisdiction") == "EU"
    assert page.errors == []


def test_statement_pages_and_api_docs_link_back_to_the_timeline(page):
    tab = page.tab
    for path in ("/id/statement/alemtuzumab-eu-temporary-restriction-2019", "/api/docs", "/sparql", "/ns"):
        tab.goto(page.base + path)
        tab.click("header.site nav >> text=Timeline")
        tab.wait_for_selector("#chart svg .bar")
        assert "/?drug=alemtuzumab" in tab.url, path
    assert page.errors == []


def test_favicon_and_no_console_error_on_any_page(page):
    """Friction: /favicon.ico was a 404, the only console error on any page."""
    tab = page.tab
    for path in ("/api/docs", "/sparql", "/ns", "/id/source/mssociety-lemtrada", "/guidance/alemtuzumab/2019-04-12"):
        tab.goto(page.base + path)
        tab.wait_for_load_state("networkidle")
    assert page.errors == [] and page.outside == []
    icon = tab.request.get(page.base + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"


def test_the_sparql_result_table_keeps_long_text_readable(page):
    """Friction: the SPARQL page's result table squeezed long text to ~60 px and overflowed its box."""
    tab = page.tab
    tab.goto(page.base + "/sparql")
    tab.click("#run")
    tab.wait_for_selector("#results table tbody tr")
    sizes = tab.evaluate("""() => {
        const box = document.querySelector('#results').getBoundingClientRect();
        const table = document.querySelector('#results table').getBoundingClientRect();
        const text = [...document.querySelectorAll('#results td.text')].map(td => td.getBoundingClientRect().width);
        return {box: box.width, table: table.width, text};
    }""")
    assert sizes["text"] and min(sizes["text"]) >= 300, sizes
    assert sizes["table"] <= sizes["box"] + 1, sizes


def test_keyboard_skips_to_content_and_runs_a_sparql_query(page):
    tab = page.tab
    tab.goto(page.base + "/sparql")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to content"
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
    tab.focus("#query")
    tab.keyboard.press("Control+Enter")
    tab.wait_for_selector("#results table tbody tr")
    assert "rows" in tab.inner_text("#results")


def test_step_buttons_name_an_imprecise_change_at_its_precision(page):
    """A start known only to the year ("available since 2014") is named "2014", never "1 Jan 2014"."""
    tab = page.open(EU + "&on=2019-04-12")
    assert tab.inner_text("#prev-change") == "← 2014"
    assert tab.get_attribute("#prev-change", "aria-label") == "Previous change: 2014"
    assert tab.inner_text("#next-change") == "31 Oct 2019 →"


def test_the_chart_follows_the_timelines_pages_to_the_end(browser, graph, page):
    """A server whose pages hold one statement: the chart still draws every statement of the drug."""
    import threading

    from werkzeug.serving import make_server

    from guidancekg.api.app import create_app

    server = make_server("127.0.0.1", 0, create_app({"GUIDANCEKG_BASE": "http://127.0.0.1:1/", "PAGE_LIMIT": 1},
                                                    graph=graph), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paged = BrowserTab(browser, f"http://127.0.0.1:{server.server_port}")
    try:
        whole = page.open(EU).locator("#chart svg .bar").count()
        tab = paged.open(EU)
        assert tab.locator("#chart svg .bar").count() == whole > 1
        timeline_requests = [r for r in paged.requests if "/api/timeline" in r]
        assert len(timeline_requests) > 1 and all(r.startswith(paged.base) for r in timeline_requests)
        assert paged.errors == [] and paged.outside == []
    finally:
        paged.close()
        server.shutdown()
