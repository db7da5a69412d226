"""Skill linking: label kinds, French, fuzzy matches, batches, the Series adapter, the CLI."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from skillsgraph.cli import app
from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.linking import (
    ESCO_DIR,
    Candidate,
    SkillLinker,
    build_index,
    link_skills,
    normalise,
)
from skillsgraph.linking import linker as linker_module

ESCO = "http://data.europa.eu/esco/skill/"
MUSIC, PYTHON, PROJECT, LEDGER = (ESCO + x for x in ("music", "python", "project", "ledger"))
DATABASE, PROGRAMMING = ESCO + "database", ESCO + "programming"
BENCHMARK = ESCO_DIR.parents[1] / "job_postings" / "skill_extraction_benchmark"

SKILLS_EN = f"""conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels
KnowledgeSkillCompetence,{MUSIC},skill/competence,sector-specific,manage musical staff,"manage music staff
direct musical staff",musical staff mgmt
KnowledgeSkillCompetence,{PYTHON},knowledge,cross-sector,Python (computer programming),"Python
Python3",
KnowledgeSkillCompetence,{PROJECT},skill/competence,cross-sector,project management,"manage projects",
KnowledgeSkillCompetence,{LEDGER},skill/competence,sector-specific,manage the general ledger,,
"""  # noqa: E501  (a CSV row is one line)
COLLECTION_FR = f"""conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels
KnowledgeSkillCompetence,{DATABASE},gérer une base de données,released,skill/competence,,gérer des bases de données | administrer une base de données
KnowledgeSkillCompetence,{PROGRAMMING},programmation informatique,released,knowledge,,
"""  # noqa: E501  (a CSV row is one line)


@pytest.fixture(scope="module")
def esco(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny ESCO folder: a full English skills file, a French collection only."""
    root = tmp_path_factory.mktemp("esco")
    (root / "en").mkdir()
    (root / "en" / "skills_en.csv").write_text(SKILLS_EN, encoding="utf-8")
    (root / "fr").mkdir()
    (root / "fr" / "digitalSkillsCollection_fr.csv").write_text(COLLECTION_FR, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def linker(esco: Path) -> SkillLinker:
    return SkillLinker.from_esco(esco, languages=("en", "fr"))


@pytest.fixture(scope="module")
def real() -> SkillLinker:
    """The linker over the project's ESCO v1.1.1 (English index: about 1 s, cached)."""
    return SkillLinker.from_esco(languages=("en",))


@pytest.mark.parametrize(
    ("text", "iri", "method", "matched"),
    [
        ("manage musical staff", MUSIC, "exact-label", "manage musical staff"),
        ("  Manage MUSICAL staff!! ", MUSIC, "exact-label", "manage musical staff"),
        ("direct musical staff", MUSIC, "alt-label", "direct musical staff"),
        ("Python", PYTHON, "alt-label", "Python"),
        ("musical staff mgmt", MUSIC, "hidden-label", "musical staff mgmt"),
    ],
)
def test_exact_labels_give_their_method_and_score_one(
    linker: SkillLinker, text: str, iri: str, method: str, matched: str
) -> None:
    best = linker.link(text)[0]
    assert (best.iri, best.score, best.method, best.matched) == (iri, 1.0, method, matched)


def test_a_candidate_names_the_preferred_label(linker: SkillLinker) -> None:
    assert linker.link("Python3", top=1) == [
        Candidate(PYTHON, "Python (computer programming)", 1.0, "alt-label", "Python3")
    ]


def test_french_labels_with_and_without_accents(linker: SkillLinker) -> None:
    for text, method in [
        ("gérer une base de données", "exact-label"),
        ("gerer une base de donnees", "exact-label"),
        ("Administrer une base de données", "alt-label"),
    ]:
        best = linker.link(text, language="fr")[0]
        assert (best.iri, best.score, best.method) == (DATABASE, 1.0, method)
        assert best.label == "gérer une base de données"
    assert not linker.indexes["fr"].skills.complete  # collections only, no skills_fr.csv
    assert linker.indexes["en"].skills.complete


def test_without_accent_folding_accents_matter(esco: Path) -> None:
    strict = SkillLinker.from_esco(esco, languages=("fr",), fold_accents=False)
    assert strict.link("gérer une base de données", language="fr")[0].method == "exact-label"
    assert strict.link("gerer une base de donnees", language="fr")[0].method == "fuzzy"


def test_a_misspelt_label_ranks_the_right_skill_first(linker: SkillLinker) -> None:
    best = linker.link("projetc managment")[0]
    assert (best.iri, best.method) == (PROJECT, "fuzzy")
    assert 0.5 < best.score < 1.0
    assert linker.link("Pyhton programing")[0].iri == PYTHON


def test_fuzzy_matches_rank_below_exact_ones_best_first(linker: SkillLinker) -> None:
    found = linker.link("manage music staff", top=4)
    assert found[0].method == "alt-label" and found[0].score == 1.0
    assert all(c.method == "fuzzy" and c.score < 1.0 for c in found[1:])
    assert [c.score for c in found[1:]] == sorted((c.score for c in found[1:]), reverse=True)
    assert len({c.iri for c in found}) == len(found)


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "?!. -"])
def test_blank_text_gives_no_candidates(linker: SkillLinker, text: str) -> None:
    assert linker.link(text) == []


def test_top_limits_the_candidates(linker: SkillLinker) -> None:
    assert len(linker.link("manage staff", top=1)) == 1
    assert len(linker.link("manage staff", top=2)) == 2
    with pytest.raises(BadInputError, match="top must be 1 or more, got 0"):
        linker.link("manage staff", top=0)


def test_an_unloaded_language_is_named(esco: Path) -> None:
    english = SkillLinker.from_esco(esco, languages=("en",))
    with pytest.raises(BadInputError, match=r"language 'fr' is not loaded \(loaded: en\)"):
        english.link("programmation", language="fr")


def test_link_many_keeps_order_and_links_repeats_once(
    linker: SkillLinker, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    best = linker_module._best

    def counting(index: object, normalised: str) -> Candidate | None:
        calls.append(normalised)
        return best(index, normalised)  # type: ignore[arg-type]

    monkeypatch.setattr(linker_module, "_best", counting)
    texts = ["Python", "manage projects", None, "  python ", "   ", "zzzz qqqq", "PYTHON"]
    found = linker.link_many(texts, min_score=0.9)
    assert [c.iri if c else None for c in found] == [
        PYTHON, PROJECT, None, PYTHON, None, None, PYTHON
    ]  # fmt: skip
    assert found[0] == found[3] == found[6]
    assert sorted(calls) == sorted({"python", "manage projects", "", "zzzz qqqq"})


def test_link_many_applies_min_score(linker: SkillLinker) -> None:
    fuzzy = linker.link("projetc managment", top=1)[0].score
    assert linker.link_many(["projetc managment"], min_score=fuzzy)[0] is not None
    assert linker.link_many(["projetc managment"], min_score=min(fuzzy + 0.01, 1.0)) == [None]
    with pytest.raises(BadInputError, match=r"min_score must be within 0\.\.1, got 1\.5"):
        linker.link_many(["x"], min_score=1.5)


def test_link_skills_maps_a_series_to_iris(linker: SkillLinker) -> None:
    values = pl.Series("skill", ["Python", None, "manage projects", "", "zzzz qqqq"])
    iris = link_skills(values, linker=linker)
    assert iris.name == "skill" and iris.dtype == pl.String
    assert iris.to_list() == [PYTHON, None, PROJECT, None, None]
    french = link_skills(pl.Series(["gerer des bases de donnees"]), language="fr", linker=linker)
    assert french.to_list() == [DATABASE]


def test_link_skills_min_score(linker: SkillLinker) -> None:
    values = pl.Series(["projetc managment"])
    assert link_skills(values, min_score=0.5, linker=linker).to_list() == [PROJECT]
    assert link_skills(values, min_score=1.0, linker=linker).to_list() == [None]


def test_link_skills_rejects_values_that_are_not_text(linker: SkillLinker) -> None:
    with pytest.raises(BadInputError, match="column 'bad' of type List"):
        link_skills(pl.Series("bad", [[1, 2]]), linker=linker)


def test_link_skills_defaults_to_the_project_data(real: SkillLinker) -> None:
    iris = link_skills(pl.Series(["Python", None]))
    assert iris.to_list() == [real.link("Python", top=1)[0].iri, None]


def test_indexes_are_cached_per_folder_and_language(esco: Path, linker: SkillLinker) -> None:
    again = SkillLinker.from_esco(esco, languages=("en",))
    assert again.indexes["en"] is linker.indexes["en"]
    fresh = build_index(esco, "en")
    assert fresh is not linker.indexes["en"] and fresh.choices == linker.indexes["en"].choices


def test_a_missing_language_folder_says_what_to_download(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"no ESCO skills for language 'de'.*skills_de\.csv"):
        SkillLinker.from_esco(tmp_path, languages=("de",))


def test_a_skills_file_without_its_columns_is_named(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    bad = tmp_path / "en" / "skills_en.csv"
    bad.write_text("conceptUri,label\nx,y\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"skills_en\.csv: missing column\(s\) preferredLabel"):
        build_index(tmp_path, "en")


def test_normalise() -> None:
    assert normalise(" Œuvre  d\u2019ART — C++/C# ") == "oeuvre d art c++ c#"
    assert normalise("ÉQUIPE", fold_accents=False) == "équipe"


def test_real_data_misspelt_and_alt_labels(real: SkillLinker) -> None:
    assert real.link("Python", top=1)[0].label == "Python (computer programming)"
    assert real.link("Pyhton programming", top=1)[0].label == "Python (computer programming)"
    assert real.indexes["en"].build_seconds < 10  # about 1 s; generous for a busy machine


@pytest.mark.parametrize(
    ("file", "span"),
    [
        ("tech_test", "Python ."),
        ("tech_test", "ETL"),
        ("tech_test", "Agile Software Development"),
        ("tech_test", "making the right decisions"),
        ("tech_test", "trustworthy"),
        ("house_test", "e-commerce"),
        ("house_test", "independent working style"),
    ],
)
def test_real_decorte_spans_link_to_their_gold_label(
    real: SkillLinker, file: str, span: str
) -> None:
    rows = pl.read_csv(BENCHMARK / f"{file}_annotations.csv").filter(pl.col("span") == span)
    gold = set(rows["label"])
    assert real.link(span, top=1)[0].label in gold


runner = CliRunner()


def test_cli_link_json(real: SkillLinker) -> None:
    result = runner.invoke(app, ["link", "Pyhton programming", "--top", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert len(found) == 3
    assert found[0]["label"] == "Python (computer programming)"
    assert found[0]["iri"].startswith(ESCO) and found[0]["method"] == "fuzzy"
    assert set(found[0]) == {"iri", "label", "score", "method", "matched"}


def test_cli_link_table_in_french(real: SkillLinker) -> None:
    result = runner.invoke(app, ["link", "Gérer des bases de données", "--language", "fr"])
    assert result.exit_code == 0, result.output
    assert "alt-label" in result.output and "1.000" in result.output
    assert "candidate(s)" in result.output


def test_cli_link_blank_text_prints_no_candidate() -> None:
    result = runner.invoke(app, ["link", "   ", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


@pytest.mark.parametrize("module", ["__init__", "index", "labels", "linker", "normalise", "series"])
def test_docstring_examples(real: SkillLinker, module: str) -> None:
    name = "skillsgraph.linking" + ("" if module == "__init__" else f".{module}")
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
