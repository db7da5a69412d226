"""The web application: ``create_app(settings, store)`` builds one; there is no global app.

Routes: ``/sparql`` (SPARQL 1.1 Protocol), ``/store`` (Graph Store Protocol), ``/ui``
(query page), ``/context.jsonld``, ``/resource?uri=``, ``/resource/skill?uri=``,
``/resource/occupation?uri=``, ``/skills/{id}``, ``/occupations/{id}``, ``/search``, the
collections (``/jobs``, ``/learning-opportunities``, ``/projects``, ``/datasets`` and their
members), ``/profiles`` (under consent), the consent routes (``/consents``), and ``/docs``
(OpenAPI). Every route
answers within the caller's graph scope (:mod:`skillsgraph.api.access`), and every error
in one JSON shape (:mod:`skillsgraph.api.problems`).

>>> from skillsgraph.config import Settings
>>> from skillsgraph.store import EmbeddedStore
>>> app = create_app(Settings(store="memory"), EmbeddedStore(None))
>>> sorted(path for path in app.openapi()["paths"] if path.startswith("/s"))
['/search', '/skills/{id}', '/sparql', '/store', '/store/{path}']
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from skillsgraph.api import collections, consents, graph_store, profiles, resources, sparql, ui
from skillsgraph.api.deps import AppState
from skillsgraph.api.execution import Limits, QueryRunner
from skillsgraph.api.merging import QUIET_SECONDS, MergeKeeper
from skillsgraph.api.problems import install_error_handlers
from skillsgraph.config import Settings
from skillsgraph.consent import Registry, load_registry
from skillsgraph.consent.expiry import ExpiryKeeper
from skillsgraph.consent.registry import registry_path
from skillsgraph.store import Store

DESCRIPTION = """\
The Skills Data Space knowledge graph: ESCO skills and occupations, job postings, learning
opportunities, research projects and statistics, as linked data.

* **SPARQL** at `/sparql` (SPARQL 1.1 Protocol; results by content negotiation) and a
  query page at `/ui`.
* **JSON-LD resources** with one context (`/context.jsonld`); the same resource is
  available as Turtle by content negotiation.

Every request is made by one participant (bearer token; none: anonymous) for one declared
purpose (`purpose` parameter or `X-Purpose` header). Without a token, or without a
purpose, only public data are served; with both, the public data and the personal data
the data subjects' consents permit for that participant and purpose now. Answers with
personal data are logged. Errors: `{"error": {"status", "title", "detail"}}`.
"""


def create_app(
    settings: Settings,
    store: Store,
    *,
    limits: Limits | None = None,
    registry: Registry | None = None,
    cors_origins: Sequence[str] | None = None,
    merge_quiet: float | None = QUIET_SECONDS,
    purge_on_expiry: bool = True,
) -> FastAPI:
    """A web application serving ``store`` (``limits``: per-query time and size limits;
    ``registry``: the participants, by default read from the settings' registry file, or
    none if there is no such file; ``cors_origins``: the origins whose pages may call the
    API from a browser, by default ``SKILLSGRAPH_CORS_ORIGINS`` (comma-separated), else
    none; ``merge_quiet``: seconds without a write after which the embedded store's merged
    copy of the public graphs is rebuilt, None: never; see :mod:`skillsgraph.api.merging`;
    ``purge_on_expiry``: purge each consent from the index and views when it expires,
    rather than in the first query after; see :mod:`skillsgraph.consent.expiry`)."""
    merging = MergeKeeper(store, settings, merge_quiet)
    expiry = ExpiryKeeper(store, settings) if purge_on_expiry else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        merging.start()
        if expiry is not None:
            expiry.start()
        yield
        merging.close()
        if expiry is not None:
            expiry.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served below from the package, not from a CDN
        redoc_url=None,
        title="skillsgraph",
        description=DESCRIPTION,
        version="0.1.0",
        openapi_tags=[
            {"name": "SPARQL", "description": "SPARQL 1.1 Protocol endpoint"},
            {"name": "Resources", "description": "JSON-LD resources and label search"},
            {
                "name": "Collections",
                "description": "Job postings, learning opportunities, research projects and "
                "statistics, in pages",
            },
            {
                "name": "Profiles",
                "description": "Learner profiles, under the learners' consents only",
            },
            {
                "name": "Consent",
                "description": "The consent lifecycle, for each consent's data controller",
            },
            {
                "name": "Graph Store",
                "description": "SPARQL 1.1 Graph Store Protocol (writes: writer role)",
            },
        ],
    )
    app.state.skillsgraph = AppState(
        settings=settings,
        store=store,
        runner=QueryRunner(store, limits or Limits()),
        registry=registry if registry is not None else _registry(settings),
        merging=merging,
        expiry=expiry,
    )
    install_error_handlers(app)
    origins = _cors_origins(cors_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Purpose"],
            expose_headers=["ETag", "Location", "X-Access-Log"],
            max_age=600,
        )
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(consents.router)
    app.include_router(profiles.router)
    app.include_router(resources.router)
    app.include_router(collections.router)
    app.include_router(ui.router)
    app.mount("/ui/static", StaticFiles(directory=ui.STATIC), name="static")

    @app.get("/docs", include_in_schema=False, name="swagger_ui_html")
    def docs(request: Request) -> HTMLResponse:
        """The OpenAPI documentation, with Swagger UI from the package (no CDN)."""
        static = str(request.url_for("static", path="swagger/"))
        return get_swagger_ui_html(
            openapi_url=str(request.url_for("openapi")),
            title="skillsgraph API",
            swagger_js_url=static + "swagger-ui-bundle.js",
            swagger_css_url=static + "swagger-ui.css",
            swagger_favicon_url=static + "favicon-32x32.png",
        )

    return app


def _cors_origins(given: Sequence[str] | None) -> list[str]:
    if given is not None:
        return [o.strip() for o in given if o.strip()]
    configured = os.environ.get("SKILLSGRAPH_CORS_ORIGINS", "")
    return [o.strip() for o in configured.split(",") if o.strip()]


def _registry(settings: Settings) -> Registry:
    """The configured participant registry; none registered if there is no registry file
    (then every bearer token is refused and only public data is served)."""
    if not registry_path(settings).is_file():
        return Registry({})
    return load_registry(settings)
