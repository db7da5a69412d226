"""The Eurostat labour-market panel as an RDF Data Cube: mapped, validated and loaded in full
(about 2 s), checked against counts computed from the CSV files with Polars."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyoxigraph as ox
import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from skillsgraph.config import Settings
from skillsgraph.ingest import IngestReport, ingest, static_quads
from skillsgraph.mapping import compile_mapping
from skillsgraph.mapping.engine import nquads_text, run_mapping
from skillsgraph.namespaces import QB, SG
from skillsgraph.query import run_query
from skillsgraph.store import EmbeddedStore
from skillsgraph.validation import Finding, load_graph, subclass_triples, validate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "eurostat"
MAPPING = ROOT / "mappings" / "eurostat"
ID = "https://w3id.org/skillsgraph/id/"
DATASET = ID + "dataset/eurostat-labour-ict-panel"
NOT_INDICATORS = ["geo", "geo_name", "year", "is_eu27"]

Loaded = tuple[EmbeddedStore, Settings, IngestReport]


def panel() -> pl.DataFrame:
    return pl.read_csv(DATA / "panel_annual_presentation.csv", infer_schema=False)


def dictionary() -> pl.DataFrame:
    return pl.read_csv(DATA / "data_dictionary.csv", infer_schema=False)


def cells() -> pl.DataFrame:
    """The panel's non-missing indicator cells: (geo, year, indicator, value)."""
    wide = panel()
    indicators = [c for c in wide.columns if c not in NOT_INDICATORS]
    long = wide.unpivot(on=indicators, index=["geo", "year"], variable_name="indicator")
    return long.filter(pl.col("value") != "NA")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    settings = Settings(store="memory", home=ROOT, reports=tmp_path_factory.mktemp("reports"))
    store = EmbeddedStore(None)
    ingest(store, settings, "ontology")
    return store, settings, ingest(store, settings, "eurostat")


def select(loaded: Loaded, sparql: str) -> list[list[str]]:
    store, settings, _ = loaded
    result = run_query(store, settings, sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [[s[n].value if s[n] is not None else "" for n in names] for s in result]


def ask(loaded: Loaded, sparql: str) -> bool:
    store, settings, _ = loaded
    result = run_query(store, settings, sparql)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


# --- counts ---------------------------------------------------------------------------


def test_records_read_are_loaded_or_rejected(loaded: Loaded) -> None:
    _, _, report = loaded
    static = len(Graph().parse(MAPPING / "static" / "structure.ttl"))
    counts = {f.path.name: (f.read, f.loaded, f.rejected) for f in report.files}
    assert counts == {
        "panel_annual_presentation.csv": (panel().height, panel().height, 0),
        "data_dictionary.csv": (dictionary().height, dictionary().height, 0),
        "structure.ttl": (static, static, 0),
    }
    assert report.records_read == report.records_loaded + report.records_rejected
    assert report.rejected == () and report.warnings == ()


def test_one_observation_per_non_missing_cell(loaded: Loaded) -> None:
    expected = cells().group_by("indicator").len().sort("indicator").rows()
    rows = select(
        loaded,
        "SELECT ?code (COUNT(?o) AS ?n) WHERE { ?o a qb:Observation ; sg:indicator ?i . "
        "?i skos:notation ?code } GROUP BY ?code ORDER BY ?code",
    )
    assert [(code, int(n)) for code, n in rows] == expected
    assert sum(n for _, n in expected) == 1_881


def test_every_value_is_the_panel_cell(loaded: Loaded) -> None:
    rows = select(
        loaded,
        "SELECT ?geo ?year ?code ?value WHERE { ?o qb:dataSet ?ds ; sg:refArea/skos:notation ?geo ;"
        " sg:refPeriod ?year ; sg:indicator/skos:notation ?code ; sg:obsValue ?value }",
    )
    mapped = {(g, y, c, Decimal(v)) for g, y, c, v in rows}
    expected = {(g, y, c, Decimal(v)) for g, y, c, v in cells().rows()}
    assert len(rows) == len(mapped) == len(expected)
    assert mapped == expected


def test_a_missing_value_makes_no_observation(loaded: Loaded) -> None:
    row = panel().filter((pl.col("geo") == "AT") & (pl.col("year") == "2015"))
    assert row["wbl_exposure_share"].item() == "NA"
    where = (
        "?o sg:refArea <{id}area/AT> ; sg:refPeriod '2015'^^xsd:gYear ; "
        "sg:indicator <{id}indicator/{code}>"
    )
    assert not ask(loaded, "ASK { " + where.format(id=ID, code="wbl_exposure_share") + " }")
    assert ask(loaded, "ASK { " + where.format(id=ID, code="ict_share_pc_emp") + " }")


def test_values_and_periods_are_typed(loaded: Loaded) -> None:
    rows = select(
        loaded,
        "SELECT DISTINCT (datatype(?v) AS ?dv) (datatype(?y) AS ?dy) WHERE {"
        " ?o a qb:Observation ; sg:obsValue ?v ; sg:refPeriod ?y }",
    )
    assert rows == [[str(XSD.decimal), str(XSD.gYear)]]


# --- indicators, areas, units, structure -----------------------------------------------


def test_indicators_are_concepts_labelled_from_the_dictionary(loaded: Loaded) -> None:
    rows = select(
        loaded,
        "SELECT ?code ?label WHERE { ?i a sg:Indicator ; skos:notation ?code ;"
        " skos:prefLabel ?label ; skos:definition ?d ; skos:inScheme ?scheme }",
    )
    indicators = dictionary().filter(~pl.col("variable").is_in(NOT_INDICATORS))
    assert sorted(rows) == sorted(
        [list(r) for r in indicators.select("variable", "description").rows()]
    )
    assert len(rows) == 11  # 7 panel columns + 4 job-vacancy rates the panel lacks


def test_areas_use_eurostat_geo_codes_and_eu_members_match_nuts(loaded: Loaded) -> None:
    areas = panel().select("geo", "geo_name", "is_eu27").unique()
    rows = select(
        loaded,
        "SELECT ?code ?name WHERE { ?a a sg:Area ; skos:notation ?code ; skos:prefLabel ?name }",
    )
    assert sorted(rows) == sorted([list(r) for r in areas.select("geo", "geo_name").rows()])
    members = select(
        loaded,
        f"SELECT ?code ?nuts WHERE {{ ?a a sg:Area ; skos:notation ?code ; skos:exactMatch ?nuts ;"
        f" dcterms:isPartOf <{ID}area/EU27_2020> }}",
    )
    assert len(members) == areas.filter(pl.col("is_eu27") == "TRUE").height == 27
    assert ["EL", "http://data.europa.eu/nuts/code/EL"] in members


def test_every_observation_has_a_unit_from_the_code_list(loaded: Loaded) -> None:
    rows = select(
        loaded,
        "SELECT ?code ?unit (COUNT(?o) AS ?n) WHERE { ?o sg:indicator/skos:notation ?code ;"
        " sg:unitMeasure/skos:notation ?unit } GROUP BY ?code ?unit ORDER BY ?code",
    )
    units = {code: unit for code, unit, _ in rows}
    assert units == {
        "grads_eng_tertiary": "NR",
        "grads_ict_tertiary": "NR",
        "ict_employed_ths": "THS_PER",
        "ict_share_pc_emp": "PC_EMP",
        "median_hourly_earnings_eur": "EUR",
        "unemp_rate_pc_act": "PC_ACT",
        "wbl_exposure_share": "PC",
    }
    assert sum(int(n) for *_, n in rows) == cells().height


def test_the_structure_definition_is_loaded(loaded: Loaded) -> None:
    rows = select(
        loaded,
        f"SELECT ?kind ?property WHERE {{ <{DATASET}> a sg:LabourStatisticsDataSet ;"
        " qb:structure/qb:component ?c . ?c ?kind ?property"
        " FILTER(?kind IN (qb:dimension, qb:measure, qb:attribute)) }",
    )
    assert sorted((k.rsplit("#")[1], p.rsplit("#")[1]) for k, p in rows) == [
        ("attribute", "unitMeasure"),
        ("dimension", "indicator"),
        ("dimension", "refArea"),
        ("dimension", "refPeriod"),
        ("measure", "obsValue"),
    ]


# --- the Data Cube integrity constraints, as the recommendation writes them --------------

# W3C RDF Data Cube, section 11.1: each query finds a violation (ASK true = broken). The
# SPARQL 1.1 property paths stand for the recommendation's qb:componentProperty, which
# this data states through its sub-properties qb:dimension / qb:measure.
INTEGRITY_CONSTRAINTS = {
    "IC-1": """ASK { { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?d } }
        UNION { ?obs a qb:Observation ; qb:dataSet ?d1, ?d2 . FILTER (?d1 != ?d2) } }""",
    "IC-2": """ASK { { ?ds a qb:DataSet . FILTER NOT EXISTS { ?ds qb:structure ?s } }
        UNION { ?ds a qb:DataSet ; qb:structure ?s1, ?s2 . FILTER (?s1 != ?s2) } }""",
    "IC-3": """ASK { ?dsd a qb:DataStructureDefinition .
        FILTER NOT EXISTS { ?dsd qb:component/qb:measure [] } }""",
    "IC-11": """ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:dimension ?dim .
        FILTER NOT EXISTS { ?obs ?dim [] } }""",
    # The recommendation's IC-12 compares every pair of observations (60 s here); this
    # form compares only the pairs that share the first dimension's value (about 1 s).
    "IC-12": """ASK {
        ?obs1 qb:dataSet ?dataset . ?dataset qb:structure/qb:component ?c .
        ?c qb:dimension ?first ; qb:order 1 .
        ?obs1 ?first ?value . ?obs2 ?first ?value . FILTER (?obs1 != ?obs2)
        ?obs2 qb:dataSet ?dataset .
        FILTER NOT EXISTS {
            ?dataset qb:structure/qb:component/qb:dimension ?dim .
            ?obs1 ?dim ?v . FILTER NOT EXISTS { ?obs2 ?dim ?v } } }""",
    "IC-14": """ASK { ?obs qb:dataSet/qb:structure ?dsd .
        FILTER NOT EXISTS { ?dsd qb:component/qb:dimension qb:measureType }
        ?dsd qb:component/qb:measure ?measure .
        FILTER NOT EXISTS { ?obs ?measure [] } }""",
}


@pytest.mark.parametrize("name", sorted(INTEGRITY_CONSTRAINTS))
def test_data_cube_integrity_constraint_holds(loaded: Loaded, name: str) -> None:
    assert not ask(loaded, INTEGRITY_CONSTRAINTS[name]), f"{name} is violated"


def test_the_ic12_query_finds_a_twin_observation(cube: Graph) -> None:
    """Two observations with different IRIs and the same dimension values: the case that
    the shapes leave to the IRI scheme (see shapes/statistics.shapes.ttl)."""
    twin = URIRef(str(OBS) + "-twin")
    store = ox.Store()
    store.load(cube.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    for p, o in cube.predicate_objects(OBS):
        store.add(ox.Quad(ox.NamedNode(twin), ox.NamedNode(p), _ox(o)))
    prefixes = "PREFIX qb: <http://purl.org/linked-data/cube#>\n"
    assert store.query(prefixes + INTEGRITY_CONSTRAINTS["IC-12"])


def _ox(term: object) -> ox.NamedNode | ox.Literal:
    if isinstance(term, Literal):
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype, language=term.language)
    return ox.NamedNode(str(term))


# --- the shapes reject what breaks the constraints ---------------------------------------


@pytest.fixture(scope="module")
def cube() -> Graph:
    """The mapped observations and the static structure, as one rdflib graph."""
    result = run_mapping(compile_mapping(MAPPING / "eurostat.yml"))
    static = static_quads(MAPPING / "static" / "structure.ttl")
    quads = pl.concat([result.quads, static]).select("s", "p", "o", pl.lit("").alias("g"))
    return Graph().parse(data=nquads_text(quads.unique()), format="nt")


def check(graph: Graph) -> list[Finding]:
    shapes = load_graph(ROOT.glob("shapes/*.shapes.ttl"))
    context = subclass_triples(load_graph(ROOT.glob("ontology/*.ttl")))
    return list(validate(graph, shapes, context=context).violations)


def broken(
    cube: Graph, drop: tuple[URIRef, URIRef] | None = None, add: list[tuple] | None = None
) -> Graph:
    graph = Graph()
    for triple in cube:
        graph.add(triple)
    if drop is not None:
        graph.remove((drop[0], drop[1], None))
    for triple in add or []:
        graph.add(triple)
    return graph


OBS = URIRef(ID + "observation/eurostat-labour-ict-panel/ict_share_pc_emp/AT/2014")


def test_the_mapped_cube_conforms(cube: Graph) -> None:
    assert check(cube) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": (OBS, SG.obsValue)}, "IC-14 all measures present"),
        ({"drop": (OBS, SG.refArea)}, "IC-11 all dimensions required"),
        ({"drop": (OBS, QB.dataSet)}, "IC-1 unique data set"),
        ({"add": [(OBS, SG.obsValue, Literal("9.9", datatype=XSD.decimal))]}, "IC-12 no duplicate"),
        ({"add": [(OBS, QB.dataSet, URIRef(ID + "dataset/other"))]}, "IC-1 unique data set"),
        (
            {"add": [(URIRef(DATASET), QB.structure, URIRef(DATASET + "/structure2"))]},
            "IC-2 unique DSD",
        ),
    ],
)
def test_a_broken_observation_is_reported_with_its_constraint(
    cube: Graph, change: dict[str, object], message: str
) -> None:
    graph = broken(cube, **change)  # type: ignore[arg-type]
    violations = check(graph)
    assert violations, f"no violation for {change}"
    assert any(message in v.message for v in violations), [str(v) for v in violations]


def test_an_ill_typed_value_is_reported(cube: Graph) -> None:
    graph = broken(
        cube,
        drop=(OBS, SG.obsValue),
        add=[(OBS, SG.obsValue, Literal("3,6", datatype=XSD.decimal))],
    )
    [violation] = check(graph)
    assert violation.focus == str(OBS)
    assert "xsd:decimal" in violation.message


def test_the_shapes_are_valid_shacl() -> None:
    shapes = Graph().parse(ROOT / "shapes" / "statistics.shapes.ttl")
    conforms, _, text = pyshacl_validate(shapes, meta_shacl=True, inference="none")
    assert conforms, text


# --- a small copy with a real-looking defect goes through ingest --------------------------


@pytest.fixture
def small_panel(home: Path) -> Path:
    """The real mapping over the first rows of the panel, plus one duplicated (geo, year)."""
    shutil.copytree(MAPPING, home / "mappings" / "eurostat")
    data = home / "data" / "eurostat"
    data.mkdir(parents=True)
    shutil.copy(DATA / "data_dictionary.csv", data)
    rows = panel().head(3)
    twin = rows.head(1).with_columns(pl.lit("3.9").alias("ict_share_pc_emp"))
    pl.concat([rows, twin]).write_csv(data / "panel_annual_presentation.csv")
    return data


def test_a_duplicated_cell_rejects_both_rows_with_the_reason(
    small_panel: Path, settings: Settings, store: EmbeddedStore
) -> None:
    report = ingest(store, settings, "eurostat")
    by_file = {f.path.name: f for f in report.files}
    assert (
        by_file["panel_annual_presentation.csv"].read,
        by_file["panel_annual_presentation.csv"].rejected,
    ) == (4, 2)
    assert {r.record for r in report.rejected} == {1, 4}
    assert {r.focus for r in report.rejected} == {str(OBS)}
    assert all("IC-12 no duplicate observations" in r.message for r in report.rejected)
    assert report.records_read == report.records_loaded + report.records_rejected
    assert store.count(settings.source_graph("eurostat")) > 0
