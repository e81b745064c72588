"""Ask the graph: the guidance on a date, the changes between dates, the timeline, and SPARQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from guidancekg.cli import tables
from guidancekg.cli.options import (
    command,
    data_options,
    day,
    emit,
    filter_options,
    format_option,
    known_option,
    open_graph,
    page_options,
)
from guidancekg.graph.dates import parse_day
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.engine.pages import Pager
from guidancekg.graph.sparql.pool import DEFAULT_MAX_ROWS
from guidancekg.graph.views.formats import GUIDANCE_FORMATS, guidance_format
from guidancekg.graph.views.serialize import changes_json, timeline_json

SECTION = "Ask"


@command(SECTION)
@click.argument("on", metavar="DATE")
@known_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", *(f.name for f in GUIDANCE_FORMATS)]), default="table",
              show_default=True, help="; ".join(["table for people", *(f"{f.name}: {f.describe}"
                                                                     for f in GUIDANCE_FORMATS)]) + ".")
@page_options
@data_options
def at(on: str, known: str | None, drug: str | None, jurisdiction: str | None, topic: str | None, fmt: str,
       limit: int | None, cursor: str | None, data_dir: Path | None, store_kind: str,
       store_root: Path | None) -> None:
    """Show the guidance on DATE: effective statements, and those overridden with what overrides them.

    \b
    Examples:
      guidancekg at 2019-04-12
      guidancekg at 2019-04-15 --known 2019-04-15 --jurisdiction EU --format json
      guidancekg at 2019-04-12 --jurisdiction EU --format fhir
      guidancekg at 2019-04-12 --limit 5
    """
    when = parse_day(on, "DATE")
    filters = Filters(drug, jurisdiction, topic)
    graph = open_graph(data_dir, store_kind, store_root)
    page = Pager(graph.engine).guidance(when, day(known, "--known"), filters, limit, cursor)
    if fmt == "table":
        emit(fmt, {}, tables.guidance_table(page.answer), page.next)
        return
    chosen = guidance_format(fmt)
    body = chosen.write(page.answer, graph.engine, graph.store, graph.minter, False)
    emit("json", body, "", page.next if chosen.next_in_body else None)
    if page.next and not chosen.next_in_body:
        click.echo(f"More on the next page: the same command with --cursor {page.next}", err=True)


@command(SECTION)
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@known_option
@filter_options
@format_option
@page_options
@data_options
def changes(start: str, end: str, known: str | None, drug: str | None, jurisdiction: str | None,
            topic: str | None, fmt: str, limit: int | None, cursor: str | None, data_dir: Path | None,
            store_kind: str, store_root: Path | None) -> None:
    """List each date from FROM to TO (inclusive) on which a statement started or stopped being effective.

    Each change says why: came-into-force, ended, overridden (by which statement) or override-ended.

    \b
    Example:
      guidancekg changes 2019-01-01 2020-12-31 --jurisdiction EU
    """
    d1, d2 = parse_day(start, "FROM"), parse_day(end, "TO")
    k, filters = day(known, "--known"), Filters(drug, jurisdiction, topic)
    graph = open_graph(data_dir, store_kind, store_root)
    page = Pager(graph.engine).changes(d1, d2, k, filters, limit, cursor)
    emit(fmt, changes_json(page.answer, d1, d2, k, filters, graph.minter),
         tables.changes_table(page.answer) if fmt == "table" else "", page.next)


@command(SECTION)
@known_option
@filter_options
@format_option
@page_options
@data_options
def timeline(known: str | None, drug: str | None, jurisdiction: str | None, topic: str | None, fmt: str,
             limit: int | None, cursor: str | None, data_dir: Path | None, store_kind: str,
             store_root: Path | None) -> None:
    """Show every statement with its effective periods and its overridden periods ([from, until)).

    \b
    Example:
      guidancekg timeline --jurisdiction EU --topic indication
    """
    k, filters = day(known, "--known"), Filters(drug, jurisdiction, topic)
    graph = open_graph(data_dir, store_kind, store_root)
    page = Pager(graph.engine).timeline(k, filters, limit, cursor)
    emit(fmt, timeline_json(page.answer, k, filters, graph.minter),
         tables.timeline_table(page.answer) if fmt == "table" else "", page.next)


_QUERY_FORMATS = {  # --format: the media type of solutions (SELECT, ASK) and of graphs (CONSTRUCT, DESCRIBE)
    "table": ("application/sparql-results+json", "text/turtle"),
    "json": ("application/sparql-results+json", "application/ld+json"),
    "csv": ("text/csv", "application/n-triples"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "turtle": ("application/sparql-results+json", "text/turtle"),
}


@command(SECTION)
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(list(_QUERY_FORMATS)), default="table", show_default=True,
              help="table for people; json, csv, xml: SPARQL results formats (graphs: JSON-LD, N-Triples, RDF/XML); "
              "turtle for CONSTRUCT and DESCRIBE.")
@click.option("--max-rows", default=DEFAULT_MAX_ROWS, show_default=True, type=click.IntRange(1),
              help="Refuse larger results.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Stop the query after this long.")
@data_options
def query(file: Any, fmt: str, max_rows: int, timeout: float, data_dir: Path | None, store_kind: str,
          store_root: Path | None) -> None:
    """Run a SPARQL query from FILE (or - for standard input), as the SPARQL endpoint runs it.

    The default graph is the union of all graphs; each version's graph, the provenance graph and the
    vocabulary graph are named graphs. Updates and SERVICE are refused, and the query runs in a worker
    process without network access, under a time limit, as on the endpoint.

    \b
    Example:
      guidancekg query graph/sparql/queries/guidance-on-date.rq
    """
    from guidancekg.graph.sparql.pool import SparqlExecutor

    graph = open_graph(data_dir, store_kind, store_root)
    solutions, graphs = _QUERY_FORMATS[fmt]
    formats = {"SELECT": solutions, "ASK": solutions, "CONSTRUCT": graphs, "DESCRIBE": graphs}
    with SparqlExecutor(graph.store, workers=1, queue=0, timeout=timeout, max_rows=max_rows) as executor:
        result = executor.run(file.read(), formats)
    if fmt != "table" or result.media_type != "application/sparql-results+json":
        click.echo(result.body.decode("utf-8"), nl=False)
        return
    answer = json.loads(result.body)
    if "boolean" in answer:
        click.echo(str(answer["boolean"]).lower())
        return
    names = answer["head"]["vars"]
    rows = [[b.get(n, {}).get("value", "") for n in names] for b in answer["results"]["bindings"]]
    click.echo(tables.table(names or ["(no variables)"], rows))
