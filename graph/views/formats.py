"""The formats a page of guidance is written in: one row each, for the API's negotiation and the CLI's --format.

A new format is a writer in this package and a row of :data:`GUIDANCE_FORMATS`. ``GET /api/guidance`` offers
each row's media type (the first row is the default), ``guidancekg at --format`` each row's name, and
``tests/test_formats.py`` checks that the OpenAPI description lists every media type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guidancekg.graph.engine.answers import Engine, Guidance
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.stores.base import Store
from guidancekg.graph.views.fhir import FHIR_JSON, guidance_bundle
from guidancekg.graph.views.serialize import guidance_json

#: Write a page of guidance; the last argument asks for statements as JSON already written (an HTTP body).
Writer = Callable[[Guidance, Engine, Store, Minter, bool], dict[str, Any]]


@dataclass(frozen=True)
class GuidanceFormat:
    """A format of a page of guidance: its name (``--format``), its media type (``Accept``) and its writer.

    ``next_in_body``: the link to the next page is a member of the body (the contract's JSON); otherwise it is
    only in the ``Link`` header (over HTTP) or a note on standard error (in the CLI), as the format has no place
    for it.
    """

    name: str
    media_type: str
    describe: str
    write: Writer
    next_in_body: bool


def _contract_json(g: Guidance, engine: Engine, store: Store, minter: Minter, written: bool) -> dict[str, Any]:
    return guidance_json(g, minter, written=written)


def _fhir_bundle(g: Guidance, engine: Engine, store: Store, minter: Minter, written: bool) -> dict[str, Any]:
    return guidance_bundle(g, engine, store, minter)


GUIDANCE_FORMATS: tuple[GuidanceFormat, ...] = (
    GuidanceFormat("json", "application/json", "the HTTP API's objects", _contract_json, next_in_body=True),
    GuidanceFormat("fhir", FHIR_JSON, "a FHIR R5 Bundle (docs/fhir.md)", _fhir_bundle, next_in_body=False),
)


def guidance_format(name_or_type: str) -> GuidanceFormat:
    """Return the format named ``name_or_type`` or of that media type (KeyError when there is none)."""
    for fmt in GUIDANCE_FORMATS:
        if name_or_type in (fmt.name, fmt.media_type):
            return fmt
    raise KeyError(name_or_type)
