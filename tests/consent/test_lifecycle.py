"""Grant, renew, withdraw, expire, erase: records, index, views and audit change together."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pyoxigraph as ox
import pytest

from skillsgraph.consent import (
    AccessContext,
    Purpose,
    erase,
    expire_due,
    explain,
    grant,
    is_erased,
    prepare_grant,
    query_as,
    rebuild,
    renew,
    show,
    withdraw,
)
from skillsgraph.consent.audit import events, subject_proof
from skillsgraph.consent.model import CONSENT_EXPIRED, CONSENT_WITHDRAWN, RENEWED_CONSENT_GIVEN
from skillsgraph.consent.scope import merge_public
from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import NOW, SHARED, World, learner_triples, record
from tests.consent.helpers import dump, personal, seen, triples

LAB = AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH)
STATS = AccessContext("stats", Purpose.OFFICIAL_STATISTICS)
JOBS = AccessContext("jobs", Purpose.MATCHING_AND_RECOMMENDATIONS)


def _nt(text: str) -> set[tuple[str, ...]]:
    return {tuple(line.rstrip(" .").split(" ", 2)) for line in text.splitlines() if line}


def _learner(world: World, key: str) -> set[tuple[str, ...]]:
    return _nt(learner_triples(world.settings, key))


def test_a_grant_shows_the_data_to_its_contexts_only(granted: World) -> None:
    s, store = granted.settings, granted.store
    one, two, three = (_learner(granted, k) for k in "123")
    lab = personal(store, s, LAB, NOW)
    assert one <= lab and two <= lab and not (three & lab)
    assert personal(store, s, JOBS, NOW) >= two and not (personal(store, s, JOBS, NOW) & one)
    assert personal(store, s, STATS, NOW) == three
    assert seen(store, s, LAB, NOW) >= one | two


def test_a_receipt_is_the_audit_event_as_json_ld(world: World) -> None:
    s = world.settings
    receipt = grant(world.store, s, record(s, "1"), now=NOW)
    document = ox.parse(json.dumps(receipt.jsonld()), format=ox.RdfFormat.JSON_LD)
    stored = receipt.ntriples() + show(world.store, s, "1").ntriples()
    assert {str(q.triple) for q in document} == {
        str(t) for t in ox.parse(stored, format=ox.RdfFormat.N_TRIPLES)
    }
    assert _nt(receipt.ntriples()) <= triples(world.store, s.graph("audit"))
    assert receipt.action == "grant" and receipt.actor == s.resource("learner", "1")


def test_withdrawal_is_visible_in_the_very_next_query(granted: World) -> None:
    s, store = granted.settings, granted.store
    one = _learner(granted, "1")
    assert one <= seen(store, s, LAB, NOW)
    receipt = withdraw(store, s, "1", now=NOW)
    assert receipt.status == CONSENT_WITHDRAWN
    assert not (seen(store, s, LAB, NOW) & one)
    assert not (personal(store, s, LAB, NOW) & one)
    assert not (triples(store, s.graph("view/lab/scientific-research")) & one)
    assert [e["action"] for e in events(store, s, receipt.consent)] == ["grant", "withdraw"]


def test_a_triple_two_consents_share_stays_while_one_of_them_permits_it(granted: World) -> None:
    s, store = granted.settings, granted.store
    shared = _nt(SHARED)
    assert shared <= seen(store, s, LAB, NOW)
    withdraw(store, s, "1", now=NOW)
    assert shared <= seen(store, s, LAB, NOW) and shared <= personal(store, s, LAB, NOW)
    withdraw(store, s, "2", now=NOW)
    assert not (shared & seen(store, s, LAB, NOW))
    assert not (shared & personal(store, s, LAB, NOW))


def test_each_change_leaves_the_stored_record_exactly_its_new_version(granted: World) -> None:
    """A change rewrites only the properties that differ: nothing stale may stay behind."""
    s, store = granted.settings, granted.store
    stored = s.resource("consent", "1")

    def record_triples() -> set[tuple[str, ...]]:
        return {t for t in triples(store, s.graph("consents")) if t[0] == f"<{stored}>"}

    steps = [
        lambda: withdraw(store, s, "1", now=NOW),
        lambda: renew(store, s, "1", valid_until=NOW + timedelta(days=3), now=NOW),
        lambda: renew(store, s, "1", valid_until=None, now=NOW),
        lambda: grant(
            store,
            s,
            prepare_grant(store, s, "1", purposes=["career-guidance"], recipients=["any"]),
            now=NOW,
        ),
    ]
    for step in steps:
        receipt = step()
        assert receipt.record is not None
        assert record_triples() == _nt(receipt.record.ntriples())
    assert show(store, s, "1").purposes == {Purpose.CAREER_GUIDANCE.iri}
    assert show(store, s, "1").valid_until is None


def test_renewal_brings_the_data_back_until_its_new_date(granted: World) -> None:
    s, store = granted.settings, granted.store
    one = _learner(granted, "1")
    withdraw(store, s, "1", now=NOW)
    receipt = renew(store, s, "1", valid_until=NOW + timedelta(hours=2), now=NOW)
    assert receipt.status == RENEWED_CONSENT_GIVEN
    assert one <= seen(store, s, LAB, NOW)
    assert not (seen(store, s, LAB, NOW + timedelta(hours=2)) & one)
    with pytest.raises(BadInputError, match="not in the future"):
        renew(store, s, "1", valid_until=NOW, now=NOW)


def test_expiry_needs_no_sweep(granted: World) -> None:
    s, store = granted.settings, granted.store
    three = _learner(granted, "3")
    later = NOW + timedelta(days=1)
    assert three == personal(store, s, STATS, later - timedelta(microseconds=1))
    assert not personal(store, s, STATS, later)
    assert not (seen(store, s, STATS, later) & three)
    receipts = expire_due(store, s, now=later)
    assert [(r.action, r.status) for r in receipts] == [("expire", CONSENT_EXPIRED)]
    assert show(store, s, "3").status == CONSENT_EXPIRED
    assert expire_due(store, s, now=later) == []


def test_erasure_removes_everything_and_keeps_a_pseudonymised_proof(granted: World) -> None:
    s, store = granted.settings, granted.store
    query_as(store, s, LAB, f"SELECT * {{ <{s.resource('learner', '1')}> ?p ?o }}", now=NOW)
    key = b"k" * 32
    subject, consent = s.resource("learner", "1"), s.resource("consent", "1")
    receipt = erase(store, s, "1", now=NOW, key=key)
    assert receipt.proof == subject_proof(key, subject)
    assert s.graph("consent/1") not in store.graphs()
    with pytest.raises(NotFoundError):
        show(store, s, "1")
    only_one = _learner(granted, "1")
    for graph in store.graphs():
        assert not (triples(store, graph) & only_one), graph
    audit = dump(store)
    assert subject not in audit and f"<{consent}>" not in audit
    assert subject_proof(key, subject) in audit
    assert is_erased(store, s, consent, key) and not is_erased(
        store, s, s.resource("consent", "2"), key
    )
    assert not (seen(store, s, LAB, NOW) & only_one)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purposes": frozenset({"https://w3id.org/dpv#Marketing"})}, "data space's list"),
        ({"purposes": frozenset()}, "found none"),
        ({"recipients": frozenset()}, "recipients are participants"),
        ({"recipients": frozenset({"http://evil.org/x"})}, "http://evil.org/x"),
        ({"graph": "https://w3id.org/skillsgraph/graph/source/pub"}, "must be a consent graph"),
        ({"graph": "https://w3id.org/skillsgraph/graph/consent/2"}, "already belongs"),
        ({"valid_until": NOW}, "not in the future"),
        ({"subject": ""}, "data subject"),
    ],
)
def test_a_bad_grant_says_what_is_wrong(
    granted: World, change: dict[str, object], message: str
) -> None:
    s = granted.settings
    bad = dataclasses.replace(record(s, "9"), **change)  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match=message):
        grant(granted.store, s, bad, now=NOW)


def test_a_grant_cannot_move_a_consent_to_another_graph(granted: World) -> None:
    s = granted.settings
    moved = dataclasses.replace(record(s, "1"), graph=s.graph("consent/elsewhere"))
    with pytest.raises(BadInputError, match="cannot move it"):
        grant(granted.store, s, moved, now=NOW)


def test_changing_an_unknown_consent_is_not_found(world: World) -> None:
    with pytest.raises(NotFoundError, match=r"no consent record .*/id/consent/nope"):
        withdraw(world.store, world.settings, "nope", now=NOW)


def test_prepare_grant_fills_in_from_the_stored_record(granted: World) -> None:
    s = granted.settings
    withdraw(granted.store, s, "1", now=NOW)
    again = prepare_grant(granted.store, s, "1", purposes=["career-guidance"], recipients=["any"])
    assert again.subject == s.resource("learner", "1")
    assert again.purposes == {Purpose.CAREER_GUIDANCE.iri}
    with pytest.raises(BadInputError, match="give its subject and its controller"):
        prepare_grant(granted.store, s, "new")


def test_explain_gives_each_registered_context_its_decision(granted: World) -> None:
    report = explain(granted.store, granted.settings, "2", granted.registry, now=NOW)
    permitted = {(c.participant, c.purpose.slug) for c, d in report.decisions if d}
    assert permitted == {
        ("uni", "scientific-research"),
        ("uni", "matching-and-recommendations"),
        ("lab", "scientific-research"),
        ("jobs", "matching-and-recommendations"),
    }
    assert [e["action"] for e in report.events] == ["grant"]


def test_a_rebuild_derives_the_same_index_and_views(granted: World) -> None:
    s, store = granted.settings, granted.store
    for context in (LAB, STATS, JOBS):
        seen(store, s, context, NOW)  # start maintaining the three views
    withdraw(store, s, "1", now=NOW)
    graphs = [g for g in store.graphs() if "/graph/view/" in g] + [s.graph("permissions")]
    before = {g: triples(store, g) for g in graphs}
    report = rebuild(store, s, NOW)
    assert (report.contexts, report.views) == (3, 3)
    assert {g: triples(store, g) for g in graphs} == before
    assert report.view_triples == sum(len(before[g]) for g in graphs if "/view/" in g)


def test_the_purge_of_an_expiry_leaves_the_index_a_rebuild_derives(granted: World) -> None:
    """Every form of an expired consent's index entries leaves with it (consent 3 expires
    after a day; only the statistics context may see it)."""
    s, store = granted.settings, granted.store
    for context in (LAB, STATS, JOBS):
        seen(store, s, context, NOW)
    later = NOW + timedelta(days=2)
    query_as(store, s, STATS, "ASK {}", now=later)  # purges the expired consent
    graphs = [g for g in store.graphs() if "/graph/view/" in g] + [s.graph("permissions")]
    purged = {g: triples(store, g) for g in graphs}
    assert not any("consent/3" in term for t in purged[s.graph("permissions")] for term in t)
    rebuild(store, s, later)
    assert {g: triples(store, g) for g in graphs} == purged


def test_a_rebuild_after_an_expiry_keeps_no_entry_of_it(granted: World) -> None:
    s, store = granted.settings, granted.store
    for context in (LAB, STATS):
        seen(store, s, context, NOW)
    rebuild(store, s, NOW + timedelta(days=2))  # consent 3 expired, never purged
    index = triples(store, s.graph("permissions"))
    assert not any("consent/3" in term for t in index for term in t)
    assert any(f"<{STATS.iri(s)}>" == t[0] for t in index)  # the context is still described


def test_a_rebuild_compacts_the_store_after_its_writes(
    granted: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries joining the index must not pay for the runs the rebuild's writes left."""
    s, store = granted.settings, granted.store
    seen(store, s, LAB, NOW)  # one view to rebuild too
    calls: list[str] = []
    update, compact = store.update, store.compact
    monkeypatch.setattr(store, "update", lambda text: (calls.append("update"), update(text))[1])
    monkeypatch.setattr(store, "compact", lambda: (calls.append("compact"), compact())[1])
    report = rebuild(store, s, NOW)
    assert calls[-1] == "compact" and calls.count("compact") == 1 and "update" in calls
    assert 0 <= report.compacted <= report.seconds


def test_a_shared_triple_goes_when_every_consent_holding_it_expires(world: World) -> None:
    s, store = world.settings, world.store
    soon = NOW + timedelta(hours=1)
    grant(store, s, record(s, "1", valid_until=soon), now=NOW)
    grant(store, s, record(s, "2", valid_until=soon + timedelta(minutes=1)), now=NOW)
    shared = _nt(SHARED)
    assert shared <= seen(store, s, LAB, NOW)
    later = soon + timedelta(hours=1)  # both expired: purged together
    assert not (seen(store, s, LAB, later) & shared)
    assert not (triples(store, s.graph("view/lab/scientific-research")) & shared)


def test_consent_changes_keep_the_merged_copy_of_the_public_graphs_in_use(
    granted: World,
) -> None:
    """Consent writes name their graphs: none of them stops the embedded store's merged copy
    of the public graphs (the fast default graph of every query)."""
    s, store = granted.settings, granted.store
    assert isinstance(store, EmbeddedStore)
    assert merge_public(store, s)
    merged = store.merged
    query_as(store, s, LAB, "ASK { ?s ?p ?o }", now=NOW)  # creates the lab's view
    withdraw(store, s, "1", now=NOW)
    renew(store, s, "1", valid_until=NOW + timedelta(hours=1), now=NOW)
    expire_due(store, s, now=NOW + timedelta(days=2))
    query_as(store, s, LAB, "ASK { ?s ?p ?o }", now=NOW + timedelta(days=2))  # purges
    erase(store, s, "2", now=NOW + timedelta(days=2), key=b"k" * 32)
    rebuild(store, s, NOW + timedelta(days=2))
    assert store.merged == merged and merged
