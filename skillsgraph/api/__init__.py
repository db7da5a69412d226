"""Serving over HTTP: the SPARQL endpoint, JSON-LD resources and the query page.

The only package that imports FastAPI. Build an application with :func:`create_app`;
``skillsgraph serve`` runs one on uvicorn.
"""

from __future__ import annotations

from skillsgraph.api.access import Caller, GraphScope, visible_graphs
from skillsgraph.api.app import create_app
from skillsgraph.api.execution import Limits

__all__ = ["Caller", "GraphScope", "Limits", "create_app", "visible_graphs"]
