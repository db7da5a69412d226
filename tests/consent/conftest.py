"""A small data space for the consent tests: public data, participants, learners' consents.

Four participants (uni may declare every purpose, the others one each); three learners,
each with one consent graph; ``shared`` is a triple two consent graphs both hold, so that
withdrawing one consent must not take it away from the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from skillsgraph.config import Settings
from skillsgraph.consent import (
    AccessContext,
    ConsentRecord,
    Purpose,
    Registry,
    any_participant,
    consent_graph,
    consent_iri,
    grant,
    hash_token,
    participant_iri,
)
from skillsgraph.consent.model import RDF_TYPE, SG
from skillsgraph.store import EmbeddedStore, Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PUBLIC_SOURCE = "pub"


def registry() -> Registry:
    everything = [p.slug for p in Purpose]
    return Registry.from_mapping(
        {
            "participants": {
                "uni": {
                    "name": "University",
                    "tokens": [hash_token("tok-uni")],
                    "purposes": everything,
                },
                "lab": {
                    "name": "Lab",
                    "tokens": [hash_token("tok-lab")],
                    "purposes": ["scientific-research"],
                },
                "jobs": {
                    "name": "Jobs",
                    "tokens": [hash_token("tok-jobs")],
                    "purposes": ["matching-and-recommendations"],
                },
                "stats": {
                    "name": "Statistics",
                    "tokens": [hash_token("tok-stats")],
                    "purposes": ["official-statistics"],
                },
            }
        }
    )


def load_public(store: Store, settings: Settings, source: str, ntriples: str) -> None:
    """A public source graph, recorded in provenance as ingest records it."""
    graph = settings.source_graph(source)
    store.add_triples(graph, ntriples)
    store.add_triples(
        settings.graph("provenance"),
        f"<{settings.resource('ingest', source)}> <{SG}targetGraph> <{graph}> .\n",
    )


def learner_triples(settings: Settings, key: str) -> str:
    learner = settings.resource("learner", key)
    profile = settings.resource("profile", key)
    return (
        f"<{learner}> <{RDF_TYPE}> <{SG}Learner> .\n"
        f"<{learner}> <{SG}hasProfile> <{profile}> .\n"
        f'<{profile}> <{SG}region> "Region {key}" .\n'
        f"<{learner}> <{SG}earnedCredential> <{settings.resource('credential', key)}> .\n"
        f"<{settings.resource('credential', key)}> <{SG}awardedFor> "
        f"<{settings.resource('course', 'c1')}> .\n"
    )


def record(
    settings: Settings,
    key: str,
    *,
    purposes: tuple[Purpose, ...] = (Purpose.SCIENTIFIC_RESEARCH,),
    recipients: tuple[str, ...] = ("lab",),
    valid_until: datetime | None = NOW + timedelta(days=30),
) -> ConsentRecord:
    return ConsentRecord(
        iri=consent_iri(settings, key),
        subject=settings.resource("learner", key),
        controller=participant_iri(settings, "uni"),
        graph=consent_graph(settings, key),
        purposes=frozenset(p.iri for p in purposes),
        recipients=frozenset(
            any_participant(settings) if r == "any" else participant_iri(settings, r)
            for r in recipients
        ),
        valid_until=valid_until,
    )


@dataclass
class World:
    store: Store
    settings: Settings
    registry: Registry

    def context(self, participant: str, purpose: Purpose) -> AccessContext:
        return AccessContext(participant, purpose)


SHARED = (
    "<https://w3id.org/skillsgraph/id/course/c1> "
    '<http://www.w3.org/2000/01/rdf-schema#comment> "taken by learners 1 and 2" .\n'
)


def build_world(store: Store, settings: Settings) -> World:
    """Public data; learners 1, 2, 3 with consent graphs (not yet granted), in ``store``."""
    load_public(
        store,
        settings,
        PUBLIC_SOURCE,
        f"<{settings.resource('course', 'c1')}> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"Course one" .\n'
        f"<{participant_iri(settings, 'lab')}> <{RDF_TYPE}> <{SG}Participant> .\n",
    )
    for key in ("1", "2", "3"):
        extra = SHARED if key in ("1", "2") else ""
        store.add_triples(consent_graph(settings, key), learner_triples(settings, key) + extra)
    return World(store, settings, registry())


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    """Public data; learners 1, 2, 3 with consent graphs (not yet granted)."""
    store = EmbeddedStore(None)
    yield build_world(store, settings)
    store.close()


@pytest.fixture
def granted(world: World) -> World:
    return grant_three(world)


def grant_three(world: World) -> World:
    """Learner 1: research by the lab; 2: research and matching, any participant;
    3: official statistics for stats, expiring in one day."""
    s = world.settings
    grant(world.store, s, record(s, "1"), now=NOW)
    grant(
        world.store,
        s,
        record(
            s,
            "2",
            purposes=(Purpose.SCIENTIFIC_RESEARCH, Purpose.MATCHING_AND_RECOMMENDATIONS),
            recipients=("any",),
        ),
        now=NOW,
    )
    grant(
        world.store,
        s,
        record(
            s,
            "3",
            purposes=(Purpose.OFFICIAL_STATISTICS,),
            recipients=("stats",),
            valid_until=NOW + timedelta(days=1),
        ),
        now=NOW,
    )
    return world
