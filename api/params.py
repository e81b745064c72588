"""Read and check query parameters, naming the offending one in every error."""

from __future__ import annotations

from datetime import date

from flask import request

from guidancekg.graph.dates import parse_day
from guidancekg.graph.engine.answers import Filters
from guidancekg.graph.errors import InputError


def day_param(name: str, default: date | None = None, required: bool = False) -> date | None:
    """Return the ``YYYY-MM-DD`` parameter ``name``, or ``default`` when absent."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise InputError(name, "given more than once")
    # An empty optional field (as an HTML form sends it) means the parameter is not given.
    if not values or values[0] == "":
        if required:
            raise InputError(name, "is required (YYYY-MM-DD)")
        return default
    return parse_day(values[0], name)


def text_param(name: str) -> str | None:
    """Return the optional text parameter ``name`` (empty counts as absent)."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise InputError(name, "given more than once")
    return values[0] if values and values[0] != "" else None


def filters() -> Filters:
    """Return the drug, jurisdiction and topic filters of the request."""
    return Filters(text_param("drug"), text_param("jurisdiction"), text_param("topic"))
