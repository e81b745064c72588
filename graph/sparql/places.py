"""Write "guidance on D in J" as SPARQL: where a statement applies, why, and the override rule there.

The semantics (docs/semantics.md, "Jurisdictions and reach"), as the engine applies them (graph/engine/applying.py
and contexts.py): a statement applies in J on D when its own jurisdiction is J or contains J, or when a reach of its
jurisdiction into J (or into a jurisdiction containing J) holds on D; through a reach that carries a day's terms,
only if it was effective in the reaching jurisdiction on that day (as known at K, counting the overriders whose own
jurisdiction is or contains the reaching one). A statement is judged in its **contexts**: J itself when it applies
in the whole of J (the reach of least key when several would do, as the engine reads them in that order);
otherwise its own jurisdiction or a reach's, when they lie within J, except one inside another of them. In a
context, an overrider counts only when it applies there too.

SPARQL has no recursion: the nesting of jurisdictions is the property path ``skos:broader*`` (the scheme's own
links, written by graph/rdf/writer.py), and each "effective" is unrolled as in :mod:`.patterns`.
"""

from __future__ import annotations

from guidancekg.graph.corpus.checks import MAX_OVERRIDE_DEPTH
from guidancekg.graph.sparql.patterns import (
    EVERYTHING,
    day_literal,
    in_force,
    query_text,
    visible,
)
from guidancekg.ontology.vocab import sparql_prefixes

PREFIXES = sparql_prefixes("gk", "dcterms", "skos", "xsd")

PLACES = """\
# Where a statement applies (docs/semantics.md, "Jurisdictions and reach"), as the engine implements it:
# - Nesting: ?inner skos:broader* ?outer holds when ?inner is ?outer or lies within it.
# - It applies in J on ?on when its own jurisdiction is J or contains J, or when a gk:Reach of a jurisdiction
#   containing its own (gk:reachOf) into J or a jurisdiction containing J (gk:reachInto) holds on ?on
#   (gk:reachFrom <= ?on < gk:reachUntil); a reach with gk:carriesTermsOf lets through only what was effective
#   in gk:reachOf on that day, as known at ?known (counting the overriders whose jurisdiction is or contains it).
# - ?in, its context: J when it applies in the whole of J; otherwise its own jurisdiction or a reach's
#   gk:reachInto lying within J, unless another of those contains it. ?because: "own", "inside" (J lies within
#   ?via, its own jurisdiction) or "reach" (?via is gk:reachOf of ?relation). Where several reaches would make it
#   apply in the whole of J, the one of least dcterms:identifier.
# - In its context an overriding statement counts only when it applies there too.
"""


def _lines(indent: str, *lines: str) -> str:
    return "\n".join(indent + line for line in lines)


def holds(r: str, n: str, indent: str) -> str:
    """Return filters that hold when the bound reach ``r`` holds on ?on."""
    return _lines(indent, f"FILTER NOT EXISTS {{ {r} gk:reachFrom ?rf{n} . FILTER(?rf{n} > ?on) }}",
                  f"FILTER NOT EXISTS {{ {r} gk:reachUntil ?ru{n} . FILTER(?ru{n} <= ?on) }}")


def carried(s: str, of: str, day: str, n: str, depth: int, indent: str) -> str:
    """Return filters that hold when the bound ``s`` is effective in ``of`` on ``day`` as known at ?known, counting
    the overriders whose jurisdiction is or contains ``of``."""
    parts = [visible(s, n, indent, bound=True), in_force(s, n, day, indent, bound=True)]
    if depth > 0:
        o = f"?co{n}"
        parts += [f"{indent}FILTER NOT EXISTS {{  # no statement of {of} effective that day overrides {s}",
                  f"{indent}  {o} gk:overrides {s} .",
                  f"{indent}  FILTER EXISTS {{ {of} skos:broader*/^gk:jurisdiction {o} }}",
                  carried(o, of, day, f"{n}c", depth - 1, indent + "  "), indent + "}"]
    return "\n".join(parts)


def qualifies(r: str, s: str, n: str, indent: str, of: str | None = None) -> str:
    """Return a pattern that holds when the reach ``r`` (bound or bound here) makes the bound ``s`` reach on ?on.

    ``of`` names the variable bound to the reach's gk:reachOf (one of its own when not given).
    """
    of = of or f"?rof{n}"
    return "\n".join([
        _lines(indent, f"{r} gk:reachOf {of} .",
               f"FILTER EXISTS {{ {s} gk:jurisdiction/skos:broader* {of} }}  # its jurisdiction lies within {of}"),
        holds(r, n, indent),
        _lines(indent, f"FILTER NOT EXISTS {{ {r} gk:carriesTermsOf ?carry{n} .  # carried: effective that day",
               "  FILTER NOT EXISTS {"),
        carried(s, of, f"?carry{n}", f"{n}k", MAX_OVERRIDE_DEPTH, indent + "    "),
        _lines(indent, "  }", "}"),
    ])


def applies(s: str, where: str, n: str, indent: str) -> str:
    """Return an expression: the bound ``s`` applies in the whole of the bound ``where`` on ?on."""
    return "\n".join([
        f"(EXISTS {{ {where} skos:broader*/^gk:jurisdiction {s} }}  # its own jurisdiction is or contains it",
        f"{indent} || EXISTS {{  # or a reach into it, or into one containing it",
        _lines(indent + "      ", f"?ar{n} gk:reachInto ?ai{n} . FILTER EXISTS {{ {where} skos:broader* ?ai{n} }}"),
        qualifies(f"?ar{n}", s, f"a{n}", indent + "      "),
        f"{indent}   }})",
    ])


def effective_in(s: str, where: str, n: str, depth: int, indent: str) -> str:
    """Return filters that hold when no overrider of the bound ``s`` that applies in ``where`` is effective there
    (``s`` is known to be in force)."""
    if depth == 0:
        return ""
    o = f"?eo{n}"
    return "\n".join([
        f"{indent}FILTER NOT EXISTS {{  # no statement applying in {where} and effective there overrides {s}",
        f"{indent}  {o} gk:overrides {s} .",
        visible(o, f"e{n}", indent + "  ", bound=True),
        in_force(o, f"e{n}", "?on", indent + "  ", bound=True),
        f"{indent}  FILTER{applies(o, where, f'e{n}', indent + '  ')}",
        *filter(None, [effective_in(o, where, f"e{n}", depth - 1, indent + "  ")]),
        indent + "}",
    ])


def _partial(n: str, inner: str, indent: str) -> str:
    """Return an expression: another context of ?statement within ?where strictly contains ``inner``: its own
    jurisdiction (unless ``inner`` is that), or a reach's (not one into the whole of ?where: ``applies`` is false)."""
    own = [] if inner == "?own" else [f"EXISTS {{ {inner} skos:broader+ ?own . ?own skos:broader* ?where }}\n",
                                      f"{indent} || "]
    return "\n".join([
        "".join([*own, "EXISTS {"]),
        _lines(indent + "      ", f"?pr{n} gk:reachInto ?pi{n} .",
               f"FILTER EXISTS {{ ?pi{n} skos:broader* ?where }} FILTER EXISTS {{ {inner} skos:broader+ ?pi{n} }}"),
        qualifies(f"?pr{n}", "?statement", f"p{n}", indent + "      "),
        f"{indent}   }}",
    ])


def contexts(indent: str) -> str:
    """Return a pattern binding, for each visible ?statement in force on ?on, its contexts within ?where: ?in,
    ?because, ?via and ?relation (the jurisdiction ?jurisdictionKey names is ?where)."""
    i = indent
    return "\n".join([
        visible("?statement", "", i), in_force("?statement", "", "?on", i),
        _lines(i, "?where a gk:Jurisdiction ; dcterms:identifier ?jurisdictionKey .",
               "?statement gk:jurisdiction ?own .",
               '{ BIND("own" AS ?because) } UNION { BIND("inside" AS ?because) }',
               'UNION { ?relation a gk:Reach ; gk:reachOf ?reachOf ; gk:reachInto ?into . BIND("reach" AS ?because) }',
               "BIND(IF(?because = \"inside\", ?own, ?reachOf) AS ?via)",
               "BIND(IF(?because = \"own\", ?own, IF(?because = \"inside\" || EXISTS { ?where skos:broader* ?into },",
               "                                   ?where, ?into)) AS ?in)",
               "# Its own jurisdiction: J itself, or a part of J when it does not apply in the whole of J and no other",
               "# context contains that part."),
        f"{i}FILTER(?because != \"own\" || ?own = ?where || (EXISTS {{ ?own skos:broader+ ?where }}",
        f"{i}       && !{applies('?statement', '?where', 'w', i + '         ')}",
        f"{i}       && !({_partial('o', '?own', i + '         ')})))",
        f"{i}# J lies inside its own jurisdiction.",
        f"{i}FILTER(?because != \"inside\" || EXISTS {{ ?where skos:broader+ ?own }})",
        f"{i}# A reach: into J or one containing J (its own jurisdiction does not contain J; the least key of those),",
        f"{i}# or into a part of J when it does not apply in the whole of J and no other context contains that part.",
        f"{i}FILTER(?because != \"reach\" || EXISTS {{",
        qualifies("?relation", "?statement", "q", i + "  ", of="?reachOf"),
        f"{i}}})",
        f"{i}FILTER(?because != \"reach\" || ?in = ?where && NOT EXISTS {{ ?where skos:broader* ?own }}",
        f"{i}       && NOT EXISTS {{ ?relation dcterms:identifier ?rk .",
        _lines(i + "         ", "?lr gk:reachInto ?li ; dcterms:identifier ?lk . FILTER(?lk < ?rk)",
               "FILTER EXISTS { ?where skos:broader* ?li }"),
        qualifies("?lr", "?statement", "l", i + "         "),
        f"{i}       }}",
        f"{i}    || ?in != ?where && EXISTS {{ ?in skos:broader+ ?where }}",
        f"{i}       && !{applies('?statement', '?where', 'x', i + '         ')}",
        f"{i}       && !({_partial('r', '?in', i + '         ')}))",
    ])


def _values(known: str) -> str:
    return (f'VALUES (?on ?known ?jurisdictionKey) {{ ({day_literal("2019-04-15")} {day_literal(known)} "UK") }}')


def guidance_in_jurisdiction() -> str:
    """Return the query for the effective statements on ?on in a jurisdiction as known at ?known, with why each
    applies there."""
    comment = ("# Guidance on a date in a jurisdiction: the statements effective on ?on in ?jurisdictionKey (a code\n"
               "# of the scheme: \"UK\", \"GB-NIR\", \"EU\") as known at ?known, each in its context ?in with why it\n"
               "# applies there (?because, ?via, ?relation). Parameters: the VALUES line. Same answer as\n"
               "# `guidancekg at ON --known K --jurisdiction J` and the \"applies_in\" of GET /api/guidance.\n")
    body = "\n".join([contexts("      "), "      # Effective in its context.",
                      effective_in("?statement", "?in", "", MAX_OVERRIDE_DEPTH, "      ")])
    tail = ("  ?statement dcterms:identifier ?key ; gk:topic ?topic ; gk:jurisdiction ?jurisdiction .\n"
            "  OPTIONAL { ?statement gk:definingRecord/gk:wording ?text }")
    return query_text(comment + PLACES, "SELECT DISTINCT ?statement ?key ?topic ?jurisdiction ?in ?because ?via "
                      "?relation ?text", "SELECT DISTINCT ?statement ?in ?because ?via ?relation",
                      _values(EVERYTHING), body, tail, "ORDER BY ?key ?in ?relation", prefixes=PREFIXES)


def overridden_in_jurisdiction() -> str:
    """Return the query for statements in force but overridden on ?on in a jurisdiction, with the overriders."""
    comment = ("# Overridden guidance on a date in a jurisdiction: statements visible and in force on ?on but\n"
               "# overridden in their context ?in within ?jurisdictionKey, each with ?by, an overriding statement\n"
               "# that applies in ?in and is effective there (one row per overrider). Parameters: the VALUES line.\n"
               "# Same answer as \"overridden\" of GET /api/guidance?on=ON&known=K&jurisdiction=J.\n")
    body = "\n".join([
        contexts("      "), "      # Overridden in its context: by a statement applying there and effective there.",
        "      ?by gk:overrides ?statement .", visible("?by", "b", "      "), in_force("?by", "b", "?on", "      "),
        f"      FILTER{applies('?by', '?in', 'b', '      ')}",
        effective_in("?by", "?in", "b", MAX_OVERRIDE_DEPTH - 1, "      "),
    ])
    return query_text(comment + PLACES, "SELECT DISTINCT ?statement ?key ?in ?because ?via ?relation ?by",
                      "SELECT DISTINCT ?statement ?in ?because ?via ?relation ?by", _values(EVERYTHING), body,
                      "  ?statement dcterms:identifier ?key .", "ORDER BY ?key ?in ?relation ?by",
                      prefixes=PREFIXES)
