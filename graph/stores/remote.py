"""A store on any SPARQL 1.1 server with Query and Update (Virtuoso, Oxigraph server, Fuseki, GraphDB, ...), for
deployments past one machine: the rest of the project sees the same :class:`~.base.Store` as with the others.
Configuration: :mod:`.remote_protocol`.

**No silent truncation.** Servers cap result sizes (Virtuoso's ``ResultSetMaxRows`` cuts at 10000 without a
word). When a result is as long as the page size (``GUIDANCEKG_STORE_PAGE``, at most the server's cap),
:meth:`RemoteStore.select` pages instead: it orders the solutions totally and asks for ``LIMIT page OFFSET k``
until a page comes back short. A query with its own ``LIMIT``/``OFFSET`` is sent as it is, and a result of
exactly the page size is refused as possibly truncated.

**Writing a build** (:meth:`RemoteStore.replace_dataset`): the quads go as bounded ``INSERT DATA`` requests (at
most ``batch`` quads each; rdflib's ``SPARQLUpdateStore`` would send one request per triple), into the same
graph names as the embedded stores. A pointer graph ``<urn:guidancekg:store:meta>`` names the build (its
fingerprint), its graphs and its state. A dataset of at most ``single_request`` quads in at most ``batch`` graphs
(the curated data is about 1,600 quads in 25 graphs) is replaced by **one** update request, which a server that
runs a request as one transaction (Virtuoso by default, Oxigraph) shows whole or not at all. A larger one cannot:
the pointer is first set to ``loading`` (so no process takes it for a finished build), the new graphs are listed
beside the old (so that a load cut short leaves no graph unlisted), the old graphs dropped and unlisted, the
batches inserted and the pointer set to ``complete`` last; no operation names more than ``batch`` graphs or
quads (Virtuoso refuses one of a few thousand). Readers during such a load see a partial dataset (for
zero-downtime updates of large data, load a second server and switch the URL).

**The model is never read over SPARQL.** Each process opens the snapshot of the build's model (:mod:`.snapshot`)
from a local build (:mod:`.builds`, without Oxigraph) under its store root, written before the server is loaded;
processes sharing the root and the data open it on seeing the server's new fingerprint (:meth:`RemoteStore.reopen`).
A process finding no snapshot of the server's build writes one from the data, never asking the server.

``select`` queries the server's union of all graphs (on Virtuoso with system graphs and the pointer graph, which
no library query matches); :meth:`dump_nquads` returns this build's graphs only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from guidancekg.graph.errors import QuerySyntaxError, StoreError
from guidancekg.graph.progress import SILENT, Progress
from guidancekg.graph.rdf.parsing import prepare
from guidancekg.graph.stores.base import Row, Store
from guidancekg.graph.stores.build import Compiled, compile_data, fingerprint, package_version
from guidancekg.graph.stores.builds import BuildInfo, Lease, default_store_root, lease_current, publish_build
from guidancekg.graph.stores.remote_protocol import (
    META,
    META_BUILD,
    META_GRAPH,
    RemoteConfig,
    batches,
    drop_requests,
    has_blank_node,
    insert_ops,
    listing_ops,
    nquads_term,
    pointer_op,
    stored_literal,
    unset_state_op,
)

_ORDER_AT_END = re.compile(r"ORDER\s+BY\s+[^{}]*$", re.IGNORECASE)
_SLICE_AT_END = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*(?:(?:LIMIT|OFFSET)\s+\d+\s*)?$", re.IGNORECASE)


def _projected(query: str) -> tuple[list[str], bool]:
    """Return the projected variables of a SELECT (parsed with rdflib's parser) and whether it is a SELECT."""
    algebra = prepare(query).algebra
    if algebra.name != "SelectQuery":
        return [], False
    return [str(v) for v in (algebra.get("PV") or [])], True


class RemoteStore(Store):
    """A dataset held by a SPARQL 1.1 server (see the module docstring)."""

    kind = "remote"

    def __init__(self, config: RemoteConfig | str, *, batch: int = 500, single_request: int = 20000,
                 build: BuildInfo | None = None, lease: Lease | None = None) -> None:
        self.build, self.lease = build, lease  # the local build holding the snapshot of the model, leased
        cfg = RemoteConfig(config) if isinstance(config, str) else config
        self.config = cfg.normalised()
        self.batch = batch
        self.single_request = single_request
        handlers: list[urllib.request.BaseHandler] = []
        self._auth_header: str | None = None
        if self.config.user is not None:
            if self.config.auth == "digest":
                manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                for url in (self.config.url, self.config.update_url):
                    if url:
                        manager.add_password(None, url, self.config.user, self.config.password or "")
                handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
            else:  # basic, sent with every request (no extra round trip for the challenge)
                token = f"{self.config.user}:{self.config.password or ''}".encode()
                self._auth_header = "Basic " + base64.b64encode(token).decode("ascii")
        self._opener = urllib.request.build_opener(*handlers)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.config.url!r}, user={self.config.user!r})"

    @property
    def location(self) -> str:
        return self.config.url

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _post(self, url: str, form: dict[str, str], accept: str) -> bytes:
        request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode("utf-8"), method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        request.add_header("Accept", accept)
        if self._auth_header:
            request.add_header("Authorization", self._auth_header)
        try:
            with self._opener.open(request, timeout=self.config.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip().splitlines()
            detail = next((line for line in body if line.strip()), "")[:300]
            if exc.code == 400 or "syntax" in detail.lower() or "SP030" in detail:
                raise QuerySyntaxError(f"the SPARQL server refused the query: {detail}") from None
            raise StoreError(f"the SPARQL server at {url} answered HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach the SPARQL server at {url}: {reason}") from None

    def _select_json(self, query: str) -> tuple[list[str], list[dict[str, dict[str, str]]]]:
        raw = self._post(self.config.url, {"query": query}, "application/sparql-results+json")
        try:
            data = json.loads(raw)
        except ValueError:
            raise StoreError(f"the SPARQL server at {self.config.url} did not answer with SPARQL JSON") from None
        return list(data.get("head", {}).get("vars", [])), list(data.get("results", {}).get("bindings", []))

    def update(self, request: str) -> None:
        """Send one SPARQL Update request."""
        self._post(self.config.update_url or self.config.url, {"update": request}, "*/*")

    # -- reading ---------------------------------------------------------------------------------------------

    @staticmethod
    def _value(binding: dict[str, str] | None) -> str | None:
        if binding is None:
            return None
        return binding.get("value", "")

    def select(self, query: str) -> list[Row]:
        variables, is_select = _projected(query)
        if not is_select:
            raise QuerySyntaxError("expected a SELECT query")
        text = query.rstrip()
        page = self.config.page
        if _SLICE_AT_END.search(text):
            names, bindings = self._select_json(text)
            if len(bindings) >= page:
                raise StoreError(f"the query's result has {len(bindings)} rows, the server's page size: it may be "
                                 "truncated; page it with ORDER BY and smaller LIMIT/OFFSET")
            return [{n: self._value(b.get(n)) for n in names} for b in bindings]
        # One request first: a result shorter than the page cannot have been cut by a server whose cap is the
        # page size (GUIDANCEKG_STORE_PAGE: set it to the server's ResultSetMaxRows or less).
        names, bindings = self._select_json(text)
        if len(bindings) < page:
            return [{n: self._value(b.get(n)) for n in names} for b in bindings]
        order = _ORDER_AT_END.search(text)
        present = set(re.findall(r"\?(\w+)", order.group(0))) if order else set()
        keys = " ".join(f"?{v}" for v in variables if v not in present)  # no key twice (Virtuoso mixes columns)
        ordered = f"{text} {keys}" if order else f"{text}\nORDER BY {keys}"
        rows: list[Row] = []
        offset = 0
        while True:
            names, bindings = self._select_json(f"{ordered}\nLIMIT {page} OFFSET {offset}")
            rows.extend({n: self._value(b.get(n)) for n in names} for b in bindings)
            if len(bindings) < page:
                return rows
            offset += page

    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT on the server (a linked-data page must not copy the store, as the fallback does)."""
        if prepare(query).algebra.name != "ConstructQuery":
            raise QuerySyntaxError("expected a CONSTRUCT query")
        body = self._post(self.config.url, {"query": query}, "application/n-triples")
        try:
            triples = ox.parse(body, ox.RdfFormat.N_TRIPLES)
            lines = [f"{t.subject} {t.predicate} {stored_literal(t.object, t.predicate.value)} .\n" for t in triples]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"the SPARQL server at {self.config.url} did not answer with N-Triples: {exc}") from None
        return Graph().parse(data="".join(lines), format="nt")

    def graphs(self) -> list[str]:
        """Return the graphs of the build the pointer names."""
        return sorted(r["g"] or "" for r in self.select(
            f"SELECT ?g WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_BUILD}> <{META}graph> ?g }} }}"))

    def count_quads(self) -> int:
        """Return how many quads the build's graphs hold, counted by the server (a dump would be paged)."""
        # The graphs joined from the pointer, not listed in the query: a build has thousands (Virtuoso's limit).
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_BUILD}> <{META}graph> "
                           "?g } GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"] or 0)

    def dump_nquads(self) -> bytes:
        lines: list[str] = []
        page = self.config.page
        for graph in self.graphs():
            offset = 0
            while True:
                _names, bindings = self._select_json(
                    f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o "
                    f"LIMIT {page} OFFSET {offset}")
                for b in bindings:
                    p = b["p"]["value"]
                    lines.append(f"{nquads_term(b['s'], p)} <{p}> {nquads_term(b['o'], p)} <{graph}> .\n")
                if len(bindings) < page:
                    break
                offset += page
        return "".join(lines).encode("utf-8")

    def build_state(self) -> dict[str, str]:
        """Return the pointer: ``fingerprint``, ``state`` (loading, complete), ``warnings``, ``quads``."""
        rows = self.select(f"SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_BUILD}> ?p ?o }} }}")
        return {(r["p"] or "")[len(META):]: r["o"] or "" for r in rows if (r["p"] or "").startswith(META)
                and (r["p"] or "") != f"{META}graph"}

    # -- writing ---------------------------------------------------------------------------------------------

    def replace_dataset(self, nquads: Iterable[bytes], state: dict[str, str]) -> int:
        """Replace this build's graphs on the server with ``nquads``; return how many quads. ``state`` goes to the
        pointer graph, with ``state=complete`` last (the module docstring says what atomicity this gives)."""
        with self._lock:
            quads = list(_parse(nquads)) if not isinstance(nquads, list) else nquads
            graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
            old = self.graphs()
            done = dict(state, state="complete", quads=str(len(quads)))
            # Blank nodes keep their identity only within one operation: those quads go together, first.
            blank, plain = [q for q in quads if has_blank_node(q)], [q for q in quads if not has_blank_node(q)]
            inserts = [*insert_ops(blank), *(op for part in batches(plain, self.batch) for op in insert_ops(part))]
            if len(quads) <= self.single_request and max(len(old), len(graphs)) <= self.batch:
                self.update(" ;\n".join([*drop_requests([*old, META_GRAPH], self.batch), *inserts, pointer_op(done),
                                         *listing_ops(graphs, self.batch)]))
                return len(quads)
            # The old graphs stay listed until they are dropped, so that no graph is left behind unlisted.
            self.update(" ;\n".join([unset_state_op(), pointer_op(dict(state, state="loading"))]))
            for request in [*listing_ops(graphs, self.batch), *drop_requests(old, self.batch),
                            *listing_ops(set(old) - set(graphs), self.batch, "DELETE DATA"), *inserts]:
                self.update(request)
            self.update(" ;\n".join([unset_state_op(), pointer_op(done)]))
            return len(quads)

    def clear(self) -> None:
        """Drop this build's graphs and the pointer."""
        for request in [*drop_requests(self.graphs(), self.batch), f"DROP SILENT GRAPH <{META_GRAPH}>"]:
            self.update(request)

    # -- a store kind: opening the data's current contents, and publishing new ones --------------------------

    @classmethod
    def builds_under(cls, data_dir: Path, root: Path | None) -> Path | None:
        return Path(root) if root else default_store_root(data_dir)  # the local builds: snapshots of the model

    @property
    def build_dir(self) -> Path | None:
        return self.build.path if self.build is not None else None

    def _with_build(self, build: BuildInfo, lease: Lease) -> RemoteStore:
        return RemoteStore(self.config, batch=self.batch, single_request=self.single_request, build=build, lease=lease)

    @classmethod
    def open_data(cls, data_dir: Path, *, base: str, root: Path | None = None,
                  say: Callable[[str], None] = lambda _m: None,
                  progress: Progress = SILENT) -> tuple[Store, tuple[str, ...]]:
        """Open ``$GUIDANCEKG_STORE_URL``; load the data when it holds another build, or an unfinished one.

        The model comes from the snapshot of the server's build under the store root, written from the data when
        it is not there (the server is not loaded again for that).
        """
        store = cls(RemoteConfig.from_env())
        state = store.build_state()
        wanted = fingerprint(data_dir, base)
        builds = cls.builds_under(data_dir, root)
        assert builds is not None
        if state.get("fingerprint") == wanted and state.get("state") == "complete":
            warnings: tuple[str, ...] = ()
            with contextlib.suppress(ValueError):
                warnings = tuple(json.loads(state.get("warnings") or "[]"))
            found = lease_current(builds)
            if found is not None and found[0].fingerprint == wanted:
                return store._with_build(*found), warnings
            if found is not None:
                found[1].release()
            say(f"no snapshot of the remote store's build under {builds}: writing it from {data_dir}")
            compiled = compile_data(data_dir, base, progress)
            return store._with_build(*publish_build(compiled, builds, data_dir, progress, rdf=False)), warnings
        reason = ("missing" if not state else "incomplete (a load did not finish)" if state.get("state") != "complete"
                  else "stale (the data or the version changed)")
        say(f"remote store at {store.config.url} is {reason}: loading it from {data_dir}")
        compiled = compile_data(data_dir, base, progress)
        return cls.publish(compiled, data_dir=data_dir, root=root, store=store, progress=progress), compiled.warnings

    @classmethod
    def publish(cls, compiled: Compiled, *, data_dir: Path, root: Path | None = None,
                store: RemoteStore | None = None, progress: Progress = SILENT) -> RemoteStore:
        """Write the snapshot of ``compiled`` as a local build, then load the server, replacing the build it held.

        The snapshot comes first, so that a process finding the server's new fingerprint finds its snapshot too.
        """
        target = store or cls(RemoteConfig.from_env())
        builds = cls.builds_under(data_dir, root)
        assert builds is not None
        build, lease = publish_build(compiled, builds, data_dir, progress, rdf=False)
        state = {"fingerprint": compiled.fingerprint, "warnings": json.dumps(list(compiled.warnings)),
                 "statements": str(len(compiled.corpus.statements)),
                 "versions": str(len(compiled.corpus.versions)), "guidancekg": package_version()}
        try:
            with progress.step("loading the remote store") as step:
                step.summary = f"{target.replace_dataset(compiled.nquad_chunks(), state):,} quads"
        except BaseException:
            lease.release()
            raise
        return target._with_build(build, lease)

    def check_writable(self) -> None:
        """Raise :class:`StoreError` (naming the server) when the server does not answer."""
        self.build_state()

    def superseded(self) -> bool:
        """Return whether the server now holds a complete build other than the one this store's model is of."""
        if self.build is None:
            return False
        try:
            state = self.build_state()
        except StoreError:
            return False  # the server is unreachable: the next look tries again
        return state.get("state") == "complete" and state.get("fingerprint") not in (None, self.build.fingerprint)

    def reopen(self) -> tuple[Store, tuple[str, ...]] | None:
        """Return a store on the server's new build with its snapshot, once the snapshot is under the store root."""
        if self.build is None or not self.superseded():
            return None
        wanted = self.build_state().get("fingerprint")
        found = lease_current(self.build.path.parent.parent)
        if found is None or found[0].fingerprint != wanted:
            if found is not None:
                found[1].release()
            return None  # its snapshot is not here (yet): keep serving this build
        return self._with_build(*found), found[0].warnings

    def close(self) -> None:
        if self.lease is not None:
            self.lease.release()


def _parse(chunks: Iterable[bytes]) -> Iterator[ox.Quad]:
    for chunk in chunks:
        yield from ox.parse(chunk, format=ox.RdfFormat.N_QUADS)
