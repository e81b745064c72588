"""Inspect a SPARQL text before anything runs: its form and dataset, and refuse updates and SERVICE.

The text is first read into tokens as Oxigraph reads them and made canonical (:mod:`.lexer`): comments removed,
codepoint escapes written out, anything the readers could read apart refused. That one text is what rdflib
parses here and what Oxigraph runs. It is parsed with rdflib's SPARQL parser (under ``RDFLIB_PARSE_LOCK``, as
the parser is not thread-safe). A text that parses as an Update is refused whatever its operations; ``SERVICE``
is refused when rdflib's parse tree holds it anywhere or when it stands as a keyword among the tokens. This
screen is the second layer: the worker that runs the query has no network at all (:mod:`.sandbox`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from guidancekg.graph.errors import (
    QueryRefused,
    QuerySyntaxError,
)
from guidancekg.graph.rdf.parsing import RDFLIB_PARSE_LOCK
from guidancekg.graph.sparql.lexer import canonical, keywords


@dataclass(frozen=True)
class QueryInfo:
    """What inspection found out about a query that may run."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    text: str = ""  # the canonical text (lexer.canonical): what was inspected, and what runs
    from_graphs: tuple[str, ...] = ()  # FROM <g>
    from_named: tuple[str, ...] = ()  # FROM NAMED <g>
    prefixes: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


_FORM_NAMES = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
               "DescribeQuery": "DESCRIBE"}
_UPDATE_NAMES = {"Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD",
                 "Move": "MOVE", "Copy": "COPY", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA",
                 "DeleteWhere": "DELETE WHERE", "Modify": "DELETE/INSERT"}
_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

def _walk(node: Any) -> Iterable[Any]:
    """Yield every node of an rdflib SPARQL parse tree (CompValue, ParseResults, lists)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _field(node: Any, key: str) -> Any:
    """Return ``node[key]`` of a parse-tree node, or None (``CompValue.get`` returns the key when missing)."""
    try:
        return node[key] if key in node else None  # noqa: SIM401 (CompValue.get differs)
    except TypeError:
        return None


def _syntax_error(exc: Exception, text: str) -> QuerySyntaxError:
    """Turn a pyparsing exception into a message naming the line and column, with the line and a caret."""
    line_no = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    message = re.sub(r"\s*\(at char \d+\),\s*\(line:\d+, col:\d+\)\s*$", "", str(exc)).strip()
    if line_no is None or col is None:
        return QuerySyntaxError(f"SPARQL syntax error: {message}")
    lines = text.splitlines() or [""]
    source_line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    hint = ""
    first = next(iter(keywords(text)), "")
    if first in _UPDATE_KEYWORDS:
        hint = " (and SPARQL Update is refused here anyway: this endpoint is read-only)"
    return QuerySyntaxError(f"SPARQL syntax error at line {line_no}, column {col}: {message}{hint}\n"
                            f"  {source_line}\n  {' ' * (col - 1)}^")


def oxigraph_syntax_error(exc: Exception) -> QuerySyntaxError:
    text = str(exc)
    m = re.match(r"error at (\d+):(\d+):\s*(.*)", text, re.DOTALL)
    if m:
        return QuerySyntaxError(f"SPARQL syntax error at line {m.group(1)}, column {m.group(2)}: {m.group(3)}")
    return QuerySyntaxError(f"SPARQL syntax error: {text}")


def refuse_service(text: str, tree: Any = None) -> None:
    """Raise :class:`QueryRefused` if the query holds a ``SERVICE`` clause (parse tree or bare keyword)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found = tree is not None and any(isinstance(n, CompValue) and n.name == "ServiceGraphPattern"
                                     for n in _walk(tree))
    if found or "SERVICE" in keywords(text):
        raise QueryRefused("SERVICE (federated query) is refused: this endpoint never opens a connection to "
                           "another server. Query the graphs it holds instead.")


@lru_cache(maxsize=128)
def inspect_query(text: str) -> QueryInfo:
    """Parse ``text`` and return what it is; raise if it must not run.

    Raises :class:`QueryRefused` for any SPARQL Update (detected by rdflib's update parser) and for
    ``SERVICE``; :class:`QuerySyntaxError` (line and column in the message) when it does not parse.
    """
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text.strip():
        raise QuerySyntaxError("the query is empty")
    text = canonical(text)
    refuse_service(text)  # the tokens as Oxigraph reads them, before rdflib has its say
    with RDFLIB_PARSE_LOCK:
        try:
            tree = parseQuery(text)
            query_error = None
        except RecursionError:
            raise QuerySyntaxError("the query is nested too deeply to parse") from None
        except Exception as exc:  # pyparsing's ParseException and friends
            tree, query_error = None, exc
        if tree is None:
            try:
                update = parseUpdate(text)
            except Exception:
                update = None
    if tree is None:
        operations = [op.name for op in _field(update, "request") or []] if update is not None else []
        if operations:
            names = ", ".join(dict.fromkeys(_UPDATE_NAMES.get(n, n) for n in operations))
            raise QueryRefused(f"SPARQL Update ({names}) is refused: this endpoint is read-only")
        assert query_error is not None
        raise _syntax_error(query_error, text)
    refuse_service(text, tree)
    prologue, query = tree[0], tree[1]
    form = _FORM_NAMES.get(query.name)
    if form is None:
        raise QuerySyntaxError(f"unsupported query form {query.name}")
    from_graphs, from_named = [], []
    for clause in _field(query, "datasetClause") or []:
        if _field(clause, "default") is not None:
            from_graphs.append(str(clause["default"]))
        if _field(clause, "named") is not None:
            from_named.append(str(clause["named"]))
    prefixes = {}
    for node in _walk(prologue):
        if getattr(node, "name", None) == "PrefixDecl":
            prefixes[str(_field(node, "prefix") or "")] = str(node["iri"])
    return QueryInfo(form, text, tuple(from_graphs), tuple(from_named), prefixes)

