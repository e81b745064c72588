"""The guidance as FHIR R5: every emitted resource validated with the fhir.resources R5 models."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date

import pytest
import requests
from fhir.resources import get_fhir_model_class
from openapi_check import check
from pydantic import ValidationError

from guidancekg.cli.main import main
from guidancekg.graph.dates import parse_partial
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.views.fhir import (
    CLINICAL_USE_TYPES,
    EXTENSION_BASE,
    FHIR_JSON,
    fhir_end,
    guidance_bundle,
    resource_id,
    timeline_bundle,
)

Bundle = get_fhir_model_class("Bundle")
RESTRICTION = DEFAULT_BASE + "id/statement/alemtuzumab-eu-temporary-restriction-2019"
ORIGINAL = DEFAULT_BASE + "id/statement/alemtuzumab-eu-indication-2013"


def validated(bundle: dict) -> dict:
    """Validate ``bundle`` (and so every resource in it) with the FHIR R5 models; return it."""
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:  # each resource on its own too, by its own class
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    return bundle


def by_identifier(bundle: dict, value: str) -> dict:
    found = [e["resource"] for e in bundle["entry"]
             if any(i.get("value") == value for i in e["resource"].get("identifier", []))]
    assert len(found) == 1, value
    return found[0]


def provenance_of(bundle: dict, iri: str) -> list[dict]:
    ref = f"urn:uuid:{resource_id(iri)}"
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Provenance"
            and any(t["reference"] == ref for t in e["resource"]["target"])]


@pytest.fixture(scope="module")
def restriction_day(app) -> dict:
    resp = app.test_client().get("/api/guidance?on=2019-04-12&jurisdiction=EU",
                                 headers={"Accept": FHIR_JSON})
    assert resp.status_code == 200 and resp.mimetype == FHIR_JSON
    check(resp)
    return validated(resp.get_json())


def test_the_restriction_is_current_and_the_original_indication_superseded_by_it(restriction_day):
    restriction = by_identifier(restriction_day, RESTRICTION)
    original = by_identifier(restriction_day, ORIGINAL)
    assert restriction["resourceType"] == original["resourceType"] == "ClinicalUseDefinition"
    assert restriction["type"] == original["type"] == "indication"
    assert {c["code"] for c in restriction["status"]["coding"]} == {"active", "effective"}
    assert [c["code"] for c in original["status"]["coding"]] == ["overridden"]
    by = [x for x in original["extension"] if x["url"] == EXTENSION_BASE + "overridden-by"]
    assert [x["extension"][0]["valueReference"]["reference"] for x in by] == [f"urn:uuid:{resource_id(RESTRICTION)}"]
    # The authorisations say the same, each with its validity period and status.
    current = by_identifier(restriction_day, RESTRICTION + "#authorisation")
    superseded = by_identifier(restriction_day, ORIGINAL + "#authorisation")
    assert current["status"]["coding"][0]["code"] == "active" and current["validityPeriod"]["start"] == "2019-04-12"
    assert superseded["status"]["coding"][0]["code"] == "overridden"
    assert superseded["statusDate"] == "2019-04-12" and superseded["validityPeriod"] == {"start": "2013-09-12"}
    assert current["indication"][0]["reference"]["reference"] == f"urn:uuid:{resource_id(RESTRICTION)}"
    # Each with its Provenance: the EMA's record of the restriction, the Commission's of the original.
    assert {p["occurredDateTime"] for p in provenance_of(restriction_day, RESTRICTION)} >= {"2019-04-12"}
    assert {p["occurredDateTime"] for p in provenance_of(restriction_day, ORIGINAL)} == {"2013-09-12"}


def test_every_statement_is_carried_once_and_none_is_dropped(engine, graph):
    answer = engine.guidance(date(2019, 4, 12))
    bundle = validated(guidance_bundle(answer, engine, graph.store, graph.minter))
    for entry in (*answer.effective, *answer.overridden):
        s = entry.statement
        iri = str(graph.minter.statement(s.key))
        resource = by_identifier(bundle, iri)
        expected = "ClinicalUseDefinition" if s.topic in CLINICAL_USE_TYPES else "Basic"
        assert resource["resourceType"] == expected, s.key
        if expected == "Basic":  # carried with its topic as its code, never silently dropped
            assert resource["code"]["coding"][0]["code"] == s.topic
        assert len(provenance_of(bundle, iri)) == len(entry.records)
    assert any(e["resource"]["resourceType"] == "Basic" for e in bundle["entry"])


@pytest.mark.parametrize(("on", "jurisdiction"), [("2013-09-12", None), ("2014-03-01", "EU"), ("2019-04-15", "UK"),
                                                  ("2020-06-01", None), ("2024-01-01", "US")])
def test_every_answer_is_a_valid_bundle(client, on, jurisdiction):
    query = f"/api/guidance?on={on}" + (f"&jurisdiction={jurisdiction}" if jurisdiction else "")
    resp = client.get(query, headers={"Accept": FHIR_JSON})
    check(resp)
    validated(resp.get_json())


def test_the_whole_history_is_a_valid_bundle(engine, graph):
    bundle = validated(timeline_bundle(engine, graph.store, graph.minter))
    for s in engine.model.statements.values():
        by_identifier(bundle, str(graph.minter.statement(s.key)))


def test_held_texts_carry_their_text_the_fhir_sha1_and_the_graphs_sha256(restriction_day, graph):
    documents = [e["resource"] for e in restriction_day["entry"]
                 if e["resource"]["resourceType"] == "DocumentReference"]
    assert documents
    for doc in documents:
        attachment = doc["content"][0]["attachment"]
        data = base64.b64decode(attachment["data"])
        assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()
        version = graph.model.versions.get(doc["identifier"][0]["value"])
        if version is not None:
            digest = base64.urlsafe_b64encode(bytes.fromhex(version.sha256)).decode().rstrip("=")
            assert doc["identifier"][1]["value"] == f"ni:///sha-256;{digest}"
            assert hashlib.sha256(data).hexdigest() == version.sha256


def test_every_quote_is_verbatim_at_its_offsets_in_the_referenced_text(restriction_day):
    documents = {e["fullUrl"]: e["resource"] for e in restriction_day["entry"]}
    quotes = 0
    for p in (e["resource"] for e in restriction_day["entry"] if e["resource"]["resourceType"] == "Provenance"):
        for entity in p["entity"]:
            for ext in entity.get("extension", []):
                parts = {x["url"]: next(v for k, v in x.items() if k.startswith("value")) for x in ext["extension"]}
                text = base64.b64decode(documents[entity["what"]["reference"]]["content"][0]["attachment"]["data"])
                assert text.decode("utf-8")[parts["start"]:parts["end"]] == parts["exact"]
                quotes += 1
    assert quotes >= 3


def test_an_exclusive_end_becomes_the_inclusive_day_before_and_a_month_stays_a_month():
    assert fhir_end(parse_partial("2020-01-16")) == "2020-01-15"
    assert fhir_end(parse_partial("2020-03-01")) == "2020-02-29"
    assert fhir_end(parse_partial("2020-02")) == "2020-02"  # may be in force into February: never a day


def test_an_ended_statement_has_its_period_end(data_copy):
    statements = data_copy / "sources/ema-lemtrada-press-release-2019-04-12/versions/2019-04-12/statements.yaml"
    text = statements.read_text(encoding="utf-8")
    head = "- id: alemtuzumab-eu-temporary-restriction-2019\n"
    block = text[text.index(head):]
    block = block.replace("  temporary: true\n", "  temporary: true\n  valid_until: '2020-01-16'\n", 1)
    statements.write_text(text[:text.index(head)] + block, encoding="utf-8")
    ended_graph = GuidanceGraph.open(data_copy, kind="memory")
    engine = ended_graph.engine
    bundle = validated(timeline_bundle(engine, ended_graph.store, ended_graph.minter))
    ended = [s for s in engine.model.statements.values() if s.valid_until is not None]
    assert RESTRICTION in {str(ended_graph.minter.statement(s.key)) for s in ended}
    for s in ended:
        resource = by_identifier(bundle, str(ended_graph.minter.statement(s.key)))
        validity = next(x for x in resource["extension"] if x["url"] == EXTENSION_BASE + "validity")
        assert validity["valuePeriod"] == {"start": s.valid_from.isoformat(), "end": fhir_end(s.valid_until)}


def test_the_validation_catches_a_malformed_resource(restriction_day):
    broken = json.loads(json.dumps(restriction_day))
    cud = next(e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "ClinicalUseDefinition")
    del cud["type"]  # required (1..1)
    cud["typo"] = "indication"  # and no such element
    with pytest.raises(ValidationError):
        Bundle.model_validate(broken)


def test_not_acceptable_names_both_representations(client):
    resp = client.get("/api/guidance?on=2019-04-12", headers={"Accept": "text/csv"})
    assert resp.status_code == 406 and "application/fhir+json" in resp.get_json()["detail"]


def test_cli_at_format_fhir(runner, data_dir, shared_store, monkeypatch):
    monkeypatch.setenv("GUIDANCEKG_STORE", str(shared_store))
    result = runner.invoke(main, ["at", "2019-04-12", "--jurisdiction", "EU", "--format", "fhir",
                                  "--data", str(data_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    bundle = validated(json.loads(result.stdout))
    assert by_identifier(bundle, RESTRICTION)["status"]["text"] == "current: effective"


@pytest.mark.server
def test_curl_as_a_new_user_would(live_server):
    """The issue's Done-when: the real server answers curl's request with a Bundle a FHIR library parses."""
    resp = requests.get(f"{live_server.url}/api/guidance?on=2019-04-12&jurisdiction=EU",
                        headers={"Accept": FHIR_JSON}, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(FHIR_JSON)
    check(resp)
    bundle = validated(resp.json())
    restriction = by_identifier(bundle, RESTRICTION)  # the graph's IRIs, whatever the server's address
    original = by_identifier(bundle, ORIGINAL)
    assert restriction["status"]["coding"][0]["code"] == "active"
    assert original["status"]["coding"][0]["code"] == "overridden"
    assert provenance_of(bundle, restriction["identifier"][0]["value"])
    assert provenance_of(bundle, original["identifier"][0]["value"])


def test_the_authorities_identifiers_where_the_facts_give_them(engine, graph):
    bundle = validated(timeline_bundle(engine, graph.store, graph.minter))
    original = by_identifier(bundle, ORIGINAL + "#authorisation")
    assert original["case"]["identifier"]["value"] == "EMEA/H/C/003718"
    label = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DocumentReference"
             and any(i["value"].startswith(DEFAULT_BASE + "id/version/fda-lemtrada-label/")
                     for i in e["resource"]["identifier"])]
    assert label and all({"system": "urn:ietf:rfc:3986", "value": "urn:uuid:6236b0bc-82e9-4447-9a78-f57d94770269"}
                         in d["identifier"] for d in label)
    restriction = by_identifier(bundle, RESTRICTION + "#authorisation")
    assert "case" not in restriction  # the facts give no procedure number for the 2019 review: none is invented


def test_the_same_question_gives_the_same_bytes_and_etag(client):
    """docs/fhir.md: a Bundle has no timestamp, so the same question over the same data is the same document."""
    url = "/api/guidance?on=2019-04-12&jurisdiction=EU"
    first, second = (client.get(url, headers={"Accept": FHIR_JSON}) for _ in range(2))
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert "timestamp" not in first.get_json()


def test_a_uk_bundle_says_the_eu_restriction_applies_through_the_eu(client):
    """Issue 13: why a statement applies in the asked jurisdiction is in the Bundle too, as in the JSON."""
    resp = client.get("/api/guidance?on=2019-04-15&jurisdiction=UK", headers={"Accept": FHIR_JSON})
    bundle = validated(resp.get_json())
    restriction = by_identifier(bundle, f"{DEFAULT_BASE}id/statement/alemtuzumab-eu-temporary-restriction-2019")
    why = [x for x in restriction["extension"] if x["url"] == EXTENSION_BASE + "applies-in"]
    assert len(why) == 1
    parts = {p["url"]: p.get("valueCode") or p.get("valueUri") for p in why[0]["extension"]}
    assert parts == {"jurisdiction": "UK", "because": "reach", "via": "EU",
                     "relation": f"{DEFAULT_BASE}id/reach/eu-decisions-in-the-uk"}
    plain = validated(client.get("/api/guidance?on=2019-04-15", headers={"Accept": FHIR_JSON}).get_json())
    assert not any(x["url"] == EXTENSION_BASE + "applies-in" for e in plain["entry"]
                   for x in e["resource"].get("extension", []))
