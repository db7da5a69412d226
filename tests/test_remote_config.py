"""The remote store without a server: its configuration, and the SPARQL text it rewrites
for servers that read SPARQL differently (the servers themselves: tests/remote/)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from skillsgraph.config import Settings
from skillsgraph.errors import BadInputError
from skillsgraph.store import Store, open_store
from skillsgraph.store.remote import RemoteStore
from skillsgraph.store.remote_config import RemoteConfig
from skillsgraph.store.remote_text import (
    for_virtuoso,
    open_graph_constants,
    query_kind,
    silent_drops,
    without_dataset,
)


@pytest.mark.parametrize("module", ["remote_text", "remote_config"])
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"skillsgraph.store.{module}"))
    assert result.attempted and result.failed == 0


def test_a_location_gives_the_endpoints_and_hides_the_password() -> None:
    oxigraph = RemoteConfig.from_location("sparql+http://127.0.0.1:7878/query", env={})
    assert (oxigraph.query_url, oxigraph.update_url, oxigraph.gsp_url) == (
        "http://127.0.0.1:7878/query",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )
    virtuoso = RemoteConfig.from_location(
        "sparql+https://me:p%40ss@db.example.org/sparql-auth",
        env={"SKILLSGRAPH_STORE_AUTH": "DIGEST", "SKILLSGRAPH_STORE_CHUNK": "1000"},
    )
    assert (virtuoso.user, virtuoso.password, virtuoso.auth, virtuoso.chunk) == (
        "me",
        "p@ss",
        "digest",
        1000,
    )
    assert virtuoso.update_url == "https://db.example.org/sparql-auth"
    assert virtuoso.gsp_url == "https://db.example.org/sparql-graph-crud-auth"
    assert virtuoso.location == "sparql+https://me@db.example.org/sparql-auth"
    other = RemoteConfig.from_location(
        "sparql+http://h/repositories/r",
        env={"SKILLSGRAPH_STORE_PASSWORD": "x", "SKILLSGRAPH_STORE_USER": "u"},
    )
    assert (other.user, other.password, other.gsp_url) == ("u", "x", None)


def test_a_bad_location_or_setting_is_named() -> None:
    with pytest.raises(BadInputError, match=r"expected sparql\+http://host"):
        RemoteConfig.from_location("sparql+ftp://h/x", env={})
    with pytest.raises(BadInputError, match="basic or digest"):
        RemoteConfig.from_location("sparql+http://h/q", env={"SKILLSGRAPH_STORE_AUTH": "ntlm"})


def test_open_store_gives_a_remote_store_that_keeps_the_protocol() -> None:
    store = open_store("sparql+http://127.0.0.1:9/query")
    assert isinstance(store, RemoteStore) and isinstance(store, Store)
    assert Settings(store="sparql+http://127.0.0.1:9/query").remote


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("PREFIX s: <urn:x#> SELECT * {}", "select"),
        ("# ASK\nBASE <urn:b> describe <urn:x>", "describe"),
        ('CONSTRUCT { ?s <urn:p> "SELECT" } WHERE {}', "construct"),
        ("ASK {}", "ask"),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update"),
        ("DROP SILENT GRAPH <urn:g>", "update"),
    ],
)
def test_the_kind_of_a_request_is_read_past_prologue_strings_and_comments(
    text: str, kind: str
) -> None:
    assert query_kind(text) == kind


def test_text_that_is_no_sparql_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="expected SELECT"):
        query_kind("SELEC ?x {}")


def test_from_clauses_are_removed_but_not_from_strings_or_iris() -> None:
    text = (
        'PREFIX g: <urn:g:> SELECT ?s FROM g:a FROM NAMED <urn:from> { ?s <urn:p> "FROM <x>" } '
        "# FROM <urn:c>"
    )
    kept = without_dataset(text)
    assert "g:a" not in kept and "FROM NAMED" not in kept
    assert '"FROM <x>"' in kept and "# FROM <urn:c>" in kept


def test_graph_constants_become_variables_with_a_filter_in_the_same_group() -> None:
    text = "PREFIX g: <urn:g:> SELECT ?s { GRAPH g:a { ?s ?p ?o GRAPH <urn:b> { ?s ?q ?r } } }"
    assert open_graph_constants(text) == (
        "PREFIX g: <urn:g:> SELECT ?s { GRAPH ?_graph0 { ?s ?p ?o GRAPH ?_graph1 { ?s ?q ?r } "
        "FILTER(?_graph1 = <urn:b>) } FILTER(?_graph0 = <urn:g:a>) }"
    )


def test_virtuoso_rewrites_leave_standard_text_alone() -> None:
    text = 'SELECT (GROUP_CONCAT(?o; separator=",") AS ?x) { GRAPH <urn:g> { ?s ?p ?o } }'
    assert for_virtuoso(text) == text
    assert silent_drops("DROP SILENT GRAPH <urn:g>") == "DROP SILENT GRAPH <urn:g>"
    assert silent_drops("CLEAR GRAPH <urn:g>") == "CLEAR SILENT GRAPH <urn:g>"


def test_a_server_that_does_not_answer_in_time_is_named_as_such() -> None:
    """Not "cannot reach": the server took the request and did not answer in time."""
    import socket
    import threading

    from skillsgraph.errors import StoreUnavailableError

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    store = RemoteStore.open(
        f"sparql+http://127.0.0.1:{port}/sparql",
        env={
            "SKILLSGRAPH_STORE_TIMEOUT": "0.3",
            "SKILLSGRAPH_UPDATE_URL": f"http://127.0.0.1:{port}/sparql",
        },
    )
    try:
        with pytest.raises(
            StoreUnavailableError, match=r"did not answer the (query|update) within 0\.3 s"
        ):
            store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    finally:
        store.close()
        for connection in held:
            connection.close()
        listener.close()
