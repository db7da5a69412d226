"""JSON-LD resources: ``/skills``, ``/occupations``, ``/resource``, ``/search`` and the
published ``/context.jsonld``, through ``create_app()``."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from tests.api.conftest import (
    CUSTOMER_SERVICE,
    DATA_SCIENTIST,
    PROGRAMMING,
    PYTHON,
    PYTHON_DEVELOPER,
    SECRET,
    TEACH,
    parse_rdf,
)

SKILL_ID = PYTHON.rsplit("/", 1)[1]
OCCUPATION_ID = DATA_SCIENTIST.rsplit("/", 1)[1]
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
ESCO = rdflib.Namespace("http://data.europa.eu/esco/model#")


def jsonld_graph(client: TestClient, body: bytes) -> rdflib.Graph:
    """A JSON-LD body as a graph, its context fetched from the app (as a client's document
    loader would)."""
    document = json.loads(body)
    assert document["@context"] == "http://testserver/context.jsonld"
    document["@context"] = client.get("/context.jsonld").json()["@context"]
    return parse_rdf(json.dumps(document), "application/ld+json")


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    return dict(body["error"])


def test_the_context_is_published(client: TestClient) -> None:
    response = client.get("/context.jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    context = response.json()["@context"]
    assert context["prefLabel"] == {"@id": str(SKOS.prefLabel), "@container": "@language"}
    assert context["essentialSkill"] == {"@id": str(ESCO.relatedEssentialSkill), "@type": "@id"}
    assert context["_links"] is None  # navigation only: no triples


def test_a_skill_has_its_labels_type_groups_and_occupations(client: TestClient) -> None:
    response = client.get(f"/skills/{SKILL_ID}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    skill = response.json()
    assert skill["id"] == PYTHON
    assert skill["type"] == ["esco:Skill", "skos:Concept"]
    assert skill["prefLabel"] == {
        "en": "Python (computer programming)",
        "fr": "Python (programmation informatique)",
    }
    assert skill["altLabel"] == {"en": ["Python", "Python 3"]}
    assert skill["skillType"] == "http://data.europa.eu/esco/skill-type/knowledge"
    assert skill["broader"]["id"] == PROGRAMMING
    assert skill["broader"]["prefLabel"]["fr"] == "programmation informatique"
    assert skill["broader"]["_links"]["self"]["href"].endswith(f"/skills/{PROGRAMMING[-36:]}")
    assert [o["id"] for o in skill["essentialFor"]] == [DATA_SCIENTIST, PYTHON_DEVELOPER]
    assert skill["essentialFor"][0]["prefLabel"]["en"] == "data scientist"
    assert skill["optionalFor"]["id"] == CUSTOMER_SERVICE
    assert skill["modified"] == "2023-01-20T10:00:00Z"
    assert skill["_links"]["self"]["href"] == f"http://testserver/skills/{SKILL_ID}"


def test_an_occupation_has_its_skills_and_group(client: TestClient) -> None:
    occupation = client.get(f"/occupations/{OCCUPATION_ID}").json()
    assert occupation["prefLabel"] == {"en": "data scientist", "fr": "scientifique des données"}
    assert occupation["notation"] == "2511.4"
    assert occupation["essentialSkill"]["id"] == PYTHON
    assert occupation["essentialSkill"]["prefLabel"]["en"] == "Python (computer programming)"
    assert occupation["essentialSkill"]["_links"]["self"]["href"].endswith(f"/skills/{SKILL_ID}")
    assert occupation["optionalSkill"]["id"] == TEACH
    assert occupation["iscoGroup"]["prefLabel"]["fr"] == "Analystes de systèmes"
    assert "/resource?uri=" in occupation["iscoGroup"]["_links"]["self"]["href"]


@pytest.mark.parametrize(
    "path",
    [
        f"/skills/{SKILL_ID}",
        f"/occupations/{OCCUPATION_ID}",
        f"/resource?uri={CUSTOMER_SERVICE}",
        "/resource?uri=https://w3id.org/skillsgraph/ontology%23JobPosting",  # blank nodes
        "/resource?uri=https://w3id.org/skillsgraph/id/job-posting/p1",
        f"/resource/skill?uri={PROGRAMMING}",
    ],
)
def test_jsonld_and_turtle_of_a_resource_are_the_same_graph(client: TestClient, path: str) -> None:
    as_jsonld = jsonld_graph(client, client.get(path).content)
    turtle = client.get(path, headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    as_turtle = parse_rdf(turtle.content, "text/turtle")
    ntriples = client.get(path, headers={"accept": "application/n-triples"})
    assert len(as_turtle) > 3
    assert isomorphic(as_jsonld, as_turtle)
    assert isomorphic(parse_rdf(ntriples.content, "application/n-triples"), as_turtle)


def test_a_class_with_a_restriction_embeds_its_blank_node(client: TestClient) -> None:
    body = client.get(
        "/resource", params={"uri": "https://w3id.org/skillsgraph/ontology#JobPosting"}
    )
    restriction = body.json()["subClassOf"]
    assert restriction["type"] == "owl:Restriction"
    assert restriction["owl:onProperty"] == {
        "id": "https://w3id.org/skillsgraph/ontology#requiresSkill"
    }


def test_personal_data_is_not_a_resource(client: TestClient) -> None:
    learner = client.get("/resource", params={"uri": "https://w3id.org/skillsgraph/id/learner/l1"})
    assert learner.status_code == 404
    consent = client.get("/resource", params={"uri": "https://w3id.org/skillsgraph/id/consent/c1"})
    assert consent.status_code == 404
    for path in (f"/skills/{SKILL_ID}", f"/resource?uri={PYTHON}"):
        for accept in ("application/ld+json", "text/turtle"):
            assert SECRET not in client.get(path, headers={"accept": accept}).text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/skills/00000000-0000-4000-8000-000000000000", 404, "no resource"),
        (f"/skills/{OCCUPATION_ID}", 404, "no resource"),
        (f"/occupations/{SKILL_ID}", 404, "no resource"),
        (f"/resource/occupation?uri={PYTHON}", 404, "is not an ESCO Occupation"),
        ("/skills/..%2Fetc", 404, ""),
        ("/resource?uri=not%20an%20iri", 400, "not a valid IRI"),
        ("/resource", 400, "uri: Field required"),
    ],
)
def test_unknown_and_bad_identifiers(
    client: TestClient, path: str, status: int, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert message in error_of(response)["detail"]


def test_unacceptable_types_are_406(client: TestClient) -> None:
    response = client.get(f"/skills/{SKILL_ID}", headers={"accept": "image/png"})
    assert response.status_code == 406
    assert "application/ld+json" in error_of(response)["detail"]


def test_etags_are_stable_and_honoured(client: TestClient) -> None:
    first = client.get(f"/skills/{SKILL_ID}")
    second = client.get(f"/skills/{SKILL_ID}")
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    turtle = client.get(f"/skills/{SKILL_ID}", headers={"accept": "text/turtle"})
    assert turtle.headers["etag"] != first.headers["etag"]
    cached = client.get(f"/skills/{SKILL_ID}", headers={"if-none-match": first.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""


# --- search ---------------------------------------------------------------------------------


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_search_ranks_exact_then_prefix_then_contains(client: TestClient) -> None:
    page = search(client, text="python")
    assert page["total"] == 3
    ranked = [(r["id"], r["searchHit"]) for r in page["results"]]
    assert ranked == [
        (PYTHON, "Python"),  # an alternative label equal to the text
        (PYTHON_DEVELOPER, "Python developer"),  # a preferred label starting with it
        (CUSTOMER_SERVICE, "Python support desk"),  # an alternative label starting with it
    ]
    assert page["results"][0]["kind"] == "skill"
    assert page["results"][1]["_links"]["self"]["href"].endswith(
        f"/occupations/{PYTHON_DEVELOPER[-36:]}"
    )


def test_search_is_multilingual_and_filters_by_type_and_language(client: TestClient) -> None:
    french = search(client, text="données", language="fr")
    assert [r["id"] for r in french["results"]] == [DATA_SCIENTIST]
    assert french["results"][0]["prefLabel"]["en"] == "data scientist"
    assert search(client, text="données", language="en")["total"] == 0
    assert [r["id"] for r in search(client, text="python", type="occupation")["results"]] == [
        PYTHON_DEVELOPER
    ]
    hidden = search(client, text="TUTOR")
    assert [(r["id"], r["searchHit"]) for r in hidden["results"]] == [(TEACH, "tutor")]


def test_search_pages_with_hal_links(client: TestClient) -> None:
    first = search(client, text="python", limit=2)
    assert len(first["results"]) == 2 and first["total"] == 3
    links = first["_links"]
    assert "prev" not in links
    assert links["next"]["href"] == "http://testserver/search?text=python&offset=2&limit=2"
    second = client.get(links["next"]["href"]).json()
    assert [r["id"] for r in second["results"]] == [CUSTOMER_SERVICE]
    assert "next" not in second["_links"]
    assert second["_links"]["prev"]["href"].endswith("offset=0&limit=2")


def test_a_search_page_is_json_ld(client: TestClient) -> None:
    response = client.get("/search", params={"text": "teach"})
    graph = jsonld_graph(client, response.content)
    hydra = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
    collection = rdflib.URIRef("http://testserver/search?text=teach")
    assert set(graph.objects(collection, hydra.member)) == {rdflib.URIRef(TEACH)}
    assert graph.value(collection, hydra.totalItems).toPython() == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"text": "python", "limit": 101}, "limit: Input should be less than or equal to 100"),
        ({"text": "python", "type": "course"}, "type: Input should be 'skill' or 'occupation'"),
        ({"text": "   "}, "give some text"),
        ({}, "text: Field required"),
        ({"text": "x", "language": "en;drop"}, "language: String should match pattern"),
    ],
)
def test_bad_search_parameters_are_400(
    client: TestClient, params: dict[str, Any], message: str
) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 400
    assert message in error_of(response)["detail"]


def test_search_text_cannot_inject_sparql(client: TestClient) -> None:
    page = search(client, text='x")) } SELECT * { ?s ?p ?o } #')
    assert page["total"] == 0


def test_the_openapi_document_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/sparql",
        "/resource",
        "/skills/{id}",
        "/occupations/{id}",
        "/search",
        "/context.jsonld",
        "/ui",
    ):
        assert path in paths
