"""``POST /api/sources/<source>/versions``: record a new version of a source (the only write of the API).

The request is ``multipart/form-data`` with the files ``text`` (the held text) and ``statements`` (the
statements file, in the data format) and the fields ``published`` (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``),
optional ``revises`` (the key of the version it revises), ``url`` and ``key`` (the version's folder name,
default the published date). It needs ``Authorization: Bearer <token>``, the token of the server's
configuration (``INGEST_TOKEN``: ``guidancekg serve --ingest-token-file FILE`` or the environment variable
``GUIDANCEKG_INGEST_TOKEN``):

- no token configured: ``403`` problem "Ingest disabled";
- no bearer token in the request: ``401`` with ``WWW-Authenticate: Bearer``; a wrong one: ``403``
  (compared with :func:`hmac.compare_digest`); the token is never logged;
- a file over ``INGEST_MAX_BYTES`` (default 5 MB): ``413``;
- a new version: ``201 Created`` with ``Location`` (the version's IRI) and the version as JSON;
- the same text sent again with the same statements: ``200`` with the recorded version; nothing is written;
- a check that fails: ``422`` problem naming the uploaded file, line and statement; a recorded version that
  would change: ``409``; an unknown source: ``404``. Nothing is written on any error.

Readers never see a half-ingested version: the new graph (store, model, engine) is opened in full before the
runtime swaps it in (``api/state.py``), under a lock that also serialises ingests. Requests already running
finish on the graph they started with, whose store stays readable.
"""

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from guidancekg.api.problems import problem
from guidancekg.api.state import current_settings, runtime
from guidancekg.graph.errors import InputError, UploadTooLarge
from guidancekg.graph.ingest.versions import Upload

bp = Blueprint("ingest", __name__, url_prefix="/api")

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Refusal:
    """Why a request to record a version is refused, before its body is read."""

    status: int
    title: str
    detail: str
    slug: str
    headers: tuple[tuple[str, str], ...] = ()


def refusal(expected: str | None, authorization: str | None) -> Refusal | None:
    """Return why a request with this ``Authorization`` header is refused, or None when its bearer token is right.

    The one rule, used by the route and, before the body is read, by the server (``api/server.py``).
    """
    if not expected:
        return Refusal(403, "Ingest disabled", "This server accepts no new versions: no ingest token is "
                       "configured (serve --ingest-token-file FILE, or GUIDANCEKG_INGEST_TOKEN).", "ingest-disabled")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return Refusal(401, "Unauthorized", "Recording a version needs 'Authorization: Bearer <token>'.",
                       "unauthorized", (("WWW-Authenticate", 'Bearer realm="guidancekg ingest"'),))
    if not hmac.compare_digest(given.strip().encode("utf-8"), str(expected).encode("utf-8")):
        return Refusal(403, "Forbidden", "The bearer token is not the one this server accepts.", "forbidden")
    return None


def _authorise() -> ResponseReturnValue | None:
    """Return the problem response that refuses the request, or None when its bearer token is right."""
    refused = refusal(current_settings().ingest_token, request.headers.get("Authorization"))
    if refused is None:
        return None
    resp = problem(refused.status, refused.title, refused.detail, refused.slug)
    resp.headers.extend(refused.headers)
    return resp


def _file(name: str, limit: int) -> tuple[bytes, str]:
    found: FileStorage | None = request.files.get(name)
    if found is None:
        if name in request.form:
            raise InputError(name, "must be sent as a file part (multipart/form-data with a filename)")
        raise InputError(name, "is required (a file part of multipart/form-data)")
    data = found.stream.read(limit + 1)
    filename = os.path.basename((found.filename or "").replace("\\", "/")) or f"{name} (upload)"
    if len(data) > limit:
        raise UploadTooLarge(filename, len(data), limit)
    return data, filename


def _field(name: str, required: bool = False) -> str | None:
    values = request.form.getlist(name)
    if len(values) > 1:
        raise InputError(name, "given more than once")
    value = values[0].strip() if values else ""
    if not value:
        if required:
            raise InputError(name, "is required")
        return None
    return value


@bp.post("/sources/<source>/versions")
def create_version(source: str) -> ResponseReturnValue:
    """Record a new version of ``source`` (see the module docstring)."""
    refused = _authorise()
    if refused is not None:
        return refused
    settings = current_settings()
    limit = settings.ingest_max_bytes  # the body as a whole was checked before (api/headers.py body_limit)
    request.max_form_memory_size = 64 * 1024
    text, text_name = _file("text", limit)
    statements, statements_name = _file("statements", limit)
    upload = Upload(source=source, published=_field("published", required=True) or "", text=text,
                    statements=statements, revises=_field("revises"), url=_field("url"), key=_field("key"),
                    date_confidence=_field("date_confidence") or "unconfirmed", text_name=text_name,
                    statements_name=statements_name)
    state = runtime()
    with _LOCK:
        graph = state.current.graph
        result, new = graph.ingest(upload, max_bytes=limit, origin="api", say=current_app.logger.info)
        if new is not None:
            state.swap(new)
    body: dict[str, Any] = result.to_json()
    resp = jsonify(body)
    if result.created:
        resp.status_code = 201
        resp.headers["Location"] = result.iri
    else:
        resp.headers["Content-Location"] = result.iri
    return resp
