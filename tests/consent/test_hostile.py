"""Hostile SPARQL: whatever a query says, it sees the public graphs and its own view only.

The lab, querying for scientific research, may see learners 1 and 2. Learner 3's data
(official statistics, for the statistics office), the consent records, the permission
index, the audit log, other contexts' views and the consent graphs themselves must never
show up, whether the query asks with GRAPH ?g, FROM, FROM NAMED, SERVICE, subqueries,
VALUES, BIND or property paths.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from skillsgraph.config import Settings
from skillsgraph.consent import (
    AccessContext,
    Purpose,
    query_as,
    query_personal,
    rewrite,
    visible_graphs,
)
from skillsgraph.errors import BadInputError, ConsentDeniedError
from skillsgraph.query import run_query
from tests.consent.conftest import NOW, World
from tests.consent.helpers import seen

LAB = AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH)
STATS = AccessContext("stats", Purpose.OFFICIAL_STATISTICS)
ID = "https://w3id.org/skillsgraph/id/"
G = "https://w3id.org/skillsgraph/graph/"

HOSTILE = [
    "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"DESCRIBE <{ID}learner/3> <{ID}consent/3>",
    f"SELECT * WHERE {{ GRAPH <{G}consent/3> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ GRAPH <{G}consents> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ GRAPH <{G}permissions> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ GRAPH <{G}audit> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ GRAPH <{G}view/stats/official-statistics> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ VALUES ?g {{ <{G}consent/3> <{G}consents> }} GRAPH ?g {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ BIND(<{G}consent/3> AS ?g) GRAPH ?g {{ ?s ?p ?o }} }}",
    f'SELECT * WHERE {{ BIND(IRI(CONCAT("{G}", "consent/3")) AS ?g) GRAPH ?g {{ ?s ?p ?o }} }}',
    "SELECT * WHERE { { SELECT DISTINCT ?g WHERE { GRAPH ?g { } } } GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } } UNION { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { GRAPH ?g { ?s ?q ?r } } MINUS { ?s a ?nothing } }",
    "SELECT * WHERE { ?x (<urn:x:p>|!<urn:x:p>)* ?y }",
    "SELECT * WHERE { GRAPH ?g { ?x (<urn:x:p>|!<urn:x:p>)+ ?y } }",
    f"SELECT ?c ?g WHERE {{ <{ID}participant/lab> ^dpv:hasRecipient ?c . ?c sg:consentGraph ?g }}",
    f"SELECT * WHERE {{ GRAPH ?any {{ <{ID}participant/stats> "
    "(^dpv:hasRecipient|^sg:contextRecipient|sg:permittedFor|^sg:permittedFor|sg:consentGraph)*"
    " ?x } }",
    "SELECT * WHERE { ?g sg:permittedFor ?ctx }",
    f"ASK {{ GRAPH ?g {{ <{ID}learner/3> ?p ?o }} }}",
    "SELECT (COUNT(*) AS ?n) (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { GRAPH ?g { ?s ?p ?o } }",
    f'SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{G}consent")) }}',
    "SELECT * WHERE { GRAPH <https://w3id.org/skillsgraph/graph/consent/\\u0033> { ?s ?p ?o } }",
]
REFUSED = [
    (f"SELECT * FROM <{G}consent/3> WHERE {{ ?s ?p ?o }}", ConsentDeniedError),
    (f"SELECT * FROM NAMED <{G}consent/3> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", ConsentDeniedError),
    (f"SELECT * FROM <{G}consents> FROM <{G}source/pub> {{ ?s ?p ?o }}", ConsentDeniedError),
    (f"SELECT * FROM NAMED <{G}view/stats/official-statistics> {{ ?s ?p ?o }}", ConsentDeniedError),
    (
        "PREFIX g: <https://w3id.org/skillsgraph/graph/> SELECT * FROM g:permissions { ?s ?p ?o }",
        ConsentDeniedError,
    ),
    (f"SELECT * FROM <{G}consent/\\u0033> {{ ?s ?p ?o }}", ConsentDeniedError),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", ConsentDeniedError),
    ("SELECT * WHERE { service silent <http://127.0.0.1:1/> { ?s ?p ?o } }", ConsentDeniedError),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } SERVICE ?g { ?s ?p ?o } }", ConsentDeniedError),
    ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", ConsentDeniedError),
    ("DROP ALL", BadInputError),
    (
        f"INSERT DATA {{ GRAPH <{G}view/lab/scientific-research> {{ <urn:a> <urn:b> <urn:c> }} }}",
        BadInputError,
    ),
]


def _forbidden(settings: Settings) -> list[str]:
    """Strings that occur only in data the lab may not see for research."""
    return [
        f"{ID}learner/3",
        f"{ID}profile/3",
        f"{ID}credential/3",
        "Region 3",
        f"{ID}consent/",
        f"{ID}consent-event/",
        f"{ID}access-context/",
        f"{G}consent",
        f"{G}permissions",
        f"{G}audit",
        f"{G}view/stats",
        "ConsentGiven",
    ]


def _terms(result: object) -> list[str]:
    if isinstance(result, ox.QueryBoolean):
        return [str(bool(result))]
    if isinstance(result, ox.QueryTriples):
        return [str(t) for t in result]
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [str(row[n]) for row in result for n in names if row[n] is not None]


@pytest.mark.parametrize("sparql", HOSTILE)
def test_hostile_queries_see_nothing_they_may_not(granted: World, sparql: str) -> None:
    s = granted.settings
    for context in (LAB, None):
        answer = query_as(granted.store, s, context, sparql, now=NOW)
        terms = _terms(answer.result())
        leaked = [t for t in terms for bad in _forbidden(s) if bad in t]
        assert not leaked, (context, leaked[:5])
    if sparql.startswith("ASK"):
        assert not bool(query_as(granted.store, s, LAB, sparql, now=NOW).result())


@pytest.mark.parametrize(("sparql", "error"), REFUSED)
def test_escaping_the_dataset_or_reaching_out_is_refused(
    granted: World, sparql: str, error: type[Exception]
) -> None:
    for context in (LAB, None):
        with pytest.raises(error):
            query_as(granted.store, granted.settings, context, sparql, now=NOW)


def test_the_refusal_names_the_graph_and_what_may_be_queried(granted: World) -> None:
    s = granted.settings
    message = (
        r"outside what participant lab for scientific-research may see: <.*/graph/consent/3>; "
        r"query the public graphs or your view <.*/graph/view/lab/scientific-research>"
    )
    with pytest.raises(ConsentDeniedError, match=message):
        query_as(granted.store, s, LAB, f"SELECT * FROM <{G}consent/3> {{ ?s ?p ?o }}", now=NOW)
    with pytest.raises(ConsentDeniedError, match="SERVICE is not allowed"):
        run_query(granted.store, s, "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")


def test_graph_over_everything_sees_exactly_the_public_graphs_and_the_view(
    granted: World,
) -> None:
    s = granted.settings
    answer = query_as(granted.store, s, LAB, "SELECT DISTINCT ?g { GRAPH ?g { } }", now=NOW)
    listed = {row.split()[0].strip("<>") for row in map(str, _terms(answer.result()))}
    assert (
        listed
        == set(visible_graphs(granted.store, s, LAB))
        == {
            s.graph("provenance"),
            s.graph("source/pub"),
            s.graph("view/lab/scientific-research"),
        }
    )


def test_from_may_narrow_the_dataset_to_public_graphs(granted: World) -> None:
    s = granted.settings
    narrowed = query_as(
        granted.store, s, LAB, f"SELECT ?s ?p ?o FROM <{G}source/pub> {{ ?s ?p ?o }}", now=NOW
    )
    assert len(_terms(narrowed.result())) == 2 * 3
    own_view = query_as(
        granted.store,
        s,
        LAB,
        f"SELECT ?s FROM <{G}view/lab/scientific-research> {{ ?s a sg:Learner }}",
        now=NOW,
    )
    assert sorted(_terms(own_view.result())) == [f"<{ID}learner/1>", f"<{ID}learner/2>"]


def test_without_a_context_nothing_personal_is_seen(granted: World) -> None:
    s = granted.settings
    everything = run_query(granted.store, s, "SELECT * { GRAPH ?g { ?s ?p ?o } }")
    assert not [t for t in _terms(everything) if "learner/" in t or "view/" in t]


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT * { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT * {{ GRAPH <{G}consent/3> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{G}consents> {{ ?s ?p ?o }}",
        "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    ],
)
def test_application_queries_may_not_name_graphs_or_services(granted: World, sparql: str) -> None:
    with pytest.raises(BadInputError, match="application query"):
        rewrite(granted.settings, LAB, sparql, NOW)


def test_an_application_query_with_public_graphs_and_personal_data(granted: World) -> None:
    s = granted.settings
    sparql = f"""SELECT ?learner ?label WHERE {{
        GRAPH <{G}personal> {{ ?learner sg:earnedCredential ?c . ?c sg:awardedFor ?course }}
        GRAPH <{G}source/pub> {{ ?course rdfs:label ?label }} }}"""
    answer = query_personal(granted.store, s, STATS, sparql, now=NOW)
    assert _terms(answer.result()) == [f"<{ID}learner/3>", '"Course one"']
    lab = query_personal(granted.store, s, LAB, sparql, now=NOW)
    learners = sorted(t for t in _terms(lab.result()) if "learner/" in t)
    assert learners == [f"<{ID}learner/1>", f"<{ID}learner/2>"]
    assert seen(granted.store, s, LAB, NOW)
