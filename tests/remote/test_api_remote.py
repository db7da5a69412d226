"""The SPARQL endpoint (``create_app``) with each backend behind it: the same answers as
the embedded store gives, and personal data out of reach."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from skillsgraph.api import create_app
from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore, Store
from tests.api.conftest import SECRET, load_sample

pytestmark = pytest.mark.slow

ESCO = "https://w3id.org/skillsgraph/graph/source/esco"
JOBS = "https://w3id.org/skillsgraph/graph/source/job_postings"
CONSENT = "https://w3id.org/skillsgraph/graph/consent/c1"
QUERIES = [
    {
        "query": "PREFIX esco: <http://data.europa.eu/esco/model#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?occupation ?label WHERE { ?occupation esco:relatedEssentialSkill ?s . "
        '?s skos:prefLabel ?label FILTER(lang(?label) = "en") }'
    },
    {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
    {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": JOBS},
    {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
    {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": [ESCO]},
    {"query": f"SELECT (COUNT(*) AS ?n) FROM <{JOBS}> WHERE {{ ?s ?p ?o }}"},
    {"query": "ASK { ?s a <http://data.europa.eu/esco/model#Occupation> }"},
]
PROBES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT * WHERE {{ GRAPH <{CONSENT}> {{ ?s ?p ?o }} }}",
    f"SELECT * FROM <{CONSENT}> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM <{ESCO}> FROM NAMED <{CONSENT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DESCRIBE <https://w3id.org/skillsgraph/id/learner/l1>",
]


@pytest.fixture
def client(any_store: Store, settings: Settings) -> Iterator[TestClient]:
    load_sample(any_store)
    with TestClient(create_app(settings, any_store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reference() -> Iterator[TestClient]:
    """The same sample in the embedded store: the answers to expect."""
    store = EmbeddedStore(None)
    load_sample(store)
    with TestClient(create_app(Settings(store="memory"), store)) as test_client:
        yield test_client


def _answer(client: TestClient, params: dict[str, object]) -> object:
    response = client.post("/sparql", data=params, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    body = response.json()
    if "boolean" in body:
        return body["boolean"]
    rows = [
        tuple(sorted((k, v["value"]) for k, v in row.items()))
        for row in body["results"]["bindings"]
    ]
    return sorted(rows)


@pytest.mark.parametrize("params", QUERIES, ids=range(len(QUERIES)))
def test_the_endpoint_answers_as_with_the_embedded_store(
    client: TestClient, reference: TestClient, params: dict[str, object]
) -> None:
    answer = _answer(client, params)
    assert answer == _answer(reference, params)
    assert answer not in ([], [(("n", "0"),)])  # the query found something


def test_a_graph_result_is_the_same_graph(client: TestClient, reference: TestClient) -> None:
    query = {"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{JOBS}> {{ ?s ?p ?o }} }}"}
    headers = {"Accept": "application/n-triples"}
    ours = client.post("/sparql", data=query, headers=headers)
    theirs = reference.post("/sparql", data=query, headers=headers)
    assert ours.status_code == 200 and ours.text
    assert sorted(ours.text.splitlines()) == sorted(theirs.text.splitlines())


@pytest.mark.parametrize("query", PROBES)
def test_personal_data_is_never_reachable(client: TestClient, query: str) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code in (200, 403), response.text
    assert SECRET not in response.text
    if response.status_code == 200:
        assert "consent" not in response.text


def test_a_syntax_error_is_400(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
