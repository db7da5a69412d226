"""Small helpers shared by the consent tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent import AccessContext, Answer, query_as, query_personal
from skillsgraph.store import EmbeddedStore, Store
from skillsgraph.store.base import QueryResult


def triples(store: Store, graph: str) -> set[tuple[str, str, str]]:
    """The triples of ``graph`` as N-Triples terms (through SPARQL: any store)."""
    result = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, ox.QuerySolutions)
    return {(str(row["s"]), str(row["p"]), str(row["o"])) for row in result}


def dump(store: Store) -> str:
    """Every quad of every named graph, as text (through SPARQL: any store)."""
    result = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, ox.QuerySolutions)
    return "".join(f"{r['s']} {r['p']} {r['o']} {r['g']} .\n" for r in result)


def rows(answer: Answer) -> set[tuple[str, ...]]:
    """The rows of a SELECT answer as N-Triples terms ('' for unbound)."""
    result = answer.result()
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return {tuple(str(r[n]) if r[n] is not None else "" for n in names) for r in result}


def seen(
    world_store: Store, settings: Settings, context: AccessContext, now: datetime
) -> set[tuple[str, ...]]:
    """Every triple user SPARQL in ``context`` sees in its default graph."""
    return rows(
        query_as(world_store, settings, context, "SELECT ?s ?p ?o { ?s ?p ?o }", now=now, log=False)
    )


def personal(
    store: Store, settings: Settings, context: AccessContext, now: datetime
) -> set[tuple[str, ...]]:
    """Every personal triple the project's own queries see in ``context``."""
    sparql = f"SELECT ?s ?p ?o {{ GRAPH <{settings.graph('personal')}> {{ ?s ?p ?o }} }}"
    return rows(query_personal(store, settings, context, sparql, now=now, log=False))


class StrictStore(EmbeddedStore):
    """An embedded store that reads the SPARQL protocol's dataset as strictly as Oxigraph
    server does: given default graphs, a query reaches only the named graphs listed."""

    def lists_named_graphs(self) -> bool:
        return True

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        if default_graphs is not None and named_graphs is None:
            named_graphs = []
        return super().query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)
