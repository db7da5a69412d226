"""What the API says about one resource: the graph behind ``/resource``, ``/skills/{id}``...

The description of an IRI is: every triple it is the subject of; the triples of the blank
nodes it points to (two levels deep: OWL restrictions, the first cells of lists); the
labels (``skos:prefLabel``, ``rdfs:label``) and types of the resources it links to, so
that a reader sees names rather than bare IRIs; and the ESCO relations that point at it
(the occupations a skill is essential or optional for), with their labels. All of it from
the graphs the caller may see, in one query.
"""

from __future__ import annotations

import pyoxigraph as ox

from skillsgraph.api.access import GraphScope
from skillsgraph.api.execution import QueryRunner, Triples
from skillsgraph.api.jsonld import REVERSE_PREDICATES
from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.namespaces import RDF, RDFS, SKOS

_LABELS = f"<{SKOS.prefLabel}> <{RDFS.label}>"


def describe_query(iri: str) -> str:
    """The CONSTRUCT query that gathers the description of ``iri``."""
    x = str(ox.NamedNode(iri))
    reverse = " ".join(f"<{p}>" for p in REVERSE_PREDICATES)
    return f"""
CONSTRUCT {{
  {x} ?p ?o .
  ?b ?bp ?bo . ?bo ?bp2 ?bo2 .
  ?n ?np ?nl . ?n a ?nt .
  ?r ?rp {x} .
}} WHERE {{
  {{ {x} ?p ?o }}
  UNION {{
    {x} ?x1 ?b . FILTER(isBlank(?b)) ?b ?bp ?bo .
    OPTIONAL {{ FILTER(isBlank(?bo)) ?bo ?bp2 ?bo2 }}
  }}
  UNION {{
    {{ {x} ?x2 ?n . FILTER(isIRI(?n) && ?x2 != <{RDF.type}>) }}
    UNION {{ ?n ?x3 {x} . VALUES ?x3 {{ {reverse} }} }}
    {{ ?n ?np ?nl . VALUES ?np {{ {_LABELS} }} }} UNION {{ ?n a ?nt }}
  }}
  UNION {{ ?r ?rp {x} . VALUES ?rp {{ {reverse} }} }}
}}"""


async def describe(runner: QueryRunner, scope: GraphScope, iri: str) -> list[ox.Triple]:
    """The description of ``iri`` in ``scope``, each triple once, in no particular order;
    NotFoundError if the scope has no triple about it (an IRI outside the scope is as
    unknown as one that does not exist)."""
    try:
        query = describe_query(iri)
    except ValueError as exc:
        raise BadInputError(f"{iri!r} is not a valid IRI: {exc}") from exc
    answer = await runner.run(query, default_graphs=scope.graphs, named_graphs=scope.graphs)
    assert isinstance(answer, Triples)
    subject = ox.NamedNode(iri)
    if not any(t.subject == subject for t in answer.triples):
        raise NotFoundError(f"no resource {iri} in the data this server shares")
    return list(set(answer.triples))
