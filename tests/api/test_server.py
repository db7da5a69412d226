"""End to end: ``skillsgraph serve`` in its own process on 127.0.0.1, queried by real
clients (SPARQLWrapper as analysts' scripts use it, httpx, rdflib fetching the context)."""

from __future__ import annotations

import warnings

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from SPARQLWrapper import GET, JSON, POST, TURTLE, SPARQLWrapper

from tests.api.conftest import DATA_SCIENTIST, PYTHON, SECRET, Server

SKILLS = f"""
PREFIX esco: <http://data.europa.eu/esco/model#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?skill ?label WHERE {{
  <{DATA_SCIENTIST}> esco:relatedEssentialSkill ?skill .
  ?skill skos:prefLabel ?label
}} ORDER BY ?label"""


def sparqlwrapper(server: Server, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select(server: Server, method: str) -> None:
    client = sparqlwrapper(server, method)
    client.setQuery(SKILLS)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert [(r["skill"]["value"], r["label"]["xml:lang"]) for r in rows] == [
        (PYTHON, "en"),
        (PYTHON, "fr"),
    ]


def test_sparqlwrapper_ask_and_construct(server: Server) -> None:
    client = sparqlwrapper(server)
    client.setQuery(f"ASK {{ <{PYTHON}> a <http://data.europa.eu/esco/model#Skill> }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index, call-overload]
    client = sparqlwrapper(server)
    client.setQuery(f"CONSTRUCT WHERE {{ <{PYTHON}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    turtle = client.queryAndConvert()
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert (rdflib.URIRef(PYTHON), None, None) in graph


def test_sparqlwrapper_sees_no_personal_data(server: Server) -> None:
    client = sparqlwrapper(server, POST)
    client.setQuery(
        "SELECT * FROM NAMED <https://w3id.org/skillsgraph/graph/consent/c1> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    client.setReturnFormat(JSON)
    with pytest.raises(Exception, match="403"):
        client.queryAndConvert()
    client.setQuery("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert rows and not any(SECRET in r["o"]["value"] for r in rows)


def test_httpx_gets_a_resource_whose_context_rdflib_fetches(server: Server) -> None:
    url = f"{server.url}/skills/{PYTHON.rsplit('/', 1)[1]}"
    jsonld = httpx.get(url)
    assert jsonld.status_code == 200
    assert jsonld.json()["@context"] == f"{server.url}/context.jsonld"
    turtle = httpx.get(url, headers={"accept": "text/turtle"})
    with warnings.catch_warnings():  # rdflib's JSON-LD parser warns about its own internals
        warnings.simplefilter("ignore", DeprecationWarning)
        from_jsonld = rdflib.Graph().parse(data=jsonld.text, format="json-ld", base=url)
    assert isomorphic(from_jsonld, rdflib.Graph().parse(data=turtle.text, format="turtle"))


def test_httpx_errors_and_search(server: Server) -> None:
    with httpx.Client(base_url=server.url) as http:
        missing = http.get("/occupations/00000000-0000-4000-8000-000000000000")
        assert missing.status_code == 404 and missing.json()["error"]["title"] == "Not Found"
        page = http.get("/search", params={"text": "scientist", "type": "occupation"}).json()
        assert [r["id"] for r in page["results"]] == [DATA_SCIENTIST]
        description = http.get("/sparql", headers={"accept": "text/turtle"})
        assert f"<{server.url}/sparql>" in description.text
