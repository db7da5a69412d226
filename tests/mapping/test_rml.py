"""The RML Turtle compiler: model and lines, every check's message, base IRIs, functions,
and equivalence with YARRRML."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from skillsgraph.errors import MappingError
from skillsgraph.mapping.engine import run_mapping
from skillsgraph.mapping.model import ReferencingObjectMap
from skillsgraph.mapping.rml import compile_rml, compile_rml_text
from skillsgraph.mapping.turtle_lines import read_turtle
from skillsgraph.mapping.yarrrml import compile_yarrrml

PREFIXES = """\
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
PEOPLE = """
<http://ex.org/map/People> a rr:TriplesMap ;
  rml:logicalSource [ rml:source "people.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://ex.org/person/{id}" ; rr:class ex:Person ] ;
  rr:predicateObjectMap [
    rr:predicate ex:name ;
    rr:objectMap [ rml:reference "name" ; rr:language "en" ]
  ] .
"""
CSV = "id,name,age,friend\n1,Ann,31,2\n2,Bob,42,\n3,Cy,,1\n"


def _write(tmp_path: Path, body: str, csv: str = CSV) -> Path:
    (tmp_path / "people.csv").write_text(csv, encoding="utf-8")
    path = tmp_path / "m.rml.ttl"
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def _line(path: Path, marker: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if marker in line)


def _error(tmp_path: Path, body: str, marker: str, tm: str = "People") -> str:
    """Compile ``body``; the error must name the file, the line of ``marker`` and ``tm``."""
    path = _write(tmp_path, body)
    with pytest.raises(MappingError) as info:
        compile_rml(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{_line(path, marker)}: triples map {tm!r}: "), message
    return message


# --- the model --------------------------------------------------------------------------


def test_compiles_the_model_with_the_line_of_every_node(tmp_path: Path) -> None:
    path = _write(tmp_path, PEOPLE)
    tm = compile_rml(path).get("People")
    assert tm.where.line == _line(path, "<http://ex.org/map/People>")
    assert tm.source.path == tmp_path / "people.csv"
    assert tm.source.where.line == _line(path, "rml:logicalSource")
    assert tm.subject.where.line == _line(path, "rr:subjectMap")
    assert tm.classes == ("http://ex.org/Person",)
    pom = tm.predicate_objects[0]
    assert pom.where.line == _line(path, "rr:predicateObjectMap")
    assert pom.predicates[0].constant == "http://ex.org/name"
    assert pom.predicates[0].where.line == _line(path, "rr:predicate ex:name")
    obj = pom.objects[0]
    assert not isinstance(obj, ReferencingObjectMap)
    assert (obj.term_type, obj.reference, obj.language) == ("literal", "name", "en")
    assert obj.where.line == _line(path, 'rml:reference "name"')


def test_runs_and_keeps_triples_maps_in_written_order(tmp_path: Path) -> None:
    second = PEOPLE.replace("map/People", "map/Names").replace("person/{id}", "name/{name}")
    mapping = compile_rml(_write(tmp_path, second + PEOPLE))
    assert [tm.name for tm in mapping.triples_maps] == ["Names", "People"]
    nquads = run_mapping(mapping).nquads()
    assert '<http://ex.org/person/1> <http://ex.org/name> "Ann"@en .' in nquads


def test_names_are_full_iris_when_local_parts_clash(tmp_path: Path) -> None:
    other = PEOPLE.replace("http://ex.org/map/People", "http://ex.org/other/People")
    mapping = compile_rml(_write(tmp_path, PEOPLE + other))
    names = [tm.name for tm in mapping.triples_maps]
    assert names == ["http://ex.org/map/People", "http://ex.org/other/People"]


def test_a_join_refers_to_the_parent_by_name_and_runs(tmp_path: Path) -> None:
    join = PEOPLE.replace(
        '[ rml:reference "name" ; rr:language "en" ]',
        """[ rr:parentTriplesMap <http://ex.org/map/People> ;
         rr:joinCondition [ rr:child "friend" ; rr:parent "id" ] ]""",
    )
    mapping = compile_rml(_write(tmp_path, join))
    obj = mapping.get("People").predicate_objects[0].objects[0]
    assert isinstance(obj, ReferencingObjectMap)
    assert obj.parent == "People"
    assert [(c.child, c.parent) for c in obj.conditions] == [("friend", "id")]
    nquads = run_mapping(mapping).nquads()
    assert "<http://ex.org/person/1> <http://ex.org/name> <http://ex.org/person/2> ." in nquads


SPORTS = """
<http://ex.org/map/Sports>
  rml:logicalSource [ rml:source "people.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://ex.org/sport/{name}" ] .
"""  # a map with no class and no predicate-object map: only a join parent
NO_CONDITION = PEOPLE.replace(
    '[ rml:reference "name" ; rr:language "en" ]',
    "[ rr:parentTriplesMap <http://ex.org/map/Sports> ]",
)


def test_a_join_without_condition_on_the_same_source_is_row_wise(tmp_path: Path) -> None:
    nquads = run_mapping(compile_rml(_write(tmp_path, NO_CONDITION + SPORTS))).nquads()
    assert "<http://ex.org/person/1> <http://ex.org/name> <http://ex.org/sport/Ann> ." in nquads
    assert "<http://ex.org/person/1> <http://ex.org/name> <http://ex.org/sport/Bob> ." not in nquads


def test_a_parent_only_map_may_produce_nothing(tmp_path: Path) -> None:
    join = PEOPLE.replace(
        '[ rml:reference "name" ; rr:language "en" ]',
        """[ rr:parentTriplesMap <http://ex.org/map/Sports> ;
         rr:joinCondition [ rr:child "id" ; rr:parent "id" ] ]""",
    )
    mapping = compile_rml(_write(tmp_path, join + SPORTS))
    assert [tm.allow_empty for tm in mapping.triples_maps] == [False, True]
    nquads = run_mapping(mapping).nquads()
    assert "<http://ex.org/person/1> <http://ex.org/name> <http://ex.org/sport/Ann> ." in nquads


# --- checks: each names file, line and triples map ------------------------------------


def test_a_triples_map_without_a_subject_map(tmp_path: Path) -> None:
    body = PEOPLE.replace('rr:subjectMap [ rr:template "http://ex.org/person/{id}" ;', "#")
    message = _error(tmp_path, body.replace("rr:class ex:Person ] ;", ""), "map/People>")
    assert "needs exactly one subject map, found 0" in message


def test_a_triples_map_with_two_subject_maps(tmp_path: Path) -> None:
    body = PEOPLE.replace(
        "rr:subjectMap [", 'rr:subjectMap [ rr:template "x/{id}" ] ;\n  rr:subjectMap ['
    )
    message = _error(tmp_path, body, "map/People>")
    assert "needs exactly one subject map, found 2 (lines 9, 10)" in message


def test_a_triples_map_without_a_logical_source(tmp_path: Path) -> None:
    body = PEOPLE.replace("rml:logicalSource [", "# [")
    message = _error(tmp_path, body, "map/People>")
    assert "needs exactly one rml:logicalSource, found 0" in message


def test_a_triples_map_with_two_logical_sources(tmp_path: Path) -> None:
    source = '  rml:logicalSource [ rml:source "people.csv" ] ;\n'
    body = PEOPLE.replace("  rr:subjectMap", source + "  rr:subjectMap")
    message = _error(tmp_path, body, "map/People>")
    assert "needs exactly one rml:logicalSource, found 2 (lines 8, 9)" in message


def test_a_term_map_with_no_way_to_make_its_term(tmp_path: Path) -> None:
    body = PEOPLE.replace('rml:reference "name" ; rr:language "en"', 'rr:language "en"')
    message = _error(tmp_path, body, 'rr:objectMap [ rr:language "en"')
    assert "an object map needs exactly one of rr:constant, rml:reference" in message
    assert "found none" in message


def test_a_term_map_with_two_ways_to_make_its_term(tmp_path: Path) -> None:
    body = PEOPLE.replace(
        'rr:template "http://ex.org/person/{id}"', 'rr:template "{id}" ; rr:column "id"'
    )
    message = _error(tmp_path, body, "rr:subjectMap")
    assert "a subject map needs exactly one of" in message
    assert "found rr:column, rr:template" in message


def test_an_unknown_property_says_did_you_mean(tmp_path: Path) -> None:
    message = _error(
        tmp_path, PEOPLE.replace("rr:predicate ex:name", "rr:predicat ex:name"), "rr:predicat "
    )
    assert "unknown property rr:predicat in a predicate-object map" in message
    assert "(did you mean rr:predicate?)" in message


def test_a_typo_in_a_node_no_triples_map_reaches(tmp_path: Path) -> None:
    body = PEOPLE + '\n<http://ex.org/map/Lost> rr:subjectMapp [ rr:template "x" ] .\n'
    path = _write(tmp_path, body)
    with pytest.raises(MappingError) as info:
        compile_rml(path)
    line = _line(path, "rr:subjectMapp")
    expected = f"{path}:{line}: unknown property rr:subjectMapp (did you mean rr:subjectMap?)"
    assert str(info.value) == expected


def test_a_property_in_the_wrong_place_says_where_it_belongs(tmp_path: Path) -> None:
    body = PEOPLE.replace("rr:class ex:Person", "rr:language ex:Person")
    message = _error(tmp_path, body, "rr:language ex:Person")
    assert "rr:language does not belong in a subject map; expected one of" in message


def test_a_literal_subject(tmp_path: Path) -> None:
    body = PEOPLE.replace("rr:class ex:Person", "rr:termType rr:Literal")
    message = _error(tmp_path, body, "rr:termType rr:Literal")
    assert "a subject cannot be a literal (rr:termType rr:Literal)" in message
    assert "expected rr:IRI or rr:BlankNode" in message


def test_a_literal_constant_subject(tmp_path: Path) -> None:
    body = PEOPLE.replace(
        'rr:subjectMap [ rr:template "http://ex.org/person/{id}" ; rr:class ex:Person ]',
        'rr:subject "Ann"',
    )
    message = _error(tmp_path, body, 'rr:subject "Ann"')
    assert "a subject cannot be a literal" in message


def test_language_and_datatype_together(tmp_path: Path) -> None:
    body = PEOPLE.replace('rr:language "en"', 'rr:language "en" ;\n      rr:datatype xsd:string')
    message = _error(tmp_path, body, 'rr:language "en"')
    assert "rr:language or rr:datatype, not both" in message


@pytest.mark.parametrize("tag", ["english", "en_GB", "e", "en-"])
def test_an_invalid_language_tag(tmp_path: Path, tag: str) -> None:
    message = _error(tmp_path, PEOPLE.replace('"en"', f'"{tag}"'), 'rr:language "')
    assert f"invalid language tag {tag!r} in rr:language; expected a BCP 47 tag" in message


@pytest.mark.parametrize("tag", ["en", "en-GB", "es-419", "zh-Hant-TW", "de-CH-1901", "x-private"])
def test_valid_language_tags_pass(tmp_path: Path, tag: str) -> None:
    mapping = compile_rml(_write(tmp_path, PEOPLE.replace('"en"', f'"{tag}"')))
    obj = mapping.triples_maps[0].predicate_objects[0].objects[0]
    assert not isinstance(obj, ReferencingObjectMap)
    assert obj.language == tag


def test_a_parent_triples_map_that_does_not_exist(tmp_path: Path) -> None:
    body = PEOPLE.replace(
        'rml:reference "name" ; rr:language "en"', "rr:parentTriplesMap <http://ex.org/map/Nobody>"
    )
    message = _error(tmp_path, body, "rr:parentTriplesMap")
    assert "rr:parentTriplesMap <http://ex.org/map/Nobody> is not a triples map" in message
    assert "expected one of: People" in message


def test_a_join_without_condition_across_sources(tmp_path: Path) -> None:
    (tmp_path / "sports.csv").write_text("name\nTennis\n", encoding="utf-8")
    body = NO_CONDITION + SPORTS.replace('"people.csv"', '"sports.csv"')
    message = _error(tmp_path, body, "rr:parentTriplesMap")
    assert "rr:parentTriplesMap 'Sports' reads another source (sports.csv)" in message
    assert "a join condition is needed" in message


def test_a_relative_constant_without_a_base(tmp_path: Path) -> None:
    body = PEOPLE.replace("rr:predicate ex:name", "rr:predicate <name>")
    message = _error(tmp_path, body, "rr:predicate <name>")
    assert "rr:predicate <name> is a relative IRI and no base IRI is given" in message


def test_a_relative_constant_resolves_against_the_base(tmp_path: Path) -> None:
    path = _write(tmp_path, PEOPLE.replace("rr:predicate ex:name", "rr:predicate <name>"))
    mapping = compile_rml(path, base="http://base.org/")
    assert mapping.base == "http://base.org/"
    assert (
        mapping.triples_maps[0].predicate_objects[0].predicates[0].constant
        == "http://base.org/name"
    )


def test_an_unsupported_reference_formulation(tmp_path: Path) -> None:
    message = _error(tmp_path, PEOPLE.replace("ql:CSV", "ql:XPath"), "rml:logicalSource")
    assert (
        "unsupported rml:referenceFormulation ql:XPath; expected ql:CSV or ql:JSONPath" in message
    )


def test_an_iterator_on_a_csv_source(tmp_path: Path) -> None:
    message = _error(
        tmp_path, PEOPLE.replace("ql:CSV ]", 'ql:CSV ; rml:iterator "$" ]'), "rml:logicalSource"
    )
    assert "has rml:iterator '$'; iterators are for JSON" in message


def test_a_graph_written_as_a_node_under_rr_graph(tmp_path: Path) -> None:
    body = PEOPLE.replace("rr:class ex:Person", 'rr:graph [ rr:template "g/{id}" ]')
    message = _error(tmp_path, body, "rr:graph [")
    assert "rr:graph is a blank node; expected a constant IRI" in message
    assert "(a graph map written as [ ... ] goes under rr:graphMap)" in message


def test_a_literal_graph_map(tmp_path: Path) -> None:
    body = PEOPLE.replace(
        "rr:class ex:Person", 'rr:graphMap [ rml:reference "id" ; rr:termType rr:Literal ]'
    )
    message = _error(tmp_path, body, "rr:graphMap [")
    assert "a graph cannot be a literal (rr:termType rr:Literal); expected rr:IRI" in message


def test_invalid_turtle_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, PEOPLE.replace('"people.csv" ;', '"people.csv ;'))
    with pytest.raises(MappingError, match=rf"^{path}:8: invalid Turtle at column \d+: "):
        compile_rml(path)


def test_a_document_without_triples_maps(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"m\.ttl:1: no triples map found"):
        compile_rml_text(PREFIXES + "ex:a ex:b ex:c .\n", tmp_path / "m.ttl")


# --- base IRI ---------------------------------------------------------------------------


def test_the_documents_base_is_the_mapping_base_unless_one_is_given(tmp_path: Path) -> None:
    body = "@base <http://doc.org/> .\n" + PEOPLE.replace("http://ex.org/person/{id}", "{id}")
    path = _write(tmp_path, body)
    assert compile_rml(path).base == "http://doc.org/"
    assert "<http://doc.org/1>" in run_mapping(compile_rml(path)).nquads()
    assert (
        "<http://given.org/1>" in run_mapping(compile_rml(path, base="http://given.org/")).nquads()
    )


# --- functions (legacy RML-FNML) --------------------------------------------------------

FUNCTION = """
@prefix fnml: <http://semweb.mmlab.be/ns/fnml#> .
@prefix fno: <https://w3id.org/function/ontology#> .
@prefix grel: <http://users.ugent.be/~bjdmeest/function/grel.ttl#> .
<http://ex.org/map/People>
  rml:logicalSource [ rml:source "people.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://ex.org/person/{id}" ] ;
  rr:predicateObjectMap [
    rr:predicate ex:name ;
    rr:objectMap [ fnml:functionValue [
      rr:predicateObjectMap [ rr:predicate fno:executes ;
                              rr:objectMap [ rr:constant grel:toUpperCase ] ] ;
      rr:predicateObjectMap [ rr:predicate grel:valueParameter ;
                              rr:objectMap [ rml:reference "name" ] ]
    ] ]
  ] .
"""


def test_a_function_value_is_compiled_and_run(tmp_path: Path) -> None:
    mapping = compile_rml(_write(tmp_path, FUNCTION))
    assert [tm.name for tm in mapping.triples_maps] == ["People"]
    assert '<http://ex.org/person/1> <http://ex.org/name> "ANN" .' in run_mapping(mapping).nquads()


def test_an_unknown_function(tmp_path: Path) -> None:
    message = _error(
        tmp_path, FUNCTION.replace("grel:toUpperCase", "grel:toUpperCas"), "fno:executes"
    )
    assert (
        "unknown function <http://users.ugent.be/~bjdmeest/function/grel.ttl#toUpperCas>" in message
    )
    assert "did you mean" in message


def test_a_function_call_with_a_wrong_parameter(tmp_path: Path) -> None:
    body = FUNCTION.replace("grel:valueParameter", "grel:otherParameter")
    message = _error(tmp_path, body, "fnml:functionValue")
    assert "function <http://users.ugent.be/~bjdmeest/function/grel.ttl#toUpperCase> " in message
    assert "needs parameter http://users.ugent.be/~bjdmeest/function/grel.ttl#valueParam" in message


# --- equivalence with YARRRML -----------------------------------------------------------

YARRRML = """\
prefixes:
  ex: http://ex.org/
mappings:
  people:
    sources: [people.csv~csv]
    s: ex:person/$(id)
    po:
      - [a, ex:Person]
      - [ex:name, $(name), en~lang]
      - [ex:age, $(age), xsd:integer]
      - p: ex:knows
        o:
          mapping: people
          condition:
            function: equal
            parameters: [[str1, $(friend)], [str2, $(id)]]
"""
RML = """
<#people> rml:logicalSource [ rml:source "people.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://ex.org/person/{id}" ; rr:class ex:Person ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ;
                          rr:objectMap [ rml:reference "name" ; rr:language "en" ] ] ,
    [ rr:predicate ex:age ; rr:objectMap [ rml:reference "age" ; rr:datatype xsd:integer ] ] ,
    [ rr:predicate ex:knows ;
      rr:objectMap [ rr:parentTriplesMap <#people> ;
                     rr:joinCondition [ rr:child "friend" ; rr:parent "id" ] ] ] .
"""


def _canonical(nquads: str) -> set[str]:
    dataset = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_rml_and_yarrrml_give_the_same_quads(tmp_path: Path) -> None:
    rml = compile_rml(_write(tmp_path, RML), base="http://ex.org/")
    yaml_path = tmp_path / "m.yml"
    yaml_path.write_text(YARRRML, encoding="utf-8")
    from_rml = _canonical(run_mapping(rml).nquads())
    from_yarrrml = _canonical(run_mapping(compile_yarrrml(yaml_path)).nquads())
    assert from_rml == from_yarrrml
    assert len(from_rml) == 10  # 3 types, 3 names, 2 ages (Cy has none), 1 and 3 know someone
    age = '"31"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert f"<http://ex.org/person/1> <http://ex.org/age> {age}" in from_rml


# --- lines in Turtle --------------------------------------------------------------------


def test_lines_survive_strings_comments_and_statements_split_in_two(tmp_path: Path) -> None:
    text = """PREFIX ex: <http://ex.org/>
# a comment with [ brackets ; and dots .
ex:a ex:label \"\"\"a long
string with [ and ; and # inside\"\"\" ;
  ex:list ( [ ex:p 1 ] "x" ) .
ex:a
  ex:later [
    ex:q "y" ] .
"""
    doc = read_turtle(text, tmp_path / "t.ttl")
    a = ox.NamedNode("http://ex.org/a")
    assert doc.line(a) == 3
    assert doc.property_line(a, "http://ex.org/list") == 5
    assert doc.property_line(a, "http://ex.org/later") == 7
    later = doc.objects(a, "http://ex.org/later")[0]
    assert isinstance(later, ox.BlankNode)
    assert (doc.line(later), doc.property_line(later, "http://ex.org/q")) == (7, 8)
