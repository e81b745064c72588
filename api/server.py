"""Serve the app with waitress, refusing a request before its body is read when its route would refuse it.

Waitress reads a request's whole body before the application sees the request (its own cap is 1 GiB by default),
so a route's limits alone would come too late: a client could make the server read a large body only to be told
413, or 401. Here each request, once its headers are read, gets its route's body limit (``api/headers.py``
``body_limit``, the one rule the app applies too): a ``Content-Length`` over it is answered ``413`` at once, and a
chunked body as soon as it passes it. An ingest without the right bearer token (``api/ingest_api.py``
``refusal``) is answered ``401`` or ``403`` before any of its body is read. Both as ``application/problem+json``,
as every error of the API.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server
from waitress.utilities import Error, RequestEntityTooLarge
from werkzeug.exceptions import HTTPException

from guidancekg.api.headers import INGEST_ENDPOINT, body_limit, too_large
from guidancekg.api.ingest_api import refusal
from guidancekg.api.problems import problem_document, problem_json
from guidancekg.api.state import runtime

REASONS = {401: "Unauthorized", 403: "Forbidden", 413: "Request Entity Too Large"}


class _Refused(Error):
    """A request refused by the server itself, answered as problem+json."""

    def __init__(self, status: int, document: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(document["detail"])
        self.code, self.reason = status, REASONS.get(status, "Refused")
        self.document, self.extra_headers = document, headers

    # waitress's own stubs say the body is str; waitress writes bytes, as Error.to_response itself returns.
    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:  # type: ignore[override]
        body = problem_json(self.document).encode("utf-8")
        return f"{self.code} {self.reason}", [("Content-Type", "application/problem+json"),
                                              *self.extra_headers], body


def _endpoint(app: Flask, method: str, path: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method)
    except HTTPException:
        return None  # no such route: the app answers it, with the ordinary limit
    return str(endpoint)


def parser_for(app: Flask) -> type[HTTPRequestParser]:
    """Return a waitress request parser that applies ``app``'s body limits and ingest refusals before the body."""

    class Parser(HTTPRequestParser):
        limit = 0
        method = target = ""
        refused: _Refused | None = None

        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            settings = runtime(app).settings
            # Set by parse_header: the method and the decoded path (waitress's stubs do not list them).
            self.method, self.target = str(getattr(self, "command", "")), str(getattr(self, "path", ""))
            endpoint = _endpoint(app, self.method, self.target)
            self.limit = body_limit(settings, endpoint)
            self.adj = copy.copy(self.adj)
            self.adj.max_request_body_size = self.limit + 1  # waitress refuses a body of this size or more
            if endpoint == INGEST_ENDPOINT:
                why = refusal(settings.ingest_token, self.headers.get("AUTHORIZATION"))
                if why is not None:
                    self.refused = _Refused(why.status, problem_document(
                        why.status, why.title, why.detail, why.slug, self.target), why.headers)

        def received(self, data: bytes) -> int:
            consumed = super().received(data)
            if self.headers_finished and self.refused is not None and (
                    self.error is None or isinstance(self.error, RequestEntityTooLarge)):
                self.error, self.completed = self.refused, True  # who asks comes first; before a byte of the body
            if self.error is not None:
                self.expect_continue = False  # no "100 Continue": the client must not send the body
            if isinstance(self.error, RequestEntityTooLarge):
                size = max(self.content_length, self.body_bytes_received)
                self.error = _Refused(413, problem_document(413, "Request Entity Too Large", too_large(
                    size, self.limit), "request-entity-too-large", self.target))
            return consumed

    return Parser


# waitress moves a response body over 1 MB (its default) into a temporary file before sending it; a first page of a
# thousand statements is about 2 MB, so it would go to disk and back on every request. Bodies are capped by the
# page size (PAGE_MAX_LIMIT); a larger body (a whole export) still overflows to a file past this many bytes.
OUTBUF_IN_MEMORY = 16 * 1024 * 1024


# A body of at least this many bytes is handed to waitress as a file over the body's own memory, which waitress
# sends from in place; a body given as bytes is first copied into waitress's buffer, then copied out of it again
# piece by piece (a third of the server's time on a 2 MB first page, measured with py-spy).
IN_PLACE = 64 * 1024


class BodyFile:
    """A response body as a read-only file over its bytes: each read is a view of it, not a copy."""

    def __init__(self, body: bytes) -> None:
        self._view, self._at = memoryview(body), 0

    def read(self, size: int = -1) -> memoryview:
        end = len(self._view) if size < 0 else min(len(self._view), self._at + size)
        piece, self._at = self._view[self._at:end], end
        return piece

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._at, len(self._view))[whence]
        self._at = max(0, min(len(self._view), base + offset))
        return self._at

    def tell(self) -> int:
        return self._at

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._at = len(self._view)


def in_place(app: Any) -> Any:
    """Wrap the WSGI ``app`` so that a body of one piece of ``IN_PLACE`` bytes or more goes out as a
    ``wsgi.file_wrapper`` over a :class:`BodyFile`; any other body (a stream, a small one) is passed on as it is."""

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        result = app(environ, start_response)
        wrapper = environ.get("wsgi.file_wrapper")
        pieces = iter(result)
        first = next(pieces, b"")
        second = next(pieces, None)
        if wrapper is not None and second is None and len(first) >= IN_PLACE:
            if hasattr(result, "close"):
                result.close()
            return wrapper(BodyFile(first))
        return _rest(result, first, second, pieces)

    return application


def _rest(result: Any, first: bytes, second: bytes | None, pieces: Any) -> Any:
    """Yield a body whose first pieces were read already, then the others; close the app's iterable at the end."""
    try:
        yield first
        if second is not None:
            yield second
            yield from pieces
    finally:
        if hasattr(result, "close"):
            result.close()


def serve(app: Flask, *, host: str, port: int, threads: int) -> None:
    """Serve ``app`` until interrupted: waitress with the parser of :func:`parser_for`, large bodies in place."""
    server: Any = create_server(in_place(app), host=host, port=port, threads=threads, ident="guidancekg",
                                outbuf_overflow=OUTBUF_IN_MEMORY,
                                max_request_body_size=runtime(app).settings.largest_body_bytes + 1)
    server.channel_class = type("Channel", (HTTPChannel,), {"parser_class": parser_for(app)})
    server.run()
