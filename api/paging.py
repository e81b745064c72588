"""The paging of the read JSON API: ``limit`` and ``cursor`` in, ``next`` and ``Link: rel="next"`` out.

The pages themselves are cut by :mod:`guidancekg.graph.engine.pages`; here are only the HTTP parts. The URL of the
next page starts with the configured public URL (never the ``Host`` header) and names every parameter of the
question as answered, so that a default (``on``: today) cannot change between two pages.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from guidancekg.api.params import text_param
from guidancekg.api.state import current_settings
from guidancekg.api.web import external_url
from guidancekg.graph.engine.pages import check_limit
from guidancekg.graph.errors import InputError

# The parameters a next page carries over (any other is not part of a question, and is dropped).
QUESTION_PARAMS = ("on", "from", "to", "known", "drug", "jurisdiction", "topic", "limit")


def page_params() -> tuple[int, str | None]:
    """Return the request's ``limit`` (the configured default when absent) and ``cursor``."""
    settings = current_settings()
    raw = text_param("limit")
    if raw is None:
        limit = settings.page_limit
    elif raw.isascii() and raw.isdigit() and len(raw) <= 9:
        limit = int(raw)
    else:
        raise InputError("limit", f"{raw[:40]!r} is not a whole number from 1 to {settings.page_max_limit}")
    check_limit(limit, settings.page_max_limit)
    return limit, text_param("cursor")


def next_url(cursor: str | None, **pinned: str) -> str | None:
    """Return the URL of the next page (None: none), with ``pinned`` parameters set as this page answered them."""
    if cursor is None:
        return None
    params: dict[str, Any] = {k: request.args[k] for k in QUESTION_PARAMS if request.args.get(k)}
    params.update(pinned, cursor=cursor)
    assert request.endpoint is not None
    return external_url(request.endpoint, **params)


def link_next(response: Response, url: str | None) -> Response:
    """Add ``Link: <url>; rel="next"`` (RFC 8288) to ``response`` when there is a next page."""
    if url is not None:
        response.headers.add("Link", f'<{url}>; rel="next"')
    return response


def paged_json(body: dict[str, Any], cursor: str | None, **pinned: str) -> Response:
    """Return ``body`` as JSON with ``next`` and its ``Link`` header when ``cursor`` names a next page."""
    url = next_url(cursor, **pinned)
    if url is not None:
        body["next"] = url
    return link_next(jsonify(body), url)
