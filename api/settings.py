"""The server's settings: one table, with one default for each setting.

``create_app(config)`` reads them from its configuration mapping (Flask keys), ``guidancekg serve`` from its
options; both go through :meth:`Settings.from_config`, so a default lives here and nowhere else.
``docs/settings.md`` is the same table for people (``tests/test_settings.py`` keeps the two equal).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any

from guidancekg.graph.engine.pages import DEFAULT_LIMIT, MAX_LIMIT
from guidancekg.graph.errors import InputError
from guidancekg.graph.ingest.versions import DEFAULT_MAX_BYTES
from guidancekg.graph.rdf.iris import normalise_base
from guidancekg.graph.sparql.pool import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_MB,
    DEFAULT_QUEUE,
    DEFAULT_QUEUE_WAIT,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    WORKER_STORES,
)
from guidancekg.graph.stores.kinds import DEFAULT_STORE_KIND, STORE_KINDS

ENV_INGEST_TOKEN = "GUIDANCEKG_INGEST_TOKEN"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Allowed:
    """Convert a setting's raw value, or refuse it saying in words which values the setting takes.

    The same words are the "values" column of docs/settings.md and part of `serve --help`, so a range is
    stated once, here, and not again by hand in a description.
    """

    words: str
    convert: Callable[[Any], Any]

    def __call__(self, value: Any) -> Any:
        try:
            return self.convert(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be {self.words}") from None


def _number(kind: type, low: int | float, high: int | None = None, above: bool = False) -> Allowed:
    noun = "an integer" if kind is int else "a number"
    words = (f"{noun} from {low} to {high}" if high is not None
             else f"{noun} greater than {low}" if above else f"{noun}, at least {low}")

    def convert(value: Any) -> Any:
        converted = kind(value)
        outside = converted < low or (above and converted == low) or (high is not None and converted > high)
        if outside or not math.isfinite(converted):
            raise ValueError(words)
        return converted

    return Allowed(words, convert)


def _one_of(*choices: str) -> Allowed:
    def convert(value: Any) -> str:
        if value not in choices:
            raise ValueError(value)
        return str(value)

    return Allowed("one of " + ", ".join(f"`{c}`" for c in choices), convert)


def _optional_text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _url(value: Any) -> str:
    text = str(value)
    if not text.startswith(("http://", "https://")) or any(c in text for c in " <>\"{}|\\^`\r\n"):
        raise ValueError(text)
    return normalise_base(text)


def _token(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if len(str(value)) < 16:
        raise ValueError("too short")
    return str(value)


PATH = Allowed("a folder path, or none", _optional_text)
URL = Allowed("an http(s) URL", _url)
TOKEN = Allowed("16 or more characters, or none", _token)
POSITIVE = _number(int, 0, above=True)


def _setting(key: str, option: str | None, default: Any, allowed: Allowed, doc: str) -> Any:
    """Declare a setting: its configuration key, its `serve` option (if any), default, values and doc."""
    return field(default=default, metadata={"key": key, "convert": allowed, "doc": doc, "option": option})


@dataclass(frozen=True)
class Settings:
    """Every setting of the server, by its Python name; :data:`SETTING_FIELDS` describes each."""

    data: str | None = _setting(
        "GUIDANCEKG_DATA", "--data", None, PATH,
        "the data folder; none: `./data` when it holds guidancekg data, else the bundled data")
    store_kind: str = _setting(
        "GUIDANCEKG_STORE_KIND", "--store-kind", DEFAULT_STORE_KIND, _one_of(*STORE_KINDS),
        "where the graph is held: `oxigraph` (on-disk builds), `memory`, or `remote` (a SPARQL 1.1 server)")
    store_root: str | None = _setting(
        "GUIDANCEKG_STORE_ROOT", "--store", None, PATH,
        "the folder of on-disk builds; none: `$GUIDANCEKG_STORE` or a cache folder per data folder")
    store_check: float = _setting(
        "GUIDANCEKG_STORE_CHECK", None, 2.0, _number(float, 0),
        "seconds between two looks for a newer build of the data (made by `guidancekg build` or `ingest` in "
        "another process), which the server then swaps in between requests; 0: keep serving the build it opened")
    base: str = _setting(
        "GUIDANCEKG_BASE", "--base", "http://127.0.0.1:8080/", URL,
        "the public URL of the server: every absolute URL it writes (`Location`, `Link`, the SPARQL service "
        "description, the OpenAPI `servers`) starts with it, never with the request's `Host`; `serve` defaults "
        "it to the address it listens on")
    threads: int = _setting(
        "SERVER_THREADS", "--threads", 8, _number(int, 1, 256),
        "threads of the WSGI server (waitress) answering requests; more than `SPARQL_WORKERS` + `SPARQL_QUEUE`, "
        "so that the JSON API and the pages never wait behind SPARQL")
    max_body_bytes: int = _setting(
        "MAX_CONTENT_LENGTH", None, 1 * MIB, POSITIVE,
        "bytes a request body may hold (every route but an ingest): `413` beyond, before the body is parsed")
    sparql_timeout: float = _setting(
        "SPARQL_TIMEOUT", "--sparql-timeout", DEFAULT_TIMEOUT, _number(float, 0.1),
        "seconds a SPARQL query may run; its worker is then killed: `503` `query-timeout`")
    sparql_max_rows: int = _setting(
        "SPARQL_MAX_ROWS", "--sparql-max-rows", DEFAULT_MAX_ROWS, POSITIVE,
        "rows (SELECT) or triples (CONSTRUCT, DESCRIBE) a SPARQL result may hold: `413` beyond, never cut short")
    sparql_max_query_bytes: int = _setting(
        "SPARQL_MAX_QUERY_BYTES", None, 100_000, POSITIVE,
        "bytes (UTF-8) of a SPARQL query text: `413` beyond")
    sparql_workers: int = _setting(
        "SPARQL_WORKERS", "--sparql-workers", DEFAULT_WORKERS, _number(int, 1, 64),
        "SPARQL worker processes, i.e. queries running at once")
    sparql_queue: int = _setting(
        "SPARQL_QUEUE", "--sparql-queue", DEFAULT_QUEUE, _number(int, 0, 64),
        "SPARQL requests that may wait for a busy worker; one more is answered `503` with `Retry-After` at once")
    sparql_queue_wait: float = _setting(
        "SPARQL_QUEUE_WAIT", None, DEFAULT_QUEUE_WAIT, _number(float, 0),
        "seconds a waiting SPARQL request waits for a worker before it is answered `503` with `Retry-After`")
    sparql_worker_memory_mb: int = _setting(
        "SPARQL_WORKER_MEMORY_MB", None, DEFAULT_MEMORY_MB, _number(int, 0),
        "data-segment cap of each SPARQL worker in MiB (`RLIMIT_DATA`); 0: none")
    sparql_worker_store: str = _setting(
        "SPARQL_WORKER_STORE", None, WORKER_STORES[0], _one_of(*WORKER_STORES),
        "`memory`: each SPARQL worker copies the store (the union default graph is an exact set); `disk`: it "
        "reads an on-disk build in place")
    ingest_token: str | None = _setting(
        "INGEST_TOKEN", "--ingest-token-file", None, TOKEN,
        "the bearer token of `POST /api/sources/{id}/versions`; none: `$GUIDANCEKG_INGEST_TOKEN`, else ingest "
        "over HTTP is disabled")
    ingest_max_bytes: int = _setting(
        "INGEST_MAX_BYTES", "--ingest-max-bytes", DEFAULT_MAX_BYTES, POSITIVE,
        "bytes of each file of an ingest (the held text, the statements file), over HTTP and in `guidancekg "
        "ingest --max-bytes`: `413` beyond")

    page_limit: int = _setting(
        "PAGE_LIMIT", None, DEFAULT_LIMIT, POSITIVE,
        "statements (or changes) a page of `/api/guidance`, `/api/changes` and `/api/timeline` holds when the "
        "request names no `limit`; a longer answer carries `next` and a `Link: rel=\"next\"` header")
    page_max_limit: int = _setting(
        "PAGE_MAX_LIMIT", None, MAX_LIMIT, POSITIVE,
        "the largest `limit` a request may ask for (and at least `PAGE_LIMIT`): `400` beyond")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read the settings from Flask-style keys; a missing key (or None) takes the default.

        Raises :class:`InputError` naming the key of a value that does not fit.
        """
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = f.metadata["key"]
            raw = config.get(key)
            if raw is None and key == "INGEST_TOKEN":
                raw = os.environ.get(ENV_INGEST_TOKEN) or None
            if raw is None:
                continue
            try:
                values[f.name] = f.metadata["convert"](raw)
            except (TypeError, ValueError) as exc:
                raise InputError(key, f"{raw!r}: {exc}") from None
        settings = cls(**values)
        if settings.threads <= settings.sparql_workers + settings.sparql_queue:
            raise InputError("SERVER_THREADS", f"{settings.threads} threads cannot keep the JSON API answering "
                             f"while {settings.sparql_workers} SPARQL workers and {settings.sparql_queue} queued "
                             "SPARQL requests hold theirs: give more threads, or fewer workers or a shorter queue")
        if settings.page_limit > settings.page_max_limit:
            raise InputError("PAGE_LIMIT", f"{settings.page_limit} is more than PAGE_MAX_LIMIT "
                             f"({settings.page_max_limit}): a page without a limit would be refused")
        return settings

    @property
    def ingest_body_bytes(self) -> int:
        """Bytes an ingest request body may hold: two files and their multipart framing and fields."""
        return 2 * self.ingest_max_bytes + 64 * 1024

    @property
    def largest_body_bytes(self) -> int:
        """Bytes the WSGI server reads of any body at most (the largest limit of any route)."""
        return max(self.max_body_bytes, self.ingest_body_bytes)

    def flask_config(self) -> dict[str, Any]:
        """Return the Flask configuration keys of these settings (Flask enforces the body limits itself)."""
        out = {f.metadata["key"]: getattr(self, f.name) for f in fields(self)}
        out["MAX_FORM_MEMORY_SIZE"] = self.max_body_bytes
        return out


SETTING_FIELDS: tuple[Field[Any], ...] = fields(Settings)
