"""Fixtures for the serving layer: a sample store, a ``client`` from ``create_app()``, and a
real ``skillsgraph serve`` process on 127.0.0.1 for end-to-end tests with real clients."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from skillsgraph.api import Limits, create_app
from skillsgraph.config import Settings
from skillsgraph.consent.scope import merge_public
from skillsgraph.store import EmbeddedStore, Store

DATA = Path(__file__).parent / "data"
PROTOCOL_CASES = Path(__file__).parents[1] / "cases" / "sparql11-protocol"
SKILL = "http://data.europa.eu/esco/skill/"
OCCUPATION = "http://data.europa.eu/esco/occupation/"
PYTHON = f"{SKILL}11111111-1111-4111-8111-111111111111"
TEACH = f"{SKILL}22222222-2222-4222-8222-222222222222"
CUSTOMER_SERVICE = f"{SKILL}33333333-3333-4333-8333-333333333333"
PROGRAMMING = f"{SKILL}99999999-9999-4999-8999-999999999999"
DATA_SCIENTIST = f"{OCCUPATION}aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
PYTHON_DEVELOPER = f"{OCCUPATION}bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
SECRET = "SECRET-"  # every personal or consent-machinery literal in the sample has it
# The W3C protocol tests' graph IRIs, and where the replay puts them: public source graphs.
W3C_DATA = "http://kasei.us/2009/09/sparql/data/"
W3C_GRAPHS = "https://w3id.org/skillsgraph/graph/source/w3c-protocol/"


def load_sample(store: Store, *, protocol_data: bool = False) -> None:
    """Load the sample (and, if asked, the W3C protocol tests' data) graph by graph."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=DATA / "sample.trig", format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs[quad.graph_name.value].append(quad.triple)
    for graph, triples in graphs.items():
        store.add_triples(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode())
    if protocol_data:
        for n in (1, 2, 3):
            graph = f"{W3C_GRAPHS}data{n}.rdf"
            text = (PROTOCOL_CASES / f"data{n}.nt").read_text().replace(W3C_DATA, W3C_GRAPHS)
            store.add_triples(graph, text)
            store.add_triples(
                "https://w3id.org/skillsgraph/graph/provenance",
                f"<https://w3id.org/skillsgraph/id/load/w3c-{n}> "
                f"<https://w3id.org/skillsgraph/ontology#targetGraph> <{graph}> .\n",
            )


def parse_rdf(data: bytes | str, media_type: str) -> rdflib.Graph:
    """A response body as an rdflib graph (rdflib's JSON-LD parser warns about its own
    deprecated internals; that is not ours to fix)."""
    formats = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/n-quads": "nquads",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph()
        if media_type == "application/n-quads":
            dataset = rdflib.Dataset()
            dataset.parse(data=data, format="nquads")
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
            return graph
        return graph.parse(data=data, format=formats[media_type])


@pytest.fixture
def esco_store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(None)
    load_sample(store)
    yield store
    store.close()


@pytest.fixture
def client(settings: Settings, esco_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, esco_store)) as test_client:
        yield test_client


def make_client(settings: Settings, store: Store, limits: Limits) -> TestClient:
    """A client for an app with other limits (use as a context manager)."""
    return TestClient(create_app(settings, store, limits=limits))


@dataclass(frozen=True)
class Server:
    """A running ``skillsgraph serve``: its base URL and its store's location."""

    url: str
    store: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``skillsgraph serve`` in its own process over an on-disk sample store, on 127.0.0.1
    and a free port; stopped (SIGTERM, then kill) when the session ends."""
    path = tmp_path_factory.mktemp("served") / "store"
    store = EmbeddedStore(path)
    load_sample(store, protocol_data=True)
    # as `skillsgraph ingest` leaves it: every test of the server then runs with the
    # merged copy of the public graphs in use, and its writes must stop that use; the
    # server rebuilds the copy a second after the writes pause, so tests that follow the
    # protocol tests' writes may run beside a rebuild or with the rebuilt copy
    assert merge_public(store, Settings(store=str(path)))
    store.close()
    del store  # release the RocksDB lock for the server process
    port = _free_port()
    command = [sys.executable, "-m", "skillsgraph.cli", "serve", "--store", str(path)]
    log = tmp_path_factory.mktemp("server-log") / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--query-timeout", "10", "--remerge-after", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Server(url, path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"skillsgraph serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/sparql", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"skillsgraph serve did not answer within 30 s:\n{log.read_text()}")


def chromium_executable() -> str:
    """Debian's Chromium (installed by scripts/ensure-chromium.sh), or skip/fail."""
    found = os.environ.get("SKILLSGRAPH_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None
    )
    if found is None:
        message = "no Chromium: run scripts/ensure-chromium.sh (or set SKILLSGRAPH_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
