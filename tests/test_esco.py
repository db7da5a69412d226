"""The real ESCO v1.1.1, mapped, validated and loaded in full (slow: about a minute)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from skillsgraph.config import Settings
from skillsgraph.ingest import IngestReport, ingest
from skillsgraph.query import run_query
from skillsgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
DANGLING = "http://data.europa.eu/esco/occupation/a9e54177-a185-404d-b6e6-15663d31137e"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def esco(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Settings, IngestReport]:
    reports = tmp_path_factory.mktemp("reports")
    settings = Settings(store="memory", home=ROOT, reports=reports)
    store = EmbeddedStore(None)
    ingest(store, settings, "ontology")
    return store, settings, ingest(store, settings, "esco")


def _count(esco: tuple[EmbeddedStore, Settings, IngestReport], where: str) -> int:
    store, settings, _ = esco
    result = run_query(store, settings, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)  # type: ignore[union-attr]


def test_every_skill_with_an_english_label(
    esco: tuple[EmbeddedStore, Settings, IngestReport],
) -> None:
    assert _count(esco, "?s a esco:Skill") == 13_896
    where = "?s a esco:Skill ; skos:prefLabel ?l FILTER(lang(?l) = 'en')"
    assert _count(esco, where) == 13_896


def test_every_occupation_in_english_and_french(
    esco: tuple[EmbeddedStore, Settings, IngestReport],
) -> None:
    assert _count(esco, "?o a esco:Occupation") == 3_007
    for lang in ("en", "fr"):
        where = f"?o a esco:Occupation ; skos:prefLabel ?l FILTER(lang(?l) = '{lang}')"
        assert _count(esco, where) == 3_007


def test_occupation_skill_relations_minus_the_rejected(
    esco: tuple[EmbeddedStore, Settings, IngestReport],
) -> None:
    where = "?o a esco:Occupation ; esco:relatedEssentialSkill|esco:relatedOptionalSkill ?s"
    assert _count(esco, where) == 123_855 - 67


def test_real_defects_are_reported(esco: tuple[EmbeddedStore, Settings, IngestReport]) -> None:
    _, _, report = esco
    by_file = {f.path.name: f for f in report.files}
    assert by_file["occupationSkillRelations.csv"].rejected == 67
    assert by_file["broaderRelationsOccPillar.csv"].rejected == 1
    assert report.records_rejected == 68
    assert {r.focus for r in report.rejected} == {DANGLING}
    assert report.records_read == report.records_loaded + report.records_rejected
    empty_type = [w for w in report.warnings if "no skill type" in w.message]
    assert len(empty_type) == 6


def test_cross_pillar_query(esco: tuple[EmbeddedStore, Settings, IngestReport]) -> None:
    store, settings, _ = esco
    query = (ROOT / "queries" / "essential-skills-of-an-occupation.rq").read_text()
    result = run_query(store, settings, query)
    assert isinstance(result, ox.QuerySolutions)
    skills = {s["skill"].value for s in result}  # type: ignore[union-attr]
    assert len(skills) > 10
    assert "data mining" in skills
