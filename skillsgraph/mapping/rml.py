"""Compile RML mappings written in Turtle (the legacy RML vocabulary) into the mapping model.

Read: ``rml:logicalSource`` (``rml:source``: a file path, relative to the mapping's folder;
``rml:referenceFormulation`` ``ql:CSV`` or ``ql:JSONPath``; ``rml:iterator``; ``rml:null``)
and the R2RML terms: subject, predicate, object and graph maps in their long (``rr:subjectMap``) and
constant short forms (``rr:subject``), ``rr:constant``, ``rml:reference`` (and ``rr:column``,
read the same way), ``rr:template``, ``rr:termType``, ``rr:language``, ``rr:datatype``,
``rr:class``, ``rr:graph``/``rr:graphMap`` (``rr:defaultGraph`` included), and
``rr:parentTriplesMap`` with ``rr:joinCondition``; functions as legacy RML-FNML
``fnml:functionValue`` (:mod:`.rml_functions`). Triples maps keep the order they are written
in; each is named by its IRI's local part (``TriplesMap1``), or by the full IRI when two
share a local part. An unknown ``rr:``/``rml:`` property is an error ("did you mean").

Base IRI. R2RML resolves relative IRIs in generated terms (a ``{Name}`` template whose value
is ``Bob``) against the base IRI given to the processor: that is ``base``; without it, the
document's ``@base`` (as RMLMapper does, and as the YARRRML parser relies on, since it writes
YARRRML's ``base:`` as ``@base``); without either, such values are rejected. When the
document declares no ``@base``, ``base`` also resolves relative IRIs written in it; a relative
IRI in a constant, class or datatype with no base at all is an error.

Null values. ``rml:null "NA"`` (one or more) says which values of the source mean "no
value": a cell or JSON value equal to one, as a whole, gives no term, as an empty cell or a
JSON ``null`` does. RML-IO defines ``rml:null`` on the ``rml:Source`` description; here
``rml:source`` is a path, so ``rml:null`` is written on the logical source itself.

Lines: every model node carries the line its Turtle was written at (:mod:`.turtle_lines`);
every error is a :class:`MappingError` naming file, line, triples map, what was found and
what was expected.

>>> text = '''@prefix rr: <http://www.w3.org/ns/r2rml#> .
... @prefix rml: <http://semweb.mmlab.be/ns/rml#> .
... @prefix ql: <http://semweb.mmlab.be/ns/ql#> .
... <#People> rml:logicalSource [ rml:source "people.csv"; rml:referenceFormulation ql:CSV ];
...   rr:subjectMap [ rr:template "http://ex.org/{id}"; rr:class <http://ex.org/Person> ];
...   rr:predicateObjectMap [ rr:predicate <http://ex.org/name>;
...                           rr:objectMap [ rml:reference "name"; rr:language "en" ] ] .
... '''
>>> tm = compile_rml_text(text, Path("/data/m.rml.ttl")).get("People")
>>> tm.source.path, tm.classes, tm.where.line, tm.predicate_objects[0].objects[0].where.line
(PosixPath('/data/people.csv'), ('http://ex.org/Person',), 4, 7)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import pyoxigraph as ox

from skillsgraph.errors import MappingError
from skillsgraph.mapping import read_mapping_text
from skillsgraph.mapping.functions import FunctionRegistry, default_registry
from skillsgraph.mapping.model import (
    JoinCondition,
    Mapping,
    ObjectMap,
    PredicateObjectMap,
    ReferencingObjectMap,
    Source,
    SourceFormat,
    Template,
    TermMap,
    TermType,
    TriplesMap,
)
from skillsgraph.mapping.rml_context import FNML, NO_BASE, QL, RML, RR, Context, short
from skillsgraph.mapping.rml_functions import function_call
from skillsgraph.mapping.turtle_lines import RDF_TYPE, Node, Term, TurtleDocument, read_turtle

__all__ = ["QL", "RML", "RR", "compile_rml", "compile_rml_text"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Role = Literal["subject", "predicate", "object", "graph", "argument"]

_FORMULATIONS: dict[str, SourceFormat] = {QL + "CSV": "csv", QL + "JSONPath": "json"}
_SUFFIXES: dict[str, SourceFormat] = {".csv": "csv", ".json": "json", ".jsonl": "json"}
_TERM_TYPES: dict[str, TermType] = {
    RR + "IRI": "iri",
    RR + "BlankNode": "blank",
    RR + "Literal": "literal",
}
_ALLOWED_TYPES: dict[Role, tuple[TermType, ...]] = {
    "subject": ("iri", "blank"),
    "predicate": ("iri",),
    "graph": ("iri",),
    "object": ("iri", "blank", "literal"),
    "argument": ("literal",),
}
_WAYS = (RR + "constant", RML + "reference", RR + "column", RR + "template", FNML + "functionValue")
_LONG_FORMS = {RR + p: f"rr:{p}Map" for p in ("subject", "predicate", "object", "graph")}
_MARKS = (
    RML + "logicalSource",
    *(RR + p for p in ("logicalTable", "subjectMap", "subject", "predicateObjectMap")),
)


# BCP 47 (RFC 5646 section 2.1) well-formed tags whose primary language subtag has the 2 or 3
# letters of ISO 639: the IANA registry holds no longer ones, so "english" is refused.
_LANGUAGE_TAG = re.compile(
    r"""(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?
         (?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*
         (?:-x(?:-[a-z\d]{1,8})+)?
       |x(?:-[a-z\d]{1,8})+|i-[a-z]{2,8})""",
    re.IGNORECASE | re.VERBOSE,
)


def compile_rml(
    path: Path, *, base: str | None = None, functions: FunctionRegistry | None = None
) -> Mapping:
    """Read an RML Turtle file (UTF-8) and compile it; relative sources resolve against its
    folder. ``base``: the base IRI for relative IRIs (see the module documentation)."""
    text = read_mapping_text(path, "an RML Turtle")
    return compile_rml_text(text, path, base=base, functions=functions)


def compile_rml_text(
    text: str,
    file: Path,
    *,
    base: str | None = None,
    functions: FunctionRegistry | None = None,
) -> Mapping:
    """Compile RML Turtle text; ``file`` is named in messages and anchors relative sources."""
    doc = read_turtle(text, file, base_iri=base or NO_BASE)
    nodes = _triples_map_nodes(doc)
    if not nodes:
        core = "http://w3id.org/rml/" in text
        hint = (
            " (this looks like RML-Core, http://w3id.org/rml/, not supported yet)" if core else ""
        )
        raise MappingError(
            f"{file}:1: no triples map found{hint}; expected nodes with rml:logicalSource "
            f"and rr:subjectMap (rml: <{RML}>, rr: <{RR}>)"
        )
    names = _names(nodes, doc)
    ctx = Context(
        doc, base or doc.base_iri, MappingProxyType(names), functions or default_registry()
    )
    maps = tuple(_triples_map(ctx.within(names[node]), node) for node in nodes)
    for node in doc.subjects():  # typos in nodes no triples map reaches
        ctx.check(node, None)
    return Mapping(file, maps, prefixes=doc.prefixes, base=ctx.base)


# --- triples maps ---------------------------------------------------------------------


def _triples_map_nodes(doc: TurtleDocument) -> list[Node]:
    """Subjects typed rr:TriplesMap or having a logical source, subject map or
    predicate-object map, other than function values (which have predicate-object maps)."""
    subjects = doc.subjects()
    functions = {o for s in subjects for o in doc.objects(s, FNML + "functionValue")}
    typed = ox.NamedNode(RR + "TriplesMap")
    return [
        node
        for node in subjects
        if node not in functions
        and (typed in doc.objects(node, RDF_TYPE) or any(doc.objects(node, p) for p in _MARKS))
    ]


def _names(nodes: list[Node], doc: TurtleDocument) -> dict[Node, str]:
    """Local parts of the IRIs (``TriplesMap1``), full IRIs where two local parts clash."""
    local: dict[Node, str] = {}
    for node in nodes:
        if isinstance(node, ox.BlankNode):
            local[node] = f"[] at line {doc.line(node)}"
        else:
            local[node] = re.split(r"[#/]", node.value.removeprefix(NO_BASE))[-1]
    counts = Counter(local.values())
    return {n: name if name and counts[name] == 1 else n.value for n, name in local.items()}


def _triples_map(ctx: Context, node: Node) -> TriplesMap:
    ctx.check(node, "a triples map")
    source = _source(ctx, node)
    subject, classes, graphs = _subject(ctx, node)
    poms = ctx.nodes(node, RR + "predicateObjectMap", "a predicate-object map")
    predicate_objects = tuple(_predicate_object(ctx, p, source) for p in _ordered(ctx, poms))
    # A map with neither classes nor predicate-object maps only serves as a join parent.
    parent_only = not classes and not predicate_objects
    where, name = ctx.where(node), ctx.names[node]
    return TriplesMap(name, where, source, subject, classes, predicate_objects, graphs, parent_only)


def _ordered(ctx: Context, nodes: Iterable[Node]) -> list[Node]:
    return sorted(nodes, key=lambda n: ctx.doc.line(n) or 0)


def _count_error(ctx: Context, node: Node, found: list[Term], noun: str, how: str) -> MappingError:
    lines = [ctx.doc.line(v) for v in found if isinstance(v, ox.NamedNode | ox.BlankNode)]
    at = f" (lines {', '.join(str(n) for n in lines if n)})" if len(found) > 1 else ""
    return ctx.error(node, f"a triples map needs exactly one {noun}, found {len(found)}{at}; {how}")


def _source(ctx: Context, tm: Node) -> Source:
    found = ctx.objects(tm, RML + "logicalSource")
    if len(found) != 1:
        how = (
            'expected rml:logicalSource [ rml:source "data.csv"; rml:referenceFormulation ql:CSV ]'
        )
        raise _count_error(ctx, tm, found, "rml:logicalSource", how)
    node = ctx.nodes(tm, RML + "logicalSource", "a logical source")[0]
    ctx.check(node, "a logical source")
    for value in ctx.objects(node, RML + "source"):
        if not isinstance(value, ox.Literal):
            raise ctx.error(
                node,
                f"rml:source {value} is a description, which is not supported; "
                'expected the path of a CSV or JSON file, e.g. rml:source "data.csv"',
                RML + "source",
            )
    access = ctx.string(node, RML + "source", "the path of a CSV or JSON file")
    if not access or "://" in access:
        raise ctx.error(
            node, f"unsupported rml:source {access!r}; expected a local file path", RML + "source"
        )
    fmt = _format(ctx, node, access)
    iterator = ctx.optional_string(node, RML + "iterator", "a JSONPath")
    if fmt == "csv" and iterator is not None:
        raise ctx.error(
            node,
            f"CSV source {access!r} has rml:iterator {iterator!r}; iterators are for JSON: "
            "remove it (every CSV row is a record)",
            RML + "iterator",
        )
    path = (ctx.doc.file.parent / access).resolve()
    return Source(ctx.where(node), path, fmt, iterator=iterator, nulls=_nulls(ctx, node))


def _nulls(ctx: Context, node: Node) -> frozenset[str]:
    """The values of ``rml:null``: each a literal, read by its lexical form."""
    values = ctx.objects(node, RML + "null")
    for value in values:
        if not isinstance(value, ox.Literal):
            raise ctx.error(
                node,
                f"rml:null {value} is not a literal; expected the value that means no value "
                'in the data, as a string, e.g. rml:null "NA"',
                RML + "null",
            )
    return frozenset(str(value.value) for value in values)


def _format(ctx: Context, node: Node, access: str) -> SourceFormat:
    formulations = ctx.objects(node, RML + "referenceFormulation")
    if not formulations:
        suffix = Path(access).suffix.lower()
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
        raise ctx.error(
            node,
            f"no rml:referenceFormulation for {access!r}; expected ql:CSV or ql:JSONPath",
            RML + "source",
        )
    value = formulations[0]
    if len(formulations) > 1 or value.value not in _FORMULATIONS:
        found = ", ".join(short(v.value) for v in formulations)
        raise ctx.error(
            node,
            f"unsupported rml:referenceFormulation {found}; expected ql:CSV or ql:JSONPath",
            RML + "referenceFormulation",
        )
    return _FORMULATIONS[value.value]


def _subject(ctx: Context, tm: Node) -> tuple[TermMap, tuple[str, ...], tuple[TermMap, ...]]:
    """The subject map, the classes and the graphs of a triples map."""
    maps = ctx.objects(tm, RR + "subjectMap")
    constants = ctx.objects(tm, RR + "subject")
    if len(maps) + len(constants) != 1:
        how = 'expected one rr:subjectMap [ rr:template "http://ex.org/{id}" ] or rr:subject'
        raise _count_error(ctx, tm, maps + constants, "subject map", how)
    if constants:
        return _constant(ctx, tm, RR + "subject", constants[0], "subject"), (), ()
    node = ctx.nodes(tm, RR + "subjectMap", "a subject map")[0]
    ctx.check(node, "a subject map")
    classes: list[str] = []
    for value in ctx.objects(node, RR + "class"):
        if not isinstance(value, ox.NamedNode):
            raise ctx.error(node, f"rr:class is {value}; expected a class IRI", RR + "class")
        classes.append(ctx.absolute(node, RR + "class", value.value))
    return _term_map(ctx, node, "subject"), tuple(classes), _graphs(ctx, node)


def _graphs(ctx: Context, owner: Node) -> tuple[TermMap, ...]:
    constants = [
        _constant(ctx, owner, RR + "graph", v, "graph") for v in ctx.objects(owner, RR + "graph")
    ]
    maps = [_term_map(ctx, n, "graph") for n in ctx.nodes(owner, RR + "graphMap", "a graph map")]
    return tuple(constants + maps)


# --- predicate-object maps ------------------------------------------------------------


def _predicate_object(ctx: Context, node: Node, source: Source) -> PredicateObjectMap:
    ctx.check(node, "a predicate-object map")
    predicates = [
        _constant(ctx, node, RR + "predicate", v, "predicate")
        for v in ctx.objects(node, RR + "predicate")
    ]
    for n in ctx.nodes(node, RR + "predicateMap", "a predicate map"):
        predicates.append(_term_map(ctx, n, "predicate"))
    objects: list[ObjectMap] = [
        _constant(ctx, node, RR + "object", v, "object") for v in ctx.objects(node, RR + "object")
    ]
    for n in ctx.nodes(node, RR + "objectMap", "an object map"):
        objects.append(_object_map(ctx, n, source))
    for given, names in (
        (predicates, "rr:predicate or rr:predicateMap"),
        (objects, "rr:object or rr:objectMap"),
    ):
        if not given:
            raise ctx.error(node, f"a predicate-object map needs {names}; found neither")
    return PredicateObjectMap(
        ctx.where(node), tuple(predicates), tuple(objects), _graphs(ctx, node)
    )


def _object_map(ctx: Context, node: Node, source: Source) -> ObjectMap:
    if not ctx.objects(node, RR + "parentTriplesMap"):
        return _term_map(ctx, node, "object")
    ctx.check(node, "a referencing object map")
    parents = ctx.objects(node, RR + "parentTriplesMap")
    parent = parents[0]
    if len(parents) > 1 or parent not in ctx.names:
        known = ", ".join(ctx.names.values())
        raise ctx.error(
            node,
            f"rr:parentTriplesMap {', '.join(str(p) for p in parents)} is not a triples map of "
            f"this document; expected one of: {known}",
            RR + "parentTriplesMap",
        )
    assert isinstance(parent, ox.NamedNode | ox.BlankNode)
    conditions: list[JoinCondition] = []
    for cond in _ordered(ctx, ctx.nodes(node, RR + "joinCondition", "a join condition")):
        ctx.check(cond, "a join condition")
        child = ctx.string(cond, RR + "child", "a reference of this triples map's source")
        parent_ref = ctx.string(cond, RR + "parent", "a reference of the parent's source")
        conditions.append(JoinCondition(child, parent_ref))
    name = ctx.names[parent]
    theirs = _source(ctx.within(name), parent)
    if not conditions and replace(theirs, where=source.where) != source:
        raise ctx.error(
            node,
            f"rr:parentTriplesMap {name!r} reads another source ({theirs.path.name}), so "
            'a join condition is needed: rr:joinCondition [ rr:child "..."; rr:parent "..." ] '
            "(without one, both maps must read the same records)",
            RR + "parentTriplesMap",
        )
    return ReferencingObjectMap(ctx.where(node), name, tuple(conditions))


# --- term maps ------------------------------------------------------------------------


def _term_map(ctx: Context, node: Node, role: Role) -> TermMap:
    """A subject, predicate, object, graph or function-argument map written as a node."""
    noun = {"object": "an object map", "argument": "an argument map"}.get(role, f"a {role} map")
    ctx.check(node, noun)
    ways = [(p, v) for p in _WAYS for v in ctx.objects(node, p)]
    if len(ways) != 1:
        found = ", ".join(short(p) for p, _ in ways) or "none"
        raise ctx.error(
            node,
            f"{noun} needs exactly one of rr:constant, rml:reference (or rr:column), "
            f"rr:template or fnml:functionValue; found {found}",
        )
    way, value = ways[0]
    if way == RR + "constant":
        return _constant_map(ctx, node, value, role)
    if way == FNML + "functionValue":
        return _function_map(ctx, node, value, role)
    text = ctx.string(node, way, "a reference" if way != RR + "template" else "a template")
    # R2RML: a reference makes literals by default, a template IRIs (unless typed or tagged).
    typed = bool(ctx.objects(node, RR + "language") or ctx.objects(node, RR + "datatype"))
    literal = role == "argument" or (role == "object" and (way != RR + "template" or typed))
    term_type = _term_type(ctx, node, role, "literal" if literal else "iri")
    language, datatype = _literal_options(ctx, node, term_type)
    where = ctx.where(node)
    if way != RR + "template":
        return TermMap(where, term_type, reference=text, datatype=datatype, language=language)
    try:
        template = Template.parse_braces(text, where)
    except MappingError as exc:
        raise ctx.error(node, str(exc).removeprefix(f"{where}: "), way) from exc
    return TermMap(where, term_type, template=template, datatype=datatype, language=language)


def _constant_map(ctx: Context, node: Node, value: Term, role: Role) -> TermMap:
    term = _constant(ctx, node, RR + "constant", value, role)
    if _term_type(ctx, node, role, term.term_type) != term.term_type:
        raise ctx.error(node, f"rr:termType contradicts rr:constant {value}", RR + "termType")
    if ctx.objects(node, RR + "language") or ctx.objects(node, RR + "datatype"):
        raise ctx.error(
            node,
            'a constant carries its own language or datatype: write rr:constant "text"@en '
            'or "1"^^xsd:integer instead of rr:language or rr:datatype',
        )
    return term


def _function_map(ctx: Context, node: Node, value: Term, role: Role) -> TermMap:
    """A term map whose value a function computes (literal by default, as in RML-FNML)."""
    if not isinstance(value, ox.NamedNode | ox.BlankNode):
        raise ctx.error(
            node, f"fnml:functionValue is {value}; expected [ ... ]", FNML + "functionValue"
        )
    call = function_call(ctx, value, lambda n: _term_map(ctx, n, "argument"))
    default: TermType = "literal" if role in ("object", "argument") else "iri"
    term_type = _term_type(ctx, node, role, default)
    language, datatype = _literal_options(ctx, node, term_type)
    where = ctx.where(node)
    return TermMap(where, term_type, function=call, datatype=datatype, language=language)


def _term_type(ctx: Context, node: Node, role: Role, default: TermType) -> TermType:
    values = ctx.objects(node, RR + "termType")
    if not values:
        return default
    value = values[0]
    if len(values) > 1 or value.value not in _TERM_TYPES:
        found = ", ".join(short(v.value) for v in values)
        raise ctx.error(
            node,
            f"unknown rr:termType {found}; expected rr:IRI, rr:BlankNode or rr:Literal",
            RR + "termType",
        )
    term_type = _TERM_TYPES[value.value]
    allowed = _ALLOWED_TYPES[role]
    if term_type not in allowed:
        names = {"iri": "rr:IRI", "blank": "rr:BlankNode", "literal": "rr:Literal"}
        expected = " or ".join(names[t] for t in allowed)
        what = f"a {role} cannot be a {'literal' if term_type == 'literal' else 'blank node'}"
        raise ctx.error(
            node, f"{what} (rr:termType {short(value.value)}); expected {expected}", RR + "termType"
        )
    return term_type


def _literal_options(
    ctx: Context, node: Node, term_type: TermType
) -> tuple[str | None, str | None]:
    """The checked ``rr:language`` and ``rr:datatype`` of a term map."""
    languages = ctx.objects(node, RR + "language")
    datatypes = ctx.objects(node, RR + "datatype")
    if languages and datatypes:
        raise ctx.error(
            node,
            "a literal has rr:language or rr:datatype, not both; remove one",
            RR + "language",
        )
    if (languages or datatypes) and term_type != "literal":
        given = "rr:language" if languages else "rr:datatype"
        raise ctx.error(
            node,
            f"{given} applies to literals only, but this term map makes "
            f"{'IRIs' if term_type == 'iri' else 'blank nodes'} (set rr:termType rr:Literal)",
            RR + ("language" if languages else "datatype"),
        )
    language = ctx.optional_string(node, RR + "language", "a language tag such as en")
    if language is not None:
        _check_language(ctx, node, language)
    datatype = None
    if datatypes:
        value = datatypes[0]
        if len(datatypes) > 1 or not isinstance(value, ox.NamedNode):
            raise ctx.error(node, "rr:datatype must be one datatype IRI", RR + "datatype")
        datatype = ctx.absolute(node, RR + "datatype", value.value)
    return language, datatype


def _check_language(ctx: Context, node: Node, tag: str, predicate: str = RR + "language") -> None:
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise ctx.error(
            node,
            f"invalid language tag {tag!r} in {short(predicate)}; expected a BCP 47 tag "
            "such as en, en-GB or es-419",
            predicate,
        )


def _constant(ctx: Context, owner: Node, predicate: str, value: Term, role: Role) -> TermMap:
    """A constant term: ``rr:constant`` or the ``rr:subject``/``rr:predicate``/``rr:object``/
    ``rr:graph`` short forms. A literal keeps its own language tag or datatype."""
    where = ctx.where(owner, predicate)
    if isinstance(value, ox.BlankNode):
        long_form = _LONG_FORMS.get(predicate)
        hint = f" (a {role} map written as [ ... ] goes under {long_form})" if long_form else ""
        raise ctx.error(
            owner, f"{short(predicate)} is a blank node; expected a constant IRI{hint}", predicate
        )
    if isinstance(value, ox.NamedNode):
        return TermMap(where, "iri", constant=ctx.absolute(owner, predicate, value.value))
    if role not in ("object", "argument"):
        raise ctx.error(
            owner,
            f"a {role} cannot be a literal; found {short(predicate)} {value}; expected an IRI",
            predicate,
        )
    if value.language:
        _check_language(ctx, owner, value.language, predicate)
    datatype = value.datatype.value
    plain = value.language or datatype == XSD_STRING
    return TermMap(
        where,
        "literal",
        constant=value.value,
        language=value.language,
        datatype=None if plain else datatype,
    )
