"""The read JSON API of ``shared/spec/http-api.md``: guidance, changes, timeline and sources."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from guidancekg.graph.serialize import changes_json, guidance_json, sources_json, timeline_json

from .app import current_graph
from .params import day_param, filters

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/guidance")
def guidance() -> ResponseReturnValue:
    """Guidance on ``on`` (default today) as known at ``known`` (default: everything recorded)."""
    on = day_param("on", default=date.today())
    assert on is not None
    g = current_graph().engine.guidance(on, day_param("known"), filters())
    return jsonify(guidance_json(g))


@bp.get("/changes")
def changes() -> ResponseReturnValue:
    """Changes between ``from`` and ``to`` (inclusive) as known at ``known``."""
    start = day_param("from", required=True)
    end = day_param("to", required=True)
    assert start is not None and end is not None
    known, f = day_param("known"), filters()
    found = current_graph().engine.changes(start, end, known, f)
    return jsonify(changes_json(found, start, end, known, f))


@bp.get("/timeline")
def timeline() -> ResponseReturnValue:
    """Every statement with its effective and overridden periods."""
    known, f = day_param("known"), filters()
    return jsonify(timeline_json(current_graph().engine.timeline(known, f), known, f))


@bp.get("/sources")
def sources() -> ResponseReturnValue:
    """Every source with its versions."""
    return jsonify(sources_json(current_graph().engine))
