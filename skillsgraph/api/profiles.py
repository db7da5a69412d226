"""``/profiles``: learner profiles, only under consent.

A learner's profile is what the learner shared under the consents that permit the caller's
access context (participant + declared purpose) now: the learner, its profiles,
enrolments, credentials and assessment results. The routes run the project's own queries
through :func:`skillsgraph.consent.query_personal`, which joins the permission index
inside the query (with the expiry checked against the time of the query) and logs every
answer that holds personal data, with the consents behind it. Without a participant and a
purpose there is no profile to see: 401 or 403, never an empty page that hides why.
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request, Response

from skillsgraph.api.deps import app_state, caller, url_for
from skillsgraph.api.jsonld import JsonObject, compact, dumps
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.api.results import JSON_LD, N_TRIPLES, TURTLE, content_type, graph_bytes
from skillsgraph.consent import AccessContext, personal_graph, query_personal
from skillsgraph.errors import NotAuthenticatedError, NotFoundError, PurposeNotAllowedError
from skillsgraph.namespaces import PREFIXES

router = APIRouter(tags=["Profiles"])
LearnerKey = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="The learner's key")
]
_TYPES = (JSON_LD, TURTLE, N_TRIPLES)
_SG = "https://w3id.org/skillsgraph/ontology#"


def _context(request: Request) -> AccessContext:
    who = caller(request)
    if who.participant is None:
        raise NotAuthenticatedError(
            "learner profiles are personal data: send 'Authorization: Bearer <token>' and "
            "declare a purpose (purpose parameter or X-Purpose header)"
        )
    if who.context is None:
        raise PurposeNotAllowedError(
            f"participant {who.participant.key} must declare a purpose to see learner "
            "profiles; it may declare: "
            + ", ".join(sorted(p.slug for p in who.participant.purposes))
        )
    return who.context


@router.get("/profiles", name="profiles")
async def profiles(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The learners whose consents permit the caller's participant and purpose now."""
    context = _context(request)
    state = app_state(request)
    personal = personal_graph(state.settings)
    page_query = (
        f"SELECT DISTINCT ?learner WHERE {{ GRAPH <{personal}> {{ ?learner a <{_SG}Learner> }} }} "
        f"ORDER BY ?learner LIMIT {limit} OFFSET {offset}"
    )
    count_query = (
        f"SELECT (COUNT(DISTINCT ?learner) AS ?n) WHERE {{ GRAPH <{personal}> "
        f"{{ ?learner a <{_SG}Learner> }} }}"
    )

    def run() -> tuple[list[str], int]:
        page = query_personal(state.store, state.settings, context, page_query).result()
        total = query_personal(
            state.store, state.settings, context, count_query, log=False
        ).result()
        assert isinstance(page, ox.QuerySolutions) and isinstance(total, ox.QuerySolutions)
        learners = [row["learner"].value for row in page]
        return learners, int(next(iter(total))["n"].value)

    learners, total = await anyio.to_thread.run_sync(run)
    links: JsonObject = {"self": {"href": str(request.url)}}
    if offset + limit < total:
        links["next"] = {"href": str(request.url.include_query_params(offset=offset + limit))}
    if offset > 0:
        links["prev"] = {
            "href": str(request.url.include_query_params(offset=max(0, offset - limit)))
        }
    document: JsonObject = {
        "@context": url_for(request, "context"),
        "id": str(request.url),
        "type": "hydra:Collection",
        "purpose": context.purpose.slug,
        "total": total,
        "offset": offset,
        "limit": limit,
        "results": [
            {
                "id": learner,
                "type": "sg:Learner",
                "_links": {
                    "self": {"href": url_for(request, "profile", key=learner.rsplit("/", 1)[-1])}
                },
            }
            for learner in learners
        ],
        "_links": links,
    }
    return Response(dumps(document), media_type=content_type(JSON_LD))


@router.get("/profiles/{key}", name="profile")
async def profile(request: Request, key: LearnerKey) -> Response:
    """One learner's profile, as far as its consents permit the caller now."""
    context = _context(request)
    media_type = choose(
        request.headers.get("accept"), _TYPES, aliases={"application/json": JSON_LD}
    )
    if media_type is None:
        raise ApiError(406, f"profiles are available as: {', '.join(_TYPES)}")
    state = app_state(request)
    learner = state.settings.resource("learner", key)
    personal = personal_graph(state.settings)
    query = f"""CONSTRUCT {{ <{learner}> ?p ?o . ?x ?xp ?xo }} WHERE {{
  {{ GRAPH <{personal}> {{ <{learner}> ?p ?o }} }}
  UNION {{ GRAPH <{personal}> {{ <{learner}> ?link ?x . ?x ?xp ?xo }} }}
}}"""

    def run() -> list[ox.Triple]:
        result = query_personal(state.store, state.settings, context, query).result()
        assert isinstance(result, ox.QueryTriples)
        return sorted(set(result), key=str)

    triples = await anyio.to_thread.run_sync(run)
    if not triples:
        raise NotFoundError(
            f"no profile of learner {key} is shared with {context.participant} for "
            f"{context.purpose.slug} (no such learner, or no consent permits it now)"
        )
    if media_type == JSON_LD:
        document: JsonObject = {"@context": url_for(request, "context")}
        document.update(compact(triples, learner))
        body = dumps(document)
    else:
        body = graph_bytes(triples, media_type, prefixes=PREFIXES)
    return Response(body, media_type=content_type(media_type), headers={"Vary": "Accept"})
