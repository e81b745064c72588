"""The JSON API of the contract (guidance, changes, timeline, sources) and every error status it may answer.

Every response here is also checked against the OpenAPI description (``openapi_check.check``).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from openapi_check import check

from guidancekg.cli.main import main
from guidancekg.graph.rdf.iris import DEFAULT_BASE

BASE = DEFAULT_BASE + "id/statement/"
RESTRICTION = BASE + "alemtuzumab-eu-temporary-restriction-2019"
ORIGINAL_2013 = BASE + "alemtuzumab-eu-indication-2013"
ORIGINAL_2014 = BASE + "alemtuzumab-eu-licensed-rrms-2014"
FINAL_2020 = BASE + "alemtuzumab-eu-indication-2020"


def get_json(client, url: str, status: int = 200, **headers: str):
    resp = client.get(url, headers=headers)
    assert resp.status_code == status, resp.get_data(as_text=True)
    return check(resp)


def assert_problem(resp, status: int, mentions: str | None = None) -> dict:
    """Assert an RFC 9457 problem: media type, members, no HTML, no stack trace; return it."""
    assert resp.status_code == status
    assert resp.mimetype == "application/problem+json"
    text = resp.get_data(as_text=True)
    assert "<html" not in text.lower() and "Traceback" not in text and 'File "' not in text
    body = check(resp)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if mentions is not None:
        assert mentions in body["detail"]
    return body


# -- guidance ---------------------------------------------------------------------------------------------------

def test_guidance_on_the_day_of_the_restriction(client):
    body = get_json(client, "/api/guidance?on=2019-04-12")
    effective = {s["id"]: s for s in body["statements"]}
    overridden = {s["id"]: s for s in body["overridden"]}
    assert RESTRICTION in effective
    assert effective[RESTRICTION]["temporary"] is True
    for original in (ORIGINAL_2013, ORIGINAL_2014):
        assert original in overridden
        assert RESTRICTION in overridden[original]["overridden_by"]
        assert original not in effective
    assert body["on"] == "2019-04-12" and body["known"] is None


def test_every_statement_carries_its_sources(client):
    body = get_json(client, "/api/guidance?on=2019-04-12")
    for s in body["statements"] + body["overridden"]:
        assert s["sources"], s["id"]
        for r in s["sources"]:
            assert {"source", "version", "published", "quote"} <= set(r)
            assert r["source"].startswith(DEFAULT_BASE + "id/source/")
            assert r["version"].startswith(DEFAULT_BASE + "id/version/")


def test_guidance_before_the_restriction_has_the_original_in_force(client):
    body = get_json(client, "/api/guidance?on=2019-04-11&drug=alemtuzumab")
    ids = {s["id"] for s in body["statements"]}
    assert ORIGINAL_2013 in ids and RESTRICTION not in ids
    # Nothing is overridden but the FDA's 2014 boxed warning, replaced in 2018 (it adds stroke).
    overridden = [(s["id"].rsplit("/", 1)[-1], [b.rsplit("/", 1)[-1] for b in s["overridden_by"]])
                  for s in body["overridden"]]
    assert overridden == [("alemtuzumab-us-boxed-warning-2014", ["alemtuzumab-us-boxed-warning-2018"])]


def test_guidance_after_the_final_indication(client):
    body = get_json(client, "/api/guidance?on=2022-01-01&drug=alemtuzumab&jurisdiction=EU&topic=indication")
    ids = {s["id"] for s in body["statements"]}
    assert ids == {FINAL_2020}
    assert {s["id"] for s in body["overridden"]} == {ORIGINAL_2013, ORIGINAL_2014, RESTRICTION}


def test_guidance_as_known_before_the_news(client):
    body = get_json(client, "/api/guidance?on=2019-04-12&known=2019-04-11")
    ids = {s["id"] for s in body["statements"]}
    assert RESTRICTION not in ids and ORIGINAL_2013 in ids
    assert body["known"] == "2019-04-11"


def test_guidance_defaults_to_today(client):
    body = get_json(client, "/api/guidance")
    assert body["on"] == date.today().isoformat()


def test_guidance_filters(client):
    body = get_json(client, "/api/guidance?on=2019-04-12&drug=alemtuzumab&jurisdiction=US&topic=warning")
    assert body["drug"] == "alemtuzumab" and body["jurisdiction"] == "US" and body["topic"] == "warning"
    assert body["statements"]
    assert all(s["jurisdiction"] == "US" and s["topic"] == "warning" for s in body["statements"])


def test_jurisdiction_includes_regions_within_it(client):
    body = get_json(client, "/api/guidance?on=2019-04-12&jurisdiction=UK&topic=indication")
    where = {(s["jurisdiction"], s["applies_in"]["jurisdiction"], s["applies_in"]["because"], s["applies_in"]["via"])
             for s in body["statements"] + body["overridden"]}
    assert ("GB-EAW", "GB-EAW", "own", None) in where  # NICE, for a part of the UK
    assert ("EU", "UK", "reach", "EU") in where  # the EU's decisions, in the UK until 2020-12-31
    assert {w[1] for w in where} <= {"UK", "GB-GBN", "GB-EAW", "GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR"}


def test_every_statement_says_why_it_applies_in_the_asked_jurisdiction(client):
    for on in ("2019-04-15", "2022-06-01", "2025-06-01"):
        body = get_json(client, f"/api/guidance?on={on}&jurisdiction=UK")
        for s in body["statements"] + body["overridden"]:
            a = s["applies_in"]
            assert set(a) == {"jurisdiction", "because", "via", "relation"}
            assert (a["relation"] is not None) == (a["because"] == "reach")
            if a["relation"]:
                assert get_json(client, "/api/jurisdictions")["reach"] and a["relation"] in {
                    r["id"] for r in get_json(client, "/api/jurisdictions")["reach"]}
    assert all(s["applies_in"] is None for s in get_json(client, "/api/guidance?on=2019-04-15")["statements"])


def test_imprecise_start_is_uncertain(client):
    body = get_json(client, "/api/guidance?on=2014-03-01&jurisdiction=EU&topic=indication")
    status = {s["id"]: s["status"] for s in body["statements"] + body["overridden"]}
    assert status[ORIGINAL_2014] == "uncertain"
    assert status[ORIGINAL_2013] == "in-force"


# -- changes, timeline, sources ---------------------------------------------------------------------------------

def test_changes_in_april_2019(client):
    body = get_json(client, "/api/changes?from=2019-04-01&to=2019-04-30&jurisdiction=EU&topic=indication")
    found = {(c["date"], c["change"], c["reason"], c["statement"]["id"], c["by"]) for c in body["changes"]}
    assert ("2019-04-12", "started", "came-into-force", RESTRICTION, None) in found
    assert ("2019-04-12", "stopped", "overridden", ORIGINAL_2013, RESTRICTION) in found
    dates = [c["date"] for c in body["changes"]]
    assert dates == sorted(dates)


def test_changes_when_the_final_indication_came(client):
    body = get_json(client, "/api/changes?from=2020-01-01&to=2020-12-31&jurisdiction=EU&topic=indication")
    found = {(c["change"], c["reason"], c["statement"]["id"]) for c in body["changes"]}
    assert ("started", "came-into-force", FINAL_2020) in found
    assert ("stopped", "overridden", RESTRICTION) in found


def test_timeline(client):
    body = get_json(client, "/api/timeline?drug=alemtuzumab&jurisdiction=EU&topic=indication")
    by_id = {s["id"]: s for s in body["statements"]}
    assert by_id[RESTRICTION]["effective"] == [["2019-04-12", "2020-01-16"]]
    assert ["2019-04-12", "2020-01-16", RESTRICTION] in by_id[ORIGINAL_2013]["overridden"]


def test_sources(client):
    body = get_json(client, "/api/sources")
    keys = {s["key"] for s in body["sources"]}
    assert "mssociety-lemtrada" in keys
    for src in body["sources"]:
        assert src["versions"]
        for v in src["versions"]:
            assert v["sha256"] is None or len(v["sha256"]) == 64


# -- errors: every status of the contract -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2019-02-30", "yesterday", "2019-04", "2019-4-12", " ", "2019-04-12T00:00"])
def test_malformed_on_is_a_400_naming_on(client, value):
    resp = client.get(f"/api/guidance?on={value}")
    if value == "":
        # An empty value is still a value: it is not a day either.
        assert resp.status_code == 400
    body = assert_problem(resp, 400, "on")
    assert body["parameter"] == "on"


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/guidance?on=2019-04-12&known=2019-13-01", "known"),
    ("/api/changes?from=2019-02-30&to=2019-05-01", "from"),
    ("/api/changes?from=2019-01-01&to=soon", "to"),
    ("/api/changes?to=2019-05-01", "from"),
    ("/api/changes?from=2019-05-01", "to"),
    ("/api/changes?from=2019-05-01&to=2019-04-01", "to"),
    ("/api/timeline?known=2019-04", "known"),
    ("/api/guidance?on=2019-04-12&on=2019-04-13", "on"),
    ("/api/guidance?on=2019-04-12&jurisdiction=Narnia", "jurisdiction"),
])
def test_malformed_parameters_are_400s_naming_them(client, url, parameter):
    body = assert_problem(client.get(url), 400, parameter)
    assert body["parameter"] == parameter


@pytest.mark.parametrize("url", ["/api/guidance?on=2019-04-12&topic=astrology",
                                 "/api/changes?from=2019-01-01&to=2019-12-31&topic=x",
                                 "/api/timeline?topic=Indication"])
def test_unknown_topic_is_a_400(client, url):
    body = assert_problem(client.get(url), 400, "topic")
    assert body["parameter"] == "topic"


@pytest.mark.parametrize("url", ["/api/guidance?on=2019-04-12&drug=aspirin", "/api/timeline?drug=aspirin",
                                 "/api/changes?from=2019-01-01&to=2019-12-31&drug=aspirin"])
def test_unknown_drug_is_a_404(client, url):
    assert_problem(client.get(url), 404, "aspirin")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_wrong_method_is_a_405(client, method):
    resp = getattr(client, method)("/api/guidance?on=2019-04-12")
    assert_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


@pytest.mark.parametrize("accept", ["text/csv", "text/html", "application/xml", "image/png, text/plain;q=0.5",
                                    "application/json;q=0"])
def test_unacceptable_accept_is_a_406(client, accept):
    body = assert_problem(client.get("/api/guidance?on=2019-04-12", headers={"Accept": accept}), 406)
    assert "application/json" in body["detail"]


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/problem+json", "application/*",
                                    "text/html, */*;q=0.1", "application/json; charset=utf-8"])
def test_json_accepts_are_served(client, accept):
    get_json(client, "/api/guidance?on=2019-04-12", Accept=accept)


def test_accept_is_checked_before_the_parameters(client):
    # The 406 check runs before the route, so a client that accepts no JSON learns that first.
    resp = client.get("/api/guidance?on=yesterday", headers={"Accept": "text/csv"})
    assert_problem(resp, 406)


@pytest.mark.parametrize(("url", "content_type"), [
    ("/sparql", "application/sparql-query"),
    ("/sparql", "application/x-www-form-urlencoded"),
    ("/api/guidance", "application/octet-stream"),
])
def test_oversized_body_is_a_413(client, app, url, content_type):
    limit = app.config["MAX_CONTENT_LENGTH"]
    resp = client.post(url, data=b"x" * (limit + 1), content_type=content_type)
    assert_problem(resp, 413, "limit")


def test_body_at_the_limit_is_not_refused(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    resp = client.post("/api/guidance", data=b"x" * limit, content_type="application/octet-stream")
    assert_problem(resp, 405)


@pytest.mark.parametrize("url", ["/api/nothing", "/nothing/here", "/api/guidance/extra", "/id/statement/"])
def test_unknown_path_is_a_404(client, url):
    assert_problem(client.get(url), 404)


def test_a_bad_date_never_yields_html_or_500(client):
    for value in ["%00", "9999-99-99", "0000-00-00", "2019-02-29", "-1", "2019-04-12x", "%3Cscript%3E", "19"]:
        resp = client.get(f"/api/guidance?on={value}")
        assert resp.status_code == 400, value
        assert_problem(resp, 400, "on")


# -- the API and the CLI give the same answers --------------------------------------------------------------------

DATES = ["2013-06-01", "2014-03-01", "2015-01-01", "2019-04-11", "2019-04-12", "2019-04-18", "2020-02-01",
         "2022-01-01"]


@pytest.mark.parametrize("day", DATES)
def test_api_and_cli_agree(client, runner, data_dir, day):
    api = get_json(client, f"/api/guidance?on={day}")
    result = runner.invoke(main, ["at", day, "--format", "json", "--store-kind", "memory",
                                  "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)
    assert cli == api


def test_empty_optional_parameters_count_as_not_given(client):
    # An HTML form sends its empty fields; the page's shareable URLs carry them too (known=).
    empty = client.get("/api/guidance?on=2019-04-12&known=&drug=&jurisdiction=&topic=")
    plain = client.get("/api/guidance?on=2019-04-12")
    assert empty.status_code == 200 and empty.get_json() == plain.get_json()
    assert client.get("/api/changes?from=&to=2019-12-31").get_json()["parameter"] == "from"


def test_citation_quoting_a_reference_is_not_presented_as_the_versions_words(client, data_dir):
    # As known before the CHMP opinion (whose version asserts it again), the PRAC version is the one recording it.
    body = get_json(client, "/api/guidance?on=2019-11-01&known=2019-11-01&jurisdiction=EU&topic=regulatory-action")
    prac = next(s for s in body["statements"] if s["id"].endswith("alemtuzumab-eu-prac-recommendation-2019"))
    by_version = {r["version"].rsplit("/", 1)[-1]: r for r in prac["sources"]}
    record = by_version["2019-10-31"]
    assert record["quote"] is None and record["url"] is None and record["confidence"] == "paraphrase"
    assert record["cited_as"] == "EMA referral page for Lemtrada (PRAC recommendation of 31 October 2019)"
    reported = record["reported_by"]
    assert reported["reference"] == DEFAULT_BASE + "id/reference/alemtuzumab-regulatory-timeline"
    text = (data_dir / "references" / "alemtuzumab-regulatory-timeline" / "text.txt").read_text(encoding="utf-8")
    assert text[reported["start"]:reported["end"]] == reported["quote"] == prac["text"]


def test_reference_dereferences_with_its_text_and_passages(client):
    resp = client.get("/id/reference/alemtuzumab-regulatory-timeline", headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "https://w3id.org/guidancekg/ns#Reference" in text and "heldText" in text
    assert "/record/ema-lemtrada-article20-referral/2019-10-31/passage" in text
    assert client.get("/id/reference/no-such-reference").status_code == 404


def test_unknown_drug_problem_lists_the_known_drugs(client):
    """Issue 17: "unknown drug: 'aspirin'" did not list the known drugs (the jurisdiction and topic errors did)."""
    for path in ("/api/guidance?drug=aspirin", "/guidance/aspirin", "/id/drug/aspirin"):
        body = client.get(path, headers={"Accept": "application/json"}).get_json()
        assert body["status"] == 404 and body["detail"].endswith("; known: alemtuzumab, daclizumab"), path
