"""The meaning checks of the build: quotes at their offsets, references, dates and the override graph."""

import itertools
from pathlib import Path

from guidancekg.graph.corpus.checks import MAX_OVERRIDE_DEPTH, check_corpus
from guidancekg.graph.corpus.files import load_corpus

SEED = "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml"
RELEASE = "sources/ema-lemtrada-press-release-2019-04-12/versions/2019-04-12/statements.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_data_has_no_problem_and_no_warning(data_dir):
    report = check_corpus(load_corpus(data_dir))
    assert report.problems == [] and report.warnings == []


def test_quote_altered_by_one_character_names_statement_and_quote(data_copy):
    _edit(data_copy / SEED, "reduces relapse rates by 70% compared", "reduces relapse rates by 71% compared")
    problems = check_corpus(load_corpus(data_copy)).problems
    assert len(problems) == 1
    assert "alemtuzumab-relapse-rate-reduction-70pc" in problems[0]
    assert "71%" in problems[0] and "70%" in problems[0]


def test_quote_offsets_shifted_point_to_the_real_place(data_copy):
    _edit(data_copy / SEED, "    start: 320\n", "    start: 321\n")
    problems = check_corpus(load_corpus(data_copy)).problems
    assert any("[320, 368)" in p for p in problems)


def test_override_of_unknown_statement(data_copy):
    _edit(data_copy / RELEASE, "  - statement: alemtuzumab-eu-licensed-rrms-2014\n",
          "  - statement: alemtuzumab-no-such-statement\n")
    assert any("overrides unknown statement 'alemtuzumab-no-such-statement'" in p
               for p in check_corpus(load_corpus(data_copy)).problems)


def test_override_cycle_is_a_problem(data_copy):
    _edit(data_copy / SEED, "- id: alemtuzumab-eu-licensed-rrms-2014\n",
          "- id: alemtuzumab-eu-licensed-rrms-2014\n  overrides:\n"
          "  - statement: alemtuzumab-eu-temporary-restriction-2019\n    kind: replaces\n")
    problems = check_corpus(load_corpus(data_copy)).problems
    assert any("override cycle" in p and "alemtuzumab-eu-licensed-rrms-2014" in p for p in problems)


def test_chain_that_restores_a_replaced_statement_warns(seed_only):
    # The pregnancy advice "replaces" the restriction, which restricts the licensing: while the advice is
    # effective, the licensing would be effective again.
    _edit(seed_only / SEED, "- id: alemtuzumab-pregnancy-wait-4-months\n",
          "- id: alemtuzumab-pregnancy-wait-4-months\n  overrides:\n"
          "  - statement: alemtuzumab-eu-temporary-restriction-2019\n    kind: replaces\n")
    report = check_corpus(load_corpus(seed_only))
    assert report.problems == []
    assert any("alemtuzumab-eu-licensed-rrms-2014 is effective again" in w for w in report.warnings)


def test_valid_until_not_after_valid_from(data_copy):
    _edit(data_copy / SEED, "  valid_from: '2014'\n", "  valid_from: '2014'\n  valid_until: '2014-06-01'\n")
    assert any("valid_until 2014-06-01 is not after valid_from 2014" in p
               for p in check_corpus(load_corpus(data_copy)).problems)


def test_override_chains_longer_than_the_sparql_depth_are_refused(seed_only):
    keys = ["alemtuzumab-infection-risk", "alemtuzumab-infection-prophylaxis", "alemtuzumab-premedication",
            "alemtuzumab-further-courses", "alemtuzumab-two-course-regimen"][: MAX_OVERRIDE_DEPTH + 2]
    for overrider, target in itertools.pairwise(keys):
        _edit(seed_only / SEED, f"- id: {overrider}\n",
              f"- id: {overrider}\n  overrides:\n  - statement: {target}\n    kind: replaces\n")
    assert any("chains longer than" in p for p in check_corpus(load_corpus(seed_only)).problems)


PRAC = "sources/ema-lemtrada-article20-referral/versions/2019-10-31/statements.yaml"


def test_quote_of_a_reference_is_checked_against_the_reference(data_copy):
    _edit(data_copy / PRAC, "      start: 4268\n", "      start: 4269\n")
    problems = check_corpus(load_corpus(data_copy)).problems
    assert len(problems) == 1
    assert "alemtuzumab-eu-prac-recommendation-2019" in problems[0]
    assert "reference alemtuzumab-regulatory-timeline at [4269, 4509)" in problems[0]
    assert "[4268, 4509)" in problems[0]


def test_quote_of_an_unknown_reference(data_copy):
    _edit(data_copy / PRAC, "      reference: alemtuzumab-regulatory-timeline\n", "      reference: no-such-timeline\n")
    problems = check_corpus(load_corpus(data_copy)).problems
    assert problems == [p for p in problems if "quotes unknown reference 'no-such-timeline'" in p] and problems
