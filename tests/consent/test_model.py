"""Consent records and the closed list of purposes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

from skillsgraph.config import Settings
from skillsgraph.consent import Purpose, consent_graph, consent_iri, parse_datetime, status_iri
from skillsgraph.consent.model import (
    CONSENT_INVALID,
    EXPIRED,
    SG,
    ConsentRecord,
    read_record,
    read_records,
    record_from_pairs,
)
from skillsgraph.errors import BadInputError
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import NOW, record

ROOT = Path(__file__).resolve().parents[2]


def test_purposes_are_the_ontology_s_closed_list_with_their_dpv_concepts() -> None:
    ontology = Graph().parse(ROOT / "ontology" / "consent.ttl")
    one_of = ontology.value(ontology.value(URIRef(f"{SG}Purpose"), OWL.equivalentClass), OWL.oneOf)
    assert one_of is not None
    assert {str(i) for i in Collection(ontology, one_of)} == {p.iri for p in Purpose}
    for purpose in Purpose:
        types = {str(t) for t in ontology.objects(URIRef(purpose.iri), RDF.type)}
        assert purpose.dpv in types, purpose


@pytest.mark.parametrize(
    "text", ["career-guidance", "CareerGuidance", "sg:CareerGuidance", f"{SG}CareerGuidance"]
)
def test_a_purpose_is_named_by_slug_local_name_or_iri(text: str) -> None:
    assert Purpose.parse(text) is Purpose.CAREER_GUIDANCE


def test_an_unknown_purpose_lists_the_known_ones() -> None:
    with pytest.raises(BadInputError, match=r"unknown purpose 'marketing'.*training-planning"):
        Purpose.parse("marketing")


def test_a_record_round_trips_through_the_store(settings: Settings) -> None:
    store = EmbeddedStore(None)
    written = record(settings, "7")
    store.add_triples(settings.graph("consents"), written.ntriples())
    assert read_record(store, settings, written.iri) == written
    assert read_records(store, settings) == [written]
    assert read_records(store, settings, subject=settings.resource("learner", "8")) == []


def test_keys_become_the_layout_s_iris(settings: Settings) -> None:
    assert consent_iri(settings, "learners-3733") == (
        "https://w3id.org/skillsgraph/id/consent/learners-3733"
    )
    assert consent_graph(settings, "learners-3733") == (
        "https://w3id.org/skillsgraph/graph/consent/learners-3733"
    )
    with pytest.raises(BadInputError, match="expected a key"):
        consent_iri(settings, "a b")


def _pairs(*pairs: tuple[str, ox.NamedNode | ox.Literal]) -> list[tuple[ox.NamedNode, object]]:
    return [(ox.NamedNode(p), o) for p, o in pairs]


def test_a_malformed_record_permits_nothing() -> None:
    dpv = "https://w3id.org/dpv#"
    given = ox.NamedNode(f"{dpv}ConsentGiven")
    renewed = ox.NamedNode(f"{dpv}RenewedConsentGiven")
    two_statuses = record_from_pairs(
        "http://x/c", _pairs((f"{dpv}hasConsentStatus", given), (f"{dpv}hasConsentStatus", renewed))
    )
    assert two_statuses.status == CONSENT_INVALID
    xsd = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    for values in (
        [ox.Literal("2030-01-01T00:00:00", datatype=xsd)],  # no time zone
        [ox.Literal("soon", datatype=xsd)],
        [ox.Literal("2030-01-01T00:00:00Z")],  # a plain string
        [
            ox.Literal("2030-01-01T00:00:00Z", datatype=xsd),
            ox.Literal("2031-01-01T00:00:00Z", datatype=xsd),
        ],
    ):
        parsed = record_from_pairs("http://x/c", _pairs(*((f"{SG}validUntil", v) for v in values)))
        assert parsed.valid_until == EXPIRED, values
    two_graphs = record_from_pairs(
        "http://x/c",
        _pairs(
            (f"{SG}consentGraph", ox.NamedNode("http://x/g1")),
            (f"{SG}consentGraph", ox.NamedNode("http://x/g2")),
        ),
    )
    assert two_graphs.graph == ""


def test_date_times_need_a_time_zone() -> None:
    assert parse_datetime("2030-01-01") == datetime(2030, 1, 1, tzinfo=UTC)
    assert parse_datetime("2030-01-01T10:00:00+02:00") == datetime(2030, 1, 1, 8, tzinfo=UTC)
    with pytest.raises(BadInputError, match="give a time zone"):
        parse_datetime("2030-01-01T10:00:00")
    with pytest.raises(BadInputError, match="not a date-time"):
        parse_datetime("next year")


def test_statuses_are_dpv_s() -> None:
    assert status_iri("ConsentWithdrawn") == "https://w3id.org/dpv#ConsentWithdrawn"
    assert status_iri("dpv:ConsentGiven") == "https://w3id.org/dpv#ConsentGiven"
    with pytest.raises(BadInputError, match="ConsentRevoked"):
        status_iri("Revoked")


def test_a_record_keeps_what_it_does_not_model(settings: Settings) -> None:
    store = EmbeddedStore(None)
    written = record(settings, "7")
    extra = f'<{written.iri}> <http://purl.org/dc/terms/description> "seeded" .\n'
    store.add_triples(settings.graph("consents"), written.ntriples() + extra)
    read = read_record(store, settings, written.iri)
    assert read is not None and read.extra
    assert '"seeded"' in read.ntriples()
    assert read == ConsentRecord(**{**read.__dict__, "extra": ()})
    assert (read.valid_until or NOW) > NOW
