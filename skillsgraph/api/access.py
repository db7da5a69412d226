"""Who asks, and which graphs they may see: the one place the serving layer decides access.

Every request is made by a :class:`Caller`: the participant its bearer token names
(``None`` without a token) and, when it declares a purpose (``purpose`` parameter or
``X-Purpose`` header), the consent module's access context (participant + purpose), checked
against the participant registry. :func:`visible_graphs` turns a caller into a
:class:`GraphScope`, and every route reads through that scope only: the SPARQL endpoint
pins its dataset to it (whatever ``FROM``, ``FROM NAMED``, ``GRAPH`` or the protocol's
``default-graph-uri`` say) and the resource routes query it.

A scope is the public graphs (the ontology, one graph per source, provenance) and, for a
caller with an access context, that context's view graph: copies of the personal triples
its consents permit now, kept up to date on every consent change (see
:mod:`skillsgraph.consent.views`). Consent graphs, consent records, the permission index,
the audit log and other contexts' views are never in it. Answers that name personal
resources are logged with the consents behind them (:func:`log_personal`).

>>> from skillsgraph.config import Settings
>>> from skillsgraph.store import EmbeddedStore
>>> store = EmbeddedStore(None)
>>> settings = Settings(store="memory")
>>> scope = visible_graphs(None, store, settings)
>>> scope.allows(settings.graph("source/esco")), scope.allows(settings.graph("consent/c1"))
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent import (
    AccessContext,
    Participant,
    consents_behind,
    is_public,
    purge_expired,
)
from skillsgraph.consent import visible_graphs as consent_graphs
from skillsgraph.consent.audit import log_access
from skillsgraph.consent.index import ensure_context, is_current
from skillsgraph.store import Store


@dataclass(frozen=True)
class Caller:
    """Who makes a request: a participant (``None``: anonymous) and, if it declared a
    purpose the registry allows it, its access context."""

    participant: Participant | None = None
    context: AccessContext | None = None


@dataclass(frozen=True)
class GraphScope:
    """The graphs one request may see.

    ``graphs``: the visible graphs; a query without a dataset of its own sees their merge
    as its default graph and reaches each of them with ``GRAPH``. ``may_name``: whether a
    graph IRI outside ``graphs`` may still be named (``FROM``, ``default-graph-uri``,
    ...): a public name that holds no triples yet is an empty graph, not a forbidden one.
    ``context``: the access context whose view is in the scope (None: public data only).
    """

    graphs: tuple[str, ...]
    may_name: Callable[[str], bool]
    context: AccessContext | None = None

    def allows(self, graph: str) -> bool:
        """Whether a request in this scope may read ``graph``."""
        return graph in self.graphs or self.may_name(graph)

    def forbidden(self, graphs: list[str]) -> list[str]:
        """The graphs of ``graphs`` this scope does not allow, in order."""
        return [g for g in graphs if not self.allows(g)]


def visible_graphs(
    context: AccessContext | None, store: Store, settings: Settings, *, now: datetime | None = None
) -> GraphScope:
    """The graphs a request made in ``context`` (None: no context) may see: the public
    graphs, and the context's view. The view is started the first time a context asks
    and purged of consents that expired since the last look, so that the scope permits
    exactly what the consent records permit at ``now``."""
    if context is not None:
        moment = now or datetime.now(UTC)
        ensure_context(store, settings, context, moment, view=True)
        if not is_current(store, settings, moment):
            purge_expired(store, settings, moment)
    graphs = tuple(consent_graphs(store, settings, context))
    view = context.view(settings) if context is not None else None

    def empty_public(graph: str) -> bool:
        """A public name (ontology, provenance, source/...) not among the listed graphs
        holds no triples: naming it gives an empty graph."""
        return is_public(settings, graph) or graph == view

    return GraphScope(graphs=graphs, may_name=empty_public, context=context)


def answer_iris(
    triples: Iterable[ox.Triple] = (), rows: Iterable[Iterable[object]] = ()
) -> set[str]:
    """The IRIs an answer names: subjects and objects of its triples, values of its rows."""
    found = set()
    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    for row in rows:
        found.update(term.value for term in row if isinstance(term, ox.NamedNode))
    return found


def log_personal(
    store: Store, settings: Settings, scope: GraphScope, query: str, iris: set[str]
) -> str | None:
    """Log an answer in ``scope`` that names ``iris`` if personal data permitted by some
    consent describes one of them: the audit entry's IRI, or None (nothing personal)."""
    if scope.context is None or not iris:
        return None
    now = datetime.now(UTC)
    consents = consents_behind(store, settings, scope.context, iris, now)
    if not consents:
        return None
    return log_access(store, settings, scope.context, query, consents, now)
