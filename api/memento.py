"""Serve time travel over HTTP (Memento, RFC 7089) for each drug's guidance page.

Resources (``docs/page-and-memento.md``; RFC 7089):

- ``/guidance/{drug}``: the Original Resource, acting as its own TimeGate (RFC 7089 section 4.1.1, pattern
  1.1: URI-R = URI-G, 302-style negotiation, distinct URI-Ms). With ``Accept-Datetime`` it answers 302 to the
  memento in force then; without, it serves the current state (guidance today as known today), as an
  Original Resource does.
- ``/guidance/{drug}/{YYYY-MM-DD}``: a Memento when the day is one of the drug's memento days; any other day
  redirects (302) to the memento in force that day, so each state has one URI.
- ``/timemap/guidance/{drug}``: the TimeMap in ``application/link-format`` (RFC 7089 section 5, RFC 6690).
- ``/timegate/{URI-R}``: the same TimeGate addressed the way aggregators name theirs (RFC 7089 section 4.2.1,
  pattern 2.1), for clients such as ``memento-client`` that take a TimeGate base URI.

Every resource takes ``?jurisdiction=`` and keeps it in every link it gives.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotAcceptable

from guidancekg.api.page import guidance_view
from guidancekg.api.params import text_param
from guidancekg.api.state import current, current_graph
from guidancekg.api.web import external_url, format_http_date, negotiate, parse_http_date, public_base
from guidancekg.graph.dates import parse_day
from guidancekg.graph.engine.answers import Engine, Filters
from guidancekg.graph.engine.memento import memento_dates, neighbours, select
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.graph.views.serialize import guidance_json

bp = Blueprint("memento", __name__)

LINK_FORMAT = "application/link-format"


def _query(jurisdiction: str | None) -> dict[str, str]:
    return {"jurisdiction": jurisdiction} if jurisdiction else {}


def _original(drug: str, jurisdiction: str | None) -> str:
    return external_url("memento.original", drug=drug, **_query(jurisdiction))


def _memento(drug: str, day: date, jurisdiction: str | None) -> str:
    return external_url("memento.memento", drug=drug, day=day.isoformat(), **_query(jurisdiction))


def _timemap(drug: str, jurisdiction: str | None) -> str:
    return external_url("memento.timemap", drug=drug, **_query(jurisdiction))


def _dates(engine: Engine, drug: str, jurisdiction: str | None) -> list[date]:
    """Return the memento days, refusing an unknown drug (404) or jurisdiction (400)."""
    dates = current().cached(f"memento\0{drug}\0{jurisdiction or ''}",
                             lambda: memento_dates(engine, drug, jurisdiction))
    if not dates:
        raise NotFound("guidance page with mementos", drug + (f" in {jurisdiction}" if jurisdiction else ""))
    return dates


def _link(target: str, rel: str, sep: str = "; ", **params: str) -> str:
    """Return one link-value: ``<target>; rel="..."; name="value"`` (RFC 8288 section 3; RFC 6690 section 2).

    A Link header may have whitespace around ``;`` (RFC 8288); link-format has none (RFC 6690): ``sep=";"``.
    """
    return sep.join([f"<{target}>", f'rel="{rel}"', *(f'{k}="{v}"' for k, v in params.items())])


def _memento_link(drug: str, day: date, jurisdiction: str | None, rel: str, sep: str = "; ") -> str:
    # RFC 7089 section 2.2.4: every link with the "memento" relation type carries a "datetime" attribute.
    return _link(_memento(drug, day, jurisdiction), rel, sep, datetime=format_http_date(day))


def _links(drug: str, jurisdiction: str | None, dates: list[date], around: date | None = None) -> list[str]:
    """Return the Link header values: original, timegate, timemap, first/last and prev/next of ``around``.

    RFC 7089 section 2.2: rel "original", "timegate", "timemap" (with type, from, until) and the memento
    relations "first memento", "last memento", "prev memento", "next memento".
    """
    original = _original(drug, jurisdiction)
    out = [_link(original, "original"), _link(original, "timegate"),
           _link(_timemap(drug, jurisdiction), "timemap", type=LINK_FORMAT,
                 **{"from": format_http_date(dates[0]), "until": format_http_date(dates[-1])}),
           _memento_link(drug, dates[0], jurisdiction, "first memento"),
           _memento_link(drug, dates[-1], jurisdiction, "last memento")]
    if around is not None:
        n = neighbours(dates, around)
        if n.prev is not None:
            out.append(_memento_link(drug, n.prev, jurisdiction, "prev memento"))
        if n.next is not None:
            out.append(_memento_link(drug, n.next, jurisdiction, "next memento"))
    return out


def _wants_json() -> bool:
    """Choose JSON or HTML by ``Accept`` (HTML when both are equally welcome); 406 when neither is."""
    best = negotiate(["text/html", "application/json"])
    if best is None:
        raise NotAcceptable("Offered: text/html, application/json.")
    return best == "application/json"


def _state(drug: str, day: date, jurisdiction: str | None, links: list[str], vary: str,
           memento: dict[str, object] | None) -> Response:
    """Return the guidance page of ``drug`` on ``day`` as known at ``day``, as HTML or JSON."""
    graph = current_graph()
    g = graph.engine.guidance(day, day, Filters(drug=drug, jurisdiction=jurisdiction))
    if _wants_json():
        resp = jsonify(guidance_json(g, graph.minter))
    else:
        resp = Response(render_template("page_memento.html", memento=memento,
                                        **guidance_view(graph, guidance_json(g, graph.minter))),
                        mimetype="text/html")
    resp.headers["Link"] = ", ".join(links)
    resp.headers["Vary"] = vary
    return resp


def _accept_datetime() -> date | None:
    """Return the day of ``Accept-Datetime`` (RFC 7089 section 2.1.1), or None when absent."""
    values = request.headers.getlist("Accept-Datetime")
    if not values:
        return None
    if len(values) > 1:
        raise InputError("Accept-Datetime", "given more than once")
    return parse_http_date(values[0]).date()


def _negotiate(drug: str, jurisdiction: str | None, when: date) -> ResponseReturnValue:
    """Answer 302 to the memento in force on ``when`` (RFC 7089 section 4.1.1).

    A day before the first memento gets the first; one after the last, the last.
    """
    dates = _dates(current_graph().engine, drug, jurisdiction)
    chosen = select(dates, when)
    assert chosen is not None
    resp = redirect(_memento(drug, chosen, jurisdiction), 302)
    resp.headers["Vary"] = "accept-datetime"
    resp.headers["Link"] = ", ".join(_links(drug, jurisdiction, dates, around=chosen))
    return resp


@bp.get("/guidance/<drug>")
def original(drug: str) -> ResponseReturnValue:
    """Original Resource and TimeGate: 302 to a memento with Accept-Datetime, the current state without."""
    jurisdiction = text_param("jurisdiction")
    dates = _dates(current_graph().engine, drug, jurisdiction)
    when = _accept_datetime()
    if when is not None:
        return _negotiate(drug, jurisdiction, when)
    today = date.today()
    current = select(dates, today)
    return _state(drug, today, jurisdiction, _links(drug, jurisdiction, dates), "accept-datetime, Accept",
                  {"original": True, "day": today, "current": current,
                   "links": _nav(drug, jurisdiction, dates, None)})


def _nav(drug: str, jurisdiction: str | None, dates: list[date], day: date | None) -> dict[str, object]:
    """Return the memento navigation of the HTML page: first, prev, next, last (each a day and a URI)."""
    out: dict[str, object] = {"first": (dates[0], _memento(drug, dates[0], jurisdiction)),
                              "last": (dates[-1], _memento(drug, dates[-1], jurisdiction)),
                              "original": _original(drug, jurisdiction),
                              "timemap": _timemap(drug, jurisdiction), "count": len(dates)}
    if day is not None:
        n = neighbours(dates, day)
        out["prev"] = (n.prev, _memento(drug, n.prev, jurisdiction)) if n.prev else None
        out["next"] = (n.next, _memento(drug, n.next, jurisdiction)) if n.next else None
    return out


@bp.get("/guidance/<drug>/<day>")
def memento(drug: str, day: str) -> ResponseReturnValue:
    """A Memento: the page on that day as known that day; another day redirects to the memento then in force."""
    jurisdiction = text_param("jurisdiction")
    when = parse_day(day, "date")
    dates = _dates(current_graph().engine, drug, jurisdiction)
    chosen = select(dates, when)
    assert chosen is not None
    if chosen != when:
        resp = redirect(_memento(drug, chosen, jurisdiction), 302)
        resp.headers["Link"] = ", ".join(_links(drug, jurisdiction, dates)[:3])
        return resp
    resp = _state(drug, when, jurisdiction, _links(drug, jurisdiction, dates, around=when), "Accept",
                  {"original": False, "day": when, "links": _nav(drug, jurisdiction, dates, when)})
    # RFC 7089 section 2.1.1: Memento-Datetime is the datetime of the state, an rfc1123-date.
    resp.headers["Memento-Datetime"] = format_http_date(when)
    return resp


@bp.get("/timemap/guidance/<drug>")
def timemap(drug: str) -> Response:
    """The TimeMap: original, timegate, self and one entry per memento (RFC 7089 section 5.1.1)."""
    jurisdiction = text_param("jurisdiction")
    dates = _dates(current_graph().engine, drug, jurisdiction)
    original, last = _original(drug, jurisdiction), len(dates) - 1
    lines = [_link(original, "original", ";"), _link(original, "timegate", ";"),
             _link(_timemap(drug, jurisdiction), "self", ";", type=LINK_FORMAT,
                   **{"from": format_http_date(dates[0]), "until": format_http_date(dates[-1])})]
    for i, day in enumerate(dates):
        rel = " ".join([*(["first"] if i == 0 else []), *(["last"] if i == last else []), "memento"])
        lines.append(_memento_link(drug, day, jurisdiction, rel, ";"))
    # RFC 6690 section 2: link-value *( "," link-value ), no whitespace inside a link-value. One link per line
    # after each comma, as the TimeMap of RFC 7089 section 5.1.1 is laid out and as Memento clients read it.
    return Response(",\n".join(lines) + "\n", mimetype=LINK_FORMAT)


@bp.get("/timegate/<path:uri>", merge_slashes=False)
def remote_timegate(uri: str) -> ResponseReturnValue:
    """TimeGate named by the URI-R it serves (RFC 7089 section 4.2.1); only for this server's originals."""
    target, here = urlsplit(uri), urlsplit(public_base())
    path = target.path
    if target.netloc and path.startswith(here.path):
        path = path[len(here.path):]  # the public URL may name a path the application is mounted at
    parts = path.strip("/").split("/")
    if target.netloc not in ("", here.netloc) or len(parts) != 2 or parts[0] != "guidance":
        raise NotFound("original resource", uri)
    given = parse_qs(target.query).get("jurisdiction") or request.args.getlist("jurisdiction")
    jurisdiction = given[0] if given and given[0] else None
    when = _accept_datetime()
    # A remote TimeGate has no current state of its own to serve: without Accept-Datetime, take the current time.
    resp = _negotiate(parts[1], jurisdiction, when if when is not None else date.today())
    return resp
