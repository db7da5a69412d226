"""The embedded store: atomic replacement of one graph or of a source's set of graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from skillsgraph.errors import BadInputError, StoreUnavailableError
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


class _FailingBulkLoad:
    """A pyoxigraph store whose bulk load writes part of its input, then fails."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def bulk_load(self, data: str, **options: object) -> None:
        half = "\n".join(data.splitlines()[:1]) + "\n"
        self._store.bulk_load(half, **options)  # type: ignore[arg-type]
        raise OSError("disk full")


@pytest.mark.parametrize("personal", [False, True])
def test_a_failed_first_load_leaves_the_graphs_empty(personal: bool) -> None:
    store = EmbeddedStore(None)
    store.add_triples("http://ex.org/other", '<http://ex.org/x> <http://ex.org/p> "kept" .\n')
    real = store.pyoxigraph
    store._store = _FailingBulkLoad(real)  # type: ignore[assignment]
    with pytest.raises(StoreUnavailableError, match="disk full"):
        if personal:
            store.replace_graphs(
                '<http://ex.org/a> <http://ex.org/p> "1" <http://ex.org/g/1> .\n'
                '<http://ex.org/b> <http://ex.org/p> "2" <http://ex.org/g/2> .\n',
                prefix="http://ex.org/g/",
            )
        else:
            store.replace_graph(
                "http://ex.org/g/1",
                '<http://ex.org/a> <http://ex.org/p> "1" .\n'
                '<http://ex.org/b> <http://ex.org/p> "2" .\n',
            )
    store._store = real
    assert store.graphs() == ["http://ex.org/other"]
    assert len(real) == 1


def test_compacting_an_on_disk_store_keeps_every_quad_and_the_merged_copy(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    for i in range(3):  # three writes, each flushed into a run of its own
        store.replace_graph(f"{EX}g{i}", quad(f"s{i}", str(i), "ignored").replace(" <ignored>", ""))
        store.pyoxigraph.flush()
    assert store.merge([f"{EX}g0", f"{EX}g1"]) == 2
    before = sorted(str(q) for q in store.pyoxigraph)
    store.compact()
    assert sorted(str(q) for q in store.pyoxigraph) == before
    assert store.merged == {f"{EX}g0", f"{EX}g1"}
    store.close()
    del store
    reopened = EmbeddedStore(tmp_path / "store", read_only=True)
    assert sorted(str(q) for q in reopened.pyoxigraph) == before
    reopened.compact()  # read-only: nothing to do, and no error
    EmbeddedStore(None).compact()  # in memory: likewise
