"""The override rule of the engine (block_states, layered_states) is its recursive definition (tests/oracle.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import rule_state

from guidancekg.graph.engine.rules import EFFECTIVE, block_states, layered_states


class Graph:
    """An override graph over statement ids 0..n-1, with the rule's two tests as arrays and as functions of keys."""

    def __init__(self, keys: list[str], overriders: dict[int, list[int]], in_force: list[bool],
                 counts: list[bool]) -> None:
        self.keys, self.overriders = keys, overriders
        self.in_force, self.counts = np.asarray(in_force, dtype=bool), np.asarray(counts, dtype=bool)

    def rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = [self.overriders.get(i, []) for i in ids.tolist()]
        return (np.asarray([o for row in rows for o in row], dtype=np.int64),
                np.asarray([len(row) for row in rows], dtype=np.int64))

    def block(self, ids: list[int]):
        return block_states(np.asarray(ids, dtype=np.int64), lambda a: self.in_force[a], lambda a: self.counts[a],
                            self.rows, self.keys.__getitem__)

    def one_at_a_time(self, ids: list[int]):
        at = {k: i for i, k in enumerate(self.keys)}
        overriders = {self.keys[t]: [self.keys[o] for o in os] for t, os in self.overriders.items()}
        return [rule_state(self.keys[i], lambda k: bool(self.in_force[at[k]]), lambda k: bool(self.counts[at[k]]),
                           overriders) for i in ids]


@st.composite
def graphs(draw) -> tuple[Graph, list[int]]:
    n = draw(st.integers(1, 14))
    # Acyclic: a statement is overridden only by statements earlier in a random order.
    rank = {s: r for r, s in enumerate(draw(st.permutations(range(n))))}
    edges = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    overriders: dict[int, list[int]] = {}
    for o, t in sorted(edges):
        if rank[o] < rank[t]:
            overriders.setdefault(t, []).append(o)
    # Keys whose order is not the ids' order, so that "sorted by key" is tested.
    keys = draw(st.permutations([f"s{i:02d}" for i in range(n)]))
    in_force = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    counts = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    everything = draw(st.permutations(range(n)))
    asked = [*everything[:draw(st.integers(0, n))], *draw(st.lists(st.integers(0, n - 1), max_size=5))]
    return Graph(list(keys), overriders, in_force, counts), asked


@settings(max_examples=300, deadline=None)
@given(graph_and_ids=graphs())
def test_the_override_rule_over_a_block_is_the_rule_one_statement_at_a_time(graph_and_ids):
    graph, ids = graph_and_ids
    assert graph.block(ids) == graph.one_at_a_time(ids)


@settings(max_examples=100, deadline=None)
@given(layers=st.lists(graphs(), min_size=1, max_size=4))
def test_layers_decided_together_are_each_layer_decided_alone(layers):
    # One override graph, the tests of each layer its own: as the days of a sweep, or a jurisdiction's contexts.
    first = layers[0][0]
    n = len(first.keys)
    tests = [(np.resize(g.in_force, n), np.resize(g.counts, n)) for g, _ in layers]
    asked = [[i for i in ids if i < n] for _, ids in layers]
    alone = [Graph(first.keys, first.overriders, list(f), list(c)).block(ids)
             for (f, c), ids in zip(tests, asked, strict=True)]
    in_force = np.stack([f for f, _ in tests])
    counts = np.stack([c for _, c in tests])
    layer = np.asarray([n_layer for n_layer, ids in enumerate(asked) for _ in ids], dtype=np.int64)
    ids = np.asarray([i for ids in asked for i in ids], dtype=np.int64)
    together = layered_states(layer, ids, n, lambda at, s: in_force[at, s], lambda at, s: counts[at, s], first.rows,
                              first.keys.__getitem__)
    assert together == [state for states in alone for state in states]


def test_a_chain_of_overrides_is_decided_from_its_end():
    # a <- b <- c: c overrides b, which overrides a. Whether a is effective depends on whether c counts.
    keys = ["a", "b", "c"]
    counted = Graph(keys, {0: [1], 1: [2]}, [True] * 3, [True] * 3)
    assert counted.block([0, 1, 2]) == [EFFECTIVE, ("overridden", ("c",)), EFFECTIVE]
    uncounted = Graph(keys, {0: [1], 1: [2]}, [True] * 3, [True, True, False])
    assert uncounted.block([0, 1, 2]) == [("overridden", ("b",)), EFFECTIVE, EFFECTIVE]
    # A long chain: its states alternate from its end, however many rounds that takes.
    n = 41
    chain = Graph([f"s{i:02d}" for i in range(n)], {i: [i + 1] for i in range(n - 1)}, [True] * n, [True] * n)
    states = chain.block(list(range(n)))
    assert states == chain.one_at_a_time(list(range(n)))
    assert states[0] == EFFECTIVE and states[1] == ("overridden", ("s02",))


def test_a_statement_not_in_force_has_no_state_and_overrides_nothing():
    graph = Graph(["a", "b"], {0: [1]}, [True, False], [True, True])
    assert graph.block([1, 0]) == [None, EFFECTIVE]
    assert graph.block([]) == []
