"""The W3C SPARQL 1.1 Protocol tests (manifest in ../shared/conformance), run against /sparql.

Every ``query_*`` and ``bad_query_*`` test must pass as written. This endpoint is read-only, so every update
request of an ``update_*`` or ``bad_update_*`` test must be refused with a 4xx; the queries that follow an
update in those tests must still be answered (their expected boolean assumed the update ran, so it is not
checked). The manifest is read where it lies, never copied into the project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection

from guidancekg.api.app import create_app
from guidancekg.graph.corpus.records import Corpus
from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.engine.model import Model
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.sparql.formats import GRAPH_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from guidancekg.graph.stores.base import OxigraphStore

SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "sparql11-protocol"
MANIFEST = SUITE / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # allowed status classes: 2, 3, 4
    boolean: bool | None
    form: str | None  # "boolean", "tabular" or "RDF"


@dataclass
class Case:
    name: str
    title: str
    requests: list[Request] = field(default_factory=list)


def _status_class(term: URIRef) -> int:
    return int(str(term).rsplit("StatusCode", 1)[1][0])


def load_cases() -> tuple[list[Case], dict[str, Path]]:
    """Read the manifest: its tests in order, and the data files by graph name."""
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    cases, data = [], {}
    for entry in Collection(g, g.value(manifest, MF.entries)):
        case = Case(str(entry).rsplit("#", 1)[1], str(g.value(entry, MF.name)))
        for graph_data in g.objects(entry, UT.graphData):
            data[str(g.value(graph_data, RDFS.label))] = SUITE / Path(str(g.value(graph_data, UT.graph))).name
        action = g.value(entry, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {}
            if g.value(req, HT.headers) is not None:
                for h in Collection(g, g.value(req, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body_node = g.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            expected_boolean = g.value(resp, MF.expectedBoolean)
            form = g.value(resp, MF.expectedFormat)
            case.requests.append(Request(
                method=str(g.value(req, HT.methodName)),
                path=str(g.value(req, HT.absolutePath)),
                headers=headers, body=body,
                statuses={_status_class(s) for s in g.objects(resp, MF.expectedStatus)},
                boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
                form=None if form is None else str(form)))
        cases.append(case)
    return cases, data


if MANIFEST.is_file():
    CASES, DATA = load_cases()
    PARAMS = [pytest.param(c, id=c.name) for c in CASES]
else:
    CASES, DATA = [], {}
    PARAMS = [pytest.param(None, id="manifest-missing",
                           marks=pytest.mark.skip(reason=f"the SPARQL 1.1 Protocol manifest is not at {MANIFEST}"))]


@pytest.fixture(scope="module")
def client():
    """An app whose store holds the suite's data files, each as the named graph its tests call it."""
    store = ox.Store()
    for name, path in DATA.items():
        store.load(path.read_bytes(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    nquads = bytes(store.dump(format=ox.RdfFormat.N_QUADS))
    model = Model.of(Corpus())
    graph = GuidanceGraph(OxigraphStore.in_memory(nquads), model, Engine(model), Minter("http://www.example/"),
                          SUITE, ())
    app = create_app({"TESTING": True, "SERVER_NAME": "www.example", "GUIDANCEKG_BASE": "http://www.example/"},
                     graph=graph)
    yield app.test_client()
    from guidancekg.api.state import runtime

    runtime(app).close()


def send(client, req: Request):
    path = req.path
    assert path.startswith("/sparql/"), path
    path = "/sparql" + path[len("/sparql/"):]  # this endpoint lives at /sparql (/sparql/ works too)
    headers = {k: v for k, v in req.headers.items() if k.lower() != "content-type"}
    content_type = next((v for k, v in req.headers.items() if k.lower() == "content-type"), None)
    kwargs = {"headers": headers}
    if req.body is not None:
        kwargs["data"] = req.body
    if content_type is not None:
        kwargs["content_type"] = content_type
    return client.open(path, method=req.method, **kwargs)


def check_form(resp, req: Request) -> None:
    mimetype = resp.mimetype
    body = resp.get_data()
    if req.form == "boolean":
        assert mimetype in ("application/sparql-results+json", "application/sparql-results+xml")
        answer = bool(ox.parse_query_results(body, format=RESULTS_MEDIA_TYPES[mimetype]))
        if req.boolean is not None:
            assert answer is req.boolean
    elif req.form == "tabular":
        assert mimetype in RESULTS_MEDIA_TYPES
        if mimetype == "application/sparql-results+json":
            assert json.loads(body)["head"]["vars"] == ["value"]
        list(ox.parse_query_results(body, format=RESULTS_MEDIA_TYPES[mimetype]))
    elif req.form == "RDF":
        assert mimetype in GRAPH_MEDIA_TYPES
        rdflib_format = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                         "application/rdf+xml": "xml", "application/trig": "trig",
                         "application/n-quads": "nquads"}[mimetype]
        Dataset().parse(data=body.decode("utf-8"), format=rdflib_format)


def is_update(req: Request) -> bool:
    content_type = next((v for k, v in req.headers.items() if k.lower() == "content-type"), "")
    body = (req.body or b"").decode("utf-8", "replace") if "utf-16" not in content_type.lower() else ""
    return ("sparql-update" in content_type or body.startswith("update=") or "update=" in req.path
            or "using-graph-uri" in req.path or "using-named-graph-uri" in req.path)


def test_the_manifest_was_read():
    if not MANIFEST.is_file():
        pytest.skip(f"the SPARQL 1.1 Protocol manifest is not at {MANIFEST}")
    names = [c.name for c in CASES]
    assert len(names) == 34 and len(DATA) == 3
    assert sum(n.startswith("query_") for n in names) == 13
    assert sum(n.startswith("bad_query_") for n in names) == 6


@pytest.mark.parametrize("case", PARAMS)
def test_protocol(client, case: Case):
    for i, req in enumerate(case.requests):
        resp = send(client, req)
        status = resp.status_code // 100
        if case.name.startswith("update_") and i == 0:
            # Read-only: the update is refused, whatever the test expects of an update endpoint.
            assert is_update(req)
            assert status == 4, (req.path, resp.status_code, resp.get_data(as_text=True))
            assert resp.get_json(force=True)["type"].endswith("/query-refused")
        elif case.name.startswith("update_"):
            # The query after it is answered; its expected boolean assumed the update had run.
            assert status == 2, (req.path, resp.status_code, resp.get_data(as_text=True))
        else:
            assert status in req.statuses, (case.name, resp.status_code, resp.get_data(as_text=True))
            if status == 2:
                check_form(resp, req)
        if status == 4:
            assert resp.mimetype == "application/problem+json"
