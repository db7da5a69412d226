"""Stores: the ``Store`` protocol and how a configured location becomes a store."""

from __future__ import annotations

from pathlib import Path

from skillsgraph.errors import NotFoundError, StoreUnavailableError
from skillsgraph.store.base import QueryResult, ReplaceReport, Store
from skillsgraph.store.embedded import EmbeddedStore

__all__ = ["EmbeddedStore", "QueryResult", "ReplaceReport", "Store", "open_store"]


def open_store(location: str | Path, *, read_only: bool = False) -> Store:
    """Open the store at ``location``: a directory path, ``memory`` for a transient one, or
    ``sparql+http(s)://[user@]host:port/path`` for a SPARQL 1.1 server (configured further
    by ``SKILLSGRAPH_UPDATE_URL``, ``SKILLSGRAPH_GSP_URL``, ``SKILLSGRAPH_STORE_USER``,
    ``SKILLSGRAPH_STORE_PASSWORD``, ``SKILLSGRAPH_STORE_AUTH``: docs/production.md).
    ``read_only`` is not enforced on a remote store: give it a user that may only read.
    """
    text = str(location)
    if text.startswith(("sparql+http://", "sparql+https://")):
        try:
            from skillsgraph.store.remote import RemoteStore
        except ImportError as exc:
            raise StoreUnavailableError(
                f"a remote store needs SPARQLWrapper and httpx ({exc}): "
                "pip install 'skillsgraph[remote]'"
            ) from exc
        return RemoteStore.open(text)
    if text == "memory":
        return EmbeddedStore(None)
    path = Path(text)
    if read_only and not path.exists():
        raise NotFoundError(
            f"no store at {path}: build one first with `skillsgraph ingest --all` "
            "(or point --store / SKILLSGRAPH_STORE at an existing one)"
        )
    return EmbeddedStore(path, read_only=read_only)
