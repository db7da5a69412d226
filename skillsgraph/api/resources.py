"""JSON-LD resources for applications: ``/resource``, ``/skills/{id}``, ``/occupations/{id}``,
``/search`` and the published ``/context.jsonld``.

The shape follows the ESCO web-service API users know (``/resource/skill?uri=``,
``/search?text=&type=&language=``, HAL-style ``_links`` with ``next``/``prev``), in JSON-LD
with one context. Each resource is also available as Turtle and N-Triples by content
negotiation, and both are the same graph. Responses carry an ETag; ``If-None-Match`` gets
a 304.
"""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.routing import NoMatchFound

from skillsgraph.api.access import GraphScope
from skillsgraph.api.deps import app_state, graph_scope, url_for
from skillsgraph.api.describe import describe
from skillsgraph.api.jsonld import CONTEXT_PREFIXES, JsonObject, Linker, compact, context, dumps
from skillsgraph.api.kinds import KINDS
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.api.results import JSON_LD, N_TRIPLES, TURTLE, content_type, graph_bytes
from skillsgraph.api.search import Hit, Kind, search
from skillsgraph.errors import NotFoundError
from skillsgraph.namespaces import ESCO, ESCO_DATA, RDF

router = APIRouter(tags=["Resources"])
Scope = Annotated[GraphScope, Depends(graph_scope)]
EscoId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="The ESCO identifier (UUID)")
]
RESOURCE_TYPES = (JSON_LD, TURTLE, N_TRIPLES)
RESOURCE_ALIASES = {"application/json": JSON_LD, "text/plain": N_TRIPLES}
_SKILL_CLASSES = {str(ESCO.Skill), str(ESCO.SkillGroup)}
_OCCUPATION_CLASSES = {str(ESCO.Occupation)}
# ESCO IRI namespace, route name, classes served there.
_ROUTES = (
    (f"{ESCO_DATA}skill/", "skill", _SKILL_CLASSES),
    (f"{ESCO_DATA}occupation/", "occupation", _OCCUPATION_CLASSES),
)


@router.get("/context.jsonld", name="context")
def context_document() -> Response:
    """The JSON-LD context of every document this API returns."""
    return Response(
        dumps({"@context": context()}),
        media_type=JSON_LD,
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/resource", name="resource")
async def resource(
    request: Request,
    scope: Scope,
    uri: Annotated[str, Query(description="Any IRI of the shared data")],
) -> Response:
    """Any resource by its IRI: its triples, and the labels of what it links to."""
    return await resource_response(request, scope, uri, classes=None)


@router.get("/resource/skill")
async def resource_skill(
    request: Request, scope: Scope, uri: Annotated[str, Query(description="An ESCO skill IRI")]
) -> Response:
    """An ESCO skill (or skill group) by IRI, as in the ESCO web-service API."""
    return await resource_response(request, scope, uri, classes=_SKILL_CLASSES)


@router.get("/resource/occupation")
async def resource_occupation(
    request: Request,
    scope: Scope,
    uri: Annotated[str, Query(description="An ESCO occupation IRI")],
) -> Response:
    """An ESCO occupation by IRI, as in the ESCO web-service API."""
    return await resource_response(request, scope, uri, classes=_OCCUPATION_CLASSES)


@router.get("/skills/{id}", name="skill")
async def skill(request: Request, scope: Scope, id: EscoId) -> Response:
    """An ESCO skill (or skill group): labels in every language, skill type, broader
    groups, related skills, and the occupations it is essential or optional for."""
    return await resource_response(request, scope, f"{ESCO_DATA}skill/{id}", classes=_SKILL_CLASSES)


@router.get("/occupations/{id}", name="occupation")
async def occupation(request: Request, scope: Scope, id: EscoId) -> Response:
    """An ESCO occupation: labels in every language, ISCO group, broader occupations, and
    its essential and optional skills."""
    iri = f"{ESCO_DATA}occupation/{id}"
    return await resource_response(request, scope, iri, classes=_OCCUPATION_CLASSES)


@router.get("/search", name="search")
async def search_route(
    request: Request,
    scope: Scope,
    text: Annotated[str, Query(min_length=1, max_length=200, description="Text to find")],
    type: Annotated[Kind | None, Query(description="skill or occupation (default: both)")] = None,
    language: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", description="Match labels in"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Skills and occupations whose labels contain ``text``, best matches first."""
    if not text.strip():
        raise ApiError(400, "text: give some text to search for")
    kinds: list[Kind] = [type] if type else ["skill", "occupation"]
    page = await search(
        app_state(request).runner,
        scope,
        text.strip(),
        kinds=kinds,
        language=language,
        limit=limit,
        offset=offset,
    )
    links = linker(request)
    document: JsonObject = {
        "@context": url_for(request, "context"),
        "id": str(request.url),
        "type": "hydra:Collection",
        "text": text.strip(),
        "language": language,
        "total": page.total,
        "offset": offset,
        "limit": limit,
        "results": [_hit(hit, links) for hit in page.hits],
        "_links": page_links(request, page.total, offset, limit),
    }
    return send(request, dumps(document), JSON_LD)


async def resource_response(
    request: Request,
    scope: GraphScope,
    iri: str,
    *,
    classes: set[str] | None,
    kind: str | None = None,
    links: JsonObject | None = None,
) -> Response:
    """The description of ``iri``: 404 unless it has one of ``classes`` (``kind`` names
    them, with its article); ``links`` are added to its ``_links``."""
    media_type = choose(request.headers.get("accept"), RESOURCE_TYPES, aliases=RESOURCE_ALIASES)
    if media_type is None:
        raise ApiError(406, f"resources are available as: {', '.join(RESOURCE_TYPES)}")
    triples = await describe(app_state(request).runner, scope, iri)
    if classes is not None and not _types(triples, iri) & classes:
        kinds = kind or "an ESCO " + " or ".join(sorted(c.rsplit("#", 1)[-1] for c in classes))
        raise NotFoundError(f"{iri} is not {kinds} here; /resource?uri= describes any IRI")
    if media_type == JSON_LD:
        document: JsonObject = {"@context": url_for(request, "context")}
        document.update(compact(triples, iri, linker(request)))
        if links:
            document.setdefault("_links", {}).update(links)
        return send(request, dumps(document), media_type)
    # sorted, so that the same graph always gives the same bytes (and ETag)
    body = graph_bytes(sorted(triples, key=str), media_type, prefixes=CONTEXT_PREFIXES)
    return send(request, body, media_type)


def _types(triples: list[ox.Triple], iri: str) -> set[str]:
    subject = ox.NamedNode(iri)
    return {
        t.object.value
        for t in triples
        if t.subject == subject
        and t.predicate.value == str(RDF.type)
        and isinstance(t.object, ox.NamedNode)
    }


def linker(request: Request) -> Linker:
    """Where a resource of the shared data lives in this API."""
    settings = app_state(request).settings
    unserved: set[str] = set()

    def url(route: str, param: str, key: str) -> str | None:
        if route in unserved:
            return None
        try:
            return url_for(request, route, **{param: key})
        except NoMatchFound:  # the app may not serve that kind's routes
            unserved.add(route)
            return None

    resource = url_for(request, "resource")

    def link(iri: str, types: list[str]) -> str | None:
        for namespace, route, classes in _ROUTES:
            key = iri[len(namespace) :]
            if iri.startswith(namespace) and key and "/" not in key and classes & set(types):
                return url(route, "id", key)
        for kind in KINDS:
            kind_key = kind.key_of(settings, iri, types)
            if kind_key is not None:
                found = url(kind.route, "key", kind_key)
                if found is not None:
                    return found
        return f"{resource}?{urlencode({'uri': iri})}"

    return link


def _hit(hit: Hit, links: Linker) -> JsonObject:
    classes = {"skill": "esco:Skill", "occupation": "esco:Occupation"}
    full = {"skill": str(ESCO.Skill), "occupation": str(ESCO.Occupation)}
    return {
        "id": hit.iri,
        "type": classes[hit.kind],
        "kind": hit.kind,
        "searchHit": hit.matched,
        "prefLabel": {lang: label for lang, label in sorted(hit.pref_labels.items()) if lang},
        "_links": {"self": {"href": links(hit.iri, [full[hit.kind]])}},
    }


def page_links(request: Request, total: int, offset: int, limit: int) -> JsonObject:
    def at(start: int) -> dict[str, str]:
        return {"href": str(request.url.include_query_params(offset=start, limit=limit))}

    links: JsonObject = {"self": {"href": str(request.url)}, "first": at(0)}
    if offset > 0:
        links["prev"] = at(max(0, offset - limit))
    if offset + limit < total:
        links["next"] = at(offset + limit)
    return links


def send(request: Request, body: bytes, media_type: str) -> Response:
    """``body`` with an ETag, or 304 if the client already has it."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Vary": "Accept"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=content_type(media_type), headers=headers)
