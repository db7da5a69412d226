"""The JSON / JSON Lines reader: JSONPath iterators and references, values and errors.

Every file-based test runs twice: through the Polars reader and through the Python reader
(Polars switched off), so that both give the same frame.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillsgraph.errors import BadInputError, MappingError, NotFoundError
from skillsgraph.mapping import jsonsource
from skillsgraph.mapping.jsonsource import (
    RECORD,
    JsonReferenceError,
    compile_path,
    read_json,
    record_keys,
    records_frame,
    value_text,
)
from skillsgraph.mapping.model import Location, Source
from skillsgraph.mapping.sources import RECORD as SOURCES_RECORD

WHERE = Location(Path("mapping.yml"), 7)
Reader = Callable[[Source, Collection[str]], pl.DataFrame]

STUDENTS = {
    "students": [
        {"ID": 10, "Name": "Venus", "Sports": ["Tennis", "Golf"]},
        {"ID": 20, "Name": "Serena", "Sports": []},
    ]
}


@pytest.fixture(params=["polars", "python"])
def read(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Reader:
    """``read_json`` through the Polars reader or, with it switched off, the Python one."""
    if request.param == "python":
        monkeypatch.setattr(jsonsource, "_polars_frame", lambda *args: None)
    return read_json


def source(
    tmp_path: Path, data: Any, iterator: str | None = None, name: str = "data.json"
) -> Source:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    path.write_text(text, encoding="utf-8")
    return Source(WHERE, path, "json", iterator=iterator)


def rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    return frame.drop(RECORD).rows()


# --- shapes ---------------------------------------------------------------------------------


def test_simple_fields_give_one_list_column_per_reference(tmp_path: Path, read: Reader) -> None:
    frame = read(source(tmp_path, STUDENTS, "$.students[*]"), ["Name", "$.ID", "Name"])
    assert frame.columns == [RECORD, "Name", "$.ID"]
    assert frame.schema[RECORD] == pl.UInt32
    assert frame.schema["Name"] == pl.List(pl.String)
    assert frame[RECORD].to_list() == [1, 2]
    assert rows(frame) == [(["Venus"], ["10"]), (["Serena"], ["20"])]


def test_record_column_is_the_one_sources_uses() -> None:
    assert RECORD == SOURCES_RECORD


def test_nested_fields(tmp_path: Path, read: Reader) -> None:
    data = [
        {"id": "j1", "company": {"name": "ACME", "address": {"city": "Gent"}}},
        {"id": "j2", "company": {"name": "Initech"}},
    ]
    frame = read(source(tmp_path, data, "$[*]"), ["company.name", "$.company.address.city"])
    assert rows(frame) == [(["ACME"], ["Gent"]), (["Initech"], [])]


def test_bracket_notation_and_names_with_spaces(tmp_path: Path, read: Reader) -> None:
    data = {"countries": [{"Country Code": 1, "ISO 3166": "BO", "a": {"b c": "x"}}]}
    refs = ["Country Code", "['ISO 3166']", '$["ISO 3166"]', "a['b c']"]
    frame = read(source(tmp_path, data, "$.countries[*]"), refs)
    assert rows(frame) == [(["1"], ["BO"], ["BO"], ["x"])]


def test_arrays_of_scalars(tmp_path: Path, read: Reader) -> None:
    data = {"persons": [{"amounts": [30, 40, 50]}, {"amounts": []}, {"amounts": [1]}]}
    refs = ["$.amounts[*]", "amounts[0]", "amounts[-1]", "amounts.*"]
    frame = read(source(tmp_path, data, "$.persons[*]"), refs)
    assert rows(frame) == [
        (["30", "40", "50"], ["30"], ["50"], ["30", "40", "50"]),
        ([], [], [], []),
        (["1"], ["1"], ["1"], ["1"]),
    ]


def test_arrays_of_objects(tmp_path: Path, read: Reader) -> None:
    data = [
        {"items": [{"name": "a", "n": 1}, {"name": "b"}, {"n": 2}]},
        {"items": []},
        {"items": None},
    ]
    frame = read(source(tmp_path, data, "$[*]"), ["items[*].name", "items[*].n"])
    assert rows(frame) == [(["a", "b"], ["1", "2"]), ([], []), ([], [])]


def test_nulls_and_keys_missing_in_some_records_give_no_value(tmp_path: Path, read: Reader) -> None:
    data = {"persons": [{"id": "1", "born": None}, {"id": "2"}, {"id": "3", "born": "2010"}]}
    frame = read(source(tmp_path, data, "$.persons[*]"), ["born"])
    assert rows(frame) == [([],), ([],), (["2010"],)]


def test_a_key_that_is_null_in_every_record_is_no_typo(tmp_path: Path, read: Reader) -> None:
    data = {"persons": [{"id": "1", "born": None}, {"id": "2", "born": None}]}
    frame = read(source(tmp_path, data, "$.persons[*]"), ["id", "born"])
    assert rows(frame) == [(["1"], []), (["2"], [])]


def test_numbers_and_booleans(tmp_path: Path, read: Reader) -> None:
    text = (
        '[{"i": 30, "neg": -5, "big": 123456789012345678901234567890, "f": 1.5, "whole": 1.0,'
        ' "exp": 1e3, "small": 1E-7, "t": true, "f2": false, "s": "30.0E0"}]'
    )
    refs = ["i", "neg", "big", "f", "whole", "exp", "small", "t", "f2", "s"]
    frame = read(source(tmp_path, text), refs)
    expected = ["30", "-5", "123456789012345678901234567890", "1.5", "1", "1000", "0.0000001"]
    assert rows(frame) == [tuple([v] for v in [*expected, "true", "false", "30.0E0"])]


def test_iterator_dollar_over_a_top_level_object_is_one_record(
    tmp_path: Path, read: Reader
) -> None:
    frame = read(source(tmp_path, {"name": "Ada", "skills": ["x"]}, "$"), ["name", "skills[*]"])
    assert rows(frame) == [(["Ada"], ["x"])]
    frame = read(source(tmp_path, {"name": "Ada"}), ["name"])
    assert rows(frame) == [(["Ada"],)]


def test_a_top_level_array_is_iterated_item_by_item(tmp_path: Path, read: Reader) -> None:
    data = [{"FOO": 1}, {"FOO": 2}]
    for iterator in (None, "$[*]"):
        frame = read(source(tmp_path, data, iterator), ["$.FOO"])
        assert rows(frame) == [(["1"],), (["2"],)]


def test_an_iterator_through_nested_objects(tmp_path: Path, read: Reader) -> None:
    data = {"a": {"b": [{"x": "1"}, {"x": "2"}]}, "other": 5}
    frame = read(source(tmp_path, data, "$.a.b[*]"), ["x"])
    assert rows(frame) == [(["1"],), (["2"],)]


def test_an_empty_array_gives_no_records_and_no_error(tmp_path: Path, read: Reader) -> None:
    """RMLTC0000-JSON: an empty table produces an empty graph."""
    frame = read(source(tmp_path, {"students": []}, "$.students[*]"), ["Name"])
    assert frame.height == 0
    assert frame.schema == pl.Schema({RECORD: pl.UInt32, "Name": pl.List(pl.String)})


def test_json_lines(tmp_path: Path, read: Reader) -> None:
    lines = [
        {"id": "j1", "skills": ["python", "sql"], "company": {"name": "ACME"}},
        {"id": "j2", "skills": [], "company": {"name": "Initech"}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    frame = read(source(tmp_path, text, name="jobs.jsonl"), ["id", "skills[*]", "company.name"])
    assert rows(frame) == [(["j1"], ["python", "sql"], ["ACME"]), (["j2"], [], ["Initech"])]


def test_json_lines_in_a_json_named_file_is_recognised(tmp_path: Path, read: Reader) -> None:
    text = '{"idx": 1, "tokens": ["a", "b"]}\n{"idx": 2, "tokens": ["c"]}\n'
    frame = read(source(tmp_path, text, name="train.json"), ["idx", "tokens[*]"])
    assert rows(frame) == [(["1"], ["a", "b"]), (["2"], ["c"])]


def test_json_lines_apply_the_iterator_to_each_line(tmp_path: Path, read: Reader) -> None:
    text = '{"items": [{"n": "a"}, {"n": "b"}]}\n{"items": [{"n": "c"}]}\n'
    frame = read(source(tmp_path, text, "$.items[*]", name="d.jsonl"), ["n"])
    assert rows(frame) == [(["a"],), (["b"],), (["c"],)]
    assert frame[RECORD].to_list() == [1, 2, 3]


def test_the_polars_reader_handles_job_postings_without_python_per_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_python(*args: object) -> None:
        raise AssertionError("the Python reader ran")

    monkeypatch.setattr(jsonsource, "_load", no_python)
    text = '{"id": "j1", "salary": 2.5, "skills": ["a"], "co": {"n": "x"}}\n' * 3
    frame = read_json(source(tmp_path, text, name="jobs.jsonl"), ["id", "salary", "skills[*]"])
    assert rows(frame)[0] == (["j1"], ["2.5"], ["a"])
    frame = read_json(source(tmp_path, STUDENTS, "$.students[*]"), ["Name", "Sports[*]"])
    assert rows(frame) == [(["Venus"], ["Tennis", "Golf"]), (["Serena"], [])]


def test_a_string_that_looks_like_json_stays_a_string(tmp_path: Path, read: Reader) -> None:
    data = [{"t": "[Remote] engineer"}, {"t": '{"not": "an object"}'}, {"t": "[1, 2]"}]
    frame = read(source(tmp_path, data, "$[*]"), ["t"])
    assert rows(frame) == [(["[Remote] engineer"],), (['{"not": "an object"}'],), (["[1, 2]"],)]


def test_records_whose_shape_varies_are_read_all_the_same(tmp_path: Path, read: Reader) -> None:
    data = [{"a": {"b": "1"}}, {"a": "text"}, {"a": [{"b": "2"}]}, {"a": None}, 5]
    frame = read(source(tmp_path, data, "$[*]"), ["a.b"])
    assert rows(frame) == [(["1"],), ([],), ([],), ([],), ([],)]


def test_paths_beyond_the_compiled_subset_use_jsonpath_ng(tmp_path: Path, read: Reader) -> None:
    data = {"items": [{"name": "a", "price": 5}, {"name": "b", "price": 20}], "x": {"name": "c"}}
    refs = ["items[?(@.price > 10)].name", "$..name", "items[0:1].name", "items[*]['name','price']"]
    frame = read(source(tmp_path, data, "$"), refs)
    assert rows(frame) == [(["b"], ["a", "b", "c"], ["a"], ["a", "5", "b", "20"])]


def test_an_iterator_beyond_the_compiled_subset(tmp_path: Path, read: Reader) -> None:
    data = {"shop": {"items": [{"n": "a", "p": 1}, {"n": "b", "p": 9}]}}
    frame = read(source(tmp_path, data, "$..items[?(@.p > 2)]"), ["n"])
    assert rows(frame) == [(["b"],)]


def test_a_non_utf8_encoding(tmp_path: Path, read: Reader) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes('[{"name": "Zoë"}]'.encode("latin-1"))
    frame = read(Source(WHERE, path, "json", encoding="latin-1"), ["name"])
    assert rows(frame) == [(["Zoë"],)]


# --- in memory ------------------------------------------------------------------------------


def test_in_memory_records_need_no_file() -> None:
    profile = {"id": "learner-1", "skills": [{"uri": "s1"}, {"uri": "s2"}], "age": None}
    frame = records_frame(profile, None, ["id", "skills[*].uri", "age"], WHERE)
    assert rows(frame) == [(["learner-1"], ["s1", "s2"], [])]
    frame = records_frame(profile, "$.skills[*]", ["uri"], WHERE)
    assert rows(frame) == [(["s1"],), (["s2"],)]


def test_an_in_memory_list_is_a_list_of_records() -> None:
    frame = records_frame([{"id": "a"}, {"id": "b"}], None, ["id"], WHERE)
    assert rows(frame) == [(["a"],), (["b"],)]


def test_in_memory_errors_name_the_origin() -> None:
    with pytest.raises(MappingError) as info:
        records_frame({"name": "x"}, None, ["nmae"], WHERE, origin="profile of learner 7")
    assert "mapping.yml:7" in str(info.value)
    assert "profile of learner 7" in str(info.value)
    assert "did you mean 'name'?" in str(info.value)


def test_record_keys_lists_the_keys_of_the_records() -> None:
    assert record_keys(STUDENTS, "$.students[*]", WHERE) == ["ID", "Name", "Sports"]


# --- errors ---------------------------------------------------------------------------------


def test_invalid_iterator_syntax_says_where_it_breaks(tmp_path: Path, read: Reader) -> None:
    """RMLTC0002g-JSON: an invalid JSONPath iterator is an error."""
    src = source(tmp_path, STUDENTS, "$.students[*]]")
    with pytest.raises(MappingError) as info:
        read(src, ["Name"])
    message = str(info.value)
    assert message.startswith("mapping.yml:7: the iterator '$.students[*]]'")
    assert str(src.path) in message
    assert "unexpected ']' at offset 13" in message


@pytest.mark.parametrize(
    ("reference", "detail"),
    [
        ("items[*", "unclosed '['"),
        ("a.", "unexpected end at offset 2; expected a member name"),
        ("a[b]", "unexpected 'b' at offset 2"),
        ("$name", "unexpected 'n' at offset 1"),
        ("['a'", "expected ']'"),
        ("$.a[(@.length-1)]", "not valid JSONPath"),
        ("", "is empty"),
    ],
)
def test_invalid_reference_syntax(tmp_path: Path, reference: str, detail: str) -> None:
    with pytest.raises(MappingError) as info:
        read_json(source(tmp_path, STUDENTS, "$.students[*]"), ["Name", reference])
    assert "mapping.yml:7: the reference" in str(info.value)
    assert detail in str(info.value)


def test_invalid_json_names_file_line_and_column(tmp_path: Path, read: Reader) -> None:
    src = source(tmp_path, '{\n  "students": [\n    {"Name": "Venus",}\n  ]\n}\n')
    with pytest.raises(BadInputError) as info:
        read(src, ["Name"])
    assert f"mapping.yml:7: {src.path}:3:22: not valid JSON" in str(info.value)


def test_invalid_json_lines_name_the_line(tmp_path: Path, read: Reader) -> None:
    src = source(tmp_path, '{"a": 1}\n\n{"a": }\n', name="d.jsonl")
    with pytest.raises(BadInputError) as info:
        read(src, ["a"])
    assert f"{src.path}:3:7: not valid JSON Lines" in str(info.value)


def test_several_documents_in_a_json_file_hint_at_json_lines(tmp_path: Path) -> None:
    src = source(tmp_path, '{"a":\n 1}\n{"a": 2}\n')
    with pytest.raises(BadInputError) as info:
        read_json(src, ["a"])
    assert f"{src.path}:3:1" in str(info.value)
    assert ".jsonl" in str(info.value)


def test_an_empty_json_file_is_an_error_and_empty_json_lines_are_not(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="is empty"):
        read_json(source(tmp_path, " \n"), ["a"])
    assert read_json(source(tmp_path, "", name="d.jsonl"), ["a"]).height == 0


def test_a_missing_file(tmp_path: Path, read: Reader) -> None:
    with pytest.raises(NotFoundError, match=r"student2\.json does not exist"):
        read(Source(WHERE, tmp_path / "student2.json", "json", iterator="$"), ["a"])


def test_an_iterator_that_matches_nothing(tmp_path: Path, read: Reader) -> None:
    src = source(tmp_path, STUDENTS, "$.studnets[*]")
    with pytest.raises(MappingError) as info:
        read(src, ["Name"])
    message = str(info.value)
    assert f"mapping.yml:7: the iterator '$.studnets[*]' matches nothing in {src.path}" in message
    assert "its keys are 'students'; did you mean 'students'?" in message


def test_an_iterator_over_values_that_are_not_arrays(tmp_path: Path, read: Reader) -> None:
    with pytest.raises(MappingError, match=r"values at '\$.students' are strings, not arrays"):
        read(source(tmp_path, {"students": "none"}, "$.students[*]"), ["Name"])


def test_a_reference_that_matches_nothing_is_a_typo(tmp_path: Path, read: Reader) -> None:
    """RMLTC0002c-JSON: a reference to an attribute that does not exist is an error."""
    src = source(tmp_path, STUDENTS, "$.students[*]")
    with pytest.raises(MappingError) as info:
        read(src, ["Name", "IDs"])
    message = str(info.value)
    assert message.startswith("mapping.yml:7: the reference 'IDs' matches nothing in any of")
    assert f"the 2 records of {src.path} (iterator '$.students[*]')" in message
    assert "its keys are 'ID', 'Name', 'Sports'; did you mean 'ID'?" in message
    assert isinstance(info.value, JsonReferenceError)
    assert info.value.reference == "IDs"
    assert info.value.detail.startswith("matches nothing in any of the 2 records")


def test_a_nested_typo_names_the_level(tmp_path: Path, read: Reader) -> None:
    data = [{"company": {"name": "ACME", "city": "Gent"}}]
    with pytest.raises(MappingError) as info:
        read(source(tmp_path, data, "$[*]"), ["company.nmae"])
    message = str(info.value)
    assert "no object at '$.company' has the key 'nmae'" in message
    assert "its keys are 'name', 'city'; did you mean 'name'?" in message


def test_a_field_of_an_array_suggests_a_wildcard(tmp_path: Path, read: Reader) -> None:
    data = [{"items": [{"name": "a"}]}]
    with pytest.raises(MappingError) as info:
        read(source(tmp_path, data, "$[*]"), ["items.name"])
    assert "the values at '$.items' are arrays, not objects" in str(info.value)
    assert "write '$.items[*].name'" in str(info.value)


def test_a_reference_to_an_array_is_an_error(tmp_path: Path, read: Reader) -> None:
    """RMLTC0025b-JSON: a reference must point to the values of an array, not the array."""
    data = {"persons": [{"fname": "Bob", "amounts": [30, 40, 50]}]}
    src = source(tmp_path, data, "$.persons[*]")
    with pytest.raises(MappingError) as info:
        read(src, ["$.fname", "$.amounts"])
    message = str(info.value)
    assert f"the reference '$.amounts' yields an array in record 1 of {src.path}" in message
    assert "write '$.amounts[*]' to take each item" in message


def test_a_reference_to_an_object_is_an_error(tmp_path: Path, read: Reader) -> None:
    data = [{"company": "none"}, {"company": {"name": "ACME", "city": "Gent"}}]
    with pytest.raises(MappingError) as info:
        read(source(tmp_path, data, "$[*]"), ["company"])
    assert "yields an object in record 2" in str(info.value)
    assert "its keys are 'name', 'city'" in str(info.value)
    assert isinstance(info.value, JsonReferenceError)
    assert (info.value.reference, info.value.record) == ("company", 2)


def test_a_reserved_reference_name(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="reserved"):
        read_json(source(tmp_path, STUDENTS, "$.students[*]"), [RECORD])


# --- values ---------------------------------------------------------------------------------

JSON_SCALARS = (
    st.text()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)
KEYS = ["a", "b", "c d", "ISO 3166"]


def expected_values(record: dict[str, Any], key: str) -> list[str]:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, float):
        return [value_text(value) or ""]
    return [str(value)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(KEYS), JSON_SCALARS), min_size=1, max_size=20))
def test_each_column_is_the_records_values_as_text(records: list[dict[str, Any]]) -> None:
    present = sorted({key for record in records for key in record})
    references = [f"['{key}']" for key in present]
    text = "".join(json.dumps(record) + "\n" for record in records)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.jsonl"
        path.write_text(text, encoding="utf-8")
        from_file = read_json(Source(WHERE, path, "json"), references)
    in_memory = records_frame(records, None, references, WHERE)
    assert from_file.equals(in_memory)
    for key, reference in zip(present, references, strict=True):
        assert from_file[reference].to_list() == [expected_values(r, key) for r in records]


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_as_polars_writes_them(number: float) -> None:
    """Both readers write a number alike: shortest round-trip digits, no exponent."""
    text = pl.read_ndjson(json.dumps({"x": number}).encode(), schema={"x": pl.String}).item()
    assert value_text(number) == text
    assert float(text) == number


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.1, "0.1"),
        (-0.0, "-0"),
        (1e20, "100000000000000000000"),
        (2.5e-5, "0.000025"),
        (125020592813792.62, "125020592813792.63"),  # a tie: half away from zero
        (-1661474389611179.2, "-1661474389611179.3"),
    ],
)
def test_float_text(number: float, text: str) -> None:
    assert value_text(number) == text


def test_compile_path_steps() -> None:
    path = compile_path("$.a['b c'][*].d[2]", WHERE)
    assert [type(s).__name__ for s in path.steps] == [
        "Field",
        "Field",
        "Wildcard",
        "Field",
        "Index",
    ]
    assert path.fallback is None
    assert compile_path("a..b", WHERE).fallback is not None
