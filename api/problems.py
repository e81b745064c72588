"""Map every error to an RFC 9457 problem details response, in one place.

RFC 9457 section 3.1: members ``type``, ``title``, ``status``, ``detail`` (and ``instance``); media type
``application/problem+json`` (section 6.1). No stack trace or internal path ever reaches a client.

A page meant for people (the page ``/``, the guidance pages and their mementos, the IRIs the graph mints, the
vocabulary, a path that names nothing) answers a browser, whose ``Accept`` prefers ``text/html`` to JSON, with an
HTML page of the same status that explains the problem and links back; every other client gets the problem JSON.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

from guidancekg.api.web import accepted
from guidancekg.graph import errors

PROBLEM_TYPE_BASE = "https://w3id.org/guidancekg/problems/"
log = logging.getLogger("guidancekg.api")

# Domain error -> (HTTP status, problem type slug, title). Most specific first.
_MAPPING: list[tuple[type[errors.GuidanceError], int, str, str]] = [
    (errors.InputError, 400, "invalid-parameter", "Invalid parameter"),
    (errors.NotFound, 404, "not-found", "Not found"),
    (errors.QuerySyntaxError, 400, "malformed-query", "Malformed SPARQL query"),
    (errors.QueryRefused, 400, "query-refused", "Query refused"),
    (errors.QueryTooLarge, 413, "too-large", "Request or result too large"),
    (errors.QueryTimeout, 503, "query-timeout", "Query stopped at the time limit"),
    (errors.QueryNotAcceptable, 406, "not-acceptable", "Not Acceptable"),
    (errors.EndpointBusy, 503, "busy", "SPARQL endpoint busy"),
    (errors.SandboxUnavailable, 503, "sandbox-unavailable", "SPARQL sandbox unavailable"),
    (errors.QueryError, 400, "query-error", "Query cannot be answered"),
    (errors.UploadTooLarge, 413, "upload-too-large", "Upload too large"),
    (errors.VersionConflict, 409, "version-conflict", "Version already recorded"),
    (errors.ValidationFailed, 422, "validation-failed", "Validation failed"),
    (errors.DataError, 422, "invalid-data", "Invalid data"),
    (errors.IngestBusy, 503, "ingest-busy", "Another ingest is running"),
    (errors.StoreError, 503, "store-unavailable", "Store unavailable"),
    (errors.ReportPending, 503, "report-pending", "Report being computed"),
]


def problem_document(status: int, title: str, detail: str, slug: str, instance: str | None,
                     **extra: Any) -> dict[str, Any]:
    """Return the members of a problem details object (RFC 9457 section 3.1)."""
    return {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": instance, **extra}


def problem_json(document: dict[str, Any]) -> str:
    """Return a problem document as JSON text, in the standard library's spaced form the docs quote (the API's
    responses and waitress's own refusals alike; it needs no application context)."""
    return json.dumps(document, ensure_ascii=False)


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    """Return an ``application/problem+json`` response."""
    body = problem_document(status, title, detail, slug, request.path if request else None, **extra)
    return Response(problem_json(body), status=status, mimetype="application/problem+json")


# The blueprints of the pages meant for people; a path that matches no route counts too, unless it is the API's.
PEOPLE_BLUEPRINTS = ("page", "memento", "ld", "vocab")
MACHINE_PATHS = ("/api/", "/sparql", "/timemap/", "/timegate/")


def for_people() -> bool:
    """Return whether this request is a browser's on a page meant for people (``Accept`` prefers HTML to JSON)."""
    if request.path.startswith(MACHINE_PATHS):
        return False
    if request.blueprint is not None and request.blueprint not in PEOPLE_BLUEPRINTS:
        return False
    accept = accepted()
    json_q = max(accept.quality("application/problem+json"), accept.quality("application/json"))
    return accept.quality("text/html") > json_q


def _back(drop: set[str]) -> str | None:
    """Return this page's URL without the query parameters in ``drop`` (None when nothing would change)."""
    if not drop or not any(name in request.args for name in drop):
        return None
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in drop]
    return request.path + ("?" + urlencode(kept) if kept else "")


def _answer(status: int, title: str, detail: str, slug: str, *, drop: set[str] | None = None,
            **extra: Any) -> Response:
    """Return the problem as HTML for a browser on a page meant for people (:func:`for_people`), else as JSON."""
    if not for_people():
        return problem(status, title, detail, slug, **extra)
    html = render_template("error.html", status=status, title=title, detail=detail, type=PROBLEM_TYPE_BASE + slug,
                           parameter=extra.get("parameter"), back=_back(drop or set()))
    resp = Response(html, status=status, mimetype="text/html")
    resp.vary.add("Accept")
    return resp


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-").replace("'", "")


def register_error_handlers(app: Flask) -> None:
    """Install the one error handler for domain errors, HTTP errors and anything unexpected."""

    @app.errorhandler(errors.GuidanceError)
    def _domain(exc: errors.GuidanceError) -> Response:
        for cls, status, slug, title in _MAPPING:
            if isinstance(exc, cls):
                extra: dict[str, Any] = {}
                drop: set[str] = set()
                if isinstance(exc, errors.InputError):
                    extra["parameter"] = exc.parameter
                    drop = {exc.parameter}
                if isinstance(exc, errors.NotFound):
                    drop = {k for k, v in request.args.items() if v == exc.key}
                if isinstance(exc, errors.ValidationFailed):
                    extra["problems"] = exc.problems
                if isinstance(exc, errors.UploadTooLarge):
                    extra["limit"] = exc.limit
                resp = _answer(status, title, str(exc), slug, drop=drop, **extra)
                if isinstance(exc, errors.EndpointBusy | errors.ReportPending | errors.IngestBusy):
                    resp.headers["Retry-After"] = str(exc.retry_after)  # RFC 9110 section 10.2.3, in seconds
                return resp
        return _answer(400, "Bad request", str(exc), "bad-request")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        resp = _answer(status, exc.name, exc.description or exc.name, _slug(exc.name))
        allowed = getattr(exc, "valid_methods", None)
        if status == 405 and allowed:
            resp.headers["Allow"] = ", ".join(allowed)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(500, "Internal Server Error", "The server could not answer this request.", "internal-error")
