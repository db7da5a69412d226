"""Every personal triple sits in a graph with exactly one consent record: the placement
shapes over the store's inventory find each way of breaking it."""

from __future__ import annotations

from skillsgraph.consent import consent_graph, consent_iri
from skillsgraph.consent.model import SG
from skillsgraph.consent.placement import check_placement
from tests.consent.conftest import World, learner_triples


def test_granted_learners_are_placed_correctly(granted: World) -> None:
    report = check_placement(granted.store, granted.settings)
    assert report.conforms, report.findings


def test_a_consent_graph_without_a_record_is_reported(world: World) -> None:
    report = check_placement(world.store, world.settings)  # three graphs, no record yet
    graphs = sorted(f.focus for f in report.violations)
    assert graphs == [consent_graph(world.settings, k) for k in ("1", "2", "3")]
    assert all("exactly one consent record" in f.message for f in report.violations)


def test_two_records_for_one_graph_are_reported(granted: World) -> None:
    s = granted.settings
    second = consent_iri(s, "1-copy")
    granted.store.add_triples(
        s.graph("consents"), f"<{second}> <{SG}consentGraph> <{consent_graph(s, '1')}> .\n"
    )
    report = check_placement(granted.store, s)
    assert [f.focus for f in report.violations] == [consent_graph(s, "1")]


def test_personal_data_in_a_public_graph_is_reported(granted: World) -> None:
    s = granted.settings
    granted.store.add_triples(s.source_graph("leaky"), learner_triples(s, "9"))
    report = check_placement(granted.store, s)
    assert [f.focus for f in report.violations] == [s.resource("learner", "9")]
    assert all("outside a consent graph" in f.message for f in report.violations)


def test_views_hold_copies_and_are_not_reported(granted: World) -> None:
    s = granted.settings
    view = s.graph("view/lab/scientific-research")
    granted.store.add_triples(view, learner_triples(s, "1"))
    assert check_placement(granted.store, s).conforms
