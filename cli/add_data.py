"""Add data: record a new version of a source, draft its statements, or write a synthetic corpus."""

from __future__ import annotations

from pathlib import Path

import click

from guidancekg.cli.options import command, data_folder_option, store_folder_option
from guidancekg.cli.progress import say, terminal_progress
from guidancekg.graph.ingest.versions import DEFAULT_MAX_BYTES
from guidancekg.graph.opened import default_data_dir

SECTION = "Add data"


def _read_limited(path: Path, limit: int) -> bytes:
    from guidancekg.graph.errors import UploadTooLarge

    size = path.stat().st_size
    if size > limit:
        raise UploadTooLarge(str(path), size, limit)
    return path.read_bytes()


@command(SECTION)
@click.argument("text_file", metavar="TEXT_FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("statements_file", metavar="STATEMENTS_FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Key of the source (a folder of data/sources) the version is of.")
@click.option("--published", required=True, metavar="DATE",
              help="Publication (record) date of the version: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--revises", metavar="VERSION", help="Key of the version of the same source this one revises.")
@click.option("--url", help="Where this version lives.")
@click.option("--key", metavar="VERSION", help="Folder name of the new version (default: the published date).")
@click.option("--date-confidence", type=click.Choice(["verbatim", "paraphrase", "unconfirmed"]),
              default="unconfirmed", show_default=True,
              help="How well --published is known: read in the text (verbatim), reported (paraphrase), or not.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help=f"Largest file accepted, the server's INGEST_MAX_BYTES (default: {DEFAULT_MAX_BYTES}).")
@data_folder_option
@store_folder_option
def ingest(text_file: Path, statements_file: Path, source: str, published: str, revises: str | None,
           url: str | None, key: str | None, date_confidence: str, max_bytes: int | None, data_dir: Path | None,
           store_root: Path | None) -> None:
    """Record a new version of a source: TEXT_FILE (the held text) and STATEMENTS_FILE, all or nothing.

    Every check of the build runs on the new version in the context of the data first; only then is the
    version folder written (atomically) and the store updated (a new build, swapped in). Sending a text
    already recorded for the source changes nothing. A recorded version is never overwritten: a correction
    is a new version that --revises it. A server running on the same data and store swaps the new build in
    within seconds (GUIDANCEKG_STORE_CHECK), between two requests.

    \b
    Example:
      guidancekg ingest --source mssociety-lemtrada --published 2019-06-01 --revises 2019-04-18 \\
          page.txt statements.yaml
    """
    from guidancekg.graph.ingest.versions import Upload
    from guidancekg.graph.ingest.versions import ingest as run_ingest

    data = data_dir or default_data_dir()
    limit = max_bytes or DEFAULT_MAX_BYTES
    upload = Upload(source=source, published=published, text=_read_limited(text_file, limit),
                    statements=_read_limited(statements_file, limit), revises=revises, url=url, key=key,
                    date_confidence=date_confidence, text_name=str(text_file), statements_name=str(statements_file))
    result = run_ingest(data, upload, store_root=store_root, max_bytes=limit, origin="cli", say=say,
                        progress=terminal_progress())
    if result.store is not None:
        result.store.close()  # let go of the new build: this process does not read it
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if result.created:
        click.echo(f"created {result.iri}: defines {len(result.defines)}, asserts {len(result.asserts)}, "
                   f"withdraws {len(result.withdraws)} statement(s)")
    else:
        click.echo(f"unchanged: the text is already recorded as {result.iri}; nothing was written")


@command(SECTION)
@click.argument("text_file", metavar="TEXT_FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Key of the source the new text is a version of.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the draft here (default: standard output).")
@data_folder_option
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
        say(f"wrote {output}")
    else:
        click.echo(rendered, nl=False)
    carried = sum(len(e.carried) for e in draft.entries)
    say(f"{len(draft.entries)} sentences: {len(draft.statements())} drafted, {carried} carried over, "
        f"{len(draft.withdrawal_candidates)} candidate(s) for withdrawal")


@command(SECTION)
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
      guidancekg synth --statements 10000 --seed 1 --out /tmp/synth-1e4
      guidancekg build --data /tmp/synth-1e4
    """
    from guidancekg.graph.corpus.synthetic import generate

    try:
        stats = generate(n, seed, out_dir, overwrite=overwrite, progress=terminal_progress())
    except FileExistsError as exc:
        raise click.ClickException(f"{exc}; use --overwrite") from None
    click.echo(f"wrote {stats.statements} statements ({stats.drugs} drugs, {stats.sources} sources, "
               f"{stats.versions} versions, {stats.assertions} records, {stats.overrides} overrides) to {out_dir}")
