"""Running a query under the server's limits: a time limit, a result limit, a few at a time.

pyoxigraph has no timeout or cancellation of its own, and a Python thread cannot be
killed. What really stops the work: results are drawn one solution (or triple) at a time
in a worker thread, and the thread checks the deadline and the result limit between
solutions, so a query that streams (most do) stops within one solution of its limit. The
operators that must see all their input before the first solution (``ORDER BY``,
``GROUP BY``, aggregates, ``ASK``) cannot be interrupted inside pyoxigraph: the client is
answered 503 at the deadline all the same, the thread stops as soon as pyoxigraph hands
back the first solution, and at most ``max_running`` queries run at once: the next ones
wait for a slot until their own deadline (503 with ``Retry-After`` if none frees up), so a
handful of runaway queries cannot take the server down.

Answers are materialised (bounded by the result limit) so that the HTTP status is known
before the first byte is sent.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import anyio
import anyio.to_thread
import pyoxigraph as ox

from skillsgraph.api.problems import ApiError
from skillsgraph.errors import BadInputError
from skillsgraph.store import Store


@dataclass(frozen=True)
class Limits:
    """What one query may cost: seconds, rows (or triples), and queries at a time."""

    query_timeout: float = 30.0
    result_limit: int = 100_000
    max_running: int = 4

    def __post_init__(self) -> None:
        if self.query_timeout <= 0 or self.result_limit < 1 or self.max_running < 1:
            raise BadInputError(
                f"limits must be positive: query timeout {self.query_timeout} s, result "
                f"limit {self.result_limit}, queries at a time {self.max_running}"
            )


@dataclass(frozen=True)
class Solutions:
    """A SELECT answer: its variables and its rows."""

    variables: list[str]
    rows: list[ox.QuerySolution]


@dataclass(frozen=True)
class Boolean:
    """An ASK answer."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """A CONSTRUCT or DESCRIBE answer."""

    triples: list[ox.Triple]


Answer = Solutions | Boolean | Triples

# How often (in solutions) the deadline is checked; the clock costs ~50 ns.
_CHECK_EVERY = 64
# Seconds past the deadline before the client is answered without the worker (which stops
# by itself at the deadline unless pyoxigraph is inside a blocking step).
_GRACE = 0.2


class QueryRunner:
    """Runs SPARQL queries against a store in worker threads, within :class:`Limits`."""

    def __init__(self, store: Store, limits: Limits) -> None:
        self._store = store
        self._limits = limits
        self._slots = threading.BoundedSemaphore(limits.max_running)

    async def run(
        self, sparql: str, *, default_graphs: Sequence[str], named_graphs: Sequence[str]
    ) -> Answer:
        """The answer to ``sparql`` over exactly the given dataset, or an :class:`ApiError`
        (503 timeout or busy, 413 too large). A query waits for a free slot until its
        deadline; the worker stops itself at the deadline, and the client is answered at
        most ``_GRACE`` seconds later even if pyoxigraph is still inside a blocking step."""
        deadline = time.monotonic() + self._limits.query_timeout
        work = partial(self._answer, sparql, list(default_graphs), list(named_graphs), deadline)
        try:
            with anyio.fail_after(self._limits.query_timeout + _GRACE):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            raise self._timeout() from None

    def _answer(
        self, sparql: str, default_graphs: list[str], named_graphs: list[str], deadline: float
    ) -> Answer:
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ApiError(
                503,
                f"the server is already running {self._limits.max_running} queries and none "
                f"finished within {self._limits.query_timeout:g} s; retry in a few seconds",
                headers={"Retry-After": "5"},
            )
        try:
            return self._evaluate(sparql, default_graphs, named_graphs, deadline)
        finally:
            self._slots.release()

    def _evaluate(
        self, sparql: str, default_graphs: list[str], named_graphs: list[str], deadline: float
    ) -> Answer:
        """The answer, drawn in this thread. pyoxigraph's result iterators may only be
        dropped by the thread that made them, so an error raised while drawing leaves
        without the frames (its traceback) that still hold the iterator."""
        result = self._store.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)
        failure: Exception | None = None
        try:
            self._check_time(deadline)
            answer = self._materialise(result, deadline)
        except Exception as exc:
            if not isinstance(exc, ApiError):
                exc.add_note("".join(traceback.format_exception(exc)))
            failure = exc.with_traceback(None)
        del result
        if failure is not None:
            raise failure
        return answer

    def _materialise(
        self, result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, deadline: float
    ) -> Answer:
        if isinstance(result, ox.QueryBoolean):
            self._check_time(deadline)
            return Boolean(bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows: list[ox.QuerySolution] = []
            for row in result:
                rows.append(row)
                self._check(len(rows), deadline, "rows")
            return Solutions(variables, rows)
        triples: list[ox.Triple] = []
        for triple in result:
            triples.append(triple)
            self._check(len(triples), deadline, "triples")
        return Triples(triples)

    def _check(self, count: int, deadline: float, unit: str) -> None:
        if count > self._limits.result_limit:
            raise ApiError(
                413,
                f"the result has more than {self._limits.result_limit:,} {unit}, the "
                "limit of this endpoint; page through it with LIMIT and OFFSET (with "
                "ORDER BY for a stable order)",
            )
        if count % _CHECK_EVERY == 0:
            self._check_time(deadline)

    def _check_time(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise self._timeout()

    def _timeout(self) -> ApiError:
        return ApiError(
            503,
            f"the query ran longer than the limit of {self._limits.query_timeout:g} s and "
            "was stopped; make it more selective (more specific patterns, LIMIT) or ask "
            "the operator for a longer --query-timeout",
        )
