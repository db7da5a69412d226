"""SHACL validation with pyshacl, and the findings it reports.

What DESIGN.md measured decides how: no inference inside validation (RDFS inference costs
4-5x and changes results), the ontology's ``rdfs:subClassOf`` triples are added to the data
graph instead so that ``sh:class`` sees subclasses; pyshacl's ``focus_nodes`` option is
not used (false negatives through ``sh:node`` in 0.40.1).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from skillsgraph.errors import BadInputError

Severity = Literal["Violation", "Warning", "Info"]


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result: which node, which path, what is wrong."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: Severity
    shape: str | None

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value is not None else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """The findings of one validation run; it conforms when no finding is a Violation."""

    findings: tuple[Finding, ...]
    triples: int
    seconds: float

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "Violation")


def load_graph(paths: Iterable[Path]) -> Graph:
    """Parse Turtle files into one rdflib graph; a syntax error names the file."""
    graph = Graph()
    for path in sorted(paths):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many parser exception types
            raise BadInputError(f"{path}: not valid Turtle: {exc}") from exc
    return graph


def subclass_triples(ontology: Graph) -> Graph:
    """The ontology's rdfs:subClassOf triples between named classes (added to data graphs)."""
    out = Graph()
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            out.add((sub, RDFS.subClassOf, sup))
    return out


def validate(data: Graph, shapes: Graph, *, context: Graph | None = None) -> ValidationReport:
    """Validate ``data`` (plus ``context``: subclass triples, types of referenced nodes)."""
    started = time.perf_counter()
    graph = data
    if context is not None and len(context):
        graph = Graph()
        for triple in data:
            graph.add(triple)
        for triple in context:
            graph.add(triple)
    _conforms, results, _text = pyshacl_validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
    )
    findings = tuple(sorted(_findings(results), key=lambda f: (f.focus, f.path or "", f.message)))
    return ValidationReport(findings, len(graph), time.perf_counter() - started)


def _findings(results: Graph) -> Iterable[Finding]:
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        yield Finding(
            focus=_text(results, results.value(result, SH.focusNode)) or "",
            path=_text(results, results.value(result, SH.resultPath)),
            value=_text(results, results.value(result, SH.value)),
            message=_message(results, result),
            severity=_severity(severity),
            shape=_text(results, results.value(result, SH.sourceShape)),
        )


def _message(results: Graph, result: Node) -> str:
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    if messages:
        return "; ".join(messages)
    component = results.value(result, SH.sourceConstraintComponent)
    return f"fails {component}" if component is not None else "fails a shape"


def _severity(node: Node | None) -> Severity:
    if node == SH.Warning:
        return "Warning"
    if node == SH.Info:
        return "Info"
    return "Violation"


def _text(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        items = list(Collection(graph, node)) if graph.value(node, RDF.first) else []
        if items:
            return " / ".join(str(i) for i in items)
        inverse = graph.value(node, SH.inversePath)
        return f"^{inverse}" if inverse is not None else "_:blank"
    if isinstance(node, RDFLiteral):
        return str(node)
    return str(node)
