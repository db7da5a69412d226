"""``/store``: the SPARQL 1.1 Graph Store Protocol.

Graphs are named indirectly (``/store?graph=IRI``, ``/store?default``) or directly: the
request URI ``/store/{path}`` names the graph ``{base}graph/{path}``, so
``/store/source/esco`` is the ESCO source graph. Everyone may ``GET``/``HEAD`` the graphs
of their scope (``?default`` is the merge of them, as for queries); participants with the
``writer`` role may ``PUT`` (replace, atomically), ``POST`` (merge), and ``DELETE`` source
graphs, and ``POST /store`` creates a new source graph and answers with its ``Location``.
Each write is recorded in provenance (:mod:`skillsgraph.api.writes`).
"""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated

import anyio.to_thread
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from skillsgraph.api.access import GraphScope, answer_iris, log_personal
from skillsgraph.api.deps import app_state, caller, graph_scope, url_for
from skillsgraph.api.execution import Triples
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.api.results import (
    GRAPH_ALIASES,
    GRAPH_TYPES,
    N_QUADS,
    content_type,
    graph_bytes,
)
from skillsgraph.api.writes import record_write, writable
from skillsgraph.consent import require_role
from skillsgraph.namespaces import PREFIXES

router = APIRouter(tags=["Graph Store"])
Scope = Annotated[GraphScope, Depends(graph_scope)]
# What a graph may be sent as: triples formats only (a graph is one graph).
_BODY_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}
MAX_GRAPH_BODY = 200_000_000  # bytes; larger graphs are sent in parts (PUT, then POSTs)
_GRAPH_TYPES = tuple(t for t in GRAPH_TYPES if t != N_QUADS)


async def indirect(request: Request, scope: Scope) -> Response:
    """A graph named by ``?graph=IRI`` (or ``?default``); ``POST /store`` alone creates one."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise ApiError(400, "name either ?default or ?graph=IRI, not both")
    if len(graphs) > 1:
        raise ApiError(400, "one request names one graph: ?graph= is given more than once")
    if graphs:
        return await _graph(request, scope, _own(request, graphs[0]))
    if "default" in params:
        return await _default(request, scope)
    if request.method == "POST":
        return await _create(request)
    raise ApiError(
        400,
        "name a graph: /store?graph=IRI, /store?default, or /store/{path} for the graph "
        f"{app_state(request).settings.graph('{path}')}",
    )


async def direct(request: Request, scope: Scope, path: str) -> Response:
    """The graph ``{base}graph/{path}`` named by the request URI itself."""
    return await _graph(request, scope, app_state(request).settings.graph(path))


_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
_SUMMARIES = {
    "GET": "Read a graph",
    "HEAD": "Whether a graph exists",
    "PUT": "Replace a graph (writer role)",
    "POST": "Add to a graph, or create one (writer role)",
    "DELETE": "Delete a graph (writer role)",
}
for _method in _METHODS:
    router.add_api_route(
        "/store",
        indirect,
        methods=[_method],
        name="store" if _method == "GET" else f"store_{_method.lower()}",
        operation_id=f"store_indirect_{_method.lower()}",
        summary=_SUMMARIES[_method] + " named by ?graph= or ?default",
    )
    router.add_api_route(
        "/store/{path:path}",
        direct,
        methods=[_method],
        name="store_direct" if _method == "GET" else f"store_direct_{_method.lower()}",
        operation_id=f"store_direct_{_method.lower()}",
        summary=_SUMMARIES[_method] + " named by its URL",
    )


def _own(request: Request, graph: str) -> str:
    """A graph named by its URL in this store (``…/store/{path}``, as a ``Location``
    header gives it) is the graph ``{base}graph/{path}``; any other IRI is itself."""
    here = url_for(request, "store") + "/"
    if graph.startswith(here):
        return app_state(request).settings.graph(graph.removeprefix(here))
    return graph


async def _graph(request: Request, scope: GraphScope, graph: str) -> Response:
    if not graph.strip() or ":" not in graph:
        raise ApiError(400, f"graph {graph!r}: name the graph with an absolute IRI")
    if request.method in ("GET", "HEAD"):
        return await _read(request, scope, graph)
    state = app_state(request)
    writer = require_role(caller(request).participant, "writer", f"{request.method} a graph")
    if not writable(state.settings, graph):
        raise ApiError(
            403,
            f"<{graph}> is not a source graph: writers may change graphs under "
            f"<{state.settings.graph('source/')}> only",
        )
    store = state.store
    existed = await anyio.to_thread.run_sync(lambda: store.count(graph) > 0)
    action = f"Graph Store Protocol {request.method}"
    if request.method == "DELETE":
        if not existed:
            raise ApiError(404, f"there is no graph <{graph}> to delete")
        # replacing with nothing: on the embedded store, the merged copy follows
        drop = partial(store.replace_graph, graph, "")
        await _write(request, writer.key, graph, action, drop)
        return Response(status_code=204)
    ntriples = await _body(request, graph)
    change = store.replace_graph if request.method == "PUT" else store.add_triples
    await _write(request, writer.key, graph, action, partial(change, graph, ntriples))
    return Response(status_code=204 if existed else 201)


async def _read(request: Request, scope: GraphScope, graph: str | None) -> Response:
    """The triples of ``graph`` (None: the default graph, the merge of the scope)."""
    media_type = choose(request.headers.get("accept"), _GRAPH_TYPES, aliases=GRAPH_ALIASES)
    if media_type is None:
        raise ApiError(406, f"graphs are available as: {', '.join(_GRAPH_TYPES)}")
    if graph is not None and not scope.allows(graph):
        raise ApiError(404, f"there is no graph <{graph}> this request may read")
    graphs = list(scope.graphs) if graph is None else [graph]
    answer = await app_state(request).runner.run(
        "CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=graphs, named_graphs=[]
    )
    assert isinstance(answer, Triples)
    if graph is not None and not answer.triples:
        raise ApiError(404, f"there is no graph <{graph}> (or it holds no triples)")
    body = graph_bytes(sorted(answer.triples, key=str), media_type, prefixes=PREFIXES)
    headers = {"Vary": "Accept", "Content-Length": str(len(body))}
    state = app_state(request)
    what = f"Graph Store Protocol {request.method} {graph or 'default graph'}"
    iris = answer_iris(triples=answer.triples)
    logged = await anyio.to_thread.run_sync(
        log_personal, state.store, state.settings, scope, what, iris
    )
    if logged is not None:  # the caller's view was read: personal data, logged
        headers["X-Access-Log"] = logged
    if request.method == "HEAD":
        return Response(media_type=content_type(media_type), headers=headers)
    return Response(body, media_type=content_type(media_type), headers=headers)


async def _default(request: Request, scope: GraphScope) -> Response:
    if request.method in ("GET", "HEAD"):
        return await _read(request, scope, None)
    raise ApiError(
        403,
        "the default graph is the merge of the public graphs and cannot be written; "
        "PUT or POST to a source graph (/store?graph=IRI or /store/source/{name})",
    )


async def _create(request: Request) -> Response:
    """``POST /store``: a new source graph holding the body; 201 with its Location."""
    state = app_state(request)
    writer = require_role(caller(request).participant, "writer", "create a graph")
    name = f"source/{writer.key}-{uuid.uuid4().hex[:12]}"
    graph = state.settings.graph(name)
    ntriples = await _body(request, graph)
    change = partial(state.store.add_triples, graph, ntriples)
    await _write(request, writer.key, graph, "Graph Store Protocol POST (new graph)", change)
    location = url_for(request, "store_direct", path=name)
    return Response(status_code=201, headers={"Location": location})


async def _body(request: Request, graph: str) -> str:
    """The request body, parsed by its Content-Type, as N-Triples (relative IRIs resolved
    against the graph's IRI). A ``multipart/form-data`` body is the merge of its parts,
    each parsed by its own Content-Type."""
    declared = request.headers.get("content-type") or "text/turtle"
    body = await request.body()
    if len(body) > MAX_GRAPH_BODY:
        raise ApiError(
            413,
            f"the body is larger than {MAX_GRAPH_BODY:,} bytes; send the graph in parts "
            "(PUT the first, POST the others)",
        )
    if declared.split(";")[0].strip().lower() == "multipart/form-data":
        parts = _multipart(declared, body)
    else:
        parts = [(declared, body, "the body")]
    triples: list[ox.Quad] = []
    for part_type, data, where in parts:
        triples.extend(_parse(part_type, data, graph, where))
    return bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def _parse(declared: str, data: bytes, graph: str, where: str) -> list[ox.Quad]:
    media_type = declared.split(";")[0].strip().lower()
    if media_type not in _BODY_FORMATS:
        raise ApiError(
            415, f"{where}: a graph is sent as one of {', '.join(_BODY_FORMATS)}, not {declared}"
        )
    try:
        return list(ox.parse(data, format=_BODY_FORMATS[media_type], base_iri=graph))
    except SyntaxError as exc:
        raise ApiError(400, f"{where} is not valid {media_type}: {exc}") from exc


def _multipart(declared: str, body: bytes) -> list[tuple[str, bytes, str]]:
    """The parts of a multipart/form-data body: (Content-Type, content, name)."""
    message = email.message_from_bytes(
        f"Content-Type: {declared}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    if not message.is_multipart():
        raise ApiError(400, "the multipart/form-data body has no parts (check its boundary)")
    parts = []
    for number, part in enumerate(message.iter_parts(), start=1):
        content = part.get_payload(decode=True)
        name = part.get_filename() or part.get_param("name", header="content-disposition")
        assert isinstance(content, bytes)
        parts.append((part.get_content_type(), content, f"part {number} ({name or 'unnamed'})"))
    return parts


async def _write(
    request: Request, participant: str, graph: str, action: str, change: Callable[[], object]
) -> None:
    """Make ``change`` to ``graph`` and record it in provenance, under the API's write lock."""
    state = app_state(request)

    def run() -> None:
        with state.merging.lock:
            change()
            record_write(state.store, state.settings, participant, [graph], action)

    await anyio.to_thread.run_sync(run)
    state.wrote()
