"""Where a remote store is and how to log in: from the ``--store`` location and the
environment (docs/production.md has the table).

>>> config = RemoteConfig.from_location("sparql+http://me:secret@127.0.0.1:7878/query", env={})
>>> config.update_url, config.gsp_url, config.location
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store', 'sparql+http://me@127.0.0.1:7878/query')
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from skillsgraph.errors import BadInputError

Auth = Literal["basic", "digest"]


@dataclass(frozen=True)
class RemoteConfig:
    """Where a remote store is and how to log in; the password is never shown."""

    query_url: str
    update_url: str
    gsp_url: str | None
    user: str | None = None
    password: str | None = None
    auth: Auth = "basic"
    timeout: float = 300.0
    chunk: int = 50_000

    @classmethod
    def from_location(cls, location: str, env: Mapping[str, str] | None = None) -> RemoteConfig:
        """``sparql+http(s)://[user[:password]@]host[:port]/path`` and the environment:
        ``SKILLSGRAPH_UPDATE_URL``, ``SKILLSGRAPH_GSP_URL``, ``SKILLSGRAPH_STORE_USER``,
        ``SKILLSGRAPH_STORE_PASSWORD``, ``SKILLSGRAPH_STORE_AUTH`` (basic|digest),
        ``SKILLSGRAPH_STORE_TIMEOUT`` (seconds), ``SKILLSGRAPH_STORE_CHUNK`` (triples per
        load request)."""
        environ = os.environ if env is None else env
        parts = urllib.parse.urlsplit(location.removeprefix("sparql+"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadInputError(
                f"store {_redact(location)}: expected sparql+http://host:port/path "
                "(or sparql+https://...)"
            )
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        query = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        auth = environ.get("SKILLSGRAPH_STORE_AUTH", "basic").lower()
        if auth not in ("basic", "digest"):
            raise BadInputError(f"SKILLSGRAPH_STORE_AUTH={auth!r}: expected basic or digest")
        try:
            timeout = float(environ.get("SKILLSGRAPH_STORE_TIMEOUT") or 300)
            chunk = int(environ.get("SKILLSGRAPH_STORE_CHUNK") or 50_000)
        except ValueError as exc:
            raise BadInputError(f"SKILLSGRAPH_STORE_TIMEOUT / _CHUNK: {exc}") from exc
        user = environ.get("SKILLSGRAPH_STORE_USER") or _unquote(parts.username)
        password = environ.get("SKILLSGRAPH_STORE_PASSWORD") or _unquote(parts.password)
        return cls(
            query_url=query,
            update_url=environ.get("SKILLSGRAPH_UPDATE_URL") or _sibling(query, "update") or query,
            gsp_url=environ.get("SKILLSGRAPH_GSP_URL") or _sibling(query, "gsp"),
            user=user,
            password=password,
            auth=auth,  # type: ignore[arg-type]
            timeout=timeout,
            chunk=max(1, chunk),
        )

    @property
    def location(self) -> str:
        """The store's location as users write it, without the password."""
        parts = urllib.parse.urlsplit(self.query_url)
        who = f"{urllib.parse.quote(self.user, safe='')}@" if self.user else ""
        return f"sparql+{parts.scheme}://{who}{parts.netloc}{parts.path}"


def _unquote(value: str | None) -> str | None:
    return urllib.parse.unquote(value) if value else None


def _redact(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    if parts.password is None:
        return location
    return location.replace(f":{parts.password}@", ":***@", 1)


def _sibling(query_url: str, role: Literal["update", "gsp"]) -> str | None:
    """The usual update / Graph Store endpoint next to a query endpoint: Oxigraph's
    ``/query`` → ``/update``, ``/store``; Virtuoso's ``/sparql[-auth]`` → itself,
    ``/sparql-graph-crud[-auth]``. None when there is no usual one (GSP only)."""
    base, _, last = query_url.rpartition("/")
    if last == "query":
        return f"{base}/{'update' if role == 'update' else 'store'}"
    if role == "update":
        return query_url
    if last in ("sparql", "sparql-auth"):
        return f"{base}/sparql-graph-crud{last.removeprefix('sparql')}"
    return None
