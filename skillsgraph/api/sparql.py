"""``/sparql``: the SPARQL 1.1 Protocol endpoint: queries for everyone, updates for writers.

A query is answered over the caller's :class:`~skillsgraph.api.access.GraphScope` and
nothing else: the dataset passed to the store is always explicit, so ``FROM``,
``FROM NAMED`` and ``GRAPH`` reach only graphs in the scope, and a dataset named by the
protocol or the query that leaves the scope is refused with 403. ``SERVICE`` is refused
(federation would make this server send requests elsewhere). Updates are taken from
participants with the ``writer`` role, on source graphs only (:mod:`skillsgraph.api.writes`).
``GET /sparql`` without a query describes the service; a browser asking for HTML is sent
to the query page.
"""

from __future__ import annotations

import re
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from skillsgraph.api.access import GraphScope, answer_iris, log_personal
from skillsgraph.api.deps import app_state, caller, graph_scope, url_for
from skillsgraph.api.execution import Answer, Solutions, Triples
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.api.protocol import FORM, SPARQL_QUERY, Operation, from_get, from_post
from skillsgraph.api.querytext import dataset_clause, needs_base, uses_service
from skillsgraph.api.results import GRAPH_ALIASES, GRAPH_TYPES, content_type, graph_bytes, render
from skillsgraph.api.service_description import PREFIXES as SD_PREFIXES
from skillsgraph.api.service_description import service_description
from skillsgraph.api.writes import check_update, record_write
from skillsgraph.consent import require_role
from skillsgraph.errors import BadInputError

router = APIRouter(tags=["SPARQL"])
Scope = Annotated[GraphScope, Depends(graph_scope)]
_GRAPH_PARAM = "Graph IRI; repeatable; only graphs the caller may see"

_POST_BODY = {
    "requestBody": {
        "content": {
            SPARQL_QUERY: {"schema": {"type": "string"}, "example": "ASK { ?s ?p ?o }"},
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
        }
    }
}


@router.get("/sparql", name="sparql")
async def sparql_get(
    request: Request,
    scope: Scope,
    query: Annotated[list[str] | None, Query(description="A SPARQL 1.1 query")] = None,
    default_graph_uri: Annotated[
        list[str] | None, Query(alias="default-graph-uri", description=_GRAPH_PARAM)
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None, Query(alias="named-graph-uri", description=_GRAPH_PARAM)
    ] = None,
) -> Response:
    """Run a query sent as ``?query=``; without one, describe the service."""
    del query, default_graph_uri, named_graph_uri  # read (with repeats) from the request
    return await _answer(request, from_get(request.query_params), scope)


@router.post("/sparql", openapi_extra=_POST_BODY)
async def sparql_post(request: Request, scope: Scope) -> Response:
    """Run a query POSTed form-encoded or as ``application/sparql-query``."""
    operation = from_post(
        request.headers.get("content-type"), await request.body(), request.query_params
    )
    return await _answer(request, operation, scope)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other() -> Response:
    """Other methods: 405 naming both allowed ones (two routes would each name only theirs)."""
    raise ApiError(
        405,
        "the SPARQL endpoint takes GET and POST; graphs are managed by the Graph Store "
        "Protocol at /store",
        headers={"Allow": "GET, POST"},
    )


async def _answer(request: Request, operation: Operation, scope: GraphScope) -> Response:
    if operation.kind == "update":
        return await _update(request, operation.text)
    if operation.kind == "none":
        return _service_description(request, scope)
    if uses_service(operation.text):
        raise ApiError(
            403,
            "SERVICE (federated query) is not allowed on this endpoint; query the other "
            "endpoint yourself and combine the results",
        )
    default_graphs, named_graphs = _dataset(operation, scope)
    text, shift = _with_base(operation.text, url_for(request, "sparql"))
    try:
        answer = await app_state(request).runner.run(
            text, default_graphs=default_graphs, named_graphs=named_graphs
        )
    except BadInputError as exc:
        if not shift:
            raise
        raise BadInputError(_shift_location(str(exc), shift)) from exc
    rendered = render(answer, request.headers.get("accept"))
    headers = {"Vary": "Accept"}
    logged = await _log(request, scope, operation.text, answer)
    if logged is not None:
        headers["X-Access-Log"] = logged
    return Response(rendered.body, media_type=rendered.content_type, headers=headers)


async def _update(request: Request, text: str) -> Response:
    """Run a writer's update on source graphs, and record it in provenance."""
    state = app_state(request)
    writer = require_role(caller(request).participant, "writer", "run SPARQL Update")
    graphs = check_update(state.settings, text)

    def run() -> str:
        with state.merging.lock:
            state.store.update(text)
            return record_write(state.store, state.settings, writer.key, graphs, "SPARQL Update")

    activity = await anyio.to_thread.run_sync(run)
    state.wrote()
    body = {"updated": graphs, "provenance": activity}
    return JSONResponse(body, headers={"Location": activity})


async def _log(request: Request, scope: GraphScope, text: str, answer: Answer) -> str | None:
    """Log an answer with personal data in the audit graph: the entry's IRI, or None."""
    if scope.context is None:
        return None
    if isinstance(answer, Triples):
        iris = answer_iris(triples=answer.triples)
    elif isinstance(answer, Solutions):
        iris = answer_iris(rows=answer.rows)
    else:  # ASK: a yes or no names no resource
        return None
    state = app_state(request)
    return await anyio.to_thread.run_sync(
        log_personal, state.store, state.settings, scope, text, iris
    )


def _dataset(operation: Operation, scope: GraphScope) -> tuple[list[str], list[str]]:
    """The dataset a query runs over: the protocol's, else the query's own, else the
    whole scope; 403 if a named graph is outside the scope."""
    if operation.names_dataset:
        default, named, source = operation.default_graphs, operation.named_graphs, "protocol"
    elif (clause := dataset_clause(operation.text)) is not None:
        default, named, source = clause.default, clause.named, "query's FROM"
    else:
        return list(scope.graphs), list(scope.graphs)
    forbidden = scope.forbidden([*default, *named])
    if forbidden:
        raise ApiError(
            403,
            f"the {source} dataset names graphs this request may not read: "
            f"{', '.join(forbidden)}; the service description (GET /sparql) lists the "
            "graphs you can query",
        )
    return default, named


def _with_base(text: str, endpoint: str) -> tuple[str, int]:
    """The query with ``BASE <endpoint>`` in front if it has relative IRIs and no BASE of
    its own (the protocol's base IRI is the endpoint's), and how many columns line 1 moved.
    """
    if not needs_base(text):
        return text, 0
    prologue = f"BASE <{endpoint}> "
    return prologue + text, len(prologue)


def _shift_location(message: str, shift: int) -> str:
    """A parser message about the query with a BASE put in front, told in the columns of
    the query as sent (only line 1 moved)."""
    return re.sub(
        r"error at 1:(\d+)", lambda m: f"error at 1:{max(1, int(m.group(1)) - shift)}", message
    )


def _service_description(request: Request, scope: GraphScope) -> Response:
    accept = request.headers.get("accept")
    if choose(accept, [*GRAPH_TYPES, "text/html"]) == "text/html":  # a browser
        return RedirectResponse(url_for(request, "ui"), status_code=303)
    media_type = choose(accept, GRAPH_TYPES, aliases=GRAPH_ALIASES)
    if media_type is None:
        raise ApiError(406, f"the service description is available as: {', '.join(GRAPH_TYPES)}")
    triples = service_description(url_for(request, "sparql"), scope)
    return Response(
        graph_bytes(triples, media_type, prefixes=SD_PREFIXES),
        media_type=content_type(media_type),
        headers={"Vary": "Accept"},
    )
