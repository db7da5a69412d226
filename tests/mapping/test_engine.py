"""The Polars engine: golden cases, rejections and the errors a data engineer gets."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyoxigraph as ox
import pytest

from skillsgraph.errors import MappingError
from skillsgraph.mapping.engine import MappingResult, iter_mapping, run_mapping
from skillsgraph.mapping.yarrrml import compile_yarrrml, compile_yarrrml_text

CASES = Path(__file__).parent.parent / "cases" / "mapping"


def canonical_quads(nquads: str) -> set[str]:
    """The quads of an N-Quads document with blank nodes canonicalised (RDFC-1.0)."""
    dataset = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_case(case: str) -> None:
    folder = CASES / case
    result = run_mapping(compile_yarrrml(folder / "mapping.yml"))
    expected = canonical_quads((folder / "expected.nq").read_text(encoding="utf-8"))
    assert canonical_quads(result.nquads()) == expected
    assert result.rejections.height == 0


def _write(tmp_path: Path, csv: str, mapping: str) -> Path:
    (tmp_path / "data.csv").write_text(csv, encoding="utf-8")
    path = tmp_path / "m.yml"
    path.write_text(mapping, encoding="utf-8")
    return path


MAPPING = """\
prefixes:
  ex: http://ex.org/
mappings:
  thing:
    sources: [data.csv~csv]
    s: {subject}
    po:
      - [ex:label, {label}]
"""


def test_missing_column_names_file_line_map_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,label\n1,a\n", MAPPING.format(subject="ex:$(id)", label="$(lable)"))
    with pytest.raises(MappingError) as info:
        run_mapping(compile_yarrrml(path))
    message = str(info.value)
    assert f"{path}:8" in message
    assert "triples map 'thing'" in message
    assert "column 'lable'" in message
    assert "did you mean 'label'" in message


def test_a_map_that_produces_nothing_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id,label\n,a\n,b\n", MAPPING.format(subject="ex:$(id)", label="$(label)")
    )
    with pytest.raises(MappingError) as info:
        run_mapping(compile_yarrrml(path))
    message = str(info.value)
    assert "triples map 'thing' produced no quads from 2 records" in message
    assert "empty in every record: id" in message
    assert "allowEmpty" in message


def test_allow_empty_lets_a_map_produce_nothing(tmp_path: Path) -> None:
    text = MAPPING.format(subject="ex:$(id)", label="$(label)").replace(
        "    sources:", "    allowEmpty: true\n    sources:"
    )
    path = _write(tmp_path, "id,label\n,a\n", text)
    assert run_mapping(compile_yarrrml(path)).quads.height == 0


def test_invalid_iri_values_reject_their_record_and_keep_the_rest(tmp_path: Path) -> None:
    csv = "uri,label\nhttp://ex.org/ok,fine\nhttp://ex.org/has space,bad\nrelative/x,worse\n"
    path = _write(tmp_path, csv, MAPPING.format(subject="$(uri)", label="$(label)"))
    result = run_mapping(compile_yarrrml(path))
    assert result.records_read == 3
    assert sorted(result.rejections["record"].to_list()) == [2, 3]
    reasons = " ".join(result.rejections["reason"].to_list())
    assert "not allowed in an IRI" in reasons
    assert "relative IRI" in reasons
    assert result.unique_quads().height == 1
    assert "http://ex.org/ok" in result.nquads()


def test_relative_template_resolves_against_base(tmp_path: Path) -> None:
    text = "base: http://base.org/\n" + MAPPING.format(subject="thing/$(id)", label="$(label)")
    path = _write(tmp_path, "id,label\n7,x\n", text)
    assert "<http://base.org/thing/7>" in run_mapping(compile_yarrrml(path)).nquads()


def test_missing_source_file_names_the_mapping_line(tmp_path: Path) -> None:
    mapping = compile_yarrrml_text(
        MAPPING.format(subject="ex:$(id)", label="$(l)"), tmp_path / "m.yml"
    )
    with pytest.raises(Exception, match=r"m\.yml:5.*data\.csv does not exist"):
        run_mapping(mapping)


def test_quads_remember_their_source_record(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id,label\n1,a\n2,b\n", MAPPING.format(subject="ex:$(id)", label="$(label)")
    )
    result = run_mapping(compile_yarrrml(path))
    rows = result.quads.select("s", "record").sort("record").rows()
    assert rows == [("<http://ex.org/1>", 1), ("<http://ex.org/2>", 2)]


@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
def test_chunked_run_gives_the_same_quads_and_rejections(tmp_path: Path, chunk_rows: int) -> None:
    from skillsgraph.mapping.engine import iter_mapping

    csv = "id,label\n1,a\n2,b\nbad id,c\n4,\n5,e\n"
    # the subject is the id as an IRI relative to the base: "bad id" is not a valid IRI
    mapping = MAPPING.format(subject="$(id)", label="$(label)") + "base: http://ex.org/\n"
    path = _write(tmp_path, csv, mapping)
    whole = run_mapping(compile_yarrrml(path))
    chunks = list(iter_mapping(compile_yarrrml(path), chunk_rows=chunk_rows))
    assert len(chunks) == -(-5 // chunk_rows)
    assert sum(c.records_read for c in chunks) == whole.records_read == 5
    quads = set().union(*(canonical_quads(c.nquads()) for c in chunks))
    assert quads == canonical_quads(whole.nquads())
    rejected = [r for c in chunks for r in c.rejections["record"].to_list()]
    assert rejected == whole.rejections["record"].to_list() == [3]


def test_chunked_run_still_reports_an_empty_triples_map(tmp_path: Path) -> None:
    from skillsgraph.mapping.engine import iter_mapping

    path = _write(
        tmp_path, "id,label\n1,\n2,\n", MAPPING.format(subject="ex:$(id)", label="$(label)")
    )
    text = path.read_text(encoding="utf-8").replace("s: ex:$(id)", "s: ex:$(label)")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="produced no quads from 2 records"):
        list(iter_mapping(compile_yarrrml(path), chunk_rows=1))


def test_csv_delimiter_and_encoding_options(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_bytes("id;label\n1;Genève\n".encode("latin-1"))
    path = tmp_path / "m.yml"
    path.write_text(
        "prefixes:\n  ex: http://ex.org/\nsources:\n  data:\n    access: data.csv\n"
        "    referenceFormulation: csv\n    delimiter: ';'\n    encoding: latin-1\n"
        "mappings:\n  thing:\n    sources: data\n    s: ex:$(id)\n    po:\n"
        "      - [ex:label, $(label)]\n",
        encoding="utf-8",
    )
    result = run_mapping(compile_yarrrml(path))
    assert result.unique_quads()["o"].to_list() == ['"Genève"']


def test_a_conditional_type_keeps_its_condition(tmp_path: Path) -> None:
    mapping = (
        "prefixes:\n  ex: http://ex.org/\nmappings:\n  thing:\n    sources: [data.csv~csv]\n"
        "    s: ex:$(id)\n    po:\n      - [ex:label, $(label)]\n"
        "      - p: a\n        o: ex:Special\n"
        "        condition: {function: equal, parameters: [[str1, $(label)], [str2, x]]}\n"
    )
    path = _write(tmp_path, "id,label\n1,x\n2,y\n", mapping)
    result = run_mapping(compile_yarrrml(path))
    typed = result.unique_quads().filter(pl.col("o") == "<http://ex.org/Special>")
    assert typed["s"].to_list() == ["<http://ex.org/1>"]


TWO_ITERATORS = """\
prefixes:
  ex: http://ex.org/
mappings:
  projects:
    sources: [data.json~jsonpath, "$.projects[*]"]
    s: $(url)
    po:
      - [ex:title, $(title)]
  deliverables:
    sources: [data.json~jsonpath, "$.deliverables[*]"]
    s: ex:deliverable/$(id)
    po:
      - [ex:title, $(title)]
"""
# Record 3 of the projects has a URL that is no valid IRI; record 3 of the deliverables is fine.
TWO_RECORD_TYPES = {
    "projects": [
        {"url": "http://ex.org/p1", "title": "one"},
        {"url": "http://ex.org/p2", "title": "two"},
        {"url": "http://ex.org/has space", "title": "three"},
    ],
    "deliverables": [
        {"id": "d1", "title": "a"},
        {"id": "d2", "title": "b"},
        {"id": "d3", "title": "c"},
    ],
}


def _two_iterators(tmp_path: Path) -> tuple[Path, str, str]:
    """A JSON file read by two triples maps with two iterators; their two labels."""
    data = tmp_path / "data.json"
    data.write_text(json.dumps(TWO_RECORD_TYPES), encoding="utf-8")
    path = tmp_path / "m.yml"
    path.write_text(TWO_ITERATORS, encoding="utf-8")
    return path, f"{data} $.projects[*]", f"{data} $.deliverables[*]"


def _loaded(result: MappingResult, label: str) -> int:
    return result.quads.filter(pl.col("source") == label)["record"].n_unique()


def test_a_record_is_known_by_its_logical_source_not_its_file(tmp_path: Path) -> None:
    path, projects, deliverables = _two_iterators(tmp_path)
    result = run_mapping(compile_yarrrml(path))
    # record 3 of the projects is rejected; record 3 of the deliverables is another record
    assert "<http://ex.org/deliverable/d3>" in result.nquads()
    assert result.rejections.select("source", "record").rows() == [(projects, 3)]
    assert result.records == {projects: 3, deliverables: 3}
    assert result.records_read == 6
    for label, read in result.records.items():
        rejected = result.rejections.filter(pl.col("source") == label).height
        assert _loaded(result, label) + rejected == read


def test_chunked_runs_count_each_logical_source(tmp_path: Path) -> None:
    path, projects, deliverables = _two_iterators(tmp_path)
    read: dict[str, int] = {}
    for chunk in iter_mapping(compile_yarrrml(path), chunk_rows=2):
        for label, n in chunk.records.items():
            read[label] = read.get(label, 0) + n
    assert read == {projects: 3, deliverables: 3}


def test_a_file_read_with_one_iterator_keeps_its_plain_path(tmp_path: Path) -> None:
    path, _, _ = _two_iterators(tmp_path)
    text = TWO_ITERATORS.split("  deliverables:")[0]
    path.write_text(text, encoding="utf-8")
    result = run_mapping(compile_yarrrml(path))
    assert result.records == {str(tmp_path / "data.json"): 3}
