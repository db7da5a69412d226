"""Collections and their resources: ``/jobs``, ``/learning-opportunities``, ``/projects``,
``/datasets`` and ``/datasets/{key}/observations``, through ``create_app()`` over the sample
plus ``data/collections.trig``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from skillsgraph.api import create_app
from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore, Store
from tests.api.conftest import (
    CUSTOMER_SERVICE,
    DATA,
    DATA_SCIENTIST,
    PYTHON,
    SECRET,
    TEACH,
    load_sample,
    parse_rdf,
)
from tests.api.test_resources import error_of, jsonld_graph

ID = "https://w3id.org/skillsgraph/id/"
JOBS = [f"{ID}job-posting/{k}" for k in ("house-dev-3", "p1", "tech-dev-29", "tech-test-8")]
JOBS.append(f"{ID}job-posting/tech-train-12")
OU_MODULE = f"{ID}course/oulad-AAA-2013J"  # labelled, not titled
ECONOMICS, ML, TEACHING = (f"{ID}course/unitn-{k}" for k in ("120006", "145935", "M112_06"))
COURSES = [OU_MODULE, ECONOMICS, ML, TEACHING]
DATA_SCIENCE = f"{ID}programme/unitn-0514H"
LEARNING = [*COURSES, DATA_SCIENCE]
PROJECTS = [f"{ID}project/{k}" for k in ("101052538", "101057437", "101113245")]
PANEL = f"{ID}dataset/eurostat-labour-ict-panel"
VACANCIES = f"{ID}dataset/eurostat-ict-vacancies"
OBS = f"{ID}observation/eurostat-labour-ict-panel/"
OBSERVATIONS = [
    f"{OBS}ict_share_pc_emp/AT/2014",
    f"{OBS}ict_share_pc_emp/AT/2015",
    f"{OBS}ict_share_pc_emp/DE/2014",
    f"{OBS}unemp_rate_pc_act/AT/2014",
    f"{OBS}unemp_rate_pc_act/DE/2014",
]
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


def load_trig(store: Store, path: Path) -> None:
    """Load a TriG file graph by graph."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=path, format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs[quad.graph_name.value].append(quad.triple)
    for graph, triples in graphs.items():
        store.add_triples(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode())


def collections_app(settings: Settings, store: Store) -> FastAPI:
    """The app, which includes the collection routes."""
    app = create_app(settings, store)
    assert app.url_path_for("jobs") == "/jobs"
    return app


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    store = EmbeddedStore(None)
    load_sample(store)
    load_trig(store, DATA / "collections.trig")
    with TestClient(collections_app(settings, store)) as test_client:
        yield test_client
    store.close()


def page(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    return dict(response.json())


def ids(document: dict[str, Any]) -> list[str]:
    return [item["id"] for item in document["results"]]


# --- listing and paging ---------------------------------------------------------------------


def test_jobs_are_listed_by_iri_with_title_date_and_links(client: TestClient) -> None:
    jobs = page(client, "/jobs")
    assert jobs["total"] == 5 and jobs["offset"] == 0 and jobs["limit"] == 20
    assert jobs["type"] == "hydra:Collection" and jobs["id"] == "http://testserver/jobs"
    assert ids(jobs) == JOBS
    first = jobs["results"][0]
    assert first["type"] == ["schema:JobPosting", "sg:JobPosting"]
    assert first["postingTitle"] == {"en": "Data engineer ( m/f/d )"}
    assert first["datePosted"] == "2021-03-02"
    assert first["_links"]["self"]["href"] == "http://testserver/jobs/house-dev-3"
    assert "description" not in first and "requiresSkill" not in first  # a summary
    untitled = jobs["results"][1]  # sample.trig's p1: a dcterms:title, no schema:title
    assert set(untitled) == {"id", "type", "_links"}
    assert jobs["_links"] == {
        "self": {"href": "http://testserver/jobs"},
        "first": {"href": "http://testserver/jobs?offset=0&limit=20"},
    }


def test_learning_opportunities_and_projects_show_titles_and_routes(client: TestClient) -> None:
    courses = {item["id"]: item for item in page(client, "/learning-opportunities")["results"]}
    bilingual = courses[TEACHING]
    assert bilingual["type"] == "sg:Course"
    assert bilingual["title"] == {
        "en": "Teaching programming",
        "it": "Didattica della programmazione",
    }
    assert bilingual["_links"]["self"]["href"] == (
        "http://testserver/learning-opportunities/course/unitn-M112_06"
    )
    assert courses[DATA_SCIENCE]["_links"]["self"]["href"].endswith("/programme/unitn-0514H")
    assert courses[OU_MODULE]["label"] == {"en": "Open University module AAA, presentation 2013J"}
    projects = {item["id"]: item for item in page(client, "/projects")["results"]}
    assert projects[PROJECTS[1]]["eurio:title"] == "Skills for the green transition"
    assert projects[PROJECTS[1]]["eurio:identifier"] == "101057437"
    assert "eurio:title" not in projects[PROJECTS[0]]  # a project without a record
    assert projects[PROJECTS[0]]["_links"]["self"]["href"] == "http://testserver/projects/101052538"


@pytest.mark.parametrize(
    ("path", "members"),
    [
        ("/jobs", JOBS),
        ("/learning-opportunities", LEARNING),
        ("/projects", PROJECTS),
        ("/datasets", [VACANCIES, PANEL]),
        ("/datasets/eurostat-labour-ict-panel/observations", OBSERVATIONS),
    ],
)
def test_pages_follow_next_links_through_every_member_once(
    client: TestClient, path: str, members: list[str]
) -> None:
    assert members == sorted(members)  # the order is by IRI
    seen: list[str] = []
    url: str | None = f"http://testserver{path}?limit=2"
    pages = 0
    while url is not None:
        document = client.get(url).json()
        assert document["total"] == len(members) and len(document["results"]) <= 2
        assert ("prev" in document["_links"]) == (pages > 0)
        seen += ids(document)
        url = document["_links"].get("next", {}).get("href")
        pages += 1
    assert seen == members
    assert pages == (len(members) + 1) // 2
    last = client.get(f"http://testserver{path}?limit=2&offset={len(members) - 1}").json()
    assert ids(last) == members[-1:] and "next" not in last["_links"]
    previous = max(0, len(members) - 3)
    assert last["_links"]["prev"]["href"].endswith(f"offset={previous}&limit=2")


def test_paging_links_keep_repeated_filters(client: TestClient) -> None:
    path = "/datasets/eurostat-labour-ict-panel/observations"
    first = page(client, path, refArea=["AT", "DE"], indicator="ict_share_pc_emp", limit=1)
    assert first["total"] == 3 and ids(first) == [OBSERVATIONS[0]]
    second = client.get(first["_links"]["next"]["href"]).json()
    assert second["total"] == 3 and ids(second) == [OBSERVATIONS[1]]


def test_a_page_past_the_end_is_empty_but_counted(client: TestClient) -> None:
    beyond = page(client, "/projects", offset=50)
    assert beyond["results"] == [] and beyond["total"] == 3
    assert beyond["_links"]["prev"]["href"].endswith("offset=30&limit=20")


# --- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "members"),
    [
        ("/jobs", {"skill": PYTHON}, [JOBS[0], JOBS[1], JOBS[2], JOBS[3]]),
        ("/jobs", {"skill": [PYTHON, CUSTOMER_SERVICE]}, [JOBS[2]]),
        ("/jobs", {"skill": TEACH}, [JOBS[0]]),  # not tech-dev-29: that link is consented
        ("/jobs", {"occupation": DATA_SCIENTIST}, [JOBS[0]]),
        ("/jobs", {"since": "2021-05-10"}, [JOBS[2], JOBS[4]]),
        ("/jobs", {"until": "2021-05-10"}, [JOBS[0], JOBS[2]]),
        ("/jobs", {"since": "2021-04-01", "until": "2021-06-01"}, [JOBS[2]]),
        ("/jobs", {"text": "ENGINEER"}, [JOBS[0], JOBS[3]]),
        ("/jobs", {"text": "python", "since": "2021-01-01"}, [JOBS[2]]),
        ("/learning-opportunities", {"skill": PYTHON}, [ML, TEACHING]),
        ("/learning-opportunities", {"skill": [PYTHON, TEACH]}, [TEACHING]),
        ("/learning-opportunities", {"type": "programme"}, [DATA_SCIENCE]),
        ("/learning-opportunities", {"type": "course"}, COURSES),
        ("/learning-opportunities", {"text": "programm"}, [TEACHING]),  # @it and @en
        ("/learning-opportunities", {"text": "data"}, [DATA_SCIENCE]),  # not the outcome
        ("/learning-opportunities", {"text": "open univ"}, [OU_MODULE]),  # its label
        ("/projects", {"topic": "ERC-2021-ADG"}, [PROJECTS[0]]),
        (
            "/projects",
            {"topic": f"{ID}research-topic/HORIZON-EIT-2023-24-KIC-EITDIGITAL"},
            [PROJECTS[2]],
        ),
        ("/projects", {"field": "/23/43/251"}, PROJECTS[1:]),
        ("/projects", {"field": f"{ID}field-of-science/29/123"}, [PROJECTS[1]]),
        ("/projects", {"field": "/23/43/251", "text": "green"}, [PROJECTS[1]]),
        ("/projects", {"text": "data"}, []),  # a deliverable's title is not a project's
        (
            "/datasets/eurostat-labour-ict-panel/observations",
            {"refArea": "AT"},
            [OBSERVATIONS[0], OBSERVATIONS[1], OBSERVATIONS[3]],
        ),
        (
            "/datasets/eurostat-labour-ict-panel/observations",
            {"refArea": f"{ID}area/DE"},
            [OBSERVATIONS[2], OBSERVATIONS[4]],
        ),
        (
            "/datasets/eurostat-labour-ict-panel/observations",
            {"refArea": ["AT", "DE"], "refPeriod": "2014", "indicator": "ict_share_pc_emp"},
            [OBSERVATIONS[0], OBSERVATIONS[2]],
        ),
        (
            "/datasets/eurostat-labour-ict-panel/observations",
            {"refPeriod": "2015"},
            [OBSERVATIONS[1]],
        ),
        ("/datasets/eurostat-labour-ict-panel/observations", {"refPeriod": "1999"}, []),
        (
            "/datasets/eurostat-ict-vacancies/observations",
            {"refArea": "AT"},
            [f"{ID}observation/eurostat-ict-vacancies/AT/2014"],
        ),
    ],
)
def test_filters(client: TestClient, path: str, params: dict[str, Any], members: list[str]) -> None:
    document = page(client, path, **params)
    assert ids(document) == members
    assert document["total"] == len(members)


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/jobs", {"skill": "python"}, "skill: 'python' is not an IRI"),
        ("/jobs", {"occupation": "http://bad iri"}, "occupation: 'http://bad iri' is not an IRI"),
        ("/jobs", {"since": "10/05/2021"}, "since: Input should be a valid date"),
        ("/jobs", {"since": "2021-06-01", "until": "2021-05-01"}, "since (2021-06-01) is after"),
        ("/jobs", {"skills": PYTHON}, "unknown parameter skills; this route takes: skill,"),
        ("/jobs", {"text": "  "}, "text: give some text"),
        ("/jobs", {"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ("/learning-opportunities", {"type": "exam"}, "type: Input should be 'course' or"),
        ("/projects", {"topic": "x:bad iri"}, "topic: 'x:bad iri' is not an IRI"),
        ("/datasets", {"text": "panel"}, "unknown parameter text; this route takes: offset"),
        (
            "/datasets/eurostat-labour-ict-panel/observations",
            {"geo": "AT", "time": "2014"},
            "unknown parameter geo, time; this route takes: refArea, refPeriod, indicator",
        ),
        (
            "/datasets/eurostat-ict-vacancies/observations",
            {"indicator": "ict_share_pc_emp"},
            "unknown parameter indicator; this route takes: refArea, refPeriod",
        ),
        ("/datasets/eurostat-labour-ict-panel/observations", {"refArea": " "}, "give a value"),
        ("/learning-opportunities/qualification/unitn-0514H", {}, "key: String should match"),
    ],
)
def test_bad_parameters_are_400(
    client: TestClient, path: str, params: dict[str, Any], message: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert message in error_of(response)["detail"]


def test_filter_values_cannot_inject_sparql(client: TestClient) -> None:
    for path, name in (("/jobs", "text"), ("/projects", "topic"), ("/projects", "field")):
        assert page(client, path, **{name: '") } } SELECT * { ?s ?p ?o } #'})["total"] == 0
    observations = "/datasets/eurostat-labour-ict-panel/observations"
    assert page(client, observations, refArea='AT" } ?s ?p ?o {')["total"] == 0


# --- one resource of each kind --------------------------------------------------------------

RESOURCES = [
    ("/jobs/tech-dev-29", JOBS[2]),
    ("/learning-opportunities/course/unitn-M112_06", TEACHING),
    ("/learning-opportunities/programme/unitn-0514H", DATA_SCIENCE),
    ("/learning-opportunities/course/oulad-AAA-2013J", OU_MODULE),
    ("/projects/101113245", PROJECTS[2]),
    ("/datasets/eurostat-labour-ict-panel", PANEL),
]


@pytest.mark.parametrize(("path", "iri"), RESOURCES)
def test_a_resource_is_its_description_with_links(client: TestClient, path: str, iri: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["id"] == iri
    assert document["_links"]["self"]["href"] == f"http://testserver{path}"
    described = client.get("/resource", params={"uri": iri})
    assert described.json().get("_links", {}).get("self") == document["_links"]["self"]
    same = {k: v for k, v in document.items() if k != "_links"}
    assert same == {k: v for k, v in described.json().items() if k != "_links"}


def test_a_job_posting_shows_its_skills_with_their_routes(client: TestClient) -> None:
    posting = client.get("/jobs/tech-dev-29").json()
    assert posting["postingTitle"] == {"en": "Senior Python Developer"}
    skills = {s["id"]: s for s in posting["requiresSkill"]}
    assert set(skills) == {PYTHON, CUSTOMER_SERVICE}  # not the consented TEACH
    assert skills[PYTHON]["_links"]["self"]["href"].endswith(f"/skills/{PYTHON[-36:]}")
    course = client.get("/learning-opportunities/course/unitn-145935").json()
    assert course["teachesSkill"]["prefLabel"]["en"] == "Python (computer programming)"
    assert course["title"] == {"en": "Machine Learning"}


def test_a_data_set_shows_its_structure_and_links_its_observations(client: TestClient) -> None:
    panel = client.get("/datasets/eurostat-labour-ict-panel").json()
    assert panel["_links"]["observations"]["href"] == (
        "http://testserver/datasets/eurostat-labour-ict-panel/observations"
    )
    listed = {item["id"]: item for item in page(client, "/datasets")["results"]}
    assert listed[PANEL]["title"] == {
        "en": "Eurostat labour-market and ICT-skills panel, 2014-2024"
    }
    assert listed[PANEL]["_links"]["observations"] == panel["_links"]["observations"]
    components = listed[PANEL]["structure"]["component"]
    dimensions = sorted((c["order"], c["dimension"]["id"]) for c in components if "dimension" in c)
    sg = "https://w3id.org/skillsgraph/ontology#"
    assert dimensions == [("1", f"{sg}refArea"), ("2", f"{sg}refPeriod"), ("3", f"{sg}indicator")]
    measure = next(c["measure"] for c in components if "measure" in c)
    assert measure["label"] == {"en": "observation value"}


def test_observations_show_their_dimensions_value_and_labels(client: TestClient) -> None:
    observations = "/datasets/eurostat-labour-ict-panel/observations"
    first = page(client, observations, limit=1)["results"][0]
    assert first["id"] == OBSERVATIONS[0]
    assert first["type"] == "qb:Observation"
    assert first["refPeriod"] == "2014" and first["obsValue"] == "3.6"
    assert first["refArea"]["prefLabel"] == {"en": "Austria"}
    assert first["indicator"]["id"] == f"{ID}indicator/ict_share_pc_emp"
    assert first["unitMeasure"]["prefLabel"] == {"en": "Percentage of total employment"}
    assert first["dataSet"]["_links"]["self"]["href"].endswith(
        "/datasets/eurostat-labour-ict-panel"
    )


def test_resource_routes_of_other_iris_link_to_the_collections(client: TestClient) -> None:
    described = client.get("/resource", params={"uri": f"{ID}skill-mention/tech-dev-29-1"})
    mention = described.json()
    assert mention["_links"]["self"]["href"].startswith("http://testserver/resource?uri=")
    course = client.get("/resource", params={"uri": ML}).json()
    href = course["_links"]["self"]["href"]
    assert href == "http://testserver/learning-opportunities/course/unitn-145935"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/jobs/tech-dev-30", "no resource https://w3id.org/skillsgraph/id/job-posting/tech-dev"),
        ("/jobs/secret-1", "no resource"),  # in a consent graph only
        ("/projects/secret-3", "no resource"),
        ("/projects/999", "is not a research project here"),
        ("/learning-opportunities/course/unitn-0514H", "no resource"),
        ("/datasets/secret-4", "no resource"),
        ("/datasets/secret-4/observations", "no statistical data set"),
        ("/datasets/eurostat-labour-ict-panel/structure", "Not Found"),
        ("/datasets/nope/observations", "no statistical data set"),
    ],
)
def test_unknown_resources_are_404(client: TestClient, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert message in error_of(response)["detail"]


# --- one graph in every format, caching, consent -----------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *(path for path, _ in RESOURCES),
        "/jobs?skill=" + PYTHON + "&limit=2",
        "/learning-opportunities",
        "/projects?field=/23/43/251",
        "/datasets",
        "/datasets/eurostat-labour-ict-panel/observations?refArea=AT",
    ],
)
def test_jsonld_and_turtle_are_the_same_graph(client: TestClient, path: str) -> None:
    as_jsonld = jsonld_graph(client, client.get(path).content)
    turtle = client.get(path, headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    as_turtle = parse_rdf(turtle.content, "text/turtle")
    ntriples = client.get(path, headers={"accept": "application/n-triples"})
    assert len(as_turtle) >= 5
    assert isomorphic(as_jsonld, as_turtle)
    assert isomorphic(parse_rdf(ntriples.content, "application/n-triples"), as_turtle)


def test_a_collection_page_is_a_hydra_collection(client: TestClient) -> None:
    response = client.get("/projects", params={"limit": 2}, headers={"accept": "text/turtle"})
    graph = parse_rdf(response.content, "text/turtle")
    collection = rdflib.URIRef("http://testserver/projects?limit=2")
    assert set(graph.objects(collection, HYDRA.member)) == {rdflib.URIRef(p) for p in PROJECTS[:2]}
    assert graph.value(collection, HYDRA.totalItems).toPython() == 3  # type: ignore[union-attr]
    assert client.get("/projects", headers={"accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("path", ["/jobs?limit=2", "/jobs/tech-dev-29", "/datasets"])
def test_etags_are_stable_and_honoured(client: TestClient, path: str) -> None:
    first, second = client.get(path), client.get(path)
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    cached = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    other = client.get(path, headers={"accept": "text/turtle"})
    assert other.headers["etag"] != first.headers["etag"]
    assert (
        client.get("/jobs?limit=2&offset=2").headers["etag"]
        != client.get("/jobs?limit=2").headers["etag"]
    )


CONSENTED_PATHS = [
    "/jobs",
    f"/jobs?skill={PYTHON}",
    "/jobs?text=secret",
    "/jobs/tech-dev-29",
    "/learning-opportunities?text=programming",
    f"/learning-opportunities?skill={PYTHON}",
    "/projects?text=green",
    "/projects?field=/23/43/251",
    "/datasets",
    "/datasets/eurostat-labour-ict-panel/observations",
    "/datasets/eurostat-labour-ict-panel/observations?refArea=AT&refPeriod=2014",
]


@pytest.mark.parametrize("path", CONSENTED_PATHS)
def test_nothing_from_a_consent_graph_is_ever_shown(client: TestClient, path: str) -> None:
    for accept in ("application/ld+json", "text/turtle"):
        response = client.get(path, headers={"accept": accept})
        assert response.status_code == 200
        assert SECRET not in response.text and "secret-" not in response.text


def test_consented_members_are_not_counted(client: TestClient) -> None:
    assert page(client, "/jobs", text="secret")["total"] == 0
    assert page(client, "/learning-opportunities", skill=PYTHON)["total"] == 2
    assert page(client, "/projects", field="/23/43/251")["total"] == 2
    observations = "/datasets/eurostat-labour-ict-panel/observations"
    assert page(client, observations, refArea="AT", refPeriod="2014")["total"] == 2


def test_the_openapi_document_lists_the_collection_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/jobs",
        "/jobs/{key}",
        "/learning-opportunities",
        "/learning-opportunities/{key}",
        "/projects",
        "/projects/{key}",
        "/datasets",
        "/datasets/{key}",
        "/datasets/{key}/observations",
    ):
        assert paths[path]["get"]["tags"] == ["Collections"], path
