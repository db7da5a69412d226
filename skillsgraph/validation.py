"""SHACL validation with pyshacl, and the findings it reports.

What DESIGN.md measured decides how: no inference inside validation (RDFS inference costs
4-5x and changes results), the ontology's ``rdfs:subClassOf`` triples are added to the data
graph instead so that ``sh:class`` sees subclasses; pyshacl's ``focus_nodes`` option is
not used (false negatives through ``sh:node`` in 0.40.1).

pyshacl evaluates a property shape nested under a node shape (``sh:property``) once per
focus node, with a fixed cost each time that dominated large batches (2.29M learner
triples: 7 minutes). :func:`targeted_shapes` gives such property shapes the node shape's
targets instead, so each is evaluated once over all its focus nodes: the same results
(SHACL 2.3: a property shape's results do not depend on how it reached its focus node),
2.1x faster on learners.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl
import pyoxigraph as ox
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
    """Validate ``data`` plus ``context`` (subclass triples, types of referenced nodes).

    The context triples are added to ``data`` itself (the caller's batch graph, built for
    validation). For a batch held as a Polars frame, :func:`validate_triples` also splits
    the work over processes.
    """
    started = time.perf_counter()
    if context is not None:
        for triple in context:
            data.add(triple)
    findings = sorted(_run_pyshacl(data, shapes), key=lambda f: (f.focus, f.path or "", f.message))
    return ValidationReport(tuple(findings), len(data), time.perf_counter() - started)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def targeted_shapes(shapes: Graph) -> Graph:
    """A copy of ``shapes`` where each property shape of a targeted node shape carries that
    node shape's targets itself, and is no longer nested under it.

    A node shape that another shape refers to (``sh:node``, ``sh:or``, …) is left as it
    is, since those references validate its property shapes on other nodes; so is any
    property shape of a deactivated node shape.
    """
    out = Graph()
    for triple in shapes:
        out.add(triple)
    for node_shape, prop in list(shapes.subject_objects(SH.property)):
        if next(shapes.subject_predicates(node_shape), None) is not None:
            continue  # referenced by another shape's constraint
        if shapes.value(node_shape, SH.deactivated) is not None:
            continue
        targets = [(t, o) for t in _TARGETS for o in shapes.objects(node_shape, t)]
        if (node_shape, RDF.type, RDFS.Class) in shapes:
            targets.append((SH.targetClass, node_shape))  # implicit class target
        if not targets:
            continue
        for target, value in targets:
            out.add((prop, target, value))
        out.remove((node_shape, SH.property, prop))
    return out


def _run_pyshacl(data: Graph, shapes: Graph) -> list[Finding]:
    _conforms, results, _text = pyshacl_validate(
        data,
        shacl_graph=targeted_shapes(shapes),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
    )
    return list(_findings(results))


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


# --- batches as Polars frames, validated in partitions ----------------------------------

RDF_TYPE_NT = f"<{RDF.type}>"
_PARTITION_MIN = 50_000  # below this many triples, one process is faster than forking


def validate_triples(
    triples: pl.DataFrame, shapes: Graph, *, context: Graph | None = None, workers: int = 1
) -> ValidationReport:
    """Validate a batch given as N-Triples terms (columns s, p, o); report only findings on
    nodes the batch describes.

    With ``workers`` > 1 the batch is split by subject into that many partitions, each
    validated in a forked process: a partition holds its own subjects' triples, the
    triples pointing at them (inverse paths, ``sh:targetObjectsOf``), and the ``rdf:type``
    of every node those mention (``sh:class``), which is the context-graph method of
    DESIGN.md; each keeps the findings on its own subjects. Building the rdflib graph is
    then split too, not only pyshacl's work.
    """
    started = time.perf_counter()
    batch = triples.select("s", "p", "o").unique()
    owned = batch.filter(pl.col("s").str.starts_with("<"))["s"].unique()
    parts = max(1, workers) if batch.height >= _PARTITION_MIN else 1
    if parts == 1:
        keep = {term[1:-1] for term in owned.to_list()}
        found = [
            f for f in _validate_document(_document(batch), shapes, context) if f.focus in keep
        ]
    else:
        # Partitions are cut here, with Polars; each worker is a fresh (spawned) process
        # that gets N-Triples text and Turtle, never a forked copy of Polars' threads.
        # A partition reports only on its own subjects (the others are context there).
        buckets = owned.hash(seed=11) % parts
        mine = [owned.filter(buckets == i) for i in range(parts)]
        shapes_text = shapes.serialize(format="turtle")
        context_text = context.serialize(format="nt") if context is not None else ""
        jobs = [(_document(_partition(batch, m)), shapes_text, context_text) for m in mine]
        with multiprocessing.get_context("spawn").Pool(parts) as pool:
            results = pool.starmap(_spawned_part, jobs)
        found = []
        for subjects, part in zip(mine, results, strict=True):
            keep = {term[1:-1] for term in subjects.to_list()}
            found.extend(f for f in part if f.focus in keep)
    findings = sorted(set(found), key=lambda f: (f.focus, f.path or "", f.message))
    return ValidationReport(tuple(findings), batch.height, time.perf_counter() - started)


def _spawned_part(document: str, shapes_text: str, context_text: str) -> list[Finding]:
    shapes = Graph().parse(data=shapes_text, format="turtle")
    context = Graph().parse(data=context_text, format="nt") if context_text else None
    return _validate_document(document, shapes, context)


def _partition(batch: pl.DataFrame, mine: pl.Series) -> pl.DataFrame:
    """The triples about ``mine``, those pointing at them, blank-node triples, and the
    types of every node mentioned."""
    ids = mine.implode()
    own = batch.filter(pl.col("s").is_in(ids) | pl.col("s").str.starts_with("_:"))
    incoming = batch.filter(pl.col("o").is_in(ids) & ~pl.col("s").is_in(ids))
    mentioned = pl.concat([own["o"], incoming["s"]]).unique()
    types = batch.filter((pl.col("p") == RDF_TYPE_NT) & pl.col("s").is_in(mentioned.implode()))
    return pl.concat([own, incoming, types]).unique()


def _document(triples: pl.DataFrame) -> str:
    """N-Triples text of a frame of N-Triples terms (columns s, p, o)."""
    if triples.height == 0:
        return ""
    line = pl.concat_str([pl.col("s"), pl.col("p"), pl.col("o")], separator=" ") + " ."
    return str(triples.select(line.str.join("\n")).item())


def _validate_document(document: str, shapes: Graph, context: Graph | None) -> list[Finding]:
    graph = rdflib_graph(document)
    if context is not None:
        for triple in context:
            graph.add(triple)
    return _run_pyshacl(graph, shapes)


def rdflib_graph(document: str) -> Graph:
    """An rdflib graph of an N-Triples document, parsed by pyoxigraph and turned into
    rdflib terms (faster than rdflib's own N-Triples parser, and it accepts every IRI
    character RFC 3987 allows, such as a no-break space)."""
    graph = Graph()
    seen: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = seen.get(t)
        if found is not None:
            return found
        if isinstance(t, ox.NamedNode):
            found = URIRef(t.value)
        elif isinstance(t, ox.BlankNode):
            found = BNode(t.value)
        elif t.language:
            found = RDFLiteral(t.value, lang=t.language)
        else:
            datatype = t.datatype.value
            found = RDFLiteral(
                t.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype)
            )
        seen[t] = found
        return found

    graph.addN(
        (term(t.subject), term(t.predicate), term(t.object), graph)
        for t in ox.parse(document, format=ox.RdfFormat.N_TRIPLES)
    )
    return graph


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
