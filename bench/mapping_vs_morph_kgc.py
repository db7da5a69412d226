"""Benchmark: our mapping engine against morph-kgc 2.10 on a 200k-row job-offers source.

Generates job offers from real ESCO occupations and skills (seeded, reproducible), runs
``bench/mappings/job_offers.yml`` through our engine and through morph-kgc 2.10 (each in
its own process, so that CPU time and peak memory are the process's own), checks that
both produce the same set of quads, and prints CPU seconds, wall seconds, peak memory and
quads per CPU second for each, plus the time to map one in-memory record with a warmed
engine and a chunked (streaming) run.

morph-kgc is never a dependency of the project: it is installed by this script into its
own virtual environment (``.bench/morph-venv``) with ``pip install --no-deps
morph-kgc==2.10.0`` plus its runtime dependencies, because it pins pyoxigraph<0.4 and
rdflib<7.3.

Run on demand: ``.venv/bin/python bench/mapping_vs_morph_kgc.py [--rows 200000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "bench" / "mappings" / "job_offers.yml"
ESCO = ROOT / "data" / "esco" / "v1.1.1" / "en"
MORPH_VENV = ROOT / ".bench" / "morph-venv"
MORPH_REQUIREMENTS = [
    "duckdb>=1,<2",
    "elementpath>=4,<5",
    "falcon>=3,<5",
    "jsonpath-python==1.0.6",
    "pandas>=2.1,<3",
    "pyoxigraph>=0.3,<0.4",
    "rdflib>=6.1.1,<7.3",
    "ruamel-yaml>=0.18,<0.19",
]
MKGC = "https://github.com/morph-kgc/morph-kgc/function/built-in.ttl#"
GREL = "http://users.ugent.be/~bjdmeest/function/grel.ttl#"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Job offers whose titles, occupations and skills are real ESCO concepts."""
    rng = random.Random(seed)
    occupations = pl.read_csv(ESCO / "occupations_en.csv", infer_schema=False)
    skills = pl.read_csv(ESCO / "skills_en.csv", infer_schema=False)
    occ = list(zip(occupations["conceptUri"], occupations["preferredLabel"], strict=True))
    skill_list = list(zip(skills["conceptUri"], skills["preferredLabel"], strict=True))
    types = ["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN"]
    countries = ["AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "PL", "PT", "SE"]
    records = []
    for i in range(1, rows + 1):
        uri, label = rng.choice(occ)
        picked = rng.sample(skill_list, 5)
        records.append(
            {
                "id": str(i),
                "title": label,
                "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "type": rng.choice(types),
                "company": f"company-{rng.randint(1, 5000)}",
                "country": rng.choice(countries),
                "text": f"We are hiring a {label}. You know how to "
                + ", ".join(s[1] for s in picked)
                + ".",
                "salary": f"{rng.randint(20, 120)}000.00",
                "occupation": uri,
                "skills": "|".join(s[0] for s in picked),
            }
        )
    pl.DataFrame(records).write_csv(path)


def ensure_morph_venv() -> Path:
    python = MORPH_VENV / "bin" / "python"
    if not python.exists():
        print("installing morph-kgc 2.10.0 into .bench/morph-venv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(MORPH_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--no-deps", "morph-kgc==2.10.0"], check=True)
        subprocess.run([*pip, *MORPH_REQUIREMENTS], check=True)
    return python


def measured(command: list[str], cwd: Path) -> dict[str, float]:
    """Run ``command`` as a child; its wall time, CPU time and peak RSS (from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[:3]} failed with status {status}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def run_ours(mapping: Path, output: Path, chunk_rows: int | None) -> None:
    """(In the child process) map with our engine and write N-Quads."""
    from skillsgraph.mapping.engine import iter_mapping
    from skillsgraph.mapping.yarrrml import compile_yarrrml

    registry = job_offers_registry()
    compiled = compile_yarrrml(mapping, functions=registry)
    with output.open("wb") as out:
        for result in iter_mapping(compiled, functions=registry, chunk_rows=chunk_rows):
            result.write_nquads(out)


def job_offers_registry():  # type: ignore[no-untyped-def]
    from skillsgraph.mapping.functions import default_registry

    registry = default_registry().copy()
    split = registry.get(GREL + "string_split")
    registry.register(
        MKGC + "string_split_explode",
        [(GREL + "valueParameter",), (GREL + "p_string_sep",)],
        expr=split.build_expr,
        multi=True,
    )
    return registry


def one_record_latency(mapping: Path, runs: int = 200) -> tuple[float, float]:
    """Median and 95th percentile milliseconds to map one in-memory record."""
    from skillsgraph.mapping.engine import run_mapping
    from skillsgraph.mapping.yarrrml import compile_yarrrml_text

    text = mapping.read_text(encoding="utf-8").replace(
        "      - [job_offers.csv~csv]",
        "      - {access: memory:offer, referenceFormulation: csv}",
    )
    registry = job_offers_registry()
    compiled = compile_yarrrml_text(text, mapping, functions=registry)
    record = pl.read_csv(mapping.parent / "job_offers.csv", n_rows=1, infer_schema=False)
    row = record.row(0, named=True)
    times = []
    for i in range(runs + 10):
        t = time.perf_counter()
        result = run_mapping(compiled, functions=registry, inputs={"offer": [row]})
        if i >= 10:
            times.append((time.perf_counter() - t) * 1000)
    assert result.unique_quads().height == 14, result.unique_quads().height
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def same_quads(ours: Path, theirs: Path) -> tuple[int, int, int]:
    """(ours, theirs, in ours but not theirs + in theirs but not ours)."""
    import pyoxigraph as ox

    dataset = ox.Dataset(ox.parse(path=ours, format=ox.RdfFormat.N_QUADS))
    count_theirs = 0
    missing = 0
    for quad in ox.parse(path=theirs, format=ox.RdfFormat.N_QUADS):
        count_theirs += 1
        if quad not in dataset:
            missing += 1
    extra = len(dataset) - (count_theirs - missing)
    return len(dataset), count_theirs, missing + extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--skip-morph", action="store_true")
    parser.add_argument("--child-ours", nargs=3, metavar=("MAPPING", "OUT", "CHUNK"))
    args = parser.parse_args()
    if args.child_ours:
        mapping, out, chunk = args.child_ours
        run_ours(Path(mapping), Path(out), int(chunk) or None)
        return
    with tempfile.TemporaryDirectory(prefix="skillsgraph-bench-") as tmp:
        folder = Path(tmp)
        mapping = folder / "job_offers.yml"
        mapping.write_text(MAPPING.read_text(encoding="utf-8"), encoding="utf-8")
        t = time.perf_counter()
        generate(folder / "job_offers.csv", args.rows)
        size = (folder / "job_offers.csv").stat().st_size / 1e6
        print(
            f"generated {args.rows:,} job offers ({size:.0f} MB) in {time.perf_counter() - t:.1f} s"
        )
        rows = {}
        me = [sys.executable, str(Path(__file__).resolve()), "--child-ours"]
        rows["skillsgraph"] = measured([*me, str(mapping), str(folder / "ours.nq"), "0"], folder)
        rows["skillsgraph, chunks of 50k rows"] = measured(
            [*me, str(mapping), str(folder / "chunked.nq"), "50000"], folder
        )
        if not args.skip_morph:
            python = ensure_morph_venv()
            config = folder / "config.ini"
            config.write_text(
                "[CONFIGURATION]\noutput_file=morph.nq\noutput_format=N-QUADS\n"
                "[DataSource1]\nmappings=job_offers.yml\n",
                encoding="utf-8",
            )
            rows["morph-kgc 2.10.0"] = measured(
                [str(python), "-m", "morph_kgc", "config.ini"], folder
            )
        quads, _, _ = same_quads(folder / "ours.nq", folder / "chunked.nq")
        header = ("engine", "CPU s", "wall s", "peak MB", "quads/CPU s", "B/quad")
        print("\n{:<34}{:>8}{:>8}{:>9}{:>13}{:>8}".format(*header))
        for name, m in rows.items():
            per_cpu = quads / m["cpu"]
            per_quad = m["rss_mb"] * 1024 * 1024 / quads
            print(
                f"{name:<34}{m['cpu']:>8.1f}{m['wall']:>8.1f}{m['rss_mb']:>9.0f}{per_cpu:>13,.0f}{per_quad:>8.0f}"
            )
        ours_n, chunk_n, diff = same_quads(folder / "ours.nq", folder / "chunked.nq")
        print(f"\nchunked run: {chunk_n:,} quads, {diff} differ from the one-shot run")
        if not args.skip_morph:
            ours_n, theirs_n, diff = same_quads(folder / "ours.nq", folder / "morph.nq")
            print(f"morph-kgc: {theirs_n:,} quads vs ours {ours_n:,}; {diff} differ")
            ratio = rows["morph-kgc 2.10.0"]["cpu"] / rows["skillsgraph"]["cpu"]
            print(f"speed-up in quads per CPU second: {ratio:.1f}x (target >= 3x)")
        median, p95 = one_record_latency(mapping)
        print(f"one in-memory record, warmed engine: median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
