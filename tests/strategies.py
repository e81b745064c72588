"""Hypothesis strategies for random corpora, shared by the property-based tests.

A generalisation of the generator in ``tests/test_sparql_agreement.py``: several drugs, jurisdictions and topics,
dates at day, month and year precision, the bundled scheme and its reach (questions in a jurisdiction cross the
EU's reach into the UK and the terms carried from 2020-12-31), override chains up to the build's depth limit,
withdrawn statements (a later version not asserting again) and open or closed in-force intervals. With
``random_reach``, statements speak for any jurisdiction of the scheme and the reach records are random too (dated,
open or closed, carrying a day's terms or not), in place of the bundled ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import strategies as st

from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.corpus.jurisdictions import Scheme
from guidancekg.graph.corpus.records import (
    Assertion,
    Corpus,
    Drug,
    OverrideRef,
    Reach,
    Source,
    Statement,
    Version,
    Where,
)
from guidancekg.graph.dates import PartialDate

LO, HI = date(2012, 1, 1), date(2022, 12, 31)
JURISDICTIONS = ("EU", "UK", "GB-EAW", "US")
# The scheme of the bundled data (its nesting and reach), read once.
BUNDLED = load_corpus(Path(__file__).resolve().parents[1] / "data")
TOPICS = ("indication", "warning", "dosing")
KINDS = ("restricts", "replaces", "revokes")

days = st.dates(min_value=LO, max_value=HI)


@st.composite
def partial_dates(draw, after: date | None = None) -> PartialDate:
    day = draw(st.dates(min_value=after or LO, max_value=HI))
    precision = draw(st.sampled_from(["day", "day", "month", "year"]))
    if precision == "month":
        return PartialDate(day.replace(day=1), "month")
    if precision == "year":
        return PartialDate(day.replace(month=1, day=1), "year")
    return PartialDate(day, "day")


@st.composite
def reach_records(draw, max_size: int = 4) -> tuple[Reach, ...]:
    """Return random reach records between jurisdictions of the bundled scheme that lie apart, keyed in order."""
    scheme = Scheme(BUNDLED.jurisdictions.values())
    pairs = [(a, b) for a in scheme.codes for b in scheme.codes
             if not scheme.contains(a, b) and not scheme.contains(b, a)]
    out = []
    for n in range(draw(st.integers(0, max_size))):
        of, into = draw(st.sampled_from(pairs))
        start = draw(st.one_of(st.none(), days))
        end = draw(st.one_of(st.none(), st.dates(min_value=start + timedelta(days=1) if start else LO,
                                                 max_value=HI + timedelta(days=1))))
        carries = draw(st.one_of(st.none(), days))
        out.append(Reach(f"r{n}", of, into, start and PartialDate(start, "day"), end and PartialDate(end, "day"),
                         carries and PartialDate(carries, "day"), f"reach {n}", "paraphrase", "verbatim",
                         citation_url="http://example.org/reach", where=Where("generated.yaml")))
    return tuple(out)


@st.composite
def corpora(draw, max_statements: int = 10, max_drugs: int = 2, random_reach: bool = False) -> Corpus:
    """Return a random corpus that passes the build's checks (same-drug, acyclic overrides of depth <= 3)."""
    where = Where("generated.yaml")
    jurisdictions = tuple(BUNDLED.jurisdictions) if random_reach else JURISDICTIONS
    drugs = {f"d{i}": Drug(f"d{i}", f"drug {i}") for i in range(draw(st.integers(1, max_drugs)))}
    sources = {}
    for i in range(draw(st.integers(1, 3))):
        jur = draw(st.sampled_from(JURISDICTIONS))
        sources[f"s{i}"] = Source(f"s{i}", f"Source {i}", "Publisher", "regulator", jur, None, None)
    versions: dict[str, Version] = {}
    for key in sources:
        published = sorted({draw(partial_dates()) for _ in range(draw(st.integers(1, 3)))})
        for n, p in enumerate(published):
            versions[f"{key}/v{n}"] = Version(key, f"v{n}", p, None, None, None, None)
    statements: dict[str, Statement] = {}
    depth: dict[str, int] = {}
    for i in range(draw(st.integers(1, max_statements))):
        key = f"st{i}"
        drug = draw(st.sampled_from(sorted(drugs)))
        valid_from = draw(partial_dates())
        until = draw(st.one_of(st.none(), partial_dates(after=min(valid_from.hi + timedelta(days=1), HI))))
        if until is not None and until.lo < valid_from.hi:
            until = None
        same_drug = sorted(k for k, s in statements.items() if s.drug == drug)
        targets = draw(st.lists(st.sampled_from(same_drug), unique=True, max_size=3)) if same_drug else []
        targets = [t for t in targets if depth[t] < 3]
        depth[key] = 1 + max((depth[t] for t in targets), default=-1)
        overrides = tuple(OverrideRef(t, draw(st.sampled_from(KINDS))) for t in targets)
        statements[key] = Statement(key, drug, draw(st.sampled_from(TOPICS)), draw(st.sampled_from(jurisdictions)),
                                    valid_from, "stated-in-text", until, draw(st.booleans()), overrides, None, where)
    assertions = []
    for key in statements:
        chosen = draw(st.lists(st.sampled_from(sorted(versions)), min_size=1, max_size=3, unique=True))
        for n, vid in enumerate(chosen):
            v = versions[vid]
            assertions.append(Assertion(key, v.source, v.key, None, "http://example.org/cited", "paraphrase",
                                        None, where, wording=f"statement {key} as {vid} words it", defines=n == 0))
    reach = draw(reach_records()) if random_reach else BUNDLED.reach
    return Corpus(drugs, sources, versions, statements, tuple(assertions), {}, BUNDLED.jurisdictions, reach)
