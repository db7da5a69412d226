"""The learners source: OULAD learner records and their demo consents.

Every personal triple lies in its learner's consent graph, the counts are those of the CSV
files (computed here independently, with Polars), the consent mix is the one the generator
documents, and the real defects ("20-Oct" deprivation bands, empty scores) are reported.
The whole source is mapped once (about 2 s); pyshacl runs on the small copy in
tests/cases/learners/ (the whole source is 2.3M quads: minutes of pyshacl).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from skillsgraph.config import Settings
from skillsgraph.ingest import IngestReport, ingest
from skillsgraph.mapping import compile_mapping
from skillsgraph.mapping.engine import DEFAULT_GRAPH, MappingResult, nquads_text, run_mapping
from skillsgraph.store import EmbeddedStore
from skillsgraph.validation import ValidationReport, load_graph, subclass_triples, validate

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "mappings" / "learners"
DATA = ROOT / "data" / "learners"
CASE = ROOT / "tests" / "cases" / "learners"

ID = "https://w3id.org/skillsgraph/id/"
GRAPH = "https://w3id.org/skillsgraph/graph/"
SG = "https://w3id.org/skillsgraph/ontology#"
DPV = "https://w3id.org/dpv#"
CONSENTS = f"<{GRAPH}consents>"
# Every IRI minted for a learner's data starts with the learner's pseudonymous id.
PERSONAL = rf"^<{ID}(?:learner|profile|enrolment|assessment-result|credential)/(\d+)[->]"
BANDS = ("0-10%", "10-20%", "20-30%", "30-40%", "40-50%", "50-60%")
BANDS += ("60-70%", "70-80%", "80-90%", "90-100%")


@cache
def _generator() -> ModuleType:
    """scripts/generate_demo_consents.py as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "generate_demo_consents.py"
    spec = importlib.util.spec_from_file_location("generate_demo_consents", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _csv(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / name, infer_schema=False)


def _project_copy(home: Path, data: Path) -> Path:
    """``home`` with the learners mapping and ``data`` as its data/learners folder."""
    shutil.copytree(SOURCE, home / "mappings" / "learners", dirs_exist_ok=True)
    shutil.copytree(data, home / "data" / "learners", dirs_exist_ok=True)
    return home / "mappings" / "learners" / "learners.yml"


@pytest.fixture(scope="module")
def full() -> MappingResult:
    return run_mapping(compile_mapping(SOURCE / "learners.yml"))


@pytest.fixture(scope="module")
def quads(full: MappingResult) -> pl.DataFrame:
    return full.unique_quads()


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> MappingResult:
    home = tmp_path_factory.mktemp("learners")
    return run_mapping(compile_mapping(_project_copy(home, CASE / "data" / "learners")))


@pytest.fixture(scope="module")
def case_graph(case: MappingResult) -> Graph:
    triples = case.quads.select("s", "p", "o", pl.lit(DEFAULT_GRAPH).alias("g")).unique()
    return Graph().parse(data=nquads_text(triples), format="nt")


@pytest.fixture(scope="module")
def shapes() -> tuple[Graph, Graph]:
    """All shapes, and the ontology's subclass triples (the validation context)."""
    context = subclass_triples(load_graph((ROOT / "ontology").glob("*.ttl")))
    return load_graph((ROOT / "shapes").glob("*.shapes.ttl")), context


def _validate(graph: Graph, shapes: tuple[Graph, Graph]) -> ValidationReport:
    return validate(graph, shapes[0], context=shapes[1])


def _count(quads: pl.DataFrame, p: str, o: str | None = None) -> int:
    hits = quads.filter(pl.col("p") == p)
    return hits.height if o is None else hits.filter(pl.col("o") == o).height


# --- the demo consents ------------------------------------------------------------------


def test_generator_reproduces_the_committed_csv_files(tmp_path: Path) -> None:
    _generator().generate(DATA / "oulad" / "studentInfo.csv", tmp_path)
    for name in ("consents.csv", "participants.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_consent_mix_is_the_documented_one() -> None:
    gen = _generator()
    consents = _csv(DATA, "consents.csv")
    learners = _csv(DATA / "oulad", "studentInfo.csv")["id_student"].n_unique()
    assert consents.height == consents["id_student"].n_unique() == learners == 28_785
    counts = dict(consents["kind"].value_counts().iter_rows())
    assert counts == {"given": 20_151, "given-narrow": 2_878, "withdrawn": 2_878, "expired": 2_878}
    for kind in gen.KINDS:
        share = counts[kind.name] / learners
        assert share == pytest.approx((kind.share_percent or 70) / 100, abs=0.001)
        rows = consents.filter(pl.col("kind") == kind.name)
        assert set(rows["status"]) == {kind.status}
        assert set(rows["purposes"]) == {" ".join(kind.purposes)}
        assert set(rows["recipients"]) == {" ".join(kind.recipients)}
        until = rows["valid_until"].str.to_datetime("%Y-%m-%dT%H:%M:%SZ")
        years = (2023, 2024) if kind.expired else (2030, 2034)
        assert (until.dt.year().min(), until.dt.year().max()) == years
    assert set(gen.PURPOSES) == {
        "MatchingAndRecommendations",
        "OfficialStatistics",
        "ScientificResearch",
        "CareerGuidance",
    }


def test_mapped_consent_records_follow_the_mix(quads: pl.DataFrame) -> None:
    records = quads.filter(pl.col("g") == CONSENTS)
    assert _count(records, f"<{RDF.type}>", f"<{SG}ConsentRecord>") == 28_785
    status = f"<{DPV}hasConsentStatus>"
    assert _count(records, status, f"<{DPV}ConsentGiven>") == 20_151 + 2_878
    assert _count(records, status, f"<{DPV}ConsentWithdrawn>") == 2_878
    assert _count(records, status, f"<{DPV}ConsentExpired>") == 2_878
    research_only = (
        records.filter(pl.col("p") == f"<{DPV}hasPurpose>").group_by("s").len()["len"] == 1
    )
    assert research_only.sum() == 2_878
    for p in ("hasDataSubject", "hasDataController", "hasConsentStatus"):
        assert _count(records, f"<{DPV}{p}>") == 28_785, p
    assert _count(records, f"<{SG}consentGraph>") == 28_785
    assert _count(records, f"<{SG}validUntil>") == 28_785
    consent = "<https://w3id.org/dpv/legal/eu/gdpr#A6-1-a>"
    assert _count(records, f"<{DPV}hasLegalBasis>", consent) == 28_785


def test_the_consent_records_use_terms_that_exist(quads: pl.DataFrame) -> None:
    """DPV core, personal data categories and GDPR legal bases as DPV 2.3 defines them."""
    dpv = ROOT / "ontology" / "external" / "dpv"
    vocabularies = [dpv / "dpv.ttl", dpv / "pd.ttl", dpv / "eu-gdpr.ttl", ROOT / "ontology"]
    files = [f for v in vocabularies for f in (sorted(v.glob("*.ttl")) if v.is_dir() else [v])]
    defined = {f"<{s}>" for s in load_graph(files).subjects()}
    records = quads.filter(pl.col("g") == CONSENTS)
    used = pl.concat([records["p"], records["o"].filter(records["o"].str.starts_with("<"))])
    used = used.filter(~used.str.starts_with(f"<{ID}") & ~used.str.starts_with(f"<{GRAPH}"))
    assert set(used.unique()) - defined == {f"<{RDF.type}>"}
    assert used.str.starts_with("<https://w3id.org/dpv/pd#").sum() > 0


# --- where the personal triples go ------------------------------------------------------


def test_every_personal_quad_is_in_its_learners_consent_graph(quads: pl.DataFrame) -> None:
    tagged = quads.with_columns(
        pl.col("s").str.extract(PERSONAL).alias("s_id"),
        pl.col("o").str.extract(PERSONAL).alias("o_id"),
        pl.col("g").str.extract(rf"^<{GRAPH}consent/learners-(\d+)>$").alias("g_id"),
    )
    assert set(tagged["g"].unique()) - {DEFAULT_GRAPH, CONSENTS} == set(
        tagged.drop_nulls("g_id")["g"].unique()
    )
    in_consent_graphs = tagged.filter(pl.col("g_id").is_not_null())
    # a consent graph holds its learner's triples and nothing else
    assert in_consent_graphs.filter(pl.col("s_id") != pl.col("g_id")).height == 0
    assert in_consent_graphs["s_id"].null_count() == 0
    assert (
        in_consent_graphs.filter(
            pl.col("o_id").is_not_null() & (pl.col("o_id") != pl.col("g_id"))
        ).height
        == 0
    )
    # nothing personal in the public (default = source) graph
    public = tagged.filter(pl.col("g") == DEFAULT_GRAPH)
    assert public["s_id"].null_count() == public["o_id"].null_count() == public.height
    # the consent records name their data subject and their graph, nothing else personal
    records = tagged.filter(pl.col("g") == CONSENTS)
    assert records["s"].str.starts_with(f"<{ID}consent/learners-").all()
    assert records["s_id"].null_count() == records.height
    named = records.filter(pl.col("o_id").is_not_null())
    assert set(named["p"]) == {f"<{DPV}hasDataSubject>"}
    assert (named["s"] == f"<{ID}consent/learners-" + named["o_id"] + ">").all()
    graphs = records.filter(pl.col("p") == f"<{SG}consentGraph>")
    assert (graphs["o"] == graphs["s"].str.replace(f"{ID}consent/", f"{GRAPH}consent/")).all()


def test_one_consent_graph_and_one_consent_per_learner(quads: pl.DataFrame) -> None:
    learners = _csv(DATA / "oulad", "studentInfo.csv")["id_student"].n_unique()
    personal = quads.filter(pl.col("g").str.starts_with(f"<{GRAPH}consent/"))
    assert personal["g"].n_unique() == learners
    graphs = quads.filter(pl.col("p") == f"<{SG}consentGraph>")["o"]
    assert set(graphs) == set(personal["g"].unique())


# --- counts against the CSV files -------------------------------------------------------


def test_records_read_are_the_csv_rows_and_all_load(full: MappingResult) -> None:
    rows = {
        "courses.csv": 22,
        "assessments.csv": 206,
        "studentInfo.csv": 32_593,
        "studentRegistration.csv": 12_489,
        "studentAssessment.csv": 173_912,
        "consents.csv": 28_785,
        "participants.csv": 5,
    }
    read = {Path(label).name: n for label, n in full.records.items()}
    assert read == rows
    for path in map(Path, full.records):
        assert read[path.name] == _csv(path.parent, path.name).height
    rejected = full.rejections.select("source", "record").unique().height
    loaded = full.quads.select("source", "record").unique().height
    assert rejected == 0
    assert loaded + rejected == sum(rows.values())


def test_counts_match_the_csv_files(quads: pl.DataFrame) -> None:
    info = _csv(DATA / "oulad", "studentInfo.csv")
    results = _csv(DATA / "oulad", "studentAssessment.csv")
    registrations = _csv(DATA / "oulad", "studentRegistration.csv")
    a = f"<{RDF.type}>"

    def typed(cls: str) -> int:
        return quads.filter((pl.col("p") == a) & (pl.col("o") == f"<{SG}{cls}>")).height

    passed = info.filter(pl.col("final_result").is_in(["Pass", "Distinction"])).height
    assert typed("Learner") == info["id_student"].n_unique() == 28_785
    assert typed("LearnerProfile") == typed("Enrolment") == info.height
    assert typed("Credential") == passed == 15_385
    assert typed("AssessmentResult") == results.height
    assert typed("Course") == 22
    assert typed("Assessment") == 206
    assert typed("Participant") == 5
    assert _count(quads, f"<{SG}score>") == results["score"].drop_nulls().len() == 173_912 - 173
    banked = f'"true"^^<{XSD.boolean}>'
    assert _count(quads, f"<{SG}isBanked>", banked) == (results["is_banked"] == "1").sum()
    disabled = _count(quads, f"<{SG}hasDisability>", banked)
    assert disabled == (info["disability"] == "Y").sum() == 3_164
    assert _count(quads, f"<{SG}registrationDay>") == registrations.height
    unregistered = registrations["date_unregistration"].drop_nulls().len()
    assert _count(quads, f"<{SG}unregistrationDay>") == unregistered == 9
    good_bands = info["imd_band"].is_in(list(BANDS)).sum()
    assert _count(quads, f"<{SG}deprivationBand>") == good_bands == 32_593 - 3_516 - 1_111
    assert quads.filter(pl.col("o").str.contains("20-Oct")).height == 0


# --- validation: the defects show, broken records are rejected --------------------------


def test_sample_conforms_and_reports_the_real_defects(
    case: MappingResult, case_graph: Graph, shapes: tuple[Graph, Graph]
) -> None:
    report = _validate(case_graph, shapes)
    assert report.conforms, "\n".join(str(v) for v in report.violations)
    info = _csv(CASE / "data" / "learners" / "oulad", "studentInfo.csv")
    no_band = info.filter(pl.col("imd_band").is_null() | (pl.col("imd_band") == "20-Oct"))
    expected = {
        f"{ID}profile/{r['id_student']}-{r['code_module']}-{r['code_presentation']}"
        for r in no_band.iter_rows(named=True)
    }
    band_warnings = [w for w in report.warnings if w.path == f"{SG}deprivationBand"]
    assert {w.focus for w in band_warnings} == expected
    assert len(expected) == 6  # 3 rows read "20-Oct", 3 are empty
    assert all('"20-Oct"' in w.message and "10-20%" in w.message for w in band_warnings)
    results = _csv(CASE / "data" / "learners" / "oulad", "studentAssessment.csv")
    unscored = {
        f"{ID}assessment-result/{r['id_student']}-{r['id_assessment']}"
        for r in results.filter(pl.col("score").is_null()).iter_rows(named=True)
    }
    score_warnings = {w.focus for w in report.warnings if w.path == f"{SG}score"}
    assert score_warnings == unscored and len(unscored) == 2
    assert {w.severity for w in report.warnings} == {"Warning"}
    assert len(report.warnings) == len(expected) + len(unscored)


PROFILE = URIRef(f"{ID}profile/74372-AAA-2013J")
ENROLMENT = URIRef(f"{ID}enrolment/30268-AAA-2013J")
RESULT = URIRef(f"{ID}assessment-result/11391-1752")
CONSENT = URIRef(f"{ID}consent/learners-3733")


@pytest.mark.parametrize(
    ("node", "predicate", "value", "message"),
    [
        (RESULT, f"{SG}score", Literal("101", datatype=XSD.decimal), "from 0 to 100"),
        (RESULT, f"{SG}score", Literal("-1", datatype=XSD.decimal), "from 0 to 100"),
        (PROFILE, f"{SG}deprivationBand", Literal("20-Oct"), "Index of Multiple Deprivation"),
        (PROFILE, f"{SG}ageBand", Literal("16-18"), "0-35, 35-55, 55<="),
        (ENROLMENT, f"{SG}finalResult", Literal("Passed"), "Pass, Distinction, Fail"),
        (CONSENT, f"{DPV}hasPurpose", URIRef(f"{DPV}Marketing"), "closed list"),
        (CONSENT, f"{DPV}hasConsentStatus", URIRef(f"{DPV}Maybe"), "DPV consent status"),
        (CONSENT, f"{DPV}hasRecipient", URIRef(f"{ID}participant/nobody"), "participant"),
        (CONSENT, f"{DPV}hasPersonalData", URIRef(f"{DPV}Gender"), "dpv/pd#"),
    ],
)
def test_a_broken_value_is_a_violation_on_its_node(
    case_graph: Graph,
    shapes: tuple[Graph, Graph],
    node: URIRef,
    predicate: str,
    value: URIRef | Literal,
    message: str,
) -> None:
    graph = Graph()
    for triple in case_graph:
        graph.add(triple)
    if predicate.endswith(("score", "ageBand", "finalResult", "hasConsentStatus")):
        graph.remove((node, URIRef(predicate), None))
    graph.add((node, URIRef(predicate), value))
    violations = _validate(graph, shapes).violations
    assert [(v.focus, v.path) for v in violations] == [(str(node), predicate)]
    assert message in violations[0].message


@pytest.mark.parametrize(
    "predicate",
    [
        f"{DPV}hasDataSubject",
        f"{DPV}hasDataController",
        f"{DPV}hasPurpose",
        f"{DPV}hasConsentStatus",
        f"{SG}consentGraph",
    ],
)
def test_a_consent_record_needs_subject_controller_purpose_status_graph(
    case_graph: Graph, shapes: tuple[Graph, Graph], predicate: str
) -> None:
    graph = Graph()
    for triple in case_graph:
        graph.add(triple)
    graph.remove((CONSENT, URIRef(predicate), None))
    violations = _validate(graph, shapes).violations
    assert [(v.focus, v.path) for v in violations] == [(str(CONSENT), predicate)]


def test_the_shapes_are_valid_shacl() -> None:
    from pyshacl import validate as pyshacl_validate

    for name in ("learners", "consent"):
        shapes = Graph().parse(ROOT / "shapes" / f"{name}.shapes.ttl")
        conforms, _, text = pyshacl_validate(shapes, meta_shacl=True, inference="none")
        assert conforms, text


# --- ingest (the lead's side of the contract) -------------------------------------------


@pytest.fixture
def ingested(settings: Settings, store: EmbeddedStore) -> tuple[EmbeddedStore, IngestReport]:
    _project_copy(settings.home, CASE / "data" / "learners")
    ingest(store, settings, "ontology")
    return store, ingest(store, settings, "learners")


def test_ingest_keeps_every_personal_triple_in_its_consent_graph(
    ingested: tuple[EmbeddedStore, IngestReport],
) -> None:
    store, report = ingested
    assert report.records_rejected == 0
    assert report.records_read == report.records_loaded == 22 + 206 + 5 + 28 + 10 + 115 + 20
    assert len(report.warnings) == 6 + 2  # deprivation bands left out, empty scores
    rows = [
        (str(s["s"]), str(s["p"]), str(s["o"]), str(s["g"]))  # type: ignore[index]
        for s in store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")  # type: ignore[union-attr]
    ]
    quads = pl.DataFrame(rows, schema=["s", "p", "o", "g"], orient="row").with_columns(
        pl.col("s").str.extract(PERSONAL).alias("s_id"),
        pl.col("o").str.extract(PERSONAL).alias("o_id"),
        pl.col("g").str.extract(rf"^<{GRAPH}consent/learners-(\d+)>$").alias("g_id"),
    )
    learners = _csv(CASE / "data" / "learners" / "oulad", "studentInfo.csv")["id_student"]
    assert quads["g_id"].drop_nulls().n_unique() == learners.n_unique() == 20
    personal = quads.filter(pl.col("s_id").is_not_null())
    assert personal["s_id"].eq_missing(personal["g_id"]).all()
    by_object = quads.filter(pl.col("o_id").is_not_null() & (pl.col("g") != CONSENTS))
    assert by_object["o_id"].eq_missing(by_object["g_id"]).all()
    in_consent_graphs = quads.filter(pl.col("g_id").is_not_null())
    assert in_consent_graphs["s_id"].eq_missing(in_consent_graphs["g_id"]).all()
    in_consents = quads.filter(pl.col("g") == CONSENTS)
    assert in_consents["s"].str.starts_with(f"<{ID}consent/learners-").all()
    assert in_consents["s"].n_unique() == 20
    assert set(in_consents.filter(pl.col("o_id").is_not_null())["p"]) == {f"<{DPV}hasDataSubject>"}
    assert not bool(store.query("ASK { ?s ?p ?o }"))  # nothing in the default graph
