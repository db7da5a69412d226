"""The remote store: any SPARQL 1.1 server (Virtuoso 7, Oxigraph server, ...).

Queries and updates go through SPARQLWrapper (form-encoded POST: a direct
``application/sparql-query`` POST hangs on Virtuoso; exactly one ``Accept`` type per
request: Virtuoso answers a CONSTRUCT asked with several in JSON). Answers are parsed into
pyoxigraph's result classes, so callers cannot tell this store from the embedded one.
Bulk loads use the Graph Store Protocol (:mod:`~skillsgraph.store.remote_load`).

Datasets, as the embedded store has them: ``default_graphs`` / ``named_graphs`` become the
protocol's ``default-graph-uri`` / ``named-graph-uri``; an empty list becomes one graph
that holds nothing. Two servers differ, and the store evens them out:

- Virtuoso merges a query's own ``FROM`` with the protocol's dataset (the protocol must
  override it), so ``FROM`` clauses are removed when a dataset is passed. Given only
  ``default-graph-uri``, it reaches every graph through ``GRAPH ?g`` but only the default
  graphs through ``GRAPH <c>``: such clauses are sent as ``GRAPH ?v { } FILTER(?v = <c>)``.
  Without a dataset its default graph is the union of all graphs, system graphs included
  (the embedded store's holds nothing): callers name graphs (``GRAPH``) or pass
  ``default_graphs``; :meth:`RemoteStore.graphs` and :meth:`RemoteStore.count` leave the
  system graphs out;
- a server that applies the protocol strictly (Oxigraph server) reaches no named graph
  when only ``default-graph-uri`` is given: for ``default_graphs`` without
  ``named_graphs``, every stored graph is listed as a named graph, up to
  :data:`MAX_LISTED_GRAPHS`.

Configuration (:meth:`~skillsgraph.store.remote_config.RemoteConfig.from_location`): see
docs/production.md.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import httpx
import pyoxigraph as ox
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

from skillsgraph.errors import BadInputError, StoreUnavailableError
from skillsgraph.store.base import QueryResult, ReplaceReport
from skillsgraph.store.remote_config import RemoteConfig
from skillsgraph.store.remote_text import (
    filled_graph_patterns,
    for_virtuoso,
    has_dataset,
    open_graph_constants,
    query_kind,
    silent_drops,
    without_dataset,
)

EMPTY_GRAPH = "urn:x-skillsgraph:empty"
"""A graph that holds nothing: stands for an empty list of graphs in a dataset."""
STAGING = "urn:x-skillsgraph:staging:"
"""Graphs under this prefix are loads in progress, never data."""
MAX_LISTED_GRAPHS = 1_000
VIRTUOSO_GRAPHS = (
    "http://www.openlinksw.com/schemas/",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "urn:activitystreams-owl:map",
    "http://www.w3.org/ns/sparql-service-description",
)
"""Prefixes of the graphs Virtuoso keeps for itself (plus ``http://host/sparql`` and
``http://host/DAV/``): never listed as the store's graphs nor counted."""
_TRANSIENT = (502, 503, 504)


@dataclass(frozen=True)
class _Answer:
    body: bytes
    content_type: str


class RemoteStore:
    """A SPARQL 1.1 server behind the :class:`~skillsgraph.store.base.Store` protocol."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, location: str, env: Mapping[str, str] | None = None) -> RemoteStore:
        return cls(RemoteConfig.from_location(location, env))

    @property
    def location(self) -> str:
        return self.config.location

    def lists_named_graphs(self) -> bool:
        """Virtuoso reaches every graph through ``GRAPH ?g`` whatever the dataset; a
        strict server (Oxigraph) only the listed ones (see the module's doc)."""
        return not self.is_virtuoso

    @cached_property
    def is_virtuoso(self) -> bool:
        """Whether the server is Virtuoso (its ``Server`` header says so)."""
        request = urllib.request.Request(
            self.config.query_url,
            data=urllib.parse.urlencode({"query": "ASK {}"}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with self._send(request, "query") as response:
            return "virtuoso" in str(response.headers.get("Server", "")).lower()

    # --- queries ------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        kind = query_kind(sparql)
        if kind == "update":
            raise BadInputError("the SPARQL query is not valid: an update is not a query")
        text, dataset = self._dataset(sparql, default_graphs, named_graphs)
        graph_result = kind in ("construct", "describe")
        accept = "application/n-triples" if graph_result else "application/sparql-results+json"
        answer = self._call("query", text, dataset, accept)
        try:
            if graph_result:
                return _triples(answer)
            body = _virtuoso_blank_nodes(answer.body) if self.is_virtuoso else answer.body
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreUnavailableError(
                f"store {self.location}: the server's answer ({answer.content_type}) could "
                f"not be read: {exc}"
            ) from exc

    def copy_matches(self, graph: str, where: str) -> None:
        self.update(f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}")

    def update(self, sparql: str) -> None:
        if query_kind(sparql) != "update":
            raise BadInputError("the SPARQL update is not valid: a query is not an update")
        self._call("update", silent_drops(sparql) if self.is_virtuoso else sparql, [], "*/*")

    def _dataset(
        self, sparql: str, default: Sequence[str] | None, named: Sequence[str] | None
    ) -> tuple[str, list[tuple[str, str]]]:
        """The text to send and its protocol dataset parameters (see the module's doc)."""
        if self.is_virtuoso:
            sparql = filled_graph_patterns(for_virtuoso(sparql))
        if self.is_virtuoso and (default is not None or named is not None):
            sparql = without_dataset(sparql) if has_dataset(sparql) else sparql
            if named is None:
                sparql = open_graph_constants(sparql)
        elif default is not None and named is None:
            named = self._all_graphs_for(sparql)
        params = []
        if default is not None:
            params += [("default-graph-uri", g) for g in (default or [EMPTY_GRAPH])]
        if named is not None:
            params += [("named-graph-uri", g) for g in (named or [EMPTY_GRAPH])]
        return sparql, params

    def _all_graphs_for(self, sparql: str) -> list[str]:
        graphs = self.graphs()
        if len(graphs) > MAX_LISTED_GRAPHS:
            raise StoreUnavailableError(
                f"store {self.location}: this server reaches no named graph when only "
                f"default graphs are given (the SPARQL protocol read strictly), and listing "
                f"its {len(graphs):,} graphs is too slow; use Virtuoso, or name the graphs. "
                f"Query: {sparql.strip()[:200]}"
            )
        return graphs

    # --- graphs and counts --------------------------------------------------------------

    def graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        found = (row["g"] for row in result)
        return sorted(g.value for g in found if isinstance(g, ox.NamedNode) and self._ours(g.value))

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return self._count(f"GRAPH <{graph}> {{ ?s ?p ?o }}")
        hidden = [STAGING, EMPTY_GRAPH, *(VIRTUOSO_GRAPHS if self.is_virtuoso else ())]
        keep = " && ".join(f'!STRSTARTS(STR(?g), "{p}")' for p in hidden)
        if self.is_virtuoso:
            keep += ' && !REGEX(STR(?g), "^https?://[^/]+/(sparql|DAV/)$")'
        named = self._count(f"GRAPH ?g {{ ?s ?p ?o }} FILTER({keep})")
        return named + (0 if self.is_virtuoso else self._count("?s ?p ?o"))

    def _count(self, where: str) -> int:
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

    def _ours(self, graph: str) -> bool:
        """Whether ``graph`` is data (not a staging graph or a server's system graph)."""
        if graph.startswith(STAGING) or graph == EMPTY_GRAPH:
            return False
        if not self.is_virtuoso:
            return True
        parts = urllib.parse.urlsplit(graph)
        system_page = parts.path in ("/sparql", "/DAV/") and not parts.query
        return not (graph.startswith(VIRTUOSO_GRAPHS) or system_page)

    # --- loads (remote_load) ------------------------------------------------------------

    def replace_graph(self, graph: str, ntriples: str) -> ReplaceReport:
        from skillsgraph.store.remote_load import replace_graph

        return replace_graph(self, graph, ntriples)

    def replace_graphs(
        self, nquads: str, *, graphs: Sequence[str] = (), prefix: str | None = None
    ) -> ReplaceReport:
        from skillsgraph.store.remote_load import replace_graphs

        return replace_graphs(self, nquads, graphs=graphs, prefix=prefix)

    def add_triples(self, graph: str, ntriples: str) -> None:
        from skillsgraph.store.remote_load import add_triples

        add_triples(self, graph, ntriples)

    def compact(self) -> None:
        """Nothing: the server manages its own storage."""

    def close(self) -> None:
        with self._lock:
            client, self._http = self._http, None
        if client is not None:
            client.close()

    # --- HTTP ---------------------------------------------------------------------------

    def http(self) -> httpx.Client:
        """The httpx client of the Graph Store Protocol loads (made on first use)."""
        with self._lock:
            if self._http is None:
                auth: httpx.Auth | None = None
                user, password = self.config.user, self.config.password
                if user and password:
                    digest = self.config.auth == "digest"
                    auth = (
                        httpx.DigestAuth(user, password)
                        if digest
                        else httpx.BasicAuth(user, password)
                    )
                self._http = httpx.Client(auth=auth, timeout=self.config.timeout)
            return self._http

    def opener(self) -> urllib.request.OpenerDirector:
        """A urllib opener with this store's credentials (a new one per request: urllib's
        digest handler keeps per-request state)."""
        handlers: list[urllib.request.BaseHandler] = []
        if self.config.user and self.config.password:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.config.query_url, self.config.update_url):
                passwords.add_password(None, url, self.config.user, self.config.password)
            if self.config.auth == "digest":
                handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
            else:
                handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def _call(
        self,
        role: Literal["query", "update"],
        text: str,
        dataset: list[tuple[str, str]],
        accept: str,
    ) -> _Answer:
        url = self.config.query_url if role == "query" else self.config.update_url
        wrapper = SPARQLWrapper(url, updateEndpoint=url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.queryString = text
        wrapper.queryType = "SELECT" if role == "query" else "INSERT"
        for name, value in dataset:
            wrapper.addParameter(name, value)
        wrapper.addCustomHttpHeader("Accept", accept)
        attempts = 3 if role == "query" else 1  # a query can be sent again, an update not
        for attempt in range(attempts):
            try:
                with self._send(wrapper._createRequest(), role) as response:
                    _check_complete(response.headers, self.location)
                    body = response.read()
                    return _Answer(body, str(response.headers.get("Content-Type", "")))
            except _Transient:
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    def _send(self, request: urllib.request.Request, role: str) -> _Response:
        url = request.full_url
        try:
            return self.opener().open(request, timeout=self.config.timeout)  # type: ignore[no-any-return]
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", errors="replace").strip()
            raise _http_error(self.location, url, role, exc.code, body) from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise _Transient(
                    f"the SPARQL server at {url} did not answer the {role} within "
                    f"{self.config.timeout:g} s; a long {role} (the first view of an access "
                    "context copies all the personal data it may see) needs a larger "
                    "SKILLSGRAPH_STORE_TIMEOUT, and the server's own time limit raised to match"
                ) from exc
            raise _Transient(
                f"cannot reach the SPARQL server at {url} ({reason}); is it running, and are "
                "the host and port in --store / SKILLSGRAPH_STORE right?"
            ) from exc


_Response = urllib.response.addinfourl


class _Transient(StoreUnavailableError):
    """A failure worth one more try: the server could not be reached or was busy."""


def _http_error(location: str, url: str, role: str, status: int, body: str) -> Exception:
    said = body[:1500] or "(no message)"
    if status in (401, 403):
        return StoreUnavailableError(
            f"store {location}: {url} refused the {role} (HTTP {status}): check the user and "
            "password (SKILLSGRAPH_STORE_USER / SKILLSGRAPH_STORE_PASSWORD), "
            "SKILLSGRAPH_STORE_AUTH=digest for Virtuoso's /sparql-auth, and that the user may "
            f"{'update (GRANT SPARQL_UPDATE)' if role == 'update' else 'read'}: {said}"
        )
    if status == 400 or (status == 500 and _is_syntax_error(body)):
        return BadInputError(f"the SPARQL {role} is not valid ({url}: HTTP {status}): {said}")
    if status == 404:
        return StoreUnavailableError(
            f"store {location}: no SPARQL {role} endpoint at {url} (HTTP 404); check the path "
            f"in --store / SKILLSGRAPH_STORE (or SKILLSGRAPH_UPDATE_URL): {said}"
        )
    if status in _TRANSIENT:
        return _Transient(f"store {location}: {url} is unavailable (HTTP {status}): {said}")
    return StoreUnavailableError(f"store {location}: {url} failed (HTTP {status}): {said}")


def _is_syntax_error(body: str) -> bool:
    """Virtuoso reports a bad query as HTTP 500 with SQL state 37000 (SPARQL compiler)."""
    return "37000" in body or "SPARQL compiler" in body


def _check_complete(headers: object, location: str) -> None:
    """Virtuoso cuts answers at ``ResultSetMaxRows`` and returns partial "anytime"
    answers at ``MaxQueryExecutionTime``, both silently but for a header: refuse them."""
    get = getattr(headers, "get", None)
    if get is None:
        return
    if get("X-SPARQL-MaxRows"):
        raise StoreUnavailableError(
            f"store {location}: the server cut the answer at {get('X-SPARQL-MaxRows')} rows "
            "(Virtuoso's ResultSetMaxRows); raise it in virtuoso.ini [SPARQL] or ask for less"
        )
    if str(get("X-SQL-State") or "").startswith("S1TAT"):
        raise StoreUnavailableError(
            f"store {location}: the query ran out of time and the server returned a partial "
            f"answer ({get('X-SQL-Message')}); raise MaxQueryExecutionTime or ask for less"
        )


def _triples(answer: _Answer) -> ox.QueryTriples:
    """An N-Triples (or Turtle) answer as pyoxigraph's CONSTRUCT result."""
    fmt = ox.RdfFormat.TURTLE if "turtle" in answer.content_type else ox.RdfFormat.N_TRIPLES
    scratch = ox.Store()
    scratch.load(answer.body, format=fmt)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _virtuoso_blank_nodes(body: bytes) -> bytes:
    """Virtuoso names blank nodes ``nodeID://b10001`` in JSON results, which is no blank
    node label: keep the part after ``nodeID://``."""
    if b'"bnode"' not in body:
        return body
    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = str(term["value"]).removeprefix("nodeID://")
    return json.dumps(document).encode()
