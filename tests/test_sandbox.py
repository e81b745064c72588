"""graph/sparql/sandbox.py: a SPARQL worker has no network, whatever a query makes the engine try.

Each check runs the real engine (pyoxigraph) in a real process under the real filter, with a canary TCP
listener standing where a query points: it must receive nothing.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.hostile import Listener
from guidancekg.graph.sparql import sandbox

pytestmark = pytest.mark.skipif(sandbox.abi() is None, reason="the sandbox is written for Linux on x86-64 and AArch64")

HERE = Path(__file__).resolve().parent

# Runs in a child process: install the sandbox, then try every way out and report what happened, as JSON.
PROBE = r"""
import json, socket, sys
import pyoxigraph as ox
from guidancekg.graph.sparql import sandbox
sandbox.install()
out = {}
for name in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_UNIX"):
    try:
        socket.socket(getattr(socket, name), socket.SOCK_DGRAM if name != "AF_PACKET" else socket.SOCK_RAW).close()
        out[name] = "opened"
    except OSError as exc:
        out[name] = exc.errno
answers = []
for url in sys.argv[1:]:
    # The screen is not asked: this is a SERVICE clause that got past it, run by the engine itself.
    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
        answers.append("answered")
    except OSError as exc:
        answers.append("OSError")
    except Exception as exc:
        answers.append(type(exc).__name__ + ": " + str(exc))
out["service"] = answers
print(json.dumps(out))
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


def test_a_sandboxed_engine_opens_no_socket_and_open_and_closed_ports_look_the_same():
    listener = Listener()
    try:
        closed = closed_port()
        out = subprocess.run([sys.executable, "-c", PROBE, listener.url, f"http://127.0.0.1:{closed}/",
                              "http://localhost:80/", "http://example.org/sparql"],
                             capture_output=True, text=True, timeout=60, check=True)
    finally:
        listener.close()
    found = json.loads(out.stdout)
    assert found["AF_INET"] == found["AF_INET6"] == found["AF_NETLINK"] == found["AF_PACKET"] == 13  # EACCES
    assert found["AF_UNIX"] == "opened"
    # Every SERVICE failed the same way, whatever was at the address (or whether it resolves at all).
    assert found["service"] == ["OSError"] * 4
    assert listener.connections == 0


def test_without_the_sandbox_the_same_engine_does_connect():
    """The control: the canary can tell a connection, so the test above could fail."""
    listener = Listener()
    try:
        probe = PROBE.replace("sandbox.install()\n", "")
        subprocess.run([sys.executable, "-c", probe, listener.url], capture_output=True, timeout=60)
    finally:
        listener.close()
    assert listener.connections >= 1


def test_a_worker_fails_closed_when_its_sandbox_cannot_be_installed(graph):
    """Under a parent that forbids seccomp filters, no query runs and the reason is given."""
    script = (
        "import sys\n"
        "from guidancekg.graph.errors import SandboxUnavailable\n"
        "from guidancekg.graph.sparql.pool import SparqlExecutor\n"
        "ex = SparqlExecutor(('nquads', b''), workers=1)\n"
        "try:\n"
        "    ex.run('ASK {}')\n"
        "    print('ran')\n"
        "except SandboxUnavailable as exc:\n"
        "    print('refused:', exc)\n"
        "try:\n"
        "    ex.run('ASK {}')\n"
        "except SandboxUnavailable as exc:\n"
        "    print('again:', exc)\n"
        "ex.close()\n")
    out = subprocess.run([sys.executable, str(HERE / "no_seccomp.py"), sys.executable, "-c", script],
                         capture_output=True, text=True, timeout=120, check=True)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("refused: no SPARQL query is run: the SPARQL sandbox cannot be installed")
    assert "EPERM" in lines[0]
    assert lines[1].startswith("again:")


@pytest.mark.server
def test_the_endpoint_says_why_when_no_sandbox_can_be_installed(tmp_path):
    """The real server under a parent that forbids seccomp: /sparql answers 503 with the reason, nothing runs;
    the JSON API, which runs no query from a request, keeps answering."""
    import requests
    from conftest import LiveServer

    server = LiveServer(tmp_path, "--store-kind", "memory",
                        wrapper=(sys.executable, str(HERE / "no_seccomp.py")))
    try:
        resp = requests.post(f"{server.url}/sparql", data={"query": "ASK {}"}, timeout=60)
        assert resp.status_code == 503 and resp.headers["Content-Type"].startswith("application/problem+json")
        body = resp.json()
        assert body["type"].endswith("/sandbox-unavailable")
        assert "no SPARQL query is run" in body["detail"] and "EPERM" in body["detail"]
        assert requests.get(f"{server.url}/api/guidance?on=2019-04-12", timeout=30).status_code == 200
    finally:
        server.stop()
