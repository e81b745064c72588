"""Give every response the headers HTTP clients rely on, and refuse early what no route should handle.

- Validators: a strong ``ETag`` (the 128-bit XXH3 hash of the body) on successful reads, and ``304`` for a
  matching ``If-None-Match``.
- ``Vary: Accept`` on the read API, whose answers depend on ``Accept``.
- CORS: ``Access-Control-Allow-Origin: *`` on the read API (``/api/``, ``/id/``, ``/sparql``, ``/ns``) for
  GET, HEAD and OPTIONS (and POST on ``/sparql``, which only reads); never on a write.
- Security: ``nosniff``, a referrer policy, and a Content-Security-Policy on HTML.
- ``413`` for a body over ``MAX_CONTENT_LENGTH`` on any route, and ``406`` on a JSON route whose ``Accept``
  allows no JSON. Both go through the one error handler (``problems.py``) as problem+json.
"""

from __future__ import annotations

import xxhash
from flask import Flask, Response, request
from werkzeug.exceptions import NotAcceptable, RequestEntityTooLarge

from guidancekg.api.settings import Settings
from guidancekg.api.state import current_settings
from guidancekg.api.web import accepted

READ_METHODS = ("GET", "HEAD", "OPTIONS")
# The SPARQL 1.1 Protocol sends long queries by POST; the endpoint only reads, so they may come cross-origin.
READ_POST_PATHS = frozenset({"/sparql"})
JSON_TYPES = ("application/json", "application/problem+json")
# Endpoints under /api/ that do not answer JSON, or choose their representation themselves (the audit also
# answers CSV and Markdown; the guidance also a FHIR Bundle): the JSON-only Accept check leaves them alone.
NEGOTIATING_ENDPOINTS = frozenset({"docs.api_docs", "api.audit_view", "api.guidance"})
# The route that takes larger bodies than MAX_CONTENT_LENGTH: two files of INGEST_MAX_BYTES each.
INGEST_ENDPOINT = "ingest.create_version"
ALLOWED_REQUEST_HEADERS = "Accept, Accept-Datetime, Content-Type, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Link, Location, Memento-Datetime, Vary, Content-Location"
HTML_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"


def install_headers(app: Flask) -> None:
    """Register the request checks and the response headers on ``app``."""
    app.before_request(_refuse_early)
    app.after_request(_add_headers)


def is_read_path(path: str) -> bool:
    """Return whether ``path`` belongs to the read API (the part open to other origins)."""
    return (path.startswith(("/api/", "/id/", "/export/", "/np/")) or path in ("/sparql", "/ns", "/.well-known/void")
            or path.startswith(("/sparql/", "/ns/")))


def _is_json_route() -> bool:
    rule = request.url_rule
    return (rule is not None and rule.rule.startswith("/api/")
            and request.endpoint not in NEGOTIATING_ENDPOINTS)


def body_limit(settings: Settings, endpoint: str | None) -> int:
    """Return how many bytes a request body to ``endpoint`` may hold: the one rule, for the app and the server."""
    return settings.ingest_body_bytes if endpoint == INGEST_ENDPOINT else settings.max_body_bytes


def too_large(size: int, limit: int) -> str:
    """Return the detail of a 413 for a body of ``size`` bytes (or more) over ``limit``."""
    return f"The request body has {size} bytes or more; the limit is {limit} bytes."


def _refuse_early() -> None:
    """Refuse an oversized body (413) and, on the JSON API, an Accept that allows no JSON (406)."""
    limit = body_limit(current_settings(), request.endpoint)
    # Werkzeug enforces the limit only when a route reads the body; one that never reads it would accept it.
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(too_large(request.content_length, limit))
    request.max_content_length = limit  # a chunked body too, as it streams in
    if request.method == "OPTIONS" or not _is_json_route():
        return
    accept = accepted()
    if accept.provided and not any(accept.quality(t) > 0 for t in JSON_TYPES):
        raise NotAcceptable(f"This resource is available as {', '.join(JSON_TYPES)}; the Accept header "
                            f"({request.headers.get('Accept', '')}) allows neither.")


def _add_headers(response: Response) -> Response:
    _security(response)
    if is_read_path(request.path):
        _cors(response)
        response.vary.add("Accept")
    _validators(response)
    return response


def _security(response: Response) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        # setdefault: a page that needs a wider policy sets its own.
        headers.setdefault("Content-Security-Policy", HTML_CSP)
        headers.setdefault("X-Frame-Options", "DENY")


def _cors(response: Response) -> None:
    allowed = [*READ_METHODS, *(["POST"] if request.path in READ_POST_PATHS else [])]
    if request.method == "OPTIONS":
        wanted = request.headers.get("Access-Control-Request-Method")
        if wanted is not None and wanted.upper() not in allowed:
            return  # no CORS headers: the browser then refuses the cross-origin write
        response.headers["Access-Control-Allow-Methods"] = ", ".join(allowed)
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_REQUEST_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    elif request.method not in allowed:
        return
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def _validators(response: Response) -> None:
    """Add a strong ETag to a successful, buffered read and answer 304 when the client already has it."""
    if (request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed
            or response.direct_passthrough):
        return
    if "ETag" not in response.headers:
        # A validator only has to change when the body does; nobody forges one against their own cache, so a fast
        # non-cryptographic hash serves (werkzeug's SHA-1 took 1.4 ms of a 2 MB page, XXH3-128 takes 0.07 ms).
        response.set_etag(xxhash.xxh3_128_hexdigest(response.get_data()))
    response.make_conditional(request)
