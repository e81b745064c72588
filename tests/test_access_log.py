"""Each request is logged once, and no credential ever reaches the log."""

import logging
import re
import time

import pytest
import requests

from guidancekg.api.access_log import redacted_query


def test_secret_parameters_are_masked():
    assert redacted_query("on=2019-04-12&token=abc123") == "on=2019-04-12&token=%2A%2A%2A"
    assert "s3cret" not in redacted_query("api_key=s3cret&Password=s3cret")


def test_each_request_is_logged_without_the_authorization_header(client, caplog):
    with caplog.at_level(logging.INFO, logger="guidancekg.access"):
        client.get("/api/guidance?on=2019-04-12&topic=indication", headers={"Authorization": "Bearer hunter2"})
        client.get("/api/guidance?on=2019-02-30")
    lines = [r.getMessage() for r in caplog.records if r.name == "guidancekg.access"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /api/guidance?on=2019-04-12&topic=indication 200")
    assert " 400 " in lines[1]
    assert all("hunter2" not in line for line in lines)


def test_control_characters_are_escaped():
    from guidancekg.api.access_log import escape_controls

    assert escape_controls("/a\nb\r\x00\x7f\u2028") == "/a\\x0ab\\x0d\\x00\\x7f\\u2028"
    assert escape_controls("/id/statement/é") == "/id/statement/é"


@pytest.mark.server
def test_a_percent_0a_in_a_path_writes_no_forged_log_line(live_server):
    """Issue 14, finding 5: ``%0a`` in a request path used to start a line of its own in the access log."""
    forged = "GET /api/sources 200 1 0.1ms FORGED"
    resp = requests.get(f"{live_server.url}/api/guidance%0a{forged.replace(' ', '%20')}", timeout=30)
    assert resp.status_code == 404
    requests.get(f"{live_server.url}/api/sources?x=%0d%0aFORGED", timeout=30)
    time.sleep(0.3)
    logged = [line for line in live_server.log.read_text(errors="replace").splitlines() if "FORGED" in line]
    # Each line that mentions the forgery is the server's own line about the request that carried it.
    assert len(logged) == 2
    assert all(re.match(r"\d{4}-\d\d-\d\d \S+ guidancekg\.access GET /api/", line) for line in logged), logged
    assert "/api/guidance\\x0aGET" in logged[0]
