"""The query paths: datasets, rewriting, answers, and the log of answers with personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent import (
    AccessContext,
    Purpose,
    access_log,
    may_see,
    public_graphs,
    query_as,
    query_personal,
    rewrite,
    visible_graphs,
    withdraw,
)
from skillsgraph.consent.index import ContextState, context_state, known_contexts, rebuild, views
from skillsgraph.query import run_query
from skillsgraph.store import EmbeddedStore
from skillsgraph.store.base import QueryResult
from tests.consent.conftest import NOW, World, build_world, grant_three, load_public
from tests.consent.helpers import rows

LAB = AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH)
STATS = AccessContext("stats", Purpose.OFFICIAL_STATISTICS)
ID = "https://w3id.org/skillsgraph/id/"


def test_public_graphs_come_from_provenance_and_exist(world: World) -> None:
    s = world.settings
    assert public_graphs(world.store, s) == [s.graph("provenance"), s.graph("source/pub")]
    world.store.add_triples(
        s.graph("provenance"),
        f"<urn:a> <{s.base}ontology#targetGraph> <{s.graph('source/gone')}> .\n",
    )
    load_public(world.store, s, "more", "<urn:x> <urn:y> <urn:z> .\n")
    assert s.graph("source/more") in public_graphs(world.store, s)
    assert s.graph("source/gone") not in public_graphs(world.store, s)


def test_a_context_sees_the_public_graphs_and_its_own_view(world: World) -> None:
    s = world.settings
    assert visible_graphs(world.store, s, LAB) == [
        *public_graphs(world.store, s),
        s.graph("view/lab/scientific-research"),
    ]
    assert visible_graphs(world.store, s, None) == public_graphs(world.store, s)
    assert may_see(s, LAB, s.graph("view/lab/scientific-research"))
    assert not may_see(s, STATS, s.graph("view/lab/scientific-research"))
    assert not may_see(s, LAB, s.graph("consents")) and may_see(s, None, s.graph("ontology"))


def test_a_context_is_maintained_from_its_first_query(granted: World) -> None:
    s, store = granted.settings, granted.store
    assert known_contexts(store, s) == []
    query_personal(store, s, STATS, "ASK {}", now=NOW)
    assert known_contexts(store, s) == [STATS.iri(s)] and views(store, s) == []
    query_as(store, s, LAB, "ASK { ?s ?p ?o }", now=NOW)
    assert known_contexts(store, s) == [LAB.iri(s), STATS.iri(s)]
    assert views(store, s) == [LAB.iri(s)]
    assert store.count(s.graph("view/stats/official-statistics")) == 0


def test_an_answer_naming_personal_resources_is_logged_with_its_consents(granted: World) -> None:
    s = granted.settings
    sparql = "SELECT ?l ?r WHERE { ?l sg:hasProfile ?p . ?p sg:region ?r }"
    answer = query_as(granted.store, s, LAB, sparql, now=NOW)
    assert answer.consents == (f"{ID}consent/1", f"{ID}consent/2")
    [entry] = access_log(granted.store, s)
    assert entry.iri == answer.logged
    assert (entry.participant, entry.purpose, entry.query) == (
        f"{ID}participant/lab",
        Purpose.SCIENTIFIC_RESEARCH.iri,
        sparql,
    )
    assert entry.consents == answer.consents


def test_an_answer_without_personal_data_is_not_logged(granted: World) -> None:
    s = granted.settings
    public = query_as(granted.store, s, LAB, "SELECT ?p { ?p a sg:Participant }", now=NOW)
    count = query_as(granted.store, s, LAB, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", now=NOW)
    assert public.logged is None and count.logged is None
    assert access_log(granted.store, s) == []


def test_an_application_query_is_logged_too(granted: World) -> None:
    s = granted.settings
    sparql = f"SELECT ?l {{ GRAPH <{s.graph('personal')}> {{ ?l a sg:Learner }} }}"
    answer = query_personal(granted.store, s, STATS, sparql, now=NOW)
    assert rows(answer) == {(f"<{ID}learner/3>",)}
    assert answer.consents == (f"{ID}consent/3",)
    assert [e.query for e in access_log(granted.store, s)] == [sparql]


def test_the_rewrite_joins_the_index_with_the_expiry_inside_the_query(granted: World) -> None:
    s = granted.settings
    sparql = f"SELECT * {{ GRAPH <{s.graph('personal')}> {{ ?s ?p ?o FILTER(?o != 1) }} ?s ?q ?r }}"
    moment = '"2026-03-01T12:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    assert rewrite(s, LAB, sparql, NOW) == (
        "SELECT * { GRAPH ?_cg0 { ?s ?p ?o  } "
        f"GRAPH <{s.graph('permissions')}> {{ <{LAB.iri(s)}> ?_cg0 ?_until0 }} "
        f"FILTER(?_until0 > {moment}) FILTER(?o != 1) ?s ?q ?r }}"
    )


def test_an_anchored_pattern_joins_the_one_triple_entry(granted: World) -> None:
    s = granted.settings
    sparql = f"SELECT * {{ GRAPH <{s.graph('personal')}> {{ <{ID}learner/1> ?p ?o }} }}"
    moment = '"2026-03-01T12:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    assert rewrite(s, LAB, sparql, NOW) == (
        f"SELECT * {{ GRAPH ?_cg0 {{ <{ID}learner/1> ?p ?o }} "
        f"GRAPH <{s.graph('permissions')}> {{ ?_cg0 <{LAB.iri(s)}> ?_until0 }} "
        f"FILTER(?_until0 > {moment}) }}"
    )
    answer = query_personal(granted.store, s, LAB, sparql, now=NOW, log=False)
    assert len(rows(answer)) == 3  # its type, profile and credential
    assert rows(query_personal(granted.store, s, STATS, sparql, now=NOW, log=False)) == set()


def test_a_filter_on_outside_variables_stays_inside(granted: World) -> None:
    s = granted.settings
    sparql = f"SELECT * {{ GRAPH <{s.graph('personal')}> {{ ?s ?p ?o FILTER(?x) }} ?x ?q ?r }}"
    assert "?o FILTER(?x) }" in rewrite(s, LAB, sparql, NOW)


def test_construct_and_describe_answers_come_back_as_triples(granted: World) -> None:
    s = granted.settings
    construct = query_as(
        granted.store, s, LAB, "CONSTRUCT { ?l a sg:Learner } WHERE { ?l a sg:Learner }", now=NOW
    )
    result = construct.result()
    assert isinstance(result, ox.QueryTriples)
    assert sorted(str(t.subject) for t in result) == [f"<{ID}learner/1>", f"<{ID}learner/2>"]
    assert construct.consents == (f"{ID}consent/1", f"{ID}consent/2")
    describe = query_as(granted.store, s, LAB, f"DESCRIBE <{ID}learner/1>", now=NOW)
    assert describe.kind == "triples" and len(list(describe.result())) == 3


def test_run_query_routes_through_the_context(granted: World) -> None:
    s = granted.settings
    sparql = "SELECT ?l { ?l a sg:Learner }"
    assert list(run_query(granted.store, s, sparql)) == []  # type: ignore[arg-type]
    assert len(list(run_query(granted.store, s, sparql, context=LAB, now=NOW))) == 2  # type: ignore[arg-type]


def test_a_view_whose_consent_expired_is_purged_before_the_next_query(granted: World) -> None:
    s, store = granted.settings, granted.store
    sparql = "SELECT ?l { ?l a sg:Learner }"
    assert len(rows(query_as(store, s, STATS, sparql, now=NOW))) == 1
    later = NOW + timedelta(days=2)
    assert rows(query_as(store, s, STATS, sparql, now=later)) == set()
    assert store.count(s.graph("view/stats/official-statistics")) == 0


def test_a_withdrawal_leaves_other_contexts_views_alone(granted: World) -> None:
    s, store = granted.settings, granted.store
    for context in (LAB, STATS):
        query_as(store, s, context, "ASK {}", now=NOW)
    before = store.count(s.graph("view/stats/official-statistics"))
    withdraw(store, s, "1", now=NOW)
    assert store.count(s.graph("view/stats/official-statistics")) == before


def test_answers_survive_the_round_trip_through_json(granted: World) -> None:
    store = EmbeddedStore(None)
    answer = query_as(store, granted.settings, None, 'SELECT ("é\\n" AS ?x) { }', now=NOW)
    assert rows(answer) == {('"é\\n"',)}


def test_the_state_of_a_context_tells_index_view_and_expiry(granted: World) -> None:
    s, store = granted.settings, granted.store
    assert context_state(store, s, STATS, NOW) == ContextState(False, False, True)
    query_personal(store, s, STATS, "ASK {}", now=NOW)
    assert context_state(store, s, STATS, NOW) == ContextState(True, False, True)
    query_as(store, s, STATS, "ASK {}", now=NOW)
    assert context_state(store, s, STATS, NOW) == ContextState(True, True, True)
    later = NOW + timedelta(days=2)  # learner 3's consent has expired, nothing purged yet
    assert context_state(store, s, STATS, later) == ContextState(True, True, False)
    assert context_state(store, s, LAB, later) == ContextState(False, False, False)


class Recording(EmbeddedStore):
    """An in-memory store that keeps the text of every query it answers."""

    def __init__(self) -> None:
        super().__init__(None)
        self.asked: list[str] = []

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        self.asked.append(sparql)
        return super().query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)


def test_an_application_query_reads_the_view_only_while_it_is_exact(settings: Settings) -> None:
    """With an exact view, an anchored clause reads it and a clause over all of the
    context's data joins the index; otherwise both join the index."""
    store = Recording()
    world = grant_three(build_world(store, settings))
    s = world.settings
    view = f"GRAPH <{s.graph('view/stats/official-statistics')}>"
    index = f"GRAPH <{s.graph('permissions')}>"
    personal = f"GRAPH <{s.graph('personal')}>"
    over_all = f"SELECT ?l {{ {personal} {{ ?l a sg:Learner }} }}"
    anchored = f"SELECT ?t {{ {personal} {{ <{ID}learner/3> a ?t }} }}"

    def ask(sparql: str, now: datetime) -> tuple[set[tuple[str, ...]], str]:
        store.asked.clear()
        answer = query_personal(store, s, STATS, sparql, now=now, log=False)
        pattern = sparql.split("{ ", 2)[2].split(" }")[0]  # the clause's pattern
        return rows(answer), next(q for q in store.asked if pattern in q)

    def paths(now: datetime) -> tuple[bool, bool]:
        """Whether each query read the view, after checking its answer."""
        found, text = ask(over_all, now)
        assert found == ({(f"<{ID}learner/3>",)} if now == NOW else set())
        assert (view in text) != (index in text)
        types, anchored_text = ask(anchored, now)
        assert types == ({(f"<{s.base}ontology#Learner>",)} if now == NOW else set())
        assert (view in anchored_text) != (index in anchored_text)
        return view in text, view in anchored_text

    assert paths(NOW) == (False, False)  # no view yet: the index join
    query_as(store, s, STATS, "ASK {}", now=NOW)
    assert paths(NOW) == (False, True)  # an exact view: the anchored clause reads it
    later = NOW + timedelta(days=2)  # learner 3's consent expired, the view not purged
    assert paths(later) == (False, False)
    assert store.count(s.graph("view/stats/official-statistics")) > 0
    query_as(store, s, STATS, "ASK {}", now=later)  # user SPARQL purges the view
    assert paths(later) == (False, True)
    store.close()


def test_a_rebuild_marks_a_view_only_once_it_is_complete(granted: World) -> None:
    s, store = granted.settings, granted.store
    query_as(store, s, LAB, "ASK {}", now=NOW)
    full = store.count(s.graph("view/lab/scientific-research"))
    seen = []
    update = store.update

    def watching(sparql: str) -> None:
        update(sparql)
        seen.append((views(store, s), store.count(s.graph("view/lab/scientific-research"))))

    store.update = watching  # type: ignore[method-assign]
    rebuild(store, s, NOW)
    assert full > 0 and seen[0] == ([], 0) and seen[-1] == ([LAB.iri(s)], full)
    assert all(count == full for marked, count in seen if marked)
