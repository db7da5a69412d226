"""The ontology: it parses, documents every term, aligns each module with its standard
vocabulary, declares only external terms that exist, and HermiT finds it consistent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SDO, SKOS, VANN

from skillsgraph.errors import ReasoningError
from skillsgraph.namespaces_sg import SG
from skillsgraph.reasoning import (
    DECLARATIONS,
    EXTERNAL_DIR,
    ONTOLOGY_DIR,
    check_ontology,
    merge,
    ontology_files,
)

ROOT = Path(__file__).resolve().parents[1]
SG_NS = "https://w3id.org/skillsgraph/ontology#"
MODULES = sorted(ONTOLOGY_DIR.glob("*.ttl"))

# Each topic module must align at least one of its terms with the standard of its field.
STANDARD_OF_MODULE = {
    "skills": ("http://www.w3.org/2004/02/skos/core#", "http://data.europa.eu/esco/model#"),
    "job_postings": ("http://schema.org/",),
    "learning": ("http://data.europa.eu/snb/model/elm/",),
    "learners": ("http://data.europa.eu/snb/model/elm/",),
    "statistics": ("http://purl.org/linked-data/cube#",),
    "research": ("http://data.europa.eu/s66#",),
    "consent": ("https://w3id.org/dpv#",),
    "provenance": ("http://www.w3.org/ns/prov#",),
}
ALIGNMENT = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)

# Where to look up an external term: the copied vocabulary, or rdflib's term list.
COPIES = {
    "http://www.w3.org/ns/dcat#": ["dcat/dcat3.ttl"],
    "https://w3id.org/dpv#": ["dpv/dpv.ttl"],
    "https://w3id.org/dpv/sector/education#": ["dpv/sector-education.ttl"],
    "http://data.europa.eu/esco/model#": ["esco_model/esco-model.ttl"],
    "http://data.europa.eu/snb/model/elm/": ["elm/ELM.ttl"],
    "http://data.europa.eu/s66#": ["eurio/eurio-2.5.ttl"],
    "http://purl.org/linked-data/cube#": ["qb/cube.ttl"],
}
RDFLIB_TERM_LISTS = {str(ns): ns for ns in (DCTERMS, FOAF, PROV, SKOS, VANN)}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return merge(MODULES)


def sg_terms(graph: Graph) -> set[URIRef]:
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
        RDFS.Class,
        RDF.Property,
    )
    return {
        s
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(SG_NS)
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_each_module_is_an_owl_ontology_with_title_and_licence(path: Path) -> None:
    graph = Graph().parse(path)
    ontologies = list(graph.subjects(RDF.type, OWL.Ontology))
    assert len(ontologies) == 1, f"{path.name}: expected one owl:Ontology header"
    header = ontologies[0]
    assert graph.value(header, DCTERMS.title) is not None
    assert graph.value(header, DCTERMS.license) is not None


def test_every_sg_term_has_english_label_comment_and_defining_module(ontology: Graph) -> None:
    terms = sg_terms(ontology)
    assert len(terms) > 60
    headers = set(ontology.subjects(RDF.type, OWL.Ontology))
    problems = []
    for term in sorted(terms):
        for prop in (RDFS.label, RDFS.comment):
            values = [
                v
                for v in ontology.objects(term, prop)
                if isinstance(v, Literal) and v.language == "en" and str(v).strip()
            ]
            if len(values) != 1:
                problems.append(f"{term}: {len(values)} {prop.n3()}@en (expected 1)")
        defined_by = set(ontology.objects(term, RDFS.isDefinedBy))
        if len(defined_by) != 1 or not defined_by <= headers:
            problems.append(f"{term}: rdfs:isDefinedBy {defined_by} is not one module header")
    assert not problems, "\n".join(problems)


def test_every_sg_term_is_declared_with_an_owl_type(ontology: Graph) -> None:
    used = {
        t
        for triple in ontology
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(SG_NS)
    }
    assert used - sg_terms(ontology) == set()


@pytest.mark.parametrize("module", sorted(STANDARD_OF_MODULE))
def test_each_topic_module_aligns_with_its_standard(module: str) -> None:
    graph = Graph().parse(ONTOLOGY_DIR / f"{module}.ttl")
    targets = {
        str(o) for p in ALIGNMENT for s, o in graph.subject_objects(p) if isinstance(o, URIRef)
    }
    expected = STANDARD_OF_MODULE[module]
    assert any(t.startswith(expected) for t in targets), (
        f"{module}.ttl aligns nothing with {expected}; it aligns with {sorted(targets)}"
    )


def test_declared_external_terms_exist_in_their_vocabularies() -> None:
    declared = {
        s
        for s in Graph().parse(DECLARATIONS).subjects()
        if isinstance(s, URIRef) and not str(s).startswith("https://w3id.org/skillsgraph/")
    }
    copies: dict[str, set[URIRef]] = {}
    missing = []
    for term in sorted(declared):
        iri = str(term)
        namespace = next((ns for ns in (*COPIES, *RDFLIB_TERM_LISTS) if iri.startswith(ns)), None)
        if namespace is None and iri.startswith("http://schema.org/"):
            # rdflib's SDO lists schema.org's terms under https://schema.org/
            if "https" + iri.removeprefix("http") not in SDO:
                missing.append(iri)
            continue
        assert namespace is not None, f"{iri}: no copy or term list to check it against"
        if namespace in RDFLIB_TERM_LISTS:
            if iri not in RDFLIB_TERM_LISTS[namespace]:
                missing.append(iri)
            continue
        if namespace not in copies:
            vocabulary = Graph()
            for name in COPIES[namespace]:
                vocabulary.parse(EXTERNAL_DIR / name)
            copies[namespace] = set(vocabulary.subjects())
        if term not in copies[namespace]:
            missing.append(iri)
    assert not missing, f"declared but not defined by their vocabulary: {missing}"


def test_every_external_copy_has_its_source_and_attribution() -> None:
    folders = [p for p in EXTERNAL_DIR.iterdir() if p.is_dir()]
    assert {p.name for p in folders} >= {"dcat", "dpv", "elm", "esco_model", "eurio", "qb"}
    for folder in folders:
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "http" in source and "icen" in source, f"{folder}/SOURCE.md lacks origin or licence"
        for ttl in folder.glob("*.ttl"):
            assert ttl.name in source, f"{ttl} is not described in {folder}/SOURCE.md"


def test_generated_namespace_module_is_up_to_date(tmp_path: Path) -> None:
    output = tmp_path / "namespaces_sg.py"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_namespaces.py"), str(output)],
        check=True,
        cwd=ROOT,
    )
    current = (ROOT / "skillsgraph" / "namespaces_sg.py").read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == current, (
        "skillsgraph/namespaces_sg.py is stale: run scripts/generate_namespaces.py"
    )


def test_sg_namespace_fails_on_unknown_terms() -> None:
    assert str(SG.Ingest) == SG_NS + "Ingest"
    with pytest.raises(AttributeError):
        SG.NoSuchTerm  # noqa: B018


# --- HermiT --------------------------------------------------------------------------


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class() -> None:
    report = check_ontology()
    assert report.consistent
    assert report.unsatisfiable == ()
    assert report.classes > 40
    assert set(report.files) == set(ontology_files())


def test_hermit_finds_the_ontology_consistent_with_the_real_dpv() -> None:
    """The consent module subclasses DPV's terms; with DPV itself loaded it stays consistent."""
    report = check_ontology([*ontology_files(), EXTERNAL_DIR / "dpv" / "dpv.ttl"])
    assert report.ok


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + body,
        encoding="utf-8",
    )
    return path


def test_hermit_reports_an_unsatisfiable_class(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.ttl",
        """
        ex:A a owl:Class ; owl:disjointWith ex:B . ex:B a owl:Class .
        ex:C a owl:Class ; rdfs:subClassOf ex:A , ex:B .
    """,
    )
    report = check_ontology([path])
    assert report.consistent
    assert report.unsatisfiable == ("http://example.org/C",)
    assert not report.ok


def test_hermit_reports_an_inconsistent_ontology(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.ttl",
        """
        ex:A a owl:Class ; owl:disjointWith ex:B . ex:B a owl:Class .
        ex:i a owl:NamedIndividual , ex:A , ex:B .
    """,
    )
    report = check_ontology([path])
    assert report.consistent is False
    assert not report.ok


def test_a_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.ttl", "ex:A a owl:Class ; ex:p .\n")
    with pytest.raises(ReasoningError, match=r"broken\.ttl"):
        check_ontology([path])


def test_missing_java_is_a_clear_error() -> None:
    with pytest.raises(ReasoningError, match=r"ensure-java\.sh"):
        check_ontology(java="/nonexistent/java")
