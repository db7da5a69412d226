"""Loads into a remote store, all or nothing per replacement.

A replacement never writes into the graphs it replaces until the new data are on the
server: it uploads them into staging graphs (``urn:x-skillsgraph:staging:{id}/{n}``) with
the Graph Store Protocol, in chunks of ``SKILLSGRAPH_STORE_CHUNK`` triples (default 50,000;
triples with blank nodes go in one request, as a blank node is only the same node within
one document), retrying a chunk on connection errors and HTTP 502/503/504. Then one SPARQL
update (one transaction on the server) swaps them in: ``MOVE`` for each graph that changed,
``DROP`` for each graph that is no longer there (on Virtuoso, which refuses an update of
about a thousand operations, in updates of :data:`SWAP_BATCH` graphs). If anything fails
before the swap, the staging graphs are dropped and the stored graphs are as they were.
A first load (every graph in scope empty) writes straight into its graphs and drops them
if anything fails: the same all or nothing, without the copy.

The report's numbers are exact and cheap: the server counts the stored graph (``before``),
its staging copy (``after``), and the triples both hold (``common``, a join on the server);
``removed = before - common``, ``added = after - common``. An unchanged graph is left as it
is (its staging copy is dropped), so re-ingesting unchanged data writes nothing into it.
Small graphs of a multi-graph replacement (a source's consent graphs) are staged with
``INSERT DATA`` in batches rather than one upload each.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import httpx
import pyoxigraph as ox

from skillsgraph.errors import BadInputError, StoreUnavailableError
from skillsgraph.store.base import ReplaceReport, ntriples_lines
from skillsgraph.store.remote import STAGING

if TYPE_CHECKING:
    from skillsgraph.store.remote import RemoteStore

T = TypeVar("T")
RETRIES = 4
SMALL_GRAPH = 2_000  # triples: below this, a graph is staged with INSERT DATA in a batch
SWAP_BATCH = 400  # graphs swapped per update on Virtuoso
COUNT_LISTED = 1_000  # above this many graphs, count them with one grouped scan


@dataclass
class _Graph:
    """The new content of one target graph, as canonical N-Triples lines."""

    target: str
    staging: str
    plain: list[str]
    blank: list[str]

    @property
    def size(self) -> int:
        return len(self.plain) + len(self.blank)


def replace_graph(store: RemoteStore, graph: str, ntriples: str) -> ReplaceReport:
    started = time.perf_counter()
    plain, blank = _split(_canonical(ntriples, f"graph {graph}"))
    new = _Graph(graph, f"{STAGING}{uuid.uuid4().hex}/0", plain, blank)
    report = _replace(store, [new], [graph])
    return ReplaceReport(graph, *report, time.perf_counter() - started)


def replace_graphs(
    store: RemoteStore, nquads: str, *, graphs: Sequence[str] = (), prefix: str | None = None
) -> ReplaceReport:
    started = time.perf_counter()
    label = ", ".join(sorted(graphs)) + (f", {prefix}*" if prefix else "")
    grouped = _by_graph(nquads)
    stray = [
        g for g in grouped if g not in graphs and not (prefix is not None and g.startswith(prefix))
    ]
    if stray:
        first = grouped[stray[0]][0].strip().removesuffix(" .")
        raise BadInputError(
            f"a quad is outside the graphs being replaced ({label}): "
            f"{first} in graph {stray[0] or 'default'}"
        )
    scope = set(graphs) | (set(_graphs_with_prefix(store, prefix)) if prefix else set())
    token = uuid.uuid4().hex
    new = []
    for n, (graph, triples) in enumerate(sorted(grouped.items())):
        plain, blank = _split(_canonical("".join(triples), f"graph {graph}"))
        new.append(_Graph(graph, f"{STAGING}{token}/{n}", plain, blank))
    report = _replace(store, new, sorted(scope | set(grouped)))
    return ReplaceReport(label, *report, time.perf_counter() - started)


def add_triples(store: RemoteStore, graph: str, ntriples: str) -> None:
    """One GSP POST when the triples fit in one chunk; else staged, then ``ADD`` in one
    update."""
    lines = _canonical(ntriples, f"graph {graph}")
    if len(lines) <= store.config.chunk:
        if lines:
            _post(store, graph, lines)
        return
    plain, blank = _split(lines)
    staged = _Graph(graph, f"{STAGING}{uuid.uuid4().hex}/0", plain, blank)
    _stage(store, [staged])
    try:
        store.update(
            f"ADD SILENT <{staged.staging}> TO <{graph}> ; DROP SILENT GRAPH <{staged.staging}>"
        )
    except BaseException:
        _drop_staging(store, [staged])
        raise


def _replace(store: RemoteStore, new: list[_Graph], scope: list[str]) -> tuple[int, int, int, int]:
    """Stage ``new``, swap it in for the graphs of ``scope``; (before, after, removed,
    added). Into graphs that are all empty (a first load), write directly, dropping what
    was written if anything fails."""
    before = _counts(store, scope)
    if not any(before.values()):
        return _first_load(store, new)
    _stage(store, new)
    try:
        after = _counts(store, [g.staging for g in new])
        common = _common(store, [g for g in new if before.get(g.target, 0)])
        operations = []
        removed = added = 0
        for graph in new:
            kept = common.get(graph.target, 0)
            size = after.get(graph.staging, 0)
            removed += before.get(graph.target, 0) - kept
            added += size - kept
            if kept == size == before.get(graph.target, 0):
                operations.append(f"DROP SILENT GRAPH <{graph.staging}>")
            else:
                operations.append(f"MOVE SILENT <{graph.staging}> TO <{graph.target}>")
        targets = {g.target for g in new}
        for graph_iri in scope:
            if graph_iri not in targets and before.get(graph_iri, 0):
                removed += before[graph_iri]
                operations.append(f"DROP SILENT GRAPH <{graph_iri}>")
        # Virtuoso refuses one update with about a thousand operations ("SQ200: Query too
        # large"): there the swap goes in updates of SWAP_BATCH graphs, each graph replaced
        # atomically, the whole set as far as the server allows (docs/production.md).
        size = SWAP_BATCH if store.is_virtuoso else max(1, len(operations))
        for batch in _chunks(operations, size):
            store.update(" ;\n".join(batch))
    except BaseException:
        _drop_staging(store, new)
        raise
    total_before, total_after = sum(before.values()), sum(after.values())
    return total_before, total_after, removed, added


def _first_load(store: RemoteStore, new: list[_Graph]) -> tuple[int, int, int, int]:
    """Write ``new`` straight into its (empty) target graphs; on failure, drop them, so
    that they are empty again: all or nothing, without the staging copy and the swap
    (which cost Virtuoso about 12 ms a graph: minutes for a source's consent graphs)."""
    direct = [_Graph(g.target, g.target, g.plain, g.blank) for g in new]
    _stage(store, direct)  # drops the targets if it fails
    after = _counts(store, [g.target for g in new])
    total = sum(after.values())
    return 0, total, 0, total


def _stage(store: RemoteStore, new: list[_Graph]) -> None:
    """Upload ``new`` into its staging graphs; on failure, drop what was staged."""
    try:
        small = [g for g in new if g.size < SMALL_GRAPH]
        for graph in new:
            if graph.size >= SMALL_GRAPH:
                for chunk in _chunks(graph.plain, store.config.chunk):
                    _post(store, graph.staging, chunk)
                if graph.blank:
                    _post(store, graph.staging, graph.blank)
        batch: list[str] = []
        filled = 0
        for graph in small:
            if graph.plain:
                batch.append(f"GRAPH <{graph.staging}> {{\n" + "\n".join(graph.plain) + "\n}")
                filled += len(graph.plain)
            if filled >= min(store.config.chunk, 10_000):
                store.update("INSERT DATA {\n" + "\n".join(batch) + "\n}")
                batch, filled = [], 0
        if batch:
            store.update("INSERT DATA {\n" + "\n".join(batch) + "\n}")
        blank = [f"GRAPH <{g.staging}> {{\n" + "\n".join(g.blank) + "\n}" for g in small if g.blank]
        if blank:  # one request: blank node labels are shared across its graphs; a
            # template, as INSERT DATA may not hold blank nodes on Virtuoso
            store.update("INSERT {\n" + "\n".join(blank) + "\n} WHERE {}")
    except BaseException:
        _drop_staging(store, new)
        raise


def _drop_staging(store: RemoteStore, new: list[_Graph]) -> None:
    """Best effort: the server may be the reason we are here."""
    if not new:
        return
    with contextlib.suppress(StoreUnavailableError):
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g.staging}>" for g in new))


def _counts(store: RemoteStore, graphs: Sequence[str]) -> dict[str, int]:
    """Triples per graph. Many graphs (a source's consent graphs) are counted with one
    grouped scan of the store: Virtuoso took minutes for 32,593 graphs listed 500 at a
    time, and a quarter of a second for the scan."""
    found: dict[str, int] = {}
    if len(graphs) > COUNT_LISTED:
        wanted = set(graphs)
        result = store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            if isinstance(row["g"], ox.NamedNode) and row["g"].value in wanted:
                found[row["g"].value] = int(row["n"].value)
        return found
    for part in _chunks(list(graphs), 500):
        listed = " ".join(f"<{g}>" for g in part)
        result = store.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {listed} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, ox.QuerySolutions)
        found.update({row["g"].value: int(row["n"].value) for row in result})
    return found


def _common(store: RemoteStore, new: list[_Graph]) -> dict[str, int]:
    """Triples each target graph and its staging copy both hold."""
    found: dict[str, int] = {}
    for part in _chunks(new, 500):
        pairs = " ".join(f"(<{g.staging}> <{g.target}>)" for g in part)
        result = store.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES (?st ?g) {{ {pairs} }} "
            "GRAPH ?st { ?s ?p ?o } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, ox.QuerySolutions)
        found.update({row["g"].value: int(row["n"].value) for row in result})
    return found


def _graphs_with_prefix(store: RemoteStore, prefix: str) -> list[str]:
    result = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{_escape(prefix)}")) }}'
    )
    assert isinstance(result, ox.QuerySolutions)
    return [row["g"].value for row in result]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _post(store: RemoteStore, graph: str, lines: Sequence[str]) -> None:
    """Add ``lines`` to ``graph`` with one Graph Store Protocol POST, retried on transient
    failures with backoff (0.5, 1, 2 s)."""
    url = store.config.gsp_url
    if not url:
        raise BadInputError(
            f"store {store.location}: no Graph Store Protocol endpoint is known for loads; "
            "set SKILLSGRAPH_GSP_URL (Oxigraph: .../store, Virtuoso: "
            ".../sparql-graph-crud-auth, Fuseki: .../data)"
        )
    body = ("\n".join(lines) + "\n").encode()
    failure = ""
    for attempt in range(RETRIES):
        if attempt:
            time.sleep(0.5 * 2 ** (attempt - 1))
        try:
            response = store.http().post(
                url,
                params={"graph": graph},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
        except httpx.TransportError as exc:
            failure = f"cannot reach {url} ({type(exc).__name__}: {exc})"
            continue
        if response.status_code in (502, 503, 504):
            failure = f"{url} is unavailable (HTTP {response.status_code})"
            continue
        if response.status_code >= 400:
            raise _refused(store, url, graph, response)
        return
    raise StoreUnavailableError(
        f"store {store.location}: loading into {graph} failed {RETRIES} times: {failure}; "
        "is the server running and reachable?"
    )


def _refused(store: RemoteStore, url: str, graph: str, response: httpx.Response) -> Exception:
    said = response.text.strip()[:1500] or "(no message)"
    status = response.status_code
    if status in (401, 403):
        return StoreUnavailableError(
            f"store {store.location}: {url} refused the load into {graph} (HTTP {status}): "
            "check the user and password, SKILLSGRAPH_STORE_AUTH=digest for Virtuoso, and "
            f"that the user may write (GRANT SPARQL_UPDATE): {said}"
        )
    if status in (400, 415):
        return BadInputError(f"{url} rejected the data for {graph} (HTTP {status}): {said}")
    return StoreUnavailableError(
        f"store {store.location}: loading into {graph} failed at {url} (HTTP {status}): {said}"
    )


def _canonical(text: str, where: str) -> list[str]:
    """The distinct triples of an N-Triples document, in pyoxigraph's canonical form."""
    try:
        triples = ox.serialize(
            ox.parse(text, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES
        )
    except SyntaxError as exc:
        raise BadInputError(f"{where}: the data is not valid N-Triples: {exc}") from exc
    return list(dict.fromkeys(ntriples_lines((triples or b"").decode())))


def _split(lines: list[str]) -> tuple[list[str], list[str]]:
    """Lines without blank nodes, lines with (a literal holding " _:" errs on the safe side)."""
    plain: list[str] = []
    blank: list[str] = []
    for line in lines:
        (blank if line.startswith("_:") or " _:" in line else plain).append(line)
    return plain, blank


def _by_graph(nquads: str) -> dict[str, list[str]]:
    """The N-Quads document's triples by graph IRI ('' for the default graph)."""
    try:
        quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise BadInputError(f"the data is not valid N-Quads: {exc}") from exc
    grouped: dict[str, list[str]] = {}
    for quad in quads:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        grouped.setdefault(name, []).append(f"{quad.triple} .\n")
    return grouped


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
