"""In-memory sources: one small exchange mapped without touching the file system."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from skillsgraph.errors import BadInputError, MappingError
from skillsgraph.mapping.engine import run_mapping
from skillsgraph.mapping.yarrrml import compile_yarrrml_text

MAPPING = """\
prefixes:
  ex: http://ex.org/
sources:
  learner:
    access: memory:learner
    referenceFormulation: csv
mappings:
  learner:
    sources: learner
    s: ex:learner/$(id)
    po:
      - [ex:region, $(region)]
      - [ex:credits, $(credits), xsd:integer]
      - p: ex:registered
        o: $(id)
        g: http://www.w3.org/ns/r2rml#defaultGraph
    g: ex:consent/$(id)
"""
EXPECTED = {
    ("<http://ex.org/learner/7>", '"East Anglian Region"', "<http://ex.org/consent/7>"),
    (
        "<http://ex.org/learner/7>",
        '"60"^^<http://www.w3.org/2001/XMLSchema#integer>',
        "<http://ex.org/consent/7>",
    ),
}


def compiled():
    return compile_yarrrml_text(MAPPING, Path("/nowhere/profile.yml"))


def rows(result, predicates=("<http://ex.org/region>", "<http://ex.org/credits>")):
    quads = result.unique_quads().filter(pl.col("p").is_in(list(predicates)))
    return {(r["s"], r["o"], r["g"]) for r in quads.iter_rows(named=True)}


def test_a_list_of_dicts_is_mapped_without_files() -> None:
    result = run_mapping(
        compiled(), inputs={"learner": [{"id": 7, "region": "East Anglian Region", "credits": 60}]}
    )
    assert rows(result) == EXPECTED
    assert result.records == {"memory:learner": 1}


def test_a_single_dict_and_a_dataframe_work_too() -> None:
    record = {"id": 7, "region": "East Anglian Region", "credits": 60}
    assert rows(run_mapping(compiled(), inputs={"learner": record})) == EXPECTED
    frame = pl.DataFrame([record])
    assert rows(run_mapping(compiled(), inputs={"learner": frame})) == EXPECTED


def test_rr_default_graph_puts_the_triple_in_the_default_graph() -> None:
    result = run_mapping(compiled(), inputs={"learner": {"id": 7, "region": "x", "credits": 1}})
    graphs = {g for _s, _o, g in rows(result, ["<http://ex.org/registered>"])}
    # R2RML: a triple goes to the subject map's graphs and the predicate-object map's.
    assert graphs == {"", "<http://ex.org/consent/7>"}


def test_a_missing_input_names_the_source_and_how_to_pass_it() -> None:
    with pytest.raises(
        MappingError,
        match=r"profile\.yml:5: in-memory source 'learner' was "
        r"not given .*inputs=\{'learner': records\}",
    ):
        run_mapping(compiled(), inputs={"other": []})


def test_a_nested_value_in_a_csv_like_source_is_rejected_clearly() -> None:
    with pytest.raises(BadInputError, match=r"record 1 of 'learner', field 'region'.*JSON source"):
        run_mapping(compiled(), inputs={"learner": [{"id": 1, "region": {"name": "x"}}]})


PROFILE = """\
prefixes:
  ex: http://ex.org/
sources:
  profile:
    access: memory:profile
    referenceFormulation: jsonpath
    iterator: $.enrolments[*]
mappings:
  enrolment:
    sources: profile
    s: ex:enrolment/$(module)
    po:
      - [ex:result, $(result)]
      - [ex:assessment, "$(scores[*].id)"]
"""


def test_one_nested_json_profile_is_mapped_from_memory() -> None:
    mapping = compile_yarrrml_text(PROFILE, Path("/nowhere/profile.yml"))
    profile = {
        "learner": "7",
        "enrolments": [
            {"module": "AAA", "result": "Pass", "scores": [{"id": 1}, {"id": 2}]},
            {"module": "BBB", "result": None, "scores": []},
        ],
    }
    result = run_mapping(mapping, inputs={"profile": profile})
    quads = {(r["s"], r["p"], r["o"]) for r in result.unique_quads().iter_rows(named=True)}
    aaa = "<http://ex.org/enrolment/AAA>"
    assert quads == {
        (aaa, "<http://ex.org/result>", '"Pass"'),
        (aaa, "<http://ex.org/assessment>", '"1"'),
        (aaa, "<http://ex.org/assessment>", '"2"'),
    }
    assert result.records == {"memory:profile": 2}
