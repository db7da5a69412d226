"""The per-context views: copies of the personal triples each access context may see.

A view graph (``…/graph/view/{participant}/{purpose}``) holds a copy of every triple of the
consent graphs the permission index permits for its context, whatever their expiry: the
dataset of that context's user-written SPARQL. A context gets a view the first time it runs
user-written SPARQL (``prov:wasDerivedFrom`` marks the views kept up to date). A view is
always a subset of what the index permits, and before user SPARQL runs after the index's
earliest expiry, the expired consents are taken out of the views, then of the index
(:func:`purge_expired`).

Views cost: on 100k learners (70% permitted), four views hold 9.4M copies (the store grows
from 5.6M to 15.7M quads) and their rebuild takes 54 s in memory, 456-529 s on disk. A
query that scans personal data with an unbound graph meets the copies too: on disk, the
project's own queries joining the index take 1.13-1.18x the unenforced time without views
(median over six queries, the store compacted after the rebuild), 1.54-1.82x beside four
views. So a context with an exact view reads it instead (0.83-1.01x on disk; see
:func:`~skillsgraph.consent.enforce.query_personal` and bench/consent.py).

Removing a consent graph's copies from a view must keep each triple another permitted
consent graph also holds. That check is made here in Python over small, exact lookups and
written as ``DELETE DATA``: the same check as one SPARQL ``FILTER NOT EXISTS`` took 600 ms
per consent on 10k learners, because the optimiser scanned the whole index for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent.index import (
    WRITE_LOCK,
    Graphs,
    drop_entries,
    earliest_expiry,
    index_rule,
    lower_expiry,
    views,
)
from skillsgraph.consent.model import SG, datetime_literal
from skillsgraph.store.base import Store

_CHUNK = 500


def maintenance(
    store: Store, settings: Settings, graph: str, record: str | None, now: datetime
) -> list[str]:
    """The update operations that bring the index and the views in line with the record
    ``record`` (its new version is written earlier in the same update; None: erased, or
    a status that permits nothing) for its consent graph ``graph``."""
    g = Graphs.of(settings)
    viewed = views(store, settings)
    operations = [drop_entries(g, graph)]
    if record is not None:
        operations.append(index_rule(g, now, record=f"<{record}>"))
    operations += drop_copies(store, settings, [graph], viewed)
    if record is not None:
        operations += [add_copies(g, graph, ctx) for ctx in viewed]
        operations.append(lower_expiry(g, graph))
    return operations


def add_copies(g: Graphs, graph: str, context: str) -> str:
    """INSERT the triples of ``graph`` into the view of ``context`` if the index permits
    it for that context."""
    return f"""
INSERT {{ GRAPH <{g.view(context)}> {{ ?s ?p ?o }} }}
WHERE {{ GRAPH <{g.permissions}> {{ <{graph}> <{SG}permittedFor> <{context}> }}
         GRAPH <{graph}> {{ ?s ?p ?o }} }}"""


def drop_copies(
    store: Store,
    settings: Settings,
    graphs: Sequence[str],
    contexts: Sequence[str],
    leaving: set[str] | None = None,
) -> list[str]:
    """Operations that remove the triples of ``graphs`` from the views of ``contexts``,
    except triples another consent graph holds that the index permits for that context
    (other than the graphs in ``leaving``, by default ``graphs``)."""
    if not contexts or not graphs:
        return []
    g = Graphs.of(settings)
    leaving = leaving if leaving is not None else set(graphs)
    triples, blank, holders = _triples(store, g, graphs, leaving)
    keep = _kept(store, g, holders)
    operations = []
    for start in range(0, len(triples), _CHUNK * 40):
        part = triples[start : start + _CHUNK * 40]
        blocks = []
        for ctx in contexts:
            dropped = [t for t in part if ctx not in keep.get(t, ())]
            if dropped:
                blocks.append(f"GRAPH <{g.view(ctx)}> {{\n" + " .\n".join(dropped) + " }")
        if blocks:
            operations.append("DELETE DATA {\n" + "\n".join(blocks) + "\n}")
    if blank:
        operations += [_drop_blank_copies(g, graph, ctx) for graph in blank for ctx in contexts]
    return operations


def _triples(
    store: Store, g: Graphs, graphs: Sequence[str], leaving: set[str]
) -> tuple[list[str], list[str], dict[str, set[str]]]:
    """The distinct triples of ``graphs`` (SPARQL terms), the graphs with blank nodes, and
    for each triple also held by a consent graph not in ``leaving``: those graphs. One
    query: each triple is looked up by subject, predicate and object in every graph."""
    found: dict[str, None] = {}
    blank: list[str] = []
    holders: dict[str, set[str]] = {}
    listed = " ".join(f"<{graph}>" for graph in graphs)
    result = store.query(
        f"SELECT ?g ?s ?p ?o ?other WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} "
        f"GRAPH ?other {{ ?s ?p ?o }} "
        f'FILTER(?other = ?g || STRSTARTS(STR(?other), "{g.consent_prefix}")) }}'
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        if isinstance(row["s"], ox.BlankNode) or isinstance(row["o"], ox.BlankNode):
            if row["g"].value not in blank:
                blank.append(row["g"].value)
            continue
        triple = f"{row['s']} {row['p']} {row['o']}"
        found[triple] = None
        other = row["other"].value
        if other not in leaving:
            holders.setdefault(triple, set()).add(other)
    return list(found), blank, holders


def _kept(store: Store, g: Graphs, holders: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each triple another consent graph holds (``holders``): the contexts those graphs
    are permitted for (so the triple stays in their views)."""
    if not holders:
        return {}
    others = sorted(set().union(*holders.values()))
    permitted: dict[str, set[str]] = {}
    for start in range(0, len(others), _CHUNK):
        listed = " ".join(f"<{o}>" for o in others[start : start + _CHUNK])
        result = store.query(
            f"SELECT ?other ?ctx WHERE {{ VALUES ?other {{ {listed} }} "
            f"GRAPH <{g.permissions}> {{ ?other <{SG}permittedFor> ?ctx }} }}"
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            permitted.setdefault(row["other"].value, set()).add(row["ctx"].value)
    return {
        t: set().union(*(permitted.get(o, set()) for o in held_by))
        for t, held_by in holders.items()
    }


def _drop_blank_copies(g: Graphs, graph: str, context: str) -> str:
    """The slow, general form for triples with blank nodes (which DELETE DATA cannot
    name): remove them from a view unless another permitted graph holds them."""
    return f"""
DELETE {{ GRAPH <{g.view(context)}> {{ ?s ?p ?o }} }}
WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER(isBlank(?s) || isBlank(?o))
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>)
    GRAPH <{g.permissions}> {{ ?other <{SG}permittedFor> <{context}> }} }} }}"""


def purge_expired(store: Store, settings: Settings, now: datetime) -> list[str]:
    """Take the consents that expired by ``now`` out of the views, then out of the index
    (in that order, so that a view never holds more than the index permits), and
    recompute the index's earliest expiry; return their consent graphs."""
    g = Graphs.of(settings)
    with WRITE_LOCK:
        result = store.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH <{g.permissions}> {{ ?g <{SG}permittedFor> ?c ;"
            f" <{SG}validUntil> ?u FILTER(?u <= {datetime_literal(now)}) }} }}"
        )
        assert isinstance(result, ox.QuerySolutions)
        expired = [row["g"].value for row in result]
        contexts = views(store, settings)
        leaving = set(expired)
        for start in range(0, len(expired), _CHUNK):
            chunk = expired[start : start + _CHUNK]
            for operation in drop_copies(store, settings, chunk, contexts, leaving):
                store.update(operation)
        store.update(
            f"""DELETE {{ GRAPH <{g.permissions}> {{ ?c ?g ?u }} }}
WHERE {{ GRAPH <{g.permissions}> {{ ?g <{SG}permittedFor> ?c ; <{SG}validUntil> ?u
         FILTER(?u <= {datetime_literal(now)}) ?c ?g ?u }} }} ;
DELETE {{ GRAPH <{g.permissions}> {{ ?g ?p ?o }} }}
WHERE {{ GRAPH <{g.permissions}> {{ ?g <{SG}permittedFor> ?c ; <{SG}validUntil> ?u
         FILTER(?u <= {datetime_literal(now)}) ?g ?p ?o }} }} ;"""
            + earliest_expiry(g)
        )
    return expired
