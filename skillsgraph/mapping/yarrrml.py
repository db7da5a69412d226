"""Compile YARRRML documents (https://rml.io/yarrrml/spec/) into the mapping model.

The YAML is composed into nodes (not plain Python values) so that every model object keeps
the line it was written at, and every error names file, line, triples map, what was found
and what was expected. Duplicate YAML keys, which PyYAML would silently merge, are errors.

Supported: ``prefixes``, ``base``, named ``sources`` and ``mappings`` with one subject
template, ``po`` entries in the spec's short and long forms, graphs, joins
(``mapping:`` + ``condition: {function: equal, ...}``) and our extensions ``split`` (one
object per item of a multi-valued cell), ``allowEmpty`` and, on a source written as a
mapping, ``nullValues``: a string or a list of strings that mean "no value" in that source
(RML-IO's ``rml:null``, for which YARRRML has no key). A cell or JSON value equal to one of
them, as a whole, gives no term, as an empty cell does. Constant ``rdf:type`` objects
become :attr:`TriplesMap.classes`.

>>> text = '''
... mappings:
...   skills:
...     source: [skills.csv~csv]
...     s: sg:skill/$(id)
...     po:
...       - [a, esco:Skill]
...       - [skos:prefLabel, $(label), en~lang]
... '''
>>> tm = compile_yarrrml_text(text, Path("/data/m.yml")).get("skills")
>>> tm.source.path, tm.classes, tm.subject.where.line
(PosixPath('/data/skills.csv'), ('http://data.europa.eu/esco/model#Skill',), 5)
>>> tm.predicate_objects[0].objects[0].language
'en'
"""

from __future__ import annotations

import codecs
import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from skillsgraph.errors import MappingError
from skillsgraph.mapping import read_mapping_text
from skillsgraph.mapping.functions import FunctionRegistry, default_registry
from skillsgraph.mapping.model import (
    Equality,
    FunctionCall,
    JoinCondition,
    Mapping,
    ObjectMap,
    PredicateObjectMap,
    Reference,
    ReferencingObjectMap,
    Source,
    SourceFormat,
    TermMap,
    TermType,
    TriplesMap,
)
from skillsgraph.mapping.prefixes import (
    DEFAULT_PREFIXES,
    RDF_TYPE,
    classify_iri,
    constant_iri,
)
from skillsgraph.mapping.yarrrml_nodes import (
    _TAG,
    Fields,
    Parts,
    _checked,
    _compose,
    _Ctx,
    _datatype,
    _entries,
    _fields,
    _iri_parts,
    _items,
    _kind,
    _language,
    _Literal,
    _object_type,
    _split,
    _template,
    _term,
    _text,
)

__all__ = ["compile_yarrrml", "compile_yarrrml_text"]


def _keys(*groups: str) -> dict[str, str]:
    """``"subject s subjects"`` → each of those names mapped to ``subject``."""
    return {name: group.split()[0] for group in groups for name in group.split()}


# Accepted keys: each group's first name is canonical, the others are the spec's aliases.
_TOP_KEYS = _keys("prefixes", "base", "sources", "mappings")
_MAPPING_KEYS = _keys(
    "sources source", "subject s subjects", "po predicateobjects", "graphs graph g", "allowEmpty"
)
_SOURCE_KEYS = _keys(
    "access", "referenceFormulation", "iterator", "delimiter", "encoding", "nullValues"
)
_PO_KEYS = _keys(
    "predicates p predicate",
    "objects o object",
    "graphs g graph",
    "datatype",
    "language",
    "conditions condition",
)
_OBJECT_KEYS = _keys(
    "value v",
    "type",
    "datatype",
    "language",
    "split",
    "mapping",
    "conditions condition",
    "function fn f",
    "parameters pms",
)
_FUNCTION_KEYS = _keys("function fn f", "parameters pms", "type")
_ARGUMENT_KEYS = _keys("parameter pm", "value v")
_CONDITION_KEYS = _keys("function fn f", "parameters pms")
_PARAMETER_KEYS = _keys("parameter pm", "value v", "from")
_FORMULATIONS: dict[str, SourceFormat] = {"csv": "csv", "json": "json", "jsonpath": "json"}
_SIDES = {"s": "child", "subject": "child", "o": "parent", "object": "parent"}
_PREFIX_NAME = re.compile(r"([A-Za-z_][\w\-.]*)?")

Side = Literal["child", "parent"]


def compile_yarrrml(path: Path, *, functions: FunctionRegistry | None = None) -> Mapping:
    """Read a YARRRML file (UTF-8) and compile it; relative sources resolve against its folder.

    ``functions``: the registry that ``function:`` names are checked against (default: the
    built-in functions).
    """
    text = read_mapping_text(path, "a YARRRML")
    return compile_yarrrml_text(text, path, functions=functions)


def compile_yarrrml_text(
    text: str, file: Path, *, functions: FunctionRegistry | None = None
) -> Mapping:
    """Compile YARRRML text; ``file`` is named in messages and anchors relative sources."""
    root = _compose(text, file)
    ctx = _Ctx(file, functions=functions or default_registry())
    top = _fields(ctx, root, _TOP_KEYS, "the top level of the document")
    if "mappings" not in top:
        raise ctx.error(root, "no 'mappings:' key; expected the triples maps under mappings:")
    ctx = replace(ctx, prefixes=_prefixes(ctx, top.get("prefixes")))
    ctx = replace(ctx, base=_base(ctx, top.get("base")))
    ctx = replace(ctx, sources=_named_sources(ctx, top.get("sources")))
    drafts = [_draft(ctx, name, key, body) for name, key, body in _mappings(ctx, top["mappings"])]
    counts = MappingProxyType({d.name: len(d.sources) for d in drafts})
    ctx = replace(ctx, source_counts=counts)
    maps = [tm for d in drafts for tm in _triples_maps(ctx.within(f"mapping {d.name!r}"), d)]
    return Mapping(file, tuple(maps), prefixes=dict(ctx.prefixes), base=ctx.base)


@dataclass(frozen=True)
class _Draft:
    """A mapping whose keys and sources are read, before its maps are compiled."""

    name: str
    key: Node
    fields: Fields
    sources: list[Source]


# --- document level -------------------------------------------------------------------


def _prefixes(ctx: _Ctx, item: tuple[Node, Node] | None) -> MappingProxyType[str, str]:
    prefixes = dict(DEFAULT_PREFIXES)
    for name, key, value in _entries(ctx, item[1], "prefixes") if item else []:
        if not _PREFIX_NAME.fullmatch(name):
            raise ctx.error(key, f"invalid prefix name {name!r}; expected letters such as ex")
        iri = _text(ctx, value, f"the IRI of prefix {name!r}")
        if classify_iri(iri) != "absolute":
            raise ctx.error(
                value, f"prefix {name!r} is {iri!r}; expected an absolute IRI like http://ex.org/"
            )
        prefixes[name] = iri
    return MappingProxyType(prefixes)


def _base(ctx: _Ctx, item: tuple[Node, Node] | None) -> str | None:
    if item is None:
        return None
    base = _text(ctx, item[1], "base")
    if classify_iri(base) != "absolute":
        raise ctx.error(item[1], f"base {base!r} is not absolute; expected e.g. http://ex.org/")
    return base


def _named_sources(ctx: _Ctx, item: tuple[Node, Node] | None) -> MappingProxyType[str, Source]:
    if item is None:
        return MappingProxyType({})
    named = {
        name: _source(ctx.within(f"source {name!r}"), value, named=False)
        for name, _key, value in _entries(ctx, item[1], "sources")
    }
    return MappingProxyType(named)


def _mappings(ctx: _Ctx, item: tuple[Node, Node]) -> list[tuple[str, Node, Node]]:
    entries = _entries(ctx, item[1], "mappings")
    if not entries:
        raise ctx.error(item[1], "mappings: is empty; expected at least one triples map")
    return entries


def _draft(ctx: _Ctx, name: str, key: Node, body: Node) -> _Draft:
    ctx = ctx.within(f"mapping {name!r}")
    fields = _fields(ctx, body, _MAPPING_KEYS, "a mapping")
    if "sources" not in fields:
        raise ctx.error(key, "no sources: given; expected e.g. 'sources: [data.csv~csv]'")
    return _Draft(name, key, fields, _sources(ctx, fields["sources"][1]))


# --- sources --------------------------------------------------------------------------


def _sources(ctx: _Ctx, node: Node) -> list[Source]:
    if not isinstance(node, SequenceNode) or _is_short_source(node):
        return [_source(ctx, node)]
    if not node.value:
        raise ctx.error(node, "sources: is empty; expected at least one source")
    return [_source(ctx, item) for item in node.value]


def _is_short_source(node: SequenceNode) -> bool:
    """``[path~csv]`` or ``[path~json, $.iterator]``, as opposed to a list of sources."""
    items = node.value
    if not 1 <= len(items) <= 2 or not all(isinstance(i, ScalarNode) for i in items):
        return False
    return "~" in str(items[0].value) and (len(items) == 1 or "~" not in str(items[1].value))


def _source(ctx: _Ctx, node: Node, *, named: bool = True) -> Source:
    if isinstance(node, SequenceNode):
        return _short_source(ctx, node, node.value)
    if isinstance(node, MappingNode):
        return _dict_source(ctx, node)
    text = _text(ctx, node, "a source")
    if "~" in text:
        return _short_source(ctx, node, [node])
    if named and text in ctx.sources:
        return ctx.sources[text]
    known = ", ".join(ctx.sources) or "none"
    raise ctx.error(
        node,
        f"unknown source {text!r} (declared sources: {known}); "
        "expected a declared name, [path~csv] or [path~json, $.iterator]",
    )


def _short_source(ctx: _Ctx, node: Node, items: list[Node]) -> Source:
    if not 1 <= len(items) <= 2:
        raise ctx.error(
            node, f"expected [path~csv] or [path~json, $.iterator], found {len(items)} items"
        )
    access, _, formulation = _text(ctx, items[0], "a source").rpartition("~")
    iterator = _text(ctx, items[1], "an iterator") if len(items) == 2 else None
    return _make_source(ctx, node, access, formulation, iterator)


def _dict_source(ctx: _Ctx, node: MappingNode) -> Source:
    f = _fields(ctx, node, _SOURCE_KEYS, "a source")
    if "access" not in f:
        raise ctx.error(node, "a source needs access: (the file path)")
    texts = {key: _text(ctx, value, key) for key, (_k, value) in f.items() if key != "nullValues"}
    access = texts["access"]
    formulation = texts.get("referenceFormulation") or Path(access).suffix.lstrip(".")
    source = _make_source(ctx, node, access, formulation, texts.get("iterator"))
    delimiter = texts.get("delimiter", ",")
    if len(delimiter) != 1:
        raise ctx.error(f["delimiter"][1], f"delimiter {delimiter!r}; expected one character")
    encoding = texts.get("encoding", "utf-8")
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        message = f"unknown encoding {encoding!r}; expected e.g. utf-8"
        raise ctx.error(f["encoding"][1], message) from exc
    nulls = _null_values(ctx, f["nullValues"][1]) if "nullValues" in f else frozenset()
    return replace(source, delimiter=delimiter, encoding=encoding, nulls=nulls)


def _null_values(ctx: _Ctx, node: Node) -> frozenset[str]:
    """``nullValues: NA`` or ``nullValues: [NA, "-"]``: the values read as missing."""
    if isinstance(node, MappingNode) or (isinstance(node, SequenceNode) and not node.value):
        raise ctx.error(
            node,
            f"expected nullValues: as a string or a list of strings (e.g. nullValues: "
            f'[NA, "-"]), found {_kind(node) if node.value else "an empty list"}',
        )
    return frozenset(_text(ctx, item, "a null value") for item in _items(node))


def _make_source(
    ctx: _Ctx, node: Node, access: str, formulation: str, iterator: str | None
) -> Source:
    fmt = _FORMULATIONS.get(formulation.lower().removeprefix("ql:"))
    if fmt is None:
        raise ctx.error(
            node, f"unsupported reference formulation {formulation!r}; expected csv or json"
        )
    if access.startswith("memory:") and len(access) > len("memory:"):
        name = access.removeprefix("memory:")
        return Source(ctx.where(node), Path(access), fmt, iterator=iterator, memory=name)
    if not access or "://" in access:
        raise ctx.error(
            node, f"unsupported source {access!r}; expected a local file path or memory:<name>"
        )
    if fmt == "csv" and iterator is not None:
        raise ctx.error(node, f"CSV source {access!r} has an iterator; iterators are for JSON")
    path = (ctx.file.parent / access).resolve()
    return Source(ctx.where(node), path, fmt, iterator=iterator)


# --- triples maps ---------------------------------------------------------------------


def _triples_maps(ctx: _Ctx, draft: _Draft) -> list[TriplesMap]:
    """One triples map per source: ``name``, ``name[2]``, …"""
    f = draft.fields
    subject = _subject(ctx, draft.key, f.get("subject"))
    classes, poms = _split_classes(_predicate_objects(ctx, f.get("po")))
    graphs = _graphs(ctx, f.get("graphs"))
    allow_empty = _allow_empty(ctx, f.get("allowEmpty"))
    names = [draft.name] + [f"{draft.name}[{i}]" for i in range(2, len(draft.sources) + 1)]
    return [
        TriplesMap(name, ctx.where(draft.key), source, subject, classes, poms, graphs, allow_empty)
        for name, source in zip(names, draft.sources, strict=True)
    ]


def _subject(ctx: _Ctx, key: Node, item: tuple[Node, Node] | None) -> TermMap:
    if item is None:
        raise ctx.error(key, "no subject; expected e.g. 's: ex:$(id)' (blank subjects unsupported)")
    node = item[1]
    if isinstance(node, SequenceNode):
        if len(node.value) != 1:
            raise ctx.error(
                node,
                f"a triples map has exactly one subject, found {len(node.value)}; "
                "write one mapping per subject",
            )
        node = node.value[0]
    if isinstance(node, MappingNode):
        f = _fields(ctx, node, _FUNCTION_KEYS, "a subject function")
        if "function" not in f:
            raise ctx.error(node, "a subject given as a mapping needs function: and parameters:")
        return TermMap(ctx.where(node), "iri", function=_function_call(ctx, node, f))
    text = _text(ctx, node, "the subject").removesuffix("~iri")
    return _term(ctx, node, _iri_parts(ctx, node, text), "iri")


def _graphs(ctx: _Ctx, item: tuple[Node, Node] | None) -> tuple[TermMap, ...]:
    nodes = _items(item[1]) if item else []
    texts = [(n, _text(ctx, n, "a graph").removesuffix("~iri")) for n in nodes]
    return tuple(_term(ctx, n, _iri_parts(ctx, n, text), "iri") for n, text in texts)


def _allow_empty(ctx: _Ctx, item: tuple[Node, Node] | None) -> bool:
    if item is None:
        return False
    node = item[1]
    if not isinstance(node, ScalarNode) or node.tag != _TAG + "bool":
        raise ctx.error(node, f"expected allowEmpty: true or false, found {_kind(node)}")
    return str(node.value).lower() in ("true", "yes", "on")


def _split_classes(
    poms: list[PredicateObjectMap],
) -> tuple[tuple[str, ...], tuple[PredicateObjectMap, ...]]:
    """Move ``[a, Class]`` entries with constant classes, no graph and no condition into
    ``classes`` (a conditional type stays a predicate-object map, condition and all)."""
    classes: list[str] = []
    rest: list[PredicateObjectMap] = []
    for pom in poms:
        constants = [o.constant for o in pom.objects if isinstance(o, TermMap) and o.constant]
        is_class = (
            [p.constant for p in pom.predicates] == [RDF_TYPE]
            and not pom.graphs
            and not pom.conditions
        )
        if is_class and len(constants) == len(pom.objects):
            classes.extend(c for c in constants if c is not None)
        else:
            rest.append(pom)
    return tuple(dict.fromkeys(classes)), tuple(rest)


# --- predicate-object maps ------------------------------------------------------------


def _predicate_objects(ctx: _Ctx, item: tuple[Node, Node] | None) -> list[PredicateObjectMap]:
    if item is None:
        return []
    node = item[1]
    if not isinstance(node, SequenceNode):
        raise ctx.error(node, f"expected po: as a list of [p, o] entries, found {_kind(node)}")
    return [_predicate_object(ctx, entry) for entry in node.value]


def _predicate_object(ctx: _Ctx, node: Node) -> PredicateObjectMap:
    if isinstance(node, SequenceNode):
        return _short_po(ctx, node)
    if isinstance(node, MappingNode):
        return _dict_po(ctx, node)
    raise ctx.error(node, f"expected a po entry as [p, o] or {{p: .., o: ..}}, found {_kind(node)}")


def _short_po(ctx: _Ctx, node: SequenceNode) -> PredicateObjectMap:
    """``[p, o]``, ``[p, o~iri]``, ``[p, o, xsd:date]``, ``[p, o, en~lang]``, lists for p/o."""
    items = node.value
    if len(items) not in (2, 3):
        raise ctx.error(
            node,
            f"a po entry has {len(items)} items; expected [predicate, object] or "
            "[predicate, object, datatype or language~lang]",
        )
    predicates = _predicates(ctx, items[0])
    default = _literal_suffix(ctx, items[2]) if len(items) == 3 else _Literal()
    objects = _objects(ctx, items[1], _is_type(predicates), default)
    return PredicateObjectMap(ctx.where(node), predicates, objects)


def _dict_po(ctx: _Ctx, node: MappingNode) -> PredicateObjectMap:
    f = _fields(ctx, node, _PO_KEYS, "a po entry")
    for needed in ("predicates", "objects"):
        if needed not in f:
            raise ctx.error(node, f"a po entry needs {needed}: (or its short form)")
    predicates = _predicates(ctx, f["predicates"][1])
    default = _Literal(
        _datatype(ctx, f["datatype"][1]) if "datatype" in f else None,
        _language(ctx, f["language"][1]) if "language" in f else None,
    )
    objects = _objects(ctx, f["objects"][1], _is_type(predicates), default)
    conditions = _po_conditions(ctx, f["conditions"][1]) if "conditions" in f else ()
    return PredicateObjectMap(
        ctx.where(node), predicates, objects, _graphs(ctx, f.get("graphs")), conditions
    )


def _po_conditions(ctx: _Ctx, node: Node) -> tuple[Equality, ...]:
    """``condition: {function: equal, parameters: [[str1, $(col)], [str2, value]]}``:
    only records whose column equals the constant produce the entry's triples."""
    return tuple(_po_condition(ctx, item) for item in _items(node))


def _po_condition(ctx: _Ctx, node: Node) -> Equality:
    f = _fields(ctx, node, _CONDITION_KEYS, "a po condition")
    if "function" not in f or "parameters" not in f:
        raise ctx.error(node, "a po condition needs function: equal and parameters:")
    function = _text(ctx, f["function"][1], "a function")
    if function not in ("equal", "idlab-fn:equal"):
        raise ctx.error(
            f["function"][1], f"unsupported condition function {function!r}; expected equal"
        )
    params = f["parameters"][1]
    if not isinstance(params, SequenceNode) or len(params.value) != 2:
        raise ctx.error(params, "expected parameters: [[str1, $(column)], [str2, value]]")
    values = []
    for item in params.value:
        if not isinstance(item, SequenceNode) or len(item.value) != 2:
            raise ctx.error(item, "expected a parameter [str1, $(column)] or [str2, value]")
        values.append(
            _template(ctx, item.value[1], _text(ctx, item.value[1], "a value", numbers=True))
        )
    refs = [v[0].name for v in values if len(v) == 1 and isinstance(v[0], Reference)]
    consts = ["".join(str(p) for p in v) for v in values if all(isinstance(p, str) for p in v)]
    if len(refs) != 1 or len(consts) != 1:
        raise ctx.error(params, "a po condition compares one $(column) with one constant value")
    return Equality(refs[0], consts[0])


def _predicates(ctx: _Ctx, node: Node) -> tuple[TermMap, ...]:
    nodes = _items(node)
    if not nodes:
        raise ctx.error(node, "no predicate; expected at least one")
    out: list[TermMap] = []
    for item in nodes:
        text = _text(ctx, item, "a predicate")
        parts: Parts = [RDF_TYPE] if text == "a" else _iri_parts(ctx, item, text)
        out.append(_term(ctx, item, parts, "iri"))
    return tuple(out)


def _is_type(predicates: tuple[TermMap, ...]) -> bool:
    return any(p.constant == RDF_TYPE for p in predicates)


def _literal_suffix(ctx: _Ctx, node: Node) -> _Literal:
    """The third item of a short po entry: a datatype, or ``tag~lang``."""
    text = _text(ctx, node, "a datatype or language")
    if text.endswith("~lang"):
        return _Literal(language=_language(ctx, node, text.removesuffix("~lang")))
    return _Literal(datatype=_datatype(ctx, node, text))


def _objects(ctx: _Ctx, node: Node, is_type: bool, default: _Literal) -> tuple[ObjectMap, ...]:
    nodes = _items(node)
    if not nodes:
        raise ctx.error(node, "no object; expected at least one")
    out: list[ObjectMap] = []
    for item in nodes:
        if isinstance(item, MappingNode):
            out.extend(_dict_object(ctx, item, is_type, default))
        elif isinstance(item, SequenceNode):
            out.append(_list_object(ctx, item, is_type))
        else:
            text = _text(ctx, item, "an object", numbers=True)
            out.append(_object(ctx, item, text, None, is_type, default))
    return tuple(out)


def _list_object(ctx: _Ctx, node: SequenceNode, is_type: bool) -> TermMap:
    """``[value, datatype]`` or ``[value, tag~lang]`` inside a list of objects."""
    if len(node.value) not in (1, 2):
        raise ctx.error(node, "expected an object as [value] or [value, datatype or tag~lang]")
    text = _text(ctx, node.value[0], "an object", numbers=True)
    default = _literal_suffix(ctx, node.value[1]) if len(node.value) == 2 else _Literal()
    return _object(ctx, node.value[0], text, None, is_type, default)


def _dict_object(ctx: _Ctx, node: MappingNode, is_type: bool, default: _Literal) -> list[ObjectMap]:
    f = _fields(ctx, node, _OBJECT_KEYS, "an object")
    if "mapping" in f:
        return list(_referencing(ctx, node, f))
    if "function" in f:
        return [_function_object(ctx, node, f, is_type, default)]
    if "value" not in f:
        raise ctx.error(node, "an object needs value: (or mapping: to join another mapping)")
    value = f["value"][1]
    text = _text(ctx, value, "the object value", numbers=True)
    own = _Literal(
        _datatype(ctx, f["datatype"][1]) if "datatype" in f else None,
        _language(ctx, f["language"][1]) if "language" in f else None,
    )
    term_type = _object_type(ctx, f["type"][1]) if "type" in f else None
    split = _split(ctx, f["split"][1]) if "split" in f else None
    literal = own if own.datatype or own.language else default
    return [_object(ctx, value, text, term_type, is_type, literal, split)]


def _object(
    ctx: _Ctx,
    node: Node,
    text: str,
    term_type: TermType | None,
    is_type: bool,
    literal: _Literal,
    split: str | None = None,
) -> TermMap:
    """One object term; literal unless ``~iri``, ``type:`` or the predicate ``a`` say not."""
    if text.endswith("~iri") and term_type in (None, "iri"):
        text, term_type = text.removesuffix("~iri"), "iri"
    term_type = term_type or ("iri" if is_type else "literal")
    if term_type != "literal" and (literal.datatype or literal.language):
        given = "a datatype" if literal.datatype else "a language"
        what = "an IRI" if term_type == "iri" else "a blank node"
        raise ctx.error(node, f"{given} applies to literals only, but {text!r} is {what}")
    if literal.datatype and literal.language:
        raise ctx.error(node, "a literal has a datatype or a language tag, not both")
    parts = _iri_parts(ctx, node, text) if term_type == "iri" else _template(ctx, node, text)
    if split is not None and all(isinstance(p, str) for p in parts):
        raise ctx.error(node, f"split: needs a $(column) in the value, found {text!r}")
    return _term(ctx, node, parts, term_type, literal, split)


# --- functions ------------------------------------------------------------------------


def _function_object(
    ctx: _Ctx, node: MappingNode, f: Fields, is_type: bool, default: _Literal
) -> TermMap:
    """``{function: grel:toUpperCase, parameters: [[grel:valueParameter, $(name)]]}``."""
    extra = sorted(set(f) - {"function", "parameters", "type", "datatype", "language"})
    if extra:
        raise ctx.error(
            node,
            f"an object with function: takes parameters:, type:, datatype:, language:; "
            f"found {', '.join(extra)}",
        )
    term_type = _object_type(ctx, f["type"][1]) if "type" in f else None
    term_type = term_type or ("iri" if is_type else "literal")
    own = _Literal(
        _datatype(ctx, f["datatype"][1]) if "datatype" in f else None,
        _language(ctx, f["language"][1]) if "language" in f else None,
    )
    literal = own if own.datatype or own.language else default
    if term_type != "literal" and (literal.datatype or literal.language):
        raise ctx.error(node, "a datatype or language applies to literal objects only")
    call = _function_call(ctx, node, f)
    return TermMap(
        ctx.where(node),
        term_type,
        function=call,
        datatype=literal.datatype if term_type == "literal" else None,
        language=literal.language if term_type == "literal" else None,
    )


def _function_call(ctx: _Ctx, node: Node, f: Fields) -> FunctionCall:
    name_node = f["function"][1]
    text = _text(ctx, name_node, "a function IRI such as grel:toUpperCase")
    iri = _checked(ctx, name_node, lambda: constant_iri(text, ctx.prefixes, None, "function"))
    if iri not in ctx.functions:
        close = difflib.get_close_matches(iri, list(ctx.functions), n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ctx.error(name_node, f"unknown function {text!r} (<{iri}>){hint}")
    arguments = _arguments(ctx, f["parameters"][1]) if "parameters" in f else ()
    call = FunctionCall(ctx.where(node), iri, arguments)
    try:
        ctx.functions.get(iri).bind(call)
    except MappingError as exc:
        raise ctx.error(node, str(exc).split(": ", 1)[-1]) from exc
    return call


def _arguments(ctx: _Ctx, node: Node) -> tuple[tuple[str, TermMap], ...]:
    """``[[param, value], …]`` or ``[{parameter: p, value: v}, …]``; a value may be a
    constant, a ``$(reference)``, a template, or a nested ``{function:, parameters:}``."""
    out: list[tuple[str, TermMap]] = []
    for item in _items(node):
        if isinstance(item, SequenceNode) and len(item.value) == 2:
            name_node, value_node = item.value
        elif isinstance(item, MappingNode):
            g = _fields(ctx, item, _ARGUMENT_KEYS, "a function parameter")
            if "parameter" not in g or "value" not in g:
                raise ctx.error(item, "a function parameter needs parameter: and value:")
            name_node, value_node = g["parameter"][1], g["value"][1]
        else:
            raise ctx.error(item, "expected a parameter as [grel:valueParameter, $(column)]")
        name = _text(ctx, name_node, "a parameter IRI")
        param = name if ":" not in name else _parameter_iri(ctx, name_node, name)
        out.append((param, _argument_value(ctx, value_node)))
    return tuple(out)


def _parameter_iri(ctx: _Ctx, node: Node, name: str) -> str:
    """A parameter named by IRI (``grel:valueParameter``); bare names (``value``) are the
    registry's short names and stay as they are."""
    return _checked(ctx, node, lambda: constant_iri(name, ctx.prefixes, None, "parameter"))


def _argument_value(ctx: _Ctx, node: Node) -> TermMap:
    if isinstance(node, MappingNode):
        g = _fields(ctx, node, _FUNCTION_KEYS, "a nested function")
        if "function" not in g:
            raise ctx.error(node, "a nested value needs function: and parameters:")
        return TermMap(ctx.where(node), "literal", function=_function_call(ctx, node, g))
    text = _text(ctx, node, "a parameter value", numbers=True)
    return _term(ctx, node, _template(ctx, node, text), "literal")


# --- joins ----------------------------------------------------------------------------


def _referencing(ctx: _Ctx, node: MappingNode, f: Fields) -> list[ReferencingObjectMap]:
    extra = sorted(set(f) - {"mapping", "conditions"})
    if extra:
        raise ctx.error(
            node, f"an object with mapping: takes only condition:, found {', '.join(extra)}"
        )
    conditions = _conditions(ctx, f["conditions"][1]) if "conditions" in f else ()
    out: list[ReferencingObjectMap] = []
    for item in _items(f["mapping"][1]):
        parent = _text(ctx, item, "the name of a mapping")
        _check_parent(ctx, item, parent)
        out.append(ReferencingObjectMap(ctx.where(node), parent, conditions))
    return out


def _check_parent(ctx: _Ctx, node: Node, parent: str) -> None:
    count = ctx.source_counts.get(parent)
    if count is None:
        known = ", ".join(ctx.source_counts)
        raise ctx.error(node, f"refers to mapping {parent!r}, which does not exist; known: {known}")
    if count > 1:
        raise ctx.error(
            node,
            f"joins to mapping {parent!r}, which has {count} sources; a mapping that others "
            "join to must have exactly one source: split it into one mapping per source",
        )


def _conditions(ctx: _Ctx, node: Node) -> tuple[JoinCondition, ...]:
    return tuple(_condition(ctx, item) for item in _items(node))


def _condition(ctx: _Ctx, node: Node) -> JoinCondition:
    f = _fields(ctx, node, _CONDITION_KEYS, "a join condition")
    if "function" not in f or "parameters" not in f:
        raise ctx.error(node, "a join condition needs function: equal and parameters:")
    function = _text(ctx, f["function"][1], "a function")
    if function not in ("equal", "idlab-fn:equal"):
        raise ctx.error(f["function"][1], f"unsupported join function {function!r}; expected equal")
    params = f["parameters"][1]
    if not isinstance(params, SequenceNode) or len(params.value) != 2:
        raise ctx.error(params, "expected parameters: [[str1, $(child)], [str2, $(parent)]]")
    sides = dict(_join_parameter(ctx, item) for item in params.value)
    if set(sides) != {"child", "parent"}:
        raise ctx.error(params, "expected one child (str1, s) and one parent (str2, o) parameter")
    return JoinCondition(sides["child"], sides["parent"])


def _join_parameter(ctx: _Ctx, node: Node) -> tuple[Side, str]:
    """``[str1, $(col)]``, ``[str2, $(col), o]`` or ``{parameter:, value:, from:}``."""
    if isinstance(node, SequenceNode) and len(node.value) in (2, 3):
        name_node, value_node, *side_node = node.value
    elif isinstance(node, MappingNode):
        f = _fields(ctx, node, _PARAMETER_KEYS, "a join parameter")
        if "parameter" not in f or "value" not in f:
            raise ctx.error(node, "a join parameter needs parameter: and value:")
        name_node, value_node = f["parameter"][1], f["value"][1]
        side_node = [f["from"][1]] if "from" in f else []
    else:
        raise ctx.error(node, f"expected a join parameter [str1, $(column)], found {_kind(node)}")
    name = _text(ctx, name_node, "a parameter name")
    if name not in ("str1", "str2"):
        raise ctx.error(name_node, f"unknown join parameter {name!r}; expected str1 or str2")
    side: Side = "child" if name == "str1" else "parent"
    if side_node:
        text = _text(ctx, side_node[0], "a side")
        if text not in _SIDES:
            raise ctx.error(side_node[0], f"unknown side {text!r}; expected s or o")
        side = "child" if _SIDES[text] == "child" else "parent"
    return side, _column(ctx, value_node)


def _column(ctx: _Ctx, node: Node) -> str:
    text = _text(ctx, node, "a join value")
    parts = _template(ctx, node, text)
    if len(parts) != 1 or not isinstance(parts[0], Reference):
        raise ctx.error(node, f"a join value is one $(column) reference, found {text!r}")
    return parts[0].name
