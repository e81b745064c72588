"""Throw a corpus of hostile SPARQL at the real server: each request must be refused or stopped, never obeyed.

While the corpus runs, a second thread asks ``/api/guidance`` every 0.2 s: the server must keep answering.
A TCP listener stands at the address every SERVICE, LOAD and FROM points to: it must receive no connection.
Usage: ``python -m benchmarks.hostile [--url URL --listener-port PORT]`` (without ``--url`` a server is started
with a 2-second SPARQL time limit).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

REFUSED, STOPPED, ANSWERED = "refused", "stopped", "answered"


@dataclass(frozen=True)
class Hostile:
    """One hostile request: what it tries, how it is sent, and the outcomes that are acceptable."""

    name: str
    text: str
    form: str = "query"  # query (GET), post-query (form), direct (application/sparql-query), update (direct), ...
    expected: tuple[str, ...] = (REFUSED,)


def corpus(target: str) -> list[Hostile]:
    """Return the hostile requests; ``target`` is an address that must never be contacted."""
    big = "{" * 2000 + " ?s ?p ?o " + "}" * 2000
    product = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    updates = {
        "INSERT DATA": "INSERT DATA { <urn:x> <urn:p> 1 }",
        "DELETE DATA": "DELETE DATA { <urn:x> <urn:p> 1 }",
        "DELETE WHERE": "DELETE WHERE { ?s ?p ?o }",
        "INSERT WHERE": "INSERT { ?s <urn:p> 1 } WHERE { ?s ?p ?o }",
        "DELETE/INSERT WITH": "WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "LOAD": f"LOAD <{target}data.ttl>",
        "LOAD SILENT INTO": f"LOAD SILENT <{target}data.ttl> INTO GRAPH <urn:g>",
        "CLEAR ALL": "CLEAR ALL",
        "CLEAR DEFAULT": "CLEAR DEFAULT",
        "DROP ALL": "DROP ALL",
        "DROP GRAPH": "DROP GRAPH <urn:g>",
        "CREATE GRAPH": "CREATE GRAPH <urn:g>",
        "COPY": "COPY DEFAULT TO <urn:g>",
        "MOVE": "MOVE DEFAULT TO <urn:g>",
        "ADD": "ADD DEFAULT TO <urn:g>",
        "two updates": "CLEAR ALL ; INSERT DATA { <urn:x> <urn:p> 1 }",
    }
    out = []
    for name, text in updates.items():
        out += [Hostile(f"update {name} (sparql-update body)", text, "update"),
                Hostile(f"update {name} (form update=)", text, "update-form"),
                Hostile(f"update {name} (as query=)", text, "query")]
    service = f"SERVICE <{target}> {{ ?s ?p ?o }}"
    out += [
        Hostile("SERVICE", f"SELECT * WHERE {{ {service} }}"),
        Hostile("SERVICE SILENT", f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}"),
        Hostile("SERVICE variable", f"SELECT * WHERE {{ BIND(<{target}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}"),
        Hostile("SERVICE in OPTIONAL", f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {service} }} }}"),
        Hostile("SERVICE in subquery", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}"),
        Hostile("SERVICE in EXISTS", f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ {service} }} }}"),
        Hostile("SERVICE by POST form", f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}", "post-query"),
        Hostile("SERVICE by direct POST", f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}", "direct"),
        Hostile("FROM a remote graph", f"SELECT * FROM <{target}g.ttl> WHERE {{ ?s ?p ?o }}",
                expected=(REFUSED, ANSWERED)),
        Hostile("FROM NAMED a remote graph", f"SELECT * FROM NAMED <{target}g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                expected=(REFUSED, ANSWERED)),
        Hostile("FROM a local file", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
                expected=(REFUSED, ANSWERED)),
        Hostile("deep nesting (2000 groups)", f"SELECT * WHERE {big}", expected=(REFUSED, STOPPED)),
        Hostile("huge literal (200 kB)", 'SELECT * WHERE { ?s ?p "' + "A" * 200_000 + '" }', "post-query"),
        Hostile("cartesian product", product, expected=(STOPPED, REFUSED)),
        Hostile("cartesian product by POST", product, "post-query", expected=(STOPPED, REFUSED)),
        Hostile("catastrophic regex over a product",
                'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i '
                'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "^(a+)+$")) }', expected=(STOPPED, REFUSED)),
        Hostile("property path over the whole graph", "SELECT * WHERE { ?s (<urn:p>|!<urn:p>)* ?o }",
                expected=(STOPPED, REFUSED)),
        Hostile("COUNT over a product", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                expected=(STOPPED, REFUSED)),
        Hostile("malformed", "SELECT * WHERE { ?s ?p ", expected=(REFUSED,)),
    ]
    return out + escape_family(target)


def escape_family(target: str) -> list[Hostile]:
    """Return SERVICE hidden by escapes, comments and prefixed names that two SPARQL readers read apart.

    The first is the query of issue 14: rdflib takes ``\\u00000022`` for a quote (eight hex digits), Oxigraph
    for NUL and ``0022``; and ``dcterms:a\\#b`` ended an older screen's token at the backslash, so that the rest
    of the line looked like a comment to it. Each must be refused, or answered without a connection.
    """
    dc = "PREFIX dcterms: <http://purl.org/dc/terms/> "
    service = f"SERVICE <{target}> {{ ?s ?p ?o }}"
    either = (REFUSED, ANSWERED)
    return [
        Hostile("escape: 8-digit \\u hides SERVICE in a string (issue 14)",
                f'{dc}SELECT * WHERE {{ ?s dcterms:a\\#b "\\u00000022" . {service} ?x ?y "\\u00000022" }}',
                expected=either),
        Hostile("escape: 8-digit \\u, no prefixed name",
                f'SELECT * WHERE {{ ?s ?p "\\u00000022" . {service} ?x ?y "\\u00000022" }}', expected=either),
        Hostile("escape: \\U quote around SERVICE",
                f'SELECT * WHERE {{ ?s ?p "\\U00000022" . {service} ?x ?y "\\U00000022" }}', expected=either),
        Hostile("escape: prefixed name with \\# before SERVICE",
                f"{dc}SELECT * WHERE {{ ?s dcterms:a\\#b ?o . {service} }}"),
        Hostile("escape: SERV\\u0049CE", f"SELECT * WHERE {{ SERV\\u0049CE <{target}> {{ ?s ?p ?o }} }}"),
        Hostile("escape: \\U00000053ERVICE", f"SELECT * WHERE {{ \\U00000053ERVICE <{target}> {{ ?s ?p ?o }} }}"),
        Hostile("escape: \\u000a ends a comment early", f"SELECT * WHERE {{ ?s ?p ?o # \\u000a {service} }}"),
        Hostile("escape: \\u0022 closes a string early",
                f'SELECT * WHERE {{ ?s ?p "a\\u0022 . {service} #" }}', expected=either),
        Hostile("escape: \\u0027 in a single-quoted string",
                f"SELECT * WHERE {{ ?s ?p 'a\\u0027 . {service} #' }}", expected=either),
        Hostile("escape: \\u003E ends an IRI early", f"SELECT * WHERE {{ ?s ?p <urn:a\\u003E . {service} }}"),
        Hostile("escape: escaped backslash before u",
                f'SELECT * WHERE {{ ?s ?p "\\\\u0022" . {service} ?x ?y "\\\\u0022" }}'),
        Hostile("escape: LOAD spelt with an escape", f"L\\u004FAD <{target}>", "update"),
        Hostile("escape: INSERT spelt with an escape", "INS\\u0045RT DATA { <urn:x> <urn:p> 1 }"),
    ]


def _send(session: requests.Session, url: str, h: Hostile) -> requests.Response:
    accept = {"Accept": "application/sparql-results+json"}
    if h.form == "query":
        return session.get(url, params={"query": h.text}, headers=accept, timeout=60)
    if h.form == "post-query":
        return session.post(url, data={"query": h.text}, headers=accept, timeout=60)
    if h.form == "direct":
        return session.post(url, data=h.text.encode(), headers={**accept, "Content-Type": "application/sparql-query"},
                            timeout=60)
    if h.form == "update-form":
        return session.post(url, data={"update": h.text}, timeout=60)
    return session.post(url, data=h.text.encode(), headers={"Content-Type": "application/sparql-update"}, timeout=60)


def outcome(status: int) -> str:
    """Classify an HTTP status: 503 stopped by the time limit, 4xx refused, 2xx answered."""
    if status == 503:
        return STOPPED
    if 400 <= status < 500:
        return REFUSED
    return ANSWERED if status < 300 else f"status {status}"


class Listener:
    """A TCP listener on a free loopback port that counts every connection it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def wait_for(self, connections: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until at least ``connections`` have arrived; return whether they did."""
        deadline = time.monotonic() + timeout
        while self.connections < connections and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.connections >= connections

    def close(self, settle: float = 1.0) -> None:
        """Stop listening, after ``settle`` seconds in which anything in flight still arrives."""
        time.sleep(settle)
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@dataclass
class HostileReport:
    results: list[dict[str, Any]] = field(default_factory=list)
    probes: int = 0
    probe_failures: int = 0
    probe_max_ms: float = 0.0
    outbound_connections: int = 0

    @property
    def unexpected(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["ok"]]

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        return {"tried": len(self.results), "outcomes": counts, "unexpected": self.unexpected,
                "probes": self.probes, "probe_failures": self.probe_failures,
                "probe_max_ms": round(self.probe_max_ms, 1), "outbound_connections": self.outbound_connections,
                "results": self.results}


def run(base_url: str, listener: Listener) -> HostileReport:
    """Send the corpus to ``base_url`` while probing ``/api/guidance``; return what happened."""
    report = HostileReport()
    done = threading.Event()

    def probe() -> None:
        session = requests.Session()
        while not done.is_set():
            started = time.perf_counter()
            try:
                ok = session.get(f"{base_url}/api/guidance?on=2019-04-12", timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            report.probe_max_ms = max(report.probe_max_ms, (time.perf_counter() - started) * 1000)
            report.probes += 1
            report.probe_failures += 0 if ok else 1
            done.wait(0.2)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    session = requests.Session()
    try:
        for h in corpus(f"http://127.0.0.1:{listener.port}/"):
            started = time.perf_counter()
            response = _send(session, f"{base_url}/sparql", h)
            seen = outcome(response.status_code)
            report.results.append({"name": h.name, "status": response.status_code, "outcome": seen,
                                   "ok": seen in h.expected, "ms": round((time.perf_counter() - started) * 1000),
                                   "problem": response.headers.get("Content-Type", "").startswith(
                                       "application/problem+json") if seen != ANSWERED else None})
    finally:
        done.set()
        prober.join(timeout=10)
    time.sleep(0.5)
    report.outbound_connections = listener.connections
    return report


def main() -> None:
    """Run the corpus against ``--url`` or a server it starts; print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running server (default: start one with --sparql-timeout 2)")
    args = parser.parse_args()
    listener = Listener()
    try:
        if args.url:
            report = run(args.url, listener)
        else:
            from benchmarks.server import Server

            with Server("--sparql-timeout", "2") as server:
                report = run(server.url, listener)
    finally:
        listener.close()
    json.dump(report.to_json(), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
