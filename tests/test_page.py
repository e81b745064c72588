"""The page as the server renders it (no JavaScript): controls, guidance, comparison, links, errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

DRUG = "alemtuzumab"
RESTRICTION_TEXT = "Lemtrada should only be started in adults"  # the EMA's words, which it defines
INDICATION_2013_TEXT = "LEMTRADA is indicated for adult patients with relapsing remitting multiple sclerosis"


class Elements(HTMLParser):
    """Collect every start tag with its attributes, and the text inside each element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def by_id(self, id_: str) -> tuple[str, dict[str, str | None]]:
        found = [t for t in self.tags if t[1].get("id") == id_]
        assert len(found) == 1, f"#{id_}: {len(found)} elements"
        return found[0]

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def section(html: str, id_: str) -> str:
    """Return the HTML of the <section id=...> (sections do not nest on this page)."""
    m = re.search(rf'<section id="{id_}".*?</section>', html, re.DOTALL)
    assert m, id_
    return m[0]


def page(client, query: str = "") -> str:
    r = client.get("/" + query, follow_redirects=True)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def test_page_has_controls_with_labels(client):
    html = page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-12")
    el = Elements(html)
    assert el.by_id("drug")[0] == "select" and el.by_id("jurisdiction")[0] == "select"
    assert el.by_id("on")[1]["type"] == "date" and el.by_id("on")[1]["value"] == "2019-04-12"
    assert el.by_id("on-slider")[1]["type"] == "range"
    assert el.by_id("known")[1]["type"] == "date" and el.by_id("known")[1]["value"] == ""
    assert el.by_id("from")[1]["type"] == el.by_id("to")[1]["type"] == "date"
    labelled = {a["for"] for a in el.all("label")}
    assert {"drug", "jurisdiction", "on", "on-slider", "known", "from", "to"} <= labelled
    options = [a.get("value") for a in el.all("option")]
    assert DRUG in options and {"", "EU", "UK", "US"} <= set(options)
    assert 'value="EU" selected' in html
    assert el.by_id("zoom")[0] == "select" and "zoom" in labelled


def test_zoom_is_part_of_the_view(client):
    assert '<option value="1y" selected>' in page(client, f"?drug={DRUG}&zoom=1y")
    assert '<option value="all" selected>' in page(client, f"?drug={DRUG}")


def test_page_has_landmarks_and_a_live_region(client):
    el = Elements(page(client))
    tags = [t for t, _ in el.tags]
    assert "main" in tags and "nav" in tags and "header" in tags and "footer" in tags
    # One concise live region announces each result (a live region on the whole list would read it all out).
    assert el.by_id("status")[1]["aria-live"] == "polite" and el.by_id("status")[1]["role"] == "status"
    assert Elements(page(client)).tags[0][1].get("lang") == "en"


def test_page_links_to_sparql_and_api_docs(client):
    hrefs = {a.get("href") for a in Elements(page(client)).all("a")}
    assert "/sparql" in hrefs and "/api/docs" in hrefs


def test_page_opens_on_the_latest_change_of_the_first_drug_in_the_url(client):
    """Issue 17: the page opened on today with all jurisdictions (8,600 px), not on a view worth sharing."""
    r = client.get("/")
    assert r.status_code == 302
    assert r.headers["Location"] == "/?drug=alemtuzumab&on=2020-01-16&jurisdiction=EU"  # the Commission's decision
    el = Elements(page(client))
    assert el.by_id("on")[1]["value"] == "2020-01-16" and 'value="alemtuzumab" selected' in page(client)
    kept = client.get("/?zoom=1y&jurisdiction=")  # what the URL says is kept; an empty jurisdiction is "all"
    assert kept.headers["Location"] == "/?zoom=1y&drug=alemtuzumab&on=2020-01-16&jurisdiction="
    assert client.get("/?on=2019-04-12").status_code == 200  # a view with its date is never redirected


def test_overridden_cards_say_since_when_and_by_what(client):
    """Issue 17: overridden cards did not say from when."""
    html = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2020-03-01"), "guidance")
    overridden = html.split('id="overridden-h"')[1]
    card = overridden.split('<li class="stmt')[1:]
    by_2013 = next(c for c in card if INDICATION_2013_TEXT in c)
    assert re.search(r'eu-indication-2020</a> \(EU\), <span class="since">since <time datetime="2020-01-16">'
                     r'16 Jan 2020</time></span>', by_2013)
    restricted = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-06-01"), "guidance")
    assert 'since <time datetime="2019-04-12">12 Apr 2019</time>' in restricted.split('id="overridden-h"')[1]


def test_the_restriction_becomes_effective_on_12_april_2019(client):
    before = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-11"), "guidance")
    after = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-12"), "guidance")
    assert RESTRICTION_TEXT not in before and INDICATION_2013_TEXT in before
    assert "Overridden by" not in before
    effective, overridden = after.split('id="overridden-h"')
    assert RESTRICTION_TEXT in effective and "temporary measure" in effective
    assert INDICATION_2013_TEXT in overridden and "Overridden by" in overridden
    assert "eu-temporary-restriction-2019" in overridden


def test_statements_link_to_their_sources_and_versions(client):
    html = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-12"), "guidance")
    hrefs = {a.get("href") for a in Elements(html).all("a")}
    # Where this server answers for each IRI of the graph (api/web.py, here).
    assert "/id/statement/alemtuzumab-eu-temporary-restriction-2019" in hrefs
    assert "/id/source/ema-lemtrada-press-release-2019-04-12" in hrefs
    assert "/id/version/ema-lemtrada-press-release-2019-04-12/2019-04-12" in hrefs
    assert "<blockquote" in html


def test_as_known_at_hides_what_was_not_yet_published(client):
    known = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-20&known=2019-04-12"), "guidance")
    everything = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-20"), "guidance")
    assert "MS Society" not in known and "as known at 12 Apr 2019" in known
    assert "MS Society" in everything and "with everything recorded" in everything


def test_imprecise_start_is_shown_as_such(client):
    html = section(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-12"), "guidance")
    assert "in force from <time datetime=\"2014\">2014</time> (to the year: exact day unknown)" in html


@pytest.mark.parametrize("query", ["compare=2019-01-01..2019-12-31", "from=2019-01-01&to=2019-12-31"])
def test_compare_lists_the_12_april_2019_change_and_why(client, query):
    html = page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-12&{query}")
    view = section(html, "compare-view")
    assert "hidden" not in view.split(">", 1)[0]
    items = re.findall(r'<li class="change change-(\w+)">(.*?)</li>', view, re.DOTALL)
    april = [(kind, body) for kind, body in items if 'datetime="2019-04-12"' in body]
    started = [b for k, b in april if k == "started" and RESTRICTION_TEXT in b]
    stopped = [b for k, b in april if k == "stopped" and INDICATION_2013_TEXT in b]
    assert started and "came into force" in started[0]
    assert stopped and "overridden" in stopped[0] and "eu-temporary-restriction-2019" in stopped[0]


def test_compare_is_hidden_when_not_asked_for(client):
    view = section(page(client, f"?drug={DRUG}"), "compare-view")
    assert "hidden" in view.split(">", 1)[0]


def test_page_links_to_the_memento_of_the_day(client):
    el = Elements(page(client, f"?drug={DRUG}&jurisdiction=EU&on=2019-04-13"))
    assert el.by_id("memento-link")[1]["href"] == f"/guidance/{DRUG}/2019-04-13?jurisdiction=EU"
    assert client.get(f"/guidance/{DRUG}/2019-04-13?jurisdiction=EU").status_code == 302


@pytest.mark.parametrize("query, parameter", [
    ("?on=2019-02-30", "on"), ("?on=yesterday", "on"), ("?known=2019-04", "known"),
    ("?compare=2019-01-01", "compare"), ("?compare=2019-12-31..2019-01-01", "compare"),
    ("?compare=2019-01-01..soon", "compare"), ("?jurisdiction=XX", "jurisdiction"), ("?zoom=10y", "zoom"),
])
def test_bad_parameters_are_400_problems(client, query, parameter):
    r = client.get("/" + query)
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["parameter"] == parameter


def test_unknown_drug_is_a_404_problem(client):
    r = client.get("/?drug=nope")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def test_assets_are_local_and_served(client):
    html = page(client)
    el = Elements(html)
    scripts = [a["src"] for a in el.all("script")]
    styles = [a["href"] for a in el.all("link") if a.get("rel") == "stylesheet"]
    assert scripts and styles
    for url in scripts + styles:
        assert url.startswith("/static/"), url
        r = client.get(url)
        assert r.status_code == 200
        text = r.get_data(as_text=True)
        # No CDN, no remote font or script: the only absolute URL in the assets is the SVG namespace name.
        assert set(re.findall(r"https?://[^\s\"')]+", text)) <= {"http://www.w3.org/2000/svg"}, url
    assert "<script>" not in html and " style=" not in html  # the CSP allows no inline script or style


def test_page_answers_head(client):
    assert client.head(f"/?drug={DRUG}&on=2019-04-12").status_code == 200
    assert client.head("/").status_code == 302


def test_uk_view_says_the_eu_restriction_applies_through_the_eu_and_shows_both_confidences(client):
    html = page(client, "?drug=alemtuzumab&on=2019-04-15&known=2019-04-15&jurisdiction=UK")
    card = re.search(r'<li class="stmt[^"]*" data-id="[^"]*alemtuzumab-eu-temporary-restriction-2019"'
                     r'.*?</li>\s*</ul>\s*</li>', html, re.DOTALL)
    assert card, "the restriction is on the UK page"
    assert "applies in UK through the reach of EU" in card[0]
    assert "eu-decisions-in-the-uk" in card[0]
    assert "(wording: verbatim; date: verbatim)" in card[0]
