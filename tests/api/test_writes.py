"""Writes over HTTP: SPARQL Update and the Graph Store Protocol, for writers, on source
graphs only, each recorded in provenance; nothing personal can be read or written."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from skillsgraph.api import create_app
from skillsgraph.api.writes import check_update
from skillsgraph.config import Settings
from skillsgraph.consent import Registry, consent_graph, hash_token
from skillsgraph.consent.scope import merge_public, public_graphs
from skillsgraph.errors import ConsentDeniedError
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import PUBLIC_SOURCE, learner_triples, load_public

WRITER = {"authorization": "Bearer tok-writer"}
READER = {"authorization": "Bearer tok-reader"}
JSON = {"accept": "application/sparql-results+json"}
UPDATE = {"content-type": "application/sparql-update"}
SOURCE = "https://w3id.org/skillsgraph/graph/source/"
NEW = f"{SOURCE}extra"


@pytest.fixture
def app_store(settings: Settings) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(None)
    load_public(store, settings, PUBLIC_SOURCE, '<http://ex.org/c1> <http://ex.org/p> "C" .\n')
    store.add_triples(consent_graph(settings, "1"), learner_triples(settings, "1"))
    registry = Registry.from_mapping(
        {
            "participants": {
                "writer": {"tokens": [hash_token("tok-writer")], "roles": ["writer"]},
                "reader": {"tokens": [hash_token("tok-reader")]},
            }
        }
    )
    with TestClient(create_app(settings, store, registry=registry)) as client:
        yield client, store
    store.close()


def ask(client: TestClient, query: str) -> bool:
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


# --- which updates a writer may run -----------------------------------------------------


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        ("CLEAR ALL", "ALL is not allowed"),
        ("DROP NAMED", "NAMED is not allowed"),
        ("CLEAR DEFAULT", "DEFAULT is not allowed"),
        ("LOAD <http://ex.org/data.ttl> INTO GRAPH <{src}x>", "LOAD is not allowed"),
        ("DROP GRAPH <{consent}>", "not a source graph"),
        ("DROP <{consent}>", "not a source graph"),
        ("COPY <{consent}> TO <{src}x>", "not a source graph"),
        ("INSERT { GRAPH <{src}x> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", "?g"),
        (
            "INSERT { GRAPH <{src}x> { ?s ?p ?o } } USING <{consent}> WHERE { ?s ?p ?o }",
            "not a source graph",
        ),
        ("INSERT DATA { <http://ex.org/a> <http://ex.org/b> 1 }", "outside GRAPH"),
        ("DELETE WHERE { ?s ?p ?o }", "outside GRAPH"),
        (
            "INSERT { GRAPH <{src}x> { ?s ?p ?o } } WHERE { "
            "SERVICE <http://ex.org/sparql> { ?s ?p ?o } }",
            "SERVICE is not allowed",
        ),
        ("PREFIX c: <{consent_prefix}> DROP GRAPH c:1", "not a source graph"),
        ("DROP GRAPH <https://w3id.org/skillsgraph/graph/ontology>", "not a source graph"),
        (
            'INSERT DATA { GRAPH <{src}x> { <http://ex.org/a> <http://ex.org/b> "1" } } ;'
            " \\u0043LEAR ALL",
            "ALL is not allowed",
        ),
    ],
)
def test_updates_outside_source_graphs_are_refused(
    settings: Settings, update: str, reason: str
) -> None:
    text = (
        update.replace("{src}", SOURCE)
        .replace("{consent_prefix}", settings.graph("consent/"))
        .replace("{consent}", consent_graph(settings, "1"))
    )
    with pytest.raises(ConsentDeniedError, match=reason.replace("?", r"\?")):
        check_update(settings, text)


@pytest.mark.parametrize(
    "update",
    [
        'INSERT DATA { GRAPH <{src}x> { <http://ex.org/a> <http://ex.org/b> "ALL" } }',
        "WITH <{src}x> DELETE { ?s ?p ?o } INSERT { ?s ?p 2 } WHERE { ?s ?p 1 }",
        "INSERT { GRAPH <{src}x> { ?s ?p ?o } } USING NAMED <{src}y> WHERE "
        "{ GRAPH <{src}y> { ?s ?p ?o } }",
        "COPY <{src}y> TO <{src}x> ; DROP SILENT GRAPH <{src}y> # CLEAR ALL",
        "CREATE SILENT GRAPH <{src}x>",
    ],
)
def test_updates_on_source_graphs_are_accepted(settings: Settings, update: str) -> None:
    graphs = check_update(settings, update.replace("{src}", SOURCE))
    assert graphs and all(g.startswith(SOURCE) for g in graphs)


# --- SPARQL Update over HTTP -------------------------------------------------------------


def test_only_writers_update_and_each_update_is_recorded(
    app_store: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, store = app_store
    update = f'INSERT DATA {{ GRAPH <{NEW}> {{ <http://ex.org/n> <http://ex.org/p> "new" }} }}'
    anonymous = client.post("/sparql", content=update, headers=UPDATE)
    assert anonymous.status_code == 401 and "writer role" in anonymous.text
    reader = client.post("/sparql", content=update, headers={**UPDATE, **READER})
    assert reader.status_code == 403 and "writer role" in reader.text
    assert not ask(client, 'ASK { ?s ?p "new" }')
    done = client.post("/sparql", data={"update": update}, headers=WRITER)
    assert done.status_code == 200, done.text
    assert done.json()["updated"] == [NEW]
    assert ask(client, 'ASK { ?s ?p "new" }')  # a new source graph is public at once
    activity = done.json()["provenance"]
    assert ask(
        client,
        f"ASK {{ GRAPH <{settings.graph('provenance')}> {{ <{activity}> "
        f"<https://w3id.org/skillsgraph/ontology#targetGraph> <{NEW}> ; "
        "<http://www.w3.org/ns/prov#wasAssociatedWith> "
        f"<{settings.resource('participant', 'writer')}> }} }}",
    )
    assert store.count(NEW) == 1


def test_an_update_cannot_copy_personal_data_out(
    app_store: tuple[TestClient, EmbeddedStore],
) -> None:
    client, store = app_store
    copy_all = f"INSERT {{ GRAPH <{NEW}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert client.post("/sparql", content=copy_all, headers={**UPDATE, **WRITER}).status_code == 200
    assert store.count(NEW) == 0  # the WHERE read the store's empty default graph
    assert not ask(client, 'ASK { ?s ?p "Region 1" }')


# --- Graph Store Protocol ----------------------------------------------------------------


def test_graph_store_reads_within_the_scope_and_writes_for_writers(
    app_store: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, _ = app_store
    turtle = {"content-type": "text/turtle"}
    body = b'<http://ex.org/a> <http://ex.org/b> "x" .'
    assert client.put(f"/store?graph={NEW}", content=body, headers=turtle).status_code == 401
    assert (
        client.put("/store/source/extra", content=body, headers={**turtle, **READER}).status_code
        == 403
    )
    created = client.put("/store/source/extra", content=body, headers={**turtle, **WRITER})
    assert created.status_code == 201
    again = client.put(f"/store?graph={NEW}", content=body, headers={**turtle, **WRITER})
    assert again.status_code == 204
    got = client.get(f"/store?graph={NEW}", headers={"accept": "application/n-triples"})
    assert got.status_code == 200 and got.text == '<http://ex.org/a> <http://ex.org/b> "x" .\n'
    merged = client.post(
        "/store/source/extra",
        content=b"<http://ex.org/a> <http://ex.org/b> <rel> .",
        headers={**turtle, **WRITER},
    )
    assert merged.status_code == 204
    got = client.get("/store/source/extra", headers={"accept": "application/n-triples"})
    assert f"<{NEW.rsplit('/', 1)[0]}/rel>" in got.text  # relative IRIs: against the graph
    personal = client.get(f"/store?graph={consent_graph(settings, '1')}", headers=WRITER)
    assert personal.status_code == 404
    write_personal = client.put(
        f"/store?graph={consent_graph(settings, '1')}", content=body, headers={**turtle, **WRITER}
    )
    assert write_personal.status_code == 403
    default = client.get("/store?default", headers={"accept": "application/n-triples"})
    assert default.status_code == 200 and "Region" not in default.text and '"x"' in default.text
    bad = client.put("/store/source/extra", content=b"<a> <b> .", headers={**turtle, **WRITER})
    assert bad.status_code == 400 and "not valid text/turtle" in bad.text
    quads = client.put(
        "/store/source/extra",
        content=body,
        headers={"content-type": "application/n-quads", **WRITER},
    )
    assert quads.status_code == 415
    assert client.delete("/store/source/extra", headers=WRITER).status_code == 204
    assert client.delete("/store/source/extra", headers=WRITER).status_code == 404
    assert client.get("/store/source/extra").status_code == 404


def test_post_to_the_store_creates_a_graph(app_store: tuple[TestClient, EmbeddedStore]) -> None:
    client, store = app_store
    created = client.post(
        "/store",
        content=b'<http://ex.org/a> <http://ex.org/b> "y" .',
        headers={"content-type": "text/turtle", **WRITER},
    )
    assert created.status_code == 201
    location = created.headers["location"]
    assert "/store/source/writer-" in location
    assert client.get(location).status_code == 200
    assert client.get("/store", params={"graph": location}).status_code == 200
    graph = SOURCE + location.rsplit("/store/source/", 1)[1]
    assert store.count(graph) == 1


def assert_copy_is_the_merge(store: EmbeddedStore, public: list[str]) -> None:
    """A query over the public graphs (read through the copy) gives their distinct merge."""
    copy = store.query("SELECT ?s ?p ?o { ?s ?p ?o }", default_graphs=public)
    direct = store.pyoxigraph.query(
        "SELECT DISTINCT ?s ?p ?o { ?s ?p ?o }", default_graph=[ox.NamedNode(g) for g in public]
    )
    assert sorted(map(str, copy)) == sorted(map(str, direct))  # type: ignore[arg-type]


def test_the_merged_copy_is_rebuilt_once_the_writes_pause(settings: Settings) -> None:
    """A SPARQL Update stops the use of the embedded store's merged copy of the public
    graphs; the server rebuilds it ``merge_quiet`` seconds after the last write, with the
    writes in."""
    store = EmbeddedStore(None)
    load_public(store, settings, PUBLIC_SOURCE, '<http://ex.org/c1> <http://ex.org/p> "C" .\n')
    assert merge_public(store, settings)
    registry = Registry.from_mapping(
        {"participants": {"writer": {"tokens": [hash_token("tok-writer")], "roles": ["writer"]}}}
    )
    app = create_app(settings, store, registry=registry, merge_quiet=1.0)
    keeper = app.state.skillsgraph.merging
    with TestClient(app) as client:
        triple = '<http://ex.org/a> <http://ex.org/b> "y"'
        first = f"INSERT DATA {{ GRAPH <{SOURCE}{PUBLIC_SOURCE}> {{ {triple} }} }}"
        written = client.post("/sparql", content=first, headers={**UPDATE, **WRITER})
        assert written.status_code == 200 and not store.merged  # the copy is out of use
        time.sleep(0.6)
        update = f'INSERT DATA {{ GRAPH <{NEW}> {{ <http://ex.org/a> <http://ex.org/b> "z" }} }}'
        response = client.post("/sparql", content=update, headers={**UPDATE, **WRITER})
        assert response.status_code == 200, response.text
        time.sleep(0.5)  # past the first write's quiet second, not the second's
        assert keeper.rebuilds == 0 and not store.merged
        deadline = time.monotonic() + 10
        while keeper.rebuilds == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        public = public_graphs(store, settings)
        assert keeper.rebuilds == 1 and store.merged == set(public) and NEW in public
        assert ask(client, 'ASK { <http://ex.org/a> <http://ex.org/b> "y", "z" }')
        assert_copy_is_the_merge(store, public)
    store.close()


def test_graph_store_writes_keep_the_merged_copy_in_use(settings: Settings) -> None:
    """PUT, POST and DELETE of a public graph change the copy in the same transaction:
    it stays in use, exact, and no rebuild is needed."""
    store = EmbeddedStore(None)
    load_public(store, settings, PUBLIC_SOURCE, '<http://ex.org/c1> <http://ex.org/p> "C" .\n')
    load_public(store, settings, "other", '<http://ex.org/c1> <http://ex.org/p> "C" .\n')
    assert merge_public(store, settings)
    registry = Registry.from_mapping(
        {"participants": {"writer": {"tokens": [hash_token("tok-writer")], "roles": ["writer"]}}}
    )
    app = create_app(settings, store, registry=registry, merge_quiet=None)
    turtle = {"content-type": "text/turtle", **WRITER}
    with TestClient(app) as client:
        url = f"/store/source/{PUBLIC_SOURCE}"
        assert (
            client.put(
                url, content=b"<http://ex.org/a> <http://ex.org/b> 1 .", headers=turtle
            ).status_code
            == 204
        )
        assert (
            client.post(
                url, content=b"<http://ex.org/a> <http://ex.org/b> 2 .", headers=turtle
            ).status_code
            == 204
        )
        assert store.merged == set(public_graphs(store, settings))
        assert ask(client, "ASK { <http://ex.org/a> <http://ex.org/b> 1, 2 }")
        assert ask(client, 'ASK { <http://ex.org/c1> <http://ex.org/p> "C" }')  # still in "other"
        assert client.delete("/store/source/other", headers=WRITER).status_code == 204
        public = public_graphs(store, settings)
        assert store.merged == set(public) and f"{SOURCE}other" not in public
        assert not ask(client, 'ASK { <http://ex.org/c1> <http://ex.org/p> "C" }')
        assert_copy_is_the_merge(store, public)
    store.close()


def test_a_server_started_without_the_merged_copy_builds_it(settings: Settings) -> None:
    store = EmbeddedStore(None)
    load_public(store, settings, PUBLIC_SOURCE, '<http://ex.org/c1> <http://ex.org/p> "C" .\n')
    app = create_app(settings, store, merge_quiet=0.1)
    keeper = app.state.skillsgraph.merging
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        while keeper.rebuilds == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert keeper.rebuilds == 1 and store.merged == set(public_graphs(store, settings))
        assert ask(client, 'ASK { <http://ex.org/c1> <http://ex.org/p> "C" }')
    app = create_app(settings, store, merge_quiet=0.1)
    with TestClient(app):  # in use and exact: nothing to do
        time.sleep(0.3)
    assert app.state.skillsgraph.merging.rebuilds == 0
    store.close()
