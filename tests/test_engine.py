"""The engine on the bundled data: the key dates of every jurisdiction and each regulatory step."""

from datetime import date

import pytest

from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.graph.opened import GuidanceGraph

LICENSING = "alemtuzumab-eu-licensed-rrms-2014"
EU_2013 = "alemtuzumab-eu-indication-2013"
RESTRICTION = "alemtuzumab-eu-temporary-restriction-2019"
EU_2020 = "alemtuzumab-eu-indication-2020"
US_2014 = "alemtuzumab-us-indication-2014"
NICE = "alemtuzumab-nice-ta312-recommendation-2014"


def keys(entries):
    return {e.statement.key for e in entries}


def test_licensing_effective_the_day_before_the_restriction(engine):
    g = engine.guidance(date(2019, 4, 11), filters=Filters(drug="alemtuzumab", topic="indication", jurisdiction="EU"))
    assert keys(g.effective) == {LICENSING, EU_2013}
    assert g.overridden == ()


def test_restriction_overrides_the_licensing_from_12_april_2019(engine):
    g = engine.guidance(date(2019, 4, 12), filters=Filters(drug="alemtuzumab", jurisdiction="EU", topic="indication"))
    assert keys(g.effective) == {RESTRICTION}
    over = {e.statement.key: e.overridden_by for e in g.overridden}
    assert set(over) == {LICENSING, EU_2013}
    assert all(by == (RESTRICTION,) for by in over.values())


def test_nothing_from_the_page_before_2014(engine):
    g = engine.guidance(date(2013, 6, 1))
    assert keys(g.effective) == set() and keys(g.overridden) == set()


def test_nothing_from_the_page_as_known_the_day_before_it_was_published(engine):
    g = engine.guidance(date(2019, 5, 1), known=date(2019, 4, 17))
    sources = {v.source.key for e in (*g.effective, *g.overridden) for v in e.records}
    assert "mssociety-lemtrada" not in sources
    assert LICENSING not in keys(g.effective) | keys(g.overridden)


def test_imprecise_start_is_uncertain_inside_its_year(engine):
    g = engine.guidance(date(2014, 3, 1), filters=Filters(jurisdiction="EU", topic="indication"))
    status = {e.statement.key: e.status for e in g.effective}
    assert status == {EU_2013: "in-force", LICENSING: "uncertain"}
    later = engine.guidance(date(2015, 3, 1), filters=Filters(jurisdiction="EU", topic="indication"))
    assert {e.status for e in later.effective} == {"in-force"}


def test_us_on_2015_01_01_reserves_the_drug_after_two_or_more_drugs(engine):
    g = engine.guidance(date(2015, 1, 1), filters=Filters(jurisdiction="US", topic="indication"))
    assert keys(g.effective) == {US_2014}
    assert "two or more drugs" in (next(iter(g.effective)).text or "")


def test_eu_on_2015_01_01_has_the_original_indication_and_no_restriction(engine):
    g = engine.guidance(date(2015, 1, 1), filters=Filters(jurisdiction="EU"))
    assert EU_2013 in keys(g.effective)
    assert RESTRICTION not in keys(g.effective) | keys(g.overridden)


def test_eu_on_2020_02_01_final_indication_overrides_original_and_temporary(engine):
    g = engine.guidance(date(2020, 2, 1), filters=Filters(drug="alemtuzumab", jurisdiction="EU", topic="indication"))
    assert keys(g.effective) == {EU_2020}
    assert {EU_2013, RESTRICTION, LICENSING} <= keys(g.overridden)
    # The original never comes back although the temporary measure ended.
    assert all(e.overridden_by == (EU_2020,) for e in g.overridden)


def test_nice_recommendation_is_not_withdrawn_in_2019(engine):
    g = engine.guidance(date(2019, 6, 1), filters=Filters(jurisdiction="UK"))
    assert NICE in keys(g.effective)
    nice = next(e for e in g.effective if e.statement.key == NICE)
    assert [v.version.key for v in nice.records] == ["2014-05", "2019-04"]  # the authority's quote first


def test_uk_includes_england_and_wales(engine):
    assert NICE in keys(engine.guidance(date(2015, 1, 1), filters=Filters(jurisdiction="UK")).effective)
    assert NICE in keys(engine.guidance(date(2015, 1, 1), filters=Filters(jurisdiction="UK-ENW")).effective)
    assert NICE not in keys(engine.guidance(date(2015, 1, 1), filters=Filters(jurisdiction="EU")).effective)


def test_nice_month_precision_is_recorded_after_its_month(engine):
    may = engine.guidance(date(2014, 6, 15), known=date(2014, 5, 31), filters=Filters(jurisdiction="UK-ENW"))
    june = engine.guidance(date(2014, 6, 15), known=date(2014, 6, 1), filters=Filters(jurisdiction="UK-ENW"))
    assert NICE not in keys(may.effective) and NICE in keys(june.effective)


def test_as_known_at_across_sources(engine):
    f = Filters(jurisdiction="EU", topic="indication")
    early = engine.guidance(date(2019, 4, 15), known=date(2019, 4, 15), filters=f)
    late = engine.guidance(date(2019, 4, 15), known=date(2019, 4, 18), filters=f)
    sources = lambda g: {v.source.key for e in g.effective for v in e.records}  # noqa: E731
    assert keys(early.effective) == keys(late.effective) == {RESTRICTION}
    assert sources(early) == {"ema-lemtrada-press-release-2019-04-12"}
    assert sources(late) == {"ema-lemtrada-press-release-2019-04-12", "mssociety-lemtrada"}


def test_cross_source_identity_is_one_statement_with_three_records(engine):
    records = engine.model.records[RESTRICTION]
    assert {engine.model.versions[r.version_id].published.isoformat() for r in records} == {"2019-04-12",
                                                                                           "2019-04-18", "2019-05"}


def test_changes_in_2019_list_the_12_april_change_with_its_reason(engine):
    changes = engine.changes(date(2019, 1, 1), date(2019, 12, 31))
    on_12 = {(c.entry.statement.key, c.change, c.reason) for c in changes if str(c.date) == "2019-04-12"}
    assert (RESTRICTION, "started", "came-into-force") in on_12
    assert (LICENSING, "stopped", "overridden") in on_12
    stopped = next(c for c in changes if c.entry.statement.key == LICENSING)
    assert stopped.by == RESTRICTION


def test_eu_changes_2019_to_2020_list_both_steps(engine):
    changes = engine.changes(date(2019, 1, 1), date(2020, 12, 31), filters=Filters(jurisdiction="EU"))
    dates = {str(c.date) for c in changes if c.entry.statement.topic == "indication"}
    assert {"2019-04-12", "2020-01-16"} <= dates
    final = [c for c in changes if str(c.date) == "2020-01-16" and c.change == "stopped"]
    assert {c.entry.statement.key for c in final} >= {RESTRICTION}
    assert all(c.reason == "overridden" for c in final)


def test_timeline_of_the_licensing(engine):
    entry = next(t for t in engine.timeline(filters=Filters(topic="indication")) if t.entry.statement.key == LICENSING)
    assert [(str(p.start), str(p.end) if p.end else None) for p in entry.effective] == [("2014", "2019-04-12")]
    first = next(iter(entry.overridden))
    assert (str(first.start), str(first.end)) == ("2019-04-12", "2020-01-16")


def test_timeline_lists_each_period_once_with_two_overriders_on_one_day(engine):
    """From 7 March 2018 both the EMA's do-not-start advice (from 2 March) and its suspension override daclizumab's
    EU authorisation: the advice's period is one, not cut in two where the suspension joins it."""
    timeline = engine.timeline(filters=Filters(drug="daclizumab"))
    entry = next(t for t in timeline if t.entry.statement.key == "daclizumab-eu-indication-2016")
    assert [(str(p.start), str(p.end) if p.end else None, p.by) for p in entry.overridden] == [
        ("2017-07-07", "2018-03-02", "daclizumab-eu-provisional-restriction-2017"),
        ("2018-03-02", None, "daclizumab-eu-do-not-start-2018"),
        ("2018-03-07", None, "daclizumab-eu-suspension-2018"),
    ]
    for t in timeline:
        periods = [(p.start, p.end, p.by) for p in t.overridden]
        assert len(periods) == len(set(periods)), t.entry.statement.key
        for by in {p.by for p in t.overridden}:  # an overrider's periods never touch: a touching pair is one
            mine = [p for p in t.overridden if p.by == by]
            assert not any(a.end is not None and a.end == b.start for a in mine for b in mine), by


@pytest.mark.parametrize(("filters", "error"), [
    (Filters(drug="aspirin"), NotFound),
    (Filters(topic="dosage"), InputError),
    (Filters(jurisdiction="FR"), InputError),
])
def test_unknown_filters_are_refused(engine, filters, error):
    with pytest.raises(error):
        engine.guidance(date(2019, 1, 1), filters=filters)


def test_seed_alone_answers_issue_two(seed_only):
    engine = GuidanceGraph.open(seed_only, kind="memory").engine
    before = engine.guidance(date(2019, 4, 11))
    assert keys(before.effective) == {LICENSING} and before.overridden == ()
    after = engine.guidance(date(2019, 4, 12))
    assert RESTRICTION in keys(after.effective) and keys(after.overridden) == {LICENSING}


# -- steps known only from the project's reference timeline (cited documents, quoted reference) -------------

PRAC = "alemtuzumab-eu-prac-recommendation-2019"
US_BOXED_2014, US_BOXED_2018 = "alemtuzumab-us-boxed-warning-2014", "alemtuzumab-us-boxed-warning-2018"


def test_eu_changes_of_2019_include_the_prac_recommendation_and_chmp_endorsement(engine):
    changes = engine.changes(date(2019, 1, 1), date(2019, 12, 31), filters=Filters(jurisdiction="EU"))
    assert (PRAC, "started", "came-into-force") in {(c.entry.statement.key, c.change, c.reason)
                                                    for c in changes if str(c.date) == "2019-10-31"}
    versions = {r.version for r in engine.model.records[PRAC]}
    assert versions == {"2019-10-31", "2019-11-14"}  # the CHMP opinion asserts it again


def test_prac_recommendation_is_known_from_its_own_date_not_the_reference(engine):
    f = Filters(jurisdiction="EU", topic="regulatory-action")
    assert PRAC not in keys(engine.guidance(date(2019, 11, 1), known=date(2019, 10, 30), filters=f).effective)
    assert PRAC in keys(engine.guidance(date(2019, 11, 1), known=date(2019, 10, 31), filters=f).effective)


def test_us_boxed_warning_of_2014_is_replaced_in_2018(engine):
    f = Filters(jurisdiction="US", topic="warning")
    assert keys(engine.guidance(date(2015, 1, 1), filters=f).effective) == {US_BOXED_2014}
    later = engine.guidance(date(2019, 1, 1), filters=f)
    assert US_BOXED_2018 in keys(later.effective) and keys(later.overridden) == {US_BOXED_2014}


def test_uk_february_2020_update_is_recorded_to_the_month(engine):
    f = Filters(jurisdiction="UK", topic="regulatory-action")
    assert "alemtuzumab-uk-dsu-update-2020" not in keys(engine.guidance(date(2020, 1, 31), filters=f).effective)
    entry = next(e for e in engine.guidance(date(2020, 2, 15), filters=f).effective
                 if e.statement.key == "alemtuzumab-uk-dsu-update-2020")
    assert entry.status == "uncertain"  # in force from some day of February 2020


def test_wording_not_shown_before_its_record_is_known(engine):
    # The MS Society reported the restriction on 18 April in its own words ("TWO other disease modifying drugs");
    # as known on 15 April only the EMA's record exists, and its words are the answer's.
    for jurisdiction in ("EU", "UK"):
        g = engine.guidance(date(2019, 4, 15), date(2019, 4, 15), Filters(jurisdiction=jurisdiction))
        entry = next(e for e in g.effective if e.statement.key == RESTRICTION)
        assert [v.source.key for v in entry.records] == ["ema-lemtrada-press-release-2019-04-12"]
        assert entry.text == entry.records[0].record.wording and "TWO" not in (entry.text or "")
        assert all(v.version.published.hi <= date(2019, 4, 16) for v in entry.records)
    later = engine.guidance(date(2019, 4, 15), None, Filters(jurisdiction="EU"))
    records = next(e for e in later.effective if e.statement.key == RESTRICTION).records
    assert records[0].record.defines  # the authority's record first, then the others by record date
    assert {"ema-lemtrada-press-release-2019-04-12", "mssociety-lemtrada"} <= {v.source.key for v in records}


def test_every_visible_versions_quote_is_shown(engine):
    # NICE's 2014 text holds the recommendation's quote; its 2019 version still asserts it, cited without words.
    g = engine.guidance(date(2014, 5, 15), None, Filters(jurisdiction="UK"))
    nice = next(e for e in g.effective if e.statement.key == NICE)
    by_version = {v.version.key: v.record for v in nice.records}
    assert set(by_version) == {"2014-05", "2019-04"}
    assert by_version["2014-05"].quote is not None and nice.text == by_version["2014-05"].wording
