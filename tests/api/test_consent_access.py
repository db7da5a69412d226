"""The API under consent: bearer tokens, declared purposes, the caller's view, logging.

The data space of the consent tests (three learners, four participants), served by
``create_app`` with its registry: each participant sees, for a declared purpose, exactly
what the learners' consents permit it now, and nothing from any other graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from skillsgraph.api import create_app
from skillsgraph.config import Settings
from skillsgraph.consent import Purpose, access_log, consent_graph, grant, withdraw
from skillsgraph.consent.audit import RIGHT_OF_ACCESS
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import (
    PUBLIC_SOURCE,
    SHARED,
    learner_triples,
    load_public,
    record,
    registry,
)

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
REGION = "https://w3id.org/skillsgraph/ontology#region"
REGIONS = f"SELECT ?region WHERE {{ ?profile <{REGION}> ?region }} ORDER BY ?region"
JSON = {"accept": "application/sparql-results+json"}


def token(key: str, purpose: str | None = None) -> dict[str, str]:
    headers = {"authorization": f"Bearer tok-{key}", **JSON}
    return headers | ({"x-purpose": purpose} if purpose else {})


@pytest.fixture
def space(settings: Settings) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    """Learner 1: research by the lab; 2: research and matching by anyone; 3: statistics
    by the statistics office, already expired."""
    store = EmbeddedStore(None)
    load_public(
        store, settings, PUBLIC_SOURCE, f'<{settings.resource("course", "c1")}> <{LABEL}> "C" .\n'
    )
    for key in ("1", "2", "3"):
        extra = SHARED if key in ("1", "2") else ""
        store.add_triples(consent_graph(settings, key), learner_triples(settings, key) + extra)
    now = datetime.now(UTC)
    month = now + timedelta(days=30)
    grant(store, settings, record(settings, "1", valid_until=month), now=now)
    both = (Purpose.SCIENTIFIC_RESEARCH, Purpose.MATCHING_AND_RECOMMENDATIONS)
    grant(
        store,
        settings,
        record(settings, "2", purposes=both, recipients=("any",), valid_until=month),
        now=now,
    )
    grant(
        store,
        settings,
        record(
            settings,
            "3",
            purposes=(Purpose.OFFICIAL_STATISTICS,),
            recipients=("stats",),
            valid_until=now - timedelta(minutes=1) + timedelta(seconds=1),
        ),
        now=now - timedelta(minutes=1),
    )
    with TestClient(create_app(settings, store, registry=registry())) as client:
        yield client, store
    store.close()


def regions(client: TestClient, headers: dict[str, str], query: str = REGIONS) -> list[str]:
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return [row["region"]["value"] for row in response.json()["results"]["bindings"]]


def test_each_caller_sees_what_the_consents_permit_it(
    space: tuple[TestClient, EmbeddedStore],
) -> None:
    client, _ = space
    assert regions(client, JSON) == []
    assert regions(client, token("lab")) == []  # a participant without a purpose
    assert regions(client, token("lab", "scientific-research")) == ["Region 1", "Region 2"]
    assert regions(client, token("jobs", "matching-and-recommendations")) == ["Region 2"]
    assert regions(client, token("stats", "official-statistics")) == []  # expired
    assert regions(client, token("uni", "scientific-research")) == ["Region 2"]


def test_graph_variables_and_datasets_reach_no_other_graph(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, _ = space
    lab = token("lab", "scientific-research")
    everywhere = f"SELECT ?region WHERE {{ GRAPH ?g {{ ?p <{REGION}> ?region }} }}"
    assert sorted(regions(client, lab, everywhere)) == ["Region 1", "Region 2"]
    assert regions(client, token("jobs", "matching-and-recommendations"), everywhere) == [
        "Region 2"
    ]
    named = (
        f"SELECT ?region FROM <{consent_graph(settings, '3')}> WHERE {{ ?p <{REGION}> ?region }}"
    )
    refused = client.get("/sparql", params={"query": named}, headers=lab)
    assert refused.status_code == 403
    other_view = settings.graph("view/jobs/matching-and-recommendations")
    protocol = client.get(
        "/sparql", params={"query": REGIONS, "default-graph-uri": other_view}, headers=lab
    )
    assert protocol.status_code == 403
    own_view = settings.graph("view/lab/scientific-research")
    assert sorted(
        regions(client, lab, f"SELECT ?region FROM <{own_view}> WHERE {{ ?p <{REGION}> ?region }}")
    ) == [
        "Region 1",
        "Region 2",
    ]


def test_purposes_are_checked_against_the_registry(
    space: tuple[TestClient, EmbeddedStore],
) -> None:
    client, _ = space
    query = {"query": "ASK {}"}
    disallowed = client.get("/sparql", params=query, headers=token("lab", "official-statistics"))
    assert disallowed.status_code == 403
    assert "may not declare the purpose official-statistics" in disallowed.text
    unknown = client.get("/sparql", params=query, headers=token("lab", "marketing"))
    assert unknown.status_code == 400 and "marketing" in unknown.text
    anonymous = client.get("/sparql", params={**query, "purpose": "scientific-research"})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"]


def test_withdrawal_is_visible_in_the_next_request(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, store = space
    lab = token("lab", "scientific-research")
    assert regions(client, lab) == ["Region 1", "Region 2"]
    withdraw(store, settings, "2")
    assert regions(client, lab) == ["Region 1"]
    assert regions(client, token("jobs", "matching-and-recommendations")) == []


def test_answers_with_personal_data_are_logged_with_their_consents(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, store = space
    lab = token("lab", "scientific-research")
    learners = "SELECT ?l WHERE { ?l a <https://w3id.org/skillsgraph/ontology#Learner> }"
    response = client.get("/sparql", params={"query": learners}, headers=lab)
    assert response.status_code == 200 and response.headers["x-access-log"]
    public = client.get(
        "/sparql", params={"query": f"SELECT ?x WHERE {{ ?c <{LABEL}> ?x }}"}, headers=lab
    )
    assert public.status_code == 200 and "x-access-log" not in public.headers
    entries = access_log(store, settings)
    assert [e.iri for e in entries] == [response.headers["x-access-log"]]
    entry = entries[0]
    assert entry.participant == settings.resource("participant", "lab")
    assert entry.query == learners
    assert entry.consents == (
        settings.resource("consent", "1"),
        settings.resource("consent", "2"),
    )


# --- the consent routes, for each consent's controller -----------------------------------


UNI = {"authorization": "Bearer tok-uni"}


def test_the_controller_withdraws_and_the_next_answer_changes(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, _ = space
    lab = token("lab", "scientific-research")
    assert regions(client, lab) == ["Region 1", "Region 2"]
    assert client.post("/consents/1/withdraw").status_code == 401
    stranger = client.post("/consents/1/withdraw", headers={"authorization": "Bearer tok-lab"})
    assert stranger.status_code == 404  # another controller's consent is not shown
    receipt = client.post("/consents/1/withdraw", headers=UNI)
    assert receipt.status_code == 200, receipt.text
    document = receipt.json()
    assert receipt.headers["content-type"].startswith("application/ld+json")
    assert document["sg:eventAction"] == "withdraw"
    assert document["sg:eventActor"] == {"@id": settings.resource("participant", "uni")}
    assert document["sg:concernsConsent"]["@id"] == settings.resource("consent", "1")
    assert regions(client, lab) == ["Region 2"]
    renewed = client.post(
        "/consents/1/renew",
        json={"validUntil": (datetime.now(UTC) + timedelta(days=5)).isoformat()},
        headers=UNI,
    )
    assert renewed.status_code == 200 and renewed.json()["sg:eventAction"] == "renew"
    assert regions(client, lab) == ["Region 1", "Region 2"]
    past = client.post(
        "/consents/1/renew", json={"validUntil": "2020-01-01T00:00:00Z"}, headers=UNI
    )
    assert past.status_code == 400 and "not in the future" in past.text


def test_grant_show_data_and_erase(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, store = space
    jobs = token("jobs", "matching-and-recommendations")
    assert regions(client, jobs) == ["Region 2"]
    terms = {
        "subject": "3",
        "purposes": ["matching-and-recommendations"],
        "recipients": ["jobs"],
        "personalData": ["EducationExperience"],
        "validUntil": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    }
    stats = {"authorization": "Bearer tok-stats"}
    assert client.put("/consents/3", json=terms, headers=stats).status_code == 403
    replaced = client.put("/consents/3", json=terms, headers=UNI)
    assert replaced.status_code == 200, replaced.text
    assert regions(client, jobs) == ["Region 2", "Region 3"]
    shown = client.get("/consents/3", headers=UNI).json()
    assert shown["dpv:hasRecipient"] == [{"@id": settings.resource("participant", "jobs")}]
    permits = {(p["participant"], p["purpose"]): p["permitted"] for p in shown["permits"]}
    assert permits[("jobs", "matching-and-recommendations")] is True
    assert permits[("lab", "scientific-research")] is False
    assert [e["action"] for e in shown["events"]][-1] == "grant"
    data = client.get("/consents/3/data", headers={**UNI, "accept": "application/n-triples"})
    assert data.status_code == 200 and '"Region 3"' in data.text
    [entry] = [e for e in access_log(store, settings) if e.iri == data.headers["x-access-log"]]
    assert entry.participant == settings.resource("participant", "uni")
    assert entry.purpose == RIGHT_OF_ACCESS  # the right exercised, not a data-space purpose
    assert entry.consents == (settings.resource("consent", "3"),)
    assert entry.query == "GET /consents/3/data"
    listed = client.get("/consents", headers=UNI).json()
    assert listed["total"] == 3 and [c["@id"].rsplit("/", 1)[1] for c in listed["consents"]] == [
        "1",
        "2",
        "3",
    ]
    assert client.get("/consents", headers=stats).json()["total"] == 0
    erased = client.delete("/consents/3", headers=UNI)
    assert erased.status_code == 200 and erased.json()["dcterms:identifier"]
    assert regions(client, jobs) == ["Region 2"]
    assert client.get("/consents/3", headers=UNI).status_code == 404
    assert store.count(consent_graph(settings, "3")) == 0


def test_a_new_grant_needs_its_terms(space: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = space
    missing = client.put("/consents/9", json={"purposes": ["career-guidance"]}, headers=UNI)
    assert missing.status_code == 400 and "subject" in missing.text
    strange = client.put("/consents/9", json={"colour": "blue"}, headers=UNI)
    assert strange.status_code == 400 and "colour" in strange.text
    bad_date = client.put("/consents/9", json={"subject": "9", "validUntil": "soon"}, headers=UNI)
    assert bad_date.status_code == 400 and "ISO 8601" in bad_date.text


# --- learner profiles ----------------------------------------------------------------------


def test_profiles_show_what_the_consents_permit_and_are_logged(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, store = space
    assert client.get("/profiles").status_code == 401
    no_purpose = client.get("/profiles", headers={"authorization": "Bearer tok-lab"})
    assert no_purpose.status_code == 403 and "scientific-research" in no_purpose.text
    lab = {"authorization": "Bearer tok-lab", "x-purpose": "scientific-research"}
    listed = client.get("/profiles", headers=lab).json()
    assert listed["total"] == 2
    assert [r["id"] for r in listed["results"]] == [
        settings.resource("learner", "1"),
        settings.resource("learner", "2"),
    ]
    one = client.get(listed["results"][0]["_links"]["self"]["href"], headers=lab)
    assert one.status_code == 200, one.text
    document = one.json()
    assert document["id"] == settings.resource("learner", "1")
    assert "Region 1" in one.text and "Region 2" not in one.text
    turtle = client.get("/profiles/1", headers={**lab, "accept": "text/turtle"})
    assert turtle.status_code == 200 and "Region 1" in turtle.text
    assert client.get("/profiles/3", headers=lab).status_code == 404  # not permitted
    jobs = client.get(
        "/profiles",
        headers={"authorization": "Bearer tok-jobs", "x-purpose": "matching-and-recommendations"},
    )
    assert [r["id"] for r in jobs.json()["results"]] == [settings.resource("learner", "2")]
    logged = access_log(store, settings)
    assert logged and all(e.participant.endswith(("/lab", "/jobs")) for e in logged)
    assert any(settings.resource("consent", "1") in e.consents for e in logged)


# --- CORS -------------------------------------------------------------------------------


def test_cors_is_off_by_default_and_configurable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(None)
    origin = {"origin": "https://app.example.org"}
    monkeypatch.delenv("SKILLSGRAPH_CORS_ORIGINS", raising=False)
    with TestClient(create_app(settings, store)) as client:
        plain = client.get("/sparql", params={"query": "ASK {}"}, headers={**origin, **JSON})
        assert "access-control-allow-origin" not in plain.headers
    monkeypatch.setenv("SKILLSGRAPH_CORS_ORIGINS", "https://app.example.org, https://b.example")
    with TestClient(create_app(settings, store)) as client:
        allowed = client.get("/sparql", params={"query": "ASK {}"}, headers={**origin, **JSON})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
        preflight = client.options(
            "/profiles",
            headers={
                **origin,
                "access-control-request-method": "GET",
                "access-control-request-headers": "authorization, x-purpose",
            },
        )
        assert preflight.status_code == 200
        assert "x-purpose" in preflight.headers["access-control-allow-headers"].lower()
        other = client.get(
            "/sparql",
            params={"query": "ASK {}"},
            headers={"origin": "https://evil.example", **JSON},
        )
        assert "access-control-allow-origin" not in other.headers
    store.close()


def test_reading_the_view_through_the_graph_store_is_logged(
    space: tuple[TestClient, EmbeddedStore], settings: Settings
) -> None:
    client, store = space
    lab = {"authorization": "Bearer tok-lab", "x-purpose": "scientific-research"}
    view = settings.graph("view/lab/scientific-research")
    response = client.get("/store", params={"graph": view}, headers=lab)
    assert response.status_code == 200 and "Region 1" in response.text
    assert response.headers["x-access-log"] in [e.iri for e in access_log(store, settings)]
    other = settings.graph("view/jobs/matching-and-recommendations")
    assert client.get("/store", params={"graph": other}, headers=lab).status_code == 404
    public = client.get("/store", params={"default": ""})
    assert public.status_code == 200 and "Region" not in public.text
