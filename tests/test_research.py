"""CORDIS Horizon Europe projects as EURIO: the real mapping over a small copy of the real
tables with known defects added (fast), and over the full tables (slow: about a minute),
checked against counts computed from the CSV files with Polars."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyoxigraph as ox
import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import Graph

from skillsgraph.config import Settings
from skillsgraph.ingest import IngestReport, ingest
from skillsgraph.query import run_query
from skillsgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "cordis"
ID = "https://w3id.org/skillsgraph/id/"
TABLES = ("topics", "legalBasis", "euroSciVoc", "deliverables", "organization")

# Projects of the small copy: three with a project record, one more whose amounts have a
# decimal comma, and two known only from the link tables (both have a deliverable without
# a type; the second gets a project record with an impossible start date).
RECORDS = ["101116741", "101163161", "101160499", "101124648"]
LINK_ONLY = ["101068487", "101062988"]
BAD_DATE = LINK_ONLY[1]
DANGLING = "999999999"

Loaded = tuple[EmbeddedStore, Settings, IngestReport]


def table(name: str, folder: Path = DATA) -> pl.DataFrame:
    return pl.read_csv(folder / f"{name}.csv", infer_schema=False)


def select(store: EmbeddedStore, settings: Settings, sparql: str) -> list[list[str]]:
    result = run_query(store, settings, sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [[s[n].value if s[n] is not None else "" for n in names] for s in result]


def count(store: EmbeddedStore, settings: Settings, where: str) -> int:
    [[n]] = select(store, settings, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(n)


def euros(text: str) -> Decimal:
    """An amount as CORDIS writes it (decimal comma) as a number."""
    return Decimal(text.replace(",", "."))


# --- a small copy of the real tables, with defects added --------------------------------


def write_small_copy(data: Path) -> None:
    projects = RECORDS + LINK_ONLY
    for name in TABLES:
        rows = table(name).filter(pl.col("projectID").is_in(projects))
        if name == "euroSciVoc":  # a link to a project that no table lists
            rows = pl.concat([rows, rows.head(1).with_columns(projectID=pl.lit(DANGLING))])
        if name == "deliverables":  # one deliverable id twice, with two titles
            typed = rows.filter(pl.col("deliverableType").is_not_null())
            twin = typed.head(1).with_columns(title=pl.lit("Another title"))
            rows = pl.concat([rows, twin])
        rows.write_csv(data / f"{name}.csv")
    records = table("project").filter(pl.col("id").is_in(RECORDS))
    bad = records.head(1).with_columns(id=pl.lit(BAD_DATE), startDate=pl.lit("2024-02-30"))
    pl.concat([records, bad]).write_csv(data / "project.csv")


@pytest.fixture
def small(home: Path, settings: Settings, store: EmbeddedStore) -> Loaded:
    shutil.copytree(ROOT / "mappings" / "cordis", home / "mappings" / "cordis")
    data = home / "data" / "cordis"
    data.mkdir(parents=True)
    write_small_copy(data)
    return store, settings, ingest(store, settings, "cordis")


def test_small_copy_counts_and_rejections(small: Loaded) -> None:
    _, settings, report = small
    data = settings.home / "data" / "cordis"
    counts = {f.path.name: (f.read, f.rejected) for f in report.files}
    read = {f"{name}.csv": table(name, data).height for name in (*TABLES, "project")}
    assert counts == {
        "project.csv": (read["project.csv"], 1),
        "topics.csv": (read["topics.csv"], 0),
        "legalBasis.csv": (read["legalBasis.csv"], 0),
        "euroSciVoc.csv": (read["euroSciVoc.csv"], 1),
        "deliverables.csv": (read["deliverables.csv"], 2),
        "organization.csv": (read["organization.csv"], 0),
        "schemes.ttl": (5, 0),
    }
    assert report.records_read == report.records_loaded + report.records_rejected


def test_small_copy_rejections_say_why(small: Loaded) -> None:
    _, _, report = small
    by_file = {Path(r.source).name: r for r in report.rejected}
    assert "parseDate> cannot convert 2024-02-30" in by_file["project.csv"].message
    dangling = by_file["euroSciVoc.csv"]
    assert dangling.focus == f"{ID}project/{DANGLING}"
    assert "dangling reference" in dangling.message
    twins = [r for r in report.rejected if Path(r.source).name == "deliverables.csv"]
    assert len({r.record for r in twins}) == 2
    assert all("deliverable id twice" in r.message for r in twins)
    deliverables = table("deliverables").filter(pl.col("projectID").is_in(RECORDS + LINK_ONLY))
    typeless = deliverables.filter(pl.col("deliverableType").is_null())["id"]
    assert {w.focus for w in report.warnings} == {f"{ID}deliverable/{d}" for d in typeless}
    assert all("no type" in w.message for w in report.warnings)


def test_small_copy_amounts_turn_the_decimal_comma_into_a_point(small: Loaded) -> None:
    store, settings, _ = small
    record = table("project").filter(pl.col("id") == RECORDS[3]).row(0, named=True)
    assert "," in record["totalCost"]
    rows = select(
        store,
        settings,
        f"SELECT ?cost ?max WHERE {{ <{ID}project/{RECORDS[3]}> eurio:hasTotalCost/eurio:value"
        " ?cost ; sg:hasMaxContribution/eurio:value ?max }",
    )
    assert [[Decimal(c), Decimal(m)] for c, m in rows] == [
        [euros(record["totalCost"]), euros(record["ecMaxContribution"])]
    ]


def test_small_copy_projects_with_and_without_a_record(small: Loaded) -> None:
    store, settings, _ = small
    rows = select(
        store,
        settings,
        "SELECT ?id ?title WHERE { ?p a sg:ResearchProject ; eurio:identifier ?id ;"
        " sg:hasTopic/eurio:code ?topic . OPTIONAL { ?p eurio:title ?title } } ORDER BY ?id",
    )
    titles = dict(table("project").select("id", "title").rows())
    # the project with the impossible start date keeps what the link tables say of it
    assert rows == sorted([[p, titles.get(p, "")] for p in RECORDS + LINK_ONLY])


# --- the full tables (slow) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    settings = Settings(store="memory", home=ROOT, reports=tmp_path_factory.mktemp("reports"))
    store = EmbeddedStore(None)
    ingest(store, settings, "ontology")
    return store, settings, ingest(store, settings, "cordis")


@pytest.mark.slow
def test_full_every_record_is_loaded_or_rejected(full: Loaded) -> None:
    _, _, report = full
    counts = {f.path.name: (f.read, f.rejected) for f in report.files}
    expected = {f"{name}.csv": (table(name).height, 0) for name in (*TABLES, "project")}
    assert counts == {**expected, "schemes.ttl": (5, 0)}
    assert report.records_read == report.records_loaded + report.records_rejected == 95_662
    typeless = table("deliverables").filter(pl.col("deliverableType").is_null()).height
    assert len(report.warnings) == typeless == 35


@pytest.mark.slow
def test_full_projects_topics_programmes_fields(full: Loaded) -> None:
    store, settings, _ = full
    topics, fields = table("topics"), table("euroSciVoc")
    assert count(store, settings, "?p a sg:ResearchProject") == topics["projectID"].n_unique()
    assert count(store, settings, "?t a sg:ResearchTopic") == topics["topic"].n_unique() == 2_043
    programmes = table("legalBasis")["legalBasis"].n_unique() + 1  # + the framework, HORIZON
    assert count(store, settings, "?p a sg:FundingProgramme") == programmes
    assert count(store, settings, "?f a sg:FieldOfScience") == fields["euroSciVocCode"].n_unique()
    pairs = fields.select("projectID", "euroSciVocCode").unique().height
    assert count(store, settings, "?p sg:hasFieldOfScience ?f") == pairs == 38_789
    assert count(store, settings, "?d a sg:Deliverable") == table("deliverables").height


@pytest.mark.slow
def test_full_every_project_record_has_a_title_and_the_others_none(full: Loaded) -> None:
    store, settings, _ = full
    records = table("project")
    assert count(store, settings, "?p a sg:ResearchProject ; eurio:title ?t") == records.height
    where = (
        "?p a sg:ResearchProject ; eurio:title ?t ; eurio:abstract ?a ; eurio:startDate ?s ;"
        " eurio:endDate ?e ; eurio:projectStatus ?st ; eurio:hasAcronym/eurio:shortForm ?ac ;"
        " eurio:hasTotalCost/eurio:value ?c ; sg:hasMaxContribution/eurio:value ?m"
    )
    assert count(store, settings, where) == records.height == 100
    without = "?p a sg:ResearchProject FILTER NOT EXISTS { ?p eurio:title ?t }"
    assert count(store, settings, without) == table("topics").height - records.height


@pytest.mark.slow
def test_full_projects_per_field_of_science(full: Loaded) -> None:
    store, settings, _ = full
    rows = select(
        store,
        settings,
        "SELECT ?field (COUNT(DISTINCT ?p) AS ?projects) WHERE {"
        " ?p a sg:ResearchProject ; sg:hasFieldOfScience ?f . ?f skos:prefLabel ?field }"
        " GROUP BY ?field ORDER BY DESC(?projects) ?field LIMIT 5",
    )
    expected = (
        table("euroSciVoc")
        .group_by("euroSciVocTitle")
        .agg(pl.col("projectID").n_unique().alias("n"))
        .sort(["n", "euroSciVocTitle"], descending=[True, False])
        .head(5)
    )
    assert [(f, int(n)) for f, n in rows] == expected.rows()


@pytest.mark.slow
def test_full_amounts_and_participants(full: Loaded) -> None:
    store, settings, _ = full
    records = table("project")
    [[total]] = select(
        store, settings, "SELECT (SUM(?v) AS ?t) WHERE { ?p eurio:hasTotalCost/eurio:value ?v }"
    )
    assert Decimal(total) == sum(euros(c) for c in records["totalCost"])
    organisations = table("organization")
    where = "?r a eurio:OrganisationRole ; eurio:isRoleOf ?o ; eurio:isInvolvedIn ?p"
    assert count(store, settings, where) == organisations.height
    assert count(store, settings, "?o a eurio:Organisation") == (
        organisations["organisationID"].n_unique()
    )


def test_the_shapes_are_valid_shacl() -> None:
    shapes = Graph().parse(ROOT / "shapes" / "research.shapes.ttl")
    conforms, _, text = pyshacl_validate(shapes, meta_shacl=True, inference="none")
    assert conforms, text
