"""The ``guidancekg`` command: build, ask, validate, query and export the guidance graph."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from guidancekg.cli import tables
from guidancekg.graph.dates import parse_day
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.errors import GuidanceError, ValidationFailed
from guidancekg.graph.opened import GuidanceGraph, default_data_dir
from guidancekg.graph.rdf.iris import DEFAULT_BASE
from guidancekg.graph.stores.build import compile_data, default_store_root, write_build
from guidancekg.graph.views.serialize import changes_json, guidance_json, timeline_json
from guidancekg.graph.views.void import EXPORT_FORMATS


class _Group(click.Group):
    """A group that reports GuidanceError as a one-line message and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            raise click.ClickException(str(exc)) from None
        except GuidanceError as exc:
            raise click.ClickException(str(exc)) from None


def _remote_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options of --store-kind remote; each sets the GUIDANCEKG_STORE_* variable that graph/stores/remote.py reads
    (the password only ever comes from GUIDANCEKG_STORE_PASSWORD, never the command line)."""

    def to_env(name: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
        def callback(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
            if value:
                os.environ[name] = value
            return value

        return callback

    for flag, env, text in (
        ("--store-auth", "GUIDANCEKG_STORE_AUTH", "remote: HTTP authentication, basic or digest."),
        ("--store-user", "GUIDANCEKG_STORE_USER", "remote: user name (password from $GUIDANCEKG_STORE_PASSWORD)."),
        ("--store-update-url", "GUIDANCEKG_STORE_UPDATE_URL", "remote: SPARQL Update endpoint, if not --store-url."),
        ("--store-url", "GUIDANCEKG_STORE_URL", "remote: SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql."),
    ):
        f = click.option(flag, callback=to_env(env), expose_value=False, is_eager=True, help=text)(f)
    return f


def _data_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = _remote_options(f)
    f = click.option("--store", "store_root", type=click.Path(file_okay=False, path_type=Path),
                     help="Folder of the on-disk store (default: $GUIDANCEKG_STORE or a per-data cache folder).")(f)
    f = click.option("--store-kind", type=click.Choice(["oxigraph", "memory", "remote"]), default="oxigraph",
                     show_default=True, help="oxigraph: on-disk store, built once and reopened; "
                     "memory: build in memory each time; remote: a SPARQL 1.1 server (--store-url).")(f)
    f = click.option("--base", default=DEFAULT_BASE, show_default=True,
                     help="Base IRI under which statements, sources and versions are minted.")(f)
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Data folder (default: ./data if it holds guidancekg data, else the bundled data).")(f)


def _filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--topic", help="Only this topic key (e.g. indication, dosing).")(f)
    f = click.option("--jurisdiction", help="Only this jurisdiction code (EU, UK, UK-ENW, US); "
                     "a code includes the regions within it.")(f)
    return click.option("--drug", help="Only this drug (e.g. alemtuzumab).")(f)


def _format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="table for people; json gives the HTTP API's objects.")(f)


def _day(value: str | None, name: str) -> date | None:
    return parse_day(value, name) if value is not None else None


def _open(data_dir: Path | None, base: str, store_kind: str, store_root: Path | None) -> GuidanceGraph:
    return GuidanceGraph.open(data_dir, base=base, kind=store_kind, store_root=store_root,
                              say=lambda m: click.echo(m, err=True))


def _emit(fmt: str, obj: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False) if fmt == "json" else text)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="guidancekg")
def main() -> None:
    """A knowledge graph of health guidance that remembers time.

    Ask what the guidance said on a date, who said it, and when it was known. Dates are YYYY-MM-DD.
    """


@main.command()
@_data_option
def build(data_dir: Path | None, base: str, store_kind: str, store_root: Path | None) -> None:
    """Check the data and write the on-disk store, all or nothing.

    Every check runs first: the form of each file, each quote at its offsets in its held text, references,
    dates, an acyclic override graph and the SHACL shapes. Only then is a new store written and swapped in;
    on any failure the previous build is untouched.
    """
    data = data_dir or default_data_dir()
    compiled = compile_data(data, base)
    if store_kind == "remote":
        from guidancekg.graph.stores.build import write_remote_build
        from guidancekg.graph.stores.remote import RemoteConfig, RemoteStore

        remote = RemoteStore(RemoteConfig.from_env())
        quads = write_remote_build(compiled, remote)
        for w in compiled.warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(f"built {len(compiled.corpus.statements)} statements from {len(compiled.corpus.versions)} "
                   f"versions ({quads} quads) into {remote.config.url}")
        return
    root = store_root or default_store_root(data)
    info = write_build(compiled, root)
    for w in info.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"built {info.statements} statements from {info.versions} versions ({info.quads} quads) "
               f"into {info.path}")


@main.command()
@click.argument("on", metavar="DATE")
@click.option("--known", metavar="DATE", help="As known at this date (record time); default: everything recorded.")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "fhir"]), default="table", show_default=True,
              help="table for people; json gives the HTTP API's objects; fhir a FHIR R5 Bundle (docs/fhir.md).")
@_data_option
def at(on: str, known: str | None, drug: str | None, jurisdiction: str | None, topic: str | None, fmt: str,
       data_dir: Path | None, base: str, store_kind: str, store_root: Path | None) -> None:
    """Show the guidance on DATE: effective statements, and those overridden with what overrides them.

    \b
    Examples:
      guidancekg at 2019-04-12
      guidancekg at 2019-04-15 --known 2019-04-15 --jurisdiction EU --format json
      guidancekg at 2019-04-12 --jurisdiction EU --format fhir
    """
    day = parse_day(on, "DATE")
    filters = Filters(drug, jurisdiction, topic)
    graph = _open(data_dir, base, store_kind, store_root)
    g = graph.engine.guidance(day, _day(known, "--known"), filters)
    if fmt == "fhir":
        from guidancekg.graph.views.fhir import guidance_bundle

        click.echo(json.dumps(guidance_bundle(g, graph.engine, graph.store, graph.minter), indent=2,
                              ensure_ascii=False))
        return
    _emit(fmt, guidance_json(g, graph.minter), tables.guidance_table(g))


@main.command()
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@click.option("--known", metavar="DATE", help="As known at this date (record time); default: everything recorded.")
@_filter_options
@_format_option
@_data_option
def changes(start: str, end: str, known: str | None, drug: str | None, jurisdiction: str | None,
            topic: str | None, fmt: str, data_dir: Path | None, base: str, store_kind: str,
            store_root: Path | None) -> None:
    """List each date from FROM to TO (inclusive) on which a statement started or stopped being effective.

    Each change says why: came-into-force, ended, overridden (by which statement) or override-ended.
    """
    d1, d2 = parse_day(start, "FROM"), parse_day(end, "TO")
    k, filters = _day(known, "--known"), Filters(drug, jurisdiction, topic)
    graph = _open(data_dir, base, store_kind, store_root)
    found = graph.engine.changes(d1, d2, k, filters)
    _emit(fmt, changes_json(found, d1, d2, k, filters, graph.minter), tables.changes_table(found))


@main.command()
@click.option("--known", metavar="DATE", help="As known at this date (record time); default: everything recorded.")
@_filter_options
@_format_option
@_data_option
def timeline(known: str | None, drug: str | None, jurisdiction: str | None, topic: str | None, fmt: str,
             data_dir: Path | None, base: str, store_kind: str, store_root: Path | None) -> None:
    """Show every statement with its effective periods and its overridden periods ([from, until))."""
    k, filters = _day(known, "--known"), Filters(drug, jurisdiction, topic)
    graph = _open(data_dir, base, store_kind, store_root)
    entries = graph.engine.timeline(k, filters)
    _emit(fmt, timeline_json(entries, k, filters, graph.minter), tables.timeline_table(entries))


@main.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Data folder (default: ./data if it holds guidancekg data, else the bundled data).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI to mint under.")
def validate(data_dir: Path | None, base: str) -> None:
    """Run every check of the build on the data without writing anything; exit 1 on any problem."""
    data = data_dir or default_data_dir()
    compiled = compile_data(data, base)
    for w in compiled.warnings:
        click.echo(f"warning: {w}", err=True)
    quads = sum(1 for _ in compiled.dataset.quads((None, None, None, None)))
    click.echo(f"{data}: valid ({len(compiled.corpus.statements)} statements, "
               f"{len(compiled.corpus.versions)} versions, {quads} quads)")


_QUERY_FORMATS = {  # --format: the media type of solutions (SELECT, ASK) and of graphs (CONSTRUCT, DESCRIBE)
    "table": ("application/sparql-results+json", "text/turtle"),
    "json": ("application/sparql-results+json", "application/ld+json"),
    "csv": ("text/csv", "application/n-triples"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "turtle": ("application/sparql-results+json", "text/turtle"),
}


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(list(_QUERY_FORMATS)), default="table", show_default=True,
              help="table for people; json, csv, xml: SPARQL results formats (graphs: JSON-LD, N-Triples, RDF/XML); "
              "turtle for CONSTRUCT and DESCRIBE.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1), help="Refuse larger results.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Stop the query after this long.")
@_data_option
def query(file: Any, fmt: str, max_rows: int, timeout: float, data_dir: Path | None, base: str, store_kind: str,
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

    graph = _open(data_dir, base, store_kind, store_root)
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


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="trig", show_default=True,
              help="trig, nquads and jsonld keep the named graphs; turtle is their union; fhir is every statement "
              "as FHIR R5 resources in one Bundle; nanopub is one nanopublication per record, in TriG.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@_data_option
def export(fmt: str, output: Path | None, data_dir: Path | None, base: str, store_kind: str,
           store_root: Path | None) -> None:
    """Write the whole graph (every version's graph, provenance, vocabulary, the dataset's description) in FORMAT.

    \b
    Examples:
      guidancekg export --format trig -o guidance.trig
      guidancekg export --format nanopub -o nanopubs.trig
    """
    from guidancekg.graph.views.export import export as write_export

    graph = _open(data_dir, base, store_kind, store_root)
    data = write_export(fmt, graph.store, graph.engine, graph.minter)
    if output:
        output.write_text(data, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(data, nl=False)


@main.command()
@click.option("--from", "start", metavar="DATE", required=True, help="First record date (K1).")
@click.option("--to", "end", metavar="DATE", required=True, help="Last record date (K2), inclusive.")
@click.option("--drug", help="Only this drug.")
@click.option("--jurisdiction", help="Only this jurisdiction code (includes the regions within it).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "csv"]), default="markdown",
              show_default=True)
@_data_option
def audit(start: str, end: str, drug: str | None, jurisdiction: str | None, fmt: str, data_dir: Path | None,
          base: str, store_kind: str, store_root: Path | None) -> None:
    """Show what was published from FROM to TO, what each version added and withdrew, and reporting lags.

    A lag is the days from a statement coming into force to a source's first record of it.

    \b
    Example:
      guidancekg audit --from 2019-04-01 --to 2019-04-30
    """
    from guidancekg.graph.views.audit import audit as run_audit
    from guidancekg.graph.views.audit import audit_csv, audit_json, audit_markdown

    d1, d2 = parse_day(start, "--from"), parse_day(end, "--to")
    graph = _open(data_dir, base, store_kind, store_root)
    result = run_audit(graph.engine, d1, d2, Filters(drug, jurisdiction))
    if fmt == "json":
        click.echo(json.dumps(audit_json(result, graph.minter), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(audit_csv(result, graph.minter), nl=False)
    else:
        click.echo(audit_markdown(result), nl=False)


@main.command()
@click.option("--drug", required=True, help="The drug whose whole history to report.")
@click.option("--output", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for report-DRUG.html and report-DRUG.md.")
@_data_option
def report(drug: str, out_dir: Path, data_dir: Path | None, base: str, store_kind: str,
           store_root: Path | None) -> None:
    """Write a self-contained HTML and a Markdown audit report of a drug's whole history.

    The report holds the timeline per jurisdiction, every override with its sources and quotes, the reporting
    lags, and the data-quality notes.
    """
    from guidancekg.graph.views.report import report_html, report_markdown

    engine = _open(data_dir, base, store_kind, store_root).engine
    html_text, md_text = report_html(engine, drug), report_markdown(engine, drug)
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix, text in (("html", html_text), ("md", md_text)):
        path = out_dir / f"report-{drug}.{suffix}"
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")


def _setting(name: str, *decls: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Return a ``serve`` option for a setting of ``api/settings.py``: its help and default come from there."""
    from guidancekg.api.settings import SETTING_FIELDS

    f = next(f for f in SETTING_FIELDS if f.name == name)
    default = "none" if f.default is None else f.default
    text = f"{f.metadata['doc']} (config {f.metadata['key']}; default: {default})".replace("`", "")
    return click.option(*decls, default=None, help=text, **kwargs)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; beyond loopback, put a reverse proxy in front (docs/deployment.md).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@_setting("threads", "--threads", type=click.IntRange(1, 256))
@_setting("data", "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path))
@_setting("base", "--base", metavar="URL")
@_setting("store_kind", "--store-kind", type=click.Choice(["oxigraph", "memory", "remote"]))
@_remote_options
@_setting("store_root", "--store", "store_root", type=click.Path(file_okay=False, path_type=Path))
@_setting("sparql_timeout", "--sparql-timeout", type=click.FloatRange(min=0.1), metavar="SECONDS")
@_setting("sparql_max_rows", "--sparql-max-rows", type=click.IntRange(min=1), metavar="ROWS")
@_setting("sparql_workers", "--sparql-workers", type=click.IntRange(1, 64), metavar="N")
@_setting("sparql_queue", "--sparql-queue", type=click.IntRange(0, 64), metavar="N")
@_setting("ingest_token", "--ingest-token-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
          metavar="FILE")
@_setting("ingest_max_bytes", "--ingest-max-bytes", type=click.IntRange(min=1), metavar="BYTES")
def serve(host: str, port: int, threads: int | None, data_dir: Path | None, base: str | None,
          store_kind: str | None, store_root: Path | None, sparql_timeout: float | None = None,
          sparql_max_rows: int | None = None, sparql_workers: int | None = None, sparql_queue: int | None = None,
          ingest_token_file: Path | None = None, ingest_max_bytes: int | None = None) -> None:
    """Serve the API, the SPARQL endpoint and the page under waitress, a multi-threaded WSGI server.

    The store is reopened when a current build exists, else built first. Each option sets one setting of
    docs/settings.md (the same table as create_app's configuration). --ingest-token-file holds the token on its
    first line (at least 16 characters).

    \b
    Example:
      guidancekg serve --port 8080
    """
    import logging

    import waitress

    from guidancekg.api.app import create_app, open_graph
    from guidancekg.api.settings import Settings

    # One line per request on stderr (api/access_log.py); credentials are never part of it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config: dict[str, Any] = {
        "GUIDANCEKG_DATA": str(data_dir) if data_dir else None,
        "GUIDANCEKG_BASE": base or f"http://{'localhost' if host == '0.0.0.0' else host}:{port}/",
        "GUIDANCEKG_STORE_KIND": store_kind,
        "GUIDANCEKG_STORE_ROOT": str(store_root) if store_root else None,
        "SERVER_THREADS": threads, "SPARQL_TIMEOUT": sparql_timeout, "SPARQL_MAX_ROWS": sparql_max_rows,
        "SPARQL_WORKERS": sparql_workers, "SPARQL_QUEUE": sparql_queue, "INGEST_MAX_BYTES": ingest_max_bytes,
        "INGEST_TOKEN": _token_from(ingest_token_file),
    }
    settings = Settings.from_config(config)
    for line in exposure_warnings(host, settings):
        click.echo(f"warning: {line}", err=True)
    graph = open_graph(settings, say=lambda m: click.echo(m, err=True))
    app = create_app(config, graph=graph)
    click.echo(f"guidancekg serving {graph.data_dir} at http://{host}:{port}/ as {settings.base} "
               f"(threads: {settings.threads}); press Ctrl+C to stop", err=True)
    # Waitress reads a body before the app sees it: it refuses, before reading, one larger than any route takes.
    waitress.serve(app, host=host, port=port, threads=settings.threads, ident="guidancekg", _quiet=True,
                   max_request_body_size=settings.largest_body_bytes)


def exposure_warnings(host: str, settings: Any) -> list[str]:
    """Return what to tell the operator of a server that listens beyond loopback."""
    import ipaddress

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return []
    out = [f"listening on {host}: the API and the SPARQL endpoint are open to every network that reaches this "
           "machine, over plain HTTP; put a reverse proxy with TLS and rate limits in front (docs/deployment.md)"]
    if settings.ingest_token:
        out.append("ingest over HTTP is enabled: its bearer token crosses the network in clear unless TLS does it")
    if "localhost" in settings.base or "127.0.0.1" in settings.base:
        out.append(f"--base is {settings.base}: links and redirects will point clients at their own machine; set "
                   "--base to the URL clients use")
    return out


def _token_from(token_file: Path | None) -> str | None:
    """Return the ingest token on the first line of ``token_file`` (never echoed), or None."""
    if token_file is None:
        return None
    lines = token_file.read_text(encoding="utf-8").splitlines()
    token = lines[0].strip() if lines else ""
    if len(token) < 16:
        raise click.BadParameter("an ingest token must have at least 16 characters (on the file's first line)",
                                 param_hint="--ingest-token-file")
    return token


# -- issue 8: ingest a new version, and draft its statements ------------------------------------------------------


def _read_limited(path: Path, limit: int) -> bytes:
    from guidancekg.graph.errors import UploadTooLarge

    size = path.stat().st_size
    if size > limit:
        raise UploadTooLarge(str(path), size, limit)
    return path.read_bytes()


@main.command()
@click.argument("text_file", metavar="TEXT_FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("statements_file", metavar="STATEMENTS_FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Key of the source (a folder of data/sources) the version is of.")
@click.option("--published", required=True, metavar="DATE",
              help="Publication (record) date of the version: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--revises", metavar="VERSION", help="Key of the version of the same source this one revises.")
@click.option("--url", help="Where this version lives.")
@click.option("--key", metavar="VERSION", help="Folder name of the new version (default: the published date).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Largest file accepted (default 5 MB).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Data folder (default: ./data if it holds guidancekg data, else the bundled data).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the store to update.")
@click.option("--store", "store_root", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the on-disk store (default: $GUIDANCEKG_STORE or a per-data cache folder).")
def ingest(text_file: Path, statements_file: Path, source: str, published: str, revises: str | None,
           url: str | None, key: str | None, max_bytes: int | None, data_dir: Path | None, base: str,
           store_root: Path | None) -> None:
    """Record a new version of a source: TEXT_FILE (the held text) and STATEMENTS_FILE, all or nothing.

    Every check of the build runs on the new version in the context of the data first; only then is the
    version folder written (atomically) and the store updated (a new build, swapped in). Sending a text
    already recorded for the source changes nothing. A recorded version is never overwritten: a correction
    is a new version that --revises it. A running server sees the new version when restarted (or ingest
    through its API: POST /api/sources/<id>/versions).

    \b
    Example:
      guidancekg ingest --source mssociety-lemtrada --published 2019-06-01 --revises 2019-04-18 \\
          page.txt statements.yaml
    """
    from guidancekg.graph.ingest.versions import DEFAULT_MAX_BYTES, Upload
    from guidancekg.graph.ingest.versions import ingest as run_ingest

    data = data_dir or default_data_dir()
    limit = max_bytes or DEFAULT_MAX_BYTES
    upload = Upload(source=source, published=published, text=_read_limited(text_file, limit),
                    statements=_read_limited(statements_file, limit), revises=revises, url=url, key=key,
                    text_name=str(text_file), statements_name=str(statements_file))
    result = run_ingest(data, upload, base=base, store_root=store_root or default_store_root(data),
                        max_bytes=limit, origin="cli", say=lambda m: click.echo(m, err=True))
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if result.created:
        click.echo(f"created {result.iri}: defines {len(result.defines)}, asserts {len(result.asserts)}, "
                   f"withdraws {len(result.withdraws)} statement(s)")
    else:
        click.echo(f"unchanged: the text is already recorded as {result.iri}; nothing was written")


@main.command()
@click.argument("text_file", metavar="TEXT_FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Key of the source the new text is a version of.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Data folder (default: ./data if it holds guidancekg data, else the bundled data).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the draft here (default: standard output).")
def propose(text_file: Path, source: str, data_dir: Path | None, output: Path | None) -> None:
    """Draft the statements file of a new version of a source from its text, for a person to edit.

    The draft quotes each sentence at its exact offsets, suggests a topic by documented keyword rules, reads
    the dates and durations it holds, carries over the statements of the source's latest version whose quotes
    are still in the text, and lists those whose quotes are gone (candidates for withdrawal). It is valid as
    it stands: review every line marked CHECK, then run `guidancekg ingest`.

    \b
    Example:
      guidancekg propose --source mssociety-lemtrada page.txt -o statements.yaml
    """
    from guidancekg.graph.corpus.files import read_text
    from guidancekg.graph.ingest.draft_yaml import render
    from guidancekg.graph.ingest.propose import propose as draft_statements

    data = data_dir or default_data_dir()
    text = read_text(text_file, text_file.resolve().parent)
    draft = draft_statements(data, source, text, text_name=text_file.name)
    rendered = render(draft)
    if output:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(rendered, nl=False)
    carried = sum(len(e.carried) for e in draft.entries)
    click.echo(f"{len(draft.entries)} sentences: {len(draft.statements())} drafted, {carried} carried over, "
               f"{len(draft.withdrawal_candidates)} candidate(s) for withdrawal", err=True)


@main.command()
@click.option("--statements", "n", type=click.IntRange(1, 10_000_000), required=True,
              help="How many statements (about 200 per drug).")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed writes the same files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the data folder into (must be empty or missing).")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
def synth(n: int, seed: int, out_dir: Path, overwrite: bool) -> None:
    """Write a synthetic corpus of N statements in the data folder format (for benchmarks; not real guidance).

    \b
    Example:
      guidancekg synth --statements 100000 --seed 1 --out /tmp/synth-1e5
      guidancekg build --data /tmp/synth-1e5
    """
    from guidancekg.graph.corpus.synthetic import generate

    try:
        stats = generate(n, seed, out_dir, overwrite=overwrite)
    except FileExistsError as exc:
        raise click.ClickException(f"{exc}; use --overwrite") from None
    click.echo(f"wrote {stats.statements} statements ({stats.drugs} drugs, {stats.sources} sources, "
               f"{stats.versions} versions, {stats.assertions} records, {stats.overrides} overrides) to {out_dir}")

