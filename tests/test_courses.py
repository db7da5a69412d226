"""The courses source: the University of Trento course catalogue as ELM learning opportunities.

The whole catalogue is ingested once (about 10 s) into an in-memory store; the counts are
computed here independently, from the JSON with the standard library (urllib for the course
and programme codes, html for the objectives). The small copy in tests/cases/courses/ has
one entry for each defect. The mapped graph is validated against ELM's application profile
for learning opportunities (shapes/external/elm/LOQ-constraints.ttl) and the exact set of
constraints it cannot meet is asserted (mappings/courses/README.md explains each).
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import warnings
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox
import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS

from skillsgraph.config import Settings
from skillsgraph.ingest import IngestReport, ingest
from skillsgraph.query import run_query
from skillsgraph.store import EmbeddedStore
from skillsgraph.validation import load_graph, subclass_triples

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "courses" / "DU-UNITN-courses.json"
CASE = ROOT / "tests" / "cases" / "courses" / "catalogue.json"
LOQ = ROOT / "shapes" / "external" / "elm" / "LOQ-constraints.ttl"
ESCO_SKILLS = ROOT / "data" / "esco" / "v1.1.1" / "en" / "skills_en.csv"

ID = "https://w3id.org/skillsgraph/id/"
SG = "https://w3id.org/skillsgraph/ontology#"
ELM = "http://data.europa.eu/snb/model/elm/"
EQF = "http://data.europa.eu/snb/eqf/"
LOQ_NS = "http://data.europa.eu/snb/model/ap/loq-constraints/"
# The degree codes of corsoStudi and their EQF levels (README.md); CS and CLA have none.
LEVELS = {"L2": 6, "LM": 7, "LM5": 7, "LM6": 7, "M1": 7, "M2": 8, "D1": 8, "D226": 8}
INSTRUCTORS = ("docenti", "titolari", "assistenti", "tutor")

Catalogue = tuple[EmbeddedStore, Settings, IngestReport]


# --- the source, read independently of the mapping ----------------------------------------


@cache
def _entries() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["value"]["data"])


def _query(entry: dict[str, Any], name: str) -> str:
    return parse_qs(urlparse(str(entry["sitoWeb"])).query)[name][0]


def _level_code(entry: dict[str, Any]) -> str:
    return str(entry["corsoStudi"]).rsplit("(", 1)[1].rstrip(") ")


_PLACEHOLDER = re.compile(r"\b(?:see|vedi|veda|v\.)\W.*\b(?:english|inglese)\b", re.I | re.S)


def _objectives(text: str) -> str | None:
    """The objectives as plain text, None for a blank text or a pointer to an English
    version that the file does not have."""
    plain = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split())
    if not re.search(r"\w", plain) or (len(plain) < 120 and _PLACEHOLDER.search(plain)):
        return None
    return plain


def _objectives_by_course() -> dict[str, set[str]]:
    texts: dict[str, set[str]] = defaultdict(set)
    for entry in _entries():
        if (text := _objectives(entry["descrizione"])) is not None:
            texts[_query(entry, "ad")].add(text)
    return texts


# --- fixtures and helpers -----------------------------------------------------------------


def _project(home: Path, catalogue: Path) -> Settings:
    """A project home with the real ontology, shapes and courses mapping, and ``catalogue``
    as the source file."""
    for folder in ("ontology", "shapes"):
        if not (home / folder).exists():
            shutil.copytree(ROOT / folder, home / folder)
    shutil.copytree(ROOT / "mappings" / "courses", home / "mappings" / "courses")
    (home / "data" / "courses").mkdir(parents=True)
    shutil.copy(catalogue, home / "data" / "courses" / DATA.name)
    return Settings(store="memory", home=home, reports=home / "reports")


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    settings = _project(tmp_path_factory.mktemp("home"), DATA)
    store = EmbeddedStore(None)
    return store, settings, ingest(store, settings, "courses")


# Prefixes the project does not declare for every query (skillsgraph.namespaces).
PREFIXES = """PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
"""


def _rows(store: EmbeddedStore, settings: Settings, sparql: str) -> list[list[str]]:
    result = run_query(store, settings, PREFIXES + sparql)
    assert isinstance(result, ox.QuerySolutions)
    return [[term.value if term is not None else "" for term in row] for row in result]


def _count(store: EmbeddedStore, settings: Settings, where: str) -> int:
    return int(_rows(store, settings, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0][0])


def _course(code: str) -> str:
    return f"{ID}course/unitn-{code}"


# --- the whole catalogue ------------------------------------------------------------------


def test_every_entry_is_loaded_or_rejected_with_a_reason(catalogue: Catalogue) -> None:
    _, _, report = catalogue
    files = {f.path.name: f for f in report.files}
    entries = files[DATA.name]
    assert entries.read == len(_entries()) == 3_265
    assert entries.read == entries.loaded + entries.rejected
    assert entries.rejected == 0
    assert all(r.message for r in report.rejected)
    assert report.records_read == report.records_loaded + report.records_rejected
    # Two course codes get different objectives from different entries: kept, with a warning.
    conflicting = {c for c, texts in _objectives_by_course().items() if len(texts) > 1}
    assert {w.focus for w in report.warnings} == {_course(c) for c in conflicting}
    assert len(conflicting) == 2


def test_one_course_per_code_merging_its_curricula(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    codes = Counter(_query(e, "ad") for e in _entries())
    assert _count(store, settings, "?c a sg:Course") == len(codes) == 2_460
    assert sum(1 for n in codes.values() if n > 1) == 510
    pairs = {(_query(e, "ad"), _query(e, "corso")) for e in _entries()}
    assert _count(store, settings, "?c a sg:Course ; sg:partOfProgramme ?p") == len(pairs)
    where = "?c a sg:Course ; foaf:homepage ?page"
    assert _count(store, settings, where) == len({e["sitoWeb"] for e in _entries()})
    # Every course has exactly one title, the catalogue's, with its spaces normalised.
    rows = _rows(store, settings, "SELECT ?c ?t WHERE { ?c a sg:Course ; dcterms:title ?t }")
    titles = {c: t for c, t in rows}
    assert len(rows) == len(titles) == len(codes)
    expected = {_course(_query(e, "ad")): " ".join(e["nome"].split()) for e in _entries()}
    assert titles == expected


def test_title_languages(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    sparql = "SELECT ?t WHERE { ?c a sg:Course ; dcterms:title ?t FILTER(lang(?t) = '%s') }"
    italian = {t for [t] in _rows(store, settings, sparql % "it")}
    english = {t for [t] in _rows(store, settings, sparql % "en")}
    assert {"I problemi della devianza", "Storia e critica del testo musicale"} <= italian
    assert {"Computer vision", "Machine learning", "Data Mining", "Hydrology"} <= english
    assert {"Cognizione animale", "Programmazione Funzionale", "Etica"} <= italian
    assert len(italian) + len(english) == len({" ".join(e["nome"].split()) for e in _entries()})


def test_programmes_and_their_levels(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    codes = {_query(e, "corso"): _level_code(e) for e in _entries()}
    assert _count(store, settings, "?p a sg:Programme") == len(codes) == 79
    rows = _rows(
        store,
        settings,
        """SELECT ?p ?level WHERE {
             ?p a sg:Programme ; elm:learningAchievementSpecification ?q .
             ?q a elm:Qualification ; elm:EQFLevel ?level }""",
    )
    levels = {p.removeprefix(f"{ID}programme/unitn-"): int(lv.rsplit("/", 1)[1]) for p, lv in rows}
    assert levels == {p: LEVELS[c] for p, c in codes.items() if c in LEVELS}
    assert Counter(levels.values()) == {6: 23, 7: 48, 8: 4}
    # Single courses and the language centre: a kind of programme, no qualification.
    assert {p for p, c in codes.items() if c not in LEVELS} == {
        "CLA",
        "CS_SOI",
        "CS_SEM_SRS",
        "RD-MAST",
    }
    rows = _rows(store, settings, "SELECT ?p ?t WHERE { ?p a sg:Programme ; dcterms:type ?t }")
    kinds = {p.removeprefix(f"{ID}programme/unitn-"): t for p, t in rows}
    assert kinds == {p: f"{ID}degree-type/unitn-{c}" for p, c in codes.items()}
    musicology = f"{ID}programme/unitn-0430H"
    assert _rows(store, settings, f"SELECT ?t WHERE {{ <{musicology}> dcterms:title ?t }}") == [
        ["Musicologia"]
    ]


def test_courses_of_a_programme(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    rows = _rows(
        store,
        settings,
        """SELECT DISTINCT ?course ?title WHERE {
             ?programme a sg:Programme ; dcterms:title "Data Science"@en .
             ?course sg:partOfProgramme ?programme ; dcterms:title ?title }""",
    )
    expected = {_course(_query(e, "ad")) for e in _entries() if _query(e, "corso") == "0522H"}
    assert {c for c, _ in rows} == expected
    assert len(expected) > 20
    assert {"Data mining", "Statistical Learning"} <= {t for _, t in rows}


def test_departments_provide_courses(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    departments = {d["id"]: d["nome"] for e in _entries() for d in e["dipartimento"]}
    rows = _rows(
        store,
        settings,
        f"""SELECT ?o ?name WHERE {{
              ?o a elm:Organisation ; org:subOrganizationOf <{ID}organisation/unitn> ;
                 rov:legalName ?name }}""",
    )
    assert {o.removeprefix(f"{ID}organisation/unitn-"): n for o, n in rows} == departments
    # Every course is provided by the university, and by its departments where named.
    assert _count(store, settings, f"?c a sg:Course ; elm:providedBy <{ID}organisation/unitn>") == (
        2_460
    )
    pairs = {(_query(e, "ad"), d["id"]) for e in _entries() for d in e["dipartimento"]}
    where = f"?c a sg:Course ; elm:providedBy ?o FILTER(?o != <{ID}organisation/unitn>)"
    assert _count(store, settings, where) == len(pairs)


def test_learning_outcomes_are_the_objectives_as_plain_text(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    by_course = _objectives_by_course()
    texts = set().union(*by_course.values())
    rows = _rows(store, settings, "SELECT ?t WHERE { ?o a sg:LearningOutcome ; dcterms:title ?t }")
    assert {t for [t] in rows} == texts
    assert len(rows) == len(texts) == 441
    where = "?c a sg:Course ; sg:hasLearningOutcome ?o"
    assert _count(store, settings, where) == sum(len(t) for t in by_course.values())
    assert _count(
        store, settings, "?c a sg:Course FILTER EXISTS { ?c sg:hasLearningOutcome ?o }"
    ) == (len(by_course))
    lang = "?o a sg:LearningOutcome ; dcterms:title ?t FILTER(lang(?t) = '%s')"
    assert (_count(store, settings, lang % "it"), _count(store, settings, lang % "en")) == (407, 34)
    # HTML removed and character references decoded, e.g. Lingua tedesca I (ad=130129):
    [[text]] = _rows(
        store,
        settings,
        f"SELECT ?t WHERE {{ <{_course('130129')}> sg:hasLearningOutcome/dcterms:title ?t }}",
    )
    assert text.startswith("Come previsto dal 'Regolamento didattico del corso di laurea")
    assert "<" not in text and "&#" not in text


def test_no_instructor_reaches_the_graph(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    people = [p for e in _entries() for key in INSTRUCTORS for p in e[key]]
    assert len(people) > 3_000
    ids = {p["id"] for p in people if p["id"]}  # one entry is all empty strings
    names = {f"{p['nome']} {p['cognome']}" for p in people}
    terms = _rows(store, settings, "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } }")
    values = {x for [x] in terms}
    assert not any(i in v for v in values for i in ids)
    assert not names & values
    assert not {p["cognome"] for p in people} & values


@cache
def _esco_skills() -> frozenset[str]:
    with ESCO_SKILLS.open(encoding="utf-8") as f:
        return frozenset(row["conceptUri"] for row in csv.DictReader(f))


def test_skills_are_linked_only_from_english_text(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    rows = _rows(
        store,
        settings,
        """SELECT ?c ?skill (SAMPLE(?t) AS ?title) WHERE {
             ?c sg:teachesSkill ?skill ; dcterms:title ?t } GROUP BY ?c ?skill""",
    )
    assert {s for _, s, _ in rows} <= _esco_skills()
    assert len({c for c, _, _ in rows}) == len(rows) == 82
    english = """SELECT ?c WHERE { ?c a sg:Course .
        { ?c dcterms:title ?t } UNION { ?c sg:hasLearningOutcome/dcterms:title ?t }
        FILTER(lang(?t) = 'en') }"""
    assert {c for c, _, _ in rows} <= {c for [c] in _rows(store, settings, english)}
    by_title = {t: s for _, s, t in rows}
    # From an English objectives text: "... GIS ..." in Hydrology.
    assert _label(by_title["Hydrology"]) == "geographic information systems"
    # From English titles.
    assert _label(by_title["Computer vision"]) == "computer vision"
    assert _label(by_title["Criminal Law"]) == "criminal law"
    assert _label(by_title["Machine learning"]) == "machine learning"
    # Italian courses get none: no Italian ESCO labels in our copy.
    assert "Apprendimento automatico" not in by_title


@cache
def _labels() -> dict[str, str]:
    with ESCO_SKILLS.open(encoding="utf-8") as f:
        return {row["conceptUri"]: row["preferredLabel"] for row in csv.DictReader(f)}


def _label(skill: str) -> str:
    return _labels()[skill]


def test_the_dataset_says_its_licence(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    rows = _rows(store, settings, f"SELECT ?l WHERE {{ <{ID}source/courses> dcterms:license ?l }}")
    assert rows == [["https://creativecommons.org/licenses/by-sa/4.0/"]]


# --- defects: the small copy ----------------------------------------------------------------


def test_garbled_and_conflicting_identifiers_are_rejected_with_reasons(
    home: Path, store: EmbeddedStore
) -> None:
    settings = _project(home, CASE)
    report = ingest(store, settings, "courses")
    entries = {f.path.name: f for f in report.files}[DATA.name]
    assert (entries.read, entries.loaded, entries.rejected) == (13, 6, 7)
    reasons: dict[int, set[str]] = defaultdict(set)
    for r in report.rejected:
        reasons[r.record].add(r.message)
    garbled = "the course identifier is missing or garbled"
    assert any(garbled in m for m in reasons[9])  # no ad= in the page
    assert any(garbled in m for m in reasons[10])  # percent-encoded mojibake
    assert any("relative IRI" in m for m in reasons[11])  # empty page
    for record in (2, 3, 12):  # one code, two Italian titles
        assert any("at most one per language" in m for m in reasons[record])
    assert any("one kind of degree" in m for m in reasons[13])  # no degree code
    assert set(reasons) == {2, 3, 9, 10, 11, 12, 13}
    focus = {r.focus for r in report.rejected if r.focus}
    assert _course("Probabilit%25C3%2583%25C2%25A0_e_statistica") in focus
    assert _course("") in focus
    # The quarantine report keeps each record with its reason.
    assert report.quarantine is not None
    lines = [json.loads(line) for line in report.quarantine.read_text().splitlines()]
    assert {line["record"] for line in lines} == set(reasons)
    # What remains: the good entries, and nothing of the (made-up) instructor.
    courses = {c for [c] in _rows(store, settings, "SELECT ?c WHERE { ?c a sg:Course }")}
    assert courses == {_course(c) for c in ("M112_06", "140587", "140266", "121002", "130129")} | {
        _course("C_IT2EA6")
    }
    assert not _rows(store, settings, 'SELECT ?s WHERE { ?s ?p "Cognome" }')
    assert _count(store, settings, "?o a sg:LearningOutcome") == 2  # the placeholder gives none


def test_a_raw_non_breaking_space_in_a_code_is_rejected(home: Path, store: EmbeddedStore) -> None:
    document = json.loads(CASE.read_text(encoding="utf-8"))
    entry = document["value"]["data"][0]
    entry["sitoWeb"] += "&ad=Probabilit\u00c3\u00a0_e_statistica"  # "à" read as Latin-1
    document["value"]["data"] = [entry]
    (home / "one.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    settings = _project(home, home / "one.json")
    report = ingest(store, settings, "courses")
    assert report.records_rejected == 1


# --- ELM's application profile --------------------------------------------------------------


def _profile() -> tuple[Graph, list[str]]:
    """LOQ-constraints.ttl, without the patterns Python's re cannot compile (Java syntax);
    returns the profile and the patterns left out."""
    shapes = Graph().parse(LOQ, format="turtle")
    left_out = []
    for shape, pattern in list(shapes.subject_objects(SH.pattern)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                re.compile(str(pattern))
        except (re.error, FutureWarning):
            shapes.remove((shape, SH.pattern, pattern))
            left_out.append(str(pattern))
    return shapes, left_out


def _elm_findings(catalogue: Catalogue) -> Counter[tuple[str, str, str]]:
    store, settings, report = catalogue
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{report.graph}> {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, ox.QueryTriples)
    data = Graph()
    data.parse(data=result.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    data += subclass_triples(load_graph(settings.ontology_dir.glob("*.ttl")))
    for level in (6, 7, 8):  # as the EU's EQF vocabulary types them
        data.add((URIRef(f"{EQF}{level}"), RDF.type, SKOS.Concept))
    shapes, _ = _profile()
    _, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=False
    )
    found: Counter[tuple[str, str, str]] = Counter()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(r, SH.sourceShape)
        owner = str(shape) if not isinstance(shape, BNode) else _owner(shapes, shape)
        component = str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[1]
        found[(owner.removeprefix(LOQ_NS), _short(results.value(r, SH.resultPath)), component)] += 1
    return found


def _owner(shapes: Graph, property_shape: BNode) -> str:
    return str(next(iter(shapes.subjects(SH.property, property_shape))))


def _short(path: object) -> str:
    text = str(path)
    for prefix, iri in (("elm:", ELM), ("sg:", SG), ("foaf:", "http://xmlns.com/foaf/0.1/")):
        text = text.replace(iri, prefix)
    return text


def test_the_profile_patterns_python_cannot_evaluate() -> None:
    shapes, left_out = _profile()
    assert len(left_out) == 3
    assert all(p.startswith("^(") and "\\p{L}" in p for p in left_out)
    kept = [str(p) for p in shapes.objects(None, SH.pattern)]
    assert any(p.startswith("^(([^:/?#]+):)?(//([^/?#]*))?") for p in kept)  # RFC 3986


def test_elm_profile_constraints_the_source_cannot_meet(catalogue: Catalogue) -> None:
    store, settings, _ = catalogue
    entries = _entries()
    courses = len({_query(e, "ad") for e in entries})
    programmes = {_query(e, "corso"): _level_code(e) for e in entries}
    degrees = sum(1 for c in programmes.values() if c in LEVELS)
    pairs = len({(_query(e, "ad"), _query(e, "corso")) for e in entries})
    outcomes = sum(len(t) for t in _objectives_by_course().values())
    skills = _count(store, settings, "?c sg:teachesSkill ?s")
    organisations = len({d["id"] for e in entries for d in e["dipartimento"]}) + 1
    assert _elm_findings(catalogue) == {
        # learning opportunities (sg:Course, sg:Programme ⊑ elm:LearningOpportunity)
        ("LearningOpportunityShape", "elm:defaultLanguage", "MinCountConstraintComponent"): (
            courses + len(programmes)
        ),
        (
            "LearningOpportunityShape",
            "elm:learningAchievementSpecification",
            "MinCountConstraintComponent",
        ): courses + len(programmes) - degrees,
        ("LearningOpportunityShape", "foaf:homepage", "MinCountConstraintComponent"): len(
            programmes
        ),
        ("LearningOpportunityShape", "sg:partOfProgramme", "ClosedConstraintComponent"): pairs,
        ("LearningOpportunityShape", "sg:hasLearningOutcome", "ClosedConstraintComponent"): (
            outcomes
        ),
        ("LearningOpportunityShape", "sg:teachesSkill", "ClosedConstraintComponent"): skills,
        # qualifications
        ("QualificationShape", "elm:ISCEDFCode", "MinCountConstraintComponent"): degrees,
        ("QualificationShape", "elm:NQFLevel", "MinCountConstraintComponent"): degrees,
        ("QualificationShape", "elm:learningOutcome", "MinCountConstraintComponent"): degrees,
        # the university and its departments
        ("OrganisationShape", "elm:location", "MinCountConstraintComponent"): organisations,
    }


def test_eqf_levels_are_concepts_only_with_the_eu_vocabulary() -> None:
    """Without the EQF vocabulary's types, the profile's sh:class skos:Concept on
    elm:EQFLevel fails: it expects the EU's EQF scheme beside the data (the test above adds
    the three types for that reason)."""
    shapes, _ = _profile()
    data = Graph()
    qualification = URIRef(f"{ID}qualification/unitn-0430H")
    data.add((qualification, RDF.type, URIRef(f"{ELM}Qualification")))
    data.add((qualification, URIRef(f"{ELM}EQFLevel"), URIRef(f"{EQF}7")))
    data.add((qualification, URIRef("http://purl.org/dc/terms/title"), Literal("x", lang="it")))
    _, results, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none")
    components = {
        str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[1]
        for r in results.subjects(SH.resultPath, URIRef(f"{ELM}EQFLevel"))
    }
    assert components == {"ClassConstraintComponent"}


# --- the shapes -----------------------------------------------------------------------------

LEARNING_SHAPES = ROOT / "shapes" / "learning.shapes.ttl"


def test_learning_shapes_are_valid_shacl() -> None:
    shapes = Graph().parse(LEARNING_SHAPES, format="turtle")
    conforms, _, text = pyshacl_validate(shapes, meta_shacl=True, inference="none")
    assert conforms, text


def test_course_shapes_hold_for_other_sources_courses() -> None:
    """The shapes apply to every source: an OULAD module (learners source) has a label and
    no programme, page or provider, and passes; a garbled code does not."""
    shapes = Graph().parse(LEARNING_SHAPES, format="turtle")
    context = subclass_triples(load_graph((ROOT / "ontology").glob("*.ttl")))
    course = URIRef(f"{ID}course/oulad-AAA-2013J")
    data = Graph()
    data.add((course, RDF.type, URIRef(f"{SG}Course")))
    data.add(
        (course, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("AAA", lang="en"))
    )
    conforms, _, text = pyshacl_validate(data + context, shacl_graph=shapes, inference="none")
    assert conforms, text
    data.add((URIRef(f"{ID}course/oulad-AAA%202013J"), RDF.type, URIRef(f"{SG}Course")))
    conforms, results, _ = pyshacl_validate(data + context, shacl_graph=shapes, inference="none")
    assert not conforms
    messages = {str(m) for m in results.objects(None, SH.resultMessage)}
    assert any("the course identifier is missing or garbled" in m for m in messages)
