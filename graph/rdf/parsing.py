"""Parse SPARQL with rdflib under one process-wide lock.

rdflib's SPARQL parser (pyparsing) is not thread-safe (rdflib issue 1282): concurrent parses fail and leave the
grammar broken for the rest of the process. Every rdflib parse of the project, and every pySHACL run (which parses
the shapes' SPARQL), takes :data:`RDFLIB_PARSE_LOCK`.
"""

from __future__ import annotations

import threading
from typing import Any

from guidancekg.graph.errors import QuerySyntaxError

RDFLIB_PARSE_LOCK = threading.Lock()


def prepare(query: str) -> Any:
    """Parse ``query`` with rdflib under the lock; a syntax error is a :class:`QuerySyntaxError`."""
    from rdflib.plugins.sparql import prepareQuery

    with RDFLIB_PARSE_LOCK:
        try:
            return prepareQuery(query)
        except Exception as exc:  # pyparsing raises its own exception types
            raise QuerySyntaxError(str(exc)) from None
