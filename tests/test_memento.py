"""Time travel over HTTP (Memento, RFC 7089): memento days, the HTTP-date parser, TimeGate, Mementos, TimeMap."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from guidancekg.api.web import format_http_date, parse_http_date
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.engine.memento import (
    candidate_days,
    memento_dates,
    memento_for,
    neighbours,
)
from guidancekg.graph.errors import InputError, NotFound
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.views.serialize import guidance_json

IRIS = Minter()  # the graph's IRIs (conftest.TEST_BASE)

DRUG = "alemtuzumab"
AD = "Accept-Datetime"
APR13 = "Sat, 13 Apr 2019 00:00:00 GMT"
RESTRICTION = "alemtuzumab-eu-temporary-restriction-2019"
INDICATION_2013 = "alemtuzumab-eu-indication-2013"
# The EU page changes with the licence, the EMA's restriction, the MS Society's report of it, the MHRA's report
# of it (May 2019: certainly published from 1 June), the PRAC recommendation, the CHMP opinion, the Commission's
# final decision and the MHRA's report of that (February 2020: from 1 March).
EU_MEMENTOS = [date(2013, 9, 12), date(2019, 4, 12), date(2019, 4, 18), date(2019, 6, 1), date(2019, 10, 31),
               date(2019, 11, 14), date(2020, 1, 16), date(2020, 3, 1)]
LAST = date(2020, 3, 1)


# -- parsing helpers: Link (RFC 8288 section 3) and link-format (RFC 6690 section 2) --------------------------

_LINK = re.compile(r'\s*<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*=\s*(?:"[^"]*"|[^;,\s]+))*)\s*(?:,|$)')
_PARAM = re.compile(r'\s*;\s*([^;,=\s]+)\s*=\s*(?:"([^"]*)"|([^;,\s]+))')


def parse_links(text: str) -> list[tuple[str, dict[str, str]]]:
    """Return each link-value as (target, params); the whole text must parse."""
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _LINK.match(text, pos)
        assert m, f"unparseable link at {pos}: {text[pos:pos + 80]!r}"
        params = {p[1].lower(): p[2] if p[2] is not None else p[3] for p in _PARAM.finditer(m[2])}
        out.append((m[1], params))
        pos = m.end()
    return out


def rels(links: list[tuple[str, dict[str, str]]]) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Index links by each relation type named in their rel (space-separated, RFC 8288 section 3.3)."""
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for target, params in links:
        out.setdefault(params.get("rel", ""), []).append((target, params))
    return out


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- graph/engine/memento.py ---------------------------------------------------------------------------------------


def test_memento_days_of_the_eu_page(engine):
    assert memento_dates(engine, DRUG, "EU") == EU_MEMENTOS


def test_memento_days_of_the_whole_drug_include_the_restriction_and_its_report(engine):
    days = memento_dates(engine, DRUG)
    assert days == sorted(set(days))
    assert {date(2013, 9, 12), date(2019, 4, 12), date(2019, 4, 18), date(2020, 1, 16)} <= set(days)
    assert set(days) <= set(candidate_days(engine, DRUG))


@pytest.mark.parametrize("jurisdiction", [None, "EU", "UK", "US"])
def test_mementos_are_exactly_the_days_the_answer_changes(engine, jurisdiction):
    """Day by day from 2013 to 2021: the answer on T as known at T equals that of the memento in force on T."""
    days = memento_dates(engine, DRUG, jurisdiction)
    f = Filters(drug=DRUG, jurisdiction=jurisdiction)

    def answer(d: date) -> dict:
        body = guidance_json(engine.guidance(d, d, f), IRIS)
        return {k: body[k] for k in ("statements", "overridden")}

    memo: dict[date, dict] = {}
    day, previous = date(2013, 1, 1), None
    while day < date(2021, 1, 1):
        now = answer(day)
        chosen = memento_for(engine, DRUG, day, jurisdiction)
        if day >= days[0]:
            assert chosen is not None and chosen <= day
            if chosen not in memo:
                memo[chosen] = answer(chosen)
            assert now == memo[chosen], f"{day} differs from its memento {chosen}"
        else:
            assert now == {"statements": [], "overridden": []}
        if previous is not None and now != previous:
            assert day in days, f"the answer changes on {day}, which is not a memento"
        previous = now
        day += timedelta(days=1)


def test_memento_for_picks_the_latest_memento_on_or_before(engine):
    assert memento_for(engine, DRUG, date(2019, 4, 13), "EU") == date(2019, 4, 12)
    assert memento_for(engine, DRUG, date(2019, 4, 12), "EU") == date(2019, 4, 12)
    assert memento_for(engine, DRUG, date(2019, 4, 11), "EU") == date(2013, 9, 12)
    assert memento_for(engine, DRUG, date(1999, 1, 1), "EU") == date(2013, 9, 12)  # before the first: first
    assert memento_for(engine, DRUG, date(2030, 1, 1), "EU") == LAST


def test_neighbours():
    n = neighbours(EU_MEMENTOS, date(2019, 4, 12))
    assert (n.first, n.last, n.prev, n.next) == (date(2013, 9, 12), LAST, date(2013, 9, 12),
                                                 date(2019, 4, 18))
    assert neighbours(EU_MEMENTOS, EU_MEMENTOS[0]).prev is None
    assert neighbours(EU_MEMENTOS, EU_MEMENTOS[-1]).next is None


def test_unknown_drug_or_jurisdiction(engine):
    with pytest.raises(NotFound):
        memento_dates(engine, "nope")
    with pytest.raises(InputError):
        memento_dates(engine, DRUG, "XX")


# -- HTTP-date (RFC 9110 section 5.6.7) -----------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    (APR13, datetime(2019, 4, 13, tzinfo=UTC)),
    ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),  # rfc850-date
    ("Sun Nov  6 08:49:37 1994", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),  # asctime-date
    ("Sat Apr 13 23:59:59 2019", datetime(2019, 4, 13, 23, 59, 59, tzinfo=UTC)),
    ("  Sat, 13 Apr 2019 00:00:00 GMT ", datetime(2019, 4, 13, tzinfo=UTC)),  # OWS around a field value
])
def test_http_date_formats(text, expected):
    assert parse_http_date(text) == expected


@pytest.mark.parametrize("text", [
    "", "yesterday", "2019-04-13", "2019-04-13T00:00:00Z",
    "Sat, 13 Apr 2019 00:00:00 UTC", "Sat, 13 Apr 2019 00:00:00 +0000", "Sat, 13 Apr 2019 02:00:00 +0200",
    "sat, 13 Apr 2019 00:00:00 GMT", "Sat, 13 apr 2019 00:00:00 GMT", "Sat, 13 Apr 2019 00:00:00 gmt",
    "Sat, 13 Apr 19 00:00:00 GMT", "Sat, 3 Apr 2019 00:00:00 GMT", "Sat,  13 Apr 2019 00:00:00 GMT",
    "Sat 13 Apr 2019 00:00:00 GMT", "Sat, 13 Apr 2019 0:00:00 GMT", "Sat, 13 Apr 2019 00:00 GMT",
    "13 Apr 2019 00:00:00 GMT", "Saturday, 13 Apr 2019 00:00:00 GMT",
    "Fri, 13 Apr 2019 00:00:00 GMT",  # 13 April 2019 was a Saturday
    "Sun, 31 Apr 2019 00:00:00 GMT", "Sat, 13 Apr 2019 24:00:00 GMT", "Sat, 13 Apr 2019 23:60:00 GMT",
    "Sat, 13 Apr 2019 23:59:60 GMT", "Mon, 01 Jan 0000 00:00:00 GMT",
    "Sat, 13 Apr 2019 00:00:00 GMT, Sun, 14 Apr 2019 00:00:00 GMT",
    "Sat, \u0661\u0663 Apr 2019 00:00:00 GMT",  # Arabic-Indic digits are not DIGIT
    "Sat Apr 13 00:00:00 2019 GMT", "Sat, 13-Apr-19 00:00:00 GMT",
])
def test_malformed_http_dates_are_refused(text):
    with pytest.raises(InputError) as info:
        parse_http_date(text)
    assert info.value.parameter == "Accept-Datetime"


def test_rfc850_two_digit_year_is_not_more_than_50_years_ahead():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_http_date("Wednesday, 01-Jan-76 00:00:00 GMT", now=now).year == 2076
    assert parse_http_date("Saturday, 01-Jan-77 00:00:00 GMT", now=now).year == 1977


def test_format_http_date_round_trips():
    for d in EU_MEMENTOS:
        text = format_http_date(d)
        assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} 00:00:00 GMT", text)
        assert parse_http_date(text) == datetime(d.year, d.month, d.day, tzinfo=UTC)
    assert format_http_date(date(2019, 4, 12)) == "Fri, 12 Apr 2019 00:00:00 GMT"


# -- TimeGate -----------------------------------------------------------------------------------------------


def test_timegate_redirects_to_the_memento_holding_the_restriction(client):
    r = client.get(f"/guidance/{DRUG}", headers={AD: APR13})
    assert r.status_code == 302
    assert path(r.headers["Location"]) == f"/guidance/{DRUG}/2019-04-12"
    assert "accept-datetime" in [v.strip().lower() for v in r.headers["Vary"].split(",")]
    links = rels(parse_links(r.headers["Link"]))
    assert path(links["original"][0][0]) == f"/guidance/{DRUG}"
    assert path(links["timegate"][0][0]) == f"/guidance/{DRUG}"
    timemap, params = links["timemap"][0]
    assert path(timemap) == f"/timemap/guidance/{DRUG}"
    assert params["type"] == "application/link-format"
    for rel in ("first memento", "last memento", "prev memento", "next memento"):
        target, params = links[rel][0]
        assert parse_http_date(params["datetime"]).date().isoformat() == target.rsplit("/", 1)[-1]


def test_timegate_head_answers_like_get(client):
    r = client.head(f"/guidance/{DRUG}", headers={AD: APR13})
    assert r.status_code == 302
    assert path(r.headers["Location"]) == f"/guidance/{DRUG}/2019-04-12"


def test_timegate_keeps_the_jurisdiction(client):
    r = client.get(f"/guidance/{DRUG}?jurisdiction=EU", headers={AD: "Wed, 20 Nov 2019 10:00:00 GMT"})
    assert r.status_code == 302
    assert path(r.headers["Location"]) == f"/guidance/{DRUG}/2019-11-14?jurisdiction=EU"
    for target, _params in parse_links(r.headers["Link"]):
        assert target.endswith("?jurisdiction=EU")


@pytest.mark.parametrize("when, memento", [
    ("Tue, 01 Jan 2002 00:00:00 GMT", "2013-09-12"),  # before the first memento: the first
    ("Thu, 12 Sep 2013 00:00:00 GMT", "2013-09-12"),
    ("Fri, 12 Apr 2019 00:00:00 GMT", "2019-04-12"),  # on the day: that memento
    ("Thu, 11 Apr 2019 23:59:59 GMT", "2013-09-12"),
    ("Fri, 12 Apr 2019 18:30:00 GMT", "2019-04-12"),
    ("Friday, 12-Apr-19 18:30:00 GMT", "2019-04-12"),
    ("Fri Apr 12 18:30:00 2019", "2019-04-12"),
    ("Fri, 01 Jan 2100 00:00:00 GMT", "2020-03-01"),  # after the last: the last
])
def test_timegate_picks_the_memento_in_force(client, when, memento):
    r = client.get(f"/guidance/{DRUG}?jurisdiction=EU", headers={AD: when})
    assert r.status_code == 302
    assert path(r.headers["Location"]) == f"/guidance/{DRUG}/{memento}?jurisdiction=EU"


@pytest.mark.parametrize("value", ["2019-04-13", "Sat, 13 Apr 2019", "Fri, 13 Apr 2019 00:00:00 GMT",
                                   "Sat, 13 Apr 2019 00:00:00 CET", "now", ""])
def test_malformed_accept_datetime_is_a_400_problem(client, value):
    r = client.get(f"/guidance/{DRUG}", headers={AD: value})
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["status"] == 400 and body["parameter"] == "Accept-Datetime"
    assert "Accept-Datetime" in body["detail"]


def test_accept_datetime_given_twice_is_a_400(client):
    r = client.get(f"/guidance/{DRUG}", headers=[(AD, APR13), (AD, APR13)])
    assert r.status_code == 400
    assert r.get_json()["parameter"] == "Accept-Datetime"


def test_original_without_accept_datetime_is_the_current_state(client):
    r = client.get(f"/guidance/{DRUG}?jurisdiction=EU", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert "Memento-Datetime" not in r.headers
    assert "accept-datetime" in r.headers["Vary"].lower()
    body = r.get_json()
    assert body["on"] == date.today().isoformat() == body["known"]
    links = rels(parse_links(r.headers["Link"]))
    assert {"original", "timegate", "timemap", "first memento", "last memento"} <= set(links)
    ids = [s["key"] for s in body["statements"]]
    assert "alemtuzumab-eu-indication-2020" in ids and RESTRICTION not in ids


@pytest.mark.parametrize("url", ["/guidance/nope", "/guidance/nope/2019-04-12", "/timemap/guidance/nope"])
def test_unknown_drug_is_a_404_problem(client, url):
    r = client.get(url, headers={AD: APR13})
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"
    assert "nope" in r.get_json()["detail"]


def test_unknown_jurisdiction_is_a_400_problem(client):
    r = client.get(f"/guidance/{DRUG}?jurisdiction=XX", headers={AD: APR13})
    assert r.status_code == 400
    assert r.get_json()["parameter"] == "jurisdiction"


# -- Mementos -----------------------------------------------------------------------------------------------


def test_memento_headers(client):
    r = client.get(f"/guidance/{DRUG}/2019-04-12?jurisdiction=EU")
    assert r.status_code == 200
    assert r.headers["Memento-Datetime"] == "Fri, 12 Apr 2019 00:00:00 GMT"
    links = rels(parse_links(r.headers["Link"]))
    assert path(links["original"][0][0]) == f"/guidance/{DRUG}?jurisdiction=EU"
    assert path(links["timegate"][0][0]) == f"/guidance/{DRUG}?jurisdiction=EU"
    assert links["timemap"][0][1]["type"] == "application/link-format"
    expected = {"first memento": "2013-09-12", "last memento": "2020-03-01", "prev memento": "2013-09-12",
                "next memento": "2019-04-18"}
    for rel, day in expected.items():
        target, params = links[rel][0]
        assert path(target) == f"/guidance/{DRUG}/{day}?jurisdiction=EU"
        assert params["datetime"] == format_http_date(date.fromisoformat(day))


def test_first_and_last_mementos_have_no_prev_or_next(client):
    first = rels(parse_links(client.get(f"/guidance/{DRUG}/2013-09-12?jurisdiction=EU").headers["Link"]))
    last = rels(parse_links(client.get(f"/guidance/{DRUG}/2020-03-01?jurisdiction=EU").headers["Link"]))
    assert "prev memento" not in first and "next memento" in first
    assert "next memento" not in last and "prev memento" in last


def test_memento_as_json_holds_the_restriction_and_the_overridden_licence(client, engine):
    r = client.get(f"/guidance/{DRUG}/2019-04-12?jurisdiction=EU", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert "Accept" in r.headers["Vary"]
    body = r.get_json()
    expected = guidance_json(engine.guidance(date(2019, 4, 12), date(2019, 4, 12), Filters(DRUG, "EU")), IRIS)
    assert body == expected
    assert body["on"] == body["known"] == "2019-04-12"
    effective = {s["key"]: s for s in body["statements"]}
    overridden = {s["key"]: s for s in body["overridden"]}
    assert effective[RESTRICTION]["temporary"] is True
    assert overridden[INDICATION_2013]["overridden_by"] == [effective[RESTRICTION]["id"]]


def test_memento_as_html(client):
    r = client.get(f"/guidance/{DRUG}/2019-04-12?jurisdiction=EU", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "Lemtrada should only be started in adults" in html  # the EMA's words: the MS Society's came later
    assert "Overridden by" in html
    assert 'rel="next"' in html and "2019-04-18" in html
    assert client.get(f"/guidance/{DRUG}/2019-04-12").mimetype == "text/html"  # no Accept: HTML


def test_memento_refuses_an_unoffered_type(client):
    r = client.get(f"/guidance/{DRUG}/2019-04-12", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.mimetype == "application/problem+json"


@pytest.mark.parametrize("day, memento", [("2019-04-13", "2019-04-12"), ("2019-04-11", "2013-09-12"),
                                          ("2001-01-01", "2013-09-12"), ("2099-12-31", "2020-03-01")])
def test_a_day_that_is_no_memento_redirects_to_the_memento_in_force(client, day, memento):
    r = client.get(f"/guidance/{DRUG}/{day}?jurisdiction=EU")
    assert r.status_code == 302
    assert path(r.headers["Location"]) == f"/guidance/{DRUG}/{memento}?jurisdiction=EU"
    assert "Memento-Datetime" not in r.headers


@pytest.mark.parametrize("day", ["2019-02-30", "2019-4-12", "20190412", "yesterday"])
def test_a_malformed_memento_day_is_a_400_problem(client, day):
    r = client.get(f"/guidance/{DRUG}/{day}")
    assert r.status_code == 400
    assert r.get_json()["parameter"] == "date"


# -- TimeMap ------------------------------------------------------------------------------------------------


def test_timemap_in_link_format(client, engine):
    r = client.get(f"/timemap/guidance/{DRUG}?jurisdiction=EU")
    assert r.status_code == 200
    assert r.mimetype == "application/link-format"
    text = r.get_data(as_text=True)
    links = parse_links(text)
    by_rel = rels(links)
    assert path(by_rel["original"][0][0]) == f"/guidance/{DRUG}?jurisdiction=EU"
    assert path(by_rel["timegate"][0][0]) == f"/guidance/{DRUG}?jurisdiction=EU"
    target, params = by_rel["self"][0]
    assert path(target) == f"/timemap/guidance/{DRUG}?jurisdiction=EU"
    assert params["type"] == "application/link-format"
    assert params["from"] == format_http_date(EU_MEMENTOS[0]) and params["until"] == format_http_date(EU_MEMENTOS[-1])
    mementos = [(t, p) for t, p in links if "memento" in p["rel"].split()]
    assert [path(t) for t, _ in mementos] == [f"/guidance/{DRUG}/{d}?jurisdiction=EU" for d in EU_MEMENTOS]
    assert [p["datetime"] for _, p in mementos] == [format_http_date(d) for d in EU_MEMENTOS]
    assert mementos[0][1]["rel"] == "first memento" and mementos[-1][1]["rel"] == "last memento"
    assert all(p["rel"] == "memento" for _, p in mementos[1:-1])
    # RFC 6690: no whitespace inside a link-value.
    assert all(" " not in re.sub(r'"[^"]*"', "", line) for line in text.splitlines())


def test_every_timemap_memento_answers_200_with_its_datetime(client):
    for target, params in parse_links(client.get(f"/timemap/guidance/{DRUG}").get_data(as_text=True)):
        if "memento" in params["rel"].split():
            r = client.head(path(target))
            assert r.status_code == 200
            assert r.headers["Memento-Datetime"] == params["datetime"]


# -- the TimeGate named by its URI-R (for clients that take a TimeGate base URI) ------------------------------


def test_remote_style_timegate(client):
    r = client.get(f"/timegate/http://localhost/guidance/{DRUG}?jurisdiction=EU", headers={AD: APR13})
    assert r.status_code == 302
    assert path(r.headers["Location"]) == f"/guidance/{DRUG}/2019-04-12?jurisdiction=EU"
    assert r.headers["Vary"] == "accept-datetime"
    assert "original" in rels(parse_links(r.headers["Link"]))
    assert client.get("/timegate/http://elsewhere.example/guidance/x", headers={AD: APR13}).status_code == 404


# -- a real server and real clients -------------------------------------------------------------------------


@pytest.fixture()
def loopback_only(monkeypatch):
    """Refuse every outbound connection that is not to the loopback interface."""
    connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"connection to {address!r} attempted")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.mark.server
def test_requests_follows_the_timegate(live_server, loopback_only):
    import requests

    r = requests.get(f"{live_server.url}/guidance/{DRUG}", headers={AD: APR13, "Accept": "application/json"},
                     timeout=30)
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [302]
    assert r.url.endswith(f"/guidance/{DRUG}/2019-04-12")
    assert r.headers["Memento-Datetime"] == "Fri, 12 Apr 2019 00:00:00 GMT"
    assert RESTRICTION in {s["key"] for s in r.json()["statements"]}


@pytest.mark.server
def test_memento_client_with_its_timegate_on_the_live_server(live_server, loopback_only):
    """memento-client finds no native TimeGate for a URI-R that is its own TimeGate; it then uses timegate_uri."""
    from memento_client import MementoClient

    original = f"{live_server.url}/guidance/{DRUG}?jurisdiction=EU"
    with MementoClient(timegate_uri=f"{live_server.url}/timegate/") as mc:
        info = mc.get_memento_info(original, datetime(2019, 4, 13))
    assert info["original_uri"] == original
    m = info["mementos"]
    assert m["closest"]["uri"] == [f"{live_server.url}/guidance/{DRUG}/2019-04-12?jurisdiction=EU"]
    assert m["closest"]["datetime"] == datetime(2019, 4, 12)
    assert m["closest"]["http_status_code"] == 200
    assert m["first"]["datetime"] == datetime(2013, 9, 12) and m["last"]["datetime"] == datetime(2020, 3, 1)
    assert m["prev"]["datetime"] == datetime(2013, 9, 12) and m["next"]["datetime"] == datetime(2019, 4, 18)


@pytest.mark.server
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_head_with_accept_datetime(live_server):
    out = subprocess.run(["curl", "-sS", "-I", "-H", f"{AD}: {APR13}", f"{live_server.url}/guidance/{DRUG}"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.startswith("HTTP/1.1 302")
    location = re.search(r"^Location: (\S+)", out, re.MULTILINE | re.IGNORECASE)
    assert location and location[1].endswith(f"/guidance/{DRUG}/2019-04-12")
    assert re.search(r"^Vary: accept-datetime", out, re.MULTILINE | re.IGNORECASE)


def test_uk_mementos_include_the_days_the_eu_reach_changes(engine):
    """The UK page changes when the EU's reach does: the end of the transition, and Northern Ireland in 2025."""
    days = memento_dates(engine, DRUG, "UK")
    f = Filters(drug=DRUG, jurisdiction="UK")
    for day in (date(2021, 1, 1), date(2025, 1, 1)):
        assert day in days
        before = guidance_json(engine.guidance(day - timedelta(days=1), day - timedelta(days=1), f), IRIS)
        after = guidance_json(engine.guidance(day, day, f), IRIS)
        assert [s["applies_in"] for s in before["statements"]] != [s["applies_in"] for s in after["statements"]]
