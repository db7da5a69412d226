"""The server purges each consent from the index and the views when it expires, without
waiting for a query to meet it (skillsgraph.consent.expiry)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from skillsgraph.api import create_app
from skillsgraph.config import Settings
from skillsgraph.consent import AccessContext, Purpose, consent_graph, grant
from skillsgraph.consent.expiry import POLL_SECONDS, ExpiryKeeper
from skillsgraph.consent.index import ensure_context, is_current, next_expiry
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import PUBLIC_SOURCE, learner_triples, load_public, record, registry

LAB = AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH)
UNI = {"authorization": "Bearer tok-uni"}
RESEARCH = {"authorization": "Bearer tok-lab", "x-purpose": "scientific-research"}


def _store(settings: Settings, until: dict[str, datetime]) -> EmbeddedStore:
    """Learners whose consents permit the lab's research until the given moments."""
    store = EmbeddedStore(None)
    load_public(store, settings, PUBLIC_SOURCE, "")
    now = datetime.now(UTC)
    for key, moment in until.items():
        store.add_triples(consent_graph(settings, key), learner_triples(settings, key))
        grant(store, settings, record(settings, key, valid_until=moment), now=now)
    return store


def _copies(store: EmbeddedStore, settings: Settings, key: str) -> int:
    """How many of learner ``key``'s triples the lab's research view holds."""
    learner = settings.resource("learner", key)
    result = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LAB.view(settings)}> {{ <{learner}> ?p ?o }} }}"
    )
    return int(next(iter(result))["n"].value)  # type: ignore[call-overload]


def _eventually(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("keeper", [True, False])
def test_an_expired_consent_leaves_the_views_when_it_expires(
    settings: Settings, keeper: bool
) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=2)
    store = _store(settings, {"1": soon, "2": datetime.now(UTC) + timedelta(days=30)})
    ensure_context(store, settings, LAB, datetime.now(UTC), view=True)
    assert _copies(store, settings, "1") > 0 and _copies(store, settings, "2") > 0
    assert next_expiry(store, settings) == soon
    app = create_app(settings, store, registry=registry(), purge_on_expiry=keeper)
    with TestClient(app):
        time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()))
        # well within the keeper's poll: it waited for this very expiry
        purged = _eventually(lambda: _copies(store, settings, "1") == 0, seconds=1)
        if keeper:
            assert purged and is_current(store, settings, datetime.now(UTC))
            assert app.state.skillsgraph.expiry.purged == 1
            assert next_expiry(store, settings) > datetime.now(UTC) + timedelta(days=29)
        else:  # nothing purges until a query meets the expiry
            assert not purged and not is_current(store, settings, datetime.now(UTC))
        assert _copies(store, settings, "2") > 0


def test_a_grant_that_expires_sooner_is_awaited(settings: Settings) -> None:
    store = _store(settings, {"1": datetime.now(UTC) + timedelta(days=30)})
    store.add_triples(consent_graph(settings, "2"), learner_triples(settings, "2"))
    app = create_app(settings, store, registry=registry())
    with TestClient(app) as client:
        client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=RESEARCH)
        keeper: ExpiryKeeper = app.state.skillsgraph.expiry
        assert _eventually(lambda: keeper.waiting == POLL_SECONDS, 2)
        terms = {
            "subject": "2",
            "purposes": ["scientific-research"],
            "recipients": ["lab"],
            "personalData": ["EducationExperience"],
            "validUntil": (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat(),
        }
        assert client.put("/consents/2", json=terms, headers=UNI).status_code == 201
        assert _copies(store, settings, "2") > 0
        # the next expiry was a month away: the keeper learns of the sooner one at its
        # next look at the index
        assert _eventually(lambda: _copies(store, settings, "2") == 0, POLL_SECONDS + 2)
        assert keeper.purged == 1 and _copies(store, settings, "1") > 0


def test_the_keeper_stops_with_the_server(settings: Settings) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=1)
    store = _store(settings, {"1": soon})
    ensure_context(store, settings, LAB, datetime.now(UTC), view=True)
    app = create_app(settings, store, registry=registry())
    with TestClient(app):
        keeper: ExpiryKeeper = app.state.skillsgraph.expiry
        assert _eventually(lambda: keeper.waiting is not None and keeper.waiting < 1.1, 1)
    assert keeper.waiting is None
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    assert keeper.purged == 0 and not is_current(store, settings, datetime.now(UTC))
