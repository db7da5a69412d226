"""Queries over the public part of the graph, and their results in the usual formats.

A query sees the public graphs only (the ontology, one graph per source, provenance) as its
default graph, and only those through ``GRAPH``: personal data in consent graphs is never
reached by this path. The vocabularies' prefixes are declared for the caller.
"""

from __future__ import annotations

from typing import Literal

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.errors import BadInputError
from skillsgraph.namespaces import sparql_prefixes
from skillsgraph.store.base import QueryResult, Store

ResultFormat = Literal["json", "csv", "tsv", "xml"]
_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}


def public_graphs(store: Store, settings: Settings) -> list[str]:
    """The graphs anybody may query: ontology, source graphs and provenance."""
    public = (settings.graph("ontology"), settings.graph("provenance"))
    prefix = settings.graph("source/")
    return [g for g in store.graphs() if g in public or g.startswith(prefix)]


def run_query(store: Store, settings: Settings, sparql: str) -> QueryResult:
    """Run ``sparql`` over the public graphs, with the project's prefixes declared."""
    graphs = public_graphs(store, settings)
    return store.query(sparql_prefixes() + sparql, default_graphs=graphs, named_graphs=graphs)


def serialize_result(result: QueryResult, fmt: ResultFormat) -> bytes:
    """SELECT/ASK results as SPARQL JSON/CSV/TSV/XML; CONSTRUCT/DESCRIBE as N-Triples."""
    if isinstance(result, ox.QueryTriples):
        if fmt not in ("json", "csv"):
            raise BadInputError(f"a graph result cannot be written as {fmt}; use json or csv")
        return bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"")
    return bytes(result.serialize(format=_RESULT_FORMATS[fmt]) or b"")


def result_rows(result: ox.QuerySolutions) -> tuple[list[str], list[list[str]]]:
    """Variable names and rows of plain strings (IRIs, literal values, '' for unbound)."""
    names = [v.value for v in result.variables]
    rows = [[_plain(solution[name]) for name in names] for solution in result]
    return names, rows


def _plain(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal | ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)
