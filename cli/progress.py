"""Choose how a command shows how far long work has got: bars on a terminal (:mod:`.bars`), else nothing.

The domain reports steps to a :class:`guidancekg.graph.progress.Progress`; here is the choice of reporter for a
command: bars only when standard error is a terminal and ``--quiet`` was not given, so that a pipe or a log file
gets nothing extra, and ``say`` for a note above them.
"""

from __future__ import annotations

import sys

import click

from guidancekg.graph.progress import SILENT, Progress

QUIET_KEY = "guidancekg.quiet"
_PROGRESS_KEY = "guidancekg.progress"


def quiet(ctx: click.Context | None = None) -> bool:
    """Return whether ``--quiet`` was given to the command or to ``guidancekg`` itself."""
    ctx = ctx or click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get(QUIET_KEY))


def set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    """Click callback of ``--quiet``: remember it for the whole command line."""
    if value:
        ctx.find_root().meta[QUIET_KEY] = True
    return value


def say(message: str) -> None:
    """Print a note on standard error (above the bars when they are drawn), unless ``--quiet``."""
    if quiet():
        return
    ctx = click.get_current_context(silent=True)
    reporter = ctx.find_root().meta.get(_PROGRESS_KEY) if ctx else None
    if isinstance(reporter, Progress):  # bars are drawn: the note goes above them
        reporter.note(message)
    else:
        click.echo(message, err=True)


def on_terminal() -> bool:
    """Return whether bars may be drawn: standard error is a terminal and ``--quiet`` was not given."""
    return not quiet() and sys.stderr.isatty()


def terminal_progress() -> Progress:
    """Return the progress of the current command: bars on a terminal, else silence.

    The bars are taken off the terminal when the command ends.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None or not on_terminal():
        return SILENT
    root = ctx.find_root()
    existing = root.meta.get(_PROGRESS_KEY)
    if isinstance(existing, Progress):
        return existing
    from rich.console import Console

    from guidancekg.cli.bars import TerminalProgress  # rich, only when bars are drawn

    reporter = TerminalProgress(Console(stderr=True))
    root.meta[_PROGRESS_KEY] = reporter
    root.call_on_close(reporter.stop)
    return reporter
