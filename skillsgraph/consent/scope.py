"""Which graphs a caller may see: the public graphs, plus an access context's view.

Public graphs are the ontology, provenance, and every source graph ingest recorded in
provenance (``sg:targetGraph``). They are found from provenance rather than by listing the
store's graphs: a store with 100k consent graphs takes about 0.25 s to list them, for
every query.

>>> from skillsgraph.store import EmbeddedStore
>>> settings = Settings(store="memory")
>>> may_see(settings, None, settings.graph("source/esco")), may_see(
...     settings, None, settings.graph("consent/c1"))
(True, False)
"""

from __future__ import annotations

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent.model import SG
from skillsgraph.consent.registry import AccessContext
from skillsgraph.store.base import Store
from skillsgraph.store.embedded import EmbeddedStore


def public_graphs(store: Store, settings: Settings) -> list[str]:
    """The public graphs that hold triples: ontology, source graphs, provenance."""
    provenance = settings.graph("provenance")
    prefix = settings.graph("source/")
    candidates = (
        f"SELECT DISTINCT ?g WHERE {{ GRAPH <{provenance}> {{ ?activity <{SG}targetGraph> ?g }}"
        f' FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
    )
    result = store.query(candidates)
    assert isinstance(result, ox.QuerySolutions)
    named = {settings.graph("ontology"), provenance} | {row["g"].value for row in result}
    listed = " ".join(f"<{g}>" for g in sorted(named))
    existing = store.query(
        f"SELECT ?g WHERE {{ VALUES ?g {{ {listed} }} "
        "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert isinstance(existing, ox.QuerySolutions)
    return sorted(row["g"].value for row in existing)


def merge_public(store: Store, settings: Settings) -> int | None:
    """On the embedded store, make its merged copy hold the public graphs (a query over
    all of them then reads one graph: see :mod:`skillsgraph.store.embedded`); return the
    copy's size, or None for a server, which has no such copy."""
    if not isinstance(store, EmbeddedStore):
        return None
    return store.merge(public_graphs(store, settings))


def is_public(settings: Settings, graph: str) -> bool:
    """Whether ``graph`` is a public graph by its name (it may not exist yet)."""
    prefix = settings.graph("source/")
    fixed = (settings.graph("ontology"), settings.graph("provenance"))
    return graph in fixed or (graph.startswith(prefix) and len(graph) > len(prefix))


def may_see(settings: Settings, context: AccessContext | None, graph: str) -> bool:
    """Whether a caller in ``context`` (None: no context) may name ``graph``: a public
    graph, or the context's own view."""
    return is_public(settings, graph) or (context is not None and graph == context.view(settings))


def visible_graphs(store: Store, settings: Settings, context: AccessContext | None) -> list[str]:
    """The dataset of user-written SPARQL in ``context``: the public graphs, and the
    context's view graph (even while it is empty). Never a consent graph, the consent
    records, the permission index or the audit log."""
    graphs = public_graphs(store, settings)
    if context is not None:
        graphs.append(context.view(settings))
    return graphs
