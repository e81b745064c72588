"""Each request is logged once, and no credential ever reaches the log."""

import logging

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
