"""The mapping model: what a YARRRML or RML mapping means, independent of its syntax.

Compilers (``yarrrml.py``; RML Turtle later) build these frozen dataclasses; the engine
(``engine.py``) executes them. Every node keeps the :class:`Location` it was written at, so
that any error found later (a missing column, an empty result) can name file, line and
triples map.

>>> t = Template.parse_braces("http://ex.org/{id}", Location(Path("m.yml"), 3))
>>> t.parts
('http://ex.org/', Reference(name='id'))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from skillsgraph.errors import MappingError

TermType = Literal["iri", "blank", "literal"]
SourceFormat = Literal["csv", "json"]


@dataclass(frozen=True)
class Location:
    """Where a mapping construct was written: file and 1-based line (None if unknown)."""

    file: Path
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else str(self.file)


@dataclass(frozen=True)
class Reference:
    """A reference to a column (CSV) or a relative path (JSON) of the logical source."""

    name: str


@dataclass(frozen=True)
class Template:
    """A string template: literal text interleaved with references."""

    parts: tuple[str | Reference, ...]

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts if isinstance(p, Reference))

    @staticmethod
    def parse_braces(text: str, where: Location) -> Template:
        """Parse an R2RML template (``{column}``, with ``\\{`` and ``\\}`` as escapes)."""
        parts: list[str | Reference] = []
        buf: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}\\":
                buf.append(text[i + 1])
                i += 2
                continue
            if ch == "{":
                end = _find_closing(text, i + 1)
                if end < 0:
                    raise MappingError(
                        f"{where}: template {text!r} has an unclosed '{{' at offset {i}; "
                        "expected '{column}' (escape a literal brace as '\\{')"
                    )
                if buf:
                    parts.append("".join(buf))
                    buf = []
                name = text[i + 1 : end].replace("\\{", "{").replace("\\}", "}")
                if not name:
                    raise MappingError(f"{where}: template {text!r} has an empty '{{}}'")
                parts.append(Reference(name))
                i = end + 1
                continue
            if ch == "}":
                raise MappingError(
                    f"{where}: template {text!r} has an unmatched '}}' at offset {i}"
                )
            buf.append(ch)
            i += 1
        if buf:
            parts.append("".join(buf))
        return Template(tuple(parts))


def _find_closing(text: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 2
            continue
        if text[i] == "}":
            return i
        i += 1
    return -1


@dataclass(frozen=True)
class FunctionCall:
    """A call of a registered function (RML-FNML ``fnml:functionValue``, YARRRML
    ``function:``): its IRI and its arguments, each keyed by the parameter's IRI and given
    by a term map (constant, reference, template or a nested call) of literal type."""

    where: Location
    function: str
    arguments: tuple[tuple[str, TermMap], ...]

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(ref for _, arg in self.arguments for ref in arg.references)


@dataclass(frozen=True)
class TermMap:
    """How one RDF term is produced for each record.

    Exactly one of ``constant``, ``reference``, ``template`` and ``function`` is set.
    ``split`` is our extension for multi-valued cells: the value is split on that
    separator, each item is stripped, empty items are dropped, and one term is made per
    item.
    """

    where: Location
    term_type: TermType
    constant: str | None = None
    reference: str | None = None
    template: Template | None = None
    datatype: str | None = None
    language: str | None = None
    split: str | None = None
    function: FunctionCall | None = None

    def __post_init__(self) -> None:
        ways = (self.constant, self.reference, self.template, self.function)
        given = [x is not None for x in ways]
        if sum(given) != 1:
            raise MappingError(
                f"{self.where}: a term map needs exactly one of constant, reference, "
                f"template or function; found {sum(given)}"
            )
        if self.term_type != "literal" and (self.datatype or self.language):
            raise MappingError(
                f"{self.where}: datatype and language apply to literals only, "
                f"not to a term of type {self.term_type}"
            )
        if self.datatype and self.language:
            raise MappingError(
                f"{self.where}: a literal has a datatype or a language tag, not both"
            )

    @property
    def references(self) -> tuple[str, ...]:
        if self.reference is not None:
            return (self.reference,)
        if self.template is not None:
            return self.template.references
        if self.function is not None:
            return self.function.references
        return ()


@dataclass(frozen=True)
class JoinCondition:
    """Join the child's ``child`` reference to the parent's ``parent`` reference."""

    child: str
    parent: str


@dataclass(frozen=True)
class ReferencingObjectMap:
    """An object taken from the subjects of another triples map (``rr:parentTriplesMap``)."""

    where: Location
    parent: str
    conditions: tuple[JoinCondition, ...] = ()


ObjectMap = TermMap | ReferencingObjectMap


@dataclass(frozen=True)
class Equality:
    """A record condition: the referenced value equals ``value`` (YARRRML ``equal``)."""

    reference: str
    value: str


@dataclass(frozen=True)
class PredicateObjectMap:
    """Every combination of its predicates and objects, in each of its graphs.

    ``conditions``: only records meeting all of them produce these triples.
    """

    where: Location
    predicates: tuple[TermMap, ...]
    objects: tuple[ObjectMap, ...]
    graphs: tuple[TermMap, ...] = ()
    conditions: tuple[Equality, ...] = ()


@dataclass(frozen=True)
class Source:
    """A logical source: a file and how to read it. ``path`` is absolute.

    An in-memory source (``memory`` set) is named, not read from a file: its records are
    passed to :func:`~skillsgraph.mapping.engine.run_mapping` under that name, and
    ``path`` is only its label in messages and counts (``memory:<name>``).

    ``nulls``: the values that mean "no value" in this source (RML-IO ``rml:null``; our
    YARRRML's ``nullValues:``). A CSV cell or a JSON value equal to one of them, as a whole,
    is read as missing: no term is made from it, as from an empty cell or a JSON ``null``.

    Two sources are equal when they read the same data the same way, wherever they were
    written: RML declares one logical source per triples map, and a join between maps on
    the same data pairs each record with itself. Null values are part of the way.
    """

    where: Location = field(compare=False)
    path: Path
    format: SourceFormat = "csv"
    delimiter: str = ","
    encoding: str = "utf-8"
    iterator: str | None = None
    memory: str | None = None
    nulls: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TriplesMap:
    """One triples map: a source, a subject map, its classes and predicate-object maps.

    ``allow_empty`` says the map may legitimately produce nothing from a non-empty source;
    otherwise an empty result is an error.
    """

    name: str
    where: Location
    source: Source
    subject: TermMap
    classes: tuple[str, ...] = ()
    predicate_objects: tuple[PredicateObjectMap, ...] = ()
    graphs: tuple[TermMap, ...] = ()
    allow_empty: bool = False


@dataclass(frozen=True)
class Mapping:
    """A whole mapping document: its triples maps, by name, in the order written."""

    file: Path
    triples_maps: tuple[TriplesMap, ...]
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None

    def get(self, name: str) -> TriplesMap:
        for tm in self.triples_maps:
            if tm.name == name:
                return tm
        known = ", ".join(tm.name for tm in self.triples_maps)
        raise MappingError(f"{self.file}: no triples map named {name!r}; known: {known}")
