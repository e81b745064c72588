"""Hear the steps of a build and keep, for each, how long it took and the process's peak RSS when it ended.

The build reports its steps to a :class:`~guidancekg.graph.progress.Progress` (reading the data, checking it,
SHACL, writing the store, writing the snapshot); handed a :class:`StepTimes`, it says where its time and its
memory go, measured in the same run as its total.
"""

from __future__ import annotations

import resource
import time

from guidancekg.graph.progress import Progress


class StepTimes(Progress):
    """Keep the seconds of each step heard, and the peak RSS (``ru_maxrss``, MB) of the process at its end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}
        self._step, self._started = "", 0.0

    def begin(self, step: str, total: int | None = None, unit: str = "") -> None:
        self._step, self._started = step, time.perf_counter()

    def end(self, summary: str = "") -> None:
        self.seconds[self._step] = round(time.perf_counter() - self._started, 2)
        self.peak_rss_mb[self._step] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
