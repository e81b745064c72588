"""Start a real ``guidancekg serve`` on a free loopback port for a benchmark or a reliability run."""

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
    """A ``guidancekg serve`` subprocess; use as a context manager."""

    def __init__(self, *args: str, data: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="guidancekg-run-")
        self.log = Path(self._tmp.name) / "server.log"
        command = [sys.executable, "-m", "guidancekg.api.cli", "serve", "--port", str(self.port),
                   "--store", str(Path(self._tmp.name) / "store"), *args]
        if data:
            command += ["--data", str(data)]
        self.proc = subprocess.Popen(command, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "/api/sources", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start within 300 s")

    def __exit__(self, *_exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._tmp.cleanup()
