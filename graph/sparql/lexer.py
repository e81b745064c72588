"""Read a SPARQL text into tokens exactly as Oxigraph does, and give back one canonical text for every reader.

The query screen (:mod:`.screen`) must see what the engine that runs the query sees. Two readers disagree on
codepoint escapes: rdflib expands ``\\u`` and ``\\U`` everywhere before parsing, taking eight hex digits after
``\\u`` when they are there (``\\u00000022`` is a quote to it), while Oxigraph reads them only inside strings
and IRIs, four digits after ``\\u`` (the same text is a NUL and ``0022`` to it). So the screen decides as
Oxigraph does, with SPARQL 1.1's terminals (section 19.8) and Oxigraph's escapes:

* codepoint escapes count only inside string literals and IRIs; anywhere else (a comment included) a ``\\u``
  or ``\\U`` is refused with a clear message, and so is any text that is no SPARQL token (a stray backslash, an
  unclosed string), which Oxigraph would refuse too;
* :func:`canonical` returns the text with comments removed and the escapes of strings and IRIs written out, so
  that rdflib, the screen and Oxigraph all read one text that holds no codepoint escape; a string or IRI that
  would still hold a backslash followed by ``u`` or ``U`` is refused (the two parsers would read it apart).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from guidancekg.graph.errors import QuerySyntaxError

# SPARQL 1.1, section 19.8 (the productions named in comments).
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"\\[tbnrf\\\"']"
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"  # PLX ::= PERCENT | PN_LOCAL_ESC
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"

_TOKEN = rf"""
    (?P<ws>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
             |'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
             |"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"
             |'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*')
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$]{_VARNAME})
  | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.)
  | (?P<punct>\^\^|<=|>=|!=|&&|\|\||[{{}}()\[\].,;*/+\-!=<>|^?])
"""


@cache
def _token_pattern() -> re.Pattern[str]:
    """Return the compiled token pattern (compiled on first use: a tenth of a second that serve's start and every
    CLI command would otherwise pay at import)."""
    return re.compile(_TOKEN, re.VERBOSE)


_CODEPOINT = re.compile(_UCHAR)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')


@dataclass(frozen=True)
class Token:
    """One token: its kind (a group name of the lexer), its text and where it starts."""

    kind: str
    text: str
    line: int
    column: int


def _refuse(text: str, offset: int, message: str) -> QuerySyntaxError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    source = text.splitlines()[line - 1] if text.splitlines() else ""
    return QuerySyntaxError(f"SPARQL syntax error at line {line}, column {column}: {message}\n"
                            f"  {source}\n  {' ' * (column - 1)}^")


def tokens(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text`` as Oxigraph reads them; raise :class:`QuerySyntaxError` where none fits."""
    offset, match = 0, _token_pattern().match
    while offset < len(text):
        m = match(text, offset)
        if m is None or m.end() == offset:
            if text.startswith(("\\u", "\\U"), offset):
                raise _refuse(text, offset, "a codepoint escape (\\u, \\U) is read only inside a string or an IRI")
            raise _refuse(text, offset, f"{text[offset]!r} starts no SPARQL token here")
        kind = m.lastgroup or "punct"
        if kind == "comment" and ("\\u" in m.group() or "\\U" in m.group()):
            raise _refuse(text, offset + m.group().find("\\"), "a codepoint escape (\\u, \\U) is read only inside "
                          "a string or an IRI, not in a comment")
        line = text.count("\n", 0, offset) + 1
        yield Token(kind, m.group(), line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
        offset = m.end()


def keywords(text: str) -> list[str]:
    """Return the bare words of a SPARQL text in upper case (what Oxigraph may read as keywords)."""
    return [t.text.upper() for t in tokens(text) if t.kind == "word"]


def _codepoint(escape: str) -> str:
    """Return the character of a ``\\u``/``\\U`` escape; a surrogate or an out-of-range value is no character."""
    value = int(escape[2:], 16)
    if 0xD800 <= value <= 0xDFFF:
        raise ValueError("a surrogate")
    return chr(value)


def _decode_string(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
        elif body[i + 1] in "uU":
            width = 4 if body[i + 1] == "u" else 8
            out.append(_codepoint(body[i:i + 2 + width]))
            i += 2 + width
        else:
            out.append(_ECHARS[body[i + 1]])
            i += 2
    return "".join(out)


def _encode_string(value: str, quote: str) -> str:
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n").replace("\r", "\\r")
    return f"{quote}{escaped}{quote}"


def _canonical_token(t: Token, text: str, offset: int) -> str:
    """Return the token with its codepoint escapes written out (strings and IRIs), or as it is."""
    if t.kind not in ("string", "iri") or not _CODEPOINT.search(t.text):
        return t.text
    try:
        if t.kind == "iri":
            value = _CODEPOINT.sub(lambda m: _codepoint(m.group()), t.text[1:-1])
            if _IRI_FORBIDDEN.search(value):
                raise _refuse(text, offset, "a codepoint escape in this IRI stands for a character no IRI may hold")
            return f"<{value}>"
        quote = t.text[0]
        width = 3 if t.text.startswith(quote * 3) and len(t.text) >= 6 else 1
        value = _decode_string(t.text[width:-width])
    except (ValueError, OverflowError):
        raise _refuse(text, offset, "a codepoint escape stands for no Unicode character") from None
    if re.search(r"\\[uU]", value):
        raise _refuse(text, offset, "a string holding a backslash followed by u or U is refused: the SPARQL "
                                    "readers of this endpoint would read it differently")
    return _encode_string(value, quote)


def canonical(text: str) -> str:
    """Return ``text`` as every reader of the endpoint reads it alike: comments removed, escapes written out.

    Raises :class:`QuerySyntaxError` for a text that is no sequence of SPARQL tokens, a codepoint escape outside
    strings and IRIs, or one that the readers would still read apart.
    """
    out, offset = [], 0
    for t in tokens(text):
        out.append("" if t.kind == "comment" else _canonical_token(t, text, offset))
        offset += len(t.text)
    return "".join(out)
