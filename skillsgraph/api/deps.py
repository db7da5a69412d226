"""What every route depends on: the application's state and the request's caller.

The state (settings, store, query runner, participant registry) lives on the app that
:func:`create_app` built, never in a module global. A request's
:class:`~skillsgraph.api.access.Caller` comes from its bearer token (the participant, looked
up in the registry by the token's digest) and its declared purpose (``purpose`` parameter
or ``X-Purpose`` header), checked against what the registry lets that participant declare;
its :class:`~skillsgraph.api.access.GraphScope` from
:func:`~skillsgraph.api.access.visible_graphs`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import partial

import anyio.to_thread
from fastapi import Request

from skillsgraph.api.access import Caller, GraphScope, visible_graphs
from skillsgraph.api.execution import QueryRunner
from skillsgraph.api.merging import MergeKeeper
from skillsgraph.api.problems import ApiError
from skillsgraph.config import Settings
from skillsgraph.consent import NotAuthenticatedError, Registry, authenticate, check_purpose
from skillsgraph.consent.expiry import ExpiryKeeper
from skillsgraph.store import Store

CHALLENGE = 'Bearer realm="skillsgraph"'


class PublicScope:
    """The scope of requests without an access context (the public graphs), kept for
    :data:`PUBLIC_SCOPE_SECONDS` so that such a request costs neither the two store
    queries nor a worker thread. It holds public graph names only, never a consent's, and
    the API's own writes forget it at once; a source graph that another process creates
    on a remote store is listed within that time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scope: GraphScope | None = None
        self._taken = 0.0
        self._generation = 0

    def get(self) -> tuple[GraphScope | None, int]:
        """The kept scope if still fresh, and the generation to :meth:`keep` a new one at."""
        with self._lock:
            fresh = time.monotonic() - self._taken < PUBLIC_SCOPE_SECONDS
            return (self._scope if fresh else None), self._generation

    def keep(self, scope: GraphScope, generation: int) -> None:
        """Keep ``scope``, unless a write happened since it was computed."""
        with self._lock:
            if generation == self._generation:
                self._scope, self._taken = scope, time.monotonic()

    def forget(self) -> None:
        """After a write that may have made a graph public."""
        with self._lock:
            self._scope, self._generation = None, self._generation + 1


PUBLIC_SCOPE_SECONDS = 1.0


@dataclass(frozen=True)
class AppState:
    """What one application serves from, and who may ask."""

    settings: Settings
    store: Store
    runner: QueryRunner
    registry: Registry
    merging: MergeKeeper
    expiry: ExpiryKeeper | None = None
    """Purges consents as they expire (None: the queries do, when they meet them)."""
    public_scope: PublicScope = field(default_factory=PublicScope)
    # route name and parameter names → the route's path, cut at each parameter
    url_paths: dict[tuple[str, tuple[str, ...]], list[str]] = field(default_factory=dict)

    def wrote(self) -> None:
        """After a write over HTTP: the public scope may have changed, and the merged copy
        of the public graphs is rebuilt once the writes pause."""
        self.public_scope.forget()
        self.merging.wrote()


def app_state(request: Request) -> AppState:
    state = request.app.state.skillsgraph
    assert isinstance(state, AppState)
    return state


def url_for(request: Request, name: str, **params: str) -> str:
    """``request.url_for(name, **params)`` as a string, without searching the routes on
    every call: each route's path is looked up once per application and filled in. A
    resource page links dozens of resources, and the search took a tenth of a resource
    request's time."""
    paths = app_state(request).url_paths
    key = (name, tuple(sorted(params)))
    pieces = paths.get(key)
    if pieces is None:
        slots = {p: f"\x00{p}\x00" for p in key[1]}
        path = str(request.app.url_path_for(name, **slots))
        pieces = paths[key] = path.split("\x00")
    # pieces alternate: literal text, a parameter's name, literal text, ...
    filled = [params[piece] if i % 2 else piece for i, piece in enumerate(pieces)]
    return str(request.base_url).rstrip("/") + "".join(filled)


def caller(request: Request) -> Caller:
    """Who makes this request and why: bearer token → participant; purpose as declared.

    No token: an anonymous request (public data only). A token that names no participant:
    401, rather than quietly answering as if none had been sent. A purpose: 401 without a
    participant, 400 if it is not one of the data space's purposes, 403 if the
    participant may not declare it. A participant without a purpose sees public data.
    """
    state = app_state(request)
    purpose = _purpose(request)
    authorization = request.headers.get("authorization")
    if authorization is None:
        if purpose is not None:
            raise ApiError(
                401,
                f"the purpose {purpose!r} is declared by a participant: send "
                "'Authorization: Bearer <token>' with it (without a token, only public "
                "data is served, and no purpose is needed)",
                headers={"WWW-Authenticate": CHALLENGE},
            )
        return Caller()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "the Authorization header must be 'Bearer <token>'",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    try:
        participant = authenticate(state.registry, token.strip())
    except NotAuthenticatedError:
        raise ApiError(
            401,
            "the bearer token is not known to this server; ask its operator for one, "
            "or send no token to read public data",
            headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
        ) from None
    if purpose is None:
        return Caller(participant)
    return Caller(participant, check_purpose(state.registry, participant, purpose))


async def graph_scope(request: Request) -> GraphScope:
    """The graphs this request may see (starting the caller's view if it has none yet)."""
    state = app_state(request)
    context = caller(request).context
    work = partial(visible_graphs, context, state.store, state.settings)
    if context is not None:
        return await anyio.to_thread.run_sync(work)
    kept, generation = state.public_scope.get()
    if kept is None:
        kept = await anyio.to_thread.run_sync(work)
        state.public_scope.keep(kept, generation)
    return kept


def _purpose(request: Request) -> str | None:
    from_query = request.query_params.getlist("purpose")
    from_header = request.headers.getlist("x-purpose")
    declared = {p.strip() for p in [*from_query, *from_header] if p.strip()}
    if len(declared) > 1:
        raise ApiError(
            400,
            f"one request has one purpose; this one declares {sorted(declared)} "
            "(purpose parameter and X-Purpose header)",
        )
    return declared.pop() if declared else None
