"""Build and check the graph: write the store, validate the data without writing, export the whole graph."""

from __future__ import annotations

from pathlib import Path

import click

from guidancekg.cli.options import command, data_folder_option, data_options, open_graph
from guidancekg.cli.progress import say, terminal_progress
from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.engine.model import Model
from guidancekg.graph.opened import default_data_dir
from guidancekg.graph.stores.build import compile_data
from guidancekg.graph.stores.kinds import store_class
from guidancekg.graph.views.quality import quality_warnings
from guidancekg.graph.views.void import EXPORT_FORMATS

SECTION = "Build and check"


def _warn(warnings: tuple[str, ...]) -> None:
    for w in warnings:
        click.echo(f"warning: {w}", err=True)


@command(SECTION)
@data_options
def build(data_dir: Path | None, store_kind: str, store_root: Path | None) -> None:
    """Check the data and write the on-disk store, all or nothing.

    Every check runs first: the form of each file, each quote at its offsets in its held text, references,
    dates, an acyclic override graph and the SHACL shapes. Only then is a new store written and swapped in;
    on any failure the previous build is untouched. On a terminal, each step shows its progress.

    \b
    Example:
      guidancekg build --data /tmp/synth-1e4
    """
    data = data_dir or default_data_dir()
    progress = terminal_progress()
    compiled = compile_data(data, progress=progress)
    kind = store_class(store_kind)
    store = kind.publish(compiled, data_dir=data, root=kind.builds_under(data, store_root), progress=progress)
    try:
        _warn(compiled.warnings)
        click.echo(f"built {len(compiled.corpus.statements)} statements from {len(compiled.corpus.versions)} "
                   f"versions ({store.count_quads()} quads) into {store.location}")
    finally:
        store.close()


@command(SECTION)
@data_folder_option
def validate(data_dir: Path | None) -> None:
    """Run every check of the build on the data without writing anything; exit 1 on any problem.

    Then name, as data-quality warnings, what an auditor should question (docs/data-quality.md): a temporary
    statement effective for more than two years with nothing replacing it, a recommendation still effective after
    a binding decision on the same matter, a record labelled verbatim whose words are not held, and a statement
    worded only by a secondary source while an authority records it.
    """
    data = data_dir or default_data_dir()
    compiled = compile_data(data, progress=terminal_progress())
    _warn(compiled.warnings)
    for w in quality_warnings(Engine(Model.of(compiled.corpus))):
        click.echo(f"data-quality warning: {w}", err=True)
    quads = sum(1 for _ in compiled.dataset.quads((None, None, None, None)))
    click.echo(f"{data}: valid ({len(compiled.corpus.statements)} statements, "
               f"{len(compiled.corpus.versions)} versions, {quads} quads)")


@command(SECTION)
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="trig", show_default=True,
              help="trig, nquads and jsonld keep the named graphs; turtle is their union; fhir is every statement "
              "as FHIR R5 resources in one Bundle; nanopub is one nanopublication per record, in TriG.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@data_options
def export(fmt: str, output: Path | None, data_dir: Path | None, store_kind: str,
           store_root: Path | None) -> None:
    """Write the whole graph (every version's graph, provenance, vocabulary, the dataset's description) in FORMAT.

    \b
    Examples:
      guidancekg export --format trig -o guidance.trig
      guidancekg export --format nanopub -o nanopubs.trig
    """
    from guidancekg.graph.views.export import export as write_export

    graph = open_graph(data_dir, store_kind, store_root)
    data = write_export(fmt, graph.store, graph.engine, graph.minter)
    if output:
        output.write_text(data, encoding="utf-8")
        say(f"wrote {output}")
    else:
        click.echo(data, nl=False)
