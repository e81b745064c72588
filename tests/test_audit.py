"""The record-time audit: versions published in a window, what they changed, and reporting lags."""

import csv
import io
import json
from datetime import date

from guidancekg.cli.main import main
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.views.audit import audit, audit_csv, audit_json, audit_markdown

RESTRICTION = "alemtuzumab-eu-temporary-restriction-2019"


def test_april_2019_reports_the_ms_society_six_day_lag(engine):
    result = audit(engine, date(2019, 4, 1), date(2019, 4, 30))
    lags = {(lag.statement.key, lag.source): lag.days for lag in result.lags}
    assert lags[(RESTRICTION, "ema-lemtrada-press-release-2019-04-12")] == 0
    assert lags[(RESTRICTION, "mssociety-lemtrada")] == 6


def test_versions_in_the_window_with_what_they_added(engine):
    result = audit(engine, date(2019, 4, 1), date(2019, 4, 30))
    by_source = {c.version.source.rsplit("/", 1)[-1]: c for c in result.versions}
    assert set(by_source) == {"ema-lemtrada-press-release-2019-04-12", "mssociety-lemtrada", "nice-ta312"}
    assert RESTRICTION in {s.key for s in by_source["mssociety-lemtrada"].added}
    nice = by_source["nice-ta312"]
    assert nice.previous is not None and nice.previous.key == "2014-05"
    assert {s.key for s in nice.added} == {"alemtuzumab-nice-ta312-note-ema-review-2019"}
    assert nice.withdrawn == ()  # the recommendation was not withdrawn


def test_publication_dated_statements_carry_no_lag(engine):
    result = audit(engine, date(2019, 4, 1), date(2019, 4, 30))
    assert all(lag.statement.valid_from_basis != "publication-date" for lag in result.lags)


def test_jurisdiction_filter(engine):
    result = audit(engine, date(2019, 4, 1), date(2019, 4, 30), Filters(jurisdiction="US"))
    assert result.lags == () and all(not c.added for c in result.versions)


def test_formats_agree(graph):
    result = audit(graph.engine, date(2019, 4, 1), date(2019, 4, 30))
    body = audit_json(result, graph.minter)
    rows = list(csv.DictReader(io.StringIO(audit_csv(result, graph.minter))))
    lag_rows = [r for r in rows if r["section"] == "lag"]
    assert len(lag_rows) == len(body["lags"])
    assert any(r["statement"] == RESTRICTION and r["lag_days"] == "6" for r in lag_rows)
    assert f"| `{RESTRICTION}` | 2019-04-12 | mssociety-lemtrada | 2019-04-18 | 6 |" in audit_markdown(result)


def test_api_audit_by_accept_and_format(client):
    r = client.get("/api/audit?from=2019-04-01&to=2019-04-30")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert any(lag["lag_days"] == 6 for lag in r.get_json()["lags"])
    assert client.get("/api/audit?from=2019-04-01&to=2019-04-30", headers={"Accept": "text/csv"}).mimetype == "text/csv"
    assert client.get("/api/audit?from=2019-04-01&to=2019-04-30", headers={"Accept": "image/png"}).status_code == 406
    md = client.get("/api/audit?from=2019-04-01&to=2019-04-30&format=markdown")
    assert md.mimetype == "text/markdown" and b"Reporting lags" in md.data
    bad = client.get("/api/audit?from=2019-04-31&to=2019-05-01")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "from"


def test_cli_audit_and_report(runner, data_dir, tmp_path, shared_store, monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))
    out = runner.invoke(main, ["audit", "--from", "2019-04-01", "--to", "2019-04-30", "--data", str(data_dir),
                               "--format", "json"])
    assert out.exit_code == 0
    assert any(lag["key"] == RESTRICTION and lag["lag_days"] == 6 for lag in json.loads(out.stdout)["lags"])
    rep = runner.invoke(main, ["report", "--drug", "alemtuzumab", "-o", str(tmp_path), "--data", str(data_dir)])
    assert rep.exit_code == 0
    page = (tmp_path / "report-alemtuzumab.html").read_text(encoding="utf-8")
    md = (tmp_path / "report-alemtuzumab.md").read_text(encoding="utf-8")
    for text in (page, md):
        assert "Timeline: EU" in text and "Timeline: US" in text and "Overrides" in text
        assert "Reporting lags" in text and "These include;" in text  # the seed's empty list, as a note
    assert "http" not in page.split("<body>")[0]  # self-contained: no external stylesheet or script
    assert "<script" not in page and 'src="' not in page


def test_month_precision_note_is_only_possibly_published_in_audit(graph):
    # NICE's April 2019 page is dated to the month: it may have been published after 12 April, or not.
    result = audit(graph.engine, date(2019, 4, 1), date(2019, 4, 12))
    nice = next(c for c in result.versions if c.version.source == "nice-ta312")
    assert nice.possibly and nice.published_in_window == "possibly"
    ema = next(c for c in result.versions if c.version.source == "ema-lemtrada-press-release-2019-04-12")
    assert not ema.possibly
    body = audit_json(result, graph.minter)
    windows = {v["source"].rsplit("/", 1)[-1]: v["published_in_window"] for v in body["versions"]}
    assert windows["nice-ta312"] == "possibly" and windows["ema-lemtrada-press-release-2019-04-12"] == "certainly"
    markdown = audit_markdown(result)
    assert "possibly published in this window: dated 2019-04 only" in markdown
    assert "(published 2019-04," not in markdown and "(published 2019-04)" not in markdown
    whole_month = audit(graph.engine, date(2019, 4, 1), date(2019, 4, 30))
    assert not next(c for c in whole_month.versions if c.version.source == "nice-ta312").possibly


def test_lag_with_year_precision_is_a_range(graph):
    # The MS Society's page of 18 April 2019 says the drug was licensed "in 2014": any day of 2014.
    result = audit(graph.engine, date(2019, 4, 18), date(2019, 4, 18))
    lag = next(lag for lag in result.lags
               if lag.statement.key == "alemtuzumab-eu-licensed-rrms-2014" and lag.source == "mssociety-lemtrada")
    assert (lag.least, lag.most, lag.days, lag.approximate) == (1569, 1933, None, True)
    assert str(lag) == "1569 to 1933"
    row = next(x for x in audit_json(result, graph.minter)["lags"] if x["key"] == lag.statement.key)
    assert (row["lag_days"], row["lag_days_least"], row["lag_days_most"]) == (None, 1569, 1933)
    assert "| 1569 to 1933 (the dates allow this range) |" in audit_markdown(result)
    assert "1933 |" not in audit_markdown(result).replace("1569 to 1933", "")
