"""The drafting assistant: sentences at exact offsets, dates and durations, topics by rule, the difference with
the previous version, a draft that ingests as it stands, and how close it comes to the curated seed."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from ingest_data.helpers import HERE, SOURCE, V1, V2, add_test_source, tiny_data

from guidancekg.cli.main import main
from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.corpus.records import Corpus
from guidancekg.graph.ingest.draft_yaml import render
from guidancekg.graph.ingest.normalise import find_dates, find_durations
from guidancekg.graph.ingest.propose import TOPIC_RULES, propose, suggest_topic
from guidancekg.graph.ingest.sentences import split_sentences
from guidancekg.graph.ingest.versions import Upload, ingest

BASE = "http://localhost/"
SEED = "sources/mssociety-lemtrada/versions/2019-04-18"


# -- sentences ---------------------------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    found = split_sentences(text)
    assert all(text[s.start:s.end] == s.exact for s in found)
    return [s.exact for s in found]


def test_sentences_end_after_a_date_and_not_after_abbreviations():
    assert _split("The agency acted on 12th April 2019. The restriction is temporary.") == [
        "The agency acted on 12th April 2019.", "The restriction is temporary."]
    assert _split("Use it e.g. Lemtrada. Ask Dr. Smith, or Ms. Jones. The dose is 1.5 mg. U.K. law applies.") == [
        "Use it e.g. Lemtrada.", "Ask Dr. Smith, or Ms. Jones.", "The dose is 1.5 mg.", "U.K. law applies."]
    assert _split("It treats relapsing MS. Next sentence.") == ["It treats relapsing MS.", "Next sentence."]
    assert _split("Published Apr. 2019 in No. 5 of the series.") == ["Published Apr. 2019 in No. 5 of the series."]


def test_sentences_with_quotes_and_line_breaks():
    text = "He said “Stop now.” Then he left.\nA heading without a full stop\nThis line wraps\nonto the next. Yes!"
    assert _split(text) == ["He said “Stop now.”", "Then he left.", "A heading without a full stop",
                            "This line wraps\nonto the next.", "Yes!"]
    assert _split("First paragraph\n\nsecond paragraph, lower case.") == [
        "First paragraph", "second paragraph, lower case."]
    assert _split("Windows lines.\r\nSecond line.\r\n") == ["Windows lines.", "Second line."]


def test_offsets_are_code_points():
    text = "😀 An emoji first. Then “quoted” text.\n"
    found = split_sentences(text)
    assert [(s.start, s.end) for s in found] == [(0, 17), (18, 37)]  # one code point for the emoji
    assert text[found[1].start:found[1].end] == "Then “quoted” text."


def test_the_seed_text_splits_into_its_sentences(data_dir):
    text = (data_dir / SEED / "text.txt").read_bytes().decode("utf-8")
    found = split_sentences(text)
    assert len(found) == 29
    assert found[0].exact.endswith("very active relapsing remitting MS")  # a line without a full stop
    assert found[-1].exact == "Page last updated 18 April 2019"
    assert "These include;" in [s.exact for s in found]


# -- dates and durations -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value", "precision"), [
    ("On 12th April 2019, the agency", "2019-04-12", "day"),
    ("Page last updated 18 April 2019", "2019-04-18", "day"),
    ("published in April 2019.", "2019-04", "month"),
    ("available since 2014, and", "2014", "year"),
    ("from April 12, 2019 on", "2019-04-12", "day"),
    ("dated 2019-04-12 here", "2019-04-12", "day"),
    ("on the 1st of March 2020", "2020-03-01", "day"),
])
def test_dates_are_normalised_with_their_precision(text, value, precision):
    (found,) = find_dates(text)
    assert found.value is not None
    assert (found.value.isoformat(), found.precision) == (value, precision)
    assert text[found.start:found.end] == found.text


def test_what_is_not_a_date():
    assert find_dates("2000 patients took part") == []
    assert find_dates("in May, the page") == []
    (impossible,) = find_dates("on 31st February 2019")
    assert impossible.value is None and "day is out of range" in (impossible.problem or "")


@pytest.mark.parametrize(("text", "iso"), [
    ("waiting for 4 months after", "P4M"), ("for four years from", "P4Y"), ("12 months apart, and", "P12M"),
    ("over five consecutive days", "P5D"), ("for two weeks", "P2W"), ("a four-hour period", "PT4H"),
    ("twenty-four hours later", "PT24H"),
])
def test_durations_are_iso_8601(text, iso):
    (found,) = find_durations(text)
    assert found.iso == iso and text[found.start:found.end] == found.text


# -- topics --------------------------------------------------------------------------------------------------------


def test_the_first_rule_with_a_keyword_wins_and_is_recorded():
    guess = suggest_topic("Wait 4 months after a course of treatment before trying to conceive.")
    assert guess.topic == "pregnancy" and guess.keyword == "conceiv*" and guess.rule == 1
    assert "rule 1" in guess.describe()
    assert suggest_topic("Emails are not an EMA decision.").topic == "regulatory-action"  # whole word EMA
    assert suggest_topic("Emails arrive daily.", "patient-information").rule is None  # no rule: the default
    assert TOPIC_RULES[0][0] == "pregnancy"


# -- the evaluation on the seed ------------------------------------------------------------------------------------


def evaluate(corpus: Corpus, version_id: str, without_versions: Path) -> dict[str, int]:
    """Compare the draft of a held text (with no previous version to copy from) with its curated statements.

    ``without_versions`` is a data folder holding the version's source with no versions at all.
    """
    version = corpus.versions[version_id]
    text = version.text or ""
    draft = propose(without_versions, version.source, text)
    curated = [a for a in corpus.assertions if a.version_id == version_id and a.quote is not None]
    drafted = draft.statements()
    for e in drafted:  # consistent offsets
        assert text[e.sentence.start:e.sentence.end] == e.sentence.exact
    counts = {"curated": len(curated), "drafted": len(drafted), "contained": 0, "equal": 0, "covered": 0,
              "topic": 0, "date": 0, "drafted_matching_a_quote": 0}
    for a in curated:
        assert a.quote is not None
        q, s = a.quote, corpus.statements[a.statement]
        if any(e.sentence.start <= q.start and q.end <= e.sentence.end for e in drafted):
            counts["contained"] += 1
        if any((e.sentence.start, e.sentence.end) == (q.start, q.end) for e in drafted):
            counts["equal"] += 1
        overlapping = [e for e in drafted if e.sentence.start < q.end and q.start < e.sentence.end]
        if overlapping and min(e.sentence.start for e in overlapping) <= q.start \
                and max(e.sentence.end for e in overlapping) >= q.end:
            counts["covered"] += 1  # by a run of consecutive drafted sentences
        # The drafted statement compared is the one whose sentence holds the quote's start.
        first = next((e for e in drafted if e.sentence.start <= q.start < e.sentence.end), None)
        if first is None:
            continue
        if first.topic.topic == s.topic:
            counts["topic"] += 1
        curated_from = s.valid_from.isoformat() if s.valid_from_basis != "publication-date" and s.valid_from \
            else None
        drafted_from = first.valid_from.isoformat() if first.valid_from else None
        if curated_from == drafted_from:
            counts["date"] += 1
    counts["drafted_matching_a_quote"] = sum(
        1 for e in drafted if any(a.quote and e.sentence.start < a.quote.end and a.quote.start < e.sentence.end
                                  for a in curated))
    return counts


def _source_without_versions(data_dir: Path, source: str, target: Path) -> Path:
    (target / "sources").mkdir(parents=True)
    shutil.copy(data_dir / "drugs.yaml", target / "drugs.yaml")
    shutil.copy(data_dir / "jurisdictions.yaml", target / "jurisdictions.yaml")
    shutil.copytree(data_dir / "references", target / "references")
    (target / "sources" / source).mkdir()
    shutil.copy(data_dir / "sources" / source / "source.yaml", target / "sources" / source / "source.yaml")
    return target


def test_propose_on_the_seed_matches_most_curated_statements(data_dir, tmp_path):
    corpus = load_corpus(data_dir)
    counts = evaluate(corpus, "mssociety-lemtrada/2019-04-18",
                      _source_without_versions(data_dir, "mssociety-lemtrada", tmp_path / "d"))
    print("propose on the seed:", counts)  # reported in docs/ingest-and-propose.md
    assert counts["curated"] == 22
    assert counts["contained"] >= 17  # 18: the 4 others span two or three sentences
    assert counts["covered"] == 22
    assert counts["equal"] >= 14
    assert counts["topic"] >= 19
    assert counts["date"] >= 20


def test_propose_on_the_other_held_texts(data_dir, tmp_path):
    """Out of sample: the topic table was written with the seed in view, never with these texts."""
    corpus = load_corpus(data_dir)
    total: dict[str, int] = {}
    for v in corpus.versions.values():
        if v.text is None or v.source == "mssociety-lemtrada":
            continue
        counts = evaluate(corpus, v.id, _source_without_versions(data_dir, v.source, tmp_path / v.source))
        for k, n in counts.items():
            total[k] = total.get(k, 0) + n
    print("propose on the other held texts:", total)  # reported in docs/ingest-and-propose.md
    assert total["curated"] >= 1
    assert total["contained"] * 2 >= total["curated"]


# -- against the previous version, and the round trip ---------------------------------------------------------------


def test_the_draft_compares_with_the_previous_version(tmp_path):
    data = tiny_data(tmp_path / "data")
    text = (HERE / "text-v2.txt").read_bytes().decode("utf-8")
    draft = propose(data, SOURCE, text, "text-v2.txt")
    assert draft.previous is not None and draft.previous.key == V1
    assert draft.changed == [("Test guidance sentence two.", "Test guidance sentence two, reworded.")]
    assert draft.removed == ["Test guidance sentence three, from 1st March 2020."]
    assert draft.added == ["Test guidance sentence four, for four weeks."]
    assert draft.unchanged == 1
    carried = [c for e in draft.entries for c in e.carried]
    assert [(c.statement, c.start, c.end) for c in carried] == [("test-statement-one", 0, 41)]
    assert sorted(a.statement for a in draft.withdrawal_candidates) == ["test-statement-three", "test-statement-two"]
    rendered = render(draft)
    assert "Candidates for withdrawal" in rendered and "- test-statement-three" in rendered
    assert "durations: 'four weeks' -> P2W" not in rendered and "'four weeks' -> P4W" in rendered
    assert f"--revises {V1}" in rendered


def test_an_unchanged_unrecorded_sentence_stays_left_out(tmp_path):
    data = tiny_data(tmp_path / "data")
    text = (HERE / "text-v1.txt").read_text(encoding="utf-8") + "Test guidance sentence six.\n"
    draft = propose(data, SOURCE, text)
    assert [e.sentence.exact for e in draft.statements()] == ["Test guidance sentence six."]
    assert len([c for e in draft.entries for c in e.carried]) == 3
    assert draft.withdrawal_candidates == []


def _roundtrip(data: Path, source: str, text_bytes: bytes, published: str, revises: str | None, tmp: Path):
    draft = propose(data, source, text_bytes.decode("utf-8"), "text.txt")
    rendered = render(draft)
    raw = yaml.safe_load(rendered)  # plain YAML
    text = text_bytes.decode("utf-8")
    for item in raw:
        q = item["quote"]
        assert text[q["start"]:q["end"]] == q["exact"]
    result = ingest(data, Upload(source=source, published=published, revises=revises, text=text_bytes,
                                 statements=rendered.encode("utf-8"), text_name="text.txt",
                                 statements_name="draft.yaml"), base=BASE, store_root=tmp / "store")
    assert result.created
    return draft, result


def test_the_draft_of_a_new_version_ingests_as_it_stands(tmp_path):
    data = tiny_data(tmp_path / "data")
    draft, result = _roundtrip(data, SOURCE, (HERE / "text-v2.txt").read_bytes(), V2, V1, tmp_path)
    assert set(result.withdraws) == {"test-statement-two", "test-statement-three"}
    assert "test-statement-one" in result.asserts
    assert len(result.defines) == 2 == len(draft.statements())


def test_the_draft_of_the_seed_ingests_as_it_stands(data_dir, tmp_path):
    seed_without_versions = _source_without_versions(data_dir, "mssociety-lemtrada", tmp_path / "d")
    text = (data_dir / SEED / "text.txt").read_bytes()
    draft, result = _roundtrip(seed_without_versions, "mssociety-lemtrada", text, "2019-04-18", None, tmp_path)
    assert len(result.defines) == len(draft.statements()) == 28
    from guidancekg.graph.opened import GuidanceGraph

    graph = GuidanceGraph.open(seed_without_versions, base=BASE, store_root=tmp_path / "store")
    on = graph.engine.guidance(date(2019, 5, 1))
    assert len(on.effective) + len(on.overridden) == 28


def test_the_draft_of_a_text_with_unusual_characters_ingests(tmp_path):
    data = tiny_data(tmp_path / "data")
    text = ("Test guidance sentence one for Testbrand. “Quoted” test sentence with an emoji 😀 inside.\r\n"
            "A test line: with a colon, #hash and 'quotes'\r\n\r\nTest sentence — last, since 2019.\r\n").encode()
    draft, result = _roundtrip(data, SOURCE, text, V2, V1, tmp_path)
    assert "test-statement-one" in result.asserts
    assert any(e.valid_from and e.valid_from.isoformat() == "2019" for e in draft.statements())


def test_propose_cli_writes_the_draft(tmp_path, runner):
    data = tiny_data(tmp_path / "data")
    out = tmp_path / "draft.yaml"
    result = runner.invoke(main, ["propose", "--source", SOURCE, "--data", str(data), "--output", str(out),
                                  str(HERE / "text-v2.txt")])
    assert result.exit_code == 0, result.output
    assert "candidate(s) for withdrawal" in result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))
    stdout = runner.invoke(main, ["propose", "--source", SOURCE, "--data", str(data), str(HERE / "text-v2.txt")])
    assert stdout.exit_code == 0 and "- asserts: test-statement-one" in stdout.output
    unknown = runner.invoke(main, ["propose", "--source", "nope", "--data", str(data), str(HERE / "text-v2.txt")])
    assert unknown.exit_code == 1 and "unknown source" in unknown.output
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9\n")
    bad = runner.invoke(main, ["propose", "--source", SOURCE, "--data", str(data), str(tmp_path / "bad.txt")])
    assert bad.exit_code == 1 and "not UTF-8" in bad.output and "bad.txt" in bad.output


def test_propose_writes_nothing_into_the_data(tmp_path, data_copy):
    add_test_source(data_copy)
    before = sorted(p for p in data_copy.rglob("*"))
    propose(data_copy, SOURCE, (HERE / "text-v2.txt").read_text(encoding="utf-8"))
    assert sorted(p for p in data_copy.rglob("*")) == before
    assert V2 not in {v.key for v in load_corpus(data_copy).versions.values()}


def test_the_topic_table_is_documented_as_the_code_has_it():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "ingest-and-propose.md").read_text(encoding="utf-8")
    for i, (topic, keywords) in enumerate(TOPIC_RULES, start=1):
        row = f"| {i} | `{topic}` | {', '.join(k.replace('*', chr(92) + '*') for k in keywords)} |"
        assert row in doc, row
