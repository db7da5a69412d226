"""Property: no sequence of consent changes and clock moves ever shows data that is not
permitted, or hides data that is.

Hypothesis drives random grants (random purposes, recipients, expiries), withdrawals,
renewals, erasures, expiry bookkeeping, index rebuilds and clock moves. After every step,
for every access context, the answers of both query paths (the project's own rewritten
queries, and user SPARQL over the view for every context but one, which keeps the index
only) equal what the records permit when evaluated live in plain
Python with :func:`~skillsgraph.consent.decide`, and the consents behind an answer are
exactly the permitted ones whose data it shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from skillsgraph.config import Settings
from skillsgraph.consent import (
    AccessContext,
    ConsentRecord,
    Purpose,
    any_participant,
    consent_graph,
    consent_iri,
    decide,
    erase,
    expire_due,
    grant,
    participant_iri,
    query_as,
    query_personal,
    rebuild,
    renew,
    withdraw,
)
from skillsgraph.consent.model import (
    CONSENT_EXPIRED,
    CONSENT_WITHDRAWN,
    PERMITTING_STATUSES,
    RENEWED_CONSENT_GIVEN,
)
from skillsgraph.store import EmbeddedStore, Store
from tests.consent.conftest import load_public, registry
from tests.consent.helpers import StrictStore, rows

START = datetime(2026, 1, 1, tzinfo=UTC)
KEYS = ("p0", "p1", "p2", "p3", "p4")
RECIPIENTS = ("uni", "lab", "jobs", "stats", "any")
PUBLIC = '<urn:course> <http://www.w3.org/2000/01/rdf-schema#label> "a course" .\n'


def _data(key: str) -> str:
    """The personal triples of consent ``key``: its own, and one it shares with a
    neighbour (p0 with p1, p2 with p3), so withdrawing one must keep the other's copy."""
    own = (
        f'<urn:learner-{key}> <urn:region> "region {key}" .\n'
        f'<urn:learner-{key}> <urn:score> "{len(key)}" .\n'
    )
    shared = {
        "p0": "<urn:course> <urn:takenBy> <urn:group-a> .\n",
        "p1": "<urn:course> <urn:takenBy> <urn:group-a> .\n",
        "p2": "<urn:group-b> <urn:member> <urn:learner-p2> .\n",
        "p3": "<urn:group-b> <urn:member> <urn:learner-p2> .\n",
    }
    return own + shared.get(key, "")


def _triples(ntriples: str) -> set[tuple[str, ...]]:
    return {tuple(line[:-2].split(" ", 2)) for line in ntriples.splitlines() if line}


class ConsentMachine(RuleBasedStateMachine):
    """The store under test, and the records as the test itself keeps them."""

    @initialize()
    def setup(self) -> None:
        self.settings = Settings(store="memory")
        self.store = self.new_store()
        self.now = START
        self.records: dict[str, ConsentRecord] = {}
        self.data = {key: _triples(_data(key)) for key in KEYS}
        self.contexts = registry().contexts()
        load_public(self.store, self.settings, "pub", PUBLIC)
        for key in KEYS:
            self.store.add_triples(consent_graph(self.settings, key), _data(key))

    def new_store(self) -> Store:
        """An empty store for one run (a subclass runs the machine on another store)."""
        return EmbeddedStore(None)

    # --- changes --------------------------------------------------------------------------

    @rule(
        key=st.sampled_from(KEYS),
        purposes=st.sets(st.sampled_from(list(Purpose)), min_size=1, max_size=3),
        recipients=st.sets(st.sampled_from(RECIPIENTS), min_size=1, max_size=3),
        hours=st.one_of(st.none(), st.integers(1, 72)),
    )
    def grant(
        self, key: str, purposes: set[Purpose], recipients: set[str], hours: int | None
    ) -> None:
        s = self.settings
        record = ConsentRecord(
            iri=consent_iri(s, key),
            subject=s.resource("learner", key),
            controller=participant_iri(s, "uni"),
            graph=consent_graph(s, key),
            purposes=frozenset(p.iri for p in purposes),
            recipients=frozenset(
                any_participant(s) if r == "any" else participant_iri(s, r) for r in recipients
            ),
            valid_until=None if hours is None else self.now + timedelta(hours=hours),
        )
        grant(self.store, s, record, now=self.now)
        self.records[key] = record

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.records)))
        withdraw(self.store, self.settings, key, now=self.now)
        self._status(key, CONSENT_WITHDRAWN)

    @precondition(lambda self: self.records)
    @rule(data=st.data(), hours=st.integers(1, 72))
    def renew(self, data: st.DataObject, hours: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.records)))
        until = self.now + timedelta(hours=hours)
        renew(self.store, self.settings, key, valid_until=until, now=self.now)
        old = self.records[key]
        self.records[key] = ConsentRecord(
            **{**old.__dict__, "status": RENEWED_CONSENT_GIVEN, "valid_until": until}
        )

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def erase(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.records)))
        erase(self.store, self.settings, key, now=self.now, key=b"test-key")
        del self.records[key]
        self.data[key] = set()

    @rule(hours=st.integers(1, 40))
    def move_the_clock(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def record_expiries(self) -> None:
        due = {
            r.iri
            for r in self.records.values()
            if r.status in PERMITTING_STATUSES
            and r.valid_until is not None
            and r.valid_until <= self.now
        }
        expired = expire_due(self.store, self.settings, now=self.now)
        assert {r.consent for r in expired} == due
        for receipt in expired:
            self._status(receipt.consent.rsplit("/", 1)[-1], CONSENT_EXPIRED)

    @rule()
    def rebuild_the_index(self) -> None:
        rebuild(self.store, self.settings, self.now)

    def _status(self, key: str, status: str) -> None:
        old = self.records[key]
        self.records[key] = ConsentRecord(**{**old.__dict__, "status": status})

    # --- after every step: both query paths agree with the reference ----------------------

    def _permitted(self, context: AccessContext) -> list[str]:
        return [
            key
            for key, record in sorted(self.records.items())
            if decide(record, context, self.now, settings=self.settings)
        ]

    @invariant()
    def every_answer_is_what_the_records_permit(self) -> None:
        if not hasattr(self, "store"):
            return
        s = self.settings
        public = _triples(PUBLIC) | {
            (
                f"<{s.resource('ingest', 'pub')}>",
                f"<{s.base}ontology#targetGraph>",
                f"<{s.source_graph('pub')}>",
            )
        }
        personal_query = f"SELECT ?s ?p ?o {{ GRAPH <{s.graph('personal')}> {{ ?s ?p ?o }} }}"
        iris_query = personal_query.replace("?o }", "?o FILTER(isIRI(?o)) }")
        course_query = f"SELECT ?p ?o {{ GRAPH <{s.graph('personal')}> {{ <urn:course> ?p ?o }} }}"
        member_query = (
            f"SELECT ?s ?p {{ GRAPH <{s.graph('personal')}> {{ ?s ?p <urn:learner-p2> }} }}"
        )
        for context in self.contexts:
            keys = self._permitted(context)
            expected = set().union(*(self.data[k] for k in keys)) if keys else set()
            app = query_personal(self.store, s, context, personal_query, now=self.now, log=False)
            assert rows(app) == expected, context
            filtered = query_personal(self.store, s, context, iris_query, now=self.now, log=False)
            assert rows(filtered) == {t for t in expected if t[2].startswith("<")}, context
            # anchored on a constant: the join with the one-triple index entry
            course = query_personal(self.store, s, context, course_query, now=self.now, log=False)
            assert rows(course) == {(p, o) for x, p, o in expected if x == "<urn:course>"}
            member = query_personal(self.store, s, context, member_query, now=self.now, log=False)
            assert rows(member) == {(x, p) for x, p, o in expected if o == "<urn:learner-p2>"}
            if context.participant == "jobs":
                continue  # its context keeps the index only, never a view
            user = query_as(self.store, s, context, "SELECT ?s ?p ?o { ?s ?p ?o }", now=self.now)
            assert rows(user) == expected | public, context
            assert set(user.consents) == {consent_iri(s, k) for k in keys if self.data[k]}

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()


def _runs(examples: int, steps: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


ConsentMachine.TestCase.settings = _runs(60, 30)
TestConsentProperties = ConsentMachine.TestCase


class StrictConsentMachine(ConsentMachine):
    """The same machine on a store that reaches only the named graphs a query lists (as
    Oxigraph server): the project's queries read each context's view there."""

    def new_store(self) -> Store:
        return StrictStore(None)


StrictConsentMachine.TestCase.settings = _runs(25, 25)
TestStrictConsentProperties = StrictConsentMachine.TestCase
