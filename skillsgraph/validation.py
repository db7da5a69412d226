"""SHACL validation with pyshacl, and the findings it reports.

What DESIGN.md measured decides how: no inference inside validation (RDFS inference costs
4-5x and changes results), the ontology's ``rdfs:subClassOf`` triples are added to the data
graph instead so that ``sh:class`` sees subclasses; pyshacl's ``focus_nodes`` option is
not used (false negatives through ``sh:node`` in 0.40.1).
"""

from __future__ import annotations

import multiprocessing
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


def validate(
    data: Graph, shapes: Graph, *, context: Graph | None = None, workers: int = 1
) -> ValidationReport:
    """Validate ``data`` plus ``context`` (subclass triples, types of referenced nodes).

    The context triples are added to ``data`` itself (it is the caller's batch graph, built
    for validation). With ``workers`` > 1 the shapes are split into groups validated in
    forked processes, one per core (DESIGN.md: "pyshacl split by shape group"): each group
    sees the whole data graph, so the findings are those of one run.
    """
    started = time.perf_counter()
    if context is not None:
        for triple in context:
            data.add(triple)
    groups = shape_groups(shapes, data, workers) if workers > 1 else [shapes]
    findings = _run_pyshacl(data, groups[0]) if len(groups) == 1 else _run_forked(data, groups)
    ordered = tuple(sorted(findings, key=lambda f: (f.focus, f.path or "", f.message)))
    return ValidationReport(ordered, len(data), time.perf_counter() - started)


def _run_pyshacl(data: Graph, shapes: Graph) -> list[Finding]:
    _conforms, results, _text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
    )
    return list(_findings(results))


_FORKED: tuple[Graph, list[Graph]] | None = None  # what forked workers validate


def _forked_group(index: int) -> list[Finding]:
    assert _FORKED is not None
    data, groups = _FORKED
    return _run_pyshacl(data, groups[index])


def _run_forked(data: Graph, groups: list[Graph]) -> list[Finding]:
    """Validate each shape group in its own forked process (the data graph is shared
    copy-on-write, not pickled)."""
    global _FORKED
    _FORKED = (data, groups)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(len(groups)) as pool:
            parts = pool.map(_forked_group, range(len(groups)))
    finally:
        _FORKED = None
    return [finding for part in parts for finding in part]


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def shape_groups(shapes: Graph, data: Graph, count: int) -> list[Graph]:
    """Split ``shapes`` into at most ``count`` self-contained graphs of similar cost.

    Each shape with a target goes whole (everything reachable from it: property shapes,
    lists, named constraints, prefix declarations) to the group with the least estimated
    work so far; the estimate is the number of target nodes in ``data``.
    """
    roots = sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str)
    costed = sorted(((_target_count(shapes, data, r), r) for r in roots), reverse=True)
    groups: list[tuple[int, list[Node]]] = [(0, []) for _ in range(max(1, count))]
    for cost, root in costed:
        load, members = min(groups, key=lambda g: g[0])
        groups.remove((load, members))
        groups.append((load + cost + 1, [*members, root]))
    out = []
    for _load, members in groups:
        if not members:
            continue
        graph = Graph()
        for prefix, namespace in shapes.namespaces():
            graph.bind(prefix, namespace)
        for triple in _closure(shapes, members):
            graph.add(triple)
        out.append(graph)
    return out or [shapes]


def _target_count(shapes: Graph, data: Graph, root: Node) -> int:
    count = 0
    for cls in shapes.objects(root, SH.targetClass):
        count += sum(1 for _ in data.subjects(RDF.type, cls))
    for prop in shapes.objects(root, SH.targetSubjectsOf):
        count += len(set(data.subjects(prop, None)))
    for prop in shapes.objects(root, SH.targetObjectsOf):
        count += len(set(data.objects(None, prop)))
    count += sum(1 for _ in shapes.objects(root, SH.targetNode))
    return count


def _closure(shapes: Graph, roots: Iterable[Node]) -> Iterable[tuple[Node, Node, Node]]:
    """Every triple reachable from ``roots`` in ``shapes`` (following any object that is
    itself described there, except classes named by rdf:type)."""
    seen: set[Node] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _s, p, o in shapes.triples((node, None, None)):
            yield node, p, o
            if p != RDF.type and (o, None, None) in shapes:
                todo.append(o)


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
