"""``/consents``: the consent lifecycle over HTTP, for the controller of each consent.

A consent is managed by its data controller: the participant named by the record's
``dpv:hasDataController``, authenticated by its bearer token. The controller records the
data subject's decisions (a grant, a renewal, a withdrawal, an erasure request made through
its own channels) and answers the subject's right of access with ``/consents/{key}/data``:
every triple held under that consent. Each change calls the same functions as the CLI
(:mod:`skillsgraph.consent.lifecycle`), so the record, the permission index, the views and
the audit log change in one transaction, and answers the JSON-LD receipt.

- ``GET /consents`` — the caller's consents (``subject=``, ``status=``, paging);
- ``PUT /consents/{key}`` — grant (or replace) a consent; 201 for a new one;
- ``POST /consents/{key}/renew``, ``POST /consents/{key}/withdraw`` — receipts;
- ``DELETE /consents/{key}`` — erase: the graph, its copies and index entries go, a
  pseudonymised proof stays;
- ``GET /consents/{key}`` — the record, what it permits each registered context now, and
  its events; ``GET /consents/{key}/data`` — the data held under it (each such answer is
  an entry of the access log: the right of access exercised, GDPR Art. 15).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
import pyoxigraph as ox
from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from skillsgraph.api.deps import app_state, caller, url_for
from skillsgraph.api.negotiation import choose
from skillsgraph.api.problems import ApiError
from skillsgraph.api.results import JSON_LD, N_TRIPLES, TURTLE, content_type, graph_bytes
from skillsgraph.consent import (
    JSONLD_CONTEXT,
    NotAuthenticatedError,
    Participant,
    Receipt,
    erase,
    explain,
    grant,
    list_consents,
    participant_iri,
    prepare_grant,
    record_jsonld,
    renew,
    show,
    withdraw,
)
from skillsgraph.consent.audit import log_right_of_access
from skillsgraph.consent.model import ConsentRecord, parse_datetime
from skillsgraph.errors import ConsentDeniedError, NotFoundError
from skillsgraph.namespaces import PREFIXES

router = APIRouter(tags=["Consent"])
Key = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="The consent's key")]
_DATA_TYPES = (JSON_LD, TURTLE, N_TRIPLES)
_GRANT_EXAMPLE = {
    "subject": "oulad-11391",
    "purposes": ["scientific-research", "career-guidance"],
    "recipients": ["demo-research-lab", "any"],
    "personalData": ["EducationExperience", "Age"],
    "validUntil": "2027-12-31T23:59:59Z",
}


def _controller(request: Request) -> Participant:
    participant = caller(request).participant
    if participant is None:
        raise NotAuthenticatedError(
            "consents are managed by their data controller: send 'Authorization: Bearer "
            "<token>' of the controller"
        )
    return participant


def _owned(request: Request, consent: str) -> tuple[Participant, ConsentRecord]:
    """The caller and the record of ``consent``, if the caller controls it. Another
    controller's consent is as unknown as one that does not exist (404)."""
    who = _controller(request)
    state = app_state(request)
    try:
        record = show(state.store, state.settings, consent)
    except NotFoundError:
        raise NotFoundError(f"no consent {consent} controlled by {who.key}") from None
    if record.controller != participant_iri(state.settings, who.key):
        raise NotFoundError(f"no consent {consent} controlled by {who.key}")
    return who, record


def _receipt(receipt: Receipt, status: int = 200) -> JSONResponse:
    return JSONResponse(receipt.jsonld(), status_code=status, media_type=JSON_LD)


@router.get("/consents")
async def consents(
    request: Request,
    subject: Annotated[str | None, Query(description="A data subject's key or IRI")] = None,
    status: Annotated[
        str | None, Query(description="A DPV consent status, e.g. ConsentGiven")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    """The consents the caller controls, in IRI order."""
    who = _controller(request)
    state = app_state(request)
    records = await anyio.to_thread.run_sync(
        partial(list_consents, state.store, state.settings, subject=subject, status=status)
    )
    mine = [r for r in records if r.controller == participant_iri(state.settings, who.key)]
    page = mine[offset : offset + limit]
    document: dict[str, Any] = {
        "@context": JSONLD_CONTEXT,
        "@id": str(request.url),
        "total": len(mine),
        "offset": offset,
        "limit": limit,
        "consents": [{"@id": r.iri, **record_jsonld(r)} for r in page],
    }
    return JSONResponse(document, media_type=JSON_LD)


@router.get("/consents/{key}", name="consent")
async def consent(request: Request, key: Key) -> JSONResponse:
    """A consent record, what it permits each registered participant and purpose now,
    and its audit events."""
    _owned(request, key)
    state = app_state(request)
    report = await anyio.to_thread.run_sync(
        explain, state.store, state.settings, key, state.registry
    )
    document: dict[str, Any] = {
        "@context": JSONLD_CONTEXT,
        "@id": report.record.iri,
        **record_jsonld(report.record),
        "permits": [
            {
                "participant": context.participant,
                "purpose": context.purpose.slug,
                "permitted": decision.permitted,
                "reason": decision.reason,
            }
            for context, decision in report.decisions
        ],
        "events": report.events,
        "_links": {"data": {"href": url_for(request, "consent_data", key=key)}},
    }
    return JSONResponse(document, media_type=JSON_LD)


@router.put("/consents/{key}", status_code=201)
async def grant_consent(
    request: Request,
    key: Key,
    body: Annotated[dict[str, Any], Body(examples=[_GRANT_EXAMPLE])],
) -> JSONResponse:
    """Grant a consent (or replace its terms): subject (key), purposes (slugs), recipients
    (participant keys or ``any``), personalData (DPV categories), validUntil (ISO 8601).
    The caller becomes (or must already be) its controller."""
    who = _controller(request)
    state = app_state(request)
    fields = _grant_fields(body)
    existing = None
    with suppress(NotFoundError):
        existing = show(state.store, state.settings, key)
    if existing is not None and existing.controller != participant_iri(state.settings, who.key):
        raise ConsentDeniedError(f"consent {key} has another controller than {who.key}")

    def run() -> Receipt:
        record = prepare_grant(state.store, state.settings, key, controller=who.key, **fields)
        actor = participant_iri(state.settings, who.key)
        return grant(state.store, state.settings, record, actor=actor)

    receipt = await anyio.to_thread.run_sync(run)
    return _receipt(receipt, 201 if existing is None else 200)


@router.post("/consents/{key}/renew")
async def renew_consent(
    request: Request,
    key: Key,
    body: Annotated[dict[str, Any], Body(examples=[{"validUntil": "2028-06-30T00:00:00Z"}])],
) -> JSONResponse:
    """Renew a consent until ``validUntil`` (omit it: no expiry)."""
    who, _ = _owned(request, key)
    state = app_state(request)
    until = _datetime(body.get("validUntil"), "validUntil")
    actor = participant_iri(state.settings, who.key)
    receipt = await anyio.to_thread.run_sync(
        partial(renew, state.store, state.settings, key, valid_until=until, actor=actor)
    )
    return _receipt(receipt)


@router.post("/consents/{key}/withdraw")
async def withdraw_consent(request: Request, key: Key) -> JSONResponse:
    """Withdraw a consent: its data leaves every answer from the next request on."""
    who, _ = _owned(request, key)
    state = app_state(request)
    actor = participant_iri(state.settings, who.key)
    receipt = await anyio.to_thread.run_sync(
        partial(withdraw, state.store, state.settings, key, actor=actor)
    )
    return _receipt(receipt)


@router.delete("/consents/{key}")
async def erase_consent(request: Request, key: Key) -> JSONResponse:
    """Erase a consent and every copy of its data; the receipt carries a pseudonymised
    proof of the erasure."""
    who, _ = _owned(request, key)
    state = app_state(request)
    actor = participant_iri(state.settings, who.key)
    receipt = await anyio.to_thread.run_sync(
        partial(erase, state.store, state.settings, key, actor=actor)
    )
    return _receipt(receipt)


@router.get("/consents/{key}/data", name="consent_data")
async def consent_data(request: Request, key: Key) -> Response:
    """Every triple held under a consent (the data subject's right of access), as
    JSON-LD, Turtle or N-Triples."""
    who, record = _owned(request, key)
    media_type = choose(
        request.headers.get("accept"), _DATA_TYPES, aliases={"application/json": JSON_LD}
    )
    if media_type is None:
        raise ApiError(406, f"the data is available as: {', '.join(_DATA_TYPES)}")
    state = app_state(request)
    store, settings = state.store, state.settings

    def held() -> tuple[list[ox.Triple], str]:
        result = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{record.graph}> {{ ?s ?p ?o }} }}"
        )
        assert isinstance(result, ox.QueryTriples)
        triples = sorted(result, key=str)
        entry = log_right_of_access(
            store,
            settings,
            participant_iri(settings, who.key),
            record.iri,
            f"GET {request.url.path}",
            datetime.now(UTC),
        )
        return triples, entry

    triples, entry = await anyio.to_thread.run_sync(held)
    body = graph_bytes(triples, media_type, prefixes=PREFIXES)
    headers = {"Vary": "Accept", "X-Access-Log": entry}
    return Response(body, media_type=content_type(media_type), headers=headers)


def _grant_fields(body: dict[str, Any]) -> dict[str, Any]:
    allowed = {"subject", "purposes", "recipients", "personalData", "validUntil"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"unknown fields {unknown}; a grant has {sorted(allowed)}")
    fields: dict[str, Any] = {}
    if "subject" in body:
        fields["subject"] = _text(body["subject"], "subject")
    for name, target in (
        ("purposes", "purposes"),
        ("recipients", "recipients"),
        ("personalData", "personal_data"),
    ):
        values = body.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ApiError(400, f"{name}: expected a list of strings, found {values!r}")
        fields[target] = values
    fields["valid_until"] = _datetime(body.get("validUntil"), "validUntil")
    return fields


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{name}: expected a non-empty string, found {value!r}")
    return value.strip()


def _datetime(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    return parse_datetime(_text(value, name))
