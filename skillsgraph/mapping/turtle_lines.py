"""Parse Turtle with pyoxigraph and keep the line each node and property was written at.

RDF parsers drop source positions, so the lines are added back without a second parser for
the data. A small scanner walks the text (already validated by pyoxigraph) along the Turtle
grammar and, where a node opens a property list (a statement's subject, every ``[``), splices
one extra triple into the text: ``<urn:x-skillsgraph:frame> N ;``. The splice holds no
newline, so every line keeps its number. pyoxigraph parses the annotated text; frame ``N``
then ties a parsed node (IRI or blank node) to the line where it was opened and to the line
of each predicate written inside it. Every RDF term comes from pyoxigraph: the scanner only
supplies lines, so if it misreads something exotic (RDF-star, odd escapes) the cost is a
missing line, never wrong data. If the annotated text does not parse, or yields a different
number of triples than the original, lines are dropped (``None``).

>>> doc = read_turtle('@prefix ex: <http://ex.org/> .\\n\\nex:a ex:p [\\n  ex:q 1 ] .',
...                   Path("m.ttl"))
>>> a = ox.NamedNode("http://ex.org/a")
>>> bnode = doc.objects(a, "http://ex.org/p")[0]
>>> doc.line(a), doc.line(bnode), doc.property_line(bnode, "http://ex.org/q")
(3, 3, 4)
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin

import pyoxigraph as ox

from skillsgraph.errors import MappingError
from skillsgraph.mapping.model import Location

__all__ = ["Node", "Term", "TurtleDocument", "read_turtle"]

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_FRAME = "urn:x-skillsgraph:frame"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n\r]*)
   |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
   |(?P<iri><(?:[^<>\\\s]|\\.)*>)
   |(?P<punct>\^\^|<<|>>|\{\||\|\}|[\[\](),;{}])
   |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
   |(?P<number>[+-]?(?:\d+\.\d+|\.\d+|\d+)(?:[eE][+-]?\d+)?)
   |(?P<name>(?:[^\s<>"'{}|^`\\\[\](),;\#@:]|\\.)*:(?:[^\s<>"'{}|^`\\\[\](),;\#]|\\.)*
      |[A-Za-z]+)
   |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PARSER_PREFIX = re.compile(r"^Parser error at line \d+ between columns \d+ and \d+: ")


class _Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


@dataclass
class _Frame:
    """A node's property list as written: its opening line and its predicates' lines."""

    line: int
    verbs: list[tuple[str | None, int]] = field(default_factory=list)


class _ScanError(Exception):
    """The scanner could not follow the text; lines are dropped, data is unaffected."""


@dataclass(frozen=True)
class TurtleDocument:
    """The triples of a Turtle document, by subject, with where each was written."""

    file: Path
    base_iri: str | None
    prefixes: dict[str, str]
    _properties: dict[Node, list[tuple[str, Term]]]
    _frames: dict[Node, list[_Frame]]

    def subjects(self) -> list[Node]:
        """Every subject, in the order written (first line it opens a property list at)."""
        order = {node: i for i, node in enumerate(self._properties)}
        return sorted(self._properties, key=lambda n: (self.line(n) or 1 << 30, order[n]))

    def properties(self, node: Node) -> list[tuple[str, Term]]:
        return list(self._properties.get(node, ()))

    def objects(self, node: Node, predicate: str) -> list[Term]:
        return [o for p, o in self._properties.get(node, ()) if p == predicate]

    def line(self, node: Node) -> int | None:
        frames = self._frames.get(node)
        return min(f.line for f in frames) if frames else None

    def property_line(self, node: Node, predicate: str) -> int | None:
        for frame in sorted(self._frames.get(node, ()), key=lambda f: f.line):
            for verb, line in frame.verbs:
                if verb == predicate:
                    return line
        return self.line(node)

    def where(self, node: Node, predicate: str | None = None) -> Location:
        line = self.line(node) if predicate is None else self.property_line(node, predicate)
        return Location(self.file, line)


def read_turtle(text: str, file: Path, *, base_iri: str | None = None) -> TurtleDocument:
    """Parse Turtle text; ``base_iri`` resolves relative IRIs when the text has no ``@base``.

    Raises :class:`MappingError` naming file, line and column when the text is not Turtle.
    """
    plain = _parse(text, file, base_iri)
    try:
        scanner = _Scanner(text, base_iri)
        scanner.run()
        annotated = _parse(scanner.annotated(), file, base_iri)
    except (_ScanError, MappingError):
        annotated = None
    frames: dict[Node, list[_Frame]] = defaultdict(list)
    if annotated is not None and len(annotated[0]) == len(plain[0]) + len(scanner.frames):
        quads, parser = annotated
    else:
        quads, parser = plain
    properties: dict[Node, list[tuple[str, Term]]] = defaultdict(list)
    for quad in quads:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
            continue  # RDF-star: not used by mappings
        if predicate == _FRAME and isinstance(obj, ox.Literal):
            frames[subject].append(scanner.frames[int(obj.value)])
        else:
            properties[subject].append((predicate, obj))
    base = parser.base_iri if parser.base_iri != base_iri else None
    return TurtleDocument(file, base, dict(parser.prefixes), dict(properties), dict(frames))


def _parse(text: str, file: Path, base_iri: str | None) -> tuple[list[ox.Quad], ox.QuadParser]:
    parser = ox.parse(text, ox.RdfFormat.TURTLE, base_iri=base_iri)
    try:
        return list(parser), parser
    except SyntaxError as exc:
        detail = _PARSER_PREFIX.sub("", str(exc.msg))
        raise MappingError(
            f"{file}:{exc.lineno}: invalid Turtle at column {exc.offset}: {detail}; "
            "expected a Turtle document (check the prefixes, quotes, ';' and '.')"
        ) from exc


class _Scanner:
    """Follows the Turtle grammar over tokens, recording a frame per property list."""

    def __init__(self, text: str, base_iri: str | None) -> None:
        self.text = text
        self.tokens = [
            _Token(str(m.lastgroup), m.group(), m.start(), m.end())
            for m in _tokens(text)
            if m.lastgroup != "ws"
        ]
        self.i = 0
        self.base = base_iri
        self.prefixes: dict[str, str] = {}
        self.frames: list[_Frame] = []
        self.splices: list[tuple[int, int]] = []
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def annotated(self) -> str:
        out: list[str] = []
        last = 0
        for offset, index in self.splices:
            out.extend((self.text[last:offset], f" <{_FRAME}> {index} ;"))
            last = offset
        out.append(self.text[last:])
        return "".join(out)

    def run(self) -> None:
        while self.peek().kind != "eof":
            self.statement()

    # tokens

    def peek(self) -> _Token:
        if self.i < len(self.tokens):
            return self.tokens[self.i]
        return _Token("eof", "", len(self.text), len(self.text))

    def next(self) -> _Token:
        token = self.peek()
        if token.kind == "eof":
            raise _ScanError("unexpected end")
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        if self.next().text != text:
            raise _ScanError(f"expected {text!r}")

    def line(self, token: _Token) -> int:
        return bisect.bisect_right(self.newlines, token.start - 1) + 1

    def open_frame(self, token: _Token) -> _Frame:
        frame = _Frame(self.line(token))
        self.splices.append((token.end, len(self.frames)))
        self.frames.append(frame)
        return frame

    # grammar

    def statement(self) -> None:
        token = self.peek()
        keyword = token.text.lower()
        if token.kind == "lang" and keyword in ("@prefix", "@base"):
            self.directive(keyword.lstrip("@"))
            self.expect(".")
        elif token.kind == "name" and keyword in ("prefix", "base"):
            self.directive(keyword)
        elif token.text in ("{", "}") or keyword == "graph":
            raise _ScanError("TriG is not Turtle")
        else:
            self.triples()
            self.expect(".")

    def directive(self, keyword: str) -> None:
        self.next()
        if keyword == "prefix":
            name = self.next().text
            self.prefixes[name[: name.index(":")]] = self.resolve(self.next().text[1:-1])
        else:
            self.base = self.resolve(self.next().text[1:-1])

    def triples(self) -> None:
        token = self.peek()
        if token.text == "[":
            frame: _Frame | None = self.property_list()
            if self.peek().text != ".":
                self.predicate_objects(frame)
            return
        if token.text == "(":
            self.collection()
            frame = None
        elif token.text == "<<":
            self.quoted()
            frame = None
        else:
            frame = self.open_frame(self.next())
        self.predicate_objects(frame)

    def predicate_objects(self, frame: _Frame | None) -> None:
        while True:
            verb = self.next()
            if frame is not None:
                frame.verbs.append((self.verb_iri(verb), self.line(verb)))
            self.object()
            while self.peek().text == ",":
                self.next()
                self.object()
            while self.peek().text == ";":
                self.next()
            if self.peek().text in (".", "]", "|}", "eof", ""):
                return

    def object(self) -> None:
        token = self.peek()
        if token.text == "[":
            self.property_list()
        elif token.text == "(":
            self.collection()
        elif token.text == "<<":
            self.quoted()
        else:
            self.next()
            if token.kind == "string" and self.peek().kind == "lang":
                self.next()
            elif token.kind == "string" and self.peek().text == "^^":
                self.next()
                self.next()
        if self.peek().text == "{|":
            self.next()
            self.predicate_objects(None)
            self.expect("|}")

    def property_list(self) -> _Frame:
        frame = self.open_frame(self.next())
        if self.peek().text != "]":
            self.predicate_objects(frame)
        self.expect("]")
        return frame

    def collection(self) -> None:
        self.expect("(")
        while self.peek().text != ")":
            self.object()
        self.next()

    def quoted(self) -> None:
        depth = 0
        while True:
            text = self.next().text
            depth += {"<<": 1, ">>": -1}.get(text, 0)
            if depth == 0:
                return

    # terms

    def verb_iri(self, token: _Token) -> str | None:
        if token.text == "a":
            return RDF_TYPE
        if token.kind == "iri":
            return self.resolve(token.text[1:-1])
        if token.kind == "name" and ":" in token.text:
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
        return None

    def resolve(self, iri: str) -> str:
        iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)
        if _SCHEME.match(iri) or self.base is None:
            return iri
        return urljoin(self.base, iri)


def _tokens(text: str) -> list[re.Match[str]]:
    """The tokens of ``text``; a prefixed name gives back a final ``.`` (it ends a statement)."""
    out: list[re.Match[str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _ScanError(f"no token at offset {pos}")
        end = match.end()
        if match.lastgroup == "name":
            while end > match.start() + 1 and text[end - 1] == "." and text[end - 2] != "\\":
                end -= 1
            if end != match.end():
                match = _TOKEN.match(text[:end], pos) or match
        out.append(match)
        pos = match.end()
    return out
