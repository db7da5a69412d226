"""The shapes rewrite that makes pyshacl fast (validation.targeted_shapes) changes no result.

Each case validates the same data twice: with pyshacl on the shapes as written, and with
skillsgraph's validate() on the rewritten ones; the findings must be the same.
"""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from skillsgraph.validation import (
    _findings,
    load_graph,
    subclass_triples,
    targeted_shapes,
    validate,
)

ROOT = Path(__file__).resolve().parents[1]

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""

SHAPES = (
    PREFIXES
    + """
ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:nodeKind sh:IRI ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ] ;
    sh:property ex:AgeShape ;
    sh:property [ sh:path ex:address ; sh:node ex:AddressShape ] .

ex:AgeShape a sh:PropertyShape ; sh:path ex:age ; sh:maxCount 1 ; sh:datatype xsd:integer .

ex:EmployeeShape a sh:NodeShape ;
    sh:targetClass ex:Employee ;
    sh:property ex:AgeShape .

# referenced by sh:node: its property shapes must stay where they are
ex:AddressShape a sh:NodeShape ;
    sh:targetNode ex:hq ;
    sh:property [ sh:path ex:city ; sh:minCount 1 ] .

ex:Off a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:deactivated true ;
    sh:property [ sh:path ex:never ; sh:minCount 1 ] .

ex:Pet a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path ex:owner ; sh:class ex:Person ; sh:severity sh:Warning ] .

ex:KnowsShape a sh:NodeShape ;
    sh:targetSubjectsOf ex:knows ;
    sh:property [ sh:path [ sh:inversePath ex:knows ] ; sh:maxCount 1 ] .
"""
)

DATA = (
    PREFIXES
    + """
ex:ann a ex:Person ; ex:name "Ann" ; ex:age 30, 31 ; ex:address ex:home .
ex:home ex:street "1 Main St" .
ex:bob a ex:Person, ex:Employee ; ex:age "old" ; ex:knows ex:ann .
ex:cat a ex:Pet ; ex:owner ex:home .
ex:dog a ex:Pet ; ex:owner ex:ann .
ex:hq ex:street "2 Side St" .
ex:eve a ex:Employee ; ex:age 1.5 ; ex:knows ex:bob .
ex:joe ex:knows ex:bob .
_:b a ex:Person ; ex:name "blank" .
"""
)


def _key(results: Graph) -> set[tuple[str, str | None, str | None, str]]:
    return {(f.focus, f.path, f.value, f.severity) for f in _findings(results)}


def _pyshacl(data: Graph, shapes: Graph) -> set[tuple[str, str | None, str | None, str]]:
    _conforms, results, _text = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    return _key(results)


def _ours(data: Graph, shapes: Graph) -> set[tuple[str, str | None, str | None, str]]:
    return {(f.focus, f.path, f.value, f.severity) for f in validate(data, shapes).findings}


def test_the_rewrite_lifts_only_what_it_may() -> None:
    shapes = Graph().parse(data=SHAPES, format="turtle")
    rewritten = targeted_shapes(shapes)
    ex = "http://example.org/"
    nested = set(rewritten.objects(URIRef(ex + "PersonShape"), SH.property))
    assert len(nested) == 0
    assert set(rewritten.objects(URIRef(ex + "AgeShape"), SH.targetClass)) == {
        URIRef(ex + "Person"),
        URIRef(ex + "Employee"),
    }
    for kept in ("AddressShape", "Off"):
        assert len(set(rewritten.objects(URIRef(ex + kept), SH.property))) == 1
    pet_property = next(s for s in rewritten.subjects(SH.path, URIRef(ex + "owner")))
    assert (pet_property, SH.targetClass, URIRef(ex + "Pet")) in rewritten
    assert (pet_property, RDF.type, SH.PropertyShape) not in shapes  # no type was invented
    assert len(shapes) == len(Graph().parse(data=SHAPES, format="turtle"))  # input untouched


def test_the_same_findings_as_pyshacl_on_the_shapes_as_written() -> None:
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    expected = _pyshacl(data, shapes)
    assert len(expected) >= 7  # the data breaks most shapes, so the comparison means something
    assert _ours(data, shapes) == expected


def test_the_same_findings_on_the_projects_shapes() -> None:
    """Learner data with broken values against every shape of the project."""
    shapes = load_graph((ROOT / "shapes").glob("*.shapes.ttl"))
    context = subclass_triples(load_graph((ROOT / "ontology").glob("*.ttl")))
    sg = "https://w3id.org/skillsgraph/ontology#"
    data = Graph().parse(
        data=f"""
        @prefix sg: <{sg}> .
        @prefix id: <https://w3id.org/skillsgraph/id/> .
        id:learner\\/1 a sg:Learner ; sg:hasProfile id:profile\\/1, id:profile\\/9 ;
            sg:hasEnrolment id:enrolment\\/1 .
        id:profile\\/1 a sg:LearnerProfile ; sg:ageBand "old", "0-35" ;
            sg:deprivationBand "20-Oct" .
        id:enrolment\\/1 a sg:Enrolment ; sg:finalResult "Maybe" ; sg:previousAttempts -1 .
        id:enrolment\\/2 a sg:Enrolment .
        """,
        format="turtle",
    )
    for triple in context:
        data.add(triple)
    expected = _pyshacl(data, shapes)
    assert len(expected) >= 6
    assert _ours(data, shapes) == expected


# A sample lexical form per datatype the shapes require: every one must come back from the
# store with its datatype, or `skillsgraph validate` would fail what ingest accepted.
SAMPLES = {
    "http://www.w3.org/2001/XMLSchema#string": "text",
    "http://www.w3.org/2001/XMLSchema#integer": "7",
    "http://www.w3.org/2001/XMLSchema#decimal": "7.5",
    "http://www.w3.org/2001/XMLSchema#double": "7.5E0",
    "http://www.w3.org/2001/XMLSchema#boolean": "true",
    "http://www.w3.org/2001/XMLSchema#date": "2024-02-29",
    "http://www.w3.org/2001/XMLSchema#dateTime": "2024-02-29T10:00:00Z",
    "http://www.w3.org/2001/XMLSchema#gYear": "2024",
    "http://www.w3.org/2001/XMLSchema#anyURI": "https://example.org/x",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": "",
}


def test_every_datatype_the_shapes_require_survives_the_store() -> None:
    import pyoxigraph as ox

    shapes = load_graph((ROOT / "shapes").glob("*.shapes.ttl"))
    required = {str(d) for d in shapes.objects(None, SH.datatype)}
    unknown = required - set(SAMPLES)
    assert not unknown, f"add a sample for {unknown} and check the store keeps it"
    store = ox.Store()
    for datatype in sorted(required - {str(RDF.langString)}):
        literal = ox.Literal(SAMPLES[datatype], datatype=ox.NamedNode(datatype))
        store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode(datatype), literal))
    for quad in store:
        assert quad.object.datatype.value == quad.predicate.value, quad
