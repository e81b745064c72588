"""The data-quality warnings of ``guidancekg validate``: each check triggered by one change to a copy of the data."""

from datetime import date
from pathlib import Path

from guidancekg.cli.main import main
from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.engine.model import Model
from guidancekg.graph.views.quality import quality_warnings

TODAY = date(2026, 11, 30)
DECISION_2020 = "sources/ec-lemtrada-article20-decision-2020/versions/2020-01-16/statements.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def warnings_of(data: Path) -> list:
    return quality_warnings(Engine(Model.of(load_corpus(data))), today=TODAY)


def checks_of(data: Path) -> set[tuple[str, str]]:
    return {(w.check, w.statement) for w in warnings_of(data)}


def test_the_bundled_data_has_no_data_quality_warning(data_dir):
    assert warnings_of(data_dir) == []


def test_a_temporary_measure_effective_for_years_with_nothing_replacing_it_warns(data_copy):
    _edit(data_copy / DECISION_2020, "  - statement: alemtuzumab-eu-continue-if-benefitting-2019\n    kind: replaces\n",
          "")
    assert checks_of(data_copy) == {("temporary-too-long", "alemtuzumab-eu-continue-if-benefitting-2019")}
    [w] = warnings_of(data_copy)
    assert "effective from 2019-04-12 still on 2026-11-30" in str(w)


def test_a_temporary_measure_replaced_within_two_years_does_not_warn(data_dir):
    # The April 2019 measure stood until 2020-01-16: under two years.
    assert not [w for w in warnings_of(data_dir) if w.check == "temporary-too-long"]


def test_a_recommendation_still_effective_after_the_binding_decision_warns(data_copy):
    _edit(data_copy / DECISION_2020, "  - statement: alemtuzumab-eu-prac-recommendation-2019\n    kind: replaces\n", "")
    [w] = warnings_of(data_copy)
    assert (w.check, w.statement) == ("recommendation-beside-decision", "alemtuzumab-eu-prac-recommendation-2019")
    assert "2020-01-16" in w.message and "alemtuzumab-eu-indication-2020" in w.message


def test_a_summary_labelled_verbatim_warns(data_copy):
    path = data_copy / "sources/fda-dsc-lemtrada-2018-11-29/versions/2018-11-29/statements.yaml"
    _edit(path, "wording_confidence: paraphrase", "wording_confidence: verbatim")
    [w] = warnings_of(data_copy)
    assert (w.check, w.statement) == ("verbatim-not-held", "alemtuzumab-us-stroke-warning-2018")
    assert "fda-dsc-lemtrada-2018-11-29/2018-11-29" in w.message


def test_a_reference_quote_labelled_verbatim_warns(data_copy):
    # Quoting the facts file is not quoting the authority's text.
    path = data_copy / "sources/fda-lemtrada-label/versions/2014-11-14/statements.yaml"
    _edit(path, "wording_confidence: paraphrase", "wording_confidence: verbatim")
    assert checks_of(data_copy) == {("verbatim-not-held", "alemtuzumab-us-boxed-warning-2014")}


def test_wording_only_from_a_secondary_source_while_an_authority_records_it_warns(data_copy):
    # NICE (a guidance body) records the MS Society's pregnancy advice without words of its own.
    path = data_copy / "sources/nice-ta312/versions/2019-04/statements.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "\n- asserts: alemtuzumab-pregnancy-wait-4-months\n"
        "  citation: {url: 'https://www.nice.org.uk/guidance/ta312', wording_confidence: unconfirmed}\n"),
        encoding="utf-8")
    [w] = warnings_of(data_copy)
    assert (w.check, w.statement) == ("secondary-wording-only", "alemtuzumab-pregnancy-wait-4-months")
    assert "mssociety-lemtrada" in w.message and "nice-ta312" in w.message


def test_the_ema_defining_the_restriction_in_its_own_words_does_not_warn(data_dir):
    assert not [w for w in warnings_of(data_dir) if w.check == "secondary-wording-only"]


def test_validate_prints_each_warning_for_an_auditor_and_still_succeeds(runner, data_copy):
    _edit(data_copy / DECISION_2020, "  - statement: alemtuzumab-eu-prac-recommendation-2019\n    kind: replaces\n", "")
    result = runner.invoke(main, ["-q", "validate", "--data", str(data_copy)])
    assert result.exit_code == 0
    assert "data-quality warning: alemtuzumab-eu-prac-recommendation-2019: a recommendation still effective" in (
        result.stderr)


def test_validate_on_the_bundled_data_prints_no_warning(runner, data_dir):
    result = runner.invoke(main, ["-q", "validate", "--data", str(data_dir)])
    assert result.exit_code == 0 and "warning" not in result.stderr
