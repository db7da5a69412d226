"""The embedded store: atomic replacement of one graph or of a source's set of graphs."""

from __future__ import annotations

import pytest

from skillsgraph.errors import BadInputError
from skillsgraph.store import EmbeddedStore

EX = "http://ex.org/"
CONSENT = "https://w3id.org/skillsgraph/graph/consent/learners-"


def quad(s: str, o: str, g: str) -> str:
    return f'<{EX}{s}> <{EX}p> "{o}" <{g}> .\n'


def graph_rows(store: EmbeddedStore) -> set[tuple[str, str]]:
    return {(q.subject.value, q.graph_name.value) for q in store.pyoxigraph}  # type: ignore[union-attr]


def test_replace_graphs_sets_exactly_the_given_quads_and_drops_vanished_graphs() -> None:
    store = EmbeddedStore(None)
    source = f"{EX}source"
    first = quad("a", "1", source) + quad("l1", "x", CONSENT + "1") + quad("l2", "y", CONSENT + "2")
    report = store.replace_graphs(first, graphs=[source], prefix=CONSENT)
    assert (report.added, report.removed) == (3, 0)
    # learner 2 is gone from the source, learner 1 changed, learner 3 is new
    second = (
        quad("a", "1", source) + quad("l1", "z", CONSENT + "1") + quad("l3", "w", CONSENT + "3")
    )
    report = store.replace_graphs(second, graphs=[source], prefix=CONSENT)
    assert (report.quads_before, report.removed, report.added, report.quads_after) == (3, 2, 2, 3)
    assert graph_rows(store) == {
        (f"{EX}a", source),
        (f"{EX}l1", CONSENT + "1"),
        (f"{EX}l3", CONSENT + "3"),
    }
    again = store.replace_graphs(second, graphs=[source], prefix=CONSENT)
    assert (again.removed, again.added) == (0, 0)


def test_replace_graphs_leaves_other_graphs_alone() -> None:
    store = EmbeddedStore(None)
    store.replace_graph(f"{EX}other", f'<{EX}o> <{EX}p> "keep" .\n')
    store.replace_graphs(quad("a", "1", f"{EX}source"), graphs=[f"{EX}source"], prefix=CONSENT)
    store.replace_graphs("", graphs=[f"{EX}source"], prefix=CONSENT)
    assert graph_rows(store) == {(f"{EX}o", f"{EX}other")}


def test_a_quad_outside_the_replaced_graphs_is_refused_and_nothing_changes() -> None:
    store = EmbeddedStore(None)
    with pytest.raises(BadInputError, match=r"outside the graphs being replaced.*elsewhere"):
        store.replace_graphs(
            quad("a", "1", f"{EX}source") + quad("b", "2", f"{EX}elsewhere"),
            graphs=[f"{EX}source"],
        )
    assert len(store.pyoxigraph) == 0
