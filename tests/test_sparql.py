"""graph/sparql/ (pool, worker, execution, screen): inspection, dataset, formats, row cap, time limit, admission."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from benchmarks.hostile import Listener
from guidancekg.api.web import choose_formats
from guidancekg.graph.errors import (
    EndpointBusy,
    QueryNotAcceptable,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
)
from guidancekg.graph.sparql.execution import execute
from guidancekg.graph.sparql.formats import GRAPH_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from guidancekg.graph.sparql.lexer import keywords
from guidancekg.graph.sparql.pool import SparqlExecutor
from guidancekg.graph.sparql.screen import inspect_query
from guidancekg.graph.stores.base import OxigraphStore

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CARTESIAN_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0


@pytest.fixture()
def listener():
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def executor(graph):
    """Workers over the bundled data (a memory store, shipped to each worker as N-Quads)."""
    with SparqlExecutor(graph.store, workers=2, timeout=TIMEOUT, max_rows=500) as ex:
        ex.warm()
        yield ex


@pytest.fixture(scope="module")
def ox_store(graph):
    store = ox.Store()
    store.bulk_load(graph.store.dump_nquads(), format=ox.RdfFormat.N_QUADS)
    return store


def run_json(executor, query: str, **kwargs) -> dict:
    return json.loads(executor.run(query, **kwargs).body)


def count(executor, query: str, **kwargs) -> int:
    data = run_json(executor, query, **kwargs)
    return int(data["results"]["bindings"][0]["n"]["value"])


# -- inspection: updates ----------------------------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }",
    "insert data { graph <http://ex/g> { <http://ex/a> <http://ex/b> 1 } }",
    "DELETE DATA { <http://ex/a> <http://ex/b> <http://ex/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT { ?s a <http://ex/T> } WHERE { ?s ?p ?o }",
    "WITH <http://ex/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING <http://ex/g> WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://ex/g>",
    "CLEAR ALL",
    "CLEAR SILENT DEFAULT",
    "CLEAR NAMED",
    "CLEAR GRAPH <http://ex/g>",
    "CREATE GRAPH <http://ex/g>",
    "CREATE SILENT GRAPH <http://ex/g>",
    "DROP ALL",
    "DROP SILENT GRAPH <http://ex/g>",
    "COPY DEFAULT TO <http://ex/g>",
    "MOVE <http://ex/a> TO <http://ex/b>",
    "ADD SILENT <http://ex/a> TO DEFAULT",
    "PREFIX ex: <http://ex/>\n# a comment\nINSERT DATA { ex:a ex:b ex:c } ; CLEAR ALL",
    "BASE <http://ex/> CLEAR ALL ; DROP ALL ; LOAD <x>",
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused_by_parsing(update):
    with pytest.raises(QueryRefused, match="read-only"):
        inspect_query(update)


def test_refusal_names_the_operations():
    with pytest.raises(QueryRefused) as caught:
        inspect_query("INSERT DATA { <http://ex/a> <http://ex/b> 1 } ; LOAD <http://ex/x> ; CLEAR ALL")
    assert "INSERT DATA" in str(caught.value) and "LOAD" in str(caught.value) and "CLEAR" in str(caught.value)


@pytest.mark.parametrize("update", [*UPDATES[:6], "CLEAR ALL", "LOAD <http://127.0.0.1:9/>"])
def test_updates_are_refused_by_the_workers_and_change_nothing(executor, update):
    before = count(executor, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(QueryRefused):
        executor.run(update)
    assert count(executor, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before


def test_a_malformed_update_is_a_syntax_error_that_says_updates_are_refused():
    with pytest.raises(QuerySyntaxError, match="read-only"):
        inspect_query("CLEAR XYZ")


# -- inspection: SERVICE ----------------------------------------------------------------------------------

SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z . { { SERVICE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { { ?x ?y ?z } UNION { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { ?x ?y ?z MINUS { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { ?x ?y ?z FILTER EXISTS { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { ?x ?y ?z FILTER NOT EXISTS { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { ?x ?y ?z BIND(EXISTS { SERVICE <{url}> { ?x ?p ?o } } AS ?e) }",
    "SELECT * WHERE { { SELECT ?x WHERE { SERVICE <{url}> { ?x ?p ?o } } LIMIT 1 } }",
    "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { BIND(<{url}> AS ?u) SERVICE ?u { ?x ?p ?o } }",
    "ASK { SERVICE <{url}> { ?x ?p ?o } }",
    "CONSTRUCT { ?x ?p ?o } WHERE { SERVICE <{url}> { ?x ?p ?o } }",
    "DESCRIBE ?x WHERE { SERVICE <{url}> { ?x ?p ?o } }",
    "select * where { service <{url}> { ?s ?p ?o } }",
    "PREFIX s: <{url}> SELECT * WHERE { SeRvIcE s: { ?s ?p ?o } }",
]
# Codepoint escapes outside strings and IRIs: Oxigraph does not read them there, rdflib does; refused (lexer.py).
ESCAPED_SERVICE_QUERIES = [
    "SELECT * WHERE { SERV\\u0049CE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o } # \\u000a SERVICE <{url}> { ?s ?p ?o }",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_anywhere(template):
    with pytest.raises(QueryRefused, match="SERVICE"):
        inspect_query(template.replace("{url}", "http://127.0.0.1:9/"))


@pytest.mark.parametrize("template", ESCAPED_SERVICE_QUERIES)
def test_a_codepoint_escape_outside_strings_and_iris_is_refused(template):
    with pytest.raises(QuerySyntaxError, match="codepoint escape"):
        inspect_query(template.replace("{url}", "http://127.0.0.1:9/"))


@pytest.mark.parametrize("template", SERVICE_QUERIES[:4] + SERVICE_QUERIES[9:10])
def test_service_opens_no_connection(executor, listener, template):
    with pytest.raises(QueryRefused):
        executor.run(template.replace("{url}", listener.url))
    listener.close()
    assert listener.connections == 0


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" AS ?x) }',
    "SELECT ?x WHERE { BIND('''SERVICE\n<http://127.0.0.1:9/>''' AS ?x) }",
    "SELECT ?x WHERE { BIND(<http://example.org/SERVICE> AS ?x) }  # SERVICE <http://127.0.0.1:9/> {}",
    "PREFIX ex: <http://example.org/> SELECT ?service WHERE { BIND(ex:SERVICE AS ?service) }",
    "SELECT ?x WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> \"a SERVICE desk\" }",
])
def test_the_word_service_outside_the_syntax_is_fine(executor, query):
    info = inspect_query(query)
    assert info.form == "SELECT"
    assert executor.run(query).rows in (0, 1)


def test_keywords_skip_strings_iris_comments_and_names():
    words = keywords('PREFIX ex: <http://x/SERVICE> SELECT ?SERVICE # SERVICE\n WHERE { ex:SERVICE "SERVICE" 1 }')
    assert "SERVICE" not in words and {"PREFIX", "SELECT", "WHERE"} <= set(words)


# -- inspection: syntax ----------------------------------------------------------------------------------


def test_syntax_error_names_line_and_column():
    with pytest.raises(QuerySyntaxError) as caught:
        inspect_query("PREFIX ex: <http://example.org/>\nSELECT ?x WHERE {\n  ?x ex:p \n}")
    message = str(caught.value)
    assert "line 3, column 3" in message
    assert "?x ex:p" in message and "^" in message


@pytest.mark.parametrize("query", ["", "   \n", "ASK {", "SELECT * WHERE { ?s ?p ?o", "SELEC * WHERE {}",
                                   "SELECT * WHERE " + "{" * 5000 + "}" * 5000])
def test_malformed_queries(query):
    with pytest.raises(QuerySyntaxError):
        inspect_query(query)


def test_a_query_that_crashes_the_parser_leaves_the_worker_pool_healthy(executor):
    with pytest.raises(QuerySyntaxError):
        executor.run("SELECT * WHERE " + "{" * 5000 + "}" * 5000)
    assert executor.run("ASK {}").rows == 1


def test_oxigraph_rejects_what_rdflib_lets_through(ox_store):
    # rdflib's grammar accepts the undeclared prefix; Oxigraph's query parser does not.
    with pytest.raises(QuerySyntaxError, match="line 1"):
        execute(ox_store, "SELECT * WHERE { ?s nope:p ?o }")


def test_inspection_reports_form_dataset_and_prefixes():
    info = inspect_query("PREFIX ex: <http://ex/> CONSTRUCT { ?s ?p ?o } FROM <http://ex/a> FROM NAMED <http://ex/b> "
                         "WHERE { ?s ?p ?o }")
    assert (info.form, info.from_graphs, info.from_named) == ("CONSTRUCT", ("http://ex/a",), ("http://ex/b",))
    assert info.prefixes == {"ex": "http://ex/"} and info.has_dataset
    assert inspect_query("DESCRIBE <http://ex/a>").form == "DESCRIBE"
    assert inspect_query("ASK {}").form == "ASK" and not inspect_query("ASK {}").has_dataset


# -- dataset --------------------------------------------------------------------------------------------


def graph_iris(executor) -> list[str]:
    data = run_json(executor, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return [b["g"]["value"] for b in data["results"]["bindings"]]


def distinct_triples(graph) -> int:
    return len({(s, p, o) for s, p, o, _ in graph.store.to_dataset().quads((None, None, None, None))})


def test_default_graph_is_the_merge_of_all_graphs(executor, graph):
    quads = count(executor, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    union = count(executor, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    # A set of triples: a triple that several versions assert is in the default graph once.
    assert union == distinct_triples(graph) < quads
    statements = count(executor, "PREFIX gk: <https://w3id.org/guidancekg/ns#> "
                                 "SELECT (COUNT(*) AS ?n) WHERE { ?s a gk:Statement }")
    assert statements == len(graph.model.statements)


def test_several_default_graphs_are_merged_as_sets(executor, graph):
    # Two versions that assert the same statement: their graphs share its triples.
    asserted = graph.model.asserted_by
    pair = next((a, b) for a in asserted for b in asserted if a < b and asserted[a] & asserted[b])
    shared = [str(graph.minter.version(*v.split("/"))) for v in pair]
    a, b = shared
    both = {t for v in shared for t in graph.store.to_dataset().graph(URIRef(v))}
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert count(executor, f"SELECT (COUNT(*) AS ?n) FROM <{a}> FROM <{b}> WHERE {{ ?s ?p ?o }}") == len(both)
    assert count(executor, query, default_graphs=[a, b], named_graphs=[]) == len(both)
    # The scratch graph of that merge is gone and was never visible.
    assert not [g for g in graph_iris(executor) if g.startswith("urn:x-guidancekg:")]


def test_from_and_protocol_graphs_select_graphs_of_the_store(executor, graph):
    version = str(graph.minter.version(*next(iter(graph.model.versions)).split("/")))
    in_version = count(executor, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{version}> {{ ?s ?p ?o }} }}")
    assert in_version > 0
    assert count(executor, f"SELECT (COUNT(*) AS ?n) FROM <{version}> WHERE {{ ?s ?p ?o }}") == in_version
    assert count(executor, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[version],
                 named_graphs=[]) == in_version
    # FROM without FROM NAMED: no named graphs.
    assert count(executor, f"SELECT (COUNT(*) AS ?n) FROM <{version}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 0
    # The protocol's dataset wins over the query's.
    provenance = graph.minter.provenance_graph()
    assert count(executor, f"SELECT (COUNT(*) AS ?n) FROM <{version}> WHERE {{ ?s ?p ?o }}",
                 default_graphs=[str(provenance)], named_graphs=[]) != in_version
    named = run_json(executor, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graphs=[],
                     named_graphs=[version])
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [version]


def test_graphs_outside_the_store_are_empty_and_never_fetched(executor, listener):
    for query, kwargs in [
        (f"SELECT (COUNT(*) AS ?n) FROM <{listener.url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{listener.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("SELECT (COUNT(*) AS ?n) FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"default_graphs": [listener.url], "named_graphs": []}),
        ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
         {"default_graphs": [], "named_graphs": [listener.url, "file:///etc/passwd"]}),
    ]:
        assert count(executor, query, **kwargs) == 0
    executor.run(f"DESCRIBE <{listener.url}>")
    executor.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
                 {"CONSTRUCT": "application/ld+json"})
    listener.close()
    assert listener.connections == 0


def test_relative_iris_resolve_against_the_base(executor):
    body = executor.run("CONSTRUCT { <s> <p> 1 } WHERE {}", {"CONSTRUCT": "application/n-triples"},
                        base_iri="http://localhost/sparql").body
    assert body.startswith(b"<http://localhost/s> <http://localhost/p> ")


# -- formats -------------------------------------------------------------------------------------------

SELECT = ("PREFIX gk: <https://w3id.org/guidancekg/ns#> PREFIX dcterms: <http://purl.org/dc/terms/> "
          "SELECT ?s ?key ?text WHERE { ?s a gk:Statement ; dcterms:identifier ?key ; "
          "gk:definingRecord/gk:wording ?text } "
          "ORDER BY ?key LIMIT 5")


@pytest.mark.parametrize("media_type", list(RESULTS_MEDIA_TYPES))
def test_select_in_every_results_format(executor, media_type):
    result = executor.run(SELECT, {"SELECT": media_type})
    assert result.media_type == media_type and result.rows == 5
    if media_type in ("text/csv", "text/tab-separated-values"):
        dialect = "excel" if media_type == "text/csv" else "excel-tab"
        rows = list(csv.reader(io.StringIO(result.body.decode("utf-8")), dialect=dialect))
        assert len(rows) == 6 and [c.lstrip("?") for c in rows[0]] == ["s", "key", "text"]
    else:
        fmt = RESULTS_MEDIA_TYPES[media_type]
        parsed = list(ox.parse_query_results(result.body, format=fmt))
        assert len(parsed) == 5 and all(s["key"] is not None for s in parsed)


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_in_json_and_xml(executor, media_type):
    result = executor.run("ASK { ?s ?p ?o }", {"ASK": media_type})
    assert bool(ox.parse_query_results(result.body, format=RESULTS_MEDIA_TYPES[media_type])) is True


RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/trig": "trig", "application/n-quads": "nquads", "application/rdf+xml": "xml"}


@pytest.mark.parametrize("media_type", list(GRAPH_MEDIA_TYPES))
def test_construct_in_every_graph_format(executor, media_type):
    query = ("PREFIX gk: <https://w3id.org/guidancekg/ns#> CONSTRUCT { ?s gk:wording ?w } "
             "WHERE { ?s gk:wording ?w }")
    result = executor.run(query, {"CONSTRUCT": media_type})
    statements = count(executor, "PREFIX gk: <https://w3id.org/guidancekg/ns#> "
                                 "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s gk:wording ?w }")
    assert result.rows == statements
    parsed = Dataset() if media_type in ("application/trig", "application/n-quads") else Graph()
    parsed.parse(data=result.body.decode("utf-8"), format=RDFLIB_FORMATS[media_type])
    assert len(parsed) == statements or len(list(parsed.quads())) == statements


def test_describe_is_a_graph(executor, graph):
    statement = graph.minter.statement(next(iter(graph.model.statements)))
    result = executor.run(f"DESCRIBE <{statement}>")
    assert result.media_type == "text/turtle" and result.rows > 5
    assert len(Graph().parse(data=result.body.decode("utf-8"), format="turtle")) == result.rows


def test_a_form_without_an_acceptable_format_is_not_acceptable(executor):
    formats = choose_formats("text/turtle")
    assert formats["SELECT"] is None and formats["CONSTRUCT"] == "text/turtle"
    with pytest.raises(QueryNotAcceptable, match="SELECT"):
        executor.run("SELECT * WHERE { ?s ?p ?o } LIMIT 1", formats)


# -- limits ---------------------------------------------------------------------------------------------


def test_row_cap_refuses_rather_than_truncates(executor):
    with pytest.raises(QueryTooLarge, match="more than 500 rows"):
        executor.run("SELECT * WHERE { ?s ?p ?o }")
    assert executor.run("SELECT * WHERE { ?s ?p ?o } LIMIT 500").rows == 500
    assert executor.run("SELECT * WHERE { ?s ?p ?o } LIMIT 500 OFFSET 500").rows == 500
    with pytest.raises(QueryTooLarge, match="triples"):
        executor.run("CONSTRUCT WHERE { ?s ?p ?o }")
    assert executor.run("SELECT * WHERE { ?s ?p ?o }", max_rows=100_000).rows > 500


def test_row_cap_stops_an_endless_result_early(executor):
    started = time.monotonic()
    with pytest.raises(QueryTooLarge):
        executor.run(CARTESIAN_ROWS)  # streams: stopped at row 501, long before the time limit
    assert time.monotonic() - started < TIMEOUT


def test_cartesian_product_is_stopped_at_the_time_limit(executor):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit"):
        executor.run(CARTESIAN)
    elapsed = time.monotonic() - started
    assert TIMEOUT <= elapsed < TIMEOUT + 1.5
    # The killed worker was replaced: the executor keeps answering.
    assert executor.run("ASK { ?s ?p ?o }").rows == 1


def slow_in_the_background(ex: SparqlExecutor) -> tuple[threading.Thread, list[Exception]]:
    """Start a query that runs into the time limit on the only worker; return its thread and where it ends up."""
    ex.warm()
    outcome: list[Exception] = []

    def slow() -> None:
        try:
            ex.run(CARTESIAN)
        except QueryTimeout as exc:
            outcome.append(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    return thread, outcome


def test_other_queries_are_answered_while_one_runs_into_the_limit(executor):
    thread, errors = slow_in_the_background(executor)  # its warm(): a worker replaced earlier may be starting
    for _ in range(3):
        started = time.monotonic()
        assert executor.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows == 1
        assert time.monotonic() - started < 1.0
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], QueryTimeout)


def test_catastrophic_regex_is_bounded(executor):
    # Oxigraph's regular expressions do not backtrack: (a+)+$ on a long non-match answers at once. Over a
    # cartesian product the same filter runs until the time limit stops it.
    started = time.monotonic()
    evil = 'SELECT ?m WHERE { BIND(REGEX(CONCAT(REPLACE("' + "a" * 40 + '", "a", "aaaa"), "!"), "^(a+)+$") AS ?m) }'
    data = run_json(executor, evil)
    assert data["results"]["bindings"][0]["m"]["value"] == "false"
    assert time.monotonic() - started < TIMEOUT
    with pytest.raises(QueryTimeout):
        executor.run('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i '
                     'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "^(.*a){12}$")) }')
    assert time.monotonic() - started < 2 * TIMEOUT + 2


def test_while_every_worker_is_busy_a_query_waits_briefly_then_is_refused_with_retry_after(graph):
    with SparqlExecutor(graph.store, workers=1, timeout=3.0, queue=1, queue_wait=0.5) as ex:
        thread, outcome = slow_in_the_background(ex)
        started = time.monotonic()
        with pytest.raises(EndpointBusy, match="busy") as info:
            ex.run("ASK {}")  # the only worker stays busy for 3 s; the queue's wait is 0.5 s
        assert 0.4 < time.monotonic() - started < 1.0
        assert 1 <= info.value.retry_after <= 3
        thread.join()
        assert len(outcome) == 1
        assert ex.run("ASK {}").rows == 1


def test_past_the_queue_a_query_is_refused_at_once(graph):
    with SparqlExecutor(graph.store, workers=1, timeout=3.0, queue=0, queue_wait=5.0) as ex:
        thread, outcome = slow_in_the_background(ex)
        started = time.monotonic()
        with pytest.raises(EndpointBusy):
            ex.run("ASK {}")
        assert time.monotonic() - started < 0.1  # refused without waiting: the queue holds no one
        thread.join()
        assert len(outcome) == 1


def test_memory_cap_stops_a_query_that_would_exhaust_memory(graph):
    # ORDER BY over a cartesian product materialises every row: the worker's data segment is capped.
    with SparqlExecutor(graph.store, workers=1, timeout=30.0, memory_mb=600) as ex:
        started = time.monotonic()
        with pytest.raises(QueryTooLarge, match="memory"):
            ex.run("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a")
        assert time.monotonic() - started < 30.0
        assert ex.run("ASK {}").rows == 1


# -- an on-disk store ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["memory", "disk"])
def test_workers_open_an_on_disk_store_read_only(graph, tmp_path: Path, mode):
    OxigraphStore.create(tmp_path / "ox", graph.store.dump_nquads())
    store = OxigraphStore(tmp_path / "ox")  # this process holds it open too
    try:
        assert store.sparql_source() == ("oxigraph-dir", str(tmp_path / "ox"))
        with SparqlExecutor(store, workers=2, timeout=TIMEOUT, worker_store=mode) as ex:
            n = count(ex, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            quads = count(ex, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            # In memory the union is a set; read in place it is Oxigraph's multiset union (oxigraph issue 1919).
            assert n == (distinct_triples(graph) if mode == "memory" else quads)
            with pytest.raises(QueryRefused):
                ex.run("DROP ALL")
            with pytest.raises(QueryTimeout):
                ex.run(CARTESIAN)
            assert count(ex, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == n
    finally:
        store.close()


def test_close_stops_the_workers(graph):
    ex = SparqlExecutor(graph.store, workers=2, timeout=TIMEOUT)
    ex.warm()
    procs = [w.proc for w in ex._all]
    assert len(procs) == 2 and all(p.poll() is None for p in procs)
    ex.close()
    assert all(p.poll() is not None for p in procs)
    with pytest.raises(Exception, match="closed"):
        ex.run("ASK {}")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc (Linux)")
def test_a_worker_ends_when_its_server_dies_mid_query(tmp_path: Path):
    import os
    import subprocess
    import sys

    script = tmp_path / "server.py"
    script.write_text(
        "import sys\n"
        "from guidancekg.graph.sparql.pool import SparqlExecutor\n"
        "from guidancekg.graph.stores.base import OxigraphStore\n"
        "store = OxigraphStore.in_memory(open(sys.argv[1], 'rb').read())\n"
        "ex = SparqlExecutor(store, workers=1, timeout=600)\n"
        "ex.warm()\n"
        "print([w.proc.pid for w in ex._all][0], flush=True)\n"
        f"ex.run({CARTESIAN!r})\n", encoding="utf-8")
    data = tmp_path / "data.nq"
    data.write_bytes(b"".join(b"<http://ex/s%d> <http://ex/p> \"%d\" <http://ex/g> .\n" % (i, i) for i in range(500)))
    server = subprocess.Popen([sys.executable, str(script), str(data)], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(server.stdout.readline())
        time.sleep(1.0)  # the worker is deep in the cartesian product now
    finally:
        server.kill()  # no chance to stop its workers
        server.wait()

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split(")")[-1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(worker):
        os.kill(worker, 9)
        pytest.fail("the worker outlived its server")
