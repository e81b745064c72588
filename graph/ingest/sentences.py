"""Split a held text into sentences with exact offsets, for drafting statements (``guidancekg propose``).

Offsets are in Unicode code points, as ``data/README.md`` says (Python string indexes), and each sentence is
``text[start:end]`` exactly: a draft quotes it verbatim. The splitter is deliberately plain and documented
rather than clever:

- **Line breaks.** A blank line always ends a sentence. A single line break ends one too, unless the next line
  starts with a lower-case letter (a hard-wrapped sentence goes on); so a heading or an unpunctuated line
  ("These include;", a first line without a full stop) is a sentence of its own.
- **Sentence-final punctuation.** ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets right after
  them: ``.”``, ``.)``) end a sentence when whitespace follows and the next word starts with an upper-case
  letter, a digit or an opening quote or bracket (``“``, ``(``). "12th April 2019. The" splits after "2019.".
- **Not an end:** an abbreviation before the full stop ("e.g.", "i.e.", "cf.", "vs.", "approx.", "et al."),
  a title before a name ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "St."; case-sensitive, so "MS." for multiple
  sclerosis still ends a sentence), a single initial ("B. Smith"), an acronym written with dots ("U.K."), and
  a month or "No."/"p."/"Fig." before a number ("Apr. 2019", "No. 5"). A full stop inside a number ("1.5")
  is never followed by whitespace, so it never splits.
- Whitespace around a sentence is not part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text[start:end] == exact``, offsets in code points."""

    start: int
    end: int
    exact: str


# Abbreviations that never end a sentence (compared in lower case, without their final full stop).
ABBREVIATIONS = frozenset({"e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "al", "resp", "incl", "eg", "ie"})
# Titles before a name: case-sensitive, so that "MS." (multiple sclerosis) still ends a sentence.
TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Sr", "Jr", "Rev", "Hon"})
# Words that, before a number, do not end a sentence: "Apr. 2019", "No. 5", "p. 12", "Fig. 3".
BEFORE_NUMBER = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                           "no", "nos", "p", "pp", "fig", "vol", "ch", "sec", "art"})

_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
# A run of final punctuation, its closing quotes/brackets, then whitespace.
_FINAL = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_TOKEN_BEFORE = re.compile(r"([\w.]*\w)\.$")
_LINE_BREAK = re.compile(r"[ \t\f\v]*\r?\n(?:[ \t\f\v]*\r?\n)*")


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of ``text`` in order, each with its exact code-point offsets."""
    sentences: list[Sentence] = []
    for seg_start, seg_end in _segments(text):
        cut = seg_start
        for m in _FINAL.finditer(text, seg_start, seg_end):
            if _ends_sentence(text, m, seg_end):
                _add(sentences, text, cut, m.end())
                cut = m.end()
        _add(sentences, text, cut, seg_end)
    return sentences


def _segments(text: str) -> list[tuple[int, int]]:
    """Return the stretches of text between hard breaks (blank lines, and line breaks that end a line)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _LINE_BREAK.finditer(text):
        blank = m.group().count("\n") > 1
        following = text[m.end():m.end() + 1]
        if blank or not following or not following.islower():
            out.append((start, m.start()))
            start = m.end()
    out.append((start, len(text)))
    return out


def _ends_sentence(text: str, m: re.Match[str], seg_end: int) -> bool:
    """Decide whether the punctuation run ``m`` ends a sentence (see the module docstring)."""
    rest = text[m.end():seg_end].lstrip()
    if not rest:
        return True  # the end of the segment ends the sentence anyway
    first = rest[0]
    starts_upper = first.isupper() or first in _OPENERS
    starts_digit = first.isdigit()
    if not (starts_upper or starts_digit):
        return False
    punct = m.group()
    if not punct.startswith(".") or punct.startswith(".."):
        return True  # "!", "?", an ellipsis: always an end before a capital
    before = _TOKEN_BEFORE.search(text[max(0, m.start() - 40):m.start() + 1])
    if before is None:
        return True
    token = before.group(1)
    if token.lower() in ABBREVIATIONS or token in TITLES:
        return False
    if len(token) == 1 and token.isupper():
        return False  # an initial: "B. Smith"
    if "." in token and all(len(part) <= 2 for part in token.split(".")):
        return False  # an acronym with dots: "U.K.", "e.g."
    return not (starts_digit and token.lower() in BEFORE_NUMBER)


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end, text[start:end]))
