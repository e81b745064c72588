"""The synthetic corpus generator, the streamed N-Quads build and the chunked SHACL validation of large corpora."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from guidancekg.cli.main import main
from guidancekg.graph.corpus.checks import check_corpus, override_graph
from guidancekg.graph.corpus.files import load_corpus
from guidancekg.graph.corpus.synthetic import generate
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.rdf.shacl import load_vocabulary, validate
from guidancekg.graph.rdf.writer import build_dataset, build_nquads, union_graph
from guidancekg.graph.stores.base import OxigraphStore
from guidancekg.graph.stores.build import (
    _chunk_validator,
    chunk_ntriples,
    compile_data,
    validate_chunked,
    validation_chunks,
)
from guidancekg.graph.stores.builds import write_build

BASE = "http://localhost/"
DATA = Path(__file__).resolve().parents[1] / "data"


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "data"
    generate(600, 3, out)
    return out


def test_the_same_seed_writes_the_same_files(tmp_path, synth):
    generate(600, 3, tmp_path / "again")
    assert _tree_digest(tmp_path / "again") == _tree_digest(synth)
    generate(600, 4, tmp_path / "other")
    assert _tree_digest(tmp_path / "other") != _tree_digest(synth)


def test_a_synthetic_corpus_passes_every_check_and_has_what_it_promises(synth):
    corpus = load_corpus(synth)
    report = check_corpus(corpus)
    assert report.problems == [] and report.warnings == []
    assert len(corpus.statements) == 600
    statements = corpus.statements.values()
    assert len({s.jurisdiction for s in statements}) >= 3
    assert {s.valid_from.precision for s in statements if s.valid_from} == {"day", "month", "year"}
    assert {v.published.precision for v in corpus.versions.values()} >= {"day"}
    assert any(s.temporary and s.valid_until for s in statements)
    assert {o.kind for s in statements for o in s.overrides} == {"restricts", "replaces", "revokes"}
    graph = override_graph(corpus)
    import networkx as nx

    assert 2 <= len(nx.dag_longest_path(graph)) - 1 <= 3  # chains of overrides, within the build's limit
    assert any(a.quote for a in corpus.assertions) and any(a.citation_url for a in corpus.assertions)
    # Withdrawn: a statement asserted by a version but not by the next version of the same source.
    by_version: dict[str, set[str]] = {}
    for a in corpus.assertions:
        by_version.setdefault(a.version_id, set()).add(a.statement)
    withdrawn = 0
    for v in corpus.versions.values():
        if v.revises:
            withdrawn += len(by_version.get(f"{v.source}/{v.revises}", set()) - by_version.get(v.id, set()))
    assert withdrawn > 0


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_rdflib_reads_the_generated_quads_as_oxigraph_does(which, synth):
    """The one generator's N-Quads: the rdflib dataset parsed from them (build_dataset) holds what Oxigraph loads."""
    corpus = load_corpus(DATA if which == "bundled" else synth)
    minter, vocabulary = Minter(BASE), load_vocabulary()
    by_rdflib = ox.Store()
    by_rdflib.load(build_dataset(corpus, minter, vocabulary).serialize(format="nquads", encoding="utf-8"),
                   format=ox.RdfFormat.N_QUADS)
    streamed = ox.Store()
    streamed.load(b"".join(build_nquads(corpus, minter, vocabulary)), format=ox.RdfFormat.N_QUADS)

    def named(store: ox.Store) -> set:
        return {q for q in store if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    assert named(streamed) == named(by_rdflib)
    assert len(streamed) == len(by_rdflib)


def test_chunks_cover_every_statement_once_and_every_triple(synth):
    corpus = load_corpus(synth)
    chunks = [keys for _name, keys in validation_chunks(corpus, max_assertions=150)]
    assert chunks[0] is None and len(chunks) > 2
    seen = [k for keys in chunks[1:] for k in keys]
    assert sorted(seen) == sorted(corpus.statements)
    minter = Minter(BASE)
    union = union_graph(build_dataset(corpus, minter, load_vocabulary()))
    covered: set = set()
    for keys in chunks:
        covered |= set(Graph().parse(data=chunk_ntriples(corpus, minter, keys).decode(), format="nt"))
    from rdflib import BNode

    plain = {t for t in union if not any(isinstance(x, BNode) for x in t)}
    assert plain <= covered


def test_chunked_validation_agrees_with_one_pyshacl_run(synth):
    corpus = load_corpus(synth)
    minter = Minter(BASE)
    conforms, results = validate_chunked(corpus, minter)
    assert conforms and results == ()
    # Break one chunk in several ways and compare the engine used for chunks with pySHACL on the same graph.
    text = next(t for _n, k in validation_chunks(corpus, max_assertions=100) if k
                and "oa#exact>" in (t := chunk_ntriples(corpus, minter, k).decode()) and "ns#sha256>" in t)
    lines = text.splitlines()
    quote = next(i for i, line in enumerate(lines) if " <http://www.w3.org/ns/oa#exact> \"" in line)
    lines[quote] = lines[quote].replace(' "', ' "Not the text: ', 1)
    sha = next(i for i, line in enumerate(lines) if " <https://w3id.org/guidancekg/ns#sha256> \"" in line)
    lines[sha] = lines[sha].split(' "')[0] + ' "0000" .'
    until = next((i for i, line in enumerate(lines) if " <https://w3id.org/guidancekg/ns#inForceUntil> \"" in line),
                 None)
    if until is not None:
        lines[until] = lines[until].split(' "')[0] + ' "1999-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .'
    drug = next(i for i, line in enumerate(lines) if " <https://w3id.org/guidancekg/ns#drug> <" in line)
    lines.append(lines[drug].split(" ")[0] + ' <https://w3id.org/guidancekg/ns#drug> <http://localhost/id/drug/nope> .')
    broken = "\n".join(lines) + "\n"
    ok_fast, fast = _chunk_validator()(broken.encode())
    reference = validate(Graph().parse(data=broken, format="nt"))
    assert not ok_fast and not reference.conforms
    assert {(r.focus, r.path, r.severity) for r in fast} == {(r.focus, r.path, r.severity) for r in reference.results}
    assert len(fast) >= 4


def test_a_build_streams_its_quads_without_an_rdflib_dataset(synth, tmp_path):
    compiled = compile_data(synth, BASE)
    assert compiled._dataset is None  # never built as an rdflib Dataset
    info = write_build(compiled, tmp_path / "store")
    store = OxigraphStore(info.path / "oxigraph")
    assert info.quads == len(store.store) > 10_000
    count = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/guidancekg/ns#Statement> }"
    assert int(store.select(count)[0]["n"]) == 600


def test_the_synth_command(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["synth", "--statements", "250", "--seed", "2", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "wrote 250 statements" in result.output
    again = CliRunner().invoke(main, ["synth", "--statements", "250", "--out", str(tmp_path / "s")])
    assert again.exit_code != 0 and "--overwrite" in again.output
