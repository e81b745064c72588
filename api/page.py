"""Serve the web page: the guidance of a drug on a date, its timeline, and the changes between two dates.

The server renders every list (they work without JavaScript); ``static/page-app.js`` draws the timeline from
``/api/timeline`` and, as the view changes, fetches the lists again as HTML fragments rendered by the same
templates (``/page/guidance``, ``/page/changes``), so each list has one rendering. The whole view is in the
query string: ``/?drug=alemtuzumab&jurisdiction=EU&on=2019-04-12&known=&compare=2019-01-01..2019-12-31``; ``/``
without a date first redirects to the view of the default drug's latest change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from guidancekg.api.params import day_param, text_param
from guidancekg.api.state import current_graph
from guidancekg.graph.dates import PartialDate, parse_day
from guidancekg.graph.engine.answers import Filters, Period
from guidancekg.graph.errors import InputError
from guidancekg.graph.opened import GuidanceGraph
from guidancekg.graph.views.serialize import changes_json, guidance_json

bp = Blueprint("page", __name__)

ZOOMS = ("all", "5y", "1y")  # the span of the timeline: everything, or 5 years or 1 year around the date
REASONS = {"came-into-force": "came into force", "ended": "ended", "overridden": "overridden",
           "override-ended": "override ended", "started-to-apply": "started to apply here",
           "stopped-applying": "stopped applying here"}


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
            out[iri] = {"key": short_key(s.key, drug), "text": graph.model.text_of(s.key) or "",
                        "jurisdiction": s.jurisdiction}
    return out


def _since(periods: list[Period], on: date) -> PartialDate | None:
    """Return since when the overrider of ``periods`` (its overridden periods of one statement) overrides it on
    ``on``: the start of the unbroken run of periods that holds ``on`` (a run is split where others join)."""
    started = [p for p in periods if p.start.lo <= on]
    if not started:
        return None
    current = max(started, key=lambda p: p.start.lo)
    while (before := next((p for p in periods if p.end == current.start), None)) is not None:
        current = before
    return current.start


def overridden_since(graph: GuidanceGraph, body: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Return ``{statement IRI: {overrider IRI: since}}`` for the overridden statements of a guidance answer."""
    minter = graph.minter
    wanted = {minter.key_of(s["id"], "statement"): s for s in body["overridden"]}
    if not wanted:
        return {}
    on = date.fromisoformat(body["on"])
    known = date.fromisoformat(body["known"]) if body["known"] else None
    out: dict[str, dict[str, str]] = {}
    for t in graph.engine.timeline(known, Filters(body["drug"], body["jurisdiction"], body["topic"])):
        s = wanted.get(t.entry.statement.key)
        if s is None:
            continue
        for by in s.get("overridden_by", []):
            since = _since([p for p in t.overridden if p.by == minter.key_of(by, "statement")], on)
            if since is not None:
                out.setdefault(s["id"], {})[by] = since.isoformat()
    return out


def guidance_view(graph: GuidanceGraph, body: dict[str, Any]) -> dict[str, Any]:
    """Return the template context of a guidance answer: statements grouped by topic, overriders named and dated."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for s in body["statements"]:
        if not groups or groups[-1][0] != topic_label(s["topic"]):
            groups.append((topic_label(s["topic"]), []))
        groups[-1][1].append(s)
    by = {i for s in body["overridden"] for i in s.get("overridden_by", [])}
    return {"g": body, "groups": groups, "labels": _labels(graph, by, body["drug"]), "drug": body["drug"],
            "since": overridden_since(graph, body)}


def changes_view(graph: GuidanceGraph, start: date, end: date, known: date | None,
                 filters: Filters) -> dict[str, Any]:
    """Return the template context of the changes from ``start`` to ``end``, reasons in words, overriders named."""
    changes = changes_json(graph.engine.changes(start, end, known, filters), start, end, known, filters,
                           graph.minter)
    for c in changes["changes"]:
        c["reason_text"] = REASONS[c["reason"]]
    changes["labels"] = _labels(graph, {c["by"] for c in changes["changes"] if c["by"]}, filters.drug)
    return changes


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


def first_view(graph: GuidanceGraph, drug: str, jurisdiction: str | None, today: date) -> dict[str, str]:
    """Return the date and jurisdiction of the first view: the drug's latest change up to today that is dated to
    the day, in the jurisdiction of the statement that changed (or the one asked for); today when nothing ever
    changed."""
    lo, _hi = _bounds(graph, drug, today)
    found = graph.engine.changes(lo, today, None, Filters(drug=drug, jurisdiction=jurisdiction or None))
    if not found:
        return {"on": today.isoformat(), "jurisdiction": jurisdiction or ""}
    # A change known only to the month or the year has no day of its own to open on: the latest dated one first.
    latest = next((c for c in reversed(found) if c.date.precision == "day"), found[-1])
    return {"on": latest.day.isoformat(),
            "jurisdiction": jurisdiction if jurisdiction is not None else latest.entry.statement.jurisdiction}


def _view() -> tuple[GuidanceGraph, dict[str, Any]]:
    """Read and check every parameter of the view; return the graph and what the templates need."""
    graph = current_graph()
    engine = graph.engine
    drugs = sorted(engine.model.drugs.values(), key=lambda d: d.key)
    drug = text_param("drug") or (drugs[0].key if drugs else "")
    jurisdiction = text_param("jurisdiction")
    today = date.today()
    known = day_param("known")
    on = day_param("on")
    filters = Filters(drug=drug, jurisdiction=jurisdiction)
    engine.check_filters(filters)
    zoom = text_param("zoom") or "all"
    if zoom not in ZOOMS:
        raise InputError("zoom", f"{zoom!r} is not one of {', '.join(ZOOMS)}")
    return graph, {"drugs": drugs, "drug": drug, "jurisdiction": jurisdiction, "filters": filters, "on": on,
                    "known": known, "zoom": zoom, "compare": _compare(), "today": today}


@bp.get("/")
def index() -> ResponseReturnValue:
    """The page: pick a drug, a jurisdiction and a date; see the timeline, the guidance and the changes."""
    graph, v = _view()
    if v["on"] is None:  # the first view, in the URL so that it can be shared
        # An empty jurisdiction in the URL is "all jurisdictions", asked for; an absent one is the view's to choose.
        chosen = first_view(graph, v["drug"], request.args.get("jurisdiction"), v["today"])
        args = {k: val for k, val in request.args.items() if k not in ("on", "jurisdiction")}
        return redirect(url_for("page.index", **{**args, "drug": v["drug"], **chosen}), 302)
    on, known, compare = v["on"], v["known"], v["compare"]
    body = guidance_json(graph.engine.guidance(on, known, v["filters"]), graph.minter)
    changes = changes_view(graph, compare[0], compare[1], known, v["filters"]) if compare else None
    lo, hi = _bounds(graph, v["drug"], v["today"])
    return render_template(
        "page_index.html", drugs=v["drugs"], jurisdictions=graph.model.scheme.codes, jurisdiction=v["jurisdiction"],
        zoom=v["zoom"], on=on, known=known, compare=compare, changes=changes, today=v["today"], slider=(lo, hi),
        slider_value=(min(max(on, lo), hi) - lo).days, slider_max=(hi - lo).days, **guidance_view(graph, body))


@bp.get("/page/guidance")
def guidance_fragment() -> Response:
    """Render the guidance list of a view (``drug``, ``jurisdiction``, ``on``, ``known``) for the page's script."""
    graph, v = _view()
    if v["on"] is None:
        raise InputError("on", "is required (YYYY-MM-DD)")
    body = guidance_json(graph.engine.guidance(v["on"], v["known"], v["filters"]), graph.minter)
    return Response(render_template("page_guidance.html", **guidance_view(graph, body)), mimetype="text/html")


@bp.get("/page/changes")
def changes_fragment() -> Response:
    """Render the list of changes of a view (``compare`` or ``from`` and ``to``) for the page's script."""
    graph, v = _view()
    if v["compare"] is None:
        raise InputError("compare", "is required (YYYY-MM-DD..YYYY-MM-DD)")
    changes = changes_view(graph, v["compare"][0], v["compare"][1], v["known"], v["filters"])
    return Response(render_template("page_changes.html", changes=changes, drug=v["drug"]), mimetype="text/html")


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
