"""Ingest: map, validate, quarantine, load atomically, record provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from skillsgraph.config import Settings
from skillsgraph.errors import BadInputError, MappingError, NotFoundError
from skillsgraph.ingest import available_sources, ingest
from skillsgraph.query import run_query
from skillsgraph.store import EmbeddedStore

# A miniature ESCO with the real defects: a relation row naming an occupation that does
# not exist, and a skill with an empty skill type.
SKILLS = """\
conceptUri,skillType,preferredLabel,altLabels
http://data.europa.eu/esco/skill/s1,knowledge,Python,"Python programming
Python 3"
http://data.europa.eu/esco/skill/s2,skill/competence,teach,
http://data.europa.eu/esco/skill/s3,,ICT safety,
"""
OCCUPATIONS = """\
conceptUri,iscoGroup,preferredLabel,code
http://data.europa.eu/esco/occupation/o1,2511,software developer,2511.4
"""
GROUPS = """\
conceptUri,code,preferredLabel
http://data.europa.eu/esco/isco/C2511,2511,Systems analysts
"""
RELATIONS = """\
occupationUri,relationType,skillUri
http://data.europa.eu/esco/occupation/o1,essential,http://data.europa.eu/esco/skill/s1
http://data.europa.eu/esco/occupation/o1,optional,http://data.europa.eu/esco/skill/s2
http://data.europa.eu/esco/occupation/missing,essential,http://data.europa.eu/esco/skill/s1
"""
MAPPING = """\
prefixes:
  esco: http://data.europa.eu/esco/model#
  skos: http://www.w3.org/2004/02/skos/core#
mappings:
  skills:
    sources: [skills.csv~csv]
    s: $(conceptUri)
    po:
      - [a, esco:Skill]
      - [skos:prefLabel, $(preferredLabel), en~lang]
      - p: skos:altLabel
        o: {value: $(altLabels), language: en, split: "\\n"}
      - [skos:inScheme, http://data.europa.eu/esco/concept-scheme/skills~iri]
      - p: esco:skillType
        o: {value: http://data.europa.eu/esco/skill-type/knowledge, type: iri}
        condition: {function: equal, parameters: [[str1, $(skillType)], [str2, knowledge]]}
      - p: esco:skillType
        o: {value: http://data.europa.eu/esco/skill-type/skill, type: iri}
        condition: {function: equal, parameters: [[str1, $(skillType)], [str2, skill/competence]]}
  groups:
    sources: [groups.csv~csv]
    s: $(conceptUri)
    po:
      - [a, esco:ISCOGroup]
      - [skos:prefLabel, $(preferredLabel), en~lang]
      - [skos:notation, $(code)]
      - [skos:inScheme, http://data.europa.eu/esco/concept-scheme/isco~iri]
  occupations:
    sources: [occupations.csv~csv]
    s: $(conceptUri)
    po:
      - [a, esco:Occupation]
      - [skos:prefLabel, $(preferredLabel), en~lang]
      - [skos:notation, $(code)]
      - [skos:inScheme, http://data.europa.eu/esco/concept-scheme/occupations~iri]
      - [esco:memberOfISCOGroup, http://data.europa.eu/esco/isco/C$(iscoGroup)~iri]
  relations:
    sources: [relations.csv~csv]
    s: $(occupationUri)
    po:
      - p: esco:relatedEssentialSkill
        o: {value: $(skillUri), type: iri}
        condition: {function: equal, parameters: [[str1, $(relationType)], [str2, essential]]}
      - p: esco:relatedOptionalSkill
        o: {value: $(skillUri), type: iri}
        condition: {function: equal, parameters: [[str1, $(relationType)], [str2, optional]]}
"""


@pytest.fixture
def mini(home: Path) -> Path:
    folder = home / "mappings" / "mini"
    folder.mkdir()
    for name, text in [
        ("skills.csv", SKILLS),
        ("occupations.csv", OCCUPATIONS),
        ("groups.csv", GROUPS),
        ("relations.csv", RELATIONS),
        ("mini.yml", MAPPING),
    ]:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _select(store: EmbeddedStore, settings: Settings, sparql: str) -> list[list[str]]:
    result = run_query(store, settings, sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [[s[n].value if s[n] is not None else "" for n in names] for s in result]


def test_counts_rejections_and_warnings(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    report = ingest(store, settings, "mini")
    counts = {f.path.name: (f.read, f.loaded, f.rejected) for f in report.files}
    assert counts == {
        "skills.csv": (3, 3, 0),
        "occupations.csv": (1, 1, 0),
        "groups.csv": (1, 1, 0),
        "relations.csv": (3, 2, 1),
    }
    assert report.records_read == report.records_loaded + report.records_rejected == 8
    [rejected] = report.rejected
    assert rejected.record == 3
    assert rejected.focus == "http://data.europa.eu/esco/occupation/missing"
    assert "dangling reference" in rejected.message
    [warning] = report.warnings
    assert warning.focus == "http://data.europa.eu/esco/skill/s3"
    assert "no skill type" in warning.message


def test_quarantine_report_keeps_each_rejected_record(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    report = ingest(store, settings, "mini")
    assert report.quarantine is not None
    lines = [json.loads(line) for line in report.quarantine.read_text().splitlines()]
    assert lines == [
        {
            "source": "mappings/mini/relations.csv",
            "record": 3,
            "triples_map": "relations",
            "focus": "http://data.europa.eu/esco/occupation/missing",
            "path": None,
            "message": rejected_message(lines),
            "severity": "Violation",
        }
    ]


def rejected_message(lines: list[dict[str, object]]) -> str:
    message = str(lines[0]["message"])
    assert message.startswith("only an existing ESCO occupation or skill")
    return message


def test_loaded_graph_is_queryable_and_holds_no_rejected_triple(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "mini")
    rows = _select(
        store,
        settings,
        "SELECT ?o ?label WHERE { ?o esco:relatedEssentialSkill/skos:prefLabel ?label } "
        "ORDER BY ?o",
    )
    assert rows == [["http://data.europa.eu/esco/occupation/o1", "Python"]]
    assert settings.source_graph("mini") in store.graphs()


def test_reingest_is_idempotent(mini: Path, settings: Settings, store: EmbeddedStore) -> None:
    first = ingest(store, settings, "mini")
    second = ingest(store, settings, "mini")
    assert (second.replace.added, second.replace.removed) == (0, 0)
    assert second.replace.quads_after == first.replace.quads_after


def test_changed_source_replaces_only_what_changed(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "mini")
    (mini / "skills.csv").write_text(SKILLS.replace("teach,", "teach others,"), encoding="utf-8")
    report = ingest(store, settings, "mini")
    assert (report.replace.added, report.replace.removed) == (1, 1)


def test_failed_ingest_leaves_the_previous_graph(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    before = ingest(store, settings, "mini").replace.quads_after
    (mini / "mini.yml").write_text(
        MAPPING.replace("$(preferredLabel)", "$(prefLabel)"), encoding="utf-8"
    )
    with pytest.raises(MappingError, match="column 'prefLabel'"):
        ingest(store, settings, "mini")
    assert store.count(settings.source_graph("mini")) == before


def test_provenance_records_the_load(mini: Path, settings: Settings, store: EmbeddedStore) -> None:
    report = ingest(store, settings, "mini")
    rows = _select(
        store,
        settings,
        f"""SELECT ?read ?loaded ?rejected ?quads (COUNT(DISTINCT ?file) AS ?files) WHERE {{
              <{report.activity}> a sg:Ingest ; sg:recordsRead ?read ; sg:recordsLoaded ?loaded ;
                 sg:recordsRejected ?rejected ; sg:quadsLoaded ?quads ;
                 sg:targetGraph <{settings.source_graph("mini")}> ;
                 prov:startedAtTime ?start ; prov:endedAtTime ?end ; prov:used ?file .
              ?file sg:sha256 ?sha .
            }} GROUP BY ?read ?loaded ?rejected ?quads""",
    )
    assert rows == [["8", "7", "1", str(report.replace.quads_after), "5"]]


def test_unknown_source_is_a_clear_error(settings: Settings, store: EmbeddedStore) -> None:
    with pytest.raises(NotFoundError, match="no source 'nope'"):
        ingest(store, settings, "nope")


def test_sources_list_ontology_first(mini: Path, settings: Settings) -> None:
    assert available_sources(settings) == ["ontology", "mini"]


def test_ontology_ingest_loads_every_module(settings: Settings, store: EmbeddedStore) -> None:
    report = ingest(store, settings, "ontology")
    assert report.replace.quads_after > 500
    answer = run_query(store, settings, "ASK { sg:Ingest rdfs:subClassOf prov:Activity }")
    assert isinstance(answer, ox.QueryBoolean) and bool(answer)


def test_static_turtle_is_loaded_with_the_mapped_quads(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    (mini / "static").mkdir()
    (mini / "static" / "scheme.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<http://data.europa.eu/esco/concept-scheme/skills> a skos:ConceptScheme ;\n"
        '    skos:prefLabel "ESCO skills"@en ;\n'
        '    skos:note [ skos:prefLabel "a blank node"@en ] .\n',
        encoding="utf-8",
    )
    report = ingest(store, settings, "mini")
    counts = {f.path.name: (f.read, f.loaded, f.rejected) for f in report.files}
    assert counts["scheme.ttl"] == (4, 4, 0)
    rows = _select(
        store,
        settings,
        "SELECT ?label WHERE { <http://data.europa.eu/esco/concept-scheme/skills> "
        "skos:prefLabel ?label }",
    )
    assert rows == [["ESCO skills"]]
    again = ingest(store, settings, "mini")
    assert (again.replace.added, again.replace.removed) == (0, 0)


def test_rml_turtle_mappings_are_found_in_a_source_folder(home: Path, settings: Settings) -> None:
    folder = home / "mappings" / "rmlonly"
    folder.mkdir()
    (folder / "m.rml.ttl").write_text("", encoding="utf-8")
    assert "rmlonly" in available_sources(settings)


PERSONAL_MAPPING = """\
prefixes:
  ex: http://ex.org/
  dpv: https://w3id.org/dpv#
  sgg: https://w3id.org/skillsgraph/graph/
  sgid: https://w3id.org/skillsgraph/id/
mappings:
  learner:
    sources: [learners.csv~csv]
    s: sgid:learner/$(id)
    g: sgg:consent/people-$(id)
    po:
      - [a, sg:Learner]
      - [sg:region, $(region)]
  consent:
    sources: [learners.csv~csv]
    s: sgid:consent/people-$(id)
    g: sgg:consents
    po:
      - [a, sg:ConsentRecord]
      - [dpv:hasConsentStatus, dpv:ConsentGiven~iri]
      - [sg:consentGraph, sgg:consent/people-$(id)~iri]
"""


@pytest.fixture
def people(home: Path) -> Path:
    # The mechanics of personal sources, on a toy mapping: the real learner and consent
    # shapes (tested with the real data in test_learners.py) would reject its toy records.
    for name in ("learners.shapes.ttl", "consent.shapes.ttl"):
        (home / "shapes" / name).unlink(missing_ok=True)
    folder = home / "mappings" / "people"
    folder.mkdir()
    (folder / "source.yml").write_text("personal: true\n", encoding="utf-8")
    (folder / "people.yml").write_text(PERSONAL_MAPPING, encoding="utf-8")
    (folder / "learners.csv").write_text("id,region\n1,Wales\n2,Scotland\n", encoding="utf-8")
    return folder


def graphs_of(store: EmbeddedStore) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for q in store.pyoxigraph:
        out.setdefault(q.graph_name.value, set()).add(q.subject.value)  # type: ignore[union-attr]
    return out


def test_a_personal_source_puts_personal_triples_only_in_consent_graphs(
    people: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "people")
    graphs = graphs_of(store)
    learner = "https://w3id.org/skillsgraph/id/learner/"
    assert graphs[settings.graph("consent/people-1")] == {learner + "1"}
    assert graphs[settings.graph("consent/people-2")] == {learner + "2"}
    holding_learners = {g for g, subjects in graphs.items() if any(learner in s for s in subjects)}
    assert holding_learners == {
        settings.graph("consent/people-1"),
        settings.graph("consent/people-2"),
    }
    assert len(graphs[settings.graph("consents")]) == 2


def test_reingest_keeps_consent_state_and_drops_vanished_learners(
    people: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "people")
    consent = "https://w3id.org/skillsgraph/id/consent/people-1"
    status = "<https://w3id.org/dpv#hasConsentStatus>"
    graph = f"GRAPH <{settings.graph('consents')}>"
    store.update(
        f"DELETE {{ {graph} {{ <{consent}> {status} ?s }} }} "
        f"INSERT {{ {graph} {{ <{consent}> {status} <https://w3id.org/dpv#ConsentWithdrawn> }} }} "
        f"WHERE {{ {graph} {{ <{consent}> {status} ?s }} }}"
    )
    (people / "learners.csv").write_text("id,region\n1,Wales\n", encoding="utf-8")
    report = ingest(store, settings, "people")
    assert report.replace.removed == 2  # learner 2's type and region
    graphs = graphs_of(store)
    assert settings.graph("consent/people-2") not in graphs
    rows = store.query(f"SELECT ?s WHERE {{ {graph} {{ <{consent}> {status} ?s }} }}")
    assert [row["s"].value for row in rows] == [  # type: ignore[union-attr, index]
        "https://w3id.org/dpv#ConsentWithdrawn"
    ]


def test_a_public_source_may_not_write_to_a_consent_graph(
    people: Path, settings: Settings, store: EmbeddedStore
) -> None:
    (people / "source.yml").unlink()
    with pytest.raises(BadInputError, match=r"writes to graph .*consent.*personal: true"):
        ingest(store, settings, "people")
    assert len(store.pyoxigraph) == 0


def test_validation_sees_the_types_of_referenced_nodes_in_other_sources(
    mini: Path, home: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "mini")
    (home / "shapes" / "jobs.shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix esco: <http://data.europa.eu/esco/model#> .\n"
        "<http://ex.org/JobShape> a sh:NodeShape ; sh:targetClass <http://ex.org/Job> ;\n"
        "  sh:property [ sh:path <http://ex.org/requires> ; sh:class esco:Skill ;\n"
        '    sh:message "a required skill is an ESCO skill"@en ] .\n',
        encoding="utf-8",
    )
    folder = home / "mappings" / "jobs"
    folder.mkdir()
    (folder / "jobs.csv").write_text(
        "id,skill\n1,http://data.europa.eu/esco/skill/s1\n2,http://data.europa.eu/esco/skill/s9\n",
        encoding="utf-8",
    )
    (folder / "jobs.yml").write_text(
        "prefixes:\n  ex: http://ex.org/\nmappings:\n  job:\n    sources: [jobs.csv~csv]\n"
        "    s: ex:job/$(id)\n    po:\n      - [a, ex:Job]\n      - [ex:requires, $(skill)~iri]\n",
        encoding="utf-8",
    )
    report = ingest(store, settings, "jobs")
    assert [(r.record, r.focus) for r in report.rejected] == [(2, "http://ex.org/job/2")]
    assert "a required skill is an ESCO skill" in report.rejected[0].message
    assert report.records_loaded == 1


@pytest.mark.slow
def test_partitioned_validation_finds_what_one_run_finds(
    mini: Path, settings: Settings, store: EmbeddedStore
) -> None:
    """Two spawned partitions (by subject, with incoming triples and types as context)
    report the same findings as one run, on a batch large enough to be split."""
    import polars as pl

    from skillsgraph.mapping import compile_mapping
    from skillsgraph.mapping.engine import run_mapping
    from skillsgraph.validation import load_graph, subclass_triples, validate_triples

    quads = run_mapping(compile_mapping(mini / "mini.yml")).quads
    # replicate the mini ESCO under fresh IRIs until the batch is worth splitting
    copies = [
        quads.with_columns(
            pl.col(c).str.replace(r"/(s\d|o\d|missing)>$", f"/$1-{i}>") for c in "so"
        )
        for i in range(2_000)
    ]
    batch = pl.concat(copies)
    shapes = load_graph((settings.shapes_dir).glob("skills.shapes.ttl"))
    context = subclass_triples(load_graph(settings.ontology_dir.glob("*.ttl")))
    one = validate_triples(batch, shapes, context=context, workers=1)
    two = validate_triples(batch, shapes, context=context, workers=2)
    assert one.findings == two.findings
    assert len(one.violations) == 2_000 and len(one.warnings) == 2_000


def test_reingesting_a_personal_source_refreshes_the_views_of_contexts_in_use(
    home: Path, settings: Settings, store: EmbeddedStore
) -> None:
    """A learner removed from the source disappears from a context's view at once."""
    import shutil

    from skillsgraph.consent import load_registry, query_as

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "mappings" / "learners", home / "mappings" / "learners")
    shutil.copytree(root / "tests" / "cases" / "learners" / "data", home / "data")
    shutil.copytree(root / "config", home / "config")
    ingest(store, settings, "learners")
    [context] = [
        c
        for c in load_registry(settings).contexts()
        if c.participant == "demo-research-lab" and c.purpose.slug == "scientific-research"
    ]
    sparql = "SELECT DISTINCT ?l WHERE { ?l a sg:Learner }"

    def seen() -> set[str]:
        result = query_as(store, settings, context, sparql).result()
        return {row["l"].value for row in result}  # type: ignore[union-attr, index]

    before = seen()
    assert before
    gone = sorted(before)[0].rsplit("/", 1)[1]
    info = home / "data" / "learners" / "oulad" / "studentInfo.csv"
    lines = info.read_text(encoding="utf-8").splitlines(keepends=True)
    info.write_text("".join(x for x in lines if f",{gone}," not in x), encoding="utf-8")
    ingest(store, settings, "learners")
    after = seen()
    assert after == {iri for iri in before if not iri.endswith(f"/{gone}")}


def test_an_erased_consent_is_never_loaded_again(
    home: Path, settings: Settings, store: EmbeddedStore
) -> None:
    import shutil

    from skillsgraph.consent import erase

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "mappings" / "learners", home / "mappings" / "learners")
    shutil.copytree(root / "tests" / "cases" / "learners" / "data", home / "data")
    shutil.copytree(root / "config", home / "config")
    first = ingest(store, settings, "learners")
    consent_graphs = [g for g in store.graphs() if g.startswith(settings.graph("consent/"))]
    victim = sorted(consent_graphs)[0]
    consent = settings.resource("consent", victim.rsplit("/", 1)[1])
    erase(store, settings, consent)
    again = ingest(store, settings, "learners")
    assert victim not in store.graphs()
    assert not store.query(f"ASK {{ GRAPH ?g {{ <{consent}> ?p ?o }} }}")
    erased = {(r.source, r.record) for r in again.rejected if "erased consent" in r.message}
    assert erased and again.records_rejected == first.records_rejected + len(erased)
    assert again.records_read == again.records_loaded + again.records_rejected


# One JSON file, two record types: record 3 of the projects is no valid IRI; record 3 of the
# deliverables is fine and must load.
REPORTS = {
    "projects": [
        {"url": "http://ex.org/p1", "title": "one"},
        {"url": "http://ex.org/p2", "title": "two"},
        {"url": "http://ex.org/has space", "title": "three"},
    ],
    "deliverables": [
        {"id": "d1", "title": "a"},
        {"id": "d2", "title": "b"},
        {"id": "d3", "title": "c"},
    ],
}
PROJECTS = """\
  projects:
    sources: [reports.json~jsonpath, "$.projects[*]"]
    s: $(url)
    po:
      - [ex:title, $(title)]
"""
DELIVERABLES = """\
  deliverables:
    sources: [reports.json~jsonpath, "$.deliverables[*]"]
    s: ex:deliverable/$(id)
    po:
      - [ex:title, $(title)]
"""
HEAD = "prefixes:\n  ex: http://ex.org/\nmappings:\n"


@pytest.fixture(params=["one mapping", "two mappings"])
def reports(home: Path, request: pytest.FixtureRequest) -> Path:
    """The file read with two iterators, by one mapping file or by two (labelled together)."""
    folder = home / "mappings" / "reports"
    folder.mkdir()
    (folder / "reports.json").write_text(json.dumps(REPORTS), encoding="utf-8")
    if request.param == "one mapping":
        (folder / "reports.yml").write_text(HEAD + PROJECTS + DELIVERABLES, encoding="utf-8")
    else:
        (folder / "projects.yml").write_text(HEAD + PROJECTS, encoding="utf-8")
        (folder / "deliverables.yml").write_text(HEAD + DELIVERABLES, encoding="utf-8")
    return folder


def test_each_iterator_of_a_file_counts_its_own_records(
    reports: Path, settings: Settings, store: EmbeddedStore
) -> None:
    report = ingest(store, settings, "reports")
    rows = _select(store, settings, "SELECT ?t WHERE { <http://ex.org/deliverable/d3> ?p ?t }")
    assert rows == [["c"]]
    counts = {f.name: (f.read, f.loaded, f.rejected) for f in report.files}
    assert counts == {
        "reports.json $.deliverables[*]": (3, 3, 0),
        "reports.json $.projects[*]": (3, 2, 1),
    }
    assert report.records_read == report.records_loaded + report.records_rejected == 6
    [rejected] = report.rejected
    data = (reports / "reports.json").resolve()
    assert (rejected.source, rejected.record) == (f"{data} $.projects[*]", 3)
    assert report.quarantine is not None
    [line] = [json.loads(x) for x in report.quarantine.read_text().splitlines()]
    assert (line["source"], line["record"]) == ("mappings/reports/reports.json $.projects[*]", 3)


def test_provenance_counts_each_iterator_and_uses_the_file_once(
    reports: Path, settings: Settings, store: EmbeddedStore
) -> None:
    report = ingest(store, settings, "reports")
    rows = _select(
        store,
        settings,
        f"""SELECT ?read ?loaded ?rejected (COUNT(DISTINCT ?file) AS ?files) WHERE {{
              <{report.activity}> sg:recordsRead ?read ; sg:recordsLoaded ?loaded ;
                 sg:recordsRejected ?rejected ; prov:used ?file .
              ?file a sg:SourceFile .
            }} GROUP BY ?read ?loaded ?rejected""",
    )
    assert rows == [["6", "5", "1", "1"]]


def test_a_record_one_mapping_rejects_loads_from_no_other_mapping(
    home: Path, settings: Settings, store: EmbeddedStore
) -> None:
    folder = home / "mappings" / "reports"
    folder.mkdir()
    (folder / "reports.json").write_text(json.dumps(REPORTS), encoding="utf-8")
    (folder / "projects.yml").write_text(HEAD + PROJECTS, encoding="utf-8")
    titles = PROJECTS.replace("projects:", "titles:").replace("$(url)", "ex:title/$(title)")
    (folder / "titles.yml").write_text(HEAD + titles, encoding="utf-8")
    report = ingest(store, settings, "reports")
    rows = _select(store, settings, "SELECT ?s WHERE { ?s <http://ex.org/title> ?t } ORDER BY ?s")
    assert [s for [s] in rows if "title/" in s] == [
        "http://ex.org/title/one",
        "http://ex.org/title/two",
    ]
    assert [(f.name, f.read, f.loaded, f.rejected) for f in report.files] == [
        ("reports.json", 3, 2, 1)
    ]
