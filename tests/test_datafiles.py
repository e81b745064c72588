"""Reading data/: every malformed file is refused with its file, line and statement named."""

import dataclasses
import hashlib
from pathlib import Path

import pytest
import yaml

from guidancekg.graph.corpus.files import load_corpus, read_statement_entries, sha256_of
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


# The SHA-256 of the project's seed file (000_1967fe94ff19e061.txt), the MS Society page as it was given.
SEED_SHA256 = "92c11b06e40a35d4fa70c509babf7e90ca71eceb256e136ac23316569769dd80"


def test_seed_text_is_held_byte_for_byte(data_dir):
    text = (data_dir / SEED / "text.txt").read_bytes()
    assert hashlib.sha256(text).hexdigest() == SEED_SHA256
    assert f"sha256: {SEED_SHA256}" in (data_dir / SEED / "version.yaml").read_text(encoding="utf-8")


def test_publication_date_basis_takes_the_earliest_version(data_dir):
    s = load_corpus(data_dir).statements["alemtuzumab-two-course-regimen"]
    assert (s.valid_from_basis, str(s.valid_from)) == ("publication-date", "2019-04-18")


def test_year_precision_is_kept(data_dir):
    s = load_corpus(data_dir).statements["alemtuzumab-eu-licensed-rrms-2014"]
    assert (str(s.valid_from), s.valid_from.precision, s.valid_from_basis) == ("2014", "year", "stated-in-text")


def test_secondary_autoimmunity_gap_is_recorded_not_filled(data_dir):
    corpus = load_corpus(data_dir)
    s = corpus.statements["alemtuzumab-secondary-autoimmunity"]
    record = next(a for a in corpus.assertions if a.statement == s.key)
    assert record.wording and record.wording.endswith("These include;")
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


def test_reference_is_held_byte_for_byte(data_dir):
    """Each held reference is the exact text its quotes were taken from: its reference.yaml records the SHA-256."""
    corpus = load_corpus(data_dir)
    assert {"alemtuzumab-regulatory-timeline", "alemtuzumab-regulatory-timeline-2", "uk-eu-medicines-regulation",
            "daclizumab-regulatory-timeline"} <= set(corpus.references)
    for key, ref in corpus.references.items():
        folder = data_dir / "references" / key
        pinned = yaml.safe_load((folder / "reference.yaml").read_text(encoding="utf-8"))["sha256"]
        assert hashlib.sha256((folder / "text.txt").read_bytes()).hexdigest() == pinned == ref.sha256
    quoted = [a for a in corpus.assertions if a.reference] + [r for r in corpus.reach if r.reference]
    for q in quoted:
        text = corpus.references[q.reference].text
        assert q.quote and text[q.quote.start:q.quote.end] == q.quote.exact


def test_a_changed_byte_in_a_held_reference_is_refused(data_copy):
    path = data_copy / "references" / "alemtuzumab-regulatory-timeline" / "text.txt"
    path.write_bytes(path.read_bytes().replace(b"Lemtrada", b"LEMTRADA", 1))
    with pytest.raises(DataError, match=r"reference\.yaml:\d+: the held text\.txt of this reference has SHA-256 .* "
                                        r"a reference is never edited: hold a newer copy as a new reference"):
        load_corpus(data_copy)


def test_a_changed_byte_in_a_held_version_text_is_refused(data_copy):
    path = data_copy / SEED / "text.txt"
    path.write_bytes(path.read_bytes() + b" ")
    with pytest.raises(DataError, match=r"version\.yaml:\d+: the held text\.txt of this version has SHA-256 .* "
                                        r"a version is never edited"):
        load_corpus(data_copy)


def test_the_extended_facts_file_is_a_new_reference_that_revises_the_old(data_dir):
    corpus = load_corpus(data_dir)
    old, new = (corpus.references[k] for k in ("alemtuzumab-regulatory-timeline", "alemtuzumab-regulatory-timeline-2"))
    assert old.sha256 != new.sha256 and "Both are the temporary measure" in new.text
    assert "Both are the temporary measure" not in old.text


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
# -- jurisdictions, reach, confidences (data/jurisdictions.yaml, version.yaml) ------------------------------------


def test_jurisdictions_are_data_with_iso_codes_and_nesting(data_dir):
    corpus = load_corpus(data_dir)
    j = corpus.jurisdictions
    assert {"EU", "UK", "US", "GB-GBN", "GB-NIR", "GB-EAW", "GB-ENG", "GB-WLS", "GB-SCT"} <= set(j)
    assert (j["GB-ENG"].within, j["GB-EAW"].within, j["GB-GBN"].within, j["GB-NIR"].within) == (
        "GB-EAW", "GB-GBN", "UK", "UK")
    assert j["UK"].iso3166 == "GB" and j["GB-EAW"].aliases == ("UK-ENW",)


def test_the_old_code_of_england_and_wales_still_names_it(data_copy):
    path = data_copy / "sources" / "nice-ta312" / "source.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("jurisdiction: GB-EAW", "jurisdiction: UK-ENW"),
                    encoding="utf-8")
    assert load_corpus(data_copy).sources["nice-ta312"].jurisdiction == "GB-EAW"


def test_an_unknown_jurisdiction_names_the_codes_it_could_be(data_copy):
    _edit(data_copy / SEED / "statements.yaml", "  jurisdiction: EU  #", "  jurisdiction: GB-XYZ  #")
    with pytest.raises(DataError, match=r"statements\.yaml:\d+.*jurisdiction 'GB-XYZ' is not a jurisdiction of "
                                        r"jurisdictions\.yaml: EU, UK"):
        load_corpus(data_copy)


def test_a_data_folder_without_jurisdictions_is_refused(data_copy):
    (data_copy / "jurisdictions.yaml").unlink()
    with pytest.raises(DataError, match=r"missing jurisdictions\.yaml"):
        load_corpus(data_copy)


def test_the_reach_of_the_eu_into_the_uk_is_dated_and_cited(data_dir):
    reach = {r.key: r for r in load_corpus(data_dir).reach}
    uk = reach["eu-decisions-in-the-uk"]
    assert (uk.of, uk.into, uk.valid_from, str(uk.valid_until), uk.carries) == ("EU", "UK", None, "2021-01-01", None)
    gb = reach["eu-terms-carried-in-great-britain"]
    assert (gb.into, str(gb.valid_from), str(gb.carries), gb.valid_until) == ("GB-GBN", "2021-01-01", "2020-12-31",
                                                                              None)
    ni = reach["eu-decisions-in-northern-ireland"]
    assert (ni.into, str(ni.valid_from), str(ni.valid_until)) == ("GB-NIR", "2021-01-01", "2025-01-01")
    assert all(r.reference == "uk-eu-medicines-regulation" and r.date_confidence == "verbatim"
               and r.wording_confidence == "paraphrase" for r in reach.values())


def test_every_version_says_how_well_its_date_is_known(data_dir):
    corpus = load_corpus(data_dir)
    assert all(v.date_confidence in {"verbatim", "paraphrase"} for v in corpus.versions.values())
    assert corpus.versions["fda-lemtrada-label/2014-11-14"].date_confidence == "paraphrase"
    records = [a for a in corpus.assertions if a.version_id == "fda-lemtrada-label/2014-11-14"]
    assert records and all(a.date_confidence == "paraphrase" for a in records)


def test_a_quote_of_the_version_is_its_verbatim_wording(data_dir):
    for a in load_corpus(data_dir).assertions:
        if a.quote is not None and a.reference is None:
            assert (a.wording, a.wording_confidence) == (a.quote.exact, "verbatim")


def test_confidence_is_the_older_name_of_wording_confidence(data_copy):
    path = data_copy / PRAC_VERSION / "statements.yaml"
    _edit(path, "wording_confidence: paraphrase", "confidence: paraphrase")
    a = next(a for a in load_corpus(data_copy).assertions if a.version_id.endswith("2019-10-31"))
    assert a.wording_confidence == a.confidence == "paraphrase"


class _LookupOnly(dict):
    """A table that may be looked up but not listed."""

    def __iter__(self):
        raise AssertionError("the whole table was read to check one entry")


def test_reading_a_statement_looks_its_drug_up_without_copying_the_drug_table(data_dir):
    """Each statement copied every drug into a set to check its own, so reading grew as statements times drugs:
    a quarter of the reading step at 10^6 statements of 5,000 drugs (py-spy), 16.6 times the time of 10^5."""
    corpus = load_corpus(data_dir)
    raw = yaml.safe_load((data_dir / SEED / "statements.yaml").read_text(encoding="utf-8"))
    entry = next(item for item in raw if "id" in item)
    known = dataclasses.replace(corpus, drugs=_LookupOnly(corpus.drugs))
    statements: dict = {}
    version = corpus.versions["mssociety-lemtrada/2019-04-18"]
    read_statement_entries([entry], "statements.yaml", version, known, statements, [])
    assert statements[entry["id"]].drug == corpus.statements[entry["id"]].drug
