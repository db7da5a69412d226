"""Ingest on every backend: counts, idempotence, personal sources, and failures half-way
that leave the previous graph as it was (a load that fails, a server that dies)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from skillsgraph.config import Settings
from skillsgraph.errors import StoreUnavailableError
from skillsgraph.ingest import ingest
from skillsgraph.store import Store, remote_load
from skillsgraph.store.remote import STAGING, RemoteStore
from tests.remote.conftest import remote
from tests.remote.servers import start_oxigraph
from tests.test_ingest import SKILLS, mini, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
RELATED = "http://data.europa.eu/esco/model#relatedEssentialSkill"


def _staging_left(store: Store) -> list[str]:
    rows = store.query(
        f'SELECT DISTINCT ?g {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
    )
    return [row["g"].value for row in rows]  # type: ignore[union-attr]


def test_ingest_counts_and_reingest_is_idempotent(
    mini: Path,  # noqa: F811
    settings: Settings,
    any_store: Store,
) -> None:
    report = ingest(any_store, settings, "mini")
    counts = {f.path.name: (f.read, f.loaded, f.rejected) for f in report.files}
    assert counts == {
        "skills.csv": (3, 3, 0),
        "occupations.csv": (1, 1, 0),
        "groups.csv": (1, 1, 0),
        "relations.csv": (3, 2, 1),
    }
    graph = settings.source_graph("mini")
    assert any_store.count(graph) == report.replace.quads_after == report.replace.added > 0
    assert graph in any_store.graphs() and settings.graph("provenance") in any_store.graphs()
    again = ingest(any_store, settings, "mini")
    assert (again.replace.added, again.replace.removed) == (0, 0)
    assert again.replace.quads_after == report.replace.quads_after
    (mini / "skills.csv").write_text(SKILLS.replace("teach,", "teach others,"), encoding="utf-8")
    changed = ingest(any_store, settings, "mini")
    assert (changed.replace.added, changed.replace.removed) == (1, 1)
    rows = any_store.query(
        f"SELECT ?o ?s {{ GRAPH <{graph}> {{ ?o <{RELATED}> ?s }} }}",
    )
    assert [(r["o"].value, r["s"].value) for r in rows] == [  # type: ignore[union-attr]
        ("http://data.europa.eu/esco/occupation/o1", "http://data.europa.eu/esco/skill/s1")
    ]


def test_a_personal_source_reingests_into_its_consent_graphs(
    people: Path,  # noqa: F811
    settings: Settings,
    any_store: Store,
) -> None:
    ingest(any_store, settings, "people")
    consent = settings.graph("consent/people-")
    assert {g for g in any_store.graphs() if g.startswith(consent)} == {
        consent + "1",
        consent + "2",
    }
    (people / "learners.csv").write_text("id,region\n1,Wales\n", encoding="utf-8")
    report = ingest(any_store, settings, "people")
    assert report.replace.removed == 2  # learner 2's type and region
    assert [g for g in any_store.graphs() if g.startswith(consent) and any_store.count(g)] == [
        consent + "1"
    ]
    assert any_store.count(settings.graph("consents")) > 0


def _failing_third_upload(
    remote_store: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[RemoteStore, list[str]]:
    """A store on the same server that uploads 3 triples at a time, every graph through
    Graph Store Protocol chunks, and whose third upload fails; the graphs it uploaded to."""
    small = RemoteStore(dataclasses.replace(remote_store.config, chunk=3))
    real_post = remote_load._post
    calls: list[str] = []

    def failing_post(store: RemoteStore, target: str, lines: list[str]) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise StoreUnavailableError("the connection dropped (simulated)")
        real_post(store, target, lines)

    monkeypatch.setattr(remote_load, "SMALL_GRAPH", 1)
    monkeypatch.setattr(remote_load, "_post", failing_post)
    return small, calls


def test_a_load_failing_half_way_leaves_the_previous_graph(
    mini: Path,  # noqa: F811
    settings: Settings,
    remote_store: RemoteStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = settings.source_graph("mini")
    ingest(remote_store, settings, "mini")
    before = remote_store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    expected = {str(t) for t in before}  # type: ignore[union-attr]
    small, calls = _failing_third_upload(remote_store, monkeypatch)
    (mini / "skills.csv").write_text(SKILLS.replace("teach,", "teach others,"), encoding="utf-8")
    with pytest.raises(StoreUnavailableError, match="simulated"):
        ingest(small, settings, "mini")
    small.close()
    assert len(calls) == 3 and calls[0].startswith(STAGING)  # two chunks were on the server
    after = remote_store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    assert {str(t) for t in after} == expected  # type: ignore[union-attr]
    assert _staging_left(remote_store) == []


def test_a_first_load_failing_half_way_leaves_nothing(
    mini: Path,  # noqa: F811
    settings: Settings,
    remote_store: RemoteStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first load writes straight into its empty graphs; a failure drops them again."""
    small, calls = _failing_third_upload(remote_store, monkeypatch)
    with pytest.raises(StoreUnavailableError, match="simulated"):
        ingest(small, settings, "mini")
    small.close()
    graph = settings.source_graph("mini")
    assert len(calls) == 3 and calls[0] == graph  # no staging copy: two chunks were in it
    assert remote_store.count(graph) == 0 and _staging_left(remote_store) == []


@pytest.mark.slow
def test_thousands_of_graphs_are_replaced_in_batches(any_store: Store) -> None:
    """Virtuoso refuses one update that moves about a thousand graphs; the swap is split."""
    prefix = "https://example.org/graph/many-"

    def document(tag: str) -> str:
        return "".join(f'<urn:s{i}> <urn:p> "{tag} {i}" <{prefix}{i}> .\n' for i in range(1_200))

    first = any_store.replace_graphs(document("a"), prefix=prefix)
    assert (first.quads_before, first.quads_after, first.added) == (0, 1_200, 1_200)
    second = any_store.replace_graphs(document("b"), prefix=prefix)
    assert (second.quads_after, second.removed, second.added) == (1_200, 1_200, 1_200)
    rows = any_store.query(f"SELECT ?o {{ GRAPH <{prefix}1199> {{ ?s ?p ?o }} }}")
    assert [r["o"].value for r in rows] == ["b 1199"]  # type: ignore[union-attr]


def test_a_server_that_dies_is_reported_and_the_graph_survives_it(
    mini: Path,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    server = start_oxigraph(tmp_path)
    try:
        store = remote(server)
        first = ingest(store, settings, "mini")
        server.kill()
        with pytest.raises(StoreUnavailableError, match=r"cannot reach .*127\.0\.0\.1"):
            ingest(store, settings, "mini")
        store.close()
        port = int(server.location.rsplit(":", 1)[1].split("/")[0])
        server = start_oxigraph(tmp_path, port=port)
        store = remote(server)
        assert store.count(settings.source_graph("mini")) == first.replace.quads_after
        again = ingest(store, settings, "mini")
        assert (again.replace.added, again.replace.removed) == (0, 0)
        store.close()
    finally:
        server.stop()
