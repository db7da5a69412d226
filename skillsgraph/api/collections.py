"""JSON-LD collections of the public data besides ESCO: job postings, learning opportunities,
research projects and statistics, and one resource of each kind.

``/jobs``, ``/learning-opportunities``, ``/projects``, ``/datasets`` and
``/datasets/{key}/observations`` list their members in pages, ordered by IRI, in the shape
of the ESCO web-service API: ``total``, ``offset``, ``limit``, ``results`` and HAL-style
``_links`` (``self``, ``first``, ``prev``, ``next``). Filters are query parameters (an
unknown one is a 400, so that a misspelt filter never returns everything). Each member
shows its id, types, title (or label) and a ``_links.self`` to its own route, which
returns the same description as ``/resource?uri=``. A page is JSON-LD with the published
context (a ``hydra:Collection`` whose ``hydra:member`` are the results), or Turtle or
N-Triples of the same graph. Responses carry an ETag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request, Response

from skillsgraph.api import cube
from skillsgraph.api.access import GraphScope
from skillsgraph.api.deps import app_state, url_for
from skillsgraph.api.jsonld import CONTEXT_PREFIXES, HYDRA, JsonObject, compact, dumps
from skillsgraph.api.kinds import DATASETS, JOBS, LEARNING, PROJECTS, SEGMENT, Kind
from skillsgraph.api.listing import Listing, fetch_page, iri_value, reference, text_filter
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.api.resources import (
    RESOURCE_ALIASES,
    RESOURCE_TYPES,
    Scope,
    linker,
    page_links,
    resource_response,
    send,
)
from skillsgraph.api.results import JSON_LD, graph_bytes
from skillsgraph.namespaces import EURIO, RDF, SCHEMA, SG, SKOS, XSD

router = APIRouter(tags=["Collections"])

Limit = Annotated[int, Query(ge=1, le=100, description="Members per page")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Members to skip")]
Text = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Text the title contains")
]
Key = Annotated[str, Path(pattern=rf"^{SEGMENT}$", description="The last segment of its IRI")]
SkillIris = Annotated[
    list[str] | None,
    Query(description="ESCO skill IRIs; with several, members have all of them"),
]
# Query parameters a collection takes besides its filters: the request's declared purpose
# (skillsgraph.api.deps) and paging.
_COMMON = {"purpose", "offset", "limit"}
_PAGE = ("offset", "limit")


@router.get("/jobs", name="jobs")
async def jobs(
    request: Request,
    scope: Scope,
    skill: SkillIris = None,
    occupation: Annotated[str | None, Query(description="An ESCO occupation IRI")] = None,
    since: Annotated[date | None, Query(description="Posted on or after (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="Posted on or before (YYYY-MM-DD)")] = None,
    text: Text = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Job postings: those requiring every ``skill``, for an ``occupation``, posted
    between ``since`` and ``until``, with ``text`` in their title."""
    _check_parameters(request, "skill", "occupation", "since", "until", "text")
    if since and until and since > until:
        raise ApiError(400, f"since ({since}) is after until ({until}): no posting can match")
    where = [f"?s <{SG.requiresSkill}> {iri_value('skill', s)} ." for s in skill or []]
    if occupation is not None:
        where.append(f"?s <{SG.forOccupation}> {iri_value('occupation', occupation)} .")
    if since or until:
        dates = [f"?s <{SCHEMA.datePosted}> ?posted ."]
        for bound, operator in ((since, ">="), (until, "<=")):
            if bound is not None:
                day = ox.Literal(bound.isoformat(), datatype=ox.NamedNode(str(XSD.date)))
                dates.append(f"FILTER(?posted {operator} {day})")
        where.append(" ".join(dates))
    if (words := _text(text)) is not None:
        where.append(text_filter(words, [str(SCHEMA.title)], "title"))
    return await _collection(request, scope, _listing(request, JOBS, where), limit, offset)


@router.get("/jobs/{key}", name="job")
async def job(request: Request, scope: Scope, key: Key) -> Response:
    """One job posting: title, text, date, the ESCO skills it requires and its skill
    mentions (``/resource?uri=`` gives the same)."""
    return await _one(request, scope, JOBS, key, "a job posting")


@router.get("/learning-opportunities", name="learning_opportunities")
async def learning_opportunities(
    request: Request,
    scope: Scope,
    skill: SkillIris = None,
    type: Annotated[
        Literal["course", "programme"] | None, Query(description="Courses or programmes only")
    ] = None,
    text: Text = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Courses and programmes: those teaching every ``skill``, of one ``type``, with
    ``text`` in their title or label (in any language)."""
    _check_parameters(request, "skill", "type", "text")
    where = [f"?s <{SG.teachesSkill}> {iri_value('skill', s)} ." for s in skill or []]
    if type is not None:
        where.append(f"?s a <{SG.Course if type == 'course' else SG.Programme}> .")
    if (words := _text(text)) is not None:
        where.append(text_filter(words, LEARNING.shown, "title"))
    listing = _listing(request, LEARNING, where)
    return await _collection(request, scope, listing, limit, offset)


@router.get("/learning-opportunities/{key:path}", name="learning_opportunity")
async def learning_opportunity(
    request: Request,
    scope: Scope,
    key: Annotated[
        str,
        Path(
            pattern=rf"^{LEARNING.key_pattern}$",
            description="course/{code} or programme/{code}: the end of its IRI",
        ),
    ],
) -> Response:
    """One course or programme: titles, provider, programmes, learning outcomes and the
    ESCO skills it teaches."""
    return await _one(request, scope, LEARNING, key, "a learning opportunity")


@router.get("/projects", name="projects")
async def projects(
    request: Request,
    scope: Scope,
    topic: Annotated[
        str | None, Query(description="A call topic: its IRI or code (HORIZON-CL4-...)")
    ] = None,
    field: Annotated[
        str | None,
        Query(description="A EuroSciVoc field of science: its IRI or code (/23/43/251)"),
    ] = None,
    text: Text = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Research projects (CORDIS): those funded under a call ``topic``, classified under a
    ``field`` of science (exactly that field), with ``text`` in their title."""
    _check_parameters(request, "topic", "field", "text")
    where = []
    if topic is not None:
        where.append(reference("topic", topic, str(SG.hasTopic), str(EURIO.code), "topic"))
    if field is not None:
        where.append(
            reference("field", field, str(SG.hasFieldOfScience), str(SKOS.notation), "field")
        )
    if (words := _text(text)) is not None:
        where.append(text_filter(words, [str(EURIO.title)], "title"))
    return await _collection(request, scope, _listing(request, PROJECTS, where), limit, offset)


@router.get("/projects/{key}", name="project")
async def project(request: Request, scope: Scope, key: Key) -> Response:
    """One research project: identifier, title, dates, topic, programmes, fields of
    science and deliverables."""
    return await _one(request, scope, PROJECTS, key, "a research project")


@router.get("/datasets", name="datasets")
async def datasets(
    request: Request, scope: Scope, limit: Limit = 20, offset: Offset = 0
) -> Response:
    """Statistical data sets (RDF Data Cube), each with its structure: its dimensions
    (the filters of its observations), measures and attributes."""
    _check_parameters(request)
    listing = _listing(request, DATASETS, [])
    listing = Listing(
        where=listing.where,
        namespace=listing.namespace,
        shown=f"{listing.shown} UNION {{ {cube.STRUCTURE_SHOWN} }}",
        template=listing.template + cube.STRUCTURE_TEMPLATE,
    )
    settings = app_state(request).settings

    def observations_link(iri: str) -> JsonObject:
        key = DATASETS.key_of(settings, iri, DATASETS.classes)
        return {} if key is None else {"observations": _href(request, "observations", key)}

    return await _collection(request, scope, listing, limit, offset, observations_link)


@router.get("/datasets/{key}", name="dataset")
async def dataset(request: Request, scope: Scope, key: Key) -> Response:
    """One statistical data set: title, description, licence and structure; its
    observations are at ``_links.observations``."""
    links = {"observations": _href(request, "observations", key)}
    return await _one(request, scope, DATASETS, key, "a statistical data set", links)


@router.get("/datasets/{key}/observations", name="observations")
async def observations(
    request: Request, scope: Scope, key: Key, limit: Limit = 20, offset: Offset = 0
) -> Response:
    """The observations of a data set, filtered by dimension: the parameter is the
    dimension's local name (for the Eurostat panel ``refArea``, ``refPeriod``,
    ``indicator``), the value an IRI, a code (``AT``, ``ict_share_pc_emp``) or a literal
    (``2020``); repeat a parameter for several values.
    Example: ``?refArea=AT&refArea=DE&refPeriod=2020``."""
    settings = app_state(request).settings
    iri = DATASETS.iri(settings, key)
    dimensions = await cube.dimensions(app_state(request).runner, scope, iri, DATASETS.classes)
    by_name = {d.parameter: d for d in dimensions}
    _check_parameters(request, *by_name)
    filters = {
        by_name[name]: request.query_params.getlist(name)
        for name in dict.fromkeys(request.query_params)
        if name in by_name
    }
    namespace = settings.resource("observation", "")
    listing = cube.observations(iri, namespace, filters)
    return await _collection(request, scope, listing, limit, offset)


def _listing(request: Request, kind: Kind, where: Sequence[str]) -> Listing:
    """The members of ``kind`` that meet every condition of ``where``, each shown with its
    types and the kind's shown predicates (title, date)."""
    # A UNION of classes, not VALUES ?class: with VALUES, pyoxigraph's plan is 10 times slower.
    classes = " UNION ".join(f"{{ ?s a <{c}> }}" for c in kind.classes)
    shown = " ".join(f"<{p}>" for p in kind.shown)
    return Listing(
        where=(*where, classes),
        namespace=kind.namespace_iri(app_state(request).settings),
        shown=f"{{ ?s a ?type }} UNION {{ VALUES ?shownP {{ {shown} }} ?s ?shownP ?shown }}",
        template=(("?s", str(RDF.type), "?type"), ("?s", "?shownP", "?shown")),
    )


async def _collection(
    request: Request,
    scope: GraphScope,
    listing: Listing,
    limit: int,
    offset: int,
    item_links: Callable[[str], JsonObject] | None = None,
) -> Response:
    """One page of ``listing`` as a ``hydra:Collection``, in the type the client prefers."""
    media_type = choose(request.headers.get("accept"), RESOURCE_TYPES, aliases=RESOURCE_ALIASES)
    if media_type is None:
        raise ApiError(406, f"collections are available as: {', '.join(RESOURCE_TYPES)}")
    runner = app_state(request).runner
    page = await fetch_page(runner, scope, listing, limit=limit, offset=offset)
    if media_type == JSON_LD:
        links = linker(request)
        results = []
        for member in page.members:
            item = compact(page.triples, member, links)
            if item_links is not None:
                item.setdefault("_links", {}).update(item_links(member))
            results.append(item)
        document: JsonObject = {
            "@context": url_for(request, "context"),
            "id": _page_iri(request),
            "type": "hydra:Collection",
            "total": page.total,
            "offset": offset,
            "limit": limit,
            "results": results,
            "_links": page_links(request, page.total, offset, limit),
        }
        return send(request, dumps(document), JSON_LD)
    collection = ox.NamedNode(_page_iri(request))
    triples = [
        *page.triples,
        ox.Triple(collection, ox.NamedNode(str(RDF.type)), ox.NamedNode(f"{HYDRA}Collection")),
        ox.Triple(collection, ox.NamedNode(f"{HYDRA}totalItems"), ox.Literal(page.total)),
        *(
            ox.Triple(collection, ox.NamedNode(f"{HYDRA}member"), ox.NamedNode(m))
            for m in page.members
        ),
    ]
    return send(request, graph_bytes(triples, media_type, prefixes=CONTEXT_PREFIXES), media_type)


async def _one(
    request: Request,
    scope: GraphScope,
    kind: Kind,
    key: str,
    name: str,
    links: JsonObject | None = None,
) -> Response:
    iri = kind.iri(app_state(request).settings, key)
    return await resource_response(
        request, scope, iri, classes=set(kind.classes), kind=name, links=links
    )


def _check_parameters(request: Request, *own: str) -> None:
    """400 for a query parameter the route does not know (a misspelt filter would
    otherwise quietly list everything)."""
    unknown = sorted(set(request.query_params) - _COMMON - set(own))
    if unknown:
        known = ", ".join([*own, *_PAGE]) or "none"
        raise ApiError(400, f"unknown parameter {', '.join(unknown)}; this route takes: {known}")


def _text(text: str | None) -> str | None:
    if text is None:
        return None
    if not text.strip():
        raise ApiError(400, "text: give some text to look for")
    return text


def _page_iri(request: Request) -> str:
    """The URL of this page as an IRI: characters an IRI may not hold (a raw ``<`` or
    ``"`` in a query string) percent-encoded."""
    return quote(str(request.url), safe=":/?#[]@!$&'()*+,;=%~")


def _href(request: Request, route: str, key: str) -> dict[str, str]:
    return {"href": url_for(request, route, key=key)}
