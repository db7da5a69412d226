"""Purging expired consents when they expire, rather than on the next query.

Enforcement never waits for a sweep: the index join compares each entry's expiry with the
time inside the query, and a user query first purges the views of the consents that
expired since the last purge (:func:`~skillsgraph.consent.views.purge_expired`). That
purge costs the query that meets it: on disk, with four views, 5k consents expiring at
once took 30 s (bench/consent.py). A server knows when the next consent expires (the
index keeps its earliest expiry), so :class:`ExpiryKeeper` purges at that moment, in a
thread of its own: a query then finds the views current and reads them at once. It looks
at the index every few seconds, so that it also learns of expiries brought forward by
writes it is not told of.

The keeper only saves time; nothing depends on it. Between an expiry and the end of its
purge, queries still purge for themselves (they wait for the keeper's purge to finish, as
both hold the consent write lock, and find nothing left to do) or join the index.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from skillsgraph.config import Settings
from skillsgraph.consent.index import is_current, next_expiry
from skillsgraph.consent.views import purge_expired
from skillsgraph.store.base import Store

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
"""Seconds between two looks at the index at most (two lookups, well under a millisecond):
a grant, a renewal or a context's first entries, in this process or another one sharing
the store, may bring an expiry sooner than the one awaited."""


class ExpiryKeeper:
    """Purges the views and the index of each consent at the moment it expires, in a
    thread of its own from :meth:`start` to :meth:`close`."""

    def __init__(self, store: Store, settings: Settings, *, poll: float = POLL_SECONDS):
        self._store = store
        self._settings = settings
        self._poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.purged = 0
        """How many expired consents the keeper purged (read by the tests)."""
        self.waiting: float | None = None
        """The seconds of the current wait (None: not running)."""

    def start(self) -> None:
        """Purge what has expired already, then each consent as it expires."""
        self._stop.set()  # a thread from an earlier start stops on its own event
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop,), name="consent-expiry", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop (when the server stops). A purge under way ends with its transaction."""
        self._stop.set()
        self.waiting = None

    def _loop(self, stop: threading.Event) -> None:
        wait = 0.0
        while not stop.wait(wait):
            try:
                self._purge()
                wait = self._wait()
            except Exception:  # a thread's error would go nowhere: log it, keep serving
                log.exception("could not purge the expired consents")
                wait = self._poll
            if not stop.is_set():
                self.waiting = wait

    def _purge(self) -> None:
        now = datetime.now(UTC)
        if is_current(self._store, self._settings, now):
            return
        started = time.perf_counter()
        expired = purge_expired(self._store, self._settings, now)
        self.purged += len(expired)
        log.info(
            "purged %d expired consent(s) from the index and views in %.2f s",
            len(expired),
            time.perf_counter() - started,
        )

    def _wait(self) -> float:
        """Seconds until the next expiry, or until the next look at the index."""
        upcoming = next_expiry(self._store, self._settings)
        if upcoming is None:
            return self._poll
        seconds = (upcoming - datetime.now(UTC)).total_seconds()
        # an expiry is "validUntil <= now": wake just after it
        return min(max(seconds, 0.0) + 0.01, self._poll)
