"""A corpus of hostile SPARQL against the real server: each refused or stopped, the server answering throughout."""

from benchmarks.hostile import Listener, run


def test_every_hostile_query_is_refused_or_stopped(short_timeout_server):
    listener = Listener()
    try:
        report = run(short_timeout_server.url, listener)
    finally:
        listener.close()
    assert len(report.results) > 60
    assert report.unexpected == []
    assert all(r["problem"] for r in report.results if r["outcome"] != "answered")
    assert report.outbound_connections == 0
    assert report.probes > 5 and report.probe_failures == 0
    assert report.probe_max_ms < 1000
