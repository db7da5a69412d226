"""Settings: where the store is, where the project's ontology, shapes and mappings are.

Read from arguments first, then environment variables (``SKILLSGRAPH_STORE``,
``SKILLSGRAPH_HOME``, ``SKILLSGRAPH_BASE``), then defaults.

>>> Settings(store="memory").graph("source/esco")
'https://w3id.org/skillsgraph/graph/source/esco'
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BASE = "https://w3id.org/skillsgraph/"
DEFAULT_STORE = Path(".skillsgraph") / "store"


def _project_home() -> Path:
    return Path(os.environ.get("SKILLSGRAPH_HOME") or Path(__file__).resolve().parents[1])


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with the defaults of an embedded local graph."""

    store: str = field(
        default_factory=lambda: os.environ.get("SKILLSGRAPH_STORE", str(DEFAULT_STORE))
    )
    home: Path = field(default_factory=_project_home)
    base: str = field(default_factory=lambda: os.environ.get("SKILLSGRAPH_BASE", DEFAULT_BASE))
    reports: Path | None = None
    workers: int = field(default_factory=lambda: int(os.environ.get("SKILLSGRAPH_WORKERS") or 1))
    """Processes that validate a batch in parallel (``SKILLSGRAPH_WORKERS``; default 1).
    On the 2-core reference machine 2 spawned processes were slower for the whole corpus
    (bench/ingest_corpus.py: 199.9 s against 185.1 s; learners 133.9 s against 119.2 s):
    partitions repeat the context triples and each process parses its own graph."""

    @property
    def remote(self) -> bool:
        """Whether the store is a SPARQL server (``sparql+http(s)://...``)."""
        return self.store.startswith(("sparql+http://", "sparql+https://"))

    @property
    def ontology_dir(self) -> Path:
        return self.home / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.home / "shapes"

    @property
    def mappings_dir(self) -> Path:
        return self.home / "mappings"

    @property
    def quarantine_dir(self) -> Path:
        """Rejected records, as JSON Lines, one file per source: next to an on-disk store."""
        if self.reports is not None:
            return self.reports
        if self.store == "memory" or self.remote:
            return Path(".skillsgraph") / "quarantine"
        return Path(self.store).parent / "quarantine"

    def graph(self, name: str) -> str:
        """The IRI of one of our named graphs, e.g. ``source/esco`` or ``provenance``."""
        return f"{self.base}graph/{name}"

    def source_graph(self, source: str) -> str:
        return self.graph(f"source/{source}")

    def resource(self, kind: str, key: str) -> str:
        return f"{self.base}id/{kind}/{key}"
