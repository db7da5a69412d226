"""Benchmark: the same corpus in the embedded store, Oxigraph server and Virtuoso 7.

For each backend: ingest the whole real corpus (every source, as ``ingest --all``) with
``skillsgraph.ingest.ingest`` (wall time, and the load phase alone: mapping and validation
are the same work whatever the store), re-ingest ESCO unchanged, then time the queries of
``queries/*.rq`` and a few more through ``run_query`` (the public dataset pinned, as the
CLI and the API run them), and the learner data under consent (the research lab's
context: the first query builds its view; then user SPARQL over the view and the
project's own rewritten query): median of ``--repeat`` runs, side by side.
``--sources`` narrows the corpus (e.g. ``ontology,esco,job_postings,courses``).

The servers are started by tests/remote/servers.py on 127.0.0.1 (Virtuoso with
``--buffers`` of 8 kB) and stopped at the end.

Run: ``.venv/bin/python bench/remote.py [--repeat 5] [--backends embedded,oxigraph,virtuoso]``
(about 10 minutes per backend on 2 cores for the whole corpus; needs
scripts/ensure-virtuoso.sh and the test extras).

Measured 2026-11-25, whole corpus (3.17M quads, 32,593 consent graphs), 2 cores, one
backend at a time; embedded (merged copy and compaction after the loads, as ``skillsgraph
ingest`` ends: 20.2 s) / Oxigraph server 0.5.13 / Virtuoso 7.2 (100,000 buffers): ingest
learners 118.2 / 280.1 / 356.7 s (load 33.2 / 183.4 / 255.1 s); ingest total 200 / 352 /
413 s; re-ingest ESCO unchanged 23.4 / 67.7 / 34.6 s; essential skills 5.1 / 20.3 / 98.2
ms; skills demanded and taught 56.9 / 254.8 / 107.6 ms; quads per graph 357 / 326 / 273
ms; skills per type 64.4 / 381.7 / 111.3 ms; label search 37.3 / 34.4 / 135.3 ms;
occupations via a transitive path 1,767 / 13,563 / 378 ms; one occupation as CONSTRUCT
1.2 / 8.5 / 91.8 ms; ASK 0.4 / 4.8 / 85.9 ms; first query of the research lab's context
(builds its view, 1.26M triples) 87.7 / 105.7 / 32.8 s; then user SPARQL over the view
271 / 945 / 144 ms and the project's rewritten query 139 / 217 / 98 ms. Without the
merged copy (the embedded column of an earlier run), the embedded store took 16,126 ms on
the path, 558 ms on the skills per type and 1,175 ms on the user SPARQL. Oxigraph server
reads the public graphs as pyoxigraph does without the copy (each pattern in each graph).
A Virtuoso request costs about 85 ms before any work right after the loads.
Since then the embedded store copies a view in bulk (``Store.copy_matches``): that view's
copy alone took 17.8 s against 56.6 s as the one SPARQL update measured above (the first
query's whole 87.7 s not measured again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillsgraph.config import Settings  # noqa: E402
from skillsgraph.consent import AccessContext, Purpose, query_as, query_personal  # noqa: E402
from skillsgraph.consent.scope import merge_public  # noqa: E402
from skillsgraph.ingest import available_sources, ingest  # noqa: E402
from skillsgraph.query import run_query  # noqa: E402
from skillsgraph.store import EmbeddedStore, Store  # noqa: E402
from skillsgraph.store.remote import RemoteStore  # noqa: E402
from tests.remote.servers import Server, start_oxigraph, start_virtuoso  # noqa: E402

LAB = AccessContext("demo-research-lab", Purpose.SCIENTIFIC_RESEARCH)
PERSONAL = "https://w3id.org/skillsgraph/graph/personal"
USER_RESULTS = (
    "SELECT ?r (COUNT(*) AS ?n) WHERE { ?e a sg:Enrolment ; sg:finalResult ?r } GROUP BY ?r"
)
PROJECT_RESULTS = (
    f"SELECT ?r (COUNT(*) AS ?n) WHERE {{ GRAPH <{PERSONAL}> {{ ?e a sg:Enrolment ; "
    "sg:finalResult ?r } } GROUP BY ?r"
)
EXTRA = {
    "count quads by graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
    "GROUP BY ?g",
    "skills per type": "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a esco:Skill ; esco:skillType ?t }"
    " GROUP BY ?t",
    "label search 'data'": 'SELECT ?s ?l WHERE { ?s skos:prefLabel ?l FILTER(lang(?l) = "en" &&'
    ' CONTAINS(LCASE(?l), "data")) } LIMIT 100',
    "occupations of a skill group (path)": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a "
    "esco:Occupation ; esco:relatedEssentialSkill/skos:broader+ ?g }",
    "one occupation as CONSTRUCT": "CONSTRUCT { ?o ?p ?v } WHERE { ?o a esco:Occupation ; "
    'skos:prefLabel "data scientist"@en ; ?p ?v }',
    "ASK postings": "ASK { ?p a sg:JobPosting }",
}


def _median(action: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median seconds of ``action`` (its answer fully read), and the answer's size."""
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
            size = sum(1 for _ in result)
        else:
            size = 1
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


def _queries() -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    return found | EXTRA


def run(
    name: str, store: Store, settings: Settings, repeat: int, sources: list[str]
) -> dict[str, str]:
    cells: dict[str, str] = {}
    started = time.perf_counter()
    for source in sources:
        t = time.perf_counter()
        report = ingest(store, settings, source)
        wall = time.perf_counter() - t
        load = report.timings.get("load", 0.0)
        cells[f"ingest {source}"] = (
            f"{wall:6.1f} s (load {load:5.1f} s, {report.replace.quads_after:,} quads)"
        )
        print(f"[{name}] {source}: {cells[f'ingest {source}']}", flush=True)
    # as `skillsgraph ingest` ends: the merged copy of the public graphs (embedded store
    # only; None on a server), then compaction (a no-op on a server)
    t = time.perf_counter()
    merged = merge_public(store, settings)
    store.compact()
    cells["merged copy and compaction"] = (
        "n/a" if merged is None else f"{time.perf_counter() - t:6.1f} s ({merged:,} triples)"
    )
    print(f"[{name}] merged copy and compaction: {cells['merged copy and compaction']}")
    cells["ingest total"] = f"{time.perf_counter() - started:6.1f} s"
    t = time.perf_counter()
    again = ingest(store, settings, "esco")
    cells["re-ingest esco (unchanged)"] = (
        f"{time.perf_counter() - t:6.1f} s (load {again.timings.get('load', 0):5.1f} s, "
        f"+{again.replace.added} -{again.replace.removed})"
    )
    for label, sparql in _queries().items():
        seconds, size = _median(lambda s=sparql: run_query(store, settings, s), repeat)
        cells[label] = f"{seconds * 1000:8.1f} ms ({size:,} rows)"
        print(f"[{name}] {label}: {cells[label]}", flush=True)
    if "learners" in sources:
        consent_rows(name, store, settings, repeat, cells)
    return cells


def consent_rows(
    name: str, store: Store, settings: Settings, repeat: int, cells: dict[str, str]
) -> None:
    """The learner data under consent, in the research lab's context."""
    t = time.perf_counter()
    query_as(store, settings, LAB, USER_RESULTS, log=False).result()
    cells["consent: first query of a context (builds its view)"] = (
        f"{time.perf_counter() - t:8.1f} s"
    )
    timed = {
        "consent: user SPARQL, results by outcome": lambda: query_as(
            store, settings, LAB, USER_RESULTS, log=False
        ).result(),
        "consent: project query, results by outcome": lambda: query_personal(
            store, settings, LAB, PROJECT_RESULTS, log=False
        ).result(),
    }
    for label, action in timed.items():
        seconds, size = _median(action, repeat)
        cells[label] = f"{seconds * 1000:8.1f} ms ({size:,} rows)"
    for label in ("consent: first query of a context (builds its view)", *timed):
        print(f"[{name}] {label}: {cells[label]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--buffers", type=int, default=100_000, help="Virtuoso's 8 kB buffers")
    parser.add_argument("--sources", default="", help="comma-separated (default: all)")
    args = parser.parse_args()
    columns: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.backends.split(","):
            where = Path(tmp) / name
            where.mkdir()
            server: Server | None = None
            store: Store
            if name == "embedded":
                store, location = EmbeddedStore(where / "store"), str(where / "store")
            else:
                server = (
                    start_oxigraph(where)
                    if name == "oxigraph"
                    else start_virtuoso(where, buffers=args.buffers)
                )
                env = {**server.env, "SKILLSGRAPH_STORE_TIMEOUT": "1800"}  # a first view: minutes
                store, location = RemoteStore.open(server.location, env=env), server.location
            settings = Settings(store=location, home=ROOT, reports=where / "reports")
            sources = args.sources.split(",") if args.sources else available_sources(settings)
            try:
                columns[name] = run(name, store, settings, args.repeat, sources)
            finally:
                store.close()
                if server is not None:
                    server.stop()
    rows = list(next(iter(columns.values())))
    width = max(len(r) for r in rows)
    print("\n" + " " * width + "".join(f" | {n:^40}" for n in columns))
    for row in rows:
        print(f"{row:<{width}}" + "".join(f" | {columns[n].get(row, ''):>40}" for n in columns))


if __name__ == "__main__":
    main()
