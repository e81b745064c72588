"""HTTP mechanics in one place, on werkzeug: content negotiation, HTTP-dates and the server's own URLs.

- **Negotiation** (RFC 9110 section 12.5.1): each offer takes the quality of the most specific media range that
  matches it, so ``*/*, text/csv;q=0`` refuses CSV; the highest quality wins, ties go to the earlier offer.
  Werkzeug parses the header and orders its ranges most specific first; media-type parameters are dropped, as
  no representation here differs by one.
- **HTTP-dates** (RFC 9110 section 5.6.7): ``Accept-Datetime`` (RFC 7089) is parsed strictly, in the three
  formats a recipient must accept; dates are written by werkzeug's ``http_date``.
- **JSON bodies**: answers are written by orjson (a page of a thousand statements is megabytes; the standard
  library's encoder took a quarter of its time), through Flask's JSON provider's responses, so ``jsonify`` uses it,
  and the FHIR bundle; what orjson would write differently from Flask's encoder (dates, dataclasses) goes to
  Flask's own ``default``, so the bodies say the same as before, compact, as UTF-8. Problem documents (a few
  hundred bytes, ``flask.json.dumps``) keep the standard library's spaced form, which the docs quote.
- **URLs**: every absolute URL the server writes (``Location``, ``Link``, the SPARQL service description, the
  OpenAPI ``servers``) starts with the configured public URL (``GUIDANCEKG_BASE``), never with the request's
  ``Host`` header, which any client can set. The graph's own IRIs are the project's (``graph/rdf/iris.py``);
  pages link to where this server answers for them (the template filter ``here``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
from flask import Flask, Response, has_request_context, request, url_for
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import http_date, parse_accept_header

from guidancekg.api.state import current_graph, current_settings
from guidancekg.graph.errors import InputError
from guidancekg.graph.sparql.formats import FORMS, canonical_media_type, offers_for

# -- negotiation ----------------------------------------------------------------------------------------------


def parse_accept(header: str | None) -> MIMEAccept:
    """Return an ``Accept`` header's media ranges, parameters dropped (``q`` kept), most specific first."""
    if header is None or not header.strip():
        return MIMEAccept(None)
    parsed = parse_accept_header(header, MIMEAccept)
    ranges = []
    for value, quality in parsed:
        kind = value.split(";", 1)[0].strip().lower()
        ranges.append(("*/*" if kind == "*" else kind, quality))
    return MIMEAccept(ranges)


def accepted() -> MIMEAccept:
    """Return the current request's ``Accept`` as :func:`parse_accept` reads it."""
    return parse_accept(request.headers.get("Accept"))


def negotiate(offers: Sequence[str], accept: MIMEAccept | str | None = None) -> str | None:
    """Return the offer ``accept`` prefers (default: the request's), or None when it accepts none of them.

    A missing or empty header accepts anything: the first offer (the default) is chosen.
    """
    ranges = accept if isinstance(accept, MIMEAccept) else (
        parse_accept(accept) if accept is not None or not has_request_context() else accepted())
    if not ranges.provided:
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        # The ranges are ordered most specific first, so quality() is that of the most specific match.
        q = ranges.quality(offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def choose_formats(accept: MIMEAccept | str | None) -> dict[str, str | None]:
    """Return, for each SPARQL query form, the media type to answer with (None: not acceptable, HTTP 406)."""
    ranges = accept if isinstance(accept, MIMEAccept) else parse_accept(accept)
    chosen: dict[str, str | None] = {}
    for form in FORMS:
        picked = negotiate(offers_for(form), ranges)
        chosen[form] = canonical_media_type(form, picked) if picked else None
    return chosen


# -- HTTP-dates (RFC 9110 section 5.6.7) -----------------------------------------------------------------------

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WK, _WKL, _MON = "|".join(_DAY_NAMES), "|".join(_DAY_NAMES_LONG), "|".join(_MONTHS)
_TIME = r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
# IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT ; date1 = day SP month SP year (e.g.
# "Sun, 06 Nov 1994 08:49:37 GMT"). Names are case-sensitive, exactly one SP between the parts.
_IMF = re.compile(rf"(?P<wd>{_WK}), (?P<d>\d{{2}}) (?P<mo>{_MON}) (?P<y>\d{{4}}) {_TIME} GMT", re.ASCII)
# obs-date, rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT ; date2 = day "-" month "-" 2DIGIT
_RFC850 = re.compile(rf"(?P<wd>{_WKL}), (?P<d>\d{{2}})-(?P<mo>{_MON})-(?P<y>\d{{2}}) {_TIME} GMT", re.ASCII)
# obs-date, asctime-date = day-name SP date3 SP time-of-day SP year ; date3 = month SP ( 2DIGIT / ( SP DIGIT ))
_ASCTIME = re.compile(rf"(?P<wd>{_WK}) (?P<mo>{_MON}) (?P<d>\d{{2}}| \d) {_TIME} (?P<y>\d{{4}})", re.ASCII)


def _two_digit_year(yy: int, now: datetime) -> int:
    """Expand an rfc850-date year: one that seems more than 50 years ahead is the latest past year ending so.

    RFC 9110 section 5.6.7: "Recipients of a timestamp value in rfc850-date format, which uses a two-digit
    year, MUST interpret a timestamp that appears to be more than 50 years in the future as representing the
    most recent year in the past that had the same last two digits."
    """
    year = now.year - now.year % 100 + yy
    if year > now.year + 50:
        year -= 100
    return year


def parse_http_date(text: str, parameter: str = "Accept-Datetime", now: datetime | None = None) -> datetime:
    """Parse an HTTP-date into an aware UTC datetime, strictly.

    IMF-fixdate (the ``rfc1123-date`` that RFC 7089 section 2.1.1 requires of ``Accept-Datetime``) and the two
    obsolete formats every recipient must accept (rfc850-date, asctime-date). Only GMT; the day name must be
    the date's own weekday. Anything else raises :class:`InputError` naming ``parameter``. (Werkzeug's own
    ``parse_date`` is lenient: it reads offsets and other zones, which RFC 7089 does not allow here.)
    """
    value = text.strip(" \t")  # RFC 9110 section 5.5: optional whitespace around a field value is not part of it
    m = _IMF.fullmatch(value) or _RFC850.fullmatch(value) or _ASCTIME.fullmatch(value)
    if m is None:
        raise InputError(parameter, f"{value!r} is not an HTTP-date; expected an IMF-fixdate such as "
                                    "'Sat, 13 Apr 2019 00:00:00 GMT' (RFC 9110 section 5.6.7)")
    year = int(m["y"])
    if len(m["y"]) == 2:
        year = _two_digit_year(year, now or datetime.now(UTC))
    try:
        when = datetime(year, _MONTHS.index(m["mo"]) + 1, int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
                        tzinfo=UTC)
    except ValueError as exc:
        raise InputError(parameter, f"{value!r} is not a real date and time ({exc})") from None
    names = _DAY_NAMES_LONG if m.re is _RFC850 else _DAY_NAMES
    if m["wd"] != names[when.weekday()]:
        raise InputError(parameter, f"{value!r}: {when:%d %b %Y} is a {_DAY_NAMES_LONG[when.weekday()]}, "
                                    f"not a {_DAY_NAMES_LONG[names.index(m['wd'])]}")
    return when


def format_http_date(day: date) -> str:
    """Return the IMF-fixdate of 00:00:00 GMT on ``day``, e.g. for ``Memento-Datetime``."""
    return http_date(datetime(day.year, day.month, day.day, tzinfo=UTC))


# -- JSON bodies ------------------------------------------------------------------------------------------------

# Dates and dataclasses go to Flask's default, as with its own encoder; str subclasses (IRIs) are written as str.
_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_bytes(obj: Any) -> bytes:
    """Return ``obj`` as UTF-8 JSON, as Flask's encoder would write it, compact."""
    return orjson.dumps(obj, default=DefaultJSONProvider.default, option=_JSON_OPTIONS)


def json_response(obj: Any, mimetype: str = "application/json", status: int = 200) -> Response:
    """Return a response whose body is ``obj`` as JSON, of media type ``mimetype``."""
    return Response(json_bytes(obj), status=status, mimetype=mimetype)


class JSONBodies(DefaultJSONProvider):
    """Flask's JSON provider whose responses (``jsonify``) are written with :func:`json_bytes`."""

    sort_keys = False  # members in the contract's order, in every body

    def response(self, *args: Any, **kwargs: Any) -> Response:
        return json_response(self._prepare_response_obj(args, kwargs), self.mimetype)


# -- the server's own URLs --------------------------------------------------------------------------------------


def public_base() -> str:
    """Return the configured public URL of this server, with one trailing slash."""
    return current_settings().base


def external_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of a route under the configured public URL (never under the ``Host`` header)."""
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]  # the public URL already names where the application is mounted
    return public_base() + path.lstrip("/")



def here(iri: str) -> str:
    """Return the link to where this server answers for ``iri``: a path for the graph's own IRIs (``/id/...``,
    the vocabulary's ``/ns#...``); any other IRI as it is."""
    path = current_graph().minter.path_of(iri)
    return request.script_root + path if path is not None else iri


def register_template_helpers(app: Flask) -> None:
    """Give the templates :func:`here`, a filter."""
    app.jinja_env.filters["here"] = here
