"""The jurisdictions of a corpus and the reach between them: reading ``data/jurisdictions.yaml``, and the
questions every stage asks of the scheme.

The scheme is data: the code an alias names (``UK-ENW`` is ``GB-EAW``), whether one jurisdiction lies inside
another (England inside the UK), the parts of a jurisdiction. The nesting is a tree: each jurisdiction lies
directly within at most one. The reach of one jurisdiction's statements into another (the EU's into the UK until
2020-12-31) is dated data with its evidence, read here into :class:`~.records.Reach` records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from guidancekg.graph.corpus.records import Jurisdiction, Reach, Reference
from guidancekg.graph.corpus.yamlfile import CITATION_KEYS, Fields, read_citation, read_yaml, relative
from guidancekg.graph.errors import DataError
from guidancekg.ontology.vocab import CONFIDENCE_TERMS

FILE = "jurisdictions.yaml"
JURISDICTION_KEYS = {"code", "name", "within", "iso3166", "aliases", "note"}
REACH_KEYS = {"id", "of", "into", "valid_from", "valid_until", "carries", "text", "date_confidence", "citation",
              "note"}


class Scheme:
    """The jurisdictions of a corpus, with their nesting and aliases."""

    def __init__(self, jurisdictions: Iterable[Jurisdiction]) -> None:
        self.jurisdictions = {j.code: j for j in jurisdictions}
        self._aliases = {alias: j.code for j in self.jurisdictions.values() for alias in j.aliases}
        self._children: dict[str, list[str]] = {}
        for j in self.jurisdictions.values():
            if j.within is not None:
                self._children.setdefault(j.within, []).append(j.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scheme) and self.jurisdictions == other.jurisdictions

    __hash__ = None  # type: ignore[assignment]  # mutable-looking: compared by content, not hashed

    @property
    def codes(self) -> tuple[str, ...]:
        """Return every code, in the order of the data."""
        return tuple(self.jurisdictions)

    def canonical(self, code: str) -> str | None:
        """Return the code ``code`` names (itself, or the code an alias stands for); None when unknown."""
        if code in self.jurisdictions:
            return code
        return self._aliases.get(code)

    def ancestors(self, code: str) -> Iterator[str]:
        """Yield ``code`` and every jurisdiction it lies within, innermost first (stops at a cycle)."""
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current not in seen:
            seen.add(current)
            yield current
            parent = self.jurisdictions.get(current)
            current = parent.within if parent is not None else None

    def contains(self, outer: str, inner: str) -> bool:
        """Return whether ``inner`` is ``outer`` or lies (transitively) within it."""
        return outer in self.ancestors(inner)

    def children(self, code: str) -> tuple[str, ...]:
        """Return the jurisdictions directly within ``code``."""
        return tuple(self._children.get(code, ()))

    def parts(self, code: str) -> Iterator[str]:
        """Yield every jurisdiction strictly within ``code``, outermost first."""
        todo = list(self.children(code))
        while todo:
            part = todo.pop(0)
            yield part
            todo.extend(self.children(part))

    def cycle(self) -> list[str] | None:
        """Return a cycle of ``within`` links, if the data has one."""
        for code in self.jurisdictions:
            chain = list(self.ancestors(code))
            last = self.jurisdictions.get(chain[-1])
            if last is not None and last.within in chain:
                return [*chain, last.within]
        return None


def jurisdiction_code(f: Fields, key: str, known: Iterable[Jurisdiction], default: str | None = None) -> str:
    """Return the jurisdiction code in field ``key`` (an alias gives the code it stands for), or refuse it."""
    scheme = Scheme(known)
    value = f.text(key, required=default is None) or default or ""
    code = scheme.canonical(value)
    if code is None:
        f.fail(f"{key} {value!r} is not a jurisdiction of {FILE}: {', '.join(scheme.codes)}")
    return str(code)


def load_jurisdictions(root: Path,
                       references: dict[str, Reference]) -> tuple[dict[str, Jurisdiction], tuple[Reach, ...]]:
    """Read ``jurisdictions.yaml``: the jurisdictions, then the reach records between them."""
    path = root / FILE
    if not path.exists():
        raise DataError(f"missing {FILE}: the jurisdictions statements and sources may name (see data/README.md)",
                        file=relative(root, root.parent))
    file = relative(path, root)
    raw = read_yaml(path, root)
    top = Fields(raw, file, {"jurisdictions", "reach"}, what="file")
    items = raw.get("jurisdictions")
    if not isinstance(items, list) or not items:
        top.fail("'jurisdictions' must be a non-empty list")
    jurisdictions: dict[str, Jurisdiction] = {}
    for item in items:
        f = Fields(item, file, JURISDICTION_KEYS, what="jurisdiction")
        code = f.text("code") or ""
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            f.fail("aliases must be a list of codes")
        taken = Scheme(jurisdictions.values())
        for name in (code, *aliases):
            if taken.canonical(name) is not None:
                f.fail(f"jurisdiction code {name!r} is given twice")
        jurisdictions[code] = Jurisdiction(
            code=code, name=f.text("name") or "", within=f.text("within", required=False),
            iso3166=f.text("iso3166", required=False), aliases=tuple(aliases), note=f.text("note", required=False),
            where=f.where())
    reach = []
    for item in raw.get("reach") or []:
        f = Fields(item, file, REACH_KEYS, what="reach")
        cf = Fields(item.get("citation"), file, CITATION_KEYS, what="citation") if item.get("citation") else None
        if cf is None:
            f.fail("a reach needs its 'citation' (the document that says so)")
            raise AssertionError("unreachable")
        quote, reference, url, document, confidence = read_citation(cf)
        if reference is not None and reference not in references:
            cf.fail(f"the citation quotes unknown reference {reference!r} (references are folders of references/)")
        reach.append(Reach(
            key=f.text("id") or "", of=jurisdiction_code(f, "of", jurisdictions.values()),
            into=jurisdiction_code(f, "into", jurisdictions.values()),
            valid_from=f.date("valid_from", required=False), valid_until=f.date("valid_until", required=False),
            carries=f.date("carries", required=False), wording=f.text("text") or "",
            wording_confidence=confidence,
            date_confidence=f.choice("date_confidence", set(CONFIDENCE_TERMS)), quote=quote, reference=reference,
            citation_url=url, document=document, note=f.text("note", required=False), where=f.where()))
    return jurisdictions, tuple(reach)
