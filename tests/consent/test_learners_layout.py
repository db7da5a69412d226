"""The OULAD learners mapping's consent records are enforced as they are written.

The small learners case (tests/cases/learners: 20 learners, every kind of demo consent) is
mapped with the real mapping and loaded as ingest lays it out; then, for every context of
the shipped participant registry, both query paths show exactly the learners whose records
:func:`decide` permits.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from skillsgraph.config import Settings
from skillsgraph.consent import decide, load_registry, query_as, query_personal
from skillsgraph.consent.model import read_records
from skillsgraph.mapping import compile_mapping
from skillsgraph.mapping.engine import DEFAULT_GRAPH, nquads_text, run_mapping
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import load_public
from tests.consent.helpers import rows

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def learners(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Settings]:
    home = tmp_path_factory.mktemp("learners")
    shutil.copytree(ROOT / "mappings" / "learners", home / "mappings" / "learners")
    shutil.copytree(ROOT / "tests" / "cases" / "learners" / "data", home / "data")
    shutil.copytree(ROOT / "config", home / "config")
    settings = Settings(store="memory", home=home)
    quads = run_mapping(compile_mapping(home / "mappings" / "learners" / "learners.yml"))
    frame = quads.unique_quads()
    store = EmbeddedStore(None)
    public = frame.filter(pl.col("g") == DEFAULT_GRAPH)
    load_public(
        store, settings, "learners", nquads_text(public.with_columns(pl.lit(None).alias("g")))
    )
    store.pyoxigraph.load(
        nquads_text(frame.filter(pl.col("g") != DEFAULT_GRAPH)),
        format=__import__("pyoxigraph").RdfFormat.N_QUADS,
    )
    return store, settings


def test_each_context_sees_the_learners_its_consents_permit(
    learners: tuple[EmbeddedStore, Settings],
) -> None:
    store, settings = learners
    records = read_records(store, settings)
    assert len(records) == 20
    registry = load_registry(settings)
    sparql = "SELECT DISTINCT ?l { ?l a sg:Learner }"
    personal = (
        f"SELECT DISTINCT ?l {{ GRAPH <{settings.graph('personal')}> {{ ?l a sg:Learner }} }}"
    )
    seen_by_someone = set()
    for context in registry.contexts():
        expected = {
            (f"<{r.subject}>",) for r in records if decide(r, context, NOW, settings=settings)
        }
        assert rows(query_as(store, settings, context, sparql, now=NOW)) == expected, context
        assert rows(query_personal(store, settings, context, personal, now=NOW)) == expected
        seen_by_someone |= expected
    assert len(seen_by_someone) == 14  # 12 given + 2 given-narrow; not withdrawn or expired
