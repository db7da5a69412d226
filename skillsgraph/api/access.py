"""Who asks, and which graphs they may see: the one place the serving layer decides access.

Every request is made in an :class:`AccessContext`: the participant its bearer token names
(``None`` without a token) and the purpose it declares (``purpose`` parameter or
``X-Purpose`` header). :func:`visible_graphs` turns a context into a :class:`GraphScope`,
and every route reads through that scope only: the SPARQL endpoint pins its dataset to it
(whatever ``FROM``, ``FROM NAMED``, ``GRAPH`` or the protocol's ``default-graph-uri`` say)
and the resource routes query it.

Today the scope is the public graphs whoever asks: the ontology, one graph per source and
provenance. Consent graphs (``…/graph/consent/…``), the consent records, the permission
index and the audit graph are never in it. The consent work replaces
:func:`visible_graphs` to add, for a participant and purpose, that context's view graph.

>>> from skillsgraph.config import Settings
>>> from skillsgraph.store import EmbeddedStore
>>> store = EmbeddedStore(None)
>>> settings = Settings(store="memory")
>>> scope = visible_graphs(AccessContext(), store, settings)
>>> scope.allows(settings.graph("source/esco")), scope.allows(settings.graph("consent/c1"))
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skillsgraph.config import Settings
from skillsgraph.query import public_graphs
from skillsgraph.store import Store


@dataclass(frozen=True)
class AccessContext:
    """The participant a request is made by (``None``: anonymous) and its declared purpose."""

    participant: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class GraphScope:
    """The graphs one request may see.

    ``graphs``: the visible graphs that exist; a query without a dataset of its own sees
    their merge as its default graph and reaches each of them with ``GRAPH``.
    ``may_name``: whether a graph IRI outside ``graphs`` may still be named (``FROM``,
    ``default-graph-uri``, ...): a public name that holds no triples yet is an empty
    graph, not a forbidden one.
    """

    graphs: tuple[str, ...]
    may_name: Callable[[str], bool]

    def allows(self, graph: str) -> bool:
        """Whether a request in this scope may read ``graph``."""
        return graph in self.graphs or self.may_name(graph)

    def forbidden(self, graphs: list[str]) -> list[str]:
        """The graphs of ``graphs`` this scope does not allow, in order."""
        return [g for g in graphs if not self.allows(g)]


def visible_graphs(context: AccessContext, store: Store, settings: Settings) -> GraphScope:
    """The graphs a request made in ``context`` may see: for now the public graphs only.

    ``context`` is not consulted yet: without consent enforcement nobody, with or without
    a token or purpose, sees personal data. The consent work replaces this function.
    """
    del context  # the same public scope for everybody until consent enforcement exists
    public_names = {settings.graph("ontology"), settings.graph("provenance")}
    source_prefix = settings.graph("source/")
    existing = set(store.graphs())

    def empty_public(graph: str) -> bool:
        """A public name (ontology, provenance, source/...) that holds no triples: naming
        it gives an empty graph. A graph that exists is visible only if listed above."""
        named_public = graph in public_names or (
            graph.startswith(source_prefix) and len(graph) > len(source_prefix)
        )
        return named_public and graph not in existing

    return GraphScope(graphs=tuple(public_graphs(store, settings)), may_name=empty_public)
