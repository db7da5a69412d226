"""The W3C SPARQL 1.1 Graph Store Protocol tests, replayed against ``/store``.

One test per manifest entry (``tests/cases/graph-store-protocol/``: 4 direct, 9 indirect),
each on a fresh store, every request sent by a participant with the writer role. The
runner substitutes what SOURCE.md there says: ``/gsp`` becomes our ``/store`` paths and the
test graphs' IRIs become source graphs, because writers may change source graphs only.

Not applicable, and checked instead: ``put_get_default`` writes the default graph, which
here is the merge of the public graphs and cannot be written; its PUT must be refused
with 403 and the JSON error (and ``GET ?default`` must still answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from skillsgraph.api import create_app
from skillsgraph.config import Settings
from skillsgraph.consent import Registry, hash_token
from skillsgraph.store import EmbeddedStore
from tests.api.conftest import parse_rdf

CASES_DIR = Path(__file__).parents[1] / "cases" / "graph-store-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
W3C_GRAPHS = "http://www.example/gsp/"
OUR_GRAPHS = "https://w3id.org/skillsgraph/graph/source/w3c-gsp/"
WRITER = {"authorization": "Bearer writer-token"}
DEFAULT_GRAPH_WRITE = "put_get_default"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # exact codes, or 2 for "any 2xx"
    expected: rdflib.Graph | None
    location: str | None


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    requests: list[Request]


def _path(text: str) -> str:
    for old, new in (
        (quote(W3C_GRAPHS, safe=""), quote(OUR_GRAPHS, safe="")),
        (W3C_GRAPHS, OUR_GRAPHS),
    ):
        text = text.replace(old, new)
    if text.startswith("/gsp/"):
        return "/store/source/w3c-gsp/" + text.removeprefix("/gsp/")
    return "/store" + text.removeprefix("/gsp")


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> Request:
    headers = {}
    listed = graph.value(node, HT.headers)
    if listed is not None:
        for header in Collection(graph, listed):
            headers[str(graph.value(header, HT.fieldName))] = str(
                graph.value(header, HT.fieldValue)
            )
    body_node = graph.value(node, HT.body)
    body = None if body_node is None else str(graph.value(body_node, CNT.chars)).encode()
    response = graph.value(node, HT.resp)
    statuses = set()
    for status in graph.objects(response, MF.expectedStatus):
        name = str(status).removeprefix(str(HTS))
        statuses.add(2 if name == "StatusCode2xx" else STATUS[name])
    expected = None
    expected_body = graph.value(response, HT.body)
    if expected_body is not None:
        expected = parse_rdf(str(graph.value(expected_body, CNT.chars)), "text/turtle")
    location = graph.value(response, MF.expectedLocation)
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=_path(str(graph.value(node, HT.absolutePath))),
        headers=headers,
        body=body,
        statuses=statuses,
        expected=expected,
        location=None if location is None else str(location),
    )


def _cases() -> list[Case]:
    cases = []
    for manifest_file in sorted(CASES_DIR.glob("manifest-*.ttl")):
        graph = rdflib.Graph().parse(manifest_file, format="turtle")
        manifest = next(graph.subjects(RDF.type, MF.Manifest))
        for entry in Collection(graph, graph.value(manifest, MF.entries)):
            action = graph.value(entry, MF.action)
            requests = Collection(graph, graph.value(action, HT.requests))
            name = str(entry).rsplit("#", 1)[-1]
            title = str(graph.value(entry, MF.name))
            cases.append(Case(name, title, [_request(graph, r) for r in requests]))
    return cases


CASES = _cases()


@pytest.fixture
def writer_client(settings: Settings) -> Iterator[TestClient]:
    registry = Registry.from_mapping(
        {
            "participants": {
                "publisher": {
                    "name": "Publisher",
                    "tokens": [hash_token("writer-token")],
                    "purposes": [],
                    "roles": ["writer"],
                }
            }
        }
    )
    store = EmbeddedStore(None)
    with TestClient(create_app(settings, store, registry=registry)) as client:
        yield client
    store.close()


def test_the_manifests_are_read_whole() -> None:
    assert len(CASES) == 13
    assert len({c.name for c in CASES}) == 13


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_graph_store_protocol(writer_client: TestClient, case: Case) -> None:
    variables: dict[str, str] = {}
    for request in case.requests:
        path = request.path
        for name, value in variables.items():
            path = path.replace(name, quote(value, safe=":/"))
        response = writer_client.request(
            request.method, path, headers={**request.headers, **WRITER}, content=request.body
        )
        if case.name == DEFAULT_GRAPH_WRITE and request.method == "PUT":
            assert response.status_code == 403, response.text
            assert "default graph" in response.json()["error"]["detail"]
            continue
        if case.name == DEFAULT_GRAPH_WRITE:  # GET ?default: the (here empty) merge
            assert response.status_code == 200, response.text
            continue
        code = response.status_code
        assert code in request.statuses or code // 100 in request.statuses, (
            case.title,
            request.method,
            path,
            response.text,
        )
        if request.location is not None:
            variables[request.location] = response.headers["location"]
        if request.expected is not None:
            media_type = response.headers["content-type"].split(";")[0]
            assert isomorphic(parse_rdf(response.content, media_type), request.expected)


def test_the_sources_are_recorded() -> None:
    source = (CASES_DIR / "SOURCE.md").read_text()
    assert "ad541a5f0479f0798608c4801369d97b8e08b36f" in source
    assert (CASES_DIR / "LICENSE.md").is_file()
