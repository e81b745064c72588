"""The bundled data says what its facts files say: what ended has ended, each record in its own words, honest labels.

Each test is named after a defect the data had; the engine answers on the bundled data are what is checked.
"""

import json
from datetime import date

from guidancekg.cli.main import main
from guidancekg.graph.engine.answers import Filters

RESTRICTION = "alemtuzumab-eu-temporary-restriction-2019"
CONTINUE = "alemtuzumab-eu-continue-if-benefitting-2019"
EU_2020 = "alemtuzumab-eu-indication-2020"
PRAC = "alemtuzumab-eu-prac-recommendation-2019"
CHMP_INFUSION = "alemtuzumab-eu-infusion-hospital-intensive-care-2019"
EMA_ACTION = "alemtuzumab-ema-restriction-action-2019-04-12"


def keys(entries):
    return {e.statement.key for e in entries}


def records_of(engine, key):
    return {r.version_id: r for r in engine.model.records[key]}


# -- end what ended -----------------------------------------------------------------------------------------

def test_both_parts_of_the_april_2019_temporary_measure_end_on_2020_01_16(engine):
    before = engine.guidance(date(2020, 1, 15), filters=Filters(jurisdiction="EU"))
    assert {RESTRICTION, CONTINUE} <= keys(before.effective)
    after = engine.guidance(date(2020, 1, 16), filters=Filters(jurisdiction="EU"))
    assert not {RESTRICTION, CONTINUE} & keys(after.effective)
    over = {e.statement.key: e.overridden_by for e in after.overridden}
    assert over[RESTRICTION] == (EU_2020,) and over[CONTINUE] == (EU_2020,)


def test_may_continue_if_benefitting_is_not_effective_on_2024_01_01(engine):
    assert CONTINUE not in keys(engine.guidance(date(2024, 1, 1)).effective)


def test_prac_recommendation_is_not_effective_beside_the_binding_2020_decision(engine):
    g = engine.guidance(date(2020, 1, 16), filters=Filters(jurisdiction="EU"))
    assert EU_2020 in keys(g.effective)
    assert not {PRAC, CHMP_INFUSION, EMA_ACTION} & keys(g.effective)
    assert {PRAC, CHMP_INFUSION, EMA_ACTION} <= keys(g.overridden)
    day_before = engine.guidance(date(2020, 1, 15), filters=Filters(jurisdiction="EU"))
    assert {PRAC, CHMP_INFUSION} <= keys(day_before.effective)


def test_uk_may_2019_new_patients_restriction_is_not_effective_on_2024_01_01(engine):
    mhra_2019 = "mhra-dsu-lemtrada-2019-05/2019-05"
    effective = engine.guidance(date(2024, 1, 1)).effective
    assert not [e for e in effective if mhra_2019 in records_of(engine, e.statement.key)
                and e.statement.topic == "indication"]
    assert "alemtuzumab-uk-restriction-new-patients-2019" not in engine.model.statements


def test_mhra_2019_and_2020_updates_report_the_eu_statements_they_communicate(engine):
    assert "mhra-dsu-lemtrada-2019-05/2019-05" in records_of(engine, RESTRICTION)
    assert "mhra-dsu-lemtrada-2020-02/2020-02" in records_of(engine, EU_2020)


def test_the_eu_restriction_is_defined_by_the_ema_and_reported_by_the_ms_society_and_the_mhra(engine):
    records = records_of(engine, RESTRICTION)
    assert set(records) == {"ema-lemtrada-press-release-2019-04-12/2019-04-12", "mssociety-lemtrada/2019-04-18",
                            "mhra-dsu-lemtrada-2019-05/2019-05"}
    assert [v for v, r in records.items() if r.defines] == ["ema-lemtrada-press-release-2019-04-12/2019-04-12"]
    dates = {engine.model.versions[v].published.isoformat() for v in records}
    assert dates == {"2019-04-12", "2019-04-18", "2019-05"}  # three record dates, so three lags
    assert engine.model.statements[RESTRICTION].jurisdiction == "EU"


def test_ms_society_own_advice_is_tagged_uk_not_eu(engine):
    page = [k for k, recs in engine.model.records.items()
            if any(r.source == "mssociety-lemtrada" and r.defines for r in recs)]
    eu = {k for k in page if engine.model.statements[k].jurisdiction == "EU"}
    # Only its reports of the EU licence and of the EMA's action are the EU's.
    assert eu == {"alemtuzumab-eu-licensed-rrms-2014", EMA_ACTION}
    for key in ("alemtuzumab-pregnancy-wait-4-months", "alemtuzumab-monthly-blood-tests-four-years",
                "alemtuzumab-infusion-reactions-common", "alemtuzumab-secondary-autoimmunity"):
        assert engine.model.statements[key].jurisdiction == "UK"


def test_at_2024_01_01_shows_no_temporary_measure_and_no_recommendation_effective(engine, runner, data_dir,
                                                                                  shared_store, monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))
    result = runner.invoke(main, ["-q", "at", "2024-01-01", "--data", str(data_dir), "--drug", "alemtuzumab",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = {s["id"].rsplit("/", 1)[1] for s in json.loads(result.output)["statements"]}
    assert shown and EU_2020 in shown
    for key in shown:
        statement = engine.model.statements[key]
        assert not statement.temporary, key
        assert statement.legal_effect != "recommendation", key


# -- confidences --------------------------------------------------------------------------------------------

def test_summaries_are_not_labelled_verbatim(engine):
    summaries = {
        "alemtuzumab-us-boxed-warning-2014": "fda-lemtrada-label/2014-11-14",
        "alemtuzumab-us-stroke-warning-2018": "fda-dsc-lemtrada-2018-11-29/2018-11-29",
        PRAC: "ema-lemtrada-article20-referral/2019-11-14",  # the PRAC step as re-asserted by the CHMP
        "alemtuzumab-nice-ta312-note-ema-review-2019": "nice-ta312/2019-04",
        RESTRICTION: "mhra-dsu-lemtrada-2019-05/2019-05",
        "alemtuzumab-uk-infusion-vital-signs-monitoring-2019": "mhra-dsu-lemtrada-2019-05/2019-05",
        "alemtuzumab-uk-liver-tests-2019": "mhra-dsu-lemtrada-2019-05/2019-05",
    }
    for key, version in summaries.items():
        assert records_of(engine, key)[version].wording_confidence != "verbatim", (key, version)


def test_every_record_labelled_verbatim_quotes_its_own_held_text(engine):
    for records in engine.model.records.values():
        for r in records:
            if r.wording_confidence == "verbatim":
                assert r.quote is not None and r.reference is None, r
            if r.wording is None:
                assert r.wording_confidence == "unconfirmed", r  # a record with no words of its own


def test_fda_2014_approval_date_is_labelled_a_paraphrase(engine):
    record = records_of(engine, "alemtuzumab-us-indication-2014")["fda-lemtrada-label/2014-11-14"]
    assert record.wording_confidence == "verbatim" and record.date_confidence == "paraphrase"


# -- daclizumab (Zinbryta): citations only, and an indication that ends for good ----------------------------


def test_daclizumab_at_2018_06_01_shows_no_indication_in_force_in_the_eu_or_the_us_and_the_withdrawal_advice(
        runner, data_dir, shared_store, monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))
    result = runner.invoke(main, ["-q", "at", "2018-06-01", "--data", str(data_dir), "--drug", "daclizumab",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    effective = {s["id"].rsplit("/", 1)[1]: s for s in body["statements"]}
    assert not [k for k, s in effective.items() if s["topic"].endswith("indication")]
    assert {"daclizumab-eu-do-not-start-2018", "daclizumab-eu-move-treated-patients-2018",
            "daclizumab-eu-do-not-stop-without-doctor-2018", "daclizumab-us-no-new-patients-2018",
            "daclizumab-us-do-not-stop-without-doctor-2018"} <= set(effective)
    overridden = {s["id"].rsplit("/", 1)[1] for s in body["overridden"]}
    assert {"daclizumab-eu-indication-2016", "daclizumab-us-indication-2016"} <= overridden


def test_daclizumab_old_indication_never_comes_back(engine):
    for year in range(2018, 2031):
        for jurisdiction in ("EU", "US"):
            g = engine.guidance(date(year, 12, 31), filters=Filters(drug="daclizumab", jurisdiction=jurisdiction,
                                                                     topic="indication"))
            assert g.effective == (), (year, jurisdiction)


def test_daclizumab_provisional_then_further_restriction_then_suspension(engine):
    eu = Filters(drug="daclizumab", jurisdiction="EU", topic="indication")
    assert keys(engine.guidance(date(2017, 1, 1), filters=eu).effective) == {"daclizumab-eu-indication-2016"}
    provisional = engine.guidance(date(2017, 8, 1), filters=eu)
    assert keys(provisional.effective) == {"daclizumab-eu-provisional-restriction-2017"}
    assert keys(provisional.overridden) == {"daclizumab-eu-indication-2016"}
    # The PRAC's recommendation is shown beside the provisional measure: no decision replacing it is confirmed.
    further = engine.guidance(date(2017, 11, 1), filters=eu)
    assert keys(further.effective) == {"daclizumab-eu-provisional-restriction-2017",
                                       "daclizumab-eu-further-restriction-2017"}
    assert engine.model.statements["daclizumab-eu-further-restriction-2017"].legal_effect == "recommendation"
    suspended = engine.guidance(date(2018, 3, 7), filters=Filters(drug="daclizumab", jurisdiction="EU"))
    assert "daclizumab-eu-suspension-2018" in keys(suspended.effective)
    assert not [e for e in suspended.effective if e.statement.temporary]


def test_daclizumab_is_cited_only_never_quoted_from_a_held_text(engine):
    keys_ = [k for k, s in engine.model.statements.items() if s.drug == "daclizumab"]
    assert len(keys_) >= 15
    for key in keys_:
        for r in engine.model.records[key]:
            assert engine.model.versions[r.version_id].sha256 is None  # no held text
            assert r.reference == "daclizumab-regulatory-timeline" and r.wording_confidence == "paraphrase"


def test_the_us_reserved_daclizumab_from_approval_and_the_eu_only_after_its_2017_review(engine):
    reserved = {k: s for k, s in engine.model.statements.items() if s.drug == "daclizumab" and s.reserved}
    assert {k for k, s in reserved.items() if s.jurisdiction == "US"} == {"daclizumab-us-indication-2016"}
    assert min(s.valid_from for s in reserved.values() if s.jurisdiction == "EU").isoformat() == "2017-07-07"
