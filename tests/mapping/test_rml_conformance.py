"""The legacy RML conformance suite (kg-construct/rml-test-cases), its CSV and JSON cases.

One parametrised test discovers every case folder under ``tests/cases/rml-test-cases``
(see its SOURCE.md): the mapping is compiled with :func:`compile_rml` and run; the output must
equal ``output.nq`` as a set of quads with blank nodes canonicalised, or, where the suite
expects an error, a :class:`SkillsGraphError` must say what went wrong and where. Cases that
fail for a known reason outside the RML compiler are listed in :data:`KNOWN_FAILURES` and
marked as strict expected failures, so a fix shows up as an unexpected pass.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from skillsgraph.errors import SkillsGraphError
from skillsgraph.mapping.engine import run_mapping
from skillsgraph.mapping.rml import compile_rml

CASES = Path(__file__).parent.parent / "cases" / "rml-test-cases"
BASE = "http://example.com/base/"
"""The base IRI given to the processor; each mapping also declares it as ``@base``."""

_LITERAL_GRAPH = (
    "suite disagreement: the case expects no error and an empty output for "
    "rr:graph [ rml:reference ...; rr:termType rr:Literal ]; R2RML makes rr:graph a constant "
    "IRI and allows only IRIs as graphs, and the RML-Core suite expects an error for this "
    "case, so the compiler raises one"
)
KNOWN_FAILURES: dict[str, str] = {
    "RMLTC0007h-CSV": _LITERAL_GRAPH,
    "RMLTC0007h-JSON": _LITERAL_GRAPH,
}

ERROR_OVERRIDES = {"RMLTC0002g-JSON": True}
"""Cases missing from metadata.csv: 0002g-JSON names a missing file and an invalid iterator
and expects an empty output; like its R2RML original and RML-Core's 0002g it must fail."""

DATA_ERRORS = {"RMLTC0019b", "RMLTC0020b"}
"""Cases whose data has a value that makes no valid IRI: that record is rejected."""

EXPECTED_ERRORS: dict[str, tuple[str, str]] = {
    "RMLTC0002c": (r"triples map 'TriplesMap1'.*'IDs'.*did you mean 'ID'", 'rml:reference "IDs"'),
    "RMLTC0002e": (r"student2\.(csv|json) does not exist", "rml:logicalSource"),
    "RMLTC0002g": (r"student2\.json does not exist", "rml:logicalSource"),
    "RMLTC0004b": (
        r"triples map 'TriplesMap1': a subject cannot be a literal \(rr:termType rr:Literal\)",
        "rr:termType rr:Literal",
    ),
    "RMLTC0012c": (
        r"triples map 'TriplesMap1': a triples map needs exactly one subject map, found 0",
        "<TriplesMap1>",
    ),
    "RMLTC0012d": (
        r"triples map 'TriplesMap1': a triples map needs exactly one subject map, found 2 "
        r"\(lines \d+, \d+\)",
        "<TriplesMap1>",
    ),
    "RMLTC0015b": (r"invalid language tag 'english' in rr:language", '"english"'),
}
"""For each error case: a pattern the message must match, and the text whose line (the
first line of mapping.ttl containing it) the message must name."""


def _error_expected() -> dict[str, bool]:
    with (CASES / "metadata.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["RML id"]: row["error expected?"] == "true" for row in csv.DictReader(f)}
    return rows | ERROR_OVERRIDES


ERROR_EXPECTED = _error_expected()
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def canonical_quads(nquads: str) -> set[str]:
    """The quads of an N-Quads document with blank nodes canonicalised (RDFC-1.0)."""
    dataset = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def _line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def _param(case: str) -> object:
    if case in KNOWN_FAILURES:
        return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case]))
    return case


def test_the_suite_is_complete() -> None:
    assert len(CASE_NAMES) == 80
    assert sum(name.endswith("-CSV") for name in CASE_NAMES) == 39
    assert all(name in ERROR_EXPECTED for name in CASE_NAMES)
    assert set(KNOWN_FAILURES) <= set(CASE_NAMES)


@pytest.mark.parametrize("case", [_param(c) for c in CASE_NAMES])
def test_conformance(case: str) -> None:
    folder = CASES / case
    mapping = folder / "mapping.ttl"
    stem = case.rsplit("-", 1)[0]
    if ERROR_EXPECTED[case]:
        with pytest.raises(SkillsGraphError) as info:
            run_mapping(compile_rml(mapping, base=BASE))
        message = str(info.value)
        pattern, anchor = EXPECTED_ERRORS[stem]
        assert re.search(pattern, message), message
        assert f"{mapping}:{_line_of(mapping, anchor)}: " in message
        return
    result = run_mapping(compile_rml(mapping, base=BASE))
    expected = canonical_quads((folder / "output.nq").read_text(encoding="utf-8"))
    assert canonical_quads(result.nquads()) == expected
    if stem in DATA_ERRORS:
        assert result.rejections.height == 1
        assert f"{mapping}:" in result.rejections["reason"][0]
    else:
        assert result.rejections.height == 0
