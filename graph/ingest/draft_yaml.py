"""Render a draft (:mod:`.propose`) as the statements file a person reviews: YAML in the data format, with comments.

Every guess is marked ``CHECK`` in a comment; the file is valid as it stands, so ``guidancekg ingest`` accepts it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from guidancekg.graph.ingest.propose import Draft, Entry


def _scalar(value: Any) -> str:
    """Return ``value`` as one YAML flow scalar (quoted where needed; line breaks escaped)."""
    style = '"' if isinstance(value, str) and any(c in value for c in "\n\r\t") else None
    out = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=float("inf"),
                         default_style=style)
    return out.removesuffix("\n...\n").rstrip("\n")


def _comment(text: str) -> list[str]:
    """Return ``text`` as YAML comment lines (no line is code: every one starts with ``#``)."""
    return [("# " + raw).rstrip() for raw in text.splitlines() or [""]]


def _short(text: str, n: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


def render(draft: Draft) -> str:
    """Return the draft as a statements file (YAML in the data format) with explanatory comments."""
    out: list[str] = []
    c = out.extend
    c(_comment(f"DRAFT statements for a new version of source {draft.source} ({draft.source_title}),\n"
               f"drafted by `guidancekg propose` from {draft.text_name}: {len(draft.text)} characters "
               f"(Unicode code points), {len(draft.entries)} sentences."))
    c(_comment("A person reviews every entry before ingesting: each guess is marked CHECK. The draft is valid "
               "as it stands;\ndelete what is not guidance, fix ids, topics, dates, jurisdiction, temporary and "
               "overrides."))
    published = draft.published_hint.value.isoformat() if draft.published_hint and draft.published_hint.value \
        else "YYYY-MM-DD"
    if draft.published_hint:
        c(_comment(f"Publication date found in the text: {draft.published_hint.describe()}."))
    revises = f" --revises {draft.previous.key}" if draft.previous else ""
    c(_comment(f"Ingest with:\n  guidancekg ingest --source {draft.source} --published {published}{revises} "
               f"{draft.text_name} THIS_FILE"))
    c(_comment(f"Drug of new statements: {draft.drug} ({draft.drug_reason})."))
    c(_comment("Topics come from the keyword table TOPIC_RULES in graph/ingest/propose.py\n"
               "(docs/ingest-and-propose.md): "
               "the first rule with a keyword in the sentence wins."))
    for note in draft.notes:
        c(_comment(f"Note: {note}."))
    if draft.previous is not None:
        p = draft.previous
        c(["#"])
        c(_comment(f"Compared with the previous version {p.key} (published {p.published}):\n"
                   f"{len(draft.added)} sentence(s) added, {len(draft.removed)} removed, {len(draft.changed)} "
                   f"changed, {draft.unchanged} unchanged."))
        for s in draft.removed:
            c(_comment(f"  removed: {_short(s)!r}"))
        for old, new in draft.changed:
            c(_comment(f"  changed: {_short(old)!r}\n       now: {_short(new)!r}"))
        if draft.withdrawal_candidates:
            c(_comment("Candidates for withdrawal: recorded by the previous version, their quote is not in "
                       "the new text,\nso this draft does not assert them and the new version withdraws them. "
                       "CHECK each one:"))
            for a in draft.withdrawal_candidates:
                what = _short(a.quote.exact, 80) if a.quote else f"citation {a.citation_url}"
                c(_comment(f"  - {a.statement}: {what!r}"))
        else:
            c(_comment("No recorded statement loses its quote: nothing is withdrawn."))
    out.append("")
    if not any(e.drafted or e.carried for e in draft.entries):
        out.append("[]")
    for n, e in enumerate(draft.entries, start=1):
        out.extend(_render_entry(n, e, draft))
    return "\n".join(out).rstrip("\n") + "\n"


def _render_entry(n: int, e: Entry, draft: Draft) -> list[str]:
    s = e.sentence
    lines = [f"# --- sentence {n} [{s.start}, {s.end}): {e.status}"
             + (f" since version {draft.previous.key}" if draft.previous and e.status != "new" else "")]
    if e.was is not None:
        lines += _comment(f"was: {_short(e.was, 200)!r}")
        before = [a.statement for a in draft.withdrawal_candidates if a.quote and a.quote.exact in e.was]
        if before:
            lines += _comment(f"recorded before as {', '.join(before)}, which this draft withdraws; CHECK "
                              f"whether the new statement should override it instead")
    if e.dates:
        lines += _comment("dates: " + "; ".join(d.describe() for d in e.dates))
    if e.durations:
        lines += _comment("durations: " + "; ".join(d.describe() for d in e.durations))
    for carried in e.carried:
        lines += [f"- asserts: {_scalar(carried.statement)}   # recorded by the previous version; its quote "
                  "at its offsets in the new text", "  quote:", f"    exact: {_scalar(carried.exact)}",
                  f"    start: {carried.start}", f"    end: {carried.end}"]
        if carried.note:
            lines.append(f"  assertion_note: {_scalar(carried.note)}")
    if e.carried:
        lines.append("")
        return lines
    body = _statement_lines(e, draft)
    if e.skip_reason:
        lines += _comment(f"left out: {e.skip_reason}. To record it, uncomment:")
        lines += ["# " + line if line else "" for line in body]
        return lines
    return lines + body


def _statement_lines(e: Entry, draft: Draft) -> list[str]:
    s = e.sentence
    lines = _comment(f"topic: {e.topic.describe()}. CHECK")
    lines.append(f"- id: {_scalar(e.statement_id)}   # CHECK: a stable, meaningful key")
    lines.append(f"  drug: {_scalar(draft.drug)}")
    lines.append(f"  topic: {e.topic.topic}")
    if e.valid_from is not None:
        lines.append(f"  valid_from: {_scalar(e.valid_from.isoformat())}   # CHECK: the date in the sentence; "
                     "is it when this guidance applies?")
        lines.append("  valid_from_basis: stated-in-text")
    else:
        why = "no date in the sentence" if not e.dates else "more than one date, or no real one: CHECK"
        lines.append(f"  valid_from_basis: publication-date   # {why}: in force from the version's date")
    if re.search(r"\btemporar", s.exact, re.IGNORECASE):
        lines.append("  temporary: false   # CHECK: the sentence says 'temporary'")
    lines += ["  quote:", f"    exact: {_scalar(s.exact)}", f"    start: {s.start}", f"    end: {s.end}", ""]
    return lines
