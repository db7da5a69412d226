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

from dataclasses import dataclass

from fastapi import Request

from skillsgraph.api.access import Caller, GraphScope, visible_graphs
from skillsgraph.api.execution import QueryRunner
from skillsgraph.api.problems import ApiError
from skillsgraph.config import Settings
from skillsgraph.consent import NotAuthenticatedError, Registry, authenticate, check_purpose
from skillsgraph.store import Store

CHALLENGE = 'Bearer realm="skillsgraph"'


@dataclass(frozen=True)
class AppState:
    """What one application serves from, and who may ask."""

    settings: Settings
    store: Store
    runner: QueryRunner
    registry: Registry


def app_state(request: Request) -> AppState:
    state = request.app.state.skillsgraph
    assert isinstance(state, AppState)
    return state


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


def graph_scope(request: Request) -> GraphScope:
    """The graphs this request may see (starting the caller's view if it has none yet)."""
    state = app_state(request)
    return visible_graphs(caller(request).context, state.store, state.settings)


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
