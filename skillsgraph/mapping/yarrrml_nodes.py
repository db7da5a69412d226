"""The YAML-node layer of the YARRRML compiler: the compile context, reading nodes with
their lines (duplicate keys, unknown keys with "did you mean"), and building located terms.

:mod:`skillsgraph.mapping.yarrrml` walks the document with these; every error they raise
names file, line and the mapping being compiled.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from skillsgraph.errors import MappingError
from skillsgraph.mapping.functions import FunctionRegistry, default_registry
from skillsgraph.mapping.model import (
    Location,
    Reference,
    Source,
    TermMap,
    TermType,
)
from skillsgraph.mapping.prefixes import (
    DEFAULT_PREFIXES,
    TermSyntaxError,
    build_term,
    check_language,
    constant_iri,
    expand_iri,
    parse_template,
)

_OBJECT_TYPES: dict[str, TermType] = {
    "iri": "iri",
    "literal": "literal",
    "blanknode": "blank",
    "blank": "blank",
}
_TAG = "tag:yaml.org,2002:"

Fields = dict[str, tuple[Node, Node]]
Parts = list[str | Reference]
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Ctx:
    """What compiling one node needs: the document's settings and whose node it is."""

    file: Path
    label: str = ""
    prefixes: MappingProxyType[str, str] = field(default_factory=lambda: DEFAULT_PREFIXES)
    base: str | None = None
    sources: MappingProxyType[str, Source] = field(default_factory=lambda: MappingProxyType({}))
    source_counts: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))
    functions: FunctionRegistry = field(default_factory=default_registry)

    def within(self, label: str) -> _Ctx:
        return replace(self, label=label)

    def where(self, node: Node) -> Location:
        return Location(self.file, node.start_mark.line + 1)

    def error(self, node: Node, message: str) -> MappingError:
        label = f"{self.label}: " if self.label else ""
        return MappingError(f"{self.where(node)}: {label}{message}")


@dataclass(frozen=True)
class _Literal:
    """Datatype and language given for all objects of a ``po`` entry."""

    datatype: str | None = None
    language: str | None = None


# --- YAML nodes -----------------------------------------------------------------------


def _compose(text: str, file: Path) -> MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise MappingError(
            f"{file}:{line}: invalid YAML: {problem}; expected well-formed YAML "
            "(check indentation, quotes and brackets)"
        ) from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{file}:1: invalid YAML: {exc}") from exc
    if not isinstance(root, MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        found = _kind(root) if root is not None else "an empty document"
        raise MappingError(
            f"{file}:{line}: expected a YARRRML document (prefixes:, sources:, mappings:), "
            f"found {found}"
        )
    return root


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping (key: value pairs)"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = str(node.tag).removeprefix(_TAG)
    if kind == "str":
        return f"the string {node.value!r}"
    if kind in ("int", "float"):
        return f"the number {node.value}"
    if kind == "null":
        return "nothing (null)"
    return f"the {kind} {node.value!r}"


def _text(ctx: _Ctx, node: Node, noun: str, *, numbers: bool = False) -> str:
    """The string a scalar holds; numbers only where a literal value may be written."""
    if isinstance(node, ScalarNode):
        kind = str(node.tag).removeprefix(_TAG)
        if kind == "str" or (numbers and kind in ("int", "float")):
            return str(node.value)
    hint = " (quote it)" if isinstance(node, ScalarNode) and node.tag != _TAG + "null" else ""
    raise ctx.error(node, f"expected {noun} as a string, found {_kind(node)}{hint}")


def _entries(ctx: _Ctx, node: Node, noun: str) -> list[tuple[str, Node, Node]]:
    """Key, key node and value of a YAML mapping, refusing duplicate keys."""
    if not isinstance(node, MappingNode):
        raise ctx.error(node, f"expected {noun} as key: value pairs, found {_kind(node)}")
    seen: dict[str, Node] = {}
    out: list[tuple[str, Node, Node]] = []
    for key_node, value in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG + "null":
            raise ctx.error(key_node, f"expected a string key in {noun}, found {_kind(key_node)}")
        key = str(key_node.value)
        if key in seen:
            first = seen[key].start_mark.line + 1
            raise ctx.error(
                key_node,
                f"duplicate key {key!r} in {noun} (first at line {first}); "
                "YAML would keep only the last one: merge or rename them",
            )
        seen[key] = key_node
        out.append((key, key_node, value))
    return out


def _fields(ctx: _Ctx, node: Node, keys: dict[str, str], noun: str) -> Fields:
    """A mapping's values by canonical key; unknown keys and repeated aliases are errors."""
    found: Fields = {}
    for key, key_node, value in _entries(ctx, node, noun):
        canonical = keys.get(key)
        if canonical is None:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ctx.error(
                key_node,
                f"unknown key {key!r} in {noun}; expected one of: {', '.join(keys)}{hint}",
            )
        if canonical in found:
            other = str(found[canonical][0].value)
            raise ctx.error(key_node, f"{key!r} repeats {other!r} in {noun}; keep only one")
        found[canonical] = (key_node, value)
    return found


def _items(node: Node) -> list[Node]:
    """A list's items, or the node itself: YARRRML lets a single value stand for a list."""
    return list(node.value) if isinstance(node, SequenceNode) else [node]


def _object_type(ctx: _Ctx, node: Node) -> TermType:
    text = _text(ctx, node, "an object type")
    if text not in _OBJECT_TYPES:
        raise ctx.error(node, f"unknown object type {text!r}; expected iri, literal or blanknode")
    return _OBJECT_TYPES[text]


def _split(ctx: _Ctx, node: Node) -> str:
    text = _text(ctx, node, "a split separator")
    if not text:
        raise ctx.error(node, 'split: is empty; expected a separator such as "\\n"')
    return text


def _language(ctx: _Ctx, node: Node, text: str | None = None) -> str:
    tag = _text(ctx, node, "a language tag") if text is None else text
    return _checked(ctx, node, lambda: check_language(tag))


def _datatype(ctx: _Ctx, node: Node, text: str | None = None) -> str:
    iri = _text(ctx, node, "a datatype") if text is None else text
    return _checked(ctx, node, lambda: constant_iri(iri, ctx.prefixes, ctx.base, "datatype"))


# --- templates and IRIs ---------------------------------------------------------------


def _term(
    ctx: _Ctx,
    node: Node,
    parts: Parts,
    term_type: TermType,
    literal: _Literal | None = None,
    split: str | None = None,
) -> TermMap:
    literal = literal or _Literal()
    where = ctx.where(node)
    return build_term(where, parts, term_type, literal.datatype, literal.language, split)


def _iri_parts(ctx: _Ctx, node: Node, text: str) -> Parts:
    """Template parts of an IRI with its prefix expanded and, if constant, made absolute."""
    return _checked(ctx, node, lambda: expand_iri(parse_template(text), ctx.prefixes, ctx.base))


def _template(ctx: _Ctx, node: Node, text: str) -> Parts:
    return _checked(ctx, node, lambda: parse_template(text))


def _checked(ctx: _Ctx, node: Node, parse: Callable[[], _T]) -> _T:
    """Run a term parser, turning its :class:`TermSyntaxError` into a located error."""
    try:
        return parse()
    except TermSyntaxError as exc:
        raise ctx.error(node, str(exc)) from exc
