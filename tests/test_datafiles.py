"""Reading data/: every malformed file is refused with its file, line and statement named."""

from pathlib import Path

import pytest

from guidancekg.graph.corpus.files import load_corpus, sha256_of
from guidancekg.graph.errors import DataError

SEED = "sources/mssociety-lemtrada/versions/2019-04-18"


def test_bundled_data_loads_with_every_seed_statement(data_dir):
    corpus = load_corpus(data_dir)
    seed = [a for a in corpus.assertions if a.source == "mssociety-lemtrada"]
    assert len(seed) == 22
    assert all(a.quote is not None for a in seed)
    version = corpus.versions["mssociety-lemtrada/2019-04-18"]
    assert version.published.isoformat() == "2019-04-18"
    assert version.sha256 == sha256_of(version.text or "")


def test_seed_text_is_held_byte_for_byte(data_dir):
    shared = data_dir.parent.parent / "shared" / "seeds" / "000_1967fe94ff19e061.txt"
    if not shared.exists():
        pytest.skip("../shared/seeds is not present")
    assert (data_dir / SEED / "text.txt").read_bytes() == shared.read_bytes()


def test_publication_date_basis_takes_the_earliest_version(data_dir):
    s = load_corpus(data_dir).statements["alemtuzumab-two-course-regimen"]
    assert (s.valid_from_basis, str(s.valid_from)) == ("publication-date", "2019-04-18")


def test_year_precision_is_kept(data_dir):
    s = load_corpus(data_dir).statements["alemtuzumab-eu-licensed-rrms-2014"]
    assert (str(s.valid_from), s.valid_from.precision, s.valid_from_basis) == ("2014", "year", "stated-in-text")


def test_secondary_autoimmunity_gap_is_recorded_not_filled(data_dir):
    s = load_corpus(data_dir).statements["alemtuzumab-secondary-autoimmunity"]
    assert s.wording.endswith("These include;")
    assert s.note and "empty" in s.note


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_malformed_yaml_names_file_and_line(data_copy):
    _edit(data_copy / SEED / "statements.yaml", "  topic: dosing\n", "  topic: [dosing\n")
    with pytest.raises(DataError, match=r"statements\.yaml:\d+: malformed YAML"):
        load_corpus(data_copy)


def test_unknown_topic_names_the_statement(data_copy):
    _edit(data_copy / SEED / "statements.yaml", "  topic: dosing\n", "  topic: dosage\n")
    with pytest.raises(DataError) as info:
        load_corpus(data_copy)
    message = str(info.value)
    assert "alemtuzumab-two-course-regimen" in message and "dosage" in message and "statements.yaml:" in message


def test_unknown_field_is_refused(data_copy):
    _edit(data_copy / SEED / "statements.yaml", "  topic: dosing\n", "  topic: dosing\n  valid_form: '2019'\n")
    with pytest.raises(DataError, match="unknown field"):
        load_corpus(data_copy)


def test_impossible_date_is_refused(data_copy):
    _edit(data_copy / SEED / "version.yaml", "published: 2019-04-18", "published: 2019-02-30")
    with pytest.raises(DataError, match="2019-02-30"):
        load_corpus(data_copy)


def test_non_utf8_text_is_refused(data_copy):
    (data_copy / SEED / "text.txt").write_bytes(b"Lemtrada \xff\xfe")
    with pytest.raises(DataError, match="not UTF-8"):
        load_corpus(data_copy)


def test_statement_needs_quote_or_citation(data_copy):
    path = data_copy / SEED / "statements.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: alemtuzumab-two-course-regimen")
    block_end = text.index("\n- id:", start + 1)
    block = text[start:block_end]
    stripped = block[: block.index("  quote:")].rstrip() + "\n  text: a two-course regimen\n"
    path.write_text(text.replace(block, stripped), encoding="utf-8")
    with pytest.raises(DataError, match="exactly one of 'quote'"):
        load_corpus(data_copy)


PRAC_VERSION = "sources/ema-lemtrada-article20-referral/versions/2019-10-31"


@pytest.mark.xfail(strict=True, reason="the facts file was extended after it was held; issue 13 decides how the "
                   "project holds the new text, and this test must stop reading ../shared (issue 15)")
def test_reference_is_held_byte_for_byte(data_dir):
    corpus = load_corpus(data_dir)
    ref = corpus.references["alemtuzumab-regulatory-timeline"]
    shared = data_dir.parent.parent / "shared" / "facts" / "alemtuzumab-regulatory-timeline.md"
    if shared.exists():
        assert ref.text.encode("utf-8") == shared.read_bytes()
    assert ref.sha256 == sha256_of(ref.text)


def test_citation_quoting_a_reference_keeps_document_and_reference(data_dir):
    a = next(a for a in load_corpus(data_dir).assertions
             if a.statement == "alemtuzumab-eu-prac-recommendation-2019" and a.version == "2019-10-31")
    assert (a.reference, a.citation_url, a.confidence) == ("alemtuzumab-regulatory-timeline", None, "paraphrase")
    assert a.document and "EMA referral page" in a.document
    assert a.quote is not None and a.quote.exact.startswith("Use only for RRMS")


def test_citation_without_url_needs_document_and_reference_quote(data_copy):
    _edit(data_copy / PRAC_VERSION / "statements.yaml", "    document: EMA referral page for Lemtrada "
          "(PRAC recommendation of 31 October 2019)\n", "")
    with pytest.raises(DataError, match="a citation needs the version's 'url', or, where no address is known, the "
                                        "'document'"):
        load_corpus(data_copy)


def test_reference_without_text_is_refused(data_copy):
    (data_copy / "references" / "alemtuzumab-regulatory-timeline" / "text.txt").unlink()
    with pytest.raises(DataError, match=r"missing text\.txt: a reference is a held text"):
        load_corpus(data_copy)


def test_the_authorities_identifiers_are_read_from_the_sources():
    corpus = load_corpus(Path(__file__).resolve().parents[1] / "data")
    assert corpus.sources["ec-lemtrada-authorisation-2013"].identifiers == (("eu-procedure-number", "EMEA/H/C/003718"),)
    assert corpus.sources["fda-lemtrada-label"].identifiers == (
        ("fda-spl-set-id", "6236b0bc-82e9-4447-9a78-f57d94770269"),)


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("eu-procedure-number", "EMEA/H/C/3718", "not of the form"),
    ("fda-spl-set-id", "6236B0BC-82e9-4447-9a78-f57d94770269", "not of the form"),
    ("ema-number", "x", "is not one of"),
])
def test_a_malformed_identifier_is_refused_naming_the_file(data_copy, kind, value, message):
    path = data_copy / "sources/ec-lemtrada-authorisation-2013/source.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- kind: eu-procedure-number\n  value: EMEA/H/C/003718",
                                 f"- kind: {kind}\n  value: '{value}'"), encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        load_corpus(data_copy)
    assert "ec-lemtrada-authorisation-2013/source.yaml" in str(info.value)


def test_each_identifier_form_has_its_kind_in_the_vocabulary():
    from guidancekg.graph.corpus.files import IDENTIFIER_FORMS
    from guidancekg.ontology.vocab import IDENTIFIER_KIND_TERMS

    assert set(IDENTIFIER_FORMS) == set(IDENTIFIER_KIND_TERMS)
