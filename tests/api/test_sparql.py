"""``/sparql``: the SPARQL 1.1 Protocol over the public graphs, through ``create_app()``."""

from __future__ import annotations

import csv
import doctest
import importlib
import io
import json
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from skillsgraph.api import Limits
from skillsgraph.api.querytext import dataset_clause, uses_service
from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore
from tests.api.conftest import (
    CUSTOMER_SERVICE,
    DATA_SCIENTIST,
    PYTHON,
    SECRET,
    make_client,
    parse_rdf,
)

ESCO = "https://w3id.org/skillsgraph/graph/source/esco"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
JOBS = "https://w3id.org/skillsgraph/graph/source/job_postings"
CONSENT = "https://w3id.org/skillsgraph/graph/consent/c1"
SKILLS_OF_DATA_SCIENTIST = f"""
PREFIX esco: <http://data.europa.eu/esco/model#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?skill ?label WHERE {{
  <{DATA_SCIENTIST}> esco:relatedEssentialSkill ?skill .
  ?skill skos:prefLabel ?label FILTER(lang(?label) = "en")
}}"""


def error_of(response: object) -> dict[str, object]:
    """The one JSON error shape, checked."""
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"status", "title", "detail"}
    assert body["error"]["status"] == response.status_code  # type: ignore[attr-defined]
    return dict(body["error"])


def bindings(response: object) -> list[dict[str, str]]:
    body = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


# --- the three ways to send a query -------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": SKILLS_OF_DATA_SCIENTIST})
    by_form = client.post("/sparql", data={"query": SKILLS_OF_DATA_SCIENTIST})
    by_body = client.post(
        "/sparql",
        content=SKILLS_OF_DATA_SCIENTIST.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert bindings(response) == [{"skill": PYTHON, "label": "Python (computer programming)"}]


def test_select_results_in_every_format(client: TestClient) -> None:
    query = {"query": f"SELECT ?label WHERE {{ <{PYTHON}> {PREF_LABEL} ?label }} ORDER BY ?label"}
    expected = ["Python (computer programming)", "Python (programmation informatique)"]

    xml = client.get("/sparql", params=query, headers={"accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [e.text for e in ET.fromstring(xml.content).iterfind(".//r:literal", ns)] == expected

    csv_ = client.get("/sparql", params=query, headers={"accept": "text/csv"})
    assert csv_.headers["content-type"] == "text/csv; charset=utf-8"
    assert [r["label"] for r in csv.DictReader(io.StringIO(csv_.text))] == expected

    tsv = client.get("/sparql", params=query, headers={"accept": "text/tab-separated-values"})
    assert tsv.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    assert tsv.text.splitlines() == [
        "?label",
        '"Python (computer programming)"@en',
        '"Python (programmation informatique)"@fr',
    ]

    # application/json is understood as SPARQL JSON results; q-values are honoured.
    plain = client.get("/sparql", params=query, headers={"accept": "application/json"})
    assert [b["label"] for b in bindings(plain)] == expected
    preferred = client.get(
        "/sparql",
        params=query,
        headers={"accept": "text/csv;q=0.4, application/sparql-results+xml"},
    )
    assert preferred.headers["content-type"] == "application/sparql-results+xml"


def test_ask_as_json_and_xml(client: TestClient) -> None:
    query = {"query": f"ASK {{ <{PYTHON}> a <http://data.europa.eu/esco/model#Skill> }}"}
    assert client.get("/sparql", params=query).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params=query, headers={"accept": "application/sparql-results+xml"})
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert ET.fromstring(xml.content).find(f"{ns}boolean").text == "true"  # type: ignore[union-attr]
    refused = client.get("/sparql", params=query, headers={"accept": "text/csv"})
    assert refused.status_code == 406
    assert "application/sparql-results+json" in str(error_of(refused)["detail"])


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/n-quads",
        "application/rdf+xml",
    ],
)
def test_construct_in_every_graph_format_is_the_same_graph(
    client: TestClient, media_type: str
) -> None:
    query = {"query": f"CONSTRUCT WHERE {{ <{PYTHON}> ?p ?o }}"}
    reference = parse_rdf(client.get("/sparql", params=query).content, "text/turtle")
    assert len(reference) > 10
    response = client.get("/sparql", params=query, headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert isomorphic(parse_rdf(response.content, media_type), reference)


def test_describe_is_a_graph(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{DATA_SCIENTIST}>"})
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(parse_rdf(response.content, "text/turtle")) > 5


# --- bad requests -------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parsers_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    detail = str(error_of(response)["detail"])
    assert "the SPARQL query is not valid" in detail and "error at 1:" in detail


@pytest.mark.parametrize(
    ("headers", "body", "status", "message"),
    [
        ({"content-type": "text/plain"}, b"ASK {}", 415, "not text/plain"),
        ({}, b"ASK {}", 415, "without a Content-Type"),
        (
            {"content-type": "application/sparql-query; charset=UTF-16"},
            "ASK {}".encode("utf-16"),
            415,
            "charset=utf-16",
        ),
        ({"content-type": "application/sparql-query"}, b"ASK {\xff}", 400, "not valid UTF-8"),
        (
            {"content-type": "application/x-www-form-urlencoded"},
            b"query=ASK%7B%7D&query=ASK%7B%7D",
            400,
            "2 'query'",
        ),
        (
            {"content-type": "application/x-www-form-urlencoded"},
            b"other=1",
            400,
            "neither a 'query' nor an 'update'",
        ),
    ],
)
def test_malformed_posts_say_what_is_wrong(
    client: TestClient, headers: dict[str, str], body: bytes, status: int, message: str
) -> None:
    response = client.post("/sparql", content=body, headers=headers)
    assert response.status_code == status
    assert message in str(error_of(response)["detail"])


def test_other_methods_and_unknown_routes_use_the_error_shape(client: TestClient) -> None:
    put = client.put("/sparql", params={"query": "ASK {}"})
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    error_of(put)
    assert error_of(client.get("/nowhere"))["title"] == "Not Found"


def test_updates_without_a_writer_are_refused(client: TestClient) -> None:
    form = client.post("/sparql", data={"update": "CLEAR ALL"})
    direct = client.post(
        "/sparql", content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"}
    )
    for response in (form, direct):
        assert response.status_code == 401
        assert "writer role" in str(error_of(response)["detail"])
    by_get = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert by_get.status_code == 400 and "cannot be sent with GET" in str(
        error_of(by_get)["detail"]
    )


# --- dataset: honoured within the scope, never beyond it ---------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_default_graph_uri_narrows_the_dataset(client: TestClient) -> None:
    everything = bindings(client.get("/sparql", params={"query": COUNT}))[0]["n"]
    jobs_only = client.get("/sparql", params={"query": COUNT, "default-graph-uri": JOBS})
    assert int(bindings(jobs_only)[0]["n"]) == 3 < int(everything)
    named = client.get(
        "/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": [ESCO, JOBS],
        },
    )
    assert sorted(b["g"] for b in bindings(named)) == [ESCO, JOBS]


def test_the_querys_own_from_is_honoured_within_the_scope(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{JOBS}> WHERE {{ ?s ?p ?o }}"}
    )
    assert bindings(response)[0]["n"] == "3"


@pytest.mark.parametrize(
    "params",
    [
        {"default-graph-uri": CONSENT},
        {"named-graph-uri": [ESCO, CONSENT]},
        {"default-graph-uri": "https://w3id.org/skillsgraph/graph/consents"},
        {"default-graph-uri": "http://example.org/somewhere-else"},
    ],
)
def test_graphs_outside_the_scope_are_forbidden(
    client: TestClient, params: dict[str, object]
) -> None:
    response = client.get("/sparql", params={"query": COUNT, **params})
    assert response.status_code == 403
    assert "may not read" in str(error_of(response)["detail"])


PROBES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT * WHERE {{ GRAPH <{CONSENT}> {{ ?s ?p ?o }} }}",
    f"SELECT * FROM <{CONSENT}> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{CONSENT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"SELECT * FROM <{ESCO}> FROM NAMED <{CONSENT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "PREFIX g: <https://w3id.org/skillsgraph/graph/>\n"
    "SELECT * FROM g:consent\\/c1 WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://testserver/sparql> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DESCRIBE <https://w3id.org/skillsgraph/id/learner/l1>",
    f"DESCRIBE <{PYTHON}>",
    f"SELECT ?o WHERE {{ ?s {LABEL} ?o FILTER(CONTAINS(?o, 'SECRET')) }}",
]


@pytest.mark.parametrize("query", PROBES)
@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_personal_data_is_never_reachable(client: TestClient, query: str, method: str) -> None:
    if method == "get":
        response = client.get("/sparql", params={"query": query})
    elif method == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post(
            "/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"}
        )
    assert response.status_code in (200, 403), response.text
    assert SECRET not in response.text
    if response.status_code == 200:  # (a 403 may echo the graph IRI the caller named)
        assert "consent" not in response.text


def test_service_is_refused_but_the_word_in_a_string_is_fine(client: TestClient) -> None:
    refused = client.get(
        "/sparql", params={"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}
    )
    assert refused.status_code == 403 and "SERVICE" in str(error_of(refused)["detail"])
    fine = client.get(
        "/sparql",
        params={"query": f'SELECT ?s {{ ?s {PREF_LABEL} "customer service"@en }}'},
    )
    assert bindings(fine) == [{"s": CUSTOMER_SERVICE}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('SELECT * { ?s ?p "SERVICE" } # SERVICE', False),
        ("SELECT ?service { ?service <http://x/service> ?o . ?o a <http://x/SERVICE> }", False),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:service ex:SERVICE }", False),
        ("select * { sErViCe <http://x/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { \\u0053ERVICE <http://x/sparql> {} }", True),
        ("PREFIX ex: <http://x/>\nSELECT * { ?s ex:a\\# SERVICE <http://x/s> {} }", True),
        ("SELECT * { ?s ?p ?o . 1SERVICE <http://x/s> {} }", True),
        ("SELECT * { ?s ?p '''a''' SERVICE <http://x/s> {} }", True),
    ],
)
def test_service_detection_skips_strings_iris_and_names(query: str, expected: bool) -> None:
    assert uses_service(query) is expected


def test_dataset_clause_expands_prefixes_and_base() -> None:
    clause = dataset_clause(
        "BASE <http://ex.org/> PREFIX g: <graphs/>\n"
        "SELECT * FROM <a> FROM NAMED g:b # FROM <c>\n FROM g:c\\.d WHERE { ?s <http://x/from> ?o }"
    )
    assert clause is not None
    assert clause.default == ["http://ex.org/a", "http://ex.org/graphs/c.d"]
    assert clause.named == ["http://ex.org/graphs/b"]
    assert dataset_clause('SELECT * { ?s ?p "FROM <x>" }') is None


# --- access context -----------------------------------------------------------------------


def test_purpose_is_declared_once_and_unknown_tokens_are_401(client: TestClient) -> None:
    query = {"query": "ASK {}"}
    anonymous = client.get("/sparql", params={**query, "purpose": "career-guidance"})
    assert anonymous.status_code == 401 and "declared by a participant" in str(
        error_of(anonymous)["detail"]
    )
    assert client.get("/sparql", params=query).status_code == 200
    both = client.get("/sparql", params={**query, "purpose": "a"}, headers={"x-purpose": "b"})
    assert both.status_code == 400 and "one purpose" in str(error_of(both)["detail"])
    token = client.get("/sparql", params=query, headers={"authorization": "Bearer nobody"})
    assert token.status_code == 401
    assert token.headers["www-authenticate"].startswith("Bearer")
    assert "not known" in str(error_of(token)["detail"])
    basic = client.get("/sparql", params=query, headers={"authorization": "Basic eDp5"})
    assert basic.status_code == 401


# --- service description -------------------------------------------------------------------


def test_service_description_lists_only_the_public_graphs(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = parse_rdf(response.content, "text/turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {str(o) for _, p, o in graph if str(p) == sd + "name"}
    assert ESCO in names and JOBS in names
    assert not any("consent" in n or "audit" in n or "permissions" in n for n in names)
    endpoints = {str(o) for _, p, o in graph if str(p) == sd + "endpoint"}
    assert endpoints == {"http://testserver/sparql"}
    as_jsonld = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert isomorphic(parse_rdf(as_jsonld.content, "application/ld+json"), graph)


def test_a_browser_without_a_query_is_sent_to_the_query_page(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": browser}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/ui")


# --- limits ---------------------------------------------------------------------------------


@pytest.fixture
def big_store() -> EmbeddedStore:
    """200 triples: a three-way cross join is 8 million rows (about a second of work)."""
    store = EmbeddedStore(None)
    graph = "https://w3id.org/skillsgraph/graph/source/big"
    lines = "".join(f'<http://ex.org/s{i}> <http://ex.org/p> "{i}" .\n' for i in range(200))
    store.add_triples(graph, lines)
    store.add_triples(  # a load recorded in provenance is what makes a source graph public
        "https://w3id.org/skillsgraph/graph/provenance",
        f"<http://ex.org/load> <https://w3id.org/skillsgraph/ontology#targetGraph> <{graph}> .\n",
    )
    return store


THREE_WAY = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i"
CROSS_JOIN = f"SELECT * WHERE {{ {THREE_WAY} }}"


def test_result_limit_is_413(settings: Settings, big_store: EmbeddedStore) -> None:
    with make_client(settings, big_store, Limits(result_limit=150)) as limited:
        response = limited.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert response.status_code == 413
        assert "more than 150 rows" in str(error_of(response)["detail"])
        ok = limited.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 150"})
        assert len(bindings(ok)) == 150


def test_a_streaming_query_is_stopped_at_the_time_limit(
    settings: Settings, big_store: EmbeddedStore
) -> None:
    limits = Limits(query_timeout=0.3, result_limit=10**9, max_running=1)
    with make_client(settings, big_store, limits) as limited:
        started = time.monotonic()
        response = limited.get("/sparql", params={"query": CROSS_JOIN})
        assert response.status_code == 503
        assert "longer than the limit of 0.3 s" in str(error_of(response)["detail"])
        assert time.monotonic() - started < 3
        # The work really stopped: the only query slot is free again at once.
        time.sleep(0.1)
        assert limited.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_blocking_query_is_answered_at_the_limit_and_holds_its_slot(
    settings: Settings, big_store: EmbeddedStore
) -> None:
    limits = Limits(query_timeout=0.1, max_running=1)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ {THREE_WAY} }}"
    with make_client(settings, big_store, limits) as limited:
        started = time.monotonic()
        assert limited.get("/sparql", params={"query": count}).status_code == 503
        assert time.monotonic() - started < 0.6  # the limit, plus the grace of 0.2 s
        busy = limited.get("/sparql", params={"query": "ASK {}"})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        assert "already running 1 queries" in str(error_of(busy)["detail"])
        deadline = time.monotonic() + 30
        while limited.get("/sparql", params={"query": "ASK {}"}).status_code != 200:
            assert time.monotonic() < deadline, "the abandoned query never released its slot"
            time.sleep(0.2)


# --- package boundaries ----------------------------------------------------------------------


def test_the_store_and_the_cli_do_not_load_the_web_stack() -> None:
    code = (
        "import sys, skillsgraph.store, skillsgraph.query, skillsgraph.cli\n"
        "loaded = [m for m in ('fastapi', 'starlette', 'uvicorn', 'skillsgraph.api') "
        "if m in sys.modules]\n"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "module",
    ["access", "app", "jsonld", "negotiation", "querytext"],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"skillsgraph.api.{module}"))
    assert result.failed == 0 and result.attempted > 0


def test_queries_beyond_the_running_limit_wait_for_a_slot(
    settings: Settings, esco_store: EmbeddedStore
) -> None:
    results: list[int] = []
    with make_client(settings, esco_store, Limits(max_running=1)) as one_at_a_time:

        def ask() -> None:
            query = {"query": SKILLS_OF_DATA_SCIENTIST}
            results.append(one_at_a_time.get("/sparql", params=query).status_code)

        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 6


def test_unbound_and_blank_values_survive_every_format(client: TestClient) -> None:
    query = {
        "query": "SELECT ?b ?x WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?b "
        "OPTIONAL { ?b <http://ex.org/none> ?x } }"
    }
    direct = bindings(client.get("/sparql", params=query))
    assert len(direct) == 1 and set(direct[0]) == {"b"}
    tsv = client.get("/sparql", params=query, headers={"accept": "text/tab-separated-values"})
    parsed = list(ox.parse_query_results(tsv.content, format=ox.QueryResultsFormat.TSV))
    assert isinstance(parsed[0]["b"], ox.BlankNode) and parsed[0]["x"] is None
    assert json.loads(client.get("/sparql", params=query).text)["head"]["vars"] == ["b", "x"]


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    graph = parse_rdf(response.content, "text/turtle")
    assert {str(s) for s, _, _ in graph} == {"http://testserver/s"}
    # A syntax error is still located in the query as sent.
    bad = "SELECT * WHERE { <s> ?p }"
    with pytest.raises(SyntaxError) as expected:
        ox.Store().query(bad, base_iri="http://testserver/sparql")
    location = str(expected.value).split(":", 2)[:2]
    response = client.get("/sparql", params={"query": bad})
    assert ":".join(location) in str(error_of(response)["detail"])
