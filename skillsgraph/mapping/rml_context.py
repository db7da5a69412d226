"""The RML vocabulary and the compile context: the document, located errors, checks.

Every error the RML compiler raises is made here, by :meth:`Context.error`: it names file and
line (of the node, or of the property when one is given), the triples map being compiled,
what was found and what was expected. :meth:`Context.check` refuses the ``rr:``, ``rml:``,
``ql:`` and ``fnml:`` properties that a kind of node does not take, with a "did you mean".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from types import MappingProxyType

import pyoxigraph as ox

from skillsgraph.errors import MappingError
from skillsgraph.mapping.functions import FunctionRegistry
from skillsgraph.mapping.model import Location
from skillsgraph.mapping.turtle_lines import Node, Term, TurtleDocument

RR = "http://www.w3.org/ns/r2rml#"
RML = "http://semweb.mmlab.be/ns/rml#"
QL = "http://semweb.mmlab.be/ns/ql#"
FNML = "http://semweb.mmlab.be/ns/fnml#"

NO_BASE = "http://no-base.skillsgraph.invalid/"
"""Resolves relative IRIs when neither ``base=`` nor ``@base`` is given, so they can be found."""

_NAMESPACES = {RR: "rr:", RML: "rml:", QL: "ql:", FNML: "fnml:"}

# The properties each kind of node may have (in the rr:, rml:, ql: and fnml: namespaces).
_TERM = ("rr:constant", "rml:reference", "rr:column", "rr:template", "fnml:functionValue")
_TERM_MAP = (*_TERM, "rr:termType", "rr:inverseExpression")
_ALLOWED = {
    "a triples map": ("rml:logicalSource", "rr:subjectMap", "rr:subject", "rr:predicateObjectMap"),
    "a logical source": ("rml:source", "rml:referenceFormulation", "rml:iterator", "rml:null"),
    "a subject map": (*_TERM_MAP, "rr:class", "rr:graph", "rr:graphMap"),
    "a predicate map": _TERM_MAP,
    "a graph map": _TERM_MAP,
    "an object map": (*_TERM_MAP, "rr:language", "rr:datatype"),
    "an argument map": (*_TERM_MAP, "rr:language", "rr:datatype"),
    "a referencing object map": ("rr:parentTriplesMap", "rr:joinCondition"),
    "a join condition": ("rr:child", "rr:parent"),
    "a predicate-object map": (
        "rr:predicate",
        "rr:predicateMap",
        "rr:object",
        "rr:objectMap",
        "rr:graph",
        "rr:graphMap",
    ),
    "a function value": ("rr:predicateObjectMap", "rml:logicalSource", "rr:subjectMap"),
}
_UNSUPPORTED = {
    "rr:logicalTable": "R2RML database tables are not supported; use rml:logicalSource",
    "rr:tableName": "database tables are not supported; use a CSV or JSON file",
    "rr:sqlQuery": "SQL queries are not supported; use a CSV or JSON file",
    "rr:sqlVersion": "SQL queries are not supported; use a CSV or JSON file",
    "rml:query": "queries are not supported; use a CSV or JSON file",
    "rml:languageMap": "language maps are not supported yet; use a constant rr:language",
    "rml:logicalTarget": "logical targets are not supported; quads go where the caller puts them",
}
_VOCABULARY = sorted({p for ps in _ALLOWED.values() for p in ps} | set(_UNSUPPORTED))


@dataclass(frozen=True)
class Context:
    """What compiling one node needs: the document, the base, names, and whose node it is."""

    doc: TurtleDocument
    base: str | None
    names: MappingProxyType[Node, str]
    functions: FunctionRegistry
    label: str = ""

    def within(self, name: str) -> Context:
        return replace(self, label=f"triples map {name!r}")

    def where(self, node: Node, predicate: str | None = None) -> Location:
        return self.doc.where(node, predicate)

    def error(self, node: Node, message: str, predicate: str | None = None) -> MappingError:
        label = f"{self.label}: " if self.label else ""
        return MappingError(f"{self.where(node, predicate)}: {label}{message}")

    def objects(self, node: Node, predicate: str) -> list[Term]:
        return self.doc.objects(node, predicate)

    def nodes(self, owner: Node, predicate: str, noun: str) -> list[Node]:
        """The objects of ``predicate``, each a node (IRI or blank node) describing ``noun``."""
        out: list[Node] = []
        for value in self.objects(owner, predicate):
            if not isinstance(value, ox.NamedNode | ox.BlankNode):
                raise self.error(
                    owner, f"{short(predicate)} is {value}; expected {noun} ([ ... ])", predicate
                )
            out.append(value)
        return out

    def string(self, node: Node, predicate: str, noun: str) -> str:
        """The single plain string that ``predicate`` gives, e.g. a template."""
        values = self.objects(node, predicate)
        if len(values) != 1 or not isinstance(values[0], ox.Literal):
            found = ", ".join(str(v) for v in values) or "nothing"
            raise self.error(
                node, f"{short(predicate)} must be one string ({noun}); found {found}", predicate
            )
        return str(values[0].value)

    def optional_string(self, node: Node, predicate: str, noun: str) -> str | None:
        return self.string(node, predicate, noun) if self.objects(node, predicate) else None

    def absolute(self, node: Node, predicate: str, iri: str) -> str:
        """An IRI written in the mapping, refused if it was relative and no base was given."""
        if iri.startswith(NO_BASE):
            relative = iri.removeprefix(NO_BASE)
            raise self.error(
                node,
                f"{short(predicate)} <{relative}> is a relative IRI and no base IRI is given; "
                "expected an absolute IRI (or declare @base, or pass base=)",
                predicate,
            )
        return iri

    def check(self, node: Node, noun: str | None) -> None:
        """Refuse rr:/rml: properties that ``noun`` does not take, with a "did you mean";
        ``noun`` None: a node of no known kind, where only unknown properties are refused."""
        allowed = _ALLOWED[noun] if noun else _VOCABULARY
        expected = f"; expected one of {', '.join(allowed)}" if noun else ""
        for predicate, _ in self.doc.properties(node):
            name = short(predicate)
            if name.startswith("<") or (name in allowed and name not in _UNSUPPORTED):
                continue
            if name in _UNSUPPORTED:
                raise self.error(node, f"{name}: {_UNSUPPORTED[name]}", predicate)
            if name in _VOCABULARY:
                raise self.error(node, f"{name} does not belong in {noun}{expected}", predicate)
            close = difflib.get_close_matches(name, _VOCABULARY, n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]}?)" if close else ""
            where = f" in {noun}" if noun else ""
            raise self.error(node, f"unknown property {name}{where}{hint}{expected}", predicate)


def short(iri: str) -> str:
    """``rr:template`` for an IRI of the RML namespaces, ``<iri>`` for any other."""
    for namespace, prefix in _NAMESPACES.items():
        if iri.startswith(namespace):
            return prefix + iri.removeprefix(namespace)
    return f"<{iri}>"
