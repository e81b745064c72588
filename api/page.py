"""Serve the web page: the guidance of a drug on a date, its timeline, and the changes between two dates.

The server renders the initial state (the lists work without JavaScript); ``static/page-app.js`` and
``static/page-chart.js`` then draw the timeline and update the view from the JSON API. The whole view is in the
query string: ``/?drug=alemtuzumab&jurisdiction=EU&on=2019-04-12&known=&compare=2019-01-01..2019-12-31``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from guidancekg.api.params import day_param, text_param
from guidancekg.api.state import current_graph
from guidancekg.graph.dates import parse_day
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.errors import InputError
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.views.serialize import changes_json, guidance_json
from guidancekg.ontology.vocab import JURISDICTION_CODES

bp = Blueprint("page", __name__)

ZOOMS = ("all", "5y", "1y")  # the span of the timeline: everything, or 5 years or 1 year around the date
REASONS = {"came-into-force": "came into force", "ended": "ended", "overridden": "overridden",
           "override-ended": "override ended"}


def topic_label(key: str) -> str:
    """Return a topic key as a heading: ``undesirable-effect`` -> ``Undesirable effect``."""
    return key.replace("-", " ").capitalize()


def short_key(key: str, drug: str | None) -> str:
    """Return a statement key without its drug prefix."""
    return key[len(drug) + 1:] if drug and key.startswith(drug + "-") else key


def _labels(graph: GuidanceGraph, iris: set[str], drug: str | None) -> dict[str, dict[str, str]]:
    out = {}
    for iri in iris:
        s = graph.model.statements.get(graph.minter.key_of(iri, "statement") or "")
        if s is not None:
            out[iri] = {"key": short_key(s.key, drug), "text": s.wording, "jurisdiction": s.jurisdiction}
    return out


def guidance_view(graph: GuidanceGraph, body: dict[str, Any]) -> dict[str, Any]:
    """Return the template context of a guidance answer: statements grouped by topic, overriders named."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for s in body["statements"]:
        if not groups or groups[-1][0] != topic_label(s["topic"]):
            groups.append((topic_label(s["topic"]), []))
        groups[-1][1].append(s)
    by = {i for s in body["overridden"] for i in s.get("overridden_by", [])}
    return {"g": body, "groups": groups, "labels": _labels(graph, by, body["drug"]), "drug": body["drug"]}


def _compare() -> tuple[date, date] | None:
    """Return the compared dates from ``compare=A..B`` (or ``from`` and ``to``, as the form sends them)."""
    text = text_param("compare")
    if text is not None:
        parts = text.split("..")
        if len(parts) != 2:
            raise InputError("compare", f"{text!r} is not two dates; expected YYYY-MM-DD..YYYY-MM-DD")
        start, end = parse_day(parts[0], "compare"), parse_day(parts[1], "compare")
    else:
        start_, end_ = day_param("from"), day_param("to")
        if start_ is None or end_ is None:
            return None
        start, end = start_, end_
    if end < start:
        raise InputError("compare", f"{end} is before {start}")
    return start, end


def _bounds(graph: GuidanceGraph, drug: str, today: date) -> tuple[date, date]:
    """Return the span of the date slider: 1 January of the first statement's year to 31 December after."""
    starts = [s.valid_from.lo for s in graph.model.statements.values() if s.drug == drug] or [today]
    ends = [s.valid_until.hi for s in graph.model.statements.values() if s.drug == drug and s.valid_until]
    return date(min(starts).year, 1, 1), date(max([today, *ends]).year, 12, 31)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The page: pick a drug, a jurisdiction and a date; see the timeline, the guidance and the changes."""
    graph = current_graph()
    engine = graph.engine
    drugs = sorted(engine.model.drugs.values(), key=lambda d: d.key)
    drug = text_param("drug") or (drugs[0].key if drugs else None)
    jurisdiction = text_param("jurisdiction")
    today = date.today()
    on = day_param("on", default=today)
    known = day_param("known")
    assert on is not None and drug is not None
    filters = Filters(drug=drug, jurisdiction=jurisdiction)
    body = guidance_json(engine.guidance(on, known, filters), graph.minter)
    zoom = text_param("zoom") or "all"
    if zoom not in ZOOMS:
        raise InputError("zoom", f"{zoom!r} is not one of {', '.join(ZOOMS)}")
    compare = _compare()
    changes = None
    if compare:
        changes = changes_json(engine.changes(compare[0], compare[1], known, filters), *compare, known, filters,
                               graph.minter)
        for c in changes["changes"]:
            c["reason_text"] = REASONS[c["reason"]]
        ids = {c["by"] for c in changes["changes"] if c["by"]}
        changes["labels"] = _labels(graph, ids, drug)
    lo, hi = _bounds(graph, drug, today)
    return render_template(
        "page_index.html", drugs=drugs, jurisdictions=JURISDICTION_CODES, jurisdiction=jurisdiction, zoom=zoom,
        on=on, known=known, compare=compare, changes=changes, today=today, slider=(lo, hi),
        slider_value=(min(max(on, lo), hi) - lo).days, slider_max=(hi - lo).days, **guidance_view(graph, body))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@bp.app_template_filter("human_date")
def human_date(value: str | date | None) -> str:
    """Return ``2019-04-12`` as ``12 Apr 2019``, ``2019-05`` as ``May 2019`` and ``2014`` as itself."""
    if value is None:
        return ""
    parts = (value.isoformat() if isinstance(value, date) else str(value)).split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]
