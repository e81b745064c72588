"""Find what an auditor should question in the data: the data-quality warnings of ``guidancekg validate``.

The build's checks (:mod:`guidancekg.graph.corpus.checks`) refuse data that cannot be right; these warnings name
data that may be right but reads wrong. Each is asked of the engine, so "effective" means here exactly what it
means in every answer (docs/semantics.md). The four checks, each a function of its own:

- a temporary statement effective for more than two years with nothing replacing it;
- a recommendation still effective on the day a binding decision on the same matter (the same drug, in the same
  jurisdiction) comes into force after it;
- a record labelled ``verbatim`` whose words are not a quote of its version's held text;
- a statement whose only words come from a secondary source (patient information) while an authority (a
  regulator or a guidance body) records it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from guidancekg.graph.dates import in_force_start
from guidancekg.graph.engine.answers import Engine, Filters

# How long a temporary measure may stand alone before an auditor asks why nothing has replaced it.
TEMPORARY_LIMIT = timedelta(days=2 * 365 + 1)  # two years, whichever days they span
SECONDARY_KINDS = frozenset({"patient-information"})


@dataclass(frozen=True)
class QualityWarning:
    """One data-quality warning: which check raised it, about which statement, and why, in words."""

    check: str
    statement: str
    message: str

    def __str__(self) -> str:
        return f"{self.statement}: {self.message} [{self.check}]"


def quality_warnings(engine: Engine, today: date | None = None) -> list[QualityWarning]:
    """Return every data-quality warning of the engine's data; an open period runs to ``today`` (default: today)."""
    today = today or date.today()
    return [*long_temporary_measures(engine, today), *recommendations_beside_decisions(engine),
            *unheld_verbatim_records(engine), *secondary_wording_only(engine)]


def long_temporary_measures(engine: Engine, today: date) -> Iterator[QualityWarning]:
    """Warn of a temporary statement effective, in one period, for more than two years (up to ``today``)."""
    for t in engine.timeline():
        s = t.entry.statement
        if not s.temporary:
            continue
        for period in t.effective:
            start = in_force_start(period.start)
            end = in_force_start(period.end) if period.end is not None else today
            if end - start > TEMPORARY_LIMIT:
                until = f"until {period.end}" if period.end is not None else f"still on {today.isoformat()}"
                yield QualityWarning(
                    "temporary-too-long", s.key,
                    f"a temporary statement effective from {period.start} {until}, more than two years, with "
                    f"nothing replacing it")
                break


def recommendations_beside_decisions(engine: Engine) -> Iterator[QualityWarning]:
    """Warn of a recommendation still effective on the day a later binding decision on the same matter starts."""
    statements = engine.model.statements.values()
    recommendations = [s for s in statements if s.legal_effect == "recommendation"]
    for decision in (s for s in statements if s.legal_effect == "binding"):
        day = in_force_start(decision.valid_from)
        matter = [r for r in recommendations if r.drug == decision.drug and r.jurisdiction == decision.jurisdiction
                  and in_force_start(r.valid_from) < day]
        if not matter:
            continue
        effective = {e.statement.key for e in engine.guidance(day, filters=Filters(drug=decision.drug)).effective}
        if decision.key not in effective:
            continue
        for r in matter:
            if r.key in effective:
                yield QualityWarning(
                    "recommendation-beside-decision", r.key,
                    f"a recommendation still effective on {day.isoformat()}, when the binding decision "
                    f"{decision.key} on the same drug in {decision.jurisdiction} comes into force")


def unheld_verbatim_records(engine: Engine) -> Iterator[QualityWarning]:
    """Warn of a record labelled ``verbatim`` whose words are not a quote of its own version's held text."""
    for key, records in engine.model.records.items():
        for r in records:
            if r.wording_confidence != "verbatim":
                continue
            held = engine.model.versions[r.version_id].sha256 is not None
            if r.quote is None or r.reference is not None or not held:
                yield QualityWarning(
                    "verbatim-not-held", key,
                    f"the record of {r.version_id} is labelled verbatim, but its words are not quoted from a held "
                    f"text of that version")


def secondary_wording_only(engine: Engine) -> Iterator[QualityWarning]:
    """Warn of a statement whose only words are a secondary source's while an authority records it too."""
    sources = engine.model.sources
    for key, records in engine.model.records.items():
        worded = [r for r in records if r.wording is not None]
        authorities = [r for r in records if sources[r.source].kind not in SECONDARY_KINDS]
        if worded and authorities and all(sources[r.source].kind in SECONDARY_KINDS for r in worded):
            yield QualityWarning(
                "secondary-wording-only", key,
                f"its only words are those of {', '.join(sorted({r.source for r in worded}))} (a secondary source), "
                f"while {', '.join(sorted({r.source for r in authorities}))} records it")
