"""The SPARQL lexer: SERVICE, FROM and GRAPH are found where the parser sees them."""

from __future__ import annotations

import pytest

from skillsgraph.consent.sparql import (
    anchored,
    graph_clauses,
    inspect_query,
    replace_graph_clauses,
    tokenize,
)
from skillsgraph.errors import BadInputError
from skillsgraph.namespaces import PREFIXES

SERVICE_HIDDEN = [
    'SELECT * { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * { ?s ?p '''a ' SERVICE ''' }",
    'SELECT * { ?s ?p """a "" SERVICE \\" """ }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT * { ?s <http://x/SERVICE> ?o }",
    "PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?service }",
    'SELECT * { ?s ?p "escaped \\" SERVICE" }',
]
SERVICE_USED = [
    "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * { service silent <http://x/> { ?s ?p ?o } }",
    "SELECT * { SeRvIcE ?endpoint { ?s ?p ?o } }",
    "SELECT * {SERVICE<http://x/>{?s ?p ?o}}",
    'SELECT * { ?s ?p "a\\\\" SERVICE <http://x/> { } }',
    "SELECT * { ?s ?p ?o FILTER(?o <?x) SERVICE <http://x/> { } }",
    "SELECT * { ?s ?p ?o } \n# c\nSERVICE",
    "SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", SERVICE_HIDDEN)
def test_service_inside_strings_iris_names_and_comments_is_not_a_keyword(query: str) -> None:
    assert not inspect_query(query, {}).service


@pytest.mark.parametrize("query", SERVICE_USED)
def test_service_is_found_whatever_its_spelling(query: str) -> None:
    assert inspect_query(query, {}).service


def test_from_clauses_are_read_with_prefixes() -> None:
    found = inspect_query(
        "PREFIX g: <http://x/g/>\nSELECT * FROM g:one FROM <http://x/g/two>\n"
        "FROM NAMED g:three WHERE { ?s ?p ?o }",
        {},
    )
    assert found.from_graphs == ("http://x/g/one", "http://x/g/two")
    assert found.from_named == ("http://x/g/three",)
    project = inspect_query("SELECT * FROM sg:x { }", {"sg": "http://x/sg#"})
    assert project.from_graphs == ("http://x/sg#x",)


def test_from_with_an_undeclared_prefix_or_a_relative_iri_is_refused() -> None:
    with pytest.raises(BadInputError, match="prefix nope: is not declared"):
        inspect_query("SELECT * FROM nope:x { }", {})
    with pytest.raises(BadInputError, match="absolute IRIs"):
        inspect_query("SELECT * FROM <graph> { }", {})


def test_graph_clauses_have_matching_braces() -> None:
    text = 'SELECT * { GRAPH <http://g/1> { ?s ?p "}" { ?a ?b ?c } } GRAPH ?g { } }'
    tokens = tokenize(text)
    clauses = graph_clauses(tokens, {})
    assert [c.term for c in clauses] == ["http://g/1", "?g"]
    first = clauses[0]
    assert "".join(t.text for t in tokens[first.open_token : first.close_token + 1]) == (
        '{ ?s ?p "}" { ?a ?b ?c } }'
    )


def test_replacing_graph_clauses_keeps_the_rest_verbatim() -> None:
    text = "SELECT * { GRAPH <http://p> { ?s ?p ?o } GRAPH <http://q> { ?a ?b ?c } }"
    out = replace_graph_clauses(text, {}, "http://p", lambda n: (f"[{n} ", " ]"))
    assert out == "SELECT * { [0  ?s ?p ?o  ] GRAPH <http://q> { ?a ?b ?c } }"


def test_unbalanced_braces_are_bad_input() -> None:
    with pytest.raises(BadInputError, match="unbalanced"):
        graph_clauses(tokenize("SELECT * { GRAPH ?g { ?s ?p ?o "), {})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("<urn:l> sg:hasProfile ?p . ?p ?x ?v", True),
        ('?l sg:hasEnrolment ?e . ?e sg:finalResult "Fail"', True),
        ("?r sg:score 90", True),
        ('?r sg:label "x"@en', True),
        ("?r sg:x ?y , <urn:z>", True),
        ("?r a sg:Learner ; sg:x <urn:a>", True),
        ("?l sg:hasProfile ?pr . ?pr sg:region ?region", False),
        ("?r a sg:Learner", False),
        ("?r rdf:type sg:Learner . ?r sg:y ?z", False),
        ("?r sg:x ?y FILTER(?y = <urn:a>)", False),
        ("{ <urn:a> ?p ?o }", False),
    ],
)
def test_a_clause_is_anchored_by_a_constant_subject_or_object(pattern: str, expected: bool) -> None:
    tokens = tokenize(f"SELECT * {{ GRAPH <urn:personal> {{ {pattern} }} }}")
    [clause] = graph_clauses(tokens, PREFIXES)
    assert anchored(tokens, clause) is expected
