"""Benchmark: ingest the full ESCO v1.1.1 into a fresh on-disk store, then re-ingest it.

Prints wall and CPU time per phase, quads per second and peak memory (RSS).
Run on demand: ``.venv/bin/python bench/ingest_esco.py`` (about two minutes on 2 cores).
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from skillsgraph.config import Settings
from skillsgraph.ingest import ingest
from skillsgraph.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            store=str(Path(tmp) / "store"), home=ROOT, reports=Path(tmp) / "reports"
        )
        store = open_store(settings.store)
        ingest(store, settings, "ontology")
        for label in ("first load", "re-ingest (unchanged)"):
            wall, cpu = time.perf_counter(), time.process_time()
            report = ingest(store, settings, "esco")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            quads = report.replace.quads_after
            phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
            print(f"ESCO {label}: {wall:.1f} s wall, {cpu:.1f} s CPU ({phases})")
            print(
                f"  records {report.records_read:,} read, {report.records_loaded:,} loaded, "
                f"{report.records_rejected:,} rejected; {quads:,} quads; "
                f"{quads / wall:,.0f} quads/s wall; "
                f"+{report.replace.added:,} -{report.replace.removed:,}"
            )
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
