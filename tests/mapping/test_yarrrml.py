"""The YARRRML compiler: each form builds the right model, each mistake a precise error."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from skillsgraph.errors import MappingError, NotFoundError
from skillsgraph.mapping.model import (
    Equality,
    JoinCondition,
    Location,
    Mapping,
    PredicateObjectMap,
    Reference,
    ReferencingObjectMap,
    Source,
    Template,
    TermMap,
    TriplesMap,
)
from skillsgraph.mapping.yarrrml import compile_yarrrml, compile_yarrrml_text

ESCO = "http://data.europa.eu/esco/model#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SG = "https://w3id.org/skillsgraph/ontology#"
EX = "http://ex.org/"


class Doc:
    """A YARRRML file written to tmp_path, with a way to find the line of a piece of text."""

    def __init__(self, tmp_path: Path, text: str, name: str = "m.yml") -> None:
        self.text = textwrap.dedent(text).lstrip("\n")
        self.path = tmp_path / name
        self.path.write_text(self.text, encoding="utf-8")

    def line(self, needle: str, nth: int = 1) -> int:
        hits = [i for i, line in enumerate(self.text.splitlines(), 1) if needle in line]
        return hits[nth - 1]

    def at(self, needle: str, nth: int = 1) -> Location:
        return Location(self.path, self.line(needle, nth))

    def compile(self) -> Mapping:
        return compile_yarrrml(self.path)

    def error(self) -> str:
        with pytest.raises(MappingError) as info:
            self.compile()
        return str(info.value)


def iri(where: Location, value: str) -> TermMap:
    return TermMap(where, "iri", constant=value)


# --- a realistic mapping -------------------------------------------------------------

ESCO_SKILLS = r"""
prefixes:
  escoskill: http://data.europa.eu/esco/skill/
sources:
  skills-csv:
    access: data/skills_en.csv
    referenceFormulation: csv
mappings:
  skills:
    sources: skills-csv
    s: $(conceptUri)
    g: sg:graph/esco
    po:
      - [a, esco:Skill]
      - [a, skos:Concept]
      - [skos:prefLabel, $(preferredLabel), en~lang]
      - p: skos:altLabel
        o: {value: $(altLabels), language: en, split: "\n"}
      - [esco:skillType, $(skillType)~iri]
      - [dcterms:modified, $(modifiedDate), xsd:dateTime]
  relations:
    source: [data/occupationSkillRelations_en.csv~csv]
    s: $(occupationUri)
    po:
      - p: esco:hasEssentialSkill
        o:
          mapping: skills
          condition:
            function: equal
            parameters:
              - [str1, $(skillUri)]
              - [str2, $(conceptUri)]
"""


def test_esco_skills_compile_to_the_model(tmp_path: Path) -> None:
    doc = Doc(tmp_path, ESCO_SKILLS)
    mapping = doc.compile()
    assert mapping.file == doc.path
    assert [tm.name for tm in mapping.triples_maps] == ["skills", "relations"]
    assert mapping.prefixes["escoskill"] == "http://data.europa.eu/esco/skill/"
    assert mapping.prefixes["esco"] == ESCO
    skills = mapping.get("skills")
    assert skills == TriplesMap(
        name="skills",
        where=doc.at("skills:"),
        source=Source(doc.at("access:"), (tmp_path / "data" / "skills_en.csv").resolve(), "csv"),
        subject=TermMap(doc.at("s: $(conceptUri)"), "iri", reference="conceptUri"),
        classes=(ESCO + "Skill", SKOS + "Concept"),
        predicate_objects=(
            PredicateObjectMap(
                doc.at("skos:prefLabel"),
                (iri(doc.at("skos:prefLabel"), SKOS + "prefLabel"),),
                (
                    TermMap(
                        doc.at("skos:prefLabel"),
                        "literal",
                        reference="preferredLabel",
                        language="en",
                    ),
                ),
            ),
            PredicateObjectMap(
                doc.at("p: skos:altLabel"),
                (iri(doc.at("p: skos:altLabel"), SKOS + "altLabel"),),
                (
                    TermMap(
                        doc.at("$(altLabels)"),
                        "literal",
                        reference="altLabels",
                        language="en",
                        split="\n",
                    ),
                ),
            ),
            PredicateObjectMap(
                doc.at("esco:skillType"),
                (iri(doc.at("esco:skillType"), ESCO + "skillType"),),
                (TermMap(doc.at("esco:skillType"), "iri", reference="skillType"),),
            ),
            PredicateObjectMap(
                doc.at("dcterms:modified"),
                (iri(doc.at("dcterms:modified"), "http://purl.org/dc/terms/modified"),),
                (
                    TermMap(
                        doc.at("dcterms:modified"),
                        "literal",
                        reference="modifiedDate",
                        datatype=XSD + "dateTime",
                    ),
                ),
            ),
        ),
        graphs=(iri(doc.at("g: sg:graph/esco"), SG + "graph/esco"),),
    )


def test_esco_relations_join_the_skills(tmp_path: Path) -> None:
    doc = Doc(tmp_path, ESCO_SKILLS)
    relations = doc.compile().get("relations")
    expected_path = (tmp_path / "data" / "occupationSkillRelations_en.csv").resolve()
    assert relations.source == Source(doc.at("source: [data/occ"), expected_path, "csv")
    assert relations.classes == ()
    (pom,) = relations.predicate_objects
    assert pom.predicates == (iri(doc.at("esco:hasEssentialSkill"), ESCO + "hasEssentialSkill"),)
    assert pom.objects == (
        ReferencingObjectMap(
            doc.at("mapping: skills"),
            "skills",
            (JoinCondition(child="skillUri", parent="conceptUri"),),
        ),
    )


# --- short forms ---------------------------------------------------------------------


def test_predicate_object_short_forms(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        r"""
        prefixes:
          ex: http://ex.org/
        mappings:
          people:
            sources: [[people.csv~csv]]
            subject: ex:person/$(id)~iri
            predicateobjects:
              - [[ex:name, ex:label], $(name)]
              - [ex:nick, [$(nick1), $(nick2)]]
              - [ex:born, $(born), http://www.w3.org/2001/XMLSchema#date]
              - [ex:page, http://ex.org/page/$(id)~iri]
              - [ex:id, urn:person:$(id)~iri]
              - [ex:price, \$($(amount)) EUR]
              - [ex:version, 2]
              - [ex:mixed, [[$(n), xsd:integer], [$(t), fr-BE~lang]]]
              - [a, $(kind)]
        """,
    )
    tm = doc.compile().get("people")
    at = doc.at
    assert tm.subject == TermMap(
        at("subject:"), "iri", template=Template((EX + "person/", Reference("id")))
    )
    assert tm.classes == ()
    poms = tm.predicate_objects
    assert poms[0].predicates == (iri(at("ex:name"), EX + "name"), iri(at("ex:name"), EX + "label"))
    assert poms[0].objects == (TermMap(at("ex:name"), "literal", reference="name"),)
    assert poms[1].objects == (
        TermMap(at("ex:nick"), "literal", reference="nick1"),
        TermMap(at("ex:nick"), "literal", reference="nick2"),
    )
    assert poms[2].objects == (
        TermMap(at("ex:born"), "literal", reference="born", datatype=XSD + "date"),
    )
    assert poms[3].objects == (
        TermMap(at("ex:page"), "iri", template=Template((EX + "page/", Reference("id")))),
    )
    assert poms[4].objects == (
        TermMap(at("ex:id"), "iri", template=Template(("urn:person:", Reference("id")))),
    )
    assert poms[5].objects == (
        TermMap(at("ex:price"), "literal", template=Template(("$(", Reference("amount"), ") EUR"))),
    )
    assert poms[6].objects == (TermMap(at("ex:version"), "literal", constant="2"),)
    assert poms[7].objects == (
        TermMap(at("ex:mixed"), "literal", reference="n", datatype=XSD + "integer"),
        TermMap(at("ex:mixed"), "literal", reference="t", language="fr-BE"),
    )
    assert poms[8].predicates == (iri(at("[a, $(kind)]"), RDF_TYPE),)
    assert poms[8].objects == (TermMap(at("[a, $(kind)]"), "iri", reference="kind"),)


def test_long_forms_types_and_graphs(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        prefixes:
          ex: http://ex.org/
          schema: https://schema.org/
        mappings:
          people:
            source:
              access: /abs/people.json
              referenceFormulation: jsonpath
              iterator: "$.people[*]"
            s: ex:$(id)
            graph: [ex:g1, ex:graph/$(year)]
            allowEmpty: true
            po:
              - predicates: schema:knows
                objects:
                  - value: $(friend)
                    type: iri
                  - {value: node$(id), type: blanknode}
                  - {value: Hello, datatype: xsd:string}
                graphs: ex:g2
              - p: schema:name
                o: [$(first), $(last)]
                language: nl
        """,
    )
    tm = doc.compile().get("people")
    json_source = Source(
        doc.at("access: /abs"), Path("/abs/people.json"), "json", iterator="$.people[*]"
    )
    assert tm.source == json_source
    assert tm.allow_empty is True
    assert tm.graphs == (
        iri(doc.at("graph:"), EX + "g1"),
        TermMap(doc.at("graph:"), "iri", template=Template((EX + "graph/", Reference("year")))),
    )
    knows, name = tm.predicate_objects
    assert knows.predicates == (
        iri(doc.at("predicates: schema:knows"), "https://schema.org/knows"),
    )
    assert knows.objects == (
        TermMap(doc.at("value: $(friend)"), "iri", reference="friend"),
        TermMap(doc.at("node$(id)"), "blank", template=Template(("node", Reference("id")))),
        TermMap(doc.at("Hello"), "literal", constant="Hello", datatype=XSD + "string"),
    )
    assert knows.graphs == (iri(doc.at("graphs: ex:g2"), EX + "g2"),)
    assert name.objects == (
        TermMap(doc.at("o: [$(first)"), "literal", reference="first", language="nl"),
        TermMap(doc.at("o: [$(first)"), "literal", reference="last", language="nl"),
    )


def test_join_conditions_in_every_spelling(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        mappings:
          parent:
            source: [p.csv~csv]
            s: sg:p/$(id)
          child:
            source: [c.csv~csv]
            s: sg:c/$(id)
            po:
              - p: sg:rel
                o:
                  - mapping: parent
                  - mapping: [parent]
                    conditions:
                      - function: equal
                        parameters: [[str1, $(a), o], [str2, $(b), s]]
                      - fn: equal
                        pms:
                          - {parameter: str1, value: $(c)}
                          - {pm: str2, v: $(d), from: object}
        """,
    )
    (pom,) = doc.compile().get("child").predicate_objects
    assert pom.objects == (
        ReferencingObjectMap(doc.at("- mapping: parent"), "parent"),
        ReferencingObjectMap(
            doc.at("- mapping: [parent]"),
            "parent",
            (JoinCondition(child="b", parent="a"), JoinCondition(child="c", parent="d")),
        ),
    )


def test_sources_resolve_against_the_mapping_file(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    doc = Doc(
        tmp_path,
        """
        mappings:
          jobs:
            sources:
              - access: ../data/jobs.tsv
                referenceFormulation: csv
                delimiter: "\\t"
                encoding: latin-1
            s: sg:job/$(id)
        """,
        name="maps/jobs.yml",
    )
    source = doc.compile().get("jobs").source
    assert source == Source(
        doc.at("access:"), (tmp_path / "data" / "jobs.tsv").resolve(), "csv", "\t", "latin-1"
    )
    assert source.path.is_absolute()


def test_text_is_compiled_relative_to_the_given_file(tmp_path: Path) -> None:
    text = "mappings:\n  m:\n    source: [in.json~json]\n    s: sg:$(id)\n"
    mapping = compile_yarrrml_text(text, tmp_path / "sub" / "m.yml")
    tm = mapping.get("m")
    assert tm.source == Source(
        Location(tmp_path / "sub" / "m.yml", 3), (tmp_path / "sub" / "in.json").resolve(), "json"
    )
    assert tm.subject.where == Location(tmp_path / "sub" / "m.yml", 4)


def test_several_sources_make_several_triples_maps(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        mappings:
          skills:
            sources:
              - [skills_en.csv~csv]
              - [skills_nl.csv~csv]
              - [skills.json~json, "$[*]"]
            s: sg:skill/$(id)
            po:
              - [a, esco:Skill]
        """,
    )
    maps = doc.compile().triples_maps
    assert [tm.name for tm in maps] == ["skills", "skills[2]", "skills[3]"]
    assert [tm.source.path.name for tm in maps] == ["skills_en.csv", "skills_nl.csv", "skills.json"]
    assert maps[2].source.iterator == "$[*]"
    assert {tm.subject for tm in maps} == {maps[0].subject}
    assert all(tm.classes == (ESCO + "Skill",) for tm in maps)


def test_declared_prefixes_override_defaults_and_base_resolves_constants(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        prefixes:
          schema: https://schema.org/
        base: http://ex.org/data/
        mappings:
          m:
            source: [x.csv~csv]
            s: item/$(id)
            po:
              - [schema:name, $(name)]
              - [schema:about, topic/a~iri]
              - [a, Thing]
        """,
    )
    mapping = doc.compile()
    assert mapping.base == "http://ex.org/data/"
    assert mapping.prefixes["schema"] == "https://schema.org/"
    tm = mapping.get("m")
    assert tm.subject.template == Template(("item/", Reference("id")))
    assert tm.predicate_objects[0].predicates[0].constant == "https://schema.org/name"
    assert tm.predicate_objects[1].objects == (
        iri(doc.at("topic/a"), "http://ex.org/data/topic/a"),
    )
    assert tm.classes == ("http://ex.org/data/Thing",)


def test_class_with_a_graph_stays_a_predicate_object_map(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        mappings:
          m:
            source: [x.csv~csv]
            s: sg:$(id)
            po:
              - {p: a, o: esco:Skill, g: sg:g}
        """,
    )
    tm = doc.compile().get("m")
    assert tm.classes == ()
    (pom,) = tm.predicate_objects
    assert pom.objects == (iri(doc.at("p: a"), ESCO + "Skill"),)


# --- errors --------------------------------------------------------------------------


def assert_error(doc: Doc, needle: str, *fragments: str, mapping: str | None = "m") -> None:
    message = doc.error()
    label = f" mapping {mapping!r}:" if mapping else ""
    assert message.startswith(f"{doc.path}:{doc.line(needle)}:{label} "), message
    for fragment in fragments:
        assert fragment in message, message


MINIMAL = """
mappings:
  m:
    source: [x.csv~csv]
    s: sg:$(id)
    po:
      - {po}
"""


def po_doc(tmp_path: Path, po: str) -> Doc:
    return Doc(tmp_path, MINIMAL.replace("{po}", po))


def test_unknown_top_level_key(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "prefixes: {}\nmapings:\n  m: {}\n")
    assert_error(
        doc,
        "mapings",
        "unknown key 'mapings'",
        "expected one of: prefixes, base, sources, mappings",
        "did you mean 'mappings'?",
        mapping=None,
    )


def test_unknown_mapping_key(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "mappings:\n  skills:\n    sourcse: [x.csv~csv]\n    s: sg:$(id)\n")
    message = doc.error()
    assert message.startswith(
        f"{doc.path}:3: mapping 'skills': unknown key 'sourcse' in a mapping; "
        "expected one of: sources, source, subject, s, subjects, po, predicateobjects, "
        "graphs, graph, g, allowEmpty (did you mean 'source'?)"
    )


def test_two_subjects(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "mappings:\n  m:\n    source: [x.csv~csv]\n    s: [sg:$(a), sg:$(b)]\n")
    assert_error(doc, "s: [", "a triples map has exactly one subject, found 2")


def test_subject_and_its_alias_together(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path, "mappings:\n  m:\n    source: [x.csv~csv]\n    s: sg:a\n    subject: sg:b\n"
    )
    assert_error(doc, "subject:", "'subject' repeats 's'")


@pytest.mark.parametrize(
    "po",
    ["[sg:label, $(label), en_GB~lang]", "{p: sg:label, o: {value: $(label), language: en_GB}}"],
)
def test_bad_language_tag(tmp_path: Path, po: str) -> None:
    doc = po_doc(tmp_path, po)
    assert_error(doc, "sg:label", "invalid language tag 'en_GB'", "BCP 47 such as en or en-GB")


def test_language_from_a_column(tmp_path: Path) -> None:
    doc = po_doc(tmp_path, "[sg:label, $(label), $(lang)~lang]")
    assert_error(doc, "sg:label", "language from a column is not supported yet", "$(lang)")


def test_undeclared_prefix(tmp_path: Path) -> None:
    doc = po_doc(tmp_path, "[exx:name, $(name)]")
    assert_error(doc, "exx:name", "undeclared prefix 'exx'", "prefixes:")


def test_missing_parent_mapping(tmp_path: Path) -> None:
    doc = po_doc(tmp_path, "{p: sg:rel, o: {mapping: skils}}")
    assert_error(doc, "skils", "mapping 'skils', which does not exist", "known: m")


def test_join_to_a_mapping_with_several_sources(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        mappings:
          multi:
            sources: [[a.csv~csv], [b.csv~csv]]
            s: sg:$(id)
          m:
            source: [x.csv~csv]
            s: sg:$(id)
            po:
              - {p: sg:rel, o: {mapping: multi}}
        """,
    )
    assert_error(doc, "mapping: multi", "'multi', which has 2 sources", "exactly one source")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "mappings:\n  m:\n    source: [x.csv~csv]\n    s: sg:a\n    s: sg:b\n")
    assert_error(doc, "s: sg:b", "duplicate key 's' in a mapping (first at line 4)")


def test_duplicate_mapping_name(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "mappings:\n  m: {source: [x.csv~csv], s: sg:a}\n  m: {}\n")
    assert_error(doc, "m: {}", "duplicate key 'm' in mappings (first at line 2)", mapping=None)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "mappings:\n  m:\n    source: [x.csv~csv\n    s: sg:a\n")
    message = doc.error()
    assert message.startswith(f"{doc.path}:4: invalid YAML: "), message
    assert "expected ',' or ']'" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yml"
    with pytest.raises(NotFoundError) as info:
        compile_yarrrml(path)
    assert str(info.value).startswith(f"{path}: mapping file not found")


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_bytes(b"mappings:\n  caf\xe9: {}\n")
    with pytest.raises(MappingError, match=r"m\.yml:2: the mapping is not valid UTF-8"):
        compile_yarrrml(path)


def test_relative_iri_without_base(tmp_path: Path) -> None:
    doc = po_doc(tmp_path, "[sg:page, pages/home~iri]")
    assert_error(doc, "pages/home", "relative IRI 'pages/home' cannot be resolved: declare base:")


@pytest.mark.parametrize(
    ("text", "needle", "fragments"),
    [
        (
            "mappings:\n  m:\n    source: [x.csv~csv]\n    s: 12\n",
            "s: 12",
            ["expected the subject as a string, found the number 12 (quote it)"],
        ),
        (
            "mappings:\n  m:\n    source: [x.csv~csv]\n    s: sg:a\n    po: {p: sg:x}\n",
            "po:",
            ["expected po: as a list of [p, o] entries, found a mapping"],
        ),
        (
            "mappings:\n  m:\n    source: [x.csv~csv]\n    s: sg:a\n    allowEmpty: yes please\n",
            "allowEmpty",
            ["expected allowEmpty: true or false, found the string 'yes please'"],
        ),
        (
            "mappings:\n  m:\n    source: [x.xml~xpath]\n    s: sg:a\n",
            "source:",
            ["unsupported reference formulation 'xpath'; expected csv or json"],
        ),
        (
            "mappings:\n  m:\n    source: people\n    s: sg:a\n",
            "source:",
            ["unknown source 'people' (declared sources: none)"],
        ),
        (
            "mappings:\n  m:\n    source: [x.csv~csv, $.a]\n    s: sg:a\n",
            "source:",
            ["iterators are for JSON"],
        ),
        (
            "mappings:\n  m:\n    source: [x.csv~csv]\n",
            "m:",
            ["no subject; expected e.g. 's: ex:$(id)'"],
        ),
        ("mappings:\n  m:\n    s: sg:a\n", "m:", ["no sources: given"]),
        (
            "mappings:\n  m:\n    source: [x.csv~csv]\n    s: sg:$(id\n",
            "s: sg:",
            ["unclosed $( in 'sg:$(id'"],
        ),
    ],
)
def test_wrong_shapes(tmp_path: Path, text: str, needle: str, fragments: list[str]) -> None:
    assert_error(Doc(tmp_path, text), needle, *fragments)


@pytest.mark.parametrize(
    ("po", "fragments"),
    [
        ("[sg:x, $(a)~iri, xsd:date]", ["a datatype applies to literals only", "'$(a)' is an IRI"]),
        ("{p: sg:x, o: {value: fixed, split: ';'}}", ["split: needs a $(column)", "'fixed'"]),
        ("{p: sg:x, o: {value: $(a), type: uri}}", ["unknown object type 'uri'"]),
        (
            "{p: sg:x, o: {function: grel:toUpper}}",
            ["unknown function 'grel:toUpper'", "did you mean", "grel.ttl#toUpperCase"],
        ),
        ("[sg:x]", ["a po entry has 1 items; expected [predicate, object]"]),
        ("[sg:x, $(a), $(dt)]", ["datatype from a column is not supported yet"]),
        (
            "{p: sg:x, o: {mapping: m, condition: {function: equal, parameters: [[str1, a], "
            "[str2, $(b)]]}}}",
            ["a join value is one $(column) reference, found 'a'"],
        ),
        (
            "{p: sg:x, o: {mapping: m, condition: {function: concat, parameters: []}}}",
            ["unsupported join function 'concat'; expected equal"],
        ),
        (
            "{p: sg:x, o: {mapping: m, condition: {function: equal, parameters: [[str1, $(a)], "
            "[str1, $(b)]]}}}",
            ["one child (str1, s) and one parent (str2, o)"],
        ),
        ("{p: sg:x, o: {mapping: m, value: $(a)}}", ["takes only condition:, found value"]),
    ],
)
def test_wrong_objects(tmp_path: Path, po: str, fragments: list[str]) -> None:
    assert_error(po_doc(tmp_path, po), "- " + po[:6], *fragments)


def test_empty_document(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "# nothing\n")
    with pytest.raises(MappingError, match=r"m\.yml:1: expected a YARRRML document"):
        doc.compile()


def test_error_in_a_named_source_names_the_source(tmp_path: Path) -> None:
    doc = Doc(tmp_path, "sources:\n  people:\n    acces: x.csv\nmappings:\n  m: {}\n")
    assert_error(doc, "acces", "unknown key 'acces' in a source", mapping=None)
    assert f"{doc.path}:3: source 'people': " in doc.error()


def test_po_condition_compiles_to_an_equality(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        mappings:
          m:
            source: [x.csv~csv]
            s: sg:$(id)
            po:
              - p: sg:type
                o: {value: sg:Skill, type: iri}
                condition:
                  function: equal
                  parameters: [[str1, $(type)], [str2, skill]]
        """,
    )
    pom = doc.compile().triples_maps[0].predicate_objects[0]
    assert pom.conditions == (Equality("type", "skill"),)


def test_po_condition_needs_one_column_and_one_constant(tmp_path: Path) -> None:
    doc = Doc(
        tmp_path,
        """
        mappings:
          m:
            source: [x.csv~csv]
            s: sg:$(id)
            po:
              - p: sg:type
                o: {value: sg:Skill, type: iri}
                condition:
                  function: equal
                  parameters: [[str1, $(type)], [str2, $(other)]]
        """,
    )
    assert_error(doc, "parameters:", "compares one $(column) with one constant value")
