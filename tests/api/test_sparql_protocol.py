"""The W3C SPARQL 1.1 Protocol tests, replayed against a running ``skillsgraph serve``.

One test per manifest entry (``tests/cases/sparql11-protocol/manifest.ttl``, 34 entries),
run with httpx over HTTP. The runner substitutes what the manifest asks it to (the
``/sparql/`` path prefix) and puts the test graphs among the endpoint's public source
graphs (see SOURCE.md there), since the endpoint lets a query name only graphs it may read.

What does not apply, and what is checked instead:
- the seven ``update_*`` tests expect anonymous SPARQL Updates that start with
  ``CLEAR ALL`` (and use ``using-graph-uri`` or graphs outside the data space) to succeed.
  Here only participants with the writer role may update, and only source graphs: ``CLEAR
  ALL`` would erase the consent graphs. So each update, sent as the manifest writes it
  (without a token), must be refused with 401 and the JSON error, and the follow-up
  queries that check its effect are not run. Update semantics are tested in
  ``test_writes.py``.
Every other entry (queries, datasets, content types, and the ``bad_*`` requests, including
the bad updates) is replayed as written.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF

from tests.api.conftest import PROTOCOL_CASES, W3C_DATA, W3C_GRAPHS, Server, parse_rdf

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
MANIFEST = PROTOCOL_CASES / "manifest.ttl"
READ_ONLY = {
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
}
SELECT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # accepted status classes: 2 for 2xx, ...
    format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    requests: list[Request]


def _substitute(text: str) -> str:
    """The test graphs' IRIs, as written and percent-encoded, → our public test graphs."""
    for old, new in (
        (W3C_DATA, W3C_GRAPHS),
        (quote(W3C_DATA, safe=""), quote(W3C_GRAPHS, safe="")),
    ):
        text = text.replace(old, new)
    return text


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> Request:
    path = _substitute(str(graph.value(node, HT.absolutePath)))
    assert path.startswith("/sparql/")
    headers: dict[str, str] = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(
                graph.value(header, HT.fieldValue)
            )
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = _substitute(str(graph.value(body_node, CNT.chars))).encode(encoding.lower())
    response = graph.value(node, HT.resp)
    statuses = {
        int(str(s).removeprefix(HTS)[0]) for s in graph.objects(response, MF.expectedStatus)
    }
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path="/sparql" + path.removeprefix("/sparql/"),
        headers=headers,
        body=body,
        statuses=statuses,
        format=None if expected_format is None else str(expected_format),
        boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
    )


def _cases() -> list[Case]:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = [_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests))]
        name = str(entry).rsplit("#", 1)[-1]
        cases.append(Case(name, str(graph.value(entry, MF.name)), requests))
    return cases


CASES = _cases()


def test_the_manifest_is_read_whole() -> None:
    assert len(CASES) == 34
    assert {c.name for c in CASES} >= READ_ONLY


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(server: Server, case: Case) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        if case.name in READ_ONLY:
            update = case.requests[0]
            response = _send(http, update)
            assert response.status_code in (400, 401), (case.title, response.text)
            detail = response.json()["error"]["detail"]
            assert "writer role" in detail or "graph-uri" in detail
            return
        for request in case.requests:
            response = _send(http, request)
            assert response.status_code // 100 in request.statuses, (case.title, response.text)
            if request.format is not None:
                _check_format(response, request)


def _send(http: httpx.Client, request: Request) -> httpx.Response:
    return http.request(request.method, request.path, headers=request.headers, content=request.body)


def _check_format(response: httpx.Response, request: Request) -> None:
    media_type = response.headers["content-type"].split(";")[0].strip()
    if request.format == "boolean":
        assert media_type in {"application/sparql-results+json", "application/sparql-results+xml"}
        value = _boolean(response.content, media_type)
        if request.boolean is not None:
            assert value is request.boolean
    elif request.format == "tabular":
        assert media_type in SELECT_TYPES
        formats = {
            "application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "text/tab-separated-values": ox.QueryResultsFormat.TSV,
        }
        if media_type in formats:
            assert isinstance(
                ox.parse_query_results(response.content, format=formats[media_type]),
                ox.QuerySolutions,
            )
    else:
        assert request.format == "RDF" and media_type in RDF_TYPES
        parse_rdf(response.content, media_type)


def _boolean(content: bytes, media_type: str) -> bool:
    if media_type == "application/sparql-results+json":
        return bool(json.loads(content)["boolean"])
    element = ET.fromstring(content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


def test_the_sources_are_recorded() -> None:
    source = (PROTOCOL_CASES / "SOURCE.md").read_text()
    assert "ad541a5f0479f0798608c4801369d97b8e08b36f" in source
    assert Path(PROTOCOL_CASES / "LICENSE.md").is_file()
