"""The read JSON API (``docs/api.md``): guidance, changes, timeline, jurisdictions, sources and audits."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotAcceptable

from guidancekg.api.paging import link_next, next_url, page_params, paged_json
from guidancekg.api.params import day_param, filters, text_param
from guidancekg.api.state import current_graph, current_pager
from guidancekg.api.web import json_response, negotiate
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.errors import InputError
from guidancekg.graph.views.audit import AUDIT_FORMATS, audit, audit_csv, audit_json, audit_markdown
from guidancekg.graph.views.formats import GUIDANCE_FORMATS, guidance_format
from guidancekg.graph.views.serialize import (
    changes_json,
    jurisdictions_json,
    sources_json,
    timeline_json,
)

bp = Blueprint("api", __name__, url_prefix="/api")


_GUIDANCE_TYPES = tuple(fmt.media_type for fmt in GUIDANCE_FORMATS)
# Any JSON the rest of the API answers (problem+json included, see api/headers.py) gets the contract's JSON.
_JSON_ALIASES = ("application/problem+json",)


@bp.get("/guidance")
def guidance() -> ResponseReturnValue:
    """Guidance on ``on`` (default today) as known at ``known`` (default: everything recorded), a page at a time.

    In each format of ``graph/views/formats.py`` its ``Accept`` asks for (the contract's JSON by default).
    """
    chosen = negotiate((*_GUIDANCE_TYPES, *_JSON_ALIASES))  # before the parameters: a refusal comes first
    if chosen is None:
        raise NotAcceptable(f"The guidance is available as {', '.join(_GUIDANCE_TYPES)}.")
    on = day_param("on", default=date.today())
    assert on is not None
    known, f = day_param("known"), filters()
    limit, cursor = page_params()
    graph = current_graph()
    page = current_pager().guidance(on, known, f, limit, cursor)
    fmt = guidance_format(chosen if chosen in _GUIDANCE_TYPES else _GUIDANCE_TYPES[0])
    body = fmt.write(page.answer, graph.engine, graph.store, graph.minter, True)
    url = next_url(page.next, on=on.isoformat())
    if fmt.next_in_body and url is not None:
        body["next"] = url
    resp = link_next(json_response(body, fmt.media_type), url)
    resp.vary.add("Accept")
    return resp


@bp.get("/changes")
def changes() -> ResponseReturnValue:
    """Changes between ``from`` and ``to`` (inclusive) as known at ``known``."""
    start = day_param("from", required=True)
    end = day_param("to", required=True)
    assert start is not None and end is not None
    known, f = day_param("known"), filters()
    limit, cursor = page_params()
    graph = current_graph()
    page = current_pager().changes(start, end, known, f, limit, cursor)
    return paged_json(changes_json(page.answer, start, end, known, f, graph.minter), page.next)


@bp.get("/timeline")
def timeline() -> ResponseReturnValue:
    """Every statement with its effective and overridden periods."""
    known, f = day_param("known"), filters()
    limit, cursor = page_params()
    graph = current_graph()
    page = current_pager().timeline(known, f, limit, cursor)
    return paged_json(timeline_json(page.answer, known, f, graph.minter), page.next)


@bp.get("/jurisdictions")
def jurisdictions() -> ResponseReturnValue:
    """The jurisdiction scheme (codes, names, nesting, aliases) and the dated reach between jurisdictions."""
    graph = current_graph()
    return jsonify(jurisdictions_json(graph.model, graph.minter))


@bp.get("/sources")
def sources() -> ResponseReturnValue:
    """Every source with its versions."""
    graph = current_graph()
    return jsonify(sources_json(graph.engine, graph.minter))


@bp.get("/audit")
def audit_view() -> ResponseReturnValue:
    """The record-time audit from ``from`` to ``to``: as JSON, CSV or Markdown (``format`` or ``Accept``)."""
    start = day_param("from", required=True)
    end = day_param("to", required=True)
    assert start is not None and end is not None
    fmt = text_param("format")
    if fmt is None:
        best = negotiate(list(AUDIT_FORMATS.values()))
        if best is None:
            raise NotAcceptable(f"The audit is available as {', '.join(AUDIT_FORMATS.values())}.")
        fmt = next(k for k, v in AUDIT_FORMATS.items() if v == best)
    if fmt not in AUDIT_FORMATS:
        raise InputError("format", f"{fmt!r} is not one of {', '.join(AUDIT_FORMATS)}")
    graph = current_graph()
    result = audit(graph.engine, start, end, Filters(text_param("drug"), text_param("jurisdiction")))
    if fmt == "json":
        return jsonify(audit_json(result, graph.minter))
    body = audit_csv(result, graph.minter) if fmt == "csv" else audit_markdown(result)
    return Response(body, mimetype=AUDIT_FORMATS[fmt])
