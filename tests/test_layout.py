"""One layout for every HTML page: a header with the navigation, a footer saying where the data comes from, and
a favicon; the API docs rendered from their Markdown.

Issue 17's frictions: "`/api/docs` shows Markdown backticks literally; `/sparql` has no site header; `/api/docs`
and the statement pages do not link back to the timeline; `/favicon.ico` is a 404".
"""

from __future__ import annotations

import re

import pytest

PAGES = [
    "/?drug=alemtuzumab&jurisdiction=EU&on=2019-04-12",
    "/guidance/alemtuzumab/2019-04-12",
    "/guidance/alemtuzumab",
    "/id/statement/alemtuzumab-eu-temporary-restriction-2019",
    "/id/statement/alemtuzumab-eu-temporary-restriction-2019/record/mssociety-lemtrada/2019-04-18",
    "/id/source/mssociety-lemtrada",
    "/id/version/mssociety-lemtrada/2019-04-18",
    "/id/drug/alemtuzumab",
    "/id/graph/vocabulary",
    "/ns",
    "/sparql",
    "/api/docs",
]
NAVIGATION = {"/": "Timeline", "/sparql": "SPARQL", "/api/docs": "API docs", "/ns": "Vocabulary"}


@pytest.mark.parametrize("path", PAGES)
def test_every_html_page_has_the_one_layout(client, path):
    resp = client.get(path, headers={"Accept": "text/html"})
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    header = re.search(r'<header class="site">.*?</header>', html, re.DOTALL)
    assert header, path
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', header[0]))
    assert all(links.get(href) == label for href, label in NAVIGATION.items()), links
    footer = re.search(r'<footer class="site">.*?</footer>', html, re.DOTALL)
    assert footer and "56 statements from 19 versions of 17 sources" in footer[0]
    # the provenance graph is linked where this server answers for its IRI, not by the IRI itself
    assert 'href="/api/sources"' in footer[0] and 'href="/id/graph/provenance"' in footer[0]
    assert '<link rel="icon" href="/static/page-favicon.svg"' in html
    assert html.count("<main") == 1 and 'class="skip" href="#main"' in html


def test_the_navigation_marks_the_current_page(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert '<a href="/api/docs" aria-current="page">API docs</a>' in html


def test_favicon_is_served_where_browsers_look(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon"
    assert resp.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert client.get("/static/page-favicon.svg").status_code == 200


def test_api_docs_render_the_markdown_of_the_descriptions(client):
    html = client.get("/api/docs").get_data(as_text=True)
    text_only = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.DOTALL)
    assert "`" not in text_only  # no backtick left as it was written
    assert "e.g. <code>alemtuzumab</code>" in html
    assert "<script" not in html and "cdn" not in html.lower()


def test_markdown_in_descriptions_cannot_inject_markup(app):
    with app.app_context():
        rendered = app.jinja_env.filters["markdown"]("a `b` <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<code>b</code>" in rendered and "<script" not in str(rendered) and "&lt;script&gt;" in rendered
    assert 'href="javascript' not in str(rendered)


def test_a_statement_page_links_to_its_day_on_the_timeline(client):
    html = client.get("/id/statement/alemtuzumab-eu-licensed-rrms-2014", headers={"Accept": "text/html"}).get_data(
        as_text=True)
    # "available since 2014": the timeline opens on the first day of that year, in the statement's jurisdiction.
    assert 'href="/?drug=alemtuzumab&amp;jurisdiction=EU&amp;on=2014-01-01">See it on the timeline</a>' in html
