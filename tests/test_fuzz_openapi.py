"""Requests generated from the OpenAPI description, against the real server: no 5xx, every response conforms."""

from benchmarks.fuzz import fuzz


def test_generated_requests_get_no_5xx_and_conforming_responses(live_server):
    report = fuzz(live_server.url, examples=5)
    assert report.requests > 100
    assert report.server_errors == 0, report.failures
    assert report.nonconforming == 0, report.failures
