"""The same store tests over every store kind: in-memory rdflib, on-disk Oxigraph and a remote SPARQL server.

The remote kind runs against a real Virtuoso Open Source server when ``GUIDANCEKG_TEST_VIRTUOSO_URL`` names its
SPARQL endpoint (``.ci/run`` installs and starts one on loopback; ``.ci/virtuoso start`` does it by hand), and is
skipped, saying so, otherwise.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD

from guidancekg.graph.engine.answers import Engine, Filters
from guidancekg.graph.engine.model import Model, load_model
from guidancekg.graph.errors import QuerySyntaxError, StoreError
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.sparql.library import EVERYTHING, QUERIES_DIR, bind_values, day_term
from guidancekg.graph.stores.base import MemoryStore, OxigraphStore, Store
from guidancekg.graph.stores.build import compile_data
from guidancekg.graph.stores.kinds import open_store
from guidancekg.graph.stores.remote import RemoteConfig, RemoteStore
from guidancekg.graph.views.serialize import changes_json, guidance_json, timeline_json

IRIS = Minter("http://localhost/")  # the test app's base (conftest.TEST_BASE)

DATA = Path(__file__).resolve().parents[1] / "data"
BASE = "http://localhost/"
VIRTUOSO = os.environ.get("GUIDANCEKG_TEST_VIRTUOSO_URL")
NO_SERVER = "no SPARQL server configured: set GUIDANCEKG_TEST_VIRTUOSO_URL (.ci/run starts Virtuoso on loopback)"
KINDS = ["memory", "oxigraph", pytest.param("remote", marks=pytest.mark.skipif(not VIRTUOSO, reason=NO_SERVER))]
KEY_DATES = ["2013-06-01", "2014-03-01", "2019-04-11", "2019-04-12", "2019-04-18", "2020-01-16", "2020-02-01"]
KNOWN = [None, "2014-05-31", "2019-04-15"]


@pytest.fixture(scope="module")
def reference() -> tuple[Store, Engine]:
    store = MemoryStore(compile_data(DATA, BASE).dataset)  # RDF only: its model is read back over SPARQL
    return store, Engine(load_model(store))


@pytest.fixture(scope="module", params=KINDS)
def opened(request, tmp_path_factory) -> tuple[Store, Engine]:
    kind = request.param
    with pytest.MonkeyPatch.context() as env:  # the remote kind reads its configuration from the environment
        env.setenv("GUIDANCEKG_STORE_URL", VIRTUOSO or "")
        env.setenv("GUIDANCEKG_STORE_PAGE", "500")
        store, _warnings = open_store(DATA, base=BASE, kind=kind, root=tmp_path_factory.mktemp(f"store-{kind}"))
    yield store, Engine(load_model(store))
    store.close()


def _plain(nquads: bytes) -> tuple[set[str], int]:
    """Return the quads without blank nodes, and how many have one (their labels differ from store to store)."""
    lines = [line for line in nquads.decode("utf-8").splitlines() if line.strip()]
    named = {line for line in lines if "_:" not in line}
    return named, len(lines) - len(named)


def _as_terms(text: str) -> set:
    """Return the quads of N-Quads ``text`` as parsed terms; Oxigraph keeps xsd:nonNegativeInteger values as
    xsd:integer (the same value), so both are read as xsd:integer."""
    import pyoxigraph as ox

    text = text.replace("XMLSchema#nonNegativeInteger>", "XMLSchema#integer>")
    return set(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))


def test_the_store_holds_the_bundled_data(opened, reference):
    store, _ = opened
    mine, theirs = _plain(store.dump_nquads()), _plain(reference[0].dump_nquads())
    assert mine[1] == theirs[1]
    if store.kind == "oxigraph" or store.kind == "remote":
        # Literals may be written in another canonical form; compare as parsed terms.
        assert _as_terms("\n".join(sorted(mine[0]))) == _as_terms("\n".join(sorted(theirs[0])))
    else:
        assert mine[0] == theirs[0]


def test_load_model_gives_the_same_model(opened, reference):
    """The snapshot a build wrote holds the records its RDF holds (the reference reads them back over SPARQL)."""
    assert load_model(opened[0]).corpus == load_model(reference[0]).corpus


@pytest.mark.parametrize("known", KNOWN)
def test_engine_answers_are_equal_on_key_dates(opened, reference, known):
    engine, ref = opened[1], reference[1]
    k = date.fromisoformat(known) if known else None
    for on in KEY_DATES:
        for filters in (Filters(), Filters(jurisdiction="EU", topic="indication"), Filters(drug="alemtuzumab")):
            d = date.fromisoformat(on)
            assert (guidance_json(engine.guidance(d, k, filters), IRIS)
                    == guidance_json(ref.guidance(d, k, filters), IRIS))
    start, end = date(2012, 1, 1), date(2022, 12, 31)
    assert (changes_json(engine.changes(start, end, k), start, end, k, Filters(), IRIS)
            == changes_json(ref.changes(start, end, k), start, end, k, Filters(), IRIS))
    assert timeline_json(engine.timeline(k), k, Filters(), IRIS) == timeline_json(ref.timeline(k), k, Filters(), IRIS)


def _library(name: str, *values: str) -> str:
    """Return a library query with its VALUES row bound: days as ``xsd:date``, anything else (a code) as a string."""
    terms = [day_term(v) if v[:4].isdigit() else f'"{v}"' for v in values]
    return bind_values((QUERIES_DIR / name).read_text(encoding="utf-8"), *terms)


# Virtuoso 7.2.5 (Debian's virtuoso-opensource-7) gets two of the library queries wrong: its SQL compiler fails on
# changes-between-dates ("SQ156: Internal Optimized compiler error"), and on some runs, not all, it drops the 2014
# licensing row of guidance-on-date on 2014-03-01 (the nested FILTER NOT EXISTS; its data and each pattern alone
# read back right). The engine's answers over the same server are right (test_engine_answers_are_equal_on_key_dates):
# the engine only runs the simple queries of graph/engine/model.py.
VIRTUOSO_BUG = "Virtuoso 7.2.5 evaluates this nested FILTER NOT EXISTS query wrongly at times or fails to compile it"
LIBRARY = [
    ("guidance-on-date.rq", ("2019-04-12", EVERYTHING), ()),
    ("guidance-on-date.rq", ("2014-03-01", EVERYTHING), ("remote",)),
    ("guidance-on-date-as-known.rq", ("2019-04-12", "2019-04-15"), ("remote",)),
    ("overridden-on-date.rq", ("2019-04-12", EVERYTHING), ()),
    ("overridden-on-date.rq", ("2020-02-01", "2019-04-18"), ()),
    ("changes-between-dates.rq", ("2019-01-01", "2020-12-31", EVERYTHING), ("remote",)),
    # Virtuoso 7.2.5 does not compile the jurisdiction queries ("SQ074" at their last line), though each construct
    # they use compiles alone (EXISTS in IF and in ||, skos:broader*/^gk:jurisdiction, a UNION of BINDs).
    ("guidance-in-jurisdiction.rq", ("2019-04-15", EVERYTHING, "UK"), ("remote",)),
    ("guidance-in-jurisdiction.rq", ("2021-06-01", "2021-06-01", "UK"), ("remote",)),
    ("overridden-in-jurisdiction.rq", ("2020-12-31", EVERYTHING, "GB-NIR"), ("remote",)),
]
SLOW_ON_RDFLIB = {"changes-between-dates.rq", "guidance-in-jurisdiction.rq", "overridden-in-jurisdiction.rq"}


@pytest.fixture(scope="module")
def oxigraph_reference() -> Store:
    """The library queries' reference answers: Oxigraph in memory (rdflib takes a minute on the changes query)."""
    return OxigraphStore.in_memory(compile_data(DATA, BASE).dataset.serialize(format="nquads", encoding="utf-8"))


@pytest.mark.parametrize(("name", "values", "known_bad"), LIBRARY)
def test_library_queries_give_equal_rows(opened, oxigraph_reference, name, values, known_bad):
    store = opened[0]
    if store.kind == "memory" and name in SLOW_ON_RDFLIB:
        pytest.skip("rdflib takes minutes on this query here; tests/test_sparql_agreement.py runs it there")
    query = _library(name, *values)
    key = lambda r: sorted((k, v or "") for k, v in r.items())  # noqa: E731
    expected = sorted(oxigraph_reference.select(query), key=key)
    assert expected, f"{name} gave no rows"
    try:
        mine = sorted(store.select(query), key=key)
    except StoreError as exc:
        if store.kind in known_bad:
            pytest.xfail(f"{VIRTUOSO_BUG}: {exc}")
        raise
    if store.kind in known_bad and mine != expected:
        pytest.xfail(VIRTUOSO_BUG)
    assert mine == expected


@pytest.mark.parametrize("describe", ["statement", "source", "version", "drug", "record"])
def test_linked_data_descriptions_are_equal(opened, reference, describe):
    """The linked-data CONSTRUCTs (property paths, inverse ones too) give the same triples on every store kind;
    the remote store runs them on the server, with Virtuoso's 1/0 booleans and integers given their datatypes."""
    from guidancekg.api import ld_queries as q

    model = reference[1].model
    s = model.statements["alemtuzumab-eu-temporary-restriction-2019"]
    record = next(iter(model.records[s.key]))
    query = {"statement": lambda: q.statement_query(str(IRIS.statement(s.key))),
             "source": lambda: q.source_query(str(IRIS.source("mssociety-lemtrada"))),
             "version": lambda: q.version_query(str(IRIS.version(record.source, record.version))),
             "drug": lambda: q.with_links_query(str(IRIS.drug("alemtuzumab")), "gk:drug"),
             "record": lambda: q.part_query(str(IRIS.record(s.key, record.source, record.version)))}[describe]()

    mine, expected = (_as_terms(store.construct(query).serialize(format="nt")) for store in (opened[0], reference[0]))
    assert len(expected) > 3 and mine == expected


def test_select_returns_every_row(opened, reference):
    query = ("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
             "FILTER(isIRI(?s) && STRSTARTS(STR(?s), 'http://localhost/')) }")
    assert len(opened[0].select(query)) == len(reference[0].select(query)) > 1000


# -- the remote store on its own ---------------------------------------------------------------------------

remote = pytest.mark.skipif(not VIRTUOSO, reason=NO_SERVER)


@remote
def test_remote_construct_runs_on_the_server_without_copying_the_store(monkeypatch):
    store = RemoteStore(RemoteConfig(VIRTUOSO or ""))
    monkeypatch.setattr(store, "dump_nquads", lambda: pytest.fail("construct copied the whole store"))
    found = store.construct("PREFIX gk: <https://w3id.org/guidancekg/ns#> "
                            "CONSTRUCT { ?s gk:temporary ?t } WHERE { ?s gk:temporary ?t }")
    assert len(found) > 20 and {o.datatype for o in found.objects()} == {XSD.boolean}
    with pytest.raises(QuerySyntaxError):
        store.construct("SELECT * WHERE { ?s ?p ?o }")


@remote
def test_remote_pages_instead_of_truncating():
    small = RemoteStore(RemoteConfig(VIRTUOSO or "", page=7))
    big = RemoteStore(RemoteConfig(VIRTUOSO or "", page=10000))
    query = "PREFIX gk: <https://w3id.org/guidancekg/ns#> SELECT ?s ?w WHERE { ?s gk:wording ?w }"
    assert sorted(map(repr, small.select(query))) == sorted(map(repr, big.select(query)))
    assert len(small.select(query)) > 7
    ordered = ("PREFIX gk: <https://w3id.org/guidancekg/ns#> "
               "SELECT DISTINCT ?s WHERE { ?s gk:wording ?w } ORDER BY DESC(?s)")
    rows = [r["s"] for r in small.select(ordered)]
    assert rows == sorted(rows, reverse=True) and len(rows) == len(set(rows))
    with pytest.raises(StoreError, match="truncated"):
        small.select(query + " LIMIT 100")


@remote
def test_remote_reopens_without_loading_and_reloads_when_stale(monkeypatch, data_copy):
    monkeypatch.setenv("GUIDANCEKG_STORE_URL", VIRTUOSO or "")
    said: list[str] = []
    open_store(DATA, base=BASE, kind="remote", say=said.append)
    said.clear()
    open_store(DATA, base=BASE, kind="remote", say=said.append)
    assert said == []
    store = RemoteStore(RemoteConfig(VIRTUOSO or ""))
    store.update("DELETE WHERE { GRAPH <urn:guidancekg:store:meta> { ?b <urn:guidancekg:store:state> ?s } }")
    open_store(DATA, base=BASE, kind="remote", say=said.append)
    assert said and "incomplete" in said[0]
    said.clear()
    seed = data_copy / "sources/mssociety-lemtrada/versions/2019-04-18/statements.yaml"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n# a curator's comment\n", encoding="utf-8")
    open_store(data_copy, base=BASE, kind="remote", say=said.append)
    assert said and "stale" in said[0]
    open_store(DATA, base=BASE, kind="remote")  # leave the server as the other tests expect


@remote
def test_remote_batched_load_of_a_larger_dataset(tmp_path):
    store = RemoteStore(RemoteConfig(VIRTUOSO or ""), batch=300, single_request=500)
    compiled = compile_data(DATA, BASE)
    published = RemoteStore.publish(compiled, data_dir=DATA, root=tmp_path, store=store)
    assert published.count_quads() > 1000
    assert store.build_state()["state"] == "complete"
    assert load_model(published).corpus == Model.of(compiled.corpus).corpus
    published.close()


def _one_quad_per_graph(graphs: int, tag: str) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(f"urn:test:s{i}"), ox.NamedNode("urn:test:p"), ox.Literal(tag),
                    ox.NamedNode(f"urn:test:g{i}")) for i in range(graphs)]


@remote
def test_a_build_of_thousands_of_graphs_is_published_and_replaced_on_virtuoso(monkeypatch):
    """The pointer named every graph of a build in one INSERT DATA, and a new build dropped the old graphs in one
    request: Virtuoso refuses either past about a thousand ("the length of generated SQL text has exceeded 10000
    lines"), so 10^5 synthetic statements (one graph per version, 3,739 of them) could not be published."""
    monkeypatch.setenv("GUIDANCEKG_STORE_URL", VIRTUOSO or "")
    store = RemoteStore(RemoteConfig(VIRTUOSO or ""), batch=500, single_request=500)
    try:
        store.replace_dataset(_one_quad_per_graph(2500, "first"), {"fingerprint": "many graphs, first"})
        assert len(store.graphs()) == 2500
        assert store.build_state()["state"] == "complete"
        store.replace_dataset(_one_quad_per_graph(1200, "second"), {"fingerprint": "many graphs, second"})
        assert len(store.graphs()) == 1200
        assert store.count_quads() == 1200
        left = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <urn:test:p> ?o } }")
        assert left[0]["n"] == "1200"  # the first build's other 1,300 graphs were dropped
        assert store.build_state() == {"fingerprint": "many graphs, second", "state": "complete", "quads": "1200"}
    finally:
        open_store(DATA, base=BASE, kind="remote")  # leave the server as the other tests expect


def test_remote_credentials_never_show(monkeypatch):
    config = RemoteConfig("http://alice:s3cret@127.0.0.1:9/sparql").normalised()
    assert config.user == "alice" and config.password == "s3cret"
    assert "s3cret" not in config.url and "s3cret" not in repr(config)
    store = RemoteStore(config)
    assert "s3cret" not in repr(store)
    with pytest.raises(StoreError) as info:
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert "s3cret" not in str(info.value) and "cannot reach" in str(info.value)
    monkeypatch.setenv("GUIDANCEKG_STORE_URL", "http://127.0.0.1:9/sparql")
    monkeypatch.setenv("GUIDANCEKG_STORE_PASSWORD", "hunter2")
    monkeypatch.setenv("GUIDANCEKG_STORE_USER", "bob")
    assert "hunter2" not in repr(RemoteConfig.from_env())


def test_remote_needs_a_url(monkeypatch):
    monkeypatch.delenv("GUIDANCEKG_STORE_URL", raising=False)
    with pytest.raises(StoreError, match="store-url"):
        RemoteConfig.from_env()


def test_an_on_disk_build_keeps_a_snapshot_of_its_model(tmp_path, reference, monkeypatch):
    store, _ = open_store(DATA, base=BASE, kind="oxigraph", root=tmp_path / "store")
    assert store.build_dir is not None and (store.build_dir / "snapshot" / "snapshot.json").is_file()

    def no_query(*_args, **_kwargs):
        raise AssertionError("the model was read over SPARQL")

    for method in ("select", "construct", "dump_nquads", "to_dataset"):
        monkeypatch.setattr(store, method, no_query)
    assert load_model(store).corpus == load_model(reference[0]).corpus  # from the snapshot alone
    store.close()


def test_an_unreadable_snapshot_is_refused_naming_it(tmp_path):
    store, _ = open_store(DATA, base=BASE, kind="oxigraph", root=tmp_path / "store")
    assert store.build_dir is not None
    (store.build_dir / "snapshot" / "s.start.npy").write_bytes(b"not an array")
    with pytest.raises(StoreError, match="cannot read the snapshot"):
        load_model(store)
    store.close()
