"""Where a statement applies on a day, and why: its own jurisdiction, one containing the place, or a dated reach.

The semantics (docs/semantics.md, "Jurisdictions and reach"): a statement applies in J on D when its own
jurisdiction is J or contains J, or when its jurisdiction reaches J on D through a reach record (the EU's into the
UK until 2020-12-31). A reach that ``carries`` a day lets through only the statements effective in its own
jurisdiction on that day (the EU terms of 2020-12-31 carried on in Great Britain). A question about J also covers
the jurisdictions inside J (England and Wales, where NICE speaks, inside the UK): a statement is judged where it
applies within J, its **context**, and the override rule counts only the overriders that apply in that context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from guidancekg.graph.corpus.jurisdictions import Scheme
from guidancekg.graph.corpus.records import Reach, Statement
from guidancekg.graph.dates import in_force_end, in_force_start

Because = Literal["own", "inside", "reach"]
NO_START = 0  # before every ordinal day
NO_END = 10 ** 9  # after every ordinal day


@dataclass(frozen=True, order=True)
class AppliesIn:
    """Why a statement applies in ``jurisdiction`` (the question's, or a part of it where the statement speaks).

    ``because`` is ``own`` (its own jurisdiction), ``inside`` (``jurisdiction`` lies inside ``via``, the
    statement's own) or ``reach`` (``via``'s statements reach ``jurisdiction`` through the reach ``relation``).
    """

    jurisdiction: str
    because: Because
    via: str | None = None
    relation: str | None = None


def reach_days(r: Reach) -> tuple[int, int]:
    """Return the ordinal days ``[start, end)`` over which a reach holds (open ends as far as they go)."""
    start = in_force_start(r.valid_from).toordinal() if r.valid_from is not None else NO_START
    end = in_force_end(r.valid_until).toordinal() if r.valid_until is not None else NO_END
    return start, end


class Applicability:
    """Where statements apply on a day; ``carried(reach, key)`` says whether a carrying reach lets ``key`` through."""

    def __init__(self, scheme: Scheme, reach: Iterable[Reach], carried: Callable[[Reach, str], bool]) -> None:
        self.scheme = scheme
        self.reach = tuple((r, *reach_days(r)) for r in reach)
        self._carried = carried

    def boundaries(self) -> set[int]:
        """Return the ordinal days on which some reach starts or ends."""
        return {d for _r, start, end in self.reach for d in (start, end) if NO_START < d < NO_END}

    def _reaching(self, s: Statement, day: int) -> Iterable[Reach]:
        for r, start, end in self.reach:
            if start <= day < end and self.scheme.contains(r.of, s.jurisdiction) and (
                    r.carries is None or self._carried(r, s.key)):
                yield r

    def related(self, s: Statement, wanted: str) -> bool:
        """Return whether ``s`` may apply in ``wanted`` or a part of it on some day (no day or carried terms asked)."""
        contains = self.scheme.contains
        if contains(s.jurisdiction, wanted) or contains(wanted, s.jurisdiction):
            return True
        return any(contains(r.of, s.jurisdiction) and (contains(r.into, wanted) or contains(wanted, r.into))
                   for r, _start, _end in self.reach)

    def applies(self, s: Statement, where: str, day: int) -> AppliesIn | None:
        """Return why ``s`` applies in the whole of ``where`` on ``day``, or None when it does not."""
        if self.scheme.contains(s.jurisdiction, where):
            return (AppliesIn(where, "own") if s.jurisdiction == where
                    else AppliesIn(where, "inside", s.jurisdiction))
        for r in self._reaching(s, day):
            if self.scheme.contains(r.into, where):
                return AppliesIn(where, "reach", r.of, r.key)
        return None

    def contexts(self, s: Statement, wanted: str, day: int) -> list[AppliesIn]:
        """Return where ``s`` applies within ``wanted`` on ``day``: ``wanted`` itself, or the parts it speaks for.

        A part is left out when another context of ``s`` contains it (the EU terms carried in Great Britain and
        UK-wide from 2025 are one context, the UK).
        """
        whole = self.applies(s, wanted, day)
        if whole is not None:
            return [whole]
        contains = self.scheme.contains
        found: list[AppliesIn] = []
        if contains(wanted, s.jurisdiction):
            found.append(AppliesIn(s.jurisdiction, "own"))
        for r in self._reaching(s, day):
            if contains(wanted, r.into):
                found.append(AppliesIn(r.into, "reach", r.of, r.key))
        return sorted(a for a in found if not any(
            b is not a and b.jurisdiction != a.jurisdiction and contains(b.jurisdiction, a.jurisdiction)
            for b in found))
