"""Errors: RFC 9457 problem JSON for programs, and an HTML page of the same status for a browser on a page meant
for people (the page, the guidance pages and mementos, the IRIs of statements, sources and versions).

Issue 17's friction: "In a browser, `/?on=2019-02-30` or `/?drug=aspirin` shows raw problem JSON instead of a page."
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def html_error(client, path: str, status: int) -> str:
    resp = client.get(path, headers={"Accept": BROWSER})
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "text/html"
    assert "Accept" in resp.headers.get("Vary", "")
    text = resp.get_data(as_text=True)
    assert '<header class="site">' in text and '<footer class="site">' in text  # the one layout
    assert 'href="/"' in text  # a way back
    assert "Traceback" not in text and "/work/" not in text
    return text


def test_a_browser_asking_for_an_impossible_date_gets_an_html_page_with_status_400(client):
    text = html_error(client, "/?drug=alemtuzumab&jurisdiction=EU&on=2019-02-30", 400)
    assert "on: &#39;2019-02-30&#39; is not a real calendar date" in text
    assert "<code>on</code>" in text
    assert 'href="/?drug=alemtuzumab&amp;jurisdiction=EU"' in text  # the same view without the bad value


def test_a_browser_asking_for_an_unknown_drug_gets_an_html_page_listing_the_known_ones(client):
    text = html_error(client, "/?drug=aspirin", 404)
    assert "unknown drug: &#39;aspirin&#39;; known: alemtuzumab" in text


@pytest.mark.parametrize("path, status", [
    ("/guidance/alemtuzumab/2019-02-30", 400),
    ("/guidance/aspirin", 404),
    ("/id/statement/no-such-statement", 404),
    ("/id/source/no-such-source", 404),
    ("/id/version/mssociety-lemtrada/1999-01-01", 404),
    ("/id/statement/alemtuzumab-eu-indication-2013?format=pdf", 400),
    ("/no/such/page", 404),
])
def test_pages_meant_for_people_answer_a_browser_in_html(client, path, status):
    html_error(client, path, status)


@pytest.mark.parametrize("path, status", [
    ("/api/guidance?on=2019-02-30", 400),
    ("/api/guidance?drug=aspirin", 404),
    ("/api/nothing-here", 404),
    ("/timemap/guidance/aspirin", 404),
])
def test_the_json_api_keeps_problem_json_for_browsers_too(client, path, status):
    resp = client.get(path, headers={"Accept": BROWSER})
    assert resp.status_code == status and resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/problem+json",
                                    "text/html;q=0.5, application/json"])
def test_every_other_client_gets_the_problem_json(client, accept):
    resp = client.get("/?on=2019-02-30", headers={"Accept": accept} if accept else {})
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert resp.get_json()["parameter"] == "on"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_asking_for_html_gets_a_page_with_status_400(live_server):
    """The issue's "Done when": curl -H 'Accept: text/html' 'localhost:8080/?on=2019-02-30' (on the live server)."""
    done = subprocess.run(["curl", "-s", "-i", "-H", "Accept: text/html", f"{live_server.url}/?on=2019-02-30"],
                          capture_output=True, timeout=60, check=True)
    head, _, body = done.stdout.decode("utf-8").partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert "Content-Type: text/html" in head
    assert body.lstrip().startswith("<!doctype html>") and "is not a real calendar date" in body


def test_a_busy_ingest_lock_is_a_503_with_retry_after(graph):
    """IngestBusy had no row of its own: it answered the generic store-unavailable 503, with no Retry-After."""
    from guidancekg.api.app import create_app
    from guidancekg.graph.errors import IngestBusy

    app = create_app({"TESTING": True}, graph=graph)

    def busy() -> None:
        raise IngestBusy("another ingest into data is still running; try again later")

    app.add_url_rule("/busy-for-the-test", view_func=busy)
    resp = app.test_client().get("/busy-for-the-test")
    assert resp.status_code == 503 and resp.get_json()["type"].endswith("/ingest-busy")
    assert int(resp.headers["Retry-After"]) == IngestBusy.retry_after
