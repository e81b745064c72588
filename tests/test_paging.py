"""Paging of the JSON API (``api/paging.py``): ``limit``, ``cursor``, ``next`` and ``Link: rel="next"``.

Every response here is checked against the OpenAPI description; one test follows the ``next`` links of a real
server (waitress, over TCP) with a real HTTP client.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from openapi_check import check
from test_api_routes import assert_problem

from guidancekg.api.app import create_app
from guidancekg.api.settings import Settings
from guidancekg.graph.errors import InputError

QUESTIONS = {  # a path and the lists of its body that pages cut
    "guidance": ("/api/guidance?on=2020-02-01", ("statements", "overridden")),
    "guidance of the EU as known in 2019": ("/api/guidance?on=2020-02-01&known=2019-04-15&jurisdiction=EU",
                                            ("statements", "overridden")),
    "changes": ("/api/changes?from=2010-01-01&to=2025-12-31", ("changes",)),
    "timeline": ("/api/timeline", ("statements",)),
    "timeline of a topic": ("/api/timeline?topic=indication", ("statements",)),
}


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "localhost", url  # the configured base, never Host
    return f"{parts.path}?{parts.query}"


def _follow(client, first: str, lists: tuple[str, ...], limit: int, **headers: str) -> tuple[dict, int]:
    """Follow ``next`` from ``first`` with ``limit``; return the lists put end to end and the number of pages."""
    joined: dict[str, list] = {name: [] for name in lists}
    url, pages = f"{first}&limit={limit}" if "?" in first else f"{first}?limit={limit}", 0
    while url is not None:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        body = check(resp)
        pages += 1
        held = sum(len(body[name]) for name in lists)
        assert held <= limit
        for name in lists:
            joined[name].extend(body[name])
        if "next" in body:
            assert held == limit
            assert resp.headers.getlist("Link") == [f'<{body["next"]}>; rel="next"']
            url = _path(body["next"])
        else:
            assert "Link" not in resp.headers
            url = None
    return joined, pages


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_pages_end_to_end_are_the_whole_answer(client, question, limit):
    path, lists = QUESTIONS[question]
    whole = check(client.get(path))
    assert "next" not in whole and "Link" not in client.get(path).headers  # the bundled data fits the default
    joined, pages = _follow(client, path, lists, limit)
    assert joined == {name: whole[name] for name in lists}
    assert pages == max(1, -(-sum(len(whole[name]) for name in lists) // limit))


def test_next_names_the_question_as_answered_and_never_the_host(client):
    resp = client.get("/api/guidance?limit=1&drug=alemtuzumab", headers={"Host": "evil.example"})
    body = check(resp)
    assert body["next"].startswith("http://localhost/api/guidance?")
    query = parse_qs(urlsplit(body["next"]).query)
    # "on" defaulted to today: the next page asks about the same day even after midnight
    assert query["on"] == [body["on"]] and query["limit"] == ["1"] and query["drug"] == ["alemtuzumab"]
    assert set(query) == {"on", "limit", "drug", "cursor"}


def test_unknown_parameters_are_not_carried_to_the_next_page(client):
    body = check(client.get("/api/timeline?limit=1&_external=1&endpoint=x&cursor="))
    assert set(parse_qs(urlsplit(body["next"]).query)) == {"limit", "cursor"}


@pytest.mark.parametrize("limit", ["0", "-1", "10001", "1.5", "ten", "1e3", " 5", "٣", "99999999999999999999"])
@pytest.mark.parametrize("path", ["/api/guidance?on=2020-02-01", "/api/changes?from=2019-01-01&to=2020-12-31",
                                  "/api/timeline?known="])
def test_bad_limit_is_a_400_naming_limit(client, path, limit):
    body = assert_problem(client.get(f"{path}&limit={limit}"), 400, "limit")
    assert body["parameter"] == "limit"


def test_limit_given_twice_is_a_400(client):
    assert assert_problem(client.get("/api/timeline?limit=1&limit=2"), 400)["parameter"] == "limit"


def _next_cursor(client, path: str) -> str:
    body = check(client.get(path))
    return parse_qs(urlsplit(body["next"]).query)["cursor"][0]


def test_cursor_of_another_question_is_a_400_naming_cursor(client):
    cursor = _next_cursor(client, "/api/guidance?on=2020-02-01&limit=1")
    for other in ("/api/guidance?on=2020-02-02", "/api/guidance?on=2020-02-01&known=2020-01-01",
                  "/api/guidance?on=2020-02-01&jurisdiction=EU", "/api/timeline?known=",
                  "/api/changes?from=2019-01-01&to=2020-12-31"):
        body = assert_problem(client.get(f"{other}&limit=1&cursor={cursor}"), 400, "another question")
        assert body["parameter"] == "cursor"


def test_edited_cursor_is_a_400_naming_cursor(client):
    cursor = _next_cursor(client, "/api/timeline?limit=1")
    for bad in (cursor[:-1], "A" + cursor[1:], cursor.replace(".", "%2E0"), "%00", "a" * 5000):
        body = assert_problem(client.get(f"/api/timeline?limit=1&cursor={bad}"), 400, "cursor")
        assert body["parameter"] == "cursor"


def test_a_smaller_limit_on_a_later_page_continues_the_same_answer(client):
    path, _lists = QUESTIONS["changes"]
    whole = check(client.get(path))["changes"]
    first = check(client.get(f"{path}&limit=3"))
    second = check(client.get(_path(first["next"]).replace("limit=3", "limit=2")))
    assert first["changes"] + second["changes"] == whole[:5]


def test_the_fhir_bundle_is_paged_with_a_link_header(client):
    resp = client.get("/api/guidance?on=2020-02-01&limit=1", headers={"Accept": "application/fhir+json"})
    assert resp.status_code == 200 and resp.mimetype == "application/fhir+json"
    (link,) = resp.headers.getlist("Link")
    assert link.startswith("<http://localhost/api/guidance?") and link.endswith('>; rel="next"')


def test_the_configured_page_limit_is_the_default(graph):
    client = create_app({"TESTING": True, "GUIDANCEKG_BASE": "http://localhost/", "PAGE_LIMIT": 2,
                         "PAGE_MAX_LIMIT": 3}, graph=graph).test_client()
    body = check(client.get("/api/timeline"))
    assert len(body["statements"]) == 2 and "limit" not in parse_qs(urlsplit(body["next"]).query)
    assert assert_problem(client.get("/api/timeline?limit=4"), 400, "from 1 to 3")["parameter"] == "limit"


def test_a_default_page_limit_above_the_maximum_is_refused_at_start():
    with pytest.raises(InputError) as err:
        Settings.from_config({"PAGE_LIMIT": 20, "PAGE_MAX_LIMIT": 10})
    assert err.value.parameter == "PAGE_LIMIT"


@pytest.mark.server
def test_a_real_client_follows_next_on_a_real_server(live_server):
    whole = requests.get(f"{live_server.url}/api/timeline", timeout=30).json()["statements"]
    url: str | None = f"{live_server.url}/api/timeline?limit=3"
    joined = []
    while url is not None:
        resp = requests.get(url, timeout=30)
        assert resp.status_code == 200
        body = check(resp)
        joined.extend(body["statements"])
        url = body.get("next")
        assert resp.links.get("next", {}).get("url") == url
    assert joined == whole
