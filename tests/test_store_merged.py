"""The embedded store's merged copy of the public graphs: used only while it is exact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from skillsgraph.store import EmbeddedStore
from skillsgraph.store.embedded import MERGED

EX = "http://ex.org/"
A, B, C, OTHER = (f"{EX}graph/{name}" for name in ("a", "b", "c", "other"))
ALL_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def triple(s: str, o: str = "1") -> str:
    return f'<{EX}{s}> <{EX}p> "{o}" .\n'


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.add_triples(A, triple("shared") + triple("a"))
    store.add_triples(B, triple("shared") + triple("b"))
    store.add_triples(C, triple("c"))
    store.add_triples(OTHER, triple("other"))
    assert store.merge([A, B]) == 3
    return store


def rows(store: EmbeddedStore, default: list[str], sparql: str = ALL_ROWS) -> list[str]:
    result = store.query(sparql, default_graphs=default, named_graphs=default)
    assert isinstance(result, ox.QuerySolutions)
    return sorted(" ".join(str(term) for term in row) for row in result)


def reference(store: EmbeddedStore, default: list[str]) -> list[str]:
    """The default graph as the RDF merge of ``default``, from pyoxigraph directly."""
    result = store.pyoxigraph.query(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {ALL_ROWS.split('WHERE')[1]} }}",
        default_graph=[ox.NamedNode(g) for g in default],
    )
    assert isinstance(result, ox.QuerySolutions)
    return sorted(" ".join(str(term) for term in row) for row in result)


def test_a_query_over_all_the_merged_graphs_reads_the_copy_as_one_merge(
    store: EmbeddedStore,
) -> None:
    # pyoxigraph alone repeats the triple both graphs hold; the merge holds it once
    repeated = store.pyoxigraph.query(ALL_ROWS, default_graph=[ox.NamedNode(A), ox.NamedNode(B)])
    assert len(list(repeated)) == 4  # type: ignore[arg-type]
    assert rows(store, [A, B]) == reference(store, [A, B]) and len(rows(store, [A, B])) == 3
    assert rows(store, [A, B, C]) == reference(store, [A, B, C])  # the copy beside C
    assert len(rows(store, [A])) == 2  # one of them only: the graph itself
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert rows(store, [A, B], named) == [f"<{A}>", f"<{B}>"]  # the copy is never named


WRITES: dict[str, Callable[[EmbeddedStore], object]] = {
    "replace_graph with blank nodes": lambda s: s.replace_graph(
        A, triple("shared") + f'_:x <{EX}p> "2" .\n'
    ),
    "replace_graph, first load": lambda s: (
        (s.update(f"DROP GRAPH <{A}>"), s.merge([A, B])) and s.replace_graph(A, triple("new"))
    ),
    "replace_graphs": lambda s: s.replace_graphs(f'<{EX}new> <{EX}p> "1" <{A}> .\n', graphs=[A]),
    "update naming the graph": lambda s: s.update(
        f"DELETE DATA {{ GRAPH <{A}> {{ {triple('shared').rstrip(' .' + chr(10))} }} }} ; "
        f"INSERT DATA {{ GRAPH <{A}> {{ {triple('new')} }} }}"
    ),
    "update with a prefixed name": lambda s: s.update(
        f"PREFIX g: <{EX}graph/> INSERT DATA {{ GRAPH g:a {{ {triple('new')} }} }}"
    ),
    "update with a variable graph": lambda s: s.update(
        f'INSERT {{ GRAPH ?g {{ ?s <{EX}p> "2" }} }} WHERE {{ GRAPH ?g {{ ?s <{EX}p> "1" }} '
        'FILTER(STRENDS(STR(?g), "/a")) }'
    ),
    "delete where with a variable graph": lambda s: s.update(
        f'DELETE WHERE {{ GRAPH ?g {{ <{EX}shared> <{EX}p> "1" }} }}'
    ),
    "update with a relative IRI": lambda s: s.update(
        f"BASE <{EX}graph/> INSERT DATA {{ GRAPH <b> {{ {triple('new')} }} }}"
    ),
    "move into a merged graph": lambda s: s.update(f"MOVE <{C}> TO <{A}>"),
    "drop all": lambda s: s.update("DROP ALL"),
    "clear named": lambda s: s.update("CLEAR NAMED"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_that_may_touch_a_merged_graph_stops_the_copy(
    store: EmbeddedStore, write: Callable[[EmbeddedStore], object]
) -> None:
    before = rows(store, [A, B])
    write(store)
    after = rows(store, [A, B])
    # as sets: without its copy, pyoxigraph repeats a triple two graphs hold
    assert set(after) == set(reference(store, [A, B]))
    assert set(after) != set(before)
    assert store.merged == frozenset()  # not used again until rebuilt


def test_added_triples_go_to_the_copy_too_and_it_stays_in_use(store: EmbeddedStore) -> None:
    store.add_triples(A, triple("added"))
    assert store.merged == {A, B}
    assert rows(store, [A, B]) == reference(store, [A, B])
    assert f'<{EX}added> <{EX}p> "1"' in rows(store, [A, B])


def test_replacing_a_merged_graph_changes_the_copy_in_the_same_update(
    store: EmbeddedStore,
) -> None:
    store.replace_graph(A, triple("a", "2") + triple("new"))  # "shared" leaves A, not B
    assert store.merged == {A, B}
    assert rows(store, [A, B]) == reference(store, [A, B])
    assert f'<{EX}shared> <{EX}p> "1"' in rows(store, [A, B])
    assert f'<{EX}a> <{EX}p> "1"' not in rows(store, [A, B])
    store.replace_graph(B, triple("b"))  # now "shared" is in no merged graph
    assert store.merged == {A, B}
    assert rows(store, [A, B]) == reference(store, [A, B])
    assert store.count(MERGED) == 3


def test_an_emptied_graph_leaves_the_merge(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.add_triples(A, triple("shared") + triple("a"))
    store.add_triples(B, triple("shared") + triple("b"))
    store.merge([A, B])
    store.replace_graph(A, "")  # as the Graph Store Protocol's DELETE does
    assert store.count(A) == 0 and store.merged == {B}
    assert rows(store, [B]) == reference(store, [B]) and store.count(MERGED) == 2
    store.close()
    del store
    reopened = EmbeddedStore(tmp_path / "store")
    assert reopened.merged == {B}  # the marker says so too
    reopened.replace_graph(B, "")  # the last merged graph: the copy stops
    assert reopened.merged == frozenset()
    reopened.close()


def test_writes_to_other_graphs_keep_the_copy_in_use(store: EmbeddedStore) -> None:
    # GRAPH ?g in a WHERE clause reads: it writes no graph it does not name
    store.update(f"INSERT {{ GRAPH <{OTHER}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    store.update(f"INSERT DATA {{ GRAPH <{OTHER}> {{ {triple('more')} }} }}")
    store.update(f"DELETE WHERE {{ GRAPH <{OTHER}> {{ ?s ?p ?o }} }}")
    store.replace_graph(C, triple("c", "2"))
    store.add_triples(OTHER, triple("again"))
    # rewriting a merged graph with what it holds writes nothing
    store.replace_graph(A, triple("shared") + triple("a"))
    unchanged = "".join(
        f"{t.rstrip(' .' + chr(10))} <{A}> .\n" for t in (triple("shared"), triple("a"))
    )
    store.replace_graphs(unchanged, graphs=[A])
    assert store.merged == {A, B}


def test_a_merge_is_rebuilt_only_when_it_is_not_exact(store: EmbeddedStore) -> None:
    store.pyoxigraph.add(
        ox.Quad(
            ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.Literal("9"), ox.NamedNode(MERGED)
        )
    )
    assert store.merge([A, B]) == 4  # already exact: nothing rewritten (this planted quad stays)
    assert store.merge([A, B, C]) == 4  # another set: rebuilt from the graphs
    assert rows(store, [A, B, C]) == reference(store, [A, B, C])


def test_the_copy_is_used_after_reopening_only_while_exact(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.add_triples(A, triple("a"))
    store.merge([A])
    store.close()
    del store
    store = EmbeddedStore(path)
    assert store.merged == {A}
    store.update(f"INSERT DATA {{ GRAPH <{A}> {{ {triple('new')} }} }}")
    store.close()
    del store
    store = EmbeddedStore(path)
    assert store.merged == frozenset()
    assert rows(store, [A]) == reference(store, [A]) and len(rows(store, [A])) == 2


def test_a_merge_after_a_change_keeps_blank_node_structures(store: EmbeddedStore) -> None:
    listed = f'<{EX}x> <{EX}p> _:b .\n_:b <{EX}q> "v" .\n_:b <{EX}q> "w" .\n'
    store.add_triples(C, listed)
    store.merge([A, B, C])
    store.replace_graph(A, triple("a", "2"))  # the copy stops; the next merge is a delta
    assert store.merge([A, B, C]) == len(reference(store, [A, B, C]))
    assert store.merged == {A, B, C}
    through = f"SELECT ?v WHERE {{ <{EX}x> <{EX}p> ?b . ?b <{EX}q> ?v }}"
    assert rows(store, [A, B, C], through) == ['"v"', '"w"']
    ours, theirs = rows(store, [A, B, C]), reference(store, [A, B, C])
    assert len(ours) == len(theirs)  # the same triples; a blank node's label differs
    assert [r for r in ours if "_:" not in r] == [r for r in theirs if "_:" not in r]
