"""Start a real ``guidancekg serve`` process on a free loopback port (the tests, benchmarks and reliability runs)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """Return a TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A ``guidancekg serve`` subprocess, started at once; use it as a context manager or call :meth:`stop`.

    Its store and log live in ``workdir`` (a temporary folder, removed on stop, when none is given). ``wrapper``
    is a command that runs the server (e.g. one that restricts it). ``ready`` is the request whose first answer
    says the server is up; ``started_s`` is the time from launching the process to that answer.
    """

    def __init__(self, *args: str, data: Path | None = None, workdir: Path | None = None,
                 start_timeout: float = 300.0, wrapper: tuple[str, ...] = (), ready: str = "/api/sources") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = None if workdir is not None else tempfile.TemporaryDirectory(prefix="guidancekg-run-")
        self.workdir = Path(workdir) if workdir is not None else Path(self._tmp.name)  # type: ignore[union-attr]
        self.log = self.workdir / "server.log"
        command = [*wrapper, sys.executable, "-m", "guidancekg.cli", "serve", "--port", str(self.port),
                   "--store", str(self.workdir / "store")]
        if data:
            command += ["--data", str(data)]
        command += args  # after the defaults, so that an option given here wins
        launched = time.perf_counter()
        self.proc = subprocess.Popen(command, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        self._wait(start_timeout, ready)
        self.started_s = time.perf_counter() - launched

    def _wait(self, timeout: float, ready: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + ready, timeout=30) as response:
                    response.read()
                    return
            except OSError:
                time.sleep(0.02)  # finely: the benchmarks time a start to its first answer
        self.stop()
        raise RuntimeError(f"the server did not start within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the process (terminate, then kill after 10 s) and remove its temporary folder."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
