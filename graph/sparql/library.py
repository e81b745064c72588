"""Write the semantics as SPARQL: the query library's date questions, generated from a few macros.

The engine (:mod:`.engine`) answers the questions; these queries let researchers ask the same ones of the
SPARQL endpoint. A property-based test checks that both agree on random data and dates, and another that the
``.rq`` files in ``queries/`` are exactly what :func:`library` generates (``python -m
guidancekg.graph.sparql.library`` rewrites them). They rely on the build's derived ``xsd:date`` properties
(``gk:inForceFrom``, ``gk:inForceUntil``, ``gk:recordedFrom``), which turn imprecise dates into the days the
semantics compare against, so the queries need no date arithmetic.

SPARQL has no recursion: "effective" is unrolled :data:`MAX_OVERRIDE_DEPTH` levels deep, and the build refuses
override chains longer than that.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from guidancekg.graph.corpus.checks import MAX_OVERRIDE_DEPTH
from guidancekg.graph.sparql.patterns import (
    EVERYTHING,
    PREFIXES,
    SEMANTICS,
    day_literal,
    effective,
    in_force,
    query_text,
    visible,
)
from guidancekg.graph.sparql.places import guidance_in_jurisdiction, overridden_in_jurisdiction

QUERIES_DIR = Path(__file__).resolve().parent / "queries"


def guidance_on_date(known: str = EVERYTHING, title: str = "Guidance on a date") -> str:
    """Return the query for the effective statements on ?on as known at ?known."""
    comment = (f"# {title}: the statements effective on ?on as known at ?known.\n"
               "# Parameters: the VALUES line (?on, ?known as xsd:date). Same answer as `guidancekg at ON --known K`\n"
               "# and the \"statements\" of GET /api/guidance?on=ON&known=K.\n")
    body = effective("?statement", "", "?on", MAX_OVERRIDE_DEPTH, "      ")
    tail = ("  ?statement dcterms:identifier ?key ; gk:topic ?topic ; gk:jurisdiction ?jurisdiction .\n"
            "  OPTIONAL { ?statement gk:definingRecord/gk:wording ?text }")
    return query_text(comment, "SELECT DISTINCT ?statement ?key ?topic ?jurisdiction ?text",
                      "SELECT DISTINCT ?statement",
                      f"VALUES (?on ?known) {{ ({day_literal('2019-04-12')} {day_literal(known)}) }}", body, tail,
                      "ORDER BY ?key")


def overridden_on_date() -> str:
    """Return the query for statements in force but overridden on ?on, with the statements overriding them."""
    comment = ("# Overridden guidance on a date: statements visible and in force on ?on as known at ?known but\n"
               "# overridden, each with ?by, an effective statement that overrides it (one row per overrider).\n"
               "# Parameters: the VALUES line. Same answer as \"overridden\" of GET /api/guidance.\n")
    body = "\n".join([
        visible("?statement", "", "      "), in_force("?statement", "", "?on", "      "),
        "      ?by gk:overrides ?statement .",
        # A join, not filters: at the top of the query Oxigraph plans it well, and Virtuoso 7.2.5 gets a top-level
        # FILTER EXISTS on ?by wrong (it keeps overriders that are not in force).
        effective("?by", "b", "?on", MAX_OVERRIDE_DEPTH - 1, "      "),
    ])
    return query_text(comment, "SELECT DISTINCT ?statement ?key ?by", "SELECT DISTINCT ?statement ?by",
                      f"VALUES (?on ?known) {{ ({day_literal('2019-04-12')} {day_literal(EVERYTHING)}) }}", body,
                      "  ?statement dcterms:identifier ?key .", "ORDER BY ?key ?by")


def changes_between_dates() -> str:
    """Return the query for the days in [?from, ?to] on which statements started or stopped being effective."""
    comment = ("# Changes between two dates (as known at a date): each day from ?from to ?to (inclusive) on which\n"
               "# a statement became effective (started) or stopped being effective (stopped), with the reason.\n"
               "# Parameters: the VALUES line (?drugKey UNDEF: every drug). Same answer as\n"
               "# `guidancekg changes FROM TO` and GET /api/changes (which name a date at the precision of its\n"
               "# cause: its 2014 is 2014-01-01 here).\n"
               "# A statement can change state only on a day on which it, or a visible statement overriding it\n"
               "# (transitively), comes into or out of force; its state on that day is compared with its state\n"
               "# on the day before (nothing visible changes between two such days).\n"
               "# Those days are looked up from the drug's statements when ?drugKey is given, and from the days\n"
               "# from ?from to ?to when it is UNDEF: one of the two OPTIONALs below matches, never both.\n")
    # Three levels: the candidate (day, statement) pairs; their states on the day and the day before, compared;
    # the labels of the few that changed (joined last: given in one group, Oxigraph joins the labels of every
    # statement first and evaluates the states per statement of the store).
    # The candidates start from the VALUES row. With ?drugKey UNDEF, a drug pattern shares no bound variable with
    # that row, so Oxigraph joined every statement of the store with its versions and overrides before the day
    # filter (41 s at 10^5 statements). Here each start is an OPTIONAL whose filter Oxigraph decides from the
    # VALUES row alone (BOUND of a variable the row leaves UNDEF is false), so the other OPTIONAL is dropped
    # before it runs: one drug starts from its statements (an OPTIONAL of one pattern, the days nested in it, is
    # evaluated per row of the VALUES, as a lookup), every drug from a scan of the days in force filtered to
    # [?from, ?to]. ?one is ?drugKey bound before the first OPTIONAL, whose own pattern binds ?drugKey. The
    # last argument of COALESCE, never a statement, tells Oxigraph that ?x is bound, so what follows is looked
    # up per ?x (without it, it evaluated gk:overrides* for every node); a row with no statement has no ?date
    # and is filtered out.
    body = "\n".join([
        "  {",
        "    SELECT ?date ?statement ?now WHERE {",
        "      {",
        "        SELECT DISTINCT ?known ?date ?statement WHERE {",
        "          {",
        "            SELECT DISTINCT ?known ?date ?x WHERE {  # the statements coming into or out of force",
        f"              VALUES (?from ?to ?known ?drugKey) {{ ({day_literal('2019-01-01')} {day_literal('2019-12-31')} "
        f"{day_literal(EVERYTHING)} UNDEF) }}",
        "              BIND(?drugKey AS ?one)",
        "              OPTIONAL {  # one drug: its statements, then their days",
        "                ?xd gk:drug/dcterms:identifier ?drugKey .",
        "                OPTIONAL { { ?xd gk:inForceFrom ?dated } UNION { ?xd gk:inForceUntil ?dated } }",
        "                FILTER(BOUND(?one))",
        "              }",
        "              OPTIONAL {  # every drug: the days from ?from to ?to",
        "                { ?xe gk:inForceFrom ?datee } UNION { ?xe gk:inForceUntil ?datee }",
        "                FILTER(!BOUND(?drugKey) && ?datee >= ?from && ?datee <= ?to)",
        "              }",
        "              BIND(COALESCE(?xd, ?xe, false) AS ?x)",
        "              BIND(COALESCE(?dated, ?datee) AS ?date)",
        "              FILTER(?date >= ?from && ?date <= ?to)",
        "            }",
        "          }",
        visible("?x", "d", "          ", bound=True),
        "          ?x gk:overrides* ?statement .  # it, and what it overrides (within its drug)",
        "        }",
        "      }",
        # Invisible, it is effective on neither day: tested once here, not in each state.
        visible("?statement", "s", "      ", bound=True),
        "      BIND(EXISTS {",
        effective("?statement", "n", "?date", MAX_OVERRIDE_DEPTH, "        ", bound=True, seen=True),
        "      } AS ?now)",
        "      BIND(EXISTS {",
        effective("?statement", "p", "?date", MAX_OVERRIDE_DEPTH, "        ", bound=True, before=True, seen=True),
        "      } AS ?before)",
        "      FILTER(?now != ?before)",
        "    }",
        "  }",
        # Every statement has a key; as OPTIONAL, Oxigraph looks it up for the rows above only. The reason asks
        # whether the statement's own gk:inForceFrom (gk:inForceUntil) is the day: the build allows one of each
        # (SHACL), and one lookup per row replaces joining both, which the union default graph repeats once
        # per version asserting the statement (about a fifth of the query's time at 10^5 statements).
        "  OPTIONAL { ?statement dcterms:identifier ?key }",
        '  BIND(IF(?now, "started", "stopped") AS ?change)',
        '  BIND(IF(?now, IF(EXISTS { ?statement gk:inForceFrom ?date }, "came-into-force", "override-ended"),',
        '               IF(EXISTS { ?statement gk:inForceUntil ?date }, "ended", "overridden")) AS ?reason)',
    ])
    return (f"{comment}{SEMANTICS}{PREFIXES}\nSELECT DISTINCT ?date ?statement ?key ?change ?reason WHERE {{\n"
            f"{body}\n}}\nORDER BY ?date ?change ?key\n")


_VALUES_HEAD = re.compile(r"VALUES \([^)]*\) \{ \(")
_VALUES_TERM = re.compile(r'\s*("[^"]*"(?:\^\^[\w:]+|@[\w-]+)?|<[^<>\s]*>|[^\s"()<>]+)')
_VALUES_END = re.compile(r"\s*\) \}")


def day_term(day: date | str) -> str:
    """Return ``day`` (a date or ``YYYY-MM-DD``) as the ``xsd:date`` literal of a VALUES row."""
    return day_literal(day.isoformat() if isinstance(day, date) else day)


def bind_values(text: str, *terms: str) -> str:
    """Return the query ``text`` with the first values of its (first) VALUES row replaced by ``terms``.

    ``terms`` are SPARQL terms (``day_term(...)``, ``'"alemtuzumab"'``, ``UNDEF``); the values after them are kept,
    so a trailing ``UNDEF`` (any drug) stays unless a term is given for it.
    """
    head = _VALUES_HEAD.search(text)
    if head is None:
        raise ValueError("the query has no VALUES row")
    values, at = [], head.end()
    while (end := _VALUES_END.match(text, at)) is None:
        term = _VALUES_TERM.match(text, at)
        if term is None:
            raise ValueError(f"cannot read the VALUES row at {text[at:at + 40]!r}")
        values.append(term.group(1))
        at = term.end()
    if len(terms) > len(values):
        raise ValueError(f"the VALUES row has {len(values)} values, {len(terms)} given")
    row = " ".join([*terms, *values[len(terms):]])
    return text[:head.end()] + row + text[end.start():]


def library() -> dict[str, str]:
    """Return the generated query files by name."""
    return {
        "guidance-on-date.rq": guidance_on_date(),
        "guidance-on-date-as-known.rq": guidance_on_date(
            known="2019-04-15", title="Guidance on a date as known at another date"),
        "overridden-on-date.rq": overridden_on_date(),
        "changes-between-dates.rq": changes_between_dates(),
        "guidance-in-jurisdiction.rq": guidance_in_jurisdiction(),
        "overridden-in-jurisdiction.rq": overridden_in_jurisdiction(),
    }


def main() -> None:
    """Rewrite the generated query files."""
    for name, text in library().items():
        (QUERIES_DIR / name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {QUERIES_DIR / name}\n")


if __name__ == "__main__":
    main()
