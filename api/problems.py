"""Map every error to an RFC 9457 problem details response, in one place.

RFC 9457 section 3.1: members ``type``, ``title``, ``status``, ``detail`` (and ``instance``); media type
``application/problem+json`` (section 6.1). No stack trace or internal path ever reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from guidancekg.graph.errors import (
    DataError,
    EndpointBusy,
    GuidanceError,
    InputError,
    NotFound,
    QueryError,
    QueryNotAcceptable,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    SandboxUnavailable,
    StoreError,
    UploadTooLarge,
    ValidationFailed,
    VersionConflict,
)

PROBLEM_TYPE_BASE = "https://w3id.org/guidancekg/problems/"
log = logging.getLogger("guidancekg.api")

# Domain error -> (HTTP status, problem type slug, title). Most specific first.
_MAPPING: list[tuple[type[GuidanceError], int, str, str]] = [
    (InputError, 400, "invalid-parameter", "Invalid parameter"),
    (NotFound, 404, "not-found", "Not found"),
    (QuerySyntaxError, 400, "malformed-query", "Malformed SPARQL query"),
    (QueryRefused, 400, "query-refused", "Query refused"),
    (QueryTooLarge, 413, "too-large", "Request or result too large"),
    (QueryTimeout, 503, "query-timeout", "Query stopped at the time limit"),
    (QueryNotAcceptable, 406, "not-acceptable", "Not Acceptable"),
    (EndpointBusy, 503, "busy", "SPARQL endpoint busy"),
    (SandboxUnavailable, 503, "sandbox-unavailable", "SPARQL sandbox unavailable"),
    (QueryError, 400, "query-error", "Query cannot be answered"),
    (UploadTooLarge, 413, "upload-too-large", "Upload too large"),
    (VersionConflict, 409, "version-conflict", "Version already recorded"),
    (ValidationFailed, 422, "validation-failed", "Validation failed"),
    (DataError, 422, "invalid-data", "Invalid data"),
    (StoreError, 503, "store-unavailable", "Store unavailable"),
]


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    """Return an ``application/problem+json`` response."""
    body = {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": request.path if request else None, **extra}
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    return resp


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-").replace("'", "")


def register_error_handlers(app: Flask) -> None:
    """Install the one error handler for domain errors, HTTP errors and anything unexpected."""

    @app.errorhandler(GuidanceError)
    def _domain(exc: GuidanceError) -> Response:
        for cls, status, slug, title in _MAPPING:
            if isinstance(exc, cls):
                extra: dict[str, Any] = {}
                if isinstance(exc, InputError):
                    extra["parameter"] = exc.parameter
                if isinstance(exc, ValidationFailed):
                    extra["problems"] = exc.problems
                if isinstance(exc, UploadTooLarge):
                    extra["limit"] = exc.limit
                resp = problem(status, title, str(exc), slug, **extra)
                if isinstance(exc, EndpointBusy):
                    resp.headers["Retry-After"] = str(exc.retry_after)  # RFC 9110 section 10.2.3, in seconds
                return resp
        return problem(400, "Bad request", str(exc), "bad-request")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        resp = problem(status, exc.name, exc.description or exc.name, _slug(exc.name))
        allowed = getattr(exc, "valid_methods", None)
        if status == 405 and allowed:
            resp.headers["Allow"] = ", ".join(allowed)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal Server Error", "The server could not answer this request.", "internal-error")
