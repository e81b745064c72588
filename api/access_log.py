"""Log one line per request, without ever writing a credential.

The line holds the method, the path with its query string (values of secret-looking parameters masked), the
status, the size and the time taken. Headers are never logged, so a bearer token in ``Authorization`` cannot
leak through the log. Control characters (a ``%0a`` in a path decodes to a line break) are written as escapes,
so a request can never add a line of its own to the log.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, g, request

log = logging.getLogger("guidancekg.access")

_SECRET = re.compile(r"token|secret|password|passwd|key|auth", re.IGNORECASE)
_MAX_LOGGED_QUERY = 300  # a SPARQL query in the URL can be long; the log keeps its start
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything that could break a line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Return ``text`` with every control character written as a visible escape (``\\x0a``, ``\\u2028``)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def redacted_query(query_string: str) -> str:
    """Return the query string with the values of secret-looking parameters replaced by ``***``."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    masked = [(k, "***" if _SECRET.search(k) else v) for k, v in pairs]
    text = urlencode(masked)
    return text if len(text) <= _MAX_LOGGED_QUERY else text[:_MAX_LOGGED_QUERY] + "…"


def install_access_log(app: Flask) -> None:
    """Time every request and log it when its response is ready."""

    @app.before_request
    def _start() -> None:
        g.access_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        started = g.get("access_started")
        ms = (time.perf_counter() - started) * 1000 if started else 0.0
        query = redacted_query(request.query_string.decode("latin-1"))
        log.info("%s %s%s %d %s %.1fms", escape_controls(request.method), escape_controls(request.path),
                 escape_controls(f"?{query}") if query else "",
                 response.status_code, response.content_length if response.content_length is not None else "-", ms)
        return response
