"""Mapping functions: the registry, custom functions, strict failures, and errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from skillsgraph.errors import MappingError
from skillsgraph.mapping.engine import run_mapping
from skillsgraph.mapping.functions import GREL, SGF, FunctionRegistry, default_registry
from skillsgraph.mapping.yarrrml import compile_yarrrml_text


def mapping(tmp_path: Path, csv: str, objects: str, *, functions: FunctionRegistry | None = None):
    (tmp_path / "data.csv").write_text(csv, encoding="utf-8")
    text = (
        "prefixes:\n  ex: http://ex.org/\nmappings:\n  m:\n    sources: [data.csv~csv]\n"
        "    s: ex:$(id)\n    po:\n" + objects
    )
    return compile_yarrrml_text(text, tmp_path / "m.yml", functions=functions)


def objects_of(result, predicate: str = "<http://ex.org/v>") -> list[str]:
    quads = result.unique_quads().filter(pl.col("p") == predicate)
    return sorted(quads["o"].to_list())


def call(function: str, *params: str, extra: str = "") -> str:
    lines = "".join(f"            - [{p}]\n" for p in params)
    parameters = f"          parameters:\n{lines}" if params else ""
    return f"      - p: ex:v\n        o:\n          function: {function}\n{extra}{parameters}"


@pytest.mark.parametrize(
    ("function", "params", "expected"),
    [
        ("grel:toLowerCase", ["grel:valueParameter, $(a)"], ['" x y "']),
        ("grel:string_length", ["grel:valueParameter, $(a)"], ['"5"']),
        (
            "grel:string_replace",
            ["grel:valueParameter, $(a)", "grel:p_string_find, X", "grel:p_string_replace, Z"],
            ['" Z y "'],
        ),
        (
            "grel:string_substring",
            ["grel:valueParameter, $(a)", "grel:p_int_i_from, '1'", "grel:p_int_i_opt_to, '2'"],
            ['"X"'],
        ),
        ("sgf:normalizeSpace", ["grel:valueParameter, $(a)"], ['"X y"']),
        (
            "idlab-fn:equal",
            ["idlab-fn:str, $(a)", "idlab-fn:otherStr, ' X y '"],
            ['"true"'],
        ),
        (
            "sgf:sha256",
            ["grel:valueParameter, abc"],
            ['"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"'],
        ),
    ],
)
def test_builtin_functions(tmp_path: Path, function: str, params: list[str], expected) -> None:
    result = run_mapping(mapping(tmp_path, "id,a\n1, X y \n", call(function, *params)))
    assert objects_of(result) == expected


def test_a_custom_python_function_is_registered_by_iri(tmp_path: Path) -> None:
    registry = default_registry().copy()
    registry.register(
        "http://ex.org/fn/initials",
        ["http://ex.org/fn/name"],
        scalar=lambda name: "".join(w[0] for w in name.split()) if name else None,
    )
    objects = call("http://ex.org/fn/initials", "http://ex.org/fn/name, $(a)")
    result = run_mapping(
        mapping(tmp_path, "id,a\n1,Ada Lovelace\n2,\n", objects, functions=registry),
        functions=registry,
    )
    assert objects_of(result) == ['"AL"']
    assert "http://ex.org/fn/initials" not in default_registry()


def test_a_vectorised_series_function(tmp_path: Path) -> None:
    registry = default_registry().copy()
    registry.register(
        "http://ex.org/fn/double",
        ["value"],
        series=lambda s: (s.cast(pl.Int64) * 2).cast(pl.String),
    )
    objects = call("http://ex.org/fn/double", "value, $(a)")
    result = run_mapping(
        mapping(tmp_path, "id,a\n1,21\n2,4\n", objects, functions=registry), functions=registry
    )
    assert objects_of(result) == ['"42"', '"8"']


def test_a_strict_function_rejects_the_record_with_its_reason(tmp_path: Path) -> None:
    objects = (
        call("sgf:parseDate", "grel:valueParameter, $(a)", "sgf:format, dd/mm/yyyy")
        + "      - [ex:w, $(id)]\n"
    )
    result = run_mapping(mapping(tmp_path, "id,a\n1,31/12/2020\n2,31/02/2020\n3,\n", objects))
    assert objects_of(result) == ['"2020-12-31"']
    # record 2 is rejected whole (no ex:w either); record 3 has no date, which is not a failure
    assert sorted(result.unique_quads()["s"].unique().to_list()) == [
        "<http://ex.org/1>",
        "<http://ex.org/3>",
    ]
    [reason] = result.rejections["reason"].to_list()
    assert result.rejections["record"].to_list() == [2]
    assert "m.yml:10" in reason
    assert "parseDate" in reason and "31/02/2020" in reason


def test_unknown_function_is_a_compile_error_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(
        MappingError,
        match=r"m\.yml:10: .*unknown function 'grel:toUppercase'.*"
        r"did you mean .*toUpperCase",
    ):
        mapping(tmp_path, "id,a\n1,x\n", call("grel:toUppercase", "grel:valueParameter, $(a)"))


def test_unknown_and_missing_parameters_are_compile_errors(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"has no parameter .*p_string_sep.*expected"):
        mapping(
            tmp_path,
            "id,a\n1,x\n",
            call("grel:toUpperCase", "grel:valueParameter, $(a)", "grel:p_string_sep, ';'"),
        )
    with pytest.raises(MappingError, match=r"needs parameter .*valueParam"):
        mapping(tmp_path, "id,a\n1,x\n", call("grel:toUpperCase"))


def test_a_function_argument_naming_a_missing_column_is_reported(tmp_path: Path) -> None:
    compiled = mapping(
        tmp_path, "id,a\n1,x\n", call("grel:toUpperCase", "grel:valueParameter, $(b)")
    )
    with pytest.raises(MappingError, match=r"column 'b' is not in .*data\.csv"):
        run_mapping(compiled)


def test_the_registry_lists_its_functions() -> None:
    names = list(default_registry())
    assert GREL + "toUpperCase" in names and SGF + "linkSkill" in names
    with pytest.raises(MappingError, match="unknown function"):
        default_registry().get("http://ex.org/nope")
