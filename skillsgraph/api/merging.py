"""Keeping the embedded store's merged copy of the public graphs in use while the server
takes writes.

A SPARQL Update over HTTP to a public graph stops the use of the merged copy (see
:mod:`skillsgraph.store.embedded`; the Graph Store Protocol's PUT, POST and DELETE change
the copy in their own transaction and keep it in use): answers stay right, and queries
over the public graphs read the eight graphs again, 3-7x slower on disk. So once no write
has come for ``quiet`` seconds, the server rebuilds the copy by its delta, in a thread of
its own: on disk, for the bundled data, 9 s even after a one-triple write (the rebuild
compares the whole copy with the graphs it merges).

Every write of the API and the rebuild hold :attr:`MergeKeeper.lock`: a write that landed
between the rebuild's reading of the graphs and its marking of the copy as exact would
otherwise be missing from a copy in use. Writers wait for a rebuild in progress; readers
never do (they read the graphs themselves until the copy is marked exact).
"""

from __future__ import annotations

import logging
import threading

from skillsgraph.config import Settings
from skillsgraph.consent.scope import merge_public, public_graphs
from skillsgraph.store import EmbeddedStore, Store

log = logging.getLogger(__name__)

QUIET_SECONDS = 30.0


class MergeKeeper:
    """Rebuilds the merged copy ``quiet`` seconds after the last write (None: never)."""

    def __init__(self, store: Store, settings: Settings, quiet: float | None) -> None:
        self.lock = threading.Lock()
        """Held by every write of the API and by the rebuild."""
        self._store = store
        self._settings = settings
        self._quiet = quiet
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self.rebuilds = 0
        """How many times the copy was rebuilt (read by the tests)."""

    def start(self) -> None:
        """When the server starts: if the copy is not in use for exactly the public graphs
        (never built, or a rebuild cut short when the server last stopped), rebuild it
        once ``quiet`` seconds pass without a write."""
        store = self._store
        if isinstance(store, EmbeddedStore) and store.merged != frozenset(
            public_graphs(store, self._settings)
        ):
            self.wrote()

    def wrote(self) -> None:
        """After a write: rebuild the copy once ``quiet`` seconds pass without another."""
        if self._quiet is None or not isinstance(self._store, EmbeddedStore):
            return
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._quiet, self._rebuild)
            self._timer.daemon = True  # a rebuild is one transaction: safe to cut short
            self._timer.start()

    def close(self) -> None:
        """Cancel a pending rebuild (when the server stops)."""
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _rebuild(self) -> None:
        try:
            with self.lock:
                size = merge_public(self._store, self._settings)
                self.rebuilds += 1
            log.info("rebuilt the merged copy of the public graphs: %s triples", size)
        except Exception:  # a thread's error would go nowhere: log it, keep serving
            log.exception("could not rebuild the merged copy of the public graphs")
