"""Draw the steps of long work as bars on a terminal, with rich (imported only when a terminal shows them).

:func:`guidancekg.cli.progress.terminal_progress` makes the one reporter of a command; a pipe or a log never
loads this module, so that a command's start (``serve`` above all) does not pay for rich.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars
from rich.text import Text

from guidancekg.graph.progress import Progress


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
