"""The kept scope of requests without an access context: fresh for a second, forgotten at
once by a write, and never kept from a computation a write overtook."""

from __future__ import annotations

import pytest

from skillsgraph.api import deps
from skillsgraph.api.access import GraphScope
from skillsgraph.api.deps import PublicScope


def _scope(*graphs: str) -> GraphScope:
    return GraphScope(graphs=graphs, may_name=lambda _g: False, context=None)


def test_a_scope_is_kept_until_it_is_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(deps.time, "monotonic", lambda: clock[0])
    kept = PublicScope()
    assert kept.get() == (None, 0)
    scope = _scope("urn:a")
    kept.keep(scope, 0)
    clock[0] += deps.PUBLIC_SCOPE_SECONDS / 2
    assert kept.get() == (scope, 0)
    clock[0] += deps.PUBLIC_SCOPE_SECONDS
    assert kept.get() == (None, 0)


def test_a_write_forgets_it_and_beats_a_computation_it_overtook() -> None:
    kept = PublicScope()
    kept.keep(_scope("urn:a"), 0)
    _, generation = kept.get()
    kept.forget()  # a write, while a request was computing its scope
    kept.keep(_scope("urn:a"), generation)  # that request's (stale) answer
    assert kept.get() == (None, 1)
    fresh = _scope("urn:a", "urn:new")
    kept.keep(fresh, 1)
    assert kept.get() == (fresh, 1)
