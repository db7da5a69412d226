"""The Store protocol, the same on the embedded store, Oxigraph server and Virtuoso."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pytest

from skillsgraph.errors import BadInputError, StoreUnavailableError
from skillsgraph.store import Store, open_store
from skillsgraph.store.remote import RemoteStore
from tests.remote.conftest import remote
from tests.remote.servers import Server

pytestmark = pytest.mark.slow

EX = "http://ex.org/"
A, B, C = f"{EX}a", f"{EX}b", f"{EX}c"
CONSENT = "https://w3id.org/skillsgraph/graph/consent/learners-"


def nt(s: str, o: str) -> str:
    return f'<{EX}{s}> <{EX}p> "{o}" .\n'


def quad(s: str, o: str, g: str) -> str:
    return f'<{EX}{s}> <{EX}p> "{o}" <{g}> .\n'


def subjects(result: object, name: str = "s") -> set[str]:
    assert isinstance(result, ox.QuerySolutions)
    return {row[name].value for row in result if row[name] is not None}


def filled(store: Store) -> list[str]:
    """The graphs that hold triples (the embedded store also lists graphs emptied by a
    delta; a SPARQL server knows only graphs with triples)."""
    return [g for g in store.graphs() if store.count(g)]


@pytest.fixture
def three(any_store: Store) -> Store:
    """Graphs a, b, c with one triple each: subjects a1, b1, c1."""
    for graph, key in ((A, "a1"), (B, "b1"), (C, "c1")):
        any_store.add_triples(graph, nt(key, key))
    return any_store


def test_each_query_form_returns_pyoxigraph_results(three: Store) -> None:
    select = three.query(f"SELECT ?s ?o WHERE {{ GRAPH <{A}> {{ ?s ?p ?o }} }}")
    assert isinstance(select, ox.QuerySolutions)
    assert [(r["s"], r["o"]) for r in select] == [(ox.NamedNode(f"{EX}a1"), ox.Literal("a1"))]
    ask = three.query(f"ASK {{ GRAPH <{B}> {{ <{EX}b1> ?p ?o }} }}")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    assert not bool(three.query(f"ASK {{ GRAPH <{B}> {{ <{EX}a1> ?p ?o }} }}"))
    # (without a dataset, GRAPH ?g also reaches Virtuoso's own graphs: name ours)
    construct = three.query(
        f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{EX}")) }}'
    )
    assert isinstance(construct, ox.QueryTriples)
    assert {str(t) for t in construct} == {f'<{EX}{k}> <{EX}q> "{k}"' for k in ("a1", "b1", "c1")}
    describe = three.query(f"DESCRIBE <{EX}c1>", default_graphs=[C])
    assert isinstance(describe, ox.QueryTriples)
    assert {str(t) for t in describe} == {f'<{EX}c1> <{EX}p> "c1"'}


def test_the_dataset_is_exactly_the_graphs_passed(three: Store) -> None:
    q = three.query
    assert subjects(q("SELECT ?s { ?s ?p ?o }", default_graphs=[A, B])) == {f"{EX}a1", f"{EX}b1"}
    everywhere = "SELECT ?s { GRAPH ?g { ?s ?p ?o } }"
    assert subjects(q(everywhere, default_graphs=[A], named_graphs=[C])) == {f"{EX}c1"}
    assert subjects(q(everywhere, default_graphs=[A], named_graphs=[])) == set()
    assert subjects(q("SELECT ?s { ?s ?p ?o }", default_graphs=[], named_graphs=[A])) == set()
    # a query's own FROM never widens the dataset it is given (Virtuoso merges them)
    widened = (
        f"SELECT ?s FROM <{B}> FROM NAMED <{C}> "
        "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert subjects(q(widened, default_graphs=[A], named_graphs=[A])) == {f"{EX}a1"}
    # without a dataset the query's own FROM applies
    assert subjects(q(f"SELECT ?s FROM <{B}> {{ ?s ?p ?o }}")) == {f"{EX}b1"}


def test_default_graphs_alone_leave_every_graph_reachable_by_name(three: Store) -> None:
    """The shape of the consent layer's application queries: public data in the default
    graph, and GRAPH ?g / GRAPH <g> over every graph."""
    sparql = f"SELECT ?s ?t WHERE {{ ?s ?p ?o GRAPH ?g {{ ?t ?p ?x }} GRAPH <{C}> {{ ?t ?p ?x }} }}"
    rows = three.query(sparql, default_graphs=[A])
    assert isinstance(rows, ox.QuerySolutions)
    assert {(r["s"].value, r["t"].value) for r in rows} == {(f"{EX}a1", f"{EX}c1")}
    graphs = three.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", default_graphs=[A])
    assert subjects(graphs, "g") >= {A, B, C}


def test_update_graphs_and_count(any_store: Store) -> None:
    any_store.update(f"INSERT DATA {{ GRAPH <{A}> {{ {nt('x', '1')} {nt('y', '2')} }} }}")
    any_store.update(f"INSERT DATA {{ GRAPH <{B}> {{ {nt('z', '3')} }} }}")
    assert any_store.graphs() == [A, B]
    assert (any_store.count(A), any_store.count(B), any_store.count(C)) == (2, 1, 0)
    assert any_store.count() == 3
    any_store.update(f"DELETE WHERE {{ GRAPH <{A}> {{ <{EX}x> ?p ?o }} }} ; DROP GRAPH <{B}>")
    assert any_store.graphs() == [A] and any_store.count() == 1


def test_replace_graph_reports_the_delta_and_is_idempotent(any_store: Store) -> None:
    first = any_store.replace_graph(A, nt("1", "a") + nt("2", "b") + nt("3", "c"))
    assert (first.quads_before, first.quads_after, first.removed, first.added) == (0, 3, 0, 3)
    second = any_store.replace_graph(A, nt("1", "a") + nt("2", "B") + nt("4", "d"))
    assert (second.quads_before, second.quads_after, second.removed, second.added) == (3, 3, 2, 2)
    again = any_store.replace_graph(A, nt("4", "d") + nt("2", "B") + nt("1", "a"))
    assert (again.removed, again.added, again.quads_after) == (0, 0, 3)
    rows = any_store.query(f"SELECT ?s ?o {{ GRAPH <{A}> {{ ?s ?p ?o }} }}")
    assert {(r["s"].value, r["o"].value) for r in rows} == {  # type: ignore[union-attr]
        (f"{EX}1", "a"),
        (f"{EX}2", "B"),
        (f"{EX}4", "d"),
    }
    emptied = any_store.replace_graph(A, "")
    assert (emptied.removed, emptied.quads_after) == (3, 0) and filled(any_store) == []


def test_literals_with_line_separators_load_unchanged(any_store: Store) -> None:
    """U+2028, U+0085, U+000B and U+000C may stand unescaped in an N-Triples literal (a
    CORDIS deliverable description holds U+2028); none of them ends a line."""
    odd = "plan\u2028data\u0085next\x0bpage\x0cend"
    literal = odd.replace("\\", "\\\\")
    document = f'<{EX}1> <{EX}p> "{literal}" .\n' + nt("2", "b")
    assert any_store.replace_graph(A, document).quads_after == 2
    changed = any_store.replace_graph(A, document + nt("3", "c"))  # the delta path
    assert (changed.removed, changed.added, changed.quads_after) == (0, 1, 3)
    rows = any_store.query(f"SELECT ?o {{ GRAPH <{A}> {{ <{EX}1> ?p ?o }} }}")
    assert [r["o"].value for r in rows] == [odd]  # type: ignore[union-attr]


def test_blank_nodes_load_as_one_document(any_store: Store) -> None:
    any_store.replace_graph(A, f"_:x <{EX}p> _:y .\n_:y <{EX}p> _:x .\n<{EX}s> <{EX}p> _:x .\n")
    rows = any_store.query(
        f"SELECT ?s WHERE {{ GRAPH <{A}> {{ ?s <{EX}p> ?b . ?b <{EX}p> ?c . ?c <{EX}p> ?b }} "
        "FILTER(isIRI(?s)) }"
    )
    assert subjects(rows) == {f"{EX}s"}
    assert any_store.count(A) == 3


def test_copy_matches_copies_what_the_pattern_matches_blank_nodes_as_themselves(
    any_store: Store,
) -> None:
    any_store.replace_graph(A, nt("1", "a") + f"_:x <{EX}p> _:y .\n<{EX}2> <{EX}q> _:x .\n")
    any_store.replace_graph(B, nt("3", "c") + nt("1", "a"))
    any_store.add_triples(C, f"<{A}> <{EX}keep> <{EX}yes> .\n<{B}> <{EX}keep> <{EX}yes> .\n")
    copy = f"{EX}copy"
    kept = f"GRAPH <{C}> {{ ?g <{EX}keep> <{EX}yes> }}"
    any_store.copy_matches(copy, f"{kept} GRAPH ?g {{ ?s ?p ?o }}")
    assert any_store.count(copy) == 4  # the triple in both graphs once
    # each blank node of the copy is the source's own: the copy can be told from nothing
    rows = any_store.query(
        f"SELECT ?s ?p ?o {{ GRAPH <{copy}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{copy}>) }} }}"
    )
    assert list(rows) == []  # type: ignore[arg-type]
    any_store.update(
        f"DELETE {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{A}> {{ ?s ?p ?o }} }}"
    )
    assert any_store.count(copy) == 1  # only B's own triple is left


def test_replace_graphs_sets_the_source_and_its_prefixed_graphs(any_store: Store) -> None:
    source = f"{EX}source"
    any_store.replace_graph(f"{EX}other", nt("o", "keep"))
    first = quad("a", "1", source) + quad("l1", "x", CONSENT + "1") + quad("l2", "y", CONSENT + "2")
    report = any_store.replace_graphs(first, graphs=[source], prefix=CONSENT)
    assert (report.added, report.removed) == (3, 0)
    second = (
        quad("a", "1", source) + quad("l1", "z", CONSENT + "1") + quad("l3", "w", CONSENT + "3")
    )
    report = any_store.replace_graphs(second, graphs=[source], prefix=CONSENT)
    assert (report.quads_before, report.removed, report.added, report.quads_after) == (3, 2, 2, 3)
    assert filled(any_store) == sorted([f"{EX}other", source, CONSENT + "1", CONSENT + "3"])
    again = any_store.replace_graphs(second, graphs=[source], prefix=CONSENT)
    assert (again.removed, again.added) == (0, 0)
    any_store.replace_graphs("", graphs=[source], prefix=CONSENT)
    assert filled(any_store) == [f"{EX}other"]


def test_a_quad_outside_the_replaced_graphs_is_refused_and_nothing_changes(
    any_store: Store,
) -> None:
    with pytest.raises(BadInputError, match=r"outside the graphs being replaced.*elsewhere"):
        any_store.replace_graphs(
            quad("a", "1", f"{EX}source") + quad("b", "2", f"{EX}elsewhere"),
            graphs=[f"{EX}source"],
        )
    assert any_store.graphs() == [] and any_store.count() == 0


def test_bad_input_is_a_bad_input_error(any_store: Store) -> None:
    with pytest.raises(BadInputError, match="not valid"):
        any_store.query("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(BadInputError, match="not valid"):
        any_store.update("INSERT DATA { <urn:a> <urn:b> }")
    with pytest.raises(BadInputError, match="not valid N-Triples"):
        any_store.replace_graph(A, "<urn:a> <urn:b> .\n")
    with pytest.raises(BadInputError, match="not valid N-Triples"):
        any_store.add_triples(A, "this is not RDF\n")
    assert any_store.count() == 0


def test_large_loads_are_chunked_and_add_triples_appends(remote_store: RemoteStore) -> None:
    small = RemoteStore(dataclasses.replace(remote_store.config, chunk=7))
    lines = "".join(nt(str(n), str(n)) for n in range(100))
    report = small.replace_graph(A, lines)
    assert (report.quads_after, report.added) == (100, 100)
    small.add_triples(A, "".join(nt(str(n), "more") for n in range(50)))
    assert small.count(A) == 150 and small.graphs() == [A]
    small.close()


def test_an_unreachable_server_is_named_without_its_password() -> None:
    store = open_store("sparql+http://someone:s3cret@127.0.0.1:9/sparql")
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:9/sparql.*is it running") as e:
        store.query("ASK {}")
    assert "s3cret" not in str(e.value) and "s3cret" not in store.location
    assert store.location == "sparql+http://someone@127.0.0.1:9/sparql"


def test_wrong_credentials_are_refused_clearly(virtuoso_server: Server) -> None:
    good = remote(virtuoso_server)
    wrong = dataclasses.replace(good.config, password="not-the-password")
    with pytest.raises(StoreUnavailableError, match=r"refused.*SKILLSGRAPH_STORE_PASSWORD"):
        RemoteStore(wrong).update(f"INSERT DATA {{ GRAPH <{C}> {{ {nt('x', '1')} }} }}")
    assert good.count(C) == 0


def test_the_store_is_chosen_by_location_and_environment(
    oxigraph_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in oxigraph_server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SKILLSGRAPH_STORE", oxigraph_server.location)
    from skillsgraph.config import Settings

    store = open_store(Settings().store)
    assert isinstance(store, RemoteStore) and not store.is_virtuoso
    assert store.config.update_url.endswith("/update") and store.config.gsp_url
    assert store.config.gsp_url.endswith("/store")
