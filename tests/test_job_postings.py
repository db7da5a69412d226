"""Job postings (SkillSpan): the preparation step, the mapping, the shapes, and the loaded
graph with its skills linked to ESCO.

The fast tests ingest three real postings (copied from the derived files into a temporary
project home); the full source, and the full source beside the real ESCO, are slow.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, XSD

from skillsgraph.config import Settings
from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.ingest import IngestReport, ingest
from skillsgraph.query import run_query
from skillsgraph.sources import skillspan
from skillsgraph.store import EmbeddedStore
from skillsgraph.validation import load_graph, subclass_triples, validate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "job_postings" / "skillspan"
SHAPES = ROOT / "shapes" / "job_postings.shapes.ttl"
SCHEMA = "http://schema.org/"
SG = "https://w3id.org/skillsgraph/ontology#"
ESCO = "http://data.europa.eu/esco/model#"
ID = "https://w3id.org/skillsgraph/id/"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
# the SPARQL prefix schema: of skillsgraph.namespaces is https; the ontology's is http
PREFIXES = f"PREFIX sdo: <{SCHEMA}>\n"

# Three real postings: a tech posting that asks for Python, a house posting without a title
# line, and a test-split posting with expert links from the Decorte benchmark.
CASE = ("tech-test-7", "house-dev-55", "house-test-55")


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def select(store: EmbeddedStore, settings: Settings, sparql: str) -> list[list[str]]:
    result = run_query(store, settings, PREFIXES + sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [[s[n].value if s[n] is not None else "" for n in names] for s in result]


# --- the preparation step ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["O", "B", "I", "O", "B"], [(1, 3), (4, 5)]),
        (["B", "B", "I"], [(0, 1), (1, 3)]),
        (["O", "I", "I", "O"], [(1, 3)]),  # I after O starts a span
        (["O", "O", "O"], []),
    ],
)
def test_bio_tags_give_spans(tags: list[str], expected: list[tuple[int, int]]) -> None:
    assert skillspan.spans(["t"] * len(tags), tags) == expected


def sentence(idx: int, source: str, text: str, skill: str = "", knowledge: str = "") -> str:
    """A SkillSpan line; ``skill``/``knowledge`` are tag strings such as 'OBI' (default O)."""
    tokens = text.split(" ")
    tags = {k: list(v or "O" * len(tokens)) for k, v in (("s", skill), ("k", knowledge))}
    line = {"idx": idx, "tokens": tokens, "tags_skill": tags["s"], "tags_knowledge": tags["k"]}
    return json.dumps({**line, "source": source})


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A SkillSpan folder, benchmark and ESCO file with one tech and one house posting."""
    data = tmp_path / "skillspan"
    data.mkdir()
    train = [
        sentence(1, "tech", "Senior Python Developer <ORGANIZATION>"),
        sentence(1, "tech", "Date posted: 2021-07-14"),
        sentence(1, "tech", "Job type:"),
        sentence(1, "tech", "Full-time"),
        sentence(1, "tech", "Experience with Python and SQL", knowledge="OOBOB"),
        sentence(2, "house", "We\x92re hiring a nurse"),
        sentence(2, "house", "Care for patients safely", skill="BIIO"),
    ]
    (data / "train.json").write_text("\n".join(train) + "\n", encoding="utf-8")
    (data / "dev.json").write_text(sentence(1, "house", "Job type: INTERN") + "\n", "utf-8")
    (data / "test.json").write_text(
        sentence(1, "tech", "django and python", knowledge="BOB") + "\n", encoding="utf-8"
    )
    bench = tmp_path / "bench"
    bench.mkdir()
    header = "sentence,span,sub_span,label\n"
    for name in skillspan.BENCHMARK_FILES:
        (bench / f"{name}_annotations.csv").write_text(header, encoding="utf-8")
    (bench / "tech_test_annotations.csv").write_text(
        header + "django and python,python .,,Python (computer programming)\n"
        "django and python,django,,LABEL NOT PRESENT\n"
        "django and python,java,,Java (computer programming)\n",
        encoding="utf-8",
    )
    esco = tmp_path / "skills_en.csv"
    esco.write_text(f"conceptUri,preferredLabel\n{PYTHON},Python (computer programming)\n")
    return tmp_path


def test_prepare_rebuilds_postings_mentions_and_expert_links(tiny: Path) -> None:
    done = skillspan.prepare(
        tiny / "skillspan",
        out=tiny / "out",
        benchmark=tiny / "bench",
        esco_skills=tiny / "skills_en.csv",
    )
    assert (done.postings, done.mentions, done.gold_links) == (4, {"skill": 1, "knowledge": 4}, 1)
    assert done.gold_unmatched == 1  # the java row: no such span
    tech, house, intern, test = jsonl(tiny / "out" / "postings.jsonl")
    assert tech == {
        "id": "tech-train-1",
        "source": "tech",
        "split": "train",
        "idx": 1,
        "title": "Senior Python Developer <ORGANIZATION>",
        "date_posted": "2021-07-14",
        "job_type": "Full-time",
        "employment_type": "FULL_TIME",
        "text": "Senior Python Developer <ORGANIZATION>\nDate posted: 2021-07-14\nJob type:\n"
        "Full-time\nExperience with Python and SQL",
        "skills": [],
        "knowledge": [
            {"n": 1, "text": "Python", "sentence": 4},
            {"n": 2, "text": "SQL", "sentence": 4},
        ],
    }
    assert house["title"] is None and house["date_posted"] is None
    assert house["text"].startswith("We\u2019re hiring")  # Windows-1252 U+0092 repaired
    assert house["skills"] == [{"n": 1, "text": "Care for patients", "sentence": 1}]
    assert (intern["id"], intern["employment_type"]) == ("house-dev-1", "INTERN")
    assert test["id"] == "tech-test-1"
    mentions = jsonl(tiny / "out" / "mentions.jsonl")
    assert mentions[0] == {
        "posting": "tech-train-1",
        "n": 1,
        "kind": "knowledge",
        "text": "Python",
        "sentence": 4,
        "start": 2,
        "end": 3,
    }
    assert jsonl(tiny / "out" / "gold_links.jsonl") == [
        {
            "posting": "tech-test-1",
            "span": 2,
            "link": 1,
            "kind": "knowledge",
            "text": "python",
            "label": "Python (computer programming)",
            "skill": PYTHON,
            "benchmark": "tech_test",
        }
    ]


def test_bad_input_names_the_file_and_line(tiny: Path) -> None:
    dev = tiny / "skillspan" / "dev.json"
    dev.write_text(
        sentence(1, "house", "fine") + '\n{"idx": 1, "tokens": ["a", "b"], '
        '"tags_skill": ["O"], "tags_knowledge": ["O", "O"], "source": "house"}\n',
        encoding="utf-8",
    )
    with pytest.raises(BadInputError, match=r"dev\.json:2: .*tags do not match the tokens"):
        skillspan.read_sentences(tiny / "skillspan")
    dev.unlink()
    with pytest.raises(NotFoundError, match=r"dev\.json: no such SkillSpan file"):
        skillspan.read_sentences(tiny / "skillspan")


def test_derived_files_are_up_to_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regenerate from the committed originals and compare byte for byte; if this fails,
    run ``python -m skillsgraph.sources.skillspan`` and commit the result."""
    assert skillspan.main(["--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("263 postings, 9,618 spans")
    for name in skillspan.OUTPUTS:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_originals_are_the_copies_named_in_source_md() -> None:
    listed = dict(
        re.findall(r"\| ([\w.]+) \|[^|\n]*\|[^|\n]*\| ([0-9a-f]{64}) \|", read(DATA / "SOURCE.md"))
    )
    for name in ("train.json", "dev.json", "test.json", "LICENSE"):
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == listed[name], name


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def original_counts() -> tuple[set[tuple[str, str, int]], Counter[str]]:
    """Postings and spans counted straight from the original files: a posting is a distinct
    (source, split, idx); a span starts at every B and at every I that follows an O."""
    postings: set[tuple[str, str, int]] = set()
    spans: Counter[str] = Counter()
    for split in skillspan.SPLITS:
        for line in read(DATA / f"{split}.json").splitlines():
            row = json.loads(line)
            postings.add((row["source"], split, row["idx"]))
            for kind in ("skill", "knowledge"):
                tags = "".join(row[f"tags_{kind}"])
                spans[kind] += tags.count("B") + len(re.findall("(?:^|O)I", tags))
    return postings, spans


def test_derived_counts_match_the_originals() -> None:
    postings, spans = original_counts()
    derived = jsonl(DATA / "postings.jsonl")
    assert {(p["source"], p["split"], p["idx"]) for p in derived} == postings
    assert len(derived) == len(postings) == 263
    mentions = Counter(str(m["kind"]) for m in jsonl(DATA / "mentions.jsonl"))
    assert mentions == spans
    in_postings = sum(len(p["skills"]) + len(p["knowledge"]) for p in derived)
    assert in_postings == sum(spans.values())


# --- ingest of three real postings ------------------------------------------------------


@pytest.fixture
def case(home: Path, settings: Settings, store: EmbeddedStore) -> Path:
    """The job_postings mapping in a temporary home, over three real postings; the store
    already knows every ESCO skill's type, as after `ingest esco` (shapes check it)."""
    skills = pl.read_csv(
        ROOT / "data" / "esco" / "v1.1.1" / "en" / "skills_en.csv", infer_schema=False
    )
    store.replace_graph(
        settings.source_graph("esco"),
        "".join(f"<{uri}> <{RDF.type}> <{ESCO}Skill> .\n" for uri in skills["conceptUri"]),
    )
    store.add_triples(
        settings.graph("provenance"),
        "<urn:x-test:esco-load> <https://w3id.org/skillsgraph/ontology#targetGraph> "
        f"<{settings.source_graph('esco')}> .\n",
    )
    shutil.copytree(ROOT / "mappings" / "job_postings", home / "mappings" / "job_postings")
    data = home / "data" / "job_postings" / "skillspan"
    data.mkdir(parents=True)
    for name, key in zip(skillspan.OUTPUTS, ("id", "posting", "posting"), strict=True):
        write_jsonl(data / name, [r for r in jsonl(DATA / name) if r[key] in CASE])
    return data


def file_counts(report: IngestReport) -> dict[str, tuple[int, int, int]]:
    return {f.path.name: (f.read, f.loaded, f.rejected) for f in report.files}


def test_three_postings_load_with_their_mentions(
    case: Path, settings: Settings, store: EmbeddedStore
) -> None:
    report = ingest(store, settings, "job_postings")
    lines = {name: len(jsonl(case / name)) for name in skillspan.OUTPUTS}
    assert file_counts(report) == {name: (n, n, 0) for name, n in lines.items()}
    assert report.records_read == report.records_loaded + report.records_rejected
    # the house postings have no title line: a warning each, not a rejection
    assert sorted(w.focus for w in report.warnings) == [
        f"{ID}job-posting/house-dev-55",
        f"{ID}job-posting/house-test-55",
    ]
    rows = select(
        store,
        settings,
        """SELECT ?id (COUNT(DISTINCT ?m) AS ?mentions) WHERE {
             ?p a sg:JobPosting ; sdo:identifier ?id ; sg:hasSkillMention ?m .
             ?m a sg:SkillMention ; sg:mentionText ?text .
           } GROUP BY ?id ORDER BY ?id""",
    )
    mentions = Counter(str(r["posting"]) for r in jsonl(case / "mentions.jsonl"))
    mentions.update(str(r["posting"]) for r in jsonl(case / "gold_links.jsonl"))
    assert rows == [[p, str(mentions[p])] for p in sorted(CASE)]


def test_a_posting_asking_for_python_requires_the_esco_skill(
    case: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "job_postings")
    posting = f"<{ID}job-posting/tech-test-7>"
    [[title, date, kind, text]] = select(
        store,
        settings,
        f"""SELECT ?title (STR(DATATYPE(?date)) AS ?dt) ?kind ?text WHERE {{
              {posting} sdo:title ?title ; sdo:datePosted ?date ; sdo:employmentType ?kind ;
                sg:hasSkillMention ?m ; sdo:description ?text .
              ?m sg:mentionText "Python"@en ; sg:linkedSkill <{PYTHON}> .
              {posting} sg:requiresSkill <{PYTHON}> .
              FILTER (LANG(?text) = "en")
            }} LIMIT 1""",
    )
    assert (title, date, kind) == ("UI Software Engineer", str(XSD.date), "FULL_TIME")
    assert "Python" in text


def test_expert_links_are_manual_mentions(
    case: Path, settings: Settings, store: EmbeddedStore
) -> None:
    ingest(store, settings, "job_postings")
    expected = {
        (str(g["text"]), str(g["skill"]))
        for g in jsonl(case / "gold_links.jsonl")
        if g["posting"] == "house-test-55"
    }
    rows = select(
        store,
        settings,
        f"""SELECT ?text ?skill WHERE {{
              <{ID}job-posting/house-test-55> sg:hasSkillMention ?m ; sg:requiresSkill ?skill .
              ?m sg:linkMethod "manual" ; sg:mentionText ?text ; sg:linkedSkill ?skill .
            }}""",
    )
    assert expected and {(t, s) for t, s in rows} == expected


def test_mention_iris_are_stable(case: Path, settings: Settings, store: EmbeddedStore) -> None:
    first = ingest(store, settings, "job_postings")
    again = ingest(store, settings, "job_postings")
    assert (again.replace.added, again.replace.removed) == (0, 0)
    assert again.replace.quads_after == first.replace.quads_after
    [[n]] = select(
        store,
        settings,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}skill-mention/tech-test-7-1> a sg:SkillMention }}",
    )
    assert n == "1"


def test_a_rejected_posting_takes_its_mentions_with_it(
    case: Path, settings: Settings, store: EmbeddedStore
) -> None:
    postings = jsonl(case / "postings.jsonl")
    for p in postings:
        if p["id"] == "tech-test-7":
            p["date_posted"] = "2021-02-30"  # no such day: sgf:parseDate rejects the record
    write_jsonl(case / "postings.jsonl", postings)
    report = ingest(store, settings, "job_postings")
    own = sum(1 for m in jsonl(case / "mentions.jsonl") if m["posting"] == "tech-test-7")
    counts = file_counts(report)
    assert counts["postings.jsonl"] == (3, 2, 1)
    assert counts["mentions.jsonl"][2] == own > 0
    gold = sum(1 for g in jsonl(case / "gold_links.jsonl") if g["posting"] == "tech-test-7")
    assert counts["gold_links.jsonl"][2] == gold > 0
    assert all(read == loaded + rejected for read, loaded, rejected in counts.values())
    assert any("2021-02-30" in r.message for r in report.rejected)
    [[n]] = select(
        store,
        settings,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ <{ID}job-posting/tech-test-7> ?p ?o }} UNION "
        f'{{ ?s ?p <{ID}job-posting/tech-test-7> }} UNION {{ ?s sg:mentionText "Python"@en }} }}',
    )
    assert n == "0"


def test_cross_source_query_reads_esco_labels(
    case: Path, settings: Settings, store: EmbeddedStore
) -> None:
    """Skills named by ESCO (graph source/esco) required by postings (source/job_postings);
    a one-skill ESCO graph stands in for the real one (slow test below)."""
    ingest(store, settings, "job_postings")
    store.add_triples(
        settings.source_graph("esco"),
        f"<{PYTHON}> <{RDF.type}> <{ESCO}Skill> .\n"
        f'<{PYTHON}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Python (computer '
        'programming)"@en .\n',
    )
    # a source graph is public once provenance records its load (as ingest does)
    store.add_triples(
        settings.graph("provenance"),
        "<urn:x-test:esco-load> <https://w3id.org/skillsgraph/ontology#targetGraph> "
        f"<{settings.source_graph('esco')}> .\n",
    )
    rows = select(
        store, settings, POSTINGS_BY_SKILL.replace("LABEL", "Python (computer programming)")
    )
    assert rows == [[f"{ID}job-posting/tech-test-7", "UI Software Engineer"]]


POSTINGS_BY_SKILL = """\
SELECT ?posting ?title WHERE {
  GRAPH ?esco { ?skill a esco:Skill ; skos:prefLabel "LABEL"@en }
  GRAPH ?jobs { ?posting a sg:JobPosting ; sg:requiresSkill ?skill .
                OPTIONAL { ?posting sdo:title ?title } }
  FILTER (?esco != ?jobs)
} ORDER BY ?posting"""


# --- shapes -----------------------------------------------------------------------------


def shapes() -> Graph:
    """The job-postings shapes."""
    return load_graph([SHAPES])


def check(turtle: str) -> list[tuple[str, str, str]]:
    data = Graph().parse(
        data=f"@prefix sg: <{SG}> . @prefix sdo: <{SCHEMA}> . @prefix esco: <{ESCO}> .\n"
        f"@prefix xsd: <{XSD}> . @prefix ex: <http://ex.org/> .\n" + turtle,
        format="turtle",
    )
    context = subclass_triples(load_graph((ROOT / "ontology").glob("*.ttl")))
    report = validate(data, shapes(), context=context)
    return [
        (f.severity, f.focus.removeprefix("http://ex.org/"), f.message) for f in report.findings
    ]


POSTING = """ex:p a sg:JobPosting ; sdo:title "Nurse"@en ; sdo:description "Care."@en ;
    sdo:datePosted "2021-03-04"^^xsd:date ; sdo:employmentType "FULL_TIME" ;
    sg:hasSkillMention ex:m ; sg:requiresSkill <http://data.europa.eu/esco/skill/s1> .
ex:m a sg:SkillMention ; sg:mentionText "patient care"@en ;
    sg:linkedSkill <http://data.europa.eu/esco/skill/s1> ; sg:linkMethod "manual" .
"""
ESCO_TYPES = """<http://data.europa.eu/esco/skill/s1> a esco:Skill .
<http://data.europa.eu/esco/skill/s2> a esco:Skill .
"""


def test_the_shapes_are_valid_shacl() -> None:
    from pyshacl import validate as pyshacl_validate

    conforms, _graph, text = pyshacl_validate(
        Graph(), shacl_graph=shapes(), meta_shacl=True, inference="none"
    )
    assert conforms, text


def test_a_well_formed_posting_conforms() -> None:
    assert check(POSTING + ESCO_TYPES) == []


def test_required_skills_must_be_esco_skills_that_exist() -> None:
    findings = check(POSTING)
    assert {(sev, focus) for sev, focus, _ in findings} == {("Violation", "p"), ("Violation", "m")}
    assert all("must be an ESCO skill that exists" in message for *_, message in findings)


@pytest.mark.parametrize(
    ("change", "focus", "message"),
    [
        (('"2021-03-04"^^xsd:date', '"2021-02-30"^^xsd:date'), "p", "well-formed xsd:date"),
        (('"2021-03-04"^^xsd:date', '"04/03/2021"'), "p", "well-formed xsd:date"),
        (('sdo:description "Care."@en ;', ""), "p", "schema:description"),
        (('"FULL_TIME"', '"Full-time"'), "p", "employment type is one of"),
        (
            ("sg:requiresSkill <http://data.europa.eu/esco/skill/s1>", "sg:requiresSkill ex:x"),
            "p",
            "ESCO skill IRI",
        ),
        (('"manual"', '"guess"'), "m", "link method is one of"),
        (('sg:mentionText "patient care"@en ;', ""), "m", "one non-empty text"),
        (
            ('"manual"', '"manual" ; sg:linkedSkill <http://data.europa.eu/esco/skill/s2>'),
            "m",
            "at most one skill",
        ),
        (('"manual"', '"manual" ; sg:linkScore 1.5'), "m", "from 0 to 1"),
        (("sg:hasSkillMention ex:m ;", ""), "m", "belongs to exactly one resource"),
    ],
)
def test_a_malformed_posting_is_a_violation(
    change: tuple[str, str], focus: str, message: str
) -> None:
    old, new = change
    assert old in POSTING
    findings = check(POSTING.replace(old, new) + ESCO_TYPES)
    assert ("Violation", focus) in {(sev, f) for sev, f, _ in findings}
    assert any(message in m for _, f, m in findings if f == focus), findings


def test_a_posting_without_title_is_a_warning() -> None:
    [(severity, focus, message)] = check(POSTING.replace('sdo:title "Nurse"@en ;', "") + ESCO_TYPES)
    assert (severity, focus) == ("Warning", "p") and "no title" in message


# --- the full source (slow) -------------------------------------------------------------


@pytest.fixture(scope="module")
def full(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedStore, Settings, IngestReport]]:
    settings = Settings(store="memory", home=ROOT, reports=tmp_path_factory.mktemp("reports"))
    store = EmbeddedStore(None)
    ingest(store, settings, "esco")
    yield store, settings, ingest(store, settings, "job_postings")
    store.close()


@pytest.mark.slow
def test_full_source_counts(full: tuple[EmbeddedStore, Settings, IngestReport]) -> None:
    store, settings, report = full
    postings, spans = original_counts()
    gold = len(read(DATA / "gold_links.jsonl").splitlines())
    counts = file_counts(report)
    assert counts == {
        "postings.jsonl": (len(postings), len(postings), 0),
        "mentions.jsonl": (sum(spans.values()), sum(spans.values()), 0),
        "gold_links.jsonl": (gold, gold, 0),
    }
    assert Counter(w.message for w in report.warnings).keys() == {
        "the job posting has no title (SkillSpan's house postings have no title line); "
        "expected one schema:title"
    }
    [[n_postings, n_mentions, linked]] = select(
        store,
        settings,
        """SELECT (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?m) AS ?mentions)
                  (COUNT(DISTINCT ?linked) AS ?l) WHERE {
             ?p a sg:JobPosting ; sg:hasSkillMention ?m .
             FILTER NOT EXISTS { ?m sg:linkMethod "manual" }
             OPTIONAL { ?m sg:linkedSkill ?s BIND (?m AS ?linked) }
           }""",
    )
    assert (int(n_postings), int(n_mentions)) == (len(postings), sum(spans.values()))
    assert 0.25 < int(linked) / int(n_mentions) < 0.40  # about 30% at score >= 0.9


@pytest.mark.slow
def test_every_required_skill_is_in_esco(
    full: tuple[EmbeddedStore, Settings, IngestReport],
) -> None:
    """What the switched-off sh:class checks will say once validation sees the store."""
    store, settings, _report = full
    [[missing]] = select(
        store,
        settings,
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              GRAPH <{settings.source_graph("job_postings")}> {{
                {{ ?p sg:requiresSkill ?s }} UNION {{ ?m sg:linkedSkill ?s }} }}
              FILTER NOT EXISTS {{ GRAPH <{settings.source_graph("esco")}> {{ ?s a esco:Skill }} }}
            }}""",
    )
    assert missing == "0"


@pytest.mark.slow
def test_full_cross_source_query(full: tuple[EmbeddedStore, Settings, IngestReport]) -> None:
    store, settings, _report = full
    rows = select(
        store, settings, POSTINGS_BY_SKILL.replace("LABEL", "Python (computer programming)")
    )
    assert f"{ID}job-posting/tech-test-7" in {r[0] for r in rows}
    assert len(rows) >= 10


def test_the_schema_prefix_of_queries_is_the_one_the_data_uses(
    case: Path, settings: Settings, store: EmbeddedStore
) -> None:
    """`skillsgraph query` declares schema: for the user; it must be the data's namespace."""
    ingest(store, settings, "job_postings")
    result = run_query(store, settings, "SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:JobPosting }")
    assert isinstance(result, ox.QuerySolutions)
    assert [int(row["n"].value) for row in result] == [len(CASE)]
