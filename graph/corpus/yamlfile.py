"""Read the files of ``data/`` strictly: YAML with the line of every mapping, held texts as exact UTF-8.

Every error is a :class:`~guidancekg.graph.errors.DataError` naming the file and line; :class:`Fields` gives
typed access to one mapping and refuses unknown fields, so a typo never passes silently.

The data format needs neither YAML anchors and aliases nor deep nesting, and both are ways to make a small file
cost a great deal (nested aliases, a "billion laughs", expand exponentially; deep nesting exhausts the stack).
So before anything is built, the file's events are read once and it is refused, naming the line, if it holds an
anchor, an alias, or collections nested deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from guidancekg.graph.corpus.records import Quote, Where
from guidancekg.graph.dates import PartialDate, parse_partial
from guidancekg.graph.errors import DataError, InputError
from guidancekg.ontology.vocab import CONFIDENCE_TERMS

LINE = "__line__"
MAX_DEPTH = 20  # collections inside collections: the data format needs four
CITATION_KEYS = {"url", "wording_confidence", "confidence", "document", "quote"}


class LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records each mapping's line under ``__line__``."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping[LINE] = node.start_mark.line + 1
    return mapping


# libyaml's parser when PyYAML was built with it (about ten times faster on large corpora), with the same
# constructors and resolvers; errors are reported by the pure-Python loader, so messages do not depend on it.
_CLineLoader: Any = getattr(yaml, "CSafeLoader", None) and type("_CLineLoader", (yaml.CSafeLoader,), {})

for _loader in (LineLoader, _CLineLoader):
    if not _loader:
        continue
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    # Dates stay strings: the project parses them itself, with precision.
    _loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _screen(text: str, file: str, loader: Any) -> None:
    """Refuse an anchor, an alias or nesting past :data:`MAX_DEPTH`, reading the events only (nothing is built)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise DataError("YAML anchors and aliases (&name, *name) are not allowed in data files", file=file,
                            line=line)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise DataError(f"nested deeper than {MAX_DEPTH} levels", file=file, line=line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML ``text`` with line numbers, turning a syntax error into a :class:`DataError` naming ``file``.

    The text is screened first (module docstring): anchors, aliases and deep nesting are refused.
    """
    try:
        _screen(text, file, _CLineLoader or LineLoader)
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit, far past ours
            mark = getattr(exc, "problem_mark", None)
            raise DataError(f"nested deeper than {MAX_DEPTH} levels", file=file,
                            line=mark.line + 1 if mark else None) from None
        with contextlib.suppress(yaml.YAMLError):  # a syntax error: reported below, with its line
            _screen(text, file, LineLoader)  # the pure-Python parser is iterative: it reads any depth
    if _CLineLoader:
        try:
            return yaml.load(text, Loader=_CLineLoader)
        except yaml.YAMLError:
            pass  # parse again below, for the pure-Python loader's message
    try:
        return yaml.load(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(f"malformed YAML: {problem}", file=file, line=line) from None


def read_yaml(path: Path, root: Path) -> Any:
    """Parse one YAML file, turning a syntax error into a :class:`DataError` naming its line."""
    rel = relative(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=rel) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=rel) from None
    return parse_yaml(text, rel)


def read_text(path: Path, root: Path) -> str:
    """Read a held text as UTF-8, exactly (no newline translation)."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"held text is not UTF-8 ({exc.reason} at byte {exc.start})",
                        file=relative(path, root)) from None


def sha256_of(text: str) -> str:
    """Return the hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def relative(path: Path, root: Path) -> str:
    """Return ``path`` as the data folder's name followed by the path inside it, for messages."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


class Fields:
    """Typed access to one YAML mapping, with errors that say where."""

    def __init__(self, raw: Any, file: str, allowed: set[str], statement: str | None = None,
                 what: str = "entry") -> None:
        if not isinstance(raw, dict):
            raise DataError(f"expected a mapping for this {what}, got {type(raw).__name__}", file=file)
        self.raw = raw
        self.file = file
        self.line = raw.get(LINE)
        self.statement = statement
        unknown = sorted(k for k in raw if k != LINE and k not in allowed)
        if unknown:
            self.fail(f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}")

    def fail(self, message: str) -> DataError:
        raise DataError(message, file=self.file, line=self.line, statement=self.statement)

    def where(self) -> Where:
        return Where(self.file, self.line)

    def _given(self, key: str, required: bool) -> Any:
        """Return the value of ``key``, or None where it is absent and not ``required``."""
        value = self.raw.get(key)
        if value is None and required:
            self.fail(f"missing required field {key!r}")
        return value

    def text(self, key: str, required: bool = True) -> str | None:
        value = self._given(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"field {key!r} must be a non-empty string")
        return value

    def choice(self, key: str, allowed: Collection[str], required: bool = True,
               default: str | None = None) -> str:
        value = self.text(key, required=required and default is None) or default
        if value not in allowed:
            self.fail(f"{key} {value!r} is not one of: {', '.join(sorted(allowed))}")
        return str(value)

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        value = self._given(key, required)
        if value is None:
            return None
        try:
            return parse_partial(str(value), key)
        except InputError as exc:
            self.fail(exc.message)
        raise AssertionError("unreachable")

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"field {key!r} must be true or false")
        return bool(value)


def read_citation(cf: Fields) -> tuple[Quote | None, str | None, str | None, str | None, str]:
    """Return (quote, reference, url, document, wording confidence) of a ``citation`` mapping.

    A citation gives the cited document's ``url``, or, where no address is known, names the ``document`` and
    quotes a held reference that reports it. ``confidence`` is the older name of ``wording_confidence``.
    """
    if cf.raw.get("confidence") is not None and cf.raw.get("wording_confidence") is not None:
        cf.fail("give 'wording_confidence' only ('confidence' is its older name)")
    name = "confidence" if cf.raw.get("confidence") is not None else "wording_confidence"
    confidence = cf.choice(name, set(CONFIDENCE_TERMS))
    url, document = cf.text("url", required=False), cf.text("document", required=False)
    quote = reference = None
    if cf.raw.get("quote") is not None:
        qf = Fields(cf.raw["quote"], cf.file, {"reference", "exact", "start", "end"}, statement=cf.statement,
                    what="quote of a reference")
        reference = qf.text("reference")
        quote = quote_of(qf)
    if url is None and (quote is None or document is None):
        cf.fail("a citation needs the version's 'url', or, where no address is known, the 'document' it "
                "names and a 'quote' of a held reference (data/references/) that reports it")
    return quote, reference, url, document, confidence


def quote_of(qf: Fields) -> Quote:
    """Return the quote a ``quote`` mapping gives (``exact``, ``start``, ``end`` in code points)."""
    exact = qf.text("exact") or ""
    start, end = qf.raw.get("start"), qf.raw.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or start < 0:
        raise qf.fail("quote start and end must be whole numbers of characters, start >= 0")
    return Quote(exact, int(start), int(end))
