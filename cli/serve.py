"""Serve the graph: the JSON API, the SPARQL endpoint, Linked Data, the page and Memento, under waitress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from guidancekg.cli.options import DATA, SectionOption, command, remote_options
from guidancekg.cli.progress import on_terminal, quiet, say, terminal_progress
from guidancekg.graph.progress import SILENT, LogProgress, Progress
from guidancekg.graph.stores.kinds import STORE_KINDS

SECTION = "Serve"
# The settings that say where the data and the store are; the others are the server's own options.
_DATA_SETTINGS = {"data", "base", "store_kind", "store_root"}


class _Checked(click.ParamType):
    """An option's value checked by its setting's own converter (``api/settings.py``): one rule, in one place."""

    def __init__(self, name: str, convert: Callable[[Any], Any], metavar: str) -> None:
        self.name, self._convert, self._metavar = name, convert, metavar

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self._metavar

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self._convert(value)
        except (TypeError, ValueError) as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


def _setting(name: str, *param: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Return the ``serve`` option of a setting of ``api/settings.py``: its flag, help, default and, unless a
    ``type`` is given, the check of its value come from there (``param`` names the argument, when another)."""
    from guidancekg.api.settings import SETTING_FIELDS

    f = next(f for f in SETTING_FIELDS if f.name == name)
    default = "none" if f.default is None else f"{f.default:g}" if isinstance(f.default, float) else f.default
    text = (f"{f.metadata['doc']} (config {f.metadata['key']}; default: {default}; "
            f"values: {f.metadata['convert'].words})").replace("`", "")
    section = DATA if name in _DATA_SETTINGS else "Options"
    if "type" not in kwargs:
        kwargs["type"] = _Checked(name, f.metadata["convert"], kwargs.pop("metavar", "VALUE"))
    return click.option(f.metadata["option"], *param, default=None, help=text, cls=SectionOption,
                        section=section, **kwargs)


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


def _start_progress() -> Progress:
    """Return how the start is reported: bars on a terminal, else one log line per build step."""
    if quiet():
        return SILENT
    return terminal_progress() if on_terminal() else LogProgress(logging.getLogger("guidancekg.start"))


@command(SECTION)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; beyond loopback, put a reverse proxy in front (docs/deployment.md).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@_setting("threads", metavar="N")
@_setting("data", "data_dir", type=click.Path(file_okay=False, path_type=Path))
@_setting("base", metavar="URL")
@_setting("store_kind", type=click.Choice(STORE_KINDS))
@remote_options
@_setting("store_root", "store_root", type=click.Path(file_okay=False, path_type=Path))
@_setting("sparql_timeout", metavar="SECONDS")
@_setting("sparql_max_rows", metavar="ROWS")
@_setting("sparql_workers", metavar="N")
@_setting("sparql_queue", metavar="N")
@_setting("ingest_token", "ingest_token_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
          metavar="FILE")
@_setting("ingest_max_bytes", metavar="BYTES")
def serve(host: str, port: int, threads: int | None, data_dir: Path | None, base: str | None,
          store_kind: str | None, store_root: Path | None, sparql_timeout: float | None = None,
          sparql_max_rows: int | None = None, sparql_workers: int | None = None, sparql_queue: int | None = None,
          ingest_token_file: Path | None = None, ingest_max_bytes: int | None = None) -> None:
    """Serve the API, the SPARQL endpoint and the page under waitress, a multi-threaded WSGI server.

    The store is reopened when a current build exists, else built first (each step is shown on a terminal,
    and logged otherwise). Each option sets one setting of docs/settings.md (the same table as create_app's
    configuration). --ingest-token-file holds the token on its first line (at least 16 characters).

    \b
    Examples:
      guidancekg serve
      guidancekg serve --port 8081
    """
    from guidancekg.api.app import create_app, open_graph
    from guidancekg.api.server import serve as serve_app
    from guidancekg.api.settings import Settings

    # One line per request on stderr (api/access_log.py); credentials are never part of it.
    logging.basicConfig(level=logging.WARNING if quiet() else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")
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
    progress = _start_progress()
    graph = open_graph(settings, say=progress.note if progress is not SILENT else say, progress=progress)
    app = create_app(config, graph=graph)
    click.echo(f"guidancekg serving {graph.data_dir} at http://{host}:{port}/ as {settings.base} "
               f"(threads: {settings.threads}); press Ctrl+C to stop", err=True)
    # Waitress, told each route's body limit and the ingest token rule, refuses a body before reading it.
    serve_app(app, host=host, port=port, threads=settings.threads)

