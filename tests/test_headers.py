"""Headers every response carries: validators and 304, Vary, CORS on the read API only, security headers."""

from __future__ import annotations

import pytest
from openapi_check import check

GUIDANCE = "/api/guidance?on=2019-04-12"
STATEMENT = "/id/statement/alemtuzumab-eu-temporary-restriction-2019"
READS = [GUIDANCE, "/api/changes?from=2019-01-01&to=2019-12-31", "/api/timeline", "/api/sources",
         "/api/openapi.json", STATEMENT, "/id/source/mssociety-lemtrada", "/id/drug/alemtuzumab", "/ns",
         "/ns/context.jsonld"]


# -- validators -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", READS)
def test_reads_carry_a_strong_etag_and_answer_304(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    check(again)


def test_etag_follows_the_body(client):
    a = client.get(GUIDANCE).headers["ETag"]
    b = client.get("/api/guidance?on=2019-04-11").headers["ETag"]
    assert a != b
    assert client.get(GUIDANCE).headers["ETag"] == a
    # Another representation of the same resource has another tag.
    assert (client.get(STATEMENT, headers={"Accept": "text/turtle"}).headers["ETag"]
            != client.get(STATEMENT, headers={"Accept": "application/json"}).headers["ETag"])


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json",
                                    "application/json", "text/html"])
def test_etag_is_stable_for_every_representation(client, accept):
    tags = {client.get(STATEMENT, headers={"Accept": accept}).headers["ETag"] for _ in range(4)}
    assert len(tags) == 1


def test_stale_etag_gets_the_body(client):
    resp = client.get(GUIDANCE, headers={"If-None-Match": '"not-the-tag"'})
    assert resp.status_code == 200 and resp.get_json()["statements"]


def test_head_has_the_same_etag_and_no_body(client):
    get, head = client.get(GUIDANCE), client.head(GUIDANCE)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    check(head)


def test_errors_carry_no_etag(client):
    resp = client.get("/api/guidance?on=yesterday")
    assert resp.status_code == 400 and "ETag" not in resp.headers


# -- Vary -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [GUIDANCE, STATEMENT, "/ns", "/id/version/mssociety-lemtrada/2019-04-18"])
def test_negotiated_reads_vary_on_accept(client, url):
    assert "Accept" in client.get(url).headers.get("Vary", "")


# -- CORS -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [*READS, "/sparql?query=ASK%7B%7D"])
def test_read_api_is_open_to_other_origins(client, url):
    resp = client.get(url, headers={"Origin": "https://example.org"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in resp.headers["Access-Control-Expose-Headers"]


def test_errors_of_the_read_api_are_readable_cross_origin(client):
    resp = client.get("/api/guidance?on=2019-02-30", headers={"Origin": "https://example.org"})
    assert resp.status_code == 400
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/api/guidance", STATEMENT, "/ns", "/sparql"])
def test_preflight_is_answered(client, url):
    resp = client.options(url, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
                                        "Access-Control-Request-Headers": "accept"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in resp.headers["Access-Control-Allow-Methods"]
    assert "Accept" in resp.headers["Access-Control-Allow-Headers"]
    assert int(resp.headers["Access-Control-Max-Age"]) > 0


def test_sparql_may_be_posted_cross_origin(client):
    resp = client.options("/sparql", headers={"Origin": "https://example.org",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("url", ["/api/sources/mssociety-lemtrada/versions", "/api/guidance"])
def test_writes_are_not_open_to_other_origins(client, url):
    preflight = client.options(url, headers={"Origin": "https://example.org",
                                             "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    post = client.post(url, data=b"{}", content_type="application/json", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in post.headers


def test_pages_outside_the_read_api_have_no_cors(client):
    resp = client.get("/", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in resp.headers


# -- security headers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [GUIDANCE, "/api/guidance?on=nope", "/nowhere", STATEMENT, "/api/docs", "/ns",
                                 "/static/api-style.css"])
def test_every_response_has_the_security_headers(client, url):
    resp = client.get(url, headers={"Accept": "text/html,*/*;q=0.5"})
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]


@pytest.mark.parametrize("url", [STATEMENT, "/api/docs", "/ns", "/id/drug/alemtuzumab"])
def test_html_has_a_content_security_policy(client, url):
    resp = client.get(url, headers={"Accept": "text/html"})
    assert resp.mimetype == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_html_pages_use_no_inline_or_external_resources(client):
    for url in (STATEMENT, "/api/docs", "/ns", "/id/version/mssociety-lemtrada/2019-04-18"):
        text = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "<script" not in text and "style=" not in text and "<style" not in text
        assert 'href="https://cdn' not in text and 'src="http' not in text


# -- refusals before routing ------------------------------------------------------------------------------------

def test_413_carries_the_same_headers(client, app):
    resp = client.post("/sparql", data=b"q" * (app.config["MAX_CONTENT_LENGTH"] + 10),
                       content_type="application/sparql-query")
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_audit_negotiates_for_itself(client):
    resp = client.get("/api/audit?from=2019-01-01&to=2019-12-31", headers={"Accept": "text/csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
