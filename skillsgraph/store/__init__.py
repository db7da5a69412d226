"""Stores: the ``Store`` protocol and how a configured location becomes a store."""

from __future__ import annotations

from pathlib import Path

from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.store.base import QueryResult, ReplaceReport, Store
from skillsgraph.store.embedded import EmbeddedStore

__all__ = ["EmbeddedStore", "QueryResult", "ReplaceReport", "Store", "open_store"]


def open_store(location: str | Path, *, read_only: bool = False) -> Store:
    """Open the store at ``location``: a directory path, or ``memory`` for a transient one.

    ``sparql+http(s)://`` locations (a remote SPARQL 1.1 server) are recognised but not
    supported yet; they raise a clear error rather than falling back silently.
    """
    text = str(location)
    if text.startswith(("sparql+http://", "sparql+https://")):
        raise BadInputError(
            f"store {text!r}: remote SPARQL stores are not supported yet; "
            "use a directory path for the embedded store"
        )
    if text == "memory":
        return EmbeddedStore(None)
    path = Path(text)
    if read_only and not path.exists():
        raise NotFoundError(
            f"no store at {path}: build one first with `skillsgraph ingest --all` "
            "(or point --store / SKILLSGRAPH_STORE at an existing one)"
        )
    return EmbeddedStore(path, read_only=read_only)
