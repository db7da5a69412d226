"""Benchmark: build the whole real corpus (``skillsgraph ingest --all``) into a fresh
on-disk store, as the README's first command does.

Prints, per source and in total: wall and CPU time (and each phase), records read /
loaded / rejected, quads, quads per second, and the peak memory (RSS) of the process.
Target (issue 4): the whole corpus in under 5 minutes on 2 cores.

Run on demand: ``.venv/bin/python bench/ingest_corpus.py``.

Measured 2026-11-25 (2 cores, nothing else running, SKILLSGRAPH_WORKERS=1): total 185.1 s
for 3,174,107 quads, peak RSS 4,961 MB. Per source (wall s): esco 21.6 (validate 15.1),
cordis 15.2, courses 9.0, eurostat 1.0, job_postings 19.0 (mapping and linking 15.4),
learners 119.2 (validate 84.6, load 33.2). With 2 workers: 199.9 s.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from skillsgraph.config import Settings
from skillsgraph.ingest import available_sources, ingest
from skillsgraph.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store=str(Path(tmp) / "store"), home=ROOT, reports=Path(tmp) / "q")
        store = open_store(settings.store)
        header = ("source", "wall s", "CPU s", "read", "loaded", "rejected", "quads", "quads/s")
        print("{:<12}{:>8}{:>8}{:>10}{:>10}{:>10}{:>11}{:>10}  phases".format(*header))
        total_wall, total_cpu = time.perf_counter(), time.process_time()
        for source in available_sources(settings):
            wall, cpu = time.perf_counter(), time.process_time()
            report = ingest(store, settings, source)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            quads = report.replace.quads_after
            phases = ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items())
            print(
                f"{source:<12}{wall:>8.1f}{cpu:>8.1f}{report.records_read:>10,}"
                f"{report.records_loaded:>10,}{report.records_rejected:>10,}{quads:>11,}"
                f"{quads / wall:>10,.0f}  {phases}",
                flush=True,
            )
        wall, cpu = time.perf_counter() - total_wall, time.process_time() - total_cpu
        quads = store.count()
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'total':<12}{wall:>8.1f}{cpu:>8.1f}{'':>30}{quads:>11,}{quads / wall:>10,.0f}"
        f"\npeak memory (RSS): {peak:,.0f} MB (target: whole corpus under 300 s)"
    )


if __name__ == "__main__":
    main()
