"""The dataset's DCAT and VoID description: served, valid against its shapes, true to the data; and its downloads."""

from __future__ import annotations

import json
import warnings

import pytest
from fhir.resources import get_fhir_model_class
from openapi_check import check
from rdflib import RDF, RDFS, ConjunctiveGraph, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID, XSD

from guidancekg.cli.main import main
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.rdf.shacl import validate
from guidancekg.graph.views.void import EXPORT_FORMATS, IANA_MEDIA_TYPES, describe, temporal_coverage
from guidancekg.ontology import DATASET_SHAPES_FILE

DATASET = URIRef(DEFAULT_BASE + ".well-known/void#dataset")


@pytest.fixture(scope="module")
def served(app) -> Graph:
    resp = app.test_client().get("/.well-known/void")
    check(resp)
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    return Graph().parse(data=resp.get_data(as_text=True), format="turtle")


def test_description_conforms_to_the_dataset_shapes(served):
    report = validate(served, shapes=DATASET_SHAPES_FILE)
    assert report.conforms, report.results


@pytest.mark.parametrize("removed", [VOID.sparqlEndpoint, DCTERMS.temporal, DCTERMS.publisher, DCAT.distribution])
def test_the_shapes_refuse_a_description_without_what_it_promises(served, removed):
    broken = Graph()
    broken += served
    broken.remove((DATASET, removed, None))
    assert not validate(broken, shapes=DATASET_SHAPES_FILE).conforms


def test_endpoint_and_temporal_coverage(served, graph):
    assert served.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    period = served.value(DATASET, DCTERMS.temporal)
    start, end = temporal_coverage(graph.model)
    assert served.value(period, DCAT.startDate) == Literal("2013-09-12", datatype=XSD.date) == Literal(
        start.isoformat(), datatype=XSD.date)
    assert str(served.value(period, DCAT.endDate)) == end.isoformat()
    assert len(set(served.objects(DATASET, VOID.exampleResource))) >= 1


def test_every_source_with_its_publisher_and_the_rights_the_data_gives(served, graph):
    sources = set(served.objects(DATASET, DCTERMS.source))
    assert sources == {graph.minter.source(s.key) for s in graph.model.sources.values()}
    for src in graph.model.sources.values():
        rights = served.value(graph.minter.source(src.key), DCTERMS.rights)
        if src.attribution is None:
            assert rights is None, src.key  # no licence or rights invented where the data gives none
        else:
            assert str(served.value(rights, RDFS.label)) == src.attribution
    assert (DATASET, DCTERMS.license, None) not in served


def test_each_distribution_downloads_in_its_declared_media_type(client, served):
    distributions = set(served.objects(DATASET, DCAT.distribution))
    downloads = {d for d in distributions if served.value(d, DCAT.downloadURL) is not None}
    assert len(downloads) == len(EXPORT_FORMATS)
    for dist in downloads:
        url = str(served.value(dist, DCAT.downloadURL))
        resp = client.get(url.removeprefix("http://localhost"))
        check(resp)
        media_type = str(served.value(dist, DCAT.mediaType)).removeprefix(IANA_MEDIA_TYPES)
        assert resp.status_code == 200 and resp.mimetype == media_type, url
        body = resp.get_data(as_text=True)
        if url.endswith("/fhir"):
            get_fhir_model_class("Bundle").model_validate(json.loads(body))
        elif url.endswith("/turtle"):
            assert len(Graph().parse(data=body, format="turtle")) > 1000
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                parsed = ConjunctiveGraph().parse(data=body, format={"application/trig": "trig",
                                                  "application/n-quads": "nquads",
                                                  "application/ld+json": "json-ld"}[media_type])
            assert len(parsed) > 1000, url


def test_the_export_carries_the_description_in_a_graph_of_its_own(runner, data_dir, tmp_path):
    out = tmp_path / "all.trig"
    result = runner.invoke(main, ["export", "--format", "trig", "-o", str(out), "--data", str(data_dir),
                                  "--store-kind", "memory"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ds = Dataset()
    ds.parse(out, format="trig")
    description = ds.graph(URIRef(DEFAULT_BASE + ".well-known/void"))
    assert (DATASET, RDF.type, VOID.Dataset) in description
    assert validate(description, shapes=DATASET_SHAPES_FILE).conforms


def test_the_description_is_the_same_byte_for_byte(client):
    for accept in ("text/turtle", "application/ld+json", "application/n-triples"):
        first, second = (client.get("/.well-known/void", headers={"Accept": accept}) for _ in range(2))
        assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"], accept


def test_describe_names_no_date_the_data_does_not(graph):
    g = describe(graph.model, graph.minter)
    named = {p.isoformat() for s in graph.model.statements.values() for p in (s.valid_from, s.valid_until) if p}
    named |= {v.published.isoformat() for v in graph.model.versions.values()}
    for _s, _p, o in g.triples((None, DCAT.startDate, None)):
        assert str(o) in named
    for _s, _p, o in g.triples((None, DCAT.endDate, None)):
        assert str(o) in named


def test_exporting_never_changes_the_store(graph):
    """Regression: the export added the description to an in-memory store's own dataset, changing every later
    answer read from that store (nanopublications hashed differently after an export)."""
    from guidancekg.graph.views.export import export

    before = graph.store.dump_nquads()
    for name in EXPORT_FORMATS:
        export(name, graph.store, graph.engine, graph.minter)
    assert graph.store.dump_nquads() == before
