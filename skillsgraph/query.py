"""Queries, and their results in the usual formats.

Without an access context a query sees the public graphs only (the ontology, one graph per
source, provenance) as its default graph, and only those through ``GRAPH``: personal data
in consent graphs is never reached by this path. With one (a participant and a declared
purpose), the context's view of the personal data is added and the answer is logged when it
contains personal data (``skillsgraph.consent.query_as``). Either way ``SERVICE`` is refused
and ``FROM``/``FROM NAMED`` can only narrow the dataset. The vocabularies' prefixes are
declared for the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent import AccessContext, pinned_query, public_graphs, query_as
from skillsgraph.errors import BadInputError
from skillsgraph.store.base import QueryResult, Store

__all__ = ["ResultFormat", "public_graphs", "result_rows", "run_query", "serialize_result"]

ResultFormat = Literal["json", "csv", "tsv", "xml"]
_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}


def run_query(
    store: Store,
    settings: Settings,
    sparql: str,
    *,
    context: AccessContext | None = None,
    now: datetime | None = None,
) -> QueryResult:
    """Run ``sparql`` over the public graphs, plus the view of ``context`` when one is
    given, with the project's prefixes declared."""
    if context is None:
        return pinned_query(store, settings, None, sparql)
    return query_as(store, settings, context, sparql, now=now).result()


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
