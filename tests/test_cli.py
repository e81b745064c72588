"""The guidancekg command as a new user meets it: answers, JSON, help, and clear errors."""

import json
import re

import pytest

from guidancekg.cli.main import main
from guidancekg.graph.rdf.iris import DEFAULT_BASE


@pytest.fixture(autouse=True)
def _reuse_one_store(shared_store, monkeypatch):
    """Build the bundled data once per session; every command reopens that on-disk store."""
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))


def invoke(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_at_2019_04_11_shows_the_licensing_and_no_restriction(runner, data_dir):
    result = invoke(runner, "at", "2019-04-11", "--data", str(data_dir), "--drug", "alemtuzumab")
    assert result.exit_code == 0
    effective, overridden = result.output.split("Overridden")
    assert "alemtuzumab-eu-licensed-rrms-2014" in effective
    assert "temporary-restriction" not in result.output
    # Only the FDA's 2014 boxed warning is overridden by then (replaced in 2018); nothing in the EU.
    assert "malignancies [fda-lemtrada-label 2014-11-14" in overridden and "(wording " in overridden
    assert " EU " not in overridden


def test_at_2019_04_12_shows_the_restriction_and_the_licensing_overridden(runner, data_dir):
    result = invoke(runner, "at", "2019-04-12", "--data", str(data_dir))
    effective, overridden = result.output.split("Overridden")
    assert "alemtuzumab-eu-temporary-restriction-2019" in effective
    assert "alemtuzumab-eu-licensed-rrms-2014" in overridden
    assert "alemtuzumab-eu-temporary-restriction-2019" in overridden  # as the overrider


def test_at_before_2014_and_known_before_the_page(runner, data_dir):
    early = invoke(runner, "at", "2013-06-01", "--data", str(data_dir), "--format", "json")
    assert json.loads(early.output)["statements"] == []
    known = invoke(runner, "at", "2019-05-01", "--known", "2019-04-17", "--data", str(data_dir),
                   "--format", "json")
    body = json.loads(known.output)
    assert all(src["source"].rsplit("/", 1)[-1] != "mssociety-lemtrada"
               for s in body["statements"] + body["overridden"] for src in s["sources"])


def test_changes_in_2019_list_the_12_april_change_with_its_reason(runner, data_dir):
    result = invoke(runner, "changes", "2019-01-01", "2019-12-31", "--data", str(data_dir))
    lines = [line for line in result.output.splitlines() if line.strip().startswith("2019-04-12")]
    assert any("started" in line and "came-into-force" in line for line in lines)
    assert any("stopped" in line and "overridden" in line for line in lines)


def test_json_formats_are_the_api_objects(runner, data_dir):
    body = json.loads(invoke(runner, "at", "2019-04-12", "--data", str(data_dir), "--format", "json").output)
    assert set(body) >= {"on", "known", "drug", "jurisdiction", "statements", "overridden"}
    statement = body["statements"][0]
    assert set(statement) >= {"id", "drug", "topic", "jurisdiction", "text", "valid_from", "valid_until",
                              "precision", "status", "temporary", "overrides", "sources"}
    timeline = json.loads(invoke(runner, "timeline", "--data", str(data_dir), "--format", "json").output)
    assert all("effective" in s and "overridden" in s for s in timeline["statements"])


@pytest.mark.parametrize("bad", ["2019-02-30", "yesterday", "2019-04"])
def test_bad_date_names_the_date_without_traceback(runner, data_dir, bad):
    result = runner.invoke(main, ["at", bad, "--data", str(data_dir)])
    assert result.exit_code != 0
    assert bad in result.output and "Traceback" not in result.output


def test_unknown_topic_is_an_error(runner, data_dir):
    result = runner.invoke(main, ["at", "2019-04-12", "--topic", "dosage", "--data", str(data_dir)])
    assert result.exit_code != 0 and "unknown topic 'dosage'" in result.output


def test_validate_passes_on_the_data(runner, data_dir):
    result = invoke(runner, "validate", "--data", str(data_dir))
    assert result.exit_code == 0 and "valid" in result.output


def test_validate_fails_on_a_quote_altered_by_one_character(runner, data_copy, store_root, data_dir):
    built = invoke(runner, "build", "--data", str(data_copy), "--store", str(store_root))
    assert built.exit_code == 0
    current = (store_root / "current").resolve()
    path = data_copy / "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("compared to placebo", "compared to placebO"),
                    encoding="utf-8")
    result = runner.invoke(main, ["validate", "--data", str(data_copy)])
    assert result.exit_code != 0
    assert "alemtuzumab-relapse-rate-reduction-70pc" in result.output and "placebO" in result.output
    rebuilt = runner.invoke(main, ["build", "--data", str(data_copy), "--store", str(store_root)])
    assert rebuilt.exit_code != 0
    assert (store_root / "current").resolve() == current


def test_query_and_export(runner, data_dir, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("SELECT (COUNT(DISTINCT ?s) AS ?n) "
                 "WHERE { GRAPH ?g { ?s a <https://w3id.org/guidancekg/ns#Statement> } }")
    result = invoke(runner, "query", str(q), "--data", str(data_dir), "--format", "json")
    assert int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"]) >= 22
    out = tmp_path / "g.nq"
    invoke(runner, "export", "--format", "nquads", "-o", str(out), "--data", str(data_dir))
    assert out.read_text(encoding="utf-8").count("\n") > 500
    for fmt in ("trig", "turtle", "jsonld"):
        assert invoke(runner, "export", "--format", fmt, "--data", str(data_dir)).exit_code == 0


def test_query_counts_each_triple_once_in_the_union(runner, data_dir, tmp_path):
    # Regression: Oxigraph's own union default graph counts a triple once per graph that holds it.
    q = tmp_path / "q.rq"
    q.write_text(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{DEFAULT_BASE}id/statement/"
                 "alemtuzumab-eu-temporary-restriction-2019> a ?type }")
    result = invoke(runner, "query", str(q), "--data", str(data_dir), "--format", "csv")
    assert result.stdout.splitlines()[1].strip() == "1"


def test_query_refuses_updates_and_service(runner, data_dir, tmp_path):
    for text in ("INSERT DATA { <urn:a> <urn:b> 1 }", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        q = tmp_path / "bad.rq"
        q.write_text(text)
        result = runner.invoke(main, ["query", str(q), "--data", str(data_dir)])
        assert result.exit_code != 0 and "Traceback" not in result.output


def test_query_table_for_people(runner, data_dir):
    library_query = data_dir.parent / "graph" / "sparql" / "queries" / "guidance-on-date.rq"
    result = invoke(runner, "query", str(library_query), "--data", str(data_dir))
    assert "alemtuzumab-eu-temporary-restriction-2019" in result.stdout


def test_every_command_has_real_help(runner):
    for command in ("build", "at", "changes", "timeline", "validate", "query", "export", "serve"):
        result = invoke(runner, command, "--help")
        assert result.exit_code == 0 and "--data" in result.output
        assert len(result.output.splitlines()) > 5


# -- issue 17: the daily tools ---------------------------------------------------------------------------------

def test_unknown_drug_lists_the_known_drugs(runner, data_dir):
    """Friction: "unknown drug: 'aspirin'" did not list the known drugs (the jurisdiction and topic errors did)."""
    result = runner.invoke(main, ["at", "2019-04-12", "--drug", "aspirin", "--data", str(data_dir)])
    assert result.exit_code != 0
    assert "unknown drug: 'aspirin'; known: alemtuzumab" in result.output


def test_remote_store_options_are_one_help_section(runner):
    """Friction: eight remote-store options dominated every subcommand's --help."""
    for name in main.commands:
        text = invoke(runner, name, "--help").output
        assert "--quiet" in text, name  # and --quiet is everywhere
        if "--store-url" not in text:
            continue
        own, _, rest = text.partition("Data and store:")
        store, _, remote = rest.partition("Remote store (with --store-kind remote):")
        def declares(section: str, option: str) -> bool:
            return re.search(rf"^  {option} ", section, re.MULTILINE) is not None

        for option in ("--store-url", "--store-update-url", "--store-user", "--store-auth"):
            assert declares(remote, option) and not declares(own, option) and not declares(store, option)
        for option in ("--data", "--store"):
            assert declares(store, option) and not declares(own, option), (name, option)


def test_commands_are_listed_by_section_in_the_readme_order(runner):
    text = invoke(runner, "--help").output
    sections = [line[:-1] for line in text.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert sections[-5:] == ["Build and check", "Ask", "Audit", "Serve", "Add data"]
    assert text.index("  build ") < text.index("  at ") < text.index("  audit ") < text.index("  serve ")


def test_changes_prints_no_invented_day(runner, data_dir):
    # NICE's 2014 recommendation came into force in May 2014, a month: no first-of-May in any output.
    body = json.loads(invoke(runner, "changes", "2014-01-01", "2014-12-31", "--jurisdiction", "UK", "--data",
                             str(data_dir), "--format", "json").output)
    nice = [c for c in body["changes"] if c["statement"]["key"] == "alemtuzumab-nice-ta312-recommendation-2014"]
    assert [(c["date"], c["precision"], c["period_start"]) for c in nice] == [("2014-05", "month", "2014-05-01")]
    assert all("day" not in c for c in body["changes"])
    table = invoke(runner, "changes", "2014-01-01", "2014-12-31", "--jurisdiction", "UK", "--data", str(data_dir))
    assert "2014-05-01" not in table.output and re.search(r"^\s*2014-05\s", table.output, re.MULTILINE)


def test_at_in_the_uk_shows_the_eu_restriction_applying_through_the_eu(runner, data_dir, monkeypatch):
    monkeypatch.setenv("COLUMNS", "150")
    body = json.loads(invoke(runner, "at", "2019-04-15", "--jurisdiction", "UK", "--known", "2019-04-15",
                             "--data", str(data_dir), "--format", "json").output)
    restriction = next(s for s in body["statements"] if s["key"] == "alemtuzumab-eu-temporary-restriction-2019")
    applies = restriction["applies_in"]
    assert (applies["jurisdiction"], applies["because"], applies["via"]) == ("UK", "reach", "EU")
    assert applies["relation"].endswith("/id/reach/eu-decisions-in-the-uk")
    assert [r["source"].rsplit("/", 1)[-1] for r in restriction["sources"]] == ["ema-lemtrada-press-release-2019-04-12"]
    assert restriction["text"] == restriction["sources"][0]["wording"]
    assert all({"wording_confidence", "date_confidence"} <= set(r) for r in restriction["sources"])
    table = invoke(runner, "at", "2019-04-15", "--jurisdiction", "UK", "--known", "2019-04-15", "--data",
                   str(data_dir)).output
    lines = table.split("Overridden")[0].splitlines()
    n = next(n for n, line in enumerate(lines) if "alemtuzumab-eu-temporary-restriction-2019" in line)
    assert " UK via " in lines[n] and lines[n + 1].split()[0] == "EU"  # the column wraps "UK via EU"
    assert "TWO other" not in table and "(wording verbatim, date verbatim)" in table


# -- pages (--limit, --cursor) --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["at", "2020-02-01"], ["changes", "2010-01-01", "2025-12-31"], ["timeline"]])
def test_pages_of_the_cli_end_to_end_are_the_whole_answer(runner, data_dir, command):
    lists = ("statements", "overridden") if command[0] == "at" else ("changes",) if command[0] == "changes" \
        else ("statements",)
    whole = json.loads(invoke(runner, *command, "--data", str(data_dir), "--format", "json").output)
    assert "next_cursor" not in whole
    joined: dict[str, list] = {name: [] for name in lists}
    cursor: list[str] = []
    while True:
        body = json.loads(invoke(runner, *command, "--data", str(data_dir), "--format", "json", "--limit", "2",
                                 *cursor).output)
        assert sum(len(body[name]) for name in lists) <= 2
        for name in lists:
            joined[name].extend(body[name])
        if "next_cursor" not in body:
            break
        cursor = ["--cursor", body["next_cursor"]]
    assert joined == {name: whole[name] for name in lists}


def test_a_table_page_says_how_to_ask_for_the_next(runner, data_dir):
    result = invoke(runner, "timeline", "--data", str(data_dir), "--limit", "1")
    last = result.output.splitlines()[-1]
    assert last.startswith("More on the next page: the same command with --cursor ")
    again = invoke(runner, "timeline", "--data", str(data_dir), "--limit", "1", "--cursor", last.rsplit(" ", 1)[1])
    assert again.exit_code == 0 and again.output != result.output


def test_a_cursor_of_another_question_is_an_error_naming_cursor(runner, data_dir):
    body = json.loads(invoke(runner, "timeline", "--data", str(data_dir), "--format", "json", "--limit", "1").output)
    result = runner.invoke(main, ["timeline", "--data", str(data_dir), "--topic", "indication", "--cursor",
                                  body["next_cursor"]])
    assert result.exit_code != 0 and "cursor: belongs to another question" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_a_bad_limit_is_an_error_naming_limit(runner, data_dir, limit):
    result = runner.invoke(main, ["at", "2020-02-01", "--data", str(data_dir), "--limit", limit])
    assert result.exit_code == 2 and "--limit" in result.output
