"""The date patterns of the query library, as SPARQL text: visible at K, in force on D, effective (unrolled).

:mod:`.library` and :mod:`.places` build their queries from these macros. Each takes the names of the variables it
tests and a suffix ``n`` that makes the names of its own variables unique: a macro nested in another extends the
suffix, so no inner variable is bound by an outer pattern by mistake.
"""

from __future__ import annotations

from guidancekg.graph.corpus.checks import MAX_OVERRIDE_DEPTH
from guidancekg.ontology.vocab import sparql_prefixes

EVERYTHING = "9999-12-31"

PREFIXES = sparql_prefixes("gk", "dcterms", "xsd")

SEMANTICS = f"""\
# Semantics (docs/semantics.md), as the engine implements them:
# - Visible at K: the latest version (by gk:recordedFrom) of some source recorded by K has the statement in its
#   graph. gk:recordedFrom is the publication day, or the day after a month or year of publication; the build
#   derives gk:supersededFrom, the next version's gk:recordedFrom, so "latest by K" is recordedFrom <= K and
#   not supersededFrom <= K.
# - In force on D: gk:inForceFrom <= D < gk:inForceUntil (the build derives both from valid_from/valid_until
#   and their precision).
# - Effective: visible, in force, and no overriding statement is itself effective. SPARQL has no recursion, so
#   this is unrolled {MAX_OVERRIDE_DEPTH} levels deep; the build refuses longer override chains.
# ?known "{EVERYTHING}" means everything recorded.
"""


def day_literal(text: str) -> str:
    """Return the day ``text`` (``YYYY-MM-DD``) as an ``xsd:date`` literal."""
    return f'"{text}"^^xsd:date'


def visible(s: str, n: str, indent: str, *, bound: bool = False) -> str:
    """Return a pattern binding ``?v{n}``, a latest version recorded by ?known whose graph holds ``s``.

    With ``bound`` (``s`` bound already): filters that hold when ``s`` is visible, one pattern each (see below).
    """
    graph = f"GRAPH ?v{n} {{ {s} a gk:Statement }}"
    recorded = f"?v{n} gk:recordedFrom ?r{n} . FILTER(?r{n} <= ?known)"
    superseded = f"?v{n} gk:supersededFrom ?w{n} . FILTER(?w{n} <= ?known)"
    if bound:
        lines = [f"FILTER EXISTS {{ {graph}", f"  FILTER EXISTS {{ {recorded} }}",
                 f"  FILTER NOT EXISTS {{ {superseded} }} }}"]
    else:
        lines = [graph, recorded, f"FILTER NOT EXISTS {{ {superseded} }}"]
    return "\n".join(indent + line for line in lines)


def in_force(s: str, n: str, day: str, indent: str, *, bound: bool = False, before: bool = False) -> str:
    """Return a pattern that holds when ``s`` is in force on ``day``.

    With ``bound``, filters only, one pattern each; with ``before`` too, in force on the day before ``day``
    (``from <= day - 1`` is ``from < day``): SPARQL 1.1 has no date arithmetic, and strict comparisons need none.
    """
    assert bound or not before, "the day before is asked of a bound statement only"
    op = "<" if before else "<="
    started = f"{s} gk:inForceFrom ?from{n} . FILTER(?from{n} {op} {day})"
    ended = f"{s} gk:inForceUntil ?until{n} . FILTER(?until{n} {op} {day})"
    lines = [f"FILTER EXISTS {{ {started} }}" if bound else started, f"FILTER NOT EXISTS {{ {ended} }}"]
    return "\n".join(indent + line for line in lines)


# Inside EXISTS and NOT EXISTS the statement is already bound, and every condition is a filter over one triple
# pattern. A group joining two patterns there is evaluated by Oxigraph from the unbound side, a scan of the store
# per row (9 s for one drug at 10^4 statements); one pattern per group is an index lookup (40 ms, at any size).


def effective(s: str, n: str, day: str, depth: int, indent: str, *, bound: bool = False,
              before: bool = False, seen: bool = False) -> str:
    """Return a pattern that holds when ``s`` is effective on ``day`` as known at ?known.

    With ``bound``, ``s`` is bound already (inside EXISTS or after a pattern binding it): filters only. With
    ``before`` (and ``bound``), effective on the day before ``day``. With ``seen``, ``s`` is known to be visible
    (an outer pattern tested it): only its overriders' visibility is tested.
    """
    parts = [] if seen else [visible(s, n, indent, bound=bound)]
    parts.append(in_force(s, n, day, indent, bound=bound, before=before))
    if depth > 0:
        o = f"?o{n}x"
        parts += [
            f"{indent}FILTER NOT EXISTS {{  # no effective statement overrides {s}",
            f"{indent}  {o} gk:overrides {s} .",
            effective(o, f"{n}x", day, depth - 1, indent + "  ", bound=True, before=before),
            indent + "}",
        ]
    return "\n".join(parts)


def query_text(comment: str, select: str, inner: str, values: str, body: str, tail: str, order: str, *,
               prefixes: str = PREFIXES) -> str:
    """Return a library query: ``body`` in a sub-select with its ``values``, then the labels of ``tail``."""
    # The date patterns sit in a sub-select so that the labels (``tail``) are joined to its few answers only;
    # given in one group, Oxigraph's planner joined them first and ran the NOT EXISTS per label (100x slower).
    return (f"{comment}{SEMANTICS}{prefixes}\n{select} WHERE {{\n  {{\n    {inner} WHERE {{\n      {values}\n"
            f"{body}\n    }}\n  }}\n{tail}\n}}\n{order}\n")
