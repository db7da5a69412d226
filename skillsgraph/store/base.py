"""The small ``Store`` protocol everything above ``store/`` talks to.

Two implementations sit behind it: the embedded pyoxigraph store (default) and, later, a
remote SPARQL 1.1 server. Results use pyoxigraph's result classes in both cases (a remote
store parses the server's SPARQL results with ``pyoxigraph.parse_query_results``), so the
callers never know which store answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@dataclass(frozen=True)
class ReplaceReport:
    """What one atomic graph replacement did."""

    graph: str
    quads_before: int
    quads_after: int
    removed: int
    added: int
    seconds: float


@runtime_checkable
class Store(Protocol):
    """An RDF dataset that can be queried, and whose named graphs are replaced atomically."""

    @property
    def location(self) -> str:
        """Where the store lives: a path, ``memory``, or a server URL."""
        ...

    def lists_named_graphs(self) -> bool:
        """Whether a query given ``default_graphs`` reaches a named graph only when
        ``named_graphs`` lists it too (a server that reads the SPARQL protocol strictly):
        callers then keep such lists short instead of relying on "None: all". A method,
        not a property: ``isinstance(x, Store)`` reads every member, and a remote store
        asks its server to answer this one."""
        ...

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. ``default_graphs``: the graphs merged as the default graph
        (None: the store's own default graph); ``named_graphs``: the graphs ``GRAPH`` may
        reach (None: all)."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction."""
        ...

    def replace_graph(self, graph: str, ntriples: str) -> ReplaceReport:
        """Make ``graph`` hold exactly the triples of the N-Triples document, atomically."""
        ...

    def replace_graphs(
        self, nquads: str, *, graphs: Sequence[str] = (), prefix: str | None = None
    ) -> ReplaceReport:
        """Make a set of graphs hold exactly the quads of the N-Quads document, atomically:
        ``graphs`` and every stored graph whose IRI starts with ``prefix`` (a source's
        consent graphs). Every quad must be in one of those graphs."""
        ...

    def add_triples(self, graph: str, ntriples: str) -> None:
        """Add triples to ``graph`` in one transaction (append-only graphs: provenance)."""
        ...

    def copy_matches(self, graph: str, where: str) -> None:
        """Add to ``graph`` every triple ``?s ?p ?o`` that the group graph pattern
        ``where`` matches: a derived copy, such as a consent view. Not one transaction on
        every store: the caller marks the copy complete only once this returns."""
        ...

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""
        ...

    def count(self, graph: str | None = None) -> int:
        """Quads in ``graph`` (None: in the whole store)."""
        ...

    def compact(self) -> None:
        """After a large write (an index or views rebuilt), reorganise the storage so that
        reads no longer pay for it; nothing to do where the storage manages itself (a
        server, memory)."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...


def ntriples_lines(text: str) -> list[str]:
    """The non-empty lines of an N-Triples or N-Quads document. Only ``\\n`` ends a line:
    ``str.splitlines`` also splits at U+2028, U+0085 and others, which a literal may hold
    unescaped (a CORDIS deliverable description does)."""
    return [line for line in text.split("\n") if line.strip()]
