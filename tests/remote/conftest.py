"""Fixtures for the remote-store tests: Oxigraph server and Virtuoso, each started once per
session on 127.0.0.1 (tests/remote/servers.py) and stopped at the end, and ``any_store``:
the same test against the embedded store and both servers, each test on empty data.

A server that cannot be installed or started fails these tests, unless
``SKILLSGRAPH_SKIP_REMOTE=1`` is set: then they are skipped, saying so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore, Store
from skillsgraph.store.remote import STAGING, RemoteStore
from tests.consent.conftest import World, build_world, grant_three
from tests.remote.servers import Kind, Server, ServerError, start

BACKENDS = ("embedded", "oxigraph", "virtuoso")
SKIP = os.environ.get("SKILLSGRAPH_SKIP_REMOTE") == "1"


def _server(kind: Kind, factory: pytest.TempPathFactory) -> Iterator[Server]:
    try:
        server = start(kind, factory.mktemp(kind))
    except ServerError as exc:
        if SKIP:
            pytest.skip(f"SKILLSGRAPH_SKIP_REMOTE=1: the {kind} tests are NOT run: {exc}")
        pytest.fail(
            f"the {kind} server could not be started: {exc}\n(set SKILLSGRAPH_SKIP_REMOTE=1 "
            "to skip the remote-store tests on a machine without it)",
            pytrace=False,
        )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server("oxigraph", tmp_path_factory)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server("virtuoso", tmp_path_factory)


def remote(server: Server) -> RemoteStore:
    """A store on ``server``, configured as a user would: location plus environment."""
    return RemoteStore.open(server.location, env=server.env)


def wipe(store: RemoteStore) -> None:
    """Drop every graph of ours (and any staging graph), never the server's own."""
    leftovers = store.graphs() + _staging(store)
    for first in range(0, len(leftovers), 400):  # Virtuoso refuses ~1,000 operations at once
        batch = leftovers[first : first + 400]
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in batch))
    if not store.is_virtuoso:
        store.update("CLEAR SILENT DEFAULT")


def _staging(store: RemoteStore) -> list[str]:
    result = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
    )
    return [row["g"].value for row in result]  # type: ignore[union-attr]


def open_backend(request: pytest.FixtureRequest, backend: str) -> Store:
    """An empty store of ``backend`` (servers are started on first use)."""
    if backend == "embedded":
        return EmbeddedStore(None)
    server: Server = request.getfixturevalue(f"{backend}_server")
    store = remote(server)
    wipe(store)
    return store


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store: embedded, Oxigraph server or Virtuoso."""
    store = open_backend(request, request.param)
    yield store
    store.close()


@pytest.fixture(params=BACKENDS[1:])
def remote_store(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    """An empty remote store: Oxigraph server or Virtuoso."""
    store = open_backend(request, request.param)
    assert isinstance(store, RemoteStore)
    yield store
    store.close()


@pytest.fixture
def world(any_store: Store, settings: Settings) -> World:
    """The consent tests' small data space (tests/consent/conftest.py) in ``any_store``."""
    return build_world(any_store, settings)


@pytest.fixture
def granted(world: World) -> World:
    return grant_three(world)


@pytest.fixture
def erasure_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLSGRAPH_ERASURE_KEY", "test-erasure-key")
