"""Hear how far long work has got: the steps of a build, an ingest or a synthetic corpus, with counts.

The domain calls a :class:`Progress` it is handed and never draws anything itself (``graph/`` knows no
terminal). The base class hears nothing, so it is every function's default; the command line hands in one that
draws bars on a terminal (``cli/progress.py``), the server one that logs each step (:class:`LogProgress`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Progress:
    """Hear the steps of long work; this base class hears nothing (the default everywhere)."""

    def note(self, message: str) -> None:
        """Hear something worth telling that is not a step (why a build starts, what was repaired)."""

    def begin(self, step: str, total: int | None = None, unit: str = "") -> None:
        """Hear that ``step`` starts, with ``total`` units of work when they are known beforehand."""

    def advance(self, n: int = 1) -> None:
        """Hear that ``n`` more units of the current step are done."""

    def end(self, summary: str = "") -> None:
        """Hear that the current step is done; ``summary`` says what it did (``"37 statements"``)."""

    @contextmanager
    def step(self, step: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        """Run a step: ``with progress.step("checking", 37, "statements") as s: ... s.advance(1)``.

        The step ends when the block does, with the summary the block set (``s.summary = "..."``), also when
        it raises (the error itself is the caller's to report).
        """
        current = Step(self)
        self.begin(step, total, unit)
        try:
            yield current
        finally:
            self.end(current.summary)


class Step:
    """The step a ``with progress.step(...)`` block runs: count its work, say what it did."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self.summary = ""

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units of work done."""
        self._progress.advance(n)


SILENT = Progress()


class LogProgress(Progress):
    """Log one line per finished step, with its count and its time: a server's log shows what its start did."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._step: str | None = None
        self._unit = ""
        self._done = 0
        self._started = 0.0

    def note(self, message: str) -> None:
        """Log ``message``."""
        self._log.info("%s", message)

    def begin(self, step: str, total: int | None = None, unit: str = "") -> None:
        """Remember the step and start its clock."""
        self._step, self._unit, self._done, self._started = step, unit, 0, time.monotonic()

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units."""
        self._done += n

    def end(self, summary: str = "") -> None:
        """Log the step with what it counted (or ``summary``) and how long it took."""
        if self._step is None:
            return
        what = summary or (f"{self._done:,} {self._unit}" if self._unit else "")
        elapsed = time.monotonic() - self._started
        self._log.info("%s%s (%.1f s)", self._step, f": {what}" if what else "", elapsed)
        self._step = None
