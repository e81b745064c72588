"""Check a corpus for meaning before anything is built: quotes, references, dates and the override graph.

These checks give messages a curator can act on (file, line, statement). The SHACL shapes check the built
graph again, independently; both must pass before a build is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from guidancekg.graph.corpus.jurisdictions import Scheme
from guidancekg.graph.corpus.records import Corpus, Quote

if TYPE_CHECKING:
    import networkx as nx

# The SPARQL library unrolls "effective" this many levels (see sparqlgen); longer chains would make the
# queries and the engine disagree, so the build refuses them.
MAX_OVERRIDE_DEPTH = 3


@dataclass
class CheckReport:
    """Problems (the build fails) and warnings (the build goes on, and says so)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_corpus(corpus: Corpus) -> CheckReport:
    """Return every problem and warning found in ``corpus``."""
    report = CheckReport()
    _check_jurisdictions(corpus, report)
    _check_versions(corpus, report)
    _check_assertions(corpus, report)
    _check_statements(corpus, report)
    _check_override_graph(corpus, report)
    return report


def _check_jurisdictions(corpus: Corpus, report: CheckReport) -> None:
    scheme = Scheme(corpus.jurisdictions.values())
    for j in corpus.jurisdictions.values():
        if j.within is not None and j.within not in corpus.jurisdictions:
            report.problems.append(f"{j.where}: jurisdiction {j.code} lies within {j.within!r}, which is not a "
                                   f"jurisdiction of the scheme")
    cycle = scheme.cycle()
    if cycle:
        where = corpus.jurisdictions[cycle[0]].where
        report.problems.append(f"{where}: jurisdictions lie within each other in a cycle: {' -> '.join(cycle)}")
    for r in corpus.reach:
        if r.valid_from is not None and r.valid_until is not None and not r.valid_until.lo >= r.valid_from.hi:
            report.problems.append(f"{r.where}: reach {r.key}: valid_until {r.valid_until} is not after "
                                   f"valid_from {r.valid_from}")
        if r.carries is not None and r.carries.precision != "day":
            report.problems.append(f"{r.where}: reach {r.key}: carries {r.carries} is not a day (the terms carried "
                                   f"are those effective on one day)")
        if r.of == r.into or scheme.contains(r.of, r.into) or scheme.contains(r.into, r.of):
            report.problems.append(f"{r.where}: reach {r.key}: {r.of} and {r.into} lie one within the other; a "
                                   f"reach links two jurisdictions apart")
        if r.quote is not None and r.reference in corpus.references:
            problem = _quote_problem(r.quote, corpus.references[r.reference].text or "", f"reference {r.reference}")
            if problem:
                report.problems.append(f"{r.where}: reach {r.key}: {problem}")
    keys = [r.key for r in corpus.reach]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        report.problems.append(f"reach {key!r} is given twice")


def _check_versions(corpus: Corpus, report: CheckReport) -> None:
    for v in corpus.versions.values():
        if v.revises is None:
            continue
        previous = corpus.versions.get(f"{v.source}/{v.revises}")
        if previous is None:
            report.problems.append(f"{v.where}: version {v.id} revises {v.revises!r}, which is not a version "
                                   f"of source {v.source}")
        elif not previous.published < v.published:
            report.problems.append(f"{v.where}: version {v.id} (published {v.published}) revises "
                                   f"{previous.id}, which was not published before it ({previous.published})")


def _check_assertions(corpus: Corpus, report: CheckReport) -> None:
    seen: set[tuple[str, str]] = set()
    for a in corpus.assertions:
        if a.statement not in corpus.statements:
            report.problems.append(f"{a.where}: asserts unknown statement {a.statement!r}")
            continue
        if (a.statement, a.version_id) in seen:
            report.problems.append(f"{a.where}: statement {a.statement} is recorded twice by version {a.version_id}")
        seen.add((a.statement, a.version_id))
        if a.quote is None:
            continue
        if a.reference is not None:
            held = corpus.references.get(a.reference)
            if held is None:
                report.problems.append(f"{a.where}: statement {a.statement}: the citation quotes unknown reference "
                                       f"{a.reference!r} (references are folders of data/references/)")
                continue
            text, what = held.text or "", f"reference {a.reference}"
        else:
            text, what = corpus.versions[a.version_id].text or "", f"version {a.version_id}"
        problem = _quote_problem(a.quote, text, what)
        if problem:
            report.problems.append(f"{a.where}: statement {a.statement}: {problem}")


def _quote_problem(q: Quote, text: str, what: str) -> str | None:
    """Return why ``q`` is not the text of ``what`` at its offsets, or None when it is."""
    found = text[q.start:q.end]
    if q.end <= q.start or q.end > len(text):
        return f"quote offsets [{q.start}, {q.end}) are outside {what}'s text of {len(text)} characters"
    if found == q.exact:
        return None
    at = text.find(q.exact)
    hint = f" (the quote is in the text at [{at}, {at + len(q.exact)}))" if at >= 0 else ""
    return f"quote {q.exact!r} is not the text of {what} at [{q.start}, {q.end}), which reads {found!r}{hint}"


def _check_statements(corpus: Corpus, report: CheckReport) -> None:
    for s in corpus.statements.values():
        if s.valid_until is not None and s.valid_from is not None and not s.valid_until.lo >= s.valid_from.hi:
            report.problems.append(f"{s.where}: statement {s.key}: valid_until {s.valid_until} is not after "
                                   f"valid_from {s.valid_from}")
        for o in s.overrides:
            target = corpus.statements.get(o.target)
            if target is None:
                report.problems.append(f"{s.where}: statement {s.key} overrides unknown statement {o.target!r}")
            elif target.drug != s.drug:
                report.problems.append(f"{s.where}: statement {s.key} (drug {s.drug}) overrides {o.target}, "
                                       f"which is about another drug ({target.drug})")
            elif o.target == s.key:
                report.problems.append(f"{s.where}: statement {s.key} overrides itself")


def override_graph(corpus: Corpus) -> nx.DiGraph[str]:
    """Return the directed graph overrider -> overridden over the corpus's statements."""
    import networkx as nx  # here: a server starts without it (only checking the data needs it)

    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(corpus.statements)
    for s in corpus.statements.values():
        for o in s.overrides:
            if o.target in corpus.statements:
                g.add_edge(s.key, o.target, kind=o.kind)
    return g


def _check_override_graph(corpus: Corpus, report: CheckReport) -> None:
    import networkx as nx

    g = override_graph(corpus)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        path = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
        where = corpus.statements[cycle[0][0]].where
        report.problems.append(f"{where}: override cycle: {path}; the override graph must be acyclic")
        return
    longest = nx.dag_longest_path(g)
    if len(longest) - 1 > MAX_OVERRIDE_DEPTH:
        where = corpus.statements[longest[0]].where
        report.problems.append(f"{where}: override chain {' -> '.join(longest)} is {len(longest) - 1} long; "
                               f"chains longer than {MAX_OVERRIDE_DEPTH} are not supported")
    # Semantics: a replacement does not inherit what it replaced. C -> B -> A without C -> A brings A back
    # into force while C is effective, which is rarely what a curator means.
    for c in g.nodes:
        for b in g.successors(c):
            for a in g.successors(b):
                if not g.has_edge(c, a):
                    s = corpus.statements[c]
                    report.warnings.append(
                        f"{s.where}: statement {c} overrides {b}, which overrides {a}, but {c} does not "
                        f"override {a}: while {c} is effective, {a} is effective again")

