"""Null values declared on a logical source (RML-IO ``rml:null``; YARRRML ``nullValues:``):
a value equal to one, as a whole, is missing and gives no term, wherever it is referenced."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from skillsgraph.errors import MappingError
from skillsgraph.mapping import compile_mapping
from skillsgraph.mapping.engine import iter_mapping, run_mapping
from skillsgraph.mapping.model import Location, Source

# Record 1 has no score, record 2 no id (so no subject at all); "NAME" is a name, not "NA".
CSV = "id,name,score\n1,Ann,NA\nNA,Bob,5\n3,NAME,7\n"
JSON = {
    "people": [
        {"id": "1", "name": "Ann", "score": "NA"},
        {"id": "NA", "name": "Bob", "score": 5},
        {"id": 3, "name": "NAME", "score": 7},
    ]
}
EXPECTED = {
    '<http://ex.org/person/1> <http://ex.org/name> "Ann" .',
    '<http://ex.org/person/3> <http://ex.org/name> "NAME" .',
    '<http://ex.org/person/3> <http://ex.org/score> "7" .',
    '<http://ex.org/person/3> <http://ex.org/label> "NAME/7" .',
}

YARRRML_SOURCES = {
    "csv": "    access: people.csv\n    referenceFormulation: csv\n    nullValues: NA\n",
    "json": (
        "    access: people.json\n    referenceFormulation: jsonpath\n"
        '    iterator: "$.people[*]"\n    nullValues: [NA]\n'
    ),
}
YARRRML = """\
prefixes:
  ex: http://ex.org/
sources:
  people:
{source}mappings:
  person:
    sources: people
    s: ex:person/$(id)
    po:
      - [ex:name, $(name)]
      - [ex:score, $(score)]
      - [ex:label, $(name)/$(score)]
"""
RML_SOURCES = {
    "csv": 'rml:source "people.csv"; rml:referenceFormulation ql:CSV; rml:null "NA"',
    "json": (
        'rml:source "people.json"; rml:referenceFormulation ql:JSONPath;\n'
        '    rml:iterator "$.people[*]"; rml:null "NA"'
    ),
}
RML = """\
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
<#person> rml:logicalSource [ {source} ];
  rr:subjectMap [ rr:template "http://ex.org/person/{{id}}" ];
  rr:predicateObjectMap
    [ rr:predicate <http://ex.org/name>; rr:objectMap [ rml:reference "name" ] ],
    [ rr:predicate <http://ex.org/score>; rr:objectMap [ rml:reference "score" ] ],
    [ rr:predicate <http://ex.org/label>;
      rr:objectMap [ rr:template "{{name}}/{{score}}"; rr:termType rr:Literal ] ] .
"""


def _project(tmp_path: Path, syntax: str, fmt: str) -> Path:
    (tmp_path / "people.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "people.json").write_text(json.dumps(JSON), encoding="utf-8")
    if syntax == "yarrrml":
        path = tmp_path / "m.yml"
        path.write_text(YARRRML.format(source=YARRRML_SOURCES[fmt]), encoding="utf-8")
    else:
        path = tmp_path / "m.rml.ttl"
        path.write_text(RML.format(source=RML_SOURCES[fmt]), encoding="utf-8")
    return path


def _triples(nquads: str) -> set[str]:
    return set(nquads.splitlines())


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("syntax", ["yarrrml", "rml"])
def test_a_null_value_gives_no_term_in_templates_and_references(
    tmp_path: Path, syntax: str, fmt: str
) -> None:
    mapping = compile_mapping(_project(tmp_path, syntax, fmt))
    assert mapping.triples_maps[0].source.nulls == {"NA"}
    result = run_mapping(mapping)
    assert _triples(result.nquads()) == EXPECTED
    assert result.records_read == 3
    assert result.rejections.height == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_without_the_declaration_na_is_a_value(tmp_path: Path, fmt: str) -> None:
    path = _project(tmp_path, "yarrrml", fmt)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    nullValues: NA\n", "").replace("    nullValues: [NA]\n", ""))
    triples = _triples(run_mapping(compile_mapping(path)).nquads())
    assert '<http://ex.org/person/1> <http://ex.org/score> "NA" .' in triples
    assert any(t.startswith("<http://ex.org/person/NA>") for t in triples)


def test_a_streamed_csv_reads_null_values_too(tmp_path: Path) -> None:
    path = _project(tmp_path, "yarrrml", "csv")
    chunks = list(iter_mapping(compile_mapping(path), chunk_rows=1))
    assert set().union(*(_triples(c.nquads()) for c in chunks)) == EXPECTED


def test_a_null_item_of_a_json_array_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "tags.json").write_text(
        json.dumps([{"id": "1", "tags": ["a", "NA", "NAME", None]}]), encoding="utf-8"
    )
    path = tmp_path / "m.yml"
    path.write_text(
        "prefixes:\n  ex: http://ex.org/\nmappings:\n  thing:\n    sources:\n"
        "      - access: tags.json\n        referenceFormulation: jsonpath\n"
        "        nullValues: [NA]\n"
        '    s: ex:$(id)\n    po:\n      - [ex:tag, "$(tags[*])"]\n',
        encoding="utf-8",
    )
    objects = run_mapping(compile_mapping(path)).unique_quads()["o"].to_list()
    assert sorted(objects) == ['"NAME"', '"a"']


def test_sources_differing_only_in_null_values_read_differently(tmp_path: Path) -> None:
    where = Location(tmp_path / "m.yml", 1)
    plain = Source(where, tmp_path / "people.csv")
    assert plain != replace(plain, nulls=frozenset({"NA"}))
    assert replace(plain, nulls=frozenset({"NA", "-"})) == replace(
        plain, where=Location(tmp_path / "m.yml", 9), nulls=frozenset({"-", "NA"})
    )
    (tmp_path / "people.csv").write_text(CSV, encoding="utf-8")
    path = tmp_path / "m.yml"
    path.write_text(
        "prefixes:\n  ex: http://ex.org/\nsources:\n"
        "  with_nulls: {access: people.csv, referenceFormulation: csv, nullValues: NA}\n"
        "  as_written: [people.csv~csv]\n"
        "mappings:\n"
        "  scored:\n    sources: with_nulls\n    s: ex:scored/$(id)\n"
        "    po:\n      - [ex:score, $(score)]\n"
        "  raw:\n    sources: as_written\n    s: ex:raw/$(id)\n"
        "    po:\n      - [ex:score, $(score)]\n",
        encoding="utf-8",
    )
    result = run_mapping(compile_mapping(path))
    triples = _triples(result.nquads())
    assert '<http://ex.org/raw/1> <http://ex.org/score> "NA" .' in triples
    assert not any(t.startswith("<http://ex.org/scored/1>") for t in triples)
    assert result.records == {str(tmp_path / "people.csv"): 3}  # the same records


def test_in_memory_records_have_null_values_too() -> None:
    mapping = (
        "prefixes:\n  ex: http://ex.org/\nmappings:\n  thing:\n    sources:\n"
        "      - {access: memory:rows, referenceFormulation: csv, nullValues: [NA, '-']}\n"
        "    s: ex:$(id)\n    po:\n      - [ex:v, $(v)]\n"
    )
    from skillsgraph.mapping.yarrrml import compile_yarrrml_text

    compiled = compile_yarrrml_text(mapping, Path("/nowhere/m.yml"))
    rows = [{"id": "1", "v": "NA"}, {"id": "2", "v": "-"}, {"id": "3", "v": "x"}]
    result = run_mapping(compiled, inputs={"rows": rows})
    assert result.unique_quads()["o"].to_list() == ['"x"']


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("nullValues: {NA: yes}", "expected nullValues: as a string or a list of strings"),
        ("nullValues: []", 'a list of strings (e.g. nullValues: [NA, "-"]), found an empty list'),
        ("nullValues: [NA, 0]", "expected a null value as a string, found the number 0 (quote it)"),
        ("nullValues:", "expected a null value as a string, found nothing (null)"),
        ("nullValue: NA", "unknown key 'nullValue' in a source"),
    ],
)
def test_a_malformed_yarrrml_declaration_names_file_line_and_source(
    tmp_path: Path, declaration: str, message: str
) -> None:
    path = _project(tmp_path, "yarrrml", "csv")
    path.write_text(
        path.read_text(encoding="utf-8").replace("nullValues: NA", declaration), encoding="utf-8"
    )
    with pytest.raises(MappingError) as info:
        compile_mapping(path)
    assert str(info.value).startswith(f"{path}:7: source 'people': ")
    assert message in str(info.value)


def test_a_malformed_declaration_in_a_mapping_names_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text(
        "prefixes:\n  ex: http://ex.org/\nmappings:\n  thing:\n    sources:\n"
        "      - access: people.csv\n        nullValues: [[NA]]\n"
        "    s: ex:$(id)\n    po:\n      - [ex:v, $(v)]\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as info:
        compile_mapping(path)
    assert f"{path}:7: mapping 'thing': expected a null value as a string, found a list" in str(
        info.value
    )


def test_a_malformed_rml_declaration_names_file_line_and_triples_map(tmp_path: Path) -> None:
    path = _project(tmp_path, "rml", "csv")
    text = path.read_text(encoding="utf-8").replace('rml:null "NA"', "rml:null <http://ex.org/NA>")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        compile_mapping(path)
    assert (
        f"{path}:4: triples map 'person': rml:null <http://ex.org/NA> is not a literal; "
        'expected the value that means no value in the data, as a string, e.g. rml:null "NA"'
    ) in str(info.value)
