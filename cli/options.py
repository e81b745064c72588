"""What every ``guidancekg`` command shares: help in sections, ``--quiet``, the data and store options, opening.

Options carry the help section they belong to, so that ``--help`` shows a command's own options first and the
data, store and remote-store options each in a section of their own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from guidancekg.cli.progress import say, set_quiet, terminal_progress
from guidancekg.graph.dates import parse_day
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.stores.kinds import DEFAULT_STORE_KIND, STORE_KINDS

OWN = "Options"
DATA = "Data and store"
REMOTE = "Remote store (with --store-kind remote)"
SECTIONS = (OWN, DATA, REMOTE)
DATA_HELP = "Data folder (default: ./data if it holds guidancekg data, else the bundled data)."
STORE_HELP = "Folder of the on-disk store (default: $GUIDANCEKG_STORE or a per-data cache folder)."


class SectionOption(click.Option):
    """An option that says which section of ``--help`` it belongs to."""

    def __init__(self, *args: Any, section: str = OWN, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section


class Command(click.Command):
    """A command with ``--quiet`` and a ``--help`` in sections; ``section`` groups it in ``guidancekg --help``."""

    def __init__(self, *args: Any, section: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        self.params.append(quiet_option())

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the options section by section: the command's own, then data and store, then remote store."""
        sections: dict[str, list[tuple[str, str]]] = {name: [] for name in SECTIONS}
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                sections.setdefault(getattr(param, "section", OWN), []).append(record)
        for name, records in sections.items():
            if records:
                with formatter.section(name):
                    formatter.write_dl(records)


def quiet_option() -> click.Option:
    """Return ``--quiet``: no progress and no notes on standard error."""
    return SectionOption(["--quiet", "-q"], is_flag=True, expose_value=False, is_eager=True, callback=set_quiet,
                         help="No progress and no notes on standard error: only the result, warnings and errors.")


def command(section: str) -> Callable[[Callable[..., Any]], Command]:
    """Declare a ``guidancekg`` command of ``section`` (its group in ``guidancekg --help``)."""
    return click.command(cls=Command, section=section)


def data_folder_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--data``."""
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), cls=SectionOption,
                        section=DATA, help=DATA_HELP)(f)


def store_folder_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--store``."""
    return click.option("--store", "store_root", type=click.Path(file_okay=False, path_type=Path),
                        cls=SectionOption, section=DATA, help=STORE_HELP)(f)


def remote_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options of ``--store-kind remote``; each sets the GUIDANCEKG_STORE_* variable that
    graph/stores/remote.py reads (the password only ever comes from GUIDANCEKG_STORE_PASSWORD)."""

    def to_env(name: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
        def callback(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
            if value:
                os.environ[name] = value
            return value

        return callback

    for flag, env, text in (
        ("--store-auth", "GUIDANCEKG_STORE_AUTH", "HTTP authentication, basic or digest."),
        ("--store-user", "GUIDANCEKG_STORE_USER", "User name (the password comes from $GUIDANCEKG_STORE_PASSWORD)."),
        ("--store-update-url", "GUIDANCEKG_STORE_UPDATE_URL", "SPARQL Update endpoint, if not --store-url."),
        ("--store-url", "GUIDANCEKG_STORE_URL", "SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql."),
    ):
        f = click.option(flag, callback=to_env(env), expose_value=False, is_eager=True, cls=SectionOption,
                         section=REMOTE, help=text)(f)
    return f


def store_kind_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--store-kind``."""
    return click.option("--store-kind", type=click.Choice(STORE_KINDS), default=DEFAULT_STORE_KIND,
                        show_default=True, cls=SectionOption, section=DATA,
                        help="oxigraph: on-disk store, built once and reopened; memory: build in memory each "
                        "time; remote: a SPARQL 1.1 server (--store-url).")(f)


def data_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--data``, ``--store-kind``, ``--store`` and the remote-store options."""
    for add in (remote_options, store_folder_option, store_kind_option, data_folder_option):
        f = add(f)
    return f


def filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--drug``, ``--jurisdiction`` and ``--topic``."""
    f = click.option("--topic", help="Only this topic key (e.g. indication, dosing).")(f)
    f = click.option("--jurisdiction", help="Only this jurisdiction code (EU, UK, UK-ENW, US); "
                     "a code includes the regions within it.")(f)
    return click.option("--drug", help="Only this drug (e.g. alemtuzumab).")(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format table|json``."""
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="table for people; json gives the HTTP API's objects.")(f)


def known_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--known``."""
    return click.option("--known", metavar="DATE",
                        help="As known at this date (record time); default: everything recorded.")(f)


def page_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--limit`` and ``--cursor``: one page of the answer, as the HTTP API gives it."""
    f = click.option("--cursor", metavar="CURSOR",
                     help="Start where the page that printed this cursor ended (the same question only).")(f)
    return click.option("--limit", type=click.IntRange(min=1), metavar="N",
                        help="At most N statements (or changes), in the answer's order; the rest on the next "
                        "pages (default: the whole answer).")(f)


def day(value: str | None, name: str) -> date | None:
    """Return ``value`` as a day, or None when it was not given."""
    return parse_day(value, name) if value is not None else None


def open_graph(data_dir: Path | None, store_kind: str, store_root: Path | None) -> GuidanceGraph:
    """Open the graph (building it first when needed, with progress on a terminal)."""
    return GuidanceGraph.open(data_dir, kind=store_kind, store_root=store_root, say=say,
                              progress=terminal_progress())


def emit(fmt: str, obj: dict[str, Any], text: str, next_cursor: str | None = None) -> None:
    """Print ``obj`` as JSON for ``--format json``, else ``text``; with the cursor of the next page, if any.

    In JSON the cursor is ``next_cursor``; under a table, a last line says how to ask for the next page.
    """
    if fmt == "json":
        click.echo(json.dumps({**obj, "next_cursor": next_cursor} if next_cursor else obj, indent=2,
                              ensure_ascii=False))
        return
    click.echo(text)
    if next_cursor:
        click.echo(f"More on the next page: the same command with --cursor {next_cursor}")
