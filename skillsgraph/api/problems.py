"""Errors over HTTP: one JSON shape, the right status.

Every error any route answers looks like
``{"error": {"status": 404, "title": "Not Found", "detail": "..."}}``: our own errors
(:mod:`skillsgraph.errors`) by their class, protocol errors raised here as
:class:`ApiError`, FastAPI's validation errors as 400, unknown routes and methods as
404/405, and anything unexpected as 500 without its internals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from skillsgraph.errors import (
    BadInputError,
    ConsentDeniedError,
    NotAuthenticatedError,
    NotFoundError,
    SkillsGraphError,
    StoreUnavailableError,
)

log = logging.getLogger(__name__)

# Checked in order: the first class an error is an instance of gives its status.
_STATUS: tuple[tuple[type[SkillsGraphError], int], ...] = (
    (BadInputError, 400),
    (NotAuthenticatedError, 401),
    (ConsentDeniedError, 403),
    (NotFoundError, 404),
    (StoreUnavailableError, 503),
)


class ApiError(Exception):
    """An HTTP-level error: a status, what went wrong, and optional response headers."""

    def __init__(
        self, status: int, detail: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})


def error_response(
    status: int, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one JSON error shape."""
    body = {"error": {"status": status, "title": HTTPStatus(status).phrase, "detail": detail}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def status_of(error: SkillsGraphError) -> int:
    """The HTTP status of one of our errors (500 for a class without one)."""
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Make every error ``app`` answers take the one JSON shape."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.detail, exc.headers)

    async def ours(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SkillsGraphError)
        status = status_of(exc)
        challenge = {"WWW-Authenticate": 'Bearer realm="skillsgraph"'} if status == 401 else {}
        return error_response(status, str(exc), challenge)

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), exc.headers)

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(400, _validation_detail(exc))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response(500, "an unexpected error occurred; it has been logged")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(SkillsGraphError, ours)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)


def _validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one sentence: where, and what was expected."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"
