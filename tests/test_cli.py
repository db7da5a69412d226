"""The command line, run as a user runs it (typer's runner, real store on disk)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skillsgraph.cli import app
from skillsgraph.store import EmbeddedStore
from tests.test_ingest import mini  # noqa: F401  (fixture)

CASES = Path(__file__).parent / "cases" / "mapping"
runner = CliRunner()


def test_map_writes_nquads(tmp_path: Path) -> None:
    out = tmp_path / "out.nq"
    result = runner.invoke(app, ["map", str(CASES / "joins" / "mapping.yml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<http://ex.org/occupation/2511.1>" in out.read_text()


def test_map_error_names_the_line_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("mappings:\n  m:\n    sourcse: [x.csv~csv]\n", encoding="utf-8")
    result = runner.invoke(app, ["map", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3" in result.output and "sourcse" in result.output


def test_ingest_then_query_an_on_disk_store(mini: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("SKILLSGRAPH_HOME", str(mini.parents[1]))
    store = str(tmp_path / "store")
    compacted: list[int] = []
    compact = EmbeddedStore.compact

    def counting(self: EmbeddedStore) -> None:
        compacted.append(self.count())
        compact(self)

    monkeypatch.setattr(EmbeddedStore, "compact", counting)
    result = runner.invoke(app, ["ingest", "mini", "--store", store])
    assert result.exit_code == 0, result.output
    assert len(compacted) == 1 and compacted[0] > 0  # once, after the loads and the merge
    assert "1 record(s) rejected" in result.output
    query = "SELECT ?l WHERE { ?s a esco:Skill ; skos:prefLabel ?l } ORDER BY ?l"
    result = runner.invoke(app, ["query", query, "--store", store, "--format", "json"])
    assert result.exit_code == 0, result.output
    labels = [b["l"]["value"] for b in json.loads(result.output)["results"]["bindings"]]
    assert labels == ["ICT safety", "Python", "teach"]
    # the ingest left a merged copy of the public graphs, which the query read; ingesting
    # again keeps it (provenance grows, and goes to the copy too)
    again = runner.invoke(app, ["ingest", "mini", "--store", store]).output
    assert "merged copy of the public graphs" in " ".join(again.split())
    opened = EmbeddedStore(Path(store), read_only=True)
    assert {g.rsplit("/", 1)[1] for g in opened.merged} == {"mini", "provenance"}


def test_bad_query_exits_2_with_the_parser_message(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "s").close()
    result = runner.invoke(app, ["query", "SELECT WHERE {", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "not valid" in result.output


def test_query_without_a_store_says_how_to_build_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code == 4
    assert "skillsgraph ingest --all" in result.output


def test_validate_reports_what_the_store_holds(mini: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("SKILLSGRAPH_HOME", str(mini.parents[1]))
    store = str(tmp_path / "store")
    assert runner.invoke(app, ["ingest", "mini", "--store", store]).exit_code == 0
    result = runner.invoke(app, ["validate", "mini", "--store", store])
    assert result.exit_code == 0, result.output
    assert "0 violation(s), 1 warning(s)" in result.output
    # someone edits the store behind the pipeline's back: a skill loses its English label
    opened = EmbeddedStore(Path(store))
    opened.update(
        "DELETE WHERE { GRAPH ?g { <http://data.europa.eu/esco/skill/s2> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }"
    )
    opened.close()
    del opened
    result = runner.invoke(app, ["validate", "mini", "--store", store])
    assert result.exit_code == 3, result.output
    assert "1 violation(s)" in result.output
    assert "http://data.europa.eu/esco/skill/s2" in result.output
