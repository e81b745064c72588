"""Draft the statements file of a new version of a source (``guidancekg propose``); a person then edits it.

What the draft holds, for a new held text of a source:

- every sentence (:mod:`.sentences`) with its exact code-point offsets;
- the dates (normalised to ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` with precision) and durations (ISO 8601)
  each sentence holds (:mod:`.normalise`), in comments; a sentence with exactly one date gets it as its
  ``valid_from`` (``stated-in-text``), any other gets ``valid_from_basis: publication-date``;
- a suggested topic from :data:`TOPIC_RULES`, a keyword table read in order: the first rule with a keyword in
  the sentence wins, and the comment names the rule and the keyword that fired;
- against the source's previous version (its latest version in the data): the sentences added, removed and
  changed (``difflib`` on the lists of sentences; within a replaced block, a new sentence at least
  :data:`CHANGED_RATIO` similar to a removed one, in order, is that one changed); each recorded statement
  whose quote is still in the new text is carried over as ``asserts: <id>`` with its new offsets, and those
  whose quote is gone are listed as candidates for withdrawal (the new version withdraws them unless a person
  asserts them again). An unchanged sentence that
  the previous version did not record is left commented out: a curator chose not to record it before.

The draft is valid as it stands (``guidancekg ingest`` accepts it), so the round trip works without edits;
every guess is marked ``CHECK`` in a comment for the person who reviews it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.corpus.records import Assertion, Corpus, Version
from guidancekg.graph.dates import PartialDate
from guidancekg.graph.errors import DataError, NotFound
from guidancekg.graph.ingest.normalise import FoundDate, FoundDuration, find_dates, find_durations
from guidancekg.graph.ingest.sentences import Sentence, split_sentences
from guidancekg.graph.rdf.iris import slug

# The topic rules, in the order they are tried. Each is (topic, keywords). A keyword matches whole words,
# case-insensitively; one ending in "*" is a stem and matches any word starting with it ("pregnan*": pregnant,
# pregnancy). More specific topics come first: a course of treatment before conceiving is about pregnancy.
TOPIC_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pregnancy", ("pregnan*", "conceiv*", "contracepti*", "fertility", "unborn")),
    ("breastfeeding", ("breastfe*", "breast-fe*", "breast milk", "lactat*", "nursing mother*")),
    ("monitoring", ("blood test*", "urine test*", "testing", "monitor*", "check-up*", "screening",
                    "laboratory test*")),
    ("undesirable-effect", ("side effect*", "side-effect*", "adverse", "reaction*", "undesirable effect*",
                            "headache*", "nausea", "rash*")),
    ("contraindication", ("contraindicat*", "must not be used", "must not be given", "should not be used",
                          "should not be given", "do not use", "hypersensitivity to")),
    ("regulatory-action", ("European Medicines Agency", "EMA", "MHRA", "FDA", "PRAC", "CHMP",
                           "European Commission", "marketing authori?ation*", "referral*", "suspend*",
                           "suspension", "withdrawn from the market", "recommended a", "review of")),
    ("indication", ("indicated", "licensed", "approved for", "authori?ed for", "only be used", "treatment of")),
    ("dosing", ("dose*", "dosage*", "course of", "courses", "mg", "twice daily", "once daily", "months apart")),
    ("administration", ("infusion*", "intravenous*", "injection*", "injected", "given as", "administ*",
                        "hospital", "premedicat*", "prescribed", "given")),
    ("efficacy", ("reduce*", "relapse rate*", "progression", "effective*", "efficacy", "compared to placebo",
                  "slow*")),
    ("mechanism", ("designed to", "lymphocyte*", "works by", "mechanism*", "binds to", "antibod*",
                   "target*")),
    ("warning", ("risk*", "serious*", "warning*", "caution*", "careful*", "danger*", "infection*")),
    ("patient-advice", ("you should", "if you", "your", "talk to", "discuss*", "speak to", "ask your")),
)
# When no rule fires, the topic a source of each kind most often gives.
DEFAULT_TOPICS = {"patient-information": "patient-advice", "regulator": "warning", "guidance-body": "warning"}
# A sentence that says when the page was updated is about the page, not guidance: it is left commented out.
METADATA = re.compile(r"\b(last|page)\s+(updated|reviewed|revised|modified)\b|\bnext review\b", re.IGNORECASE)



def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Return the pattern of one keyword: whole words; ``*`` at the end for a stem; ``?`` for any one letter."""
    stem = keyword.endswith("*")
    body = re.escape(keyword.rstrip("*")).replace(r"\?", r"\w").replace(r"\ ", r"\s+")
    return re.compile(r"(?<!\w)" + body + (r"" if stem else r"(?!\w)"), re.IGNORECASE)


_RULES = tuple((topic, tuple(_keyword_pattern(k) for k in keywords), keywords) for topic, keywords in TOPIC_RULES)


@dataclass(frozen=True)
class TopicGuess:
    topic: str
    rule: int | None  # 1-based position in TOPIC_RULES; None for the default
    keyword: str | None

    def describe(self) -> str:
        if self.rule is None:
            return f"{self.topic} (no rule fired: the default for this kind of source)"
        return f"{self.topic} (rule {self.rule}: keyword {self.keyword!r})"


def suggest_topic(sentence: str, source_kind: str = "patient-information") -> TopicGuess:
    """Return the topic of the first rule of :data:`TOPIC_RULES` with a keyword in ``sentence``."""
    for i, (topic, patterns, keywords) in enumerate(_RULES, start=1):
        for pattern, keyword in zip(patterns, keywords, strict=True):
            if pattern.search(sentence):
                return TopicGuess(topic, i, keyword)
    return TopicGuess(DEFAULT_TOPICS.get(source_kind, "warning"), None, None)


@dataclass
class Carried:
    """A statement the previous version recorded whose quote is still in the new text, at its new offsets."""

    statement: str
    exact: str
    start: int
    end: int
    note: str | None = None


@dataclass
class Entry:
    """What the draft says about one sentence of the new text."""

    sentence: Sentence
    status: str  # new | added | changed | unchanged
    topic: TopicGuess
    dates: list[FoundDate]
    durations: list[FoundDuration]
    carried: list[Carried] = field(default_factory=list)
    statement_id: str | None = None  # set when the draft defines a statement for this sentence
    valid_from: PartialDate | None = None
    was: str | None = None  # the previous wording of a changed sentence
    skip_reason: str | None = None  # why the sentence is left commented out

    @property
    def drafted(self) -> bool:
        """Whether the draft defines a statement for this sentence (not left out, not carried over)."""
        return self.statement_id is not None and self.skip_reason is None and not self.carried


@dataclass
class Draft:
    """A draft statements file for a new version of ``source``, with what was compared and found."""

    source: str
    source_title: str
    text: str
    text_name: str
    drug: str
    drug_reason: str
    entries: list[Entry]
    previous: Version | None
    added: list[str]
    removed: list[str]
    changed: list[tuple[str, str]]
    unchanged: int
    withdrawal_candidates: list[Assertion]
    published_hint: FoundDate | None
    notes: list[str]

    @property
    def sentences(self) -> list[Sentence]:
        return [e.sentence for e in self.entries]

    def statements(self) -> list[Entry]:
        """Return the entries that define a new statement."""
        return [e for e in self.entries if e.drafted]


def propose(data_dir: Path, source: str, text: str, text_name: str = "text.txt") -> Draft:
    """Draft the statements of a new version of ``source`` holding ``text`` (see the module docstring)."""
    corpus = load_corpus(Path(data_dir))
    return propose_for(corpus, source, text, text_name)


def propose_for(corpus: Corpus, source: str, text: str, text_name: str = "text.txt") -> Draft:
    """Like :func:`propose`, on a corpus already loaded."""
    src = corpus.sources.get(source)
    if src is None:
        raise NotFound("source", source)
    previous = latest_version(corpus, source)
    notes: list[str] = []
    prev_assertions = [a for a in corpus.assertions if previous and a.version_id == previous.id]
    drug, drug_reason = _guess_drug(corpus, text, prev_assertions)

    sentences = split_sentences(text)
    entries = [Entry(s, "new", suggest_topic(s.exact, src.kind), find_dates(s.exact), find_durations(s.exact))
               for s in sentences]
    added: list[str] = []
    removed: list[str] = []
    changed: list[tuple[str, str]] = []
    unchanged = 0
    withdrawal: list[Assertion] = []
    if previous is not None and previous.text is None:
        notes.append(f"the previous version {previous.key} holds no text: no sentences to compare, and its "
                     f"statements (citations) are not carried over")
    elif previous is not None and previous.text is not None:
        old = [s.exact for s in split_sentences(previous.text)]
        new = [s.exact for s in sentences]
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                unchanged += i2 - i1
                for j in range(j1, j2):
                    entries[j].status = "unchanged"
                continue
            paired = _pair_changed(old[i1:i2], new[j1:j2]) if op == "replace" else {}
            for k, j in enumerate(range(j1, j2)):
                if k in paired:
                    changed.append((old[i1 + paired[k]], new[j]))
                    entries[j].status = "changed"
                    entries[j].was = old[i1 + paired[k]]
                else:
                    added.append(new[j])
                    entries[j].status = "added"
            removed.extend(o for i, o in enumerate(old[i1:i2]) if i not in paired.values())
        withdrawal = _carry_over(entries, text, prev_assertions)

    taken = set(corpus.statements)
    for e in entries:
        if e.carried:
            continue
        if e.skip_reason:
            pass
        elif METADATA.search(e.sentence.exact):
            e.skip_reason = "about the page (when it was updated), not guidance"
        elif e.status == "unchanged":
            e.skip_reason = (f"unchanged since version {previous.key if previous else '?'}, which did not "
                             f"record it: a curator left it out before")
        elif not re.search(r"[^\W\d_]", e.sentence.exact):
            e.skip_reason = "no words"
        e.statement_id = _new_id(drug, e.sentence.exact, taken)
        taken.add(e.statement_id)
        real = [d for d in e.dates if d.value is not None]
        if len(real) == 1 and len(e.dates) == 1:
            e.valid_from = real[0].value
    hint = next((d for e in entries if METADATA.search(e.sentence.exact) for d in e.dates if d.value), None)
    return Draft(source=source, source_title=src.title, text=text, text_name=text_name, drug=drug,
                 drug_reason=drug_reason, entries=entries, previous=previous, added=added, removed=removed,
                 changed=changed, unchanged=unchanged, withdrawal_candidates=withdrawal, published_hint=hint,
                 notes=notes)


CHANGED_RATIO = 0.75  # how similar (difflib ratio) a new sentence must be to a removed one to count as changed


def _pair_changed(old: list[str], new: list[str]) -> dict[int, int]:
    """Pair, in order, each new sentence of a replaced block with the most similar old one, if similar enough."""
    pairs: dict[int, int] = {}
    last = -1
    for j, sentence in enumerate(new):
        best, best_ratio = None, CHANGED_RATIO
        for i in range(last + 1, len(old)):
            ratio = difflib.SequenceMatcher(None, old[i], sentence, autojunk=False).ratio()
            if ratio >= best_ratio:
                best, best_ratio = i, ratio
        if best is not None:
            pairs[j] = best
            last = best
    return pairs


def latest_version(corpus: Corpus, source: str) -> Version | None:
    """Return the source's latest version (by publication date, then key), or None."""
    versions = [v for v in corpus.versions.values() if v.source == source]
    return max(versions, key=lambda v: (v.published, v.key)) if versions else None


def _carry_over(entries: list[Entry], text: str, prev: list[Assertion]) -> list[Assertion]:
    """Attach each previous record whose quote is still in ``text`` to the sentence it starts in."""
    withdrawal: list[Assertion] = []
    for a in prev:
        if a.quote is None:
            withdrawal.append(a)
            continue
        hits = [m.start() for m in re.finditer(re.escape(a.quote.exact), text)]
        if not hits:
            withdrawal.append(a)
            continue
        at = min(hits, key=lambda h: abs(h - a.quote.start))  # type: ignore[union-attr]
        carried = Carried(a.statement, a.quote.exact, at, at + len(a.quote.exact), a.note)
        end = carried.end
        owner = next((e for e in entries if e.sentence.start <= at < e.sentence.end), None)
        if owner is None:  # the quote starts in whitespace between sentences
            owner = next((e for e in entries if e.sentence.start >= at), entries[-1])
        owner.carried.append(carried)
        # The sentences the quote runs into are covered by it too: they are not drafted again.
        for e in entries:
            if e is not owner and e.sentence.start < end and e.sentence.end > at and not e.carried:
                e.skip_reason = f"covered by the quote of {a.statement}"
    for e in entries:
        e.carried.sort(key=lambda c: c.start)
    return withdrawal


def _guess_drug(corpus: Corpus, text: str, prev: list[Assertion]) -> tuple[str, str]:
    if prev:
        counts = Counter(corpus.statements[a.statement].drug for a in prev if a.statement in corpus.statements)
        if counts:
            drug = counts.most_common(1)[0][0]
            return drug, "the drug of the previous version's statements"
    mentions: Counter[str] = Counter()
    for d in corpus.drugs.values():
        for name in {d.key, d.label, *d.brand_names}:
            mentions[d.key] += len(re.findall(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, re.IGNORECASE))
    if mentions and mentions.most_common(1)[0][1] > 0:
        drug, n = mentions.most_common(1)[0]
        return drug, f"the drug the text names most often ({n} times, by name or brand name)"
    if not corpus.drugs:
        raise DataError("drugs.yaml lists no drugs: a statement needs one")
    first = next(iter(corpus.drugs))
    return first, "no drug is named in the text: the first drug of drugs.yaml (CHECK)"


_STOP = {"a", "an", "the", "is", "are", "it", "its", "of", "to", "and", "or", "for", "in", "on", "as", "be",
         "this", "that", "these", "those", "with", "by", "at", "if", "you", "your", "may", "can", "will"}


def _new_id(drug: str, sentence: str, taken: set[str]) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", sentence.lower()) if w not in _STOP and w != drug]
    base = slug(f"{drug} {' '.join(words[:6])}")[:80].strip("-") or slug(drug)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


# -- rendering ------------------------------------------------------------------------------------------------
