"""Show how far long work has got on a terminal: a bar per step, its count and its time (with rich).

The domain reports steps to a :class:`guidancekg.graph.progress.Progress`; here is the one that draws them on
standard error, and the choice of reporter for a command: bars only when standard error is a terminal and
``--quiet`` was not given, so that a pipe or a log file gets nothing extra.
"""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars
from rich.text import Text

from guidancekg.graph.progress import SILENT, Progress

QUIET_KEY = "guidancekg.quiet"
_PROGRESS_KEY = "guidancekg.progress"


class _Count(ProgressColumn):
    """Show ``done/total unit`` (or ``done unit`` while the total is unknown)."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if not unit:
            return Text("")
        done = f"{int(task.completed):,}"
        return Text(f"{done}/{int(task.total):,} {unit}" if task.total is not None else f"{done} {unit}")


class TerminalProgress(Progress):
    """Draw the current step as a bar on a terminal, and leave one line per finished step with its time."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bars = Bars(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _Count(),
                          TimeElapsedColumn(), console=console, transient=True)
        self._task: TaskID | None = None
        self._step = ""
        self._unit = ""
        self._started = 0.0
        self._done = 0

    def note(self, message: str) -> None:
        """Print ``message`` above the bars."""
        self._console.print(message, markup=False, highlight=False)

    def begin(self, step: str, total: int | None = None, unit: str = "") -> None:
        """Start a bar for ``step``."""
        if not self._bars.live.is_started:
            self._bars.start()
        self._task = self._bars.add_task(step, total=total, unit=unit)
        self._step, self._unit, self._started, self._done = step, unit, time.monotonic(), 0

    def advance(self, n: int = 1) -> None:
        """Move the bar on by ``n``."""
        if self._task is not None:
            self._done += n
            self._bars.advance(self._task, n)

    def end(self, summary: str = "") -> None:
        """Replace the bar by a line: the step, what it did and how long it took."""
        if self._task is None:
            return
        step = self._step
        self._bars.remove_task(self._task)
        self._task = None
        self._bars.stop()  # between steps nothing is drawn, so the command's own output never meets a bar
        what = summary or (f"{self._done:,} {self._unit}" if self._unit else "")
        elapsed = time.monotonic() - self._started
        self.note(f"  {step}{': ' + what if what else ''} ({elapsed:.1f} s)")

    def stop(self) -> None:
        """Take the bars off the terminal."""
        if self._bars.live.is_started:
            self._bars.stop()


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
    if isinstance(reporter, TerminalProgress):
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
    if isinstance(existing, TerminalProgress):
        return existing
    reporter = TerminalProgress(Console(stderr=True))
    root.meta[_PROGRESS_KEY] = reporter
    root.call_on_close(reporter.stop)
    return reporter
