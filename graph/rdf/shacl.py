"""Validate a graph against the project's SHACL shapes and report the results as plain records.

The shapes and the vocabulary are parsed once and cached, but pySHACL always gets copies: it adds triples to
the shapes graph it is given (pySHACL issue 314), and a shared graph would carry them into the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from guidancekg.graph.rdf.parsing import RDFLIB_PARSE_LOCK
from guidancekg.ontology import SHAPES_FILE, VOCABULARY_FILE

# rdflib's SPARQL parser (pySHACL uses it for SPARQL-based constraints) is not thread-safe (rdflib issue
# 1282): concurrent validations in one process are serialised here.


@dataclass(frozen=True)
class ShaclResult:
    """One validation result: the focus node, the property path (if any), the message and its severity."""

    focus: str
    path: str | None
    message: str
    severity: str


@dataclass(frozen=True)
class ShaclReport:
    """Whether the graph conforms, and every result, in a stable order."""

    conforms: bool
    results: tuple[ShaclResult, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data.

        The shape is ``{"conforms": bool, "results": [{"focus", "path", "message", "severity"}, ...]}``.
        """
        return {
            "conforms": self.conforms,
            "results": [
                {"focus": r.focus, "path": r.path, "message": r.message, "severity": r.severity}
                for r in self.results
            ],
        }


@lru_cache(maxsize=4)
def _parsed_shapes(path: Path = SHAPES_FILE) -> Graph:
    return Graph().parse(path, format="turtle")


@lru_cache(maxsize=1)
def _parsed_vocabulary() -> Graph:
    return Graph().parse(VOCABULARY_FILE, format="turtle")


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True)
    copy += graph
    return copy


def load_shapes(path: Path = SHAPES_FILE) -> Graph:
    """Return a fresh copy of a SHACL shapes graph (by default the graph's, ``ontology/shapes.ttl``)."""
    return _copy(_parsed_shapes(path))


def load_vocabulary() -> Graph:
    """Return a fresh copy of the vocabulary graph (``ontology/vocabulary.ttl``)."""
    return _copy(_parsed_vocabulary())


def _flatten(data_graph: Graph) -> Graph:
    """Return one graph of every triple when given a dataset: pySHACL would validate each graph alone."""
    if not data_graph.context_aware:  # a Graph, not a Dataset (or ConjunctiveGraph)
        return data_graph
    flat = Graph()
    for s, p, o, _ in data_graph.quads((None, None, None, None)):  # type: ignore[attr-defined]
        flat.add((s, p, o))
    return flat


def _local_name(term: object) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _results(report: Graph) -> tuple[ShaclResult, ...]:
    found = set()
    # Only the report's own results: those nested under sh:detail (from sh:node and the like) explain a
    # top-level result and have a value, not a statement, as their focus.
    results = [r for report_node in report.subjects(RDF.type, SH.ValidationReport)
               for r in report.objects(report_node, SH.result)]
    for node in results:
        path = report.value(node, SH.resultPath)
        # A complex path is a blank-node structure: there is no single property to name.
        path_text = str(path) if isinstance(path, URIRef) else None
        severity = _local_name(report.value(node, SH.resultSeverity) or SH.Violation)
        focus = str(report.value(node, SH.focusNode))
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage)) or [""]
        for message in messages:
            found.add(ShaclResult(focus=focus, path=path_text, message=message, severity=severity))
    return tuple(sorted(found, key=lambda r: (r.focus, r.path or "", r.message, r.severity)))


def validate(data_graph: Graph, focus_nodes: list | None = None, shapes: Path = SHAPES_FILE) -> ShaclReport:
    """Validate ``data_graph`` (a dataset's union graph) against the shapes, with the vocabulary mixed in.

    With ``focus_nodes``, only those nodes are validated (against the shapes that target them); the graph must
    still hold the context their constraints look at (versions and their texts for a statement's quotes). An
    empty list validates nothing (pySHACL would take it to mean everything).
    ``shapes`` is the shapes file (``ontology/dataset-shapes.ttl`` for the dataset description).
    Warnings and infos do not make the graph non-conforming. Raises pySHACL's ``ValidationFailure`` when the
    validation itself fails (a broken shape), rather than reporting that as a result.
    """
    if focus_nodes is not None and not focus_nodes:
        return ShaclReport(conforms=True, results=())
    options: dict[str, Any] = {}
    if focus_nodes:
        options["focus_nodes"] = [URIRef(str(n)) for n in focus_nodes]
    import pyshacl  # here: a server starts without it (only validating needs it)
    from pyshacl.errors import ValidationFailure

    data = _flatten(data_graph)
    # pySHACL parses SPARQL with rdflib's parser, which is not thread-safe: share the process-wide lock.
    with RDFLIB_PARSE_LOCK:
        conforms, report_graph, _text = pyshacl.validate(
            data,
            shacl_graph=load_shapes(shapes),
            ont_graph=load_vocabulary(),
            inference="none",
            advanced=True,
            allow_warnings=True,
            **options,
        )
    # pySHACL returns, rather than raises, the failure of a validation that could not run.
    if isinstance(report_graph, ValidationFailure):
        raise report_graph
    return ShaclReport(conforms=bool(conforms), results=_results(report_graph))
