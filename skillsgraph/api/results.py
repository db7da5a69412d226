"""Query answers in the formats clients ask for.

SELECT results as SPARQL JSON, XML, CSV or TSV; ASK as JSON or XML; CONSTRUCT and DESCRIBE
graphs as Turtle, N-Triples, N-Quads, JSON-LD or RDF/XML. pyoxigraph writes every format;
solutions drawn one at a time (see :mod:`skillsgraph.api.execution`) are handed back to it
as SPARQL TSV, whose terms are pyoxigraph's own N-Triples spelling, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from skillsgraph.api.execution import Answer, Boolean, Solutions, Triples
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.namespaces import PREFIXES

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"

SOLUTION_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
BOOLEAN_TYPES = (SPARQL_JSON, SPARQL_XML)
GRAPH_TYPES = (TURTLE, N_TRIPLES, JSON_LD, N_QUADS, RDF_XML)

_RESULT_FORMATS = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    N_QUADS: ox.RdfFormat.N_QUADS,
    JSON_LD: ox.RdfFormat.JSON_LD,
    RDF_XML: ox.RdfFormat.RDF_XML,
}
# Types clients commonly send for the same thing.
RESULT_ALIASES = {
    "application/json": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
}
GRAPH_ALIASES = {
    "application/json": JSON_LD,
    "text/plain": N_TRIPLES,
    "application/x-turtle": TURTLE,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
}
_TEXT_TYPES = {CSV, TSV, TURTLE, N_TRIPLES, N_QUADS}


@dataclass(frozen=True)
class Rendered:
    """A serialised answer and the Content-Type header to send with it."""

    body: bytes
    content_type: str


def offers_for(answer: Answer) -> tuple[tuple[str, ...], dict[str, str]]:
    """The media types an answer can be written as, and the aliases clients may use."""
    if isinstance(answer, Triples):
        return GRAPH_TYPES, GRAPH_ALIASES
    if isinstance(answer, Boolean):
        return BOOLEAN_TYPES, RESULT_ALIASES
    return SOLUTION_TYPES, RESULT_ALIASES


def render(answer: Answer, accept: str | None) -> Rendered:
    """``answer`` in the format the Accept header prefers, or a 406 naming the choices."""
    offers, aliases = offers_for(answer)
    media_type = choose(accept, offers, aliases=aliases)
    if media_type is None:
        raise ApiError(
            406,
            f"none of the requested types ({accept}) can hold this result; "
            f"ask for one of: {', '.join(offers)}",
        )
    return Rendered(_body(answer, media_type), content_type(media_type))


def content_type(media_type: str) -> str:
    """The Content-Type header for ``media_type`` (UTF-8 declared for text types)."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type


def graph_bytes(
    triples: list[ox.Triple], media_type: str, *, prefixes: dict[str, str] | None = None
) -> bytes:
    """Triples in one of :data:`GRAPH_TYPES`, with the project's prefixes (or
    ``prefixes``) where the format has them."""
    fmt = RDF_FORMATS[media_type]
    if fmt == ox.RdfFormat.N_QUADS:
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        return bytes(ox.serialize(quads, format=fmt) or b"")
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        chosen = PREFIXES if prefixes is None else prefixes
        return bytes(ox.serialize(triples, format=fmt, prefixes=chosen) or b"")
    return bytes(ox.serialize(triples, format=fmt) or b"")


def _body(answer: Answer, media_type: str) -> bytes:
    if isinstance(answer, Triples):
        return graph_bytes(answer.triples, media_type)
    if isinstance(answer, Boolean):
        return _boolean(answer.value, media_type)
    tsv = solutions_tsv(answer)
    if media_type == TSV:
        return tsv
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return bytes(parsed.serialize(format=_RESULT_FORMATS[media_type]) or b"")


def solutions_tsv(answer: Solutions) -> bytes:
    """SELECT results as SPARQL TSV (terms in N-Triples syntax, unbound as empty)."""
    lines = ["\t".join(f"?{v}" for v in answer.variables)]
    lines.extend(
        "\t".join("" if term is None else str(term) for term in row) for row in answer.rows
    )
    return ("\n".join(lines) + "\n").encode()


def _boolean(value: bool, media_type: str) -> bytes:
    if media_type == SPARQL_XML:
        return (
            '<?xml version="1.0"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    return f'{{"head":{{}},"boolean":{"true" if value else "false"}}}'.encode()
