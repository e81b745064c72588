"""The OpenAPI description (valid, complete, served), its readable page, and the SHACL report endpoint."""

from __future__ import annotations

import json
import re
import time

import pytest
from openapi_check import check, operation_for, spec
from openapi_spec_validator import validate
from rdflib import Dataset, URIRef

from guidancekg.api.app import create_app
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.stores.base import MemoryStore

# The blueprints whose every route the document must describe exactly (the others describe themselves briefly).
OWN_BLUEPRINTS = ("api", "docs", "ld", "vocab")


def test_openapi_file_is_a_valid_openapi_31_document():
    assert spec()["openapi"].startswith("3.1")
    validate(spec())


def test_served_document_is_valid_and_names_this_server(client):
    resp = client.get("/api/openapi.json")
    body = check(resp)
    validate(body)
    assert body["servers"][0]["url"] == "http://localhost"


def _flask_paths(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in OWN_BLUEPRINTS:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((path, method.lower()))
    return out


def test_every_route_is_documented(app):
    for path, method in _flask_paths(app):
        if path == "/id/statement/{key}/{part}":
            # One route serves the record, its parts and the overrides, each documented as a path of its own.
            for documented in ("/id/statement/k/record/s/v", "/id/statement/k/record/s/v/quote",
                               "/id/statement/k/overrides/t"):
                assert operation_for(documented, method)[1] is not None
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        _template, op = operation_for(concrete, method)
        assert op is not None, f"{method.upper()} {path} is not in api/openapi.yaml"


def test_every_documented_operation_exists(client):
    """Each documented GET answers something other than 404-for-the-path or 405 (the routes exist)."""
    for template, item in spec()["paths"].items():
        if "get" not in item:
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", template)
        resp = client.get(concrete)
        assert resp.status_code != 405, template
        if resp.status_code == 404:
            # A 404 about an unknown key is fine; a 404 for the path itself means no such route.
            assert "The requested URL was not found" not in resp.get_json()["detail"], template


def test_every_operation_documents_its_errors():
    for template, item in spec()["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            assert "413" in responses and "500" in responses, (method, template)
            if op.get("parameters") and any(p.get("$ref", "").endswith(("/on", "/from", "/format")) or
                                            p.get("in") == "query" for p in op["parameters"]):
                assert "400" in responses, (method, template)


def test_statement_schema_covers_the_contract():
    statement = spec()["components"]["schemas"]["Statement"]
    contract = {"id", "drug", "topic", "jurisdiction", "text", "valid_from", "valid_until", "precision", "status",
                "temporary", "overrides", "sources"}
    assert contract <= set(statement["required"])
    assert statement["additionalProperties"] is True
    record = spec()["components"]["schemas"]["SourceRecord"]
    assert {"source", "title", "publisher", "version", "published", "url", "quote", "confidence"} <= set(
        record["properties"])
    problem = spec()["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}


def test_the_checker_rejects_a_wrong_body(client):
    resp = client.get("/api/guidance?on=2019-04-12")
    body = resp.get_json()
    body["statements"][0]["valid_from"] = "12 April 2019"
    resp.set_data(json.dumps(body))
    with pytest.raises(AssertionError, match="schema error"):
        check(resp)


def test_docs_page_lists_every_path(client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    check(resp)
    text = resp.get_data(as_text=True)
    for template in spec()["paths"]:
        assert f"<code>{template}</code>" in text, template
    assert "Statement" in text and "Problem" in text
    assert "<script" not in text and "cdn" not in text.lower()


def test_docs_page_is_html_whatever_accept_says(client):
    resp = client.get("/api/docs", headers={"Accept": "text/html"})
    assert resp.status_code == 200


# -- SHACL report ----------------------------------------------------------------------------------------------

def test_validate_reports_the_loaded_graph_conforms(client):
    body = check(client.get("/api/validate"))
    assert body["conforms"] is True
    assert body["results"] == [] or all(r["severity"] != "Violation" for r in body["results"])
    assert body["triples"] > 1000


def test_validate_reports_violations_with_focus_path_and_message(graph):
    """A graph missing a statement's defining record does not conform, and the report says where and why."""
    ds = Dataset()
    ds.parse(data=graph.store.dump_nquads().decode("utf-8"), format="nquads")
    statement = URIRef(DEFAULT_BASE + "id/statement/alemtuzumab-eu-temporary-restriction-2019")
    wording = URIRef("https://w3id.org/guidancekg/ns#definingRecord")
    for _s, _p, _o, ctx in list(ds.quads((statement, wording, None, None))):
        ds.graph(ctx).remove((statement, wording, None))
    broken = GuidanceGraph(MemoryStore(ds), graph.model, graph.engine, graph.minter, graph.data_dir, ())
    app = create_app({"TESTING": True, "GUIDANCEKG_BASE": "http://localhost/"}, graph=broken)
    client = app.test_client()
    # A graph whose build computed no report: computed once, in the background; meanwhile 503 with Retry-After.
    first = client.get("/api/validate")
    assert first.status_code == 503 and first.headers["Retry-After"] and check(first)["type"].endswith(
        "/report-pending")
    deadline = time.monotonic() + 120
    while (resp := client.get("/api/validate")).status_code == 503:
        assert time.monotonic() < deadline, "the report was never computed"
        time.sleep(0.2)
    body = check(resp)
    assert body["conforms"] is False
    hits = [r for r in body["results"] if r["focus"] == str(statement)]
    assert hits and hits[0]["message"]
    assert str(wording) in {r["path"] for r in hits}
