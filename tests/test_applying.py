"""Where statements apply: own jurisdiction, a jurisdiction containing the place, a dated reach; on the bundled
data (the EU into the UK until 2020, the EU terms carried in Great Britain, Northern Ireland until 2024) and on a
scheme made for the purpose."""

from datetime import date

from guidancekg.graph.corpus.jurisdictions import Scheme
from guidancekg.graph.corpus.records import Jurisdiction, Reach, Statement
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.engine.applying import Applicability, AppliesIn

RESTRICTION = "alemtuzumab-eu-temporary-restriction-2019"
EU_2013 = "alemtuzumab-eu-indication-2013"
EU_2020 = "alemtuzumab-eu-indication-2020"
NICE = "alemtuzumab-nice-ta312-recommendation-2014"
ALEMTUZUMAB = Filters(drug="alemtuzumab", jurisdiction="UK")


def where(entries, key):
    return [e.applies_in for e in entries if e.statement.key == key]


def test_uk_answer_includes_eu_restriction_through_reach(engine):
    g = engine.guidance(date(2019, 4, 15), filters=ALEMTUZUMAB)
    assert where(g.effective, RESTRICTION) == [AppliesIn("UK", "reach", "EU", "eu-decisions-in-the-uk")]
    assert where(g.overridden, EU_2013) == [AppliesIn("UK", "reach", "EU", "eu-decisions-in-the-uk")]
    assert where(g.effective, NICE) == [AppliesIn("GB-EAW", "own")]  # a part of the UK, where NICE speaks


def test_uk_answer_on_the_eu_authorisation_day_is_not_empty(engine):
    g = engine.guidance(date(2013, 9, 12), filters=ALEMTUZUMAB)
    assert where(g.effective, EU_2013) == [AppliesIn("UK", "reach", "EU", "eu-decisions-in-the-uk")]


def test_eu_terms_of_2020_12_31_carry_on_in_great_britain_and_northern_ireland_follows_the_eu(engine):
    g = engine.guidance(date(2022, 6, 1), filters=ALEMTUZUMAB)
    assert where(g.effective, EU_2020) == [
        AppliesIn("GB-GBN", "reach", "EU", "eu-terms-carried-in-great-britain"),
        AppliesIn("GB-NIR", "reach", "EU", "eu-decisions-in-northern-ireland")]
    england = engine.guidance(date(2022, 6, 1), filters=Filters(drug="alemtuzumab", jurisdiction="GB-ENG"))
    assert where(england.effective, EU_2020) == [
        AppliesIn("GB-ENG", "reach", "EU", "eu-terms-carried-in-great-britain")]
    assert where(england.effective, NICE) == [AppliesIn("GB-ENG", "inside", "GB-EAW")]


def test_from_2025_the_carried_eu_terms_apply_uk_wide(engine):
    g = engine.guidance(date(2025, 6, 1), filters=ALEMTUZUMAB)
    assert where(g.effective, EU_2020) == [AppliesIn("UK", "reach", "EU", "eu-terms-carried-uk-wide")]


def test_eu_question_has_no_uk_statement_and_says_own(engine):
    g = engine.guidance(date(2019, 4, 15), filters=Filters(jurisdiction="EU"))
    assert g.effective and all(e.applies_in == AppliesIn("EU", "own") for e in g.effective)
    assert engine.guidance(date(2019, 4, 15)).effective[0].applies_in is None  # no jurisdiction asked


def test_uk_changes_say_when_the_eu_reach_ends(engine):
    found = engine.changes(date(2020, 12, 1), date(2021, 1, 31), None, ALEMTUZUMAB)
    eu_2020 = [(c.change, c.reason, c.entry.applies_in.jurisdiction) for c in found if c.entry.statement.key == EU_2020]
    assert ("stopped", "stopped-applying", "UK") in eu_2020
    assert ("started", "started-to-apply", "GB-GBN") in eu_2020
    assert ("started", "started-to-apply", "GB-NIR") in eu_2020


def test_uk_timeline_has_an_entry_per_reason_the_eu_decision_applies(engine):
    entries = [t for t in engine.timeline(None, ALEMTUZUMAB) if t.entry.statement.key == EU_2020]
    assert {t.entry.applies_in.relation for t in entries} == {
        "eu-decisions-in-the-uk", "eu-terms-carried-in-great-britain", "eu-decisions-in-northern-ireland",
        "eu-terms-carried-uk-wide"}
    uk = next(t for t in entries if t.entry.applies_in.relation == "eu-decisions-in-the-uk")
    assert [(str(p.start), str(p.end)) for p in uk.effective] == [("2020-01-16", "2021-01-01")]


# -- a scheme made for the purpose ----------------------------------------------------------------------------

SCHEME = Scheme([Jurisdiction("A", "A"), Jurisdiction("B", "B"), Jurisdiction("B1", "B1", within="B"),
                 Jurisdiction("B2", "B2", within="B")])


def _statement(key: str, jurisdiction: str) -> Statement:
    return Statement(key, "d", "indication", jurisdiction, PartialDate(date(2000, 1, 1), "day"), "stated-in-text",
                     None, False, (), None)


def _reach(key: str, into: str, start: str | None, until: str | None, carries: str | None = None) -> Reach:
    def day(text: str | None) -> PartialDate | None:
        return PartialDate(date.fromisoformat(text), "day") if text else None

    return Reach(key, "A", into, day(start), day(until), day(carries), "words", "paraphrase", "verbatim")


def test_reach_holds_over_its_half_open_period_only():
    where_ = Applicability(SCHEME, [_reach("r", "B", "2010-01-01", "2011-01-01")], lambda _r, _k: True)
    a = _statement("a", "A")
    assert where_.applies(a, "B1", date(2009, 12, 31).toordinal()) is None
    assert where_.applies(a, "B1", date(2010, 1, 1).toordinal()) == AppliesIn("B1", "reach", "A", "r")
    assert where_.applies(a, "B1", date(2011, 1, 1).toordinal()) is None


def test_a_carrying_reach_lets_through_only_what_it_carries():
    where_ = Applicability(SCHEME, [_reach("r", "B1", "2010-01-01", None, "2009-12-31")], lambda _r, k: k == "kept")
    day = date(2012, 1, 1).toordinal()
    assert where_.contexts(_statement("kept", "A"), "B", day) == [AppliesIn("B1", "reach", "A", "r")]
    assert where_.contexts(_statement("later", "A"), "B", day) == []


def test_a_part_inside_another_context_is_not_a_context_of_its_own():
    where_ = Applicability(SCHEME, [_reach("whole", "B", None, None), _reach("part", "B1", None, None)],
                           lambda _r, _k: True)
    assert where_.contexts(_statement("a", "A"), "B", 1) == [AppliesIn("B", "reach", "A", "whole")]
    assert where_.contexts(_statement("b1", "B1"), "B", 1) == [AppliesIn("B1", "own")]
    assert where_.contexts(_statement("b", "B"), "B2", 1) == [AppliesIn("B2", "inside", "B")]
