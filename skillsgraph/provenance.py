"""PROV-O records of loads: one ``sg:Ingest`` activity per load, in the provenance graph.

Each activity says which source files (content-addressed by SHA-256) and mapping documents
it used, when it started and ended, which graph it generated, and its record counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from skillsgraph import __version__
from skillsgraph.config import Settings
from skillsgraph.namespaces import SG
from skillsgraph.store.base import Store


@dataclass(frozen=True)
class SourceFileInfo:
    """A file a load used: where it is (relative to the project), its digest and size."""

    path: Path
    relative: str
    sha256: str
    size: int
    records: int | None = None


def describe_file(path: Path, home: Path, *, records: int | None = None) -> SourceFileInfo:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    try:
        relative = path.resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        relative = path.resolve().as_posix()
    return SourceFileInfo(path, relative, digest.hexdigest(), path.stat().st_size, records)


def record_ingest(
    store: Store,
    settings: Settings,
    *,
    source: str,
    graph: str,
    started: datetime,
    files: Sequence[SourceFileInfo],
    mappings: Sequence[SourceFileInfo],
    counts: Mapping[str, int],
) -> str:
    """Append the activity of one load to the provenance graph; return its IRI."""
    ended = datetime.now(UTC)
    activity = URIRef(settings.resource("ingest", f"{source}-{ended.strftime('%Y%m%dT%H%M%S%fZ')}"))
    g = Graph()
    g.add((activity, RDF.type, SG.Ingest))
    g.add((activity, RDFS.label, Literal(f"ingest of {source}", lang="en")))
    g.add((activity, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(ended, datatype=XSD.dateTime)))
    g.add(
        (
            activity,
            PROV.wasAssociatedWith,
            URIRef(settings.resource("agent", f"skillsgraph-{__version__}")),
        )
    )
    g.add((activity, SG.targetGraph, URIRef(graph)))
    g.add((URIRef(graph), PROV.wasGeneratedBy, activity))
    for name, value in counts.items():
        g.add((activity, SG[name], Literal(value, datatype=XSD.integer)))
    for info, kind in [(f, SG.SourceFile) for f in files] + [
        (m, SG.MappingDocument) for m in mappings
    ]:
        entity = URIRef(settings.resource("file", info.sha256))
        g.add((activity, PROV.used, entity))
        g.add((entity, RDF.type, kind))
        g.add((entity, DCTERMS.identifier, Literal(info.relative)))
        g.add((entity, SG.sha256, Literal(info.sha256)))
        g.add((entity, SG.byteSize, Literal(info.size, datatype=XSD.integer)))
    store.add_triples(settings.graph("provenance"), g.serialize(format="nt"))
    return str(activity)
