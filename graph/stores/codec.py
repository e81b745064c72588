"""Turn the records of :mod:`guidancekg.graph.corpus.records` into bytes and back, by their declared field types.

The snapshot (:mod:`.snapshot`) keeps each statement and each record as a short byte string, decoded when an
answer needs it. Encoding follows each dataclass's type hints, so a field added to a record is carried without a
change here: a nested record becomes a tuple of its fields, a ``date`` its proleptic ordinal, a tuple a tuple,
and ``str``, ``int``, ``bool`` and ``None`` stay as they are; the bytes are :mod:`marshal`'s (the fastest loader
of plain tuples in the standard library; it builds values and never runs code).

What the model never held is left out (``None`` on decoding): where a record was read in a data file
(:class:`~guidancekg.graph.corpus.records.Where`), and the held text of a version or a reference (the store holds
it as ``gk:heldText``).
"""

from __future__ import annotations

import dataclasses
import marshal
import types
import typing
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any, TypeVar

from guidancekg.graph.corpus.records import Reference, Version, Where
from guidancekg.graph.dates import PartialDate

T = TypeVar("T")

#: Fields the model leaves out, by record class: held texts (in the store as gk:heldText).
OMITTED: dict[type, frozenset[str]] = {Version: frozenset({"text"}), Reference: frozenset({"text"})}
#: Small values that repeat a lot, decoded once each.
INTERNED: tuple[type, ...] = (PartialDate,)
#: The marshal format the bytes are written in (part of the snapshot's format).
MARSHAL_VERSION = 4

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


def _as_is(value: Any) -> Any:
    """Return ``value``: the conversion of a plain value, both ways (a record's decoder skips it)."""
    return value


def _omitted(cls: type, name: str, hint: Any) -> bool:
    return name in OMITTED.get(cls, frozenset()) or hint is Where or hint == (Where | None)


@cache
def _hints(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """Return ``(name, type, omitted)`` for each field of the dataclass ``cls``, in order."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name], _omitted(cls, f.name, hints[f.name])) for f in dataclasses.fields(cls))


def _shared(hint: Any, convert: Callable[[Any], Encode]) -> Encode | None:
    """Return the conversion both ways share for ``hint``: an optional value or a tuple (through ``convert``, the
    encoder or the decoder of its parts), or a plain value kept as it is; None for any other type."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot convert a union of several types: {hint}")
        only = convert(inner[0])
        return _as_is if only is _as_is else lambda v: None if v is None else only(v)
    if origin is tuple:
        item = convert(args[0])
        # A tuple of plain values: `tuple` makes one of a list, and gives a tuple (what marshal reads) back as is.
        return tuple if item is _as_is else lambda v: tuple(item(x) for x in v)
    if origin is typing.Literal or hint in (str, int, bool, float):
        return _as_is
    return None


@cache
def _converter(hint: Any, decoding: bool) -> Encode:
    """Return the function encoding a value declared as ``hint``, or decoding what it made of one."""
    shared = _shared(hint, lambda part: _converter(part, decoding))
    if shared is not None:
        return shared
    if hint is date:
        return date.fromordinal if decoding else date.toordinal
    if not (dataclasses.is_dataclass(hint) and isinstance(hint, type)):
        raise TypeError(f"cannot {'decode' if decoding else 'encode'} a field of type {hint!r}")
    parts = [(name, None if omitted else _converter(h, decoding)) for name, h, omitted in _hints(hint)]
    return _record_decoder(hint, [conv for _name, conv in parts]) if decoding else _record_encoder(parts)


def _record_encoder(parts: list[tuple[str, Encode | None]]) -> Encode:
    """Return the function turning a record into the tuple of its encoded fields (None for one left out)."""
    return lambda v: tuple(None if enc is None else enc(getattr(v, name)) for name, enc in parts)


def _record_decoder(cls: type, parts: list[Decode | None]) -> Decode:
    """Return the function building a ``cls`` from :func:`_record_encoder`'s tuple (a small one interned)."""
    size = len(parts)
    # Only the fields that need a conversion are touched: most are plain values, kept as marshal read them.
    converted = [(n, dec) for n, dec in enumerate(parts) if dec is not None and dec is not _as_is]
    omitted = [n for n, dec in enumerate(parts) if dec is None]

    def build(v: tuple[Any, ...]) -> Any:
        if len(v) != size:
            raise ValueError(f"a {cls.__name__} of {len(v)} fields, not {size}: the bytes are of another format")
        values = list(v)
        for n, dec in converted:
            values[n] = dec(values[n])
        for n in omitted:
            values[n] = None
        return cls(*values)

    if cls not in INTERNED:
        return build
    memo: dict[tuple[Any, ...], Any] = {}

    def interned(v: tuple[Any, ...]) -> Any:
        found = memo.get(v)
        if found is None:
            found = memo[v] = build(v)
        return found

    return interned


def encode(record: Any) -> bytes:
    """Return the bytes of ``record`` (an instance of a record dataclass)."""
    return marshal.dumps(_converter(typing.cast(Any, type(record)), False)(record), MARSHAL_VERSION)


def decoder(cls: type[T]) -> Callable[[bytes | memoryview], T]:
    """Return the function turning :func:`encode`'s bytes back into a ``cls``."""
    build = _converter(typing.cast(Any, cls), True)
    loads = marshal.loads

    def decode(data: bytes | memoryview) -> T:
        record: T = build(loads(data))
        return record

    return decode

