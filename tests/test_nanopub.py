"""Each record as a nanopublication: parsed with the nanopub library, its structure and trusty URI checked."""

from __future__ import annotations

import warnings

import pytest
from nanopub import Nanopub
from nanopub.sign_utils import verify_trusty
from nanopub.utils import MalformedNanopubError
from openapi_check import check
from rdflib import RDF, ConjunctiveGraph, Literal, Namespace, URIRef

from guidancekg.cli.main import main
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.views.nanopub import records, trusty_iri
from guidancekg.ontology.vocab import GK, OA

NP = Namespace("http://www.nanopub.org/nschema#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RESTRICTION = URIRef(DEFAULT_BASE + "id/statement/alemtuzumab-eu-temporary-restriction-2019")


def split(trig: str) -> list[ConjunctiveGraph]:
    """Return each nanopublication of a TriG document as a graph of its own four named graphs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        everything = ConjunctiveGraph()
        everything.parse(data=trig, format="trig")
        out = []
        for this in everything.subjects(RDF.type, NP.Nanopublication):
            one = ConjunctiveGraph()
            head = next(everything.contexts((this, RDF.type, NP.Nanopublication))).identifier
            names = [head, *(everything.value(this, p) for p in (NP.hasAssertion, NP.hasProvenance,
                                                                 NP.hasPublicationInfo))]
            for name in names:
                for triple in everything.get_context(name):
                    one.add((*triple, one.get_context(name)))
            out.append(one)
    return out


def parsed(np: ConjunctiveGraph) -> Nanopub:
    """Parse with the library, check it is well formed and that its trusty URI is its content's hash."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pub = Nanopub(rdf=np)
        assert pub.is_valid
        verify_trusty(np, str(pub.metadata.np_uri), pub.metadata.namespace)
    return pub


@pytest.fixture(scope="module")
def exported(runner_module, data_dir, tmp_path_factory) -> list[ConjunctiveGraph]:
    out = tmp_path_factory.mktemp("np") / "nanopubs.trig"
    result = runner_module.invoke(main, ["export", "--format", "nanopub", "-o", str(out), "--data", str(data_dir),
                                         "--store-kind", "memory"],
                                  catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return split(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runner_module():
    from click.testing import CliRunner

    return CliRunner()


def test_export_writes_one_nanopublication_per_record_each_parsed_by_the_library(exported, graph):
    assert len(exported) == len(list(records(graph.model)))
    iris = {str(parsed(np).metadata.np_uri) for np in exported}
    assert len(iris) == len(exported)  # each record its own trusty IRI
    assert all(iri.startswith(DEFAULT_BASE + "np/") and "/RA" in iri for iri in iris)


def _graph(np: ConjunctiveGraph, link: URIRef):
    this = next(np.subjects(RDF.type, NP.Nanopublication))
    return np.get_context(np.value(this, link))


def test_assertion_provenance_and_publication_info(exported, graph):
    ema = DEFAULT_BASE + "id/version/ema-lemtrada-press-release-2019-04-12/2019-04-12"
    np = next(n for n in exported if (None, PROV.wasDerivedFrom, URIRef(ema)) in _graph(n, NP.hasProvenance)
              and (RESTRICTION, RDF.type, GK.Statement) in _graph(n, NP.hasAssertion))
    assertion, provenance, info = (_graph(np, p) for p in (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo))
    s = graph.model.statements[str(RESTRICTION).rsplit("/", 1)[-1]]
    assert (RESTRICTION, GK.topic, None) in assertion and (RESTRICTION, GK.jurisdiction, None) in assertion
    assert assertion.value(RESTRICTION, GK.validFrom) == Literal(s.valid_from.isoformat(), datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    assert set(assertion.objects(RESTRICTION, GK.overrides)) == {graph.minter.statement(o.target) for o in s.overrides}
    record = provenance.value(assertion.identifier, PROV.qualifiedDerivation)
    assert provenance.value(record, PROV.entity) == URIRef(ema)
    assert provenance.value(record, GK.confidence) is not None
    exact = next(provenance.objects(None, OA.exact))
    assert str(exact).startswith("Lemtrada should only be started")
    assert (None, GK.heldText, None) not in provenance  # the version, never its whole text
    assert (URIRef(trusty_iri(np)), PROV.wasDerivedFrom, record) in info


def test_a_changed_triple_breaks_the_trusty_uri(exported):
    np = exported[0]
    pub = parsed(np)
    assertion = _graph(np, NP.hasAssertion)
    subject = next(iter(assertion.subjects()))
    assertion.add((subject, GK.wording, Literal("tampered")))
    with pytest.raises(MalformedNanopubError):
        verify_trusty(np, str(pub.metadata.np_uri), pub.metadata.namespace)


def test_route_per_record_serves_the_same_nanopublication(client, exported):
    path = "/np/alemtuzumab-eu-temporary-restriction-2019/ema-lemtrada-press-release-2019-04-12/2019-04-12"
    resp = client.get(path)
    check(resp)
    assert resp.status_code == 200 and resp.mimetype == "application/trig"
    [np] = split(resp.get_data(as_text=True))
    iri = str(parsed(np).metadata.np_uri)
    assert iri in {trusty_iri(n) for n in exported}
    assert resp.headers["Link"] == f'<{iri}>; rel="canonical"'
    trusty = client.get("/" + iri.removeprefix(DEFAULT_BASE))  # where the server answers for the IRI
    check(trusty)
    assert trusty.status_code == 200 and trusty.data == resp.data
    assert check(client.get(path + "/RA" + "x" * 43))["status"] == 404


def test_unknown_record_is_a_clear_404(client):
    resp = client.get("/np/alemtuzumab-eu-temporary-restriction-2019/nice-ta312/2014-05")
    body = check(resp)
    assert resp.status_code == 404 and "alemtuzumab-eu-temporary-restriction-2019/nice-ta312/2014-05" in body["detail"]
