"""What every route depends on: the application's state and the request's access context.

The state (settings, store, query runner) lives on the app that :func:`create_app` built,
never in a module global. A request's :class:`~skillsgraph.api.access.AccessContext` comes
from its bearer token (the participant) and its declared purpose (``purpose`` parameter
or ``X-Purpose`` header); its :class:`~skillsgraph.api.access.GraphScope` from
:func:`~skillsgraph.api.access.visible_graphs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from skillsgraph.api.access import AccessContext, GraphScope, visible_graphs
from skillsgraph.api.execution import QueryRunner
from skillsgraph.api.problems import ApiError
from skillsgraph.config import Settings
from skillsgraph.store import Store

# A bearer token → the participant it names, or None for a token nobody issued.
Authenticator = Callable[[str], str | None]


def no_participants(token: str) -> str | None:
    """The authenticator until participants and tokens exist: no token is valid."""
    del token
    return None


@dataclass(frozen=True)
class AppState:
    """What one application serves from, and how it knows participants."""

    settings: Settings
    store: Store
    runner: QueryRunner
    authenticate: Authenticator = no_participants


def app_state(request: Request) -> AppState:
    state = request.app.state.skillsgraph
    assert isinstance(state, AppState)
    return state


def access_context(request: Request) -> AccessContext:
    """Who makes this request and why: bearer token → participant; purpose as declared.

    No token: an anonymous request (public data only). A token that names no participant:
    401, rather than quietly answering as if none had been sent.
    """
    participant = None
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "the Authorization header must be 'Bearer <token>'",
                headers={"WWW-Authenticate": 'Bearer realm="skillsgraph"'},
            )
        participant = app_state(request).authenticate(token.strip())
        if participant is None:
            raise ApiError(
                401,
                "the bearer token is not known to this server; ask its operator for one, "
                "or send no token to read public data",
                headers={"WWW-Authenticate": 'Bearer realm="skillsgraph", error="invalid_token"'},
            )
    return AccessContext(participant=participant, purpose=_purpose(request))


def graph_scope(request: Request) -> GraphScope:
    """The graphs this request may see."""
    state = app_state(request)
    return visible_graphs(access_context(request), state.store, state.settings)


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
