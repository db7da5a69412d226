"""``skillsgraph consent …`` and ``skillsgraph query --as --purpose``, as a user runs them."""

from __future__ import annotations

import gc
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillsgraph.cli import app
from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore
from tests.consent.conftest import learner_triples, load_public

runner = CliRunner()
LEARNERS = "SELECT ?l { ?l a sg:Learner }"
REGISTRY = """participants:
  uni: {name: University, purposes: [scientific-research, official-statistics]}
  lab: {name: Lab, purposes: [scientific-research]}
"""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An on-disk store with public data and learner 1's (not yet consented) graph."""
    registry = tmp_path / "participants.yml"
    registry.write_text(REGISTRY, encoding="utf-8")
    monkeypatch.setenv("SKILLSGRAPH_PARTICIPANTS", str(registry))
    monkeypatch.delenv("SKILLSGRAPH_ERASURE_KEY", raising=False)
    path = tmp_path / "data" / "store"
    settings = Settings(store=str(path))
    opened = EmbeddedStore(path)
    load_public(opened, settings, "pub", "<urn:a> <urn:b> <urn:c> .\n")
    opened.add_triples(settings.graph("consent/learners-1"), learner_triples(settings, "1"))
    opened.close()
    return str(path)


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _learners(store: str, *extra: str) -> list[str]:
    code, output = _run("query", LEARNERS, "--format", "json", "--store", store, *extra)
    assert code == 0, output
    return [b["l"]["value"] for b in json.loads(output)["results"]["bindings"]]


def test_the_consent_lifecycle_from_the_command_line(store: str, tmp_path: Path) -> None:
    lab = ("--as", "lab", "--purpose", "scientific-research")
    code, output = _run(
        "consent", "grant", "learners-1", "--subject", "1", "--controller", "uni",
        "--purpose", "scientific-research", "--recipient", "lab", "--data", "Region",
        "--until", "2099-01-01", "--store", store,
    )  # fmt: skip
    assert code == 0, output
    receipt = json.loads(output)
    assert receipt["sg:eventAction"] == "grant"
    assert receipt["sg:concernsConsent"]["dpv:hasPersonalData"] == [
        {"@id": "https://w3id.org/dpv/pd#Region"}
    ]
    assert _learners(store, *lab) == ["https://w3id.org/skillsgraph/id/learner/1"]
    assert _learners(store) == []  # no context: public data only
    assert _learners(store, "--as", "uni", "--purpose", "scientific-research") == []

    code, output = _run("consent", "list", "--format", "json", "--store", store)
    [listed] = json.loads(output)["@graph"]
    assert listed["@id"].endswith("/consent/learners-1")
    assert listed["dpv:hasConsentStatus"] == {"@id": "https://w3id.org/dpv#ConsentGiven"}
    assert _run("consent", "list", "--store", store)[1].count("learners-1") == 1
    code, output = _run("consent", "show", "learners-1", "--format", "json", "--store", store)
    shown = json.loads(output)
    assert [(d["participant"], d["purpose"], d["permitted"]) for d in shown["decisions"]] == [
        ("uni", "official-statistics", False),
        ("uni", "scientific-research", False),
        ("lab", "scientific-research", True),
    ]

    assert _run("consent", "withdraw", "learners-1", "--store", store)[0] == 0
    assert _learners(store, *lab) == []
    code, output = _run("consent", "renew", "learners-1", "--until", "2099-02-01", "--store", store)
    assert json.loads(output)["sg:eventStatus"]["@id"].endswith("RenewedConsentGiven")
    assert _learners(store, *lab) == ["https://w3id.org/skillsgraph/id/learner/1"]
    code, output = _run("consent", "show", "learners-1", "--store", store)
    assert code == 0 and "grant" in output and "withdraw" in output and "renew" in output

    code, output = _run("consent", "erase", "learners-1", "--store", store)
    assert code == 0 and json.loads(output)["dcterms:identifier"].startswith("hmac-sha256:")
    key = Path(store).parent / "erasure.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _learners(store, *lab) == []
    code, output = _run("consent", "show", "learners-1", "--store", store)
    assert code == 4 and "no consent record" in output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--as", "lab"), 6, "must declare a purpose"),
        (("--as", "lab", "--purpose", "official-statistics"), 6, "may not declare"),
        (("--as", "lab", "--purpose", "gossip"), 2, "unknown purpose 'gossip'"),
        (("--as", "nobody", "--purpose", "scientific-research"), 4, "no participant 'nobody'"),
        (("--purpose", "scientific-research"), 2, "--purpose needs --as"),
    ],
)
def test_a_query_s_access_context_is_checked(
    store: str, args: tuple[str, ...], code: int, message: str
) -> None:
    exit_code, output = _run("query", LEARNERS, "--store", store, *args)
    assert exit_code == code and message in output, output


def test_granting_an_unknown_consent_needs_its_subject(store: str) -> None:
    code, output = _run("consent", "grant", "learners-9", "--store", store)
    assert code == 2 and "give its subject and its controller" in output


def test_withdrawing_an_unknown_consent_is_not_found(store: str) -> None:
    code, output = _run("consent", "withdraw", "nope", "--store", store)
    assert code == 4 and "consent list" in output


def test_a_refused_query_exits_6(store: str) -> None:
    code, output = _run(
        "query", "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "--store", store
    )
    assert code == 6 and "SERVICE is not allowed" in output


def test_rebuild_derives_the_index_and_views_again(store: str) -> None:
    lab = ("--as", "lab", "--purpose", "scientific-research")
    code, output = _run(
        "consent", "grant", "learners-1", "--subject", "1", "--controller", "uni",
        "--purpose", "scientific-research", "--recipient", "lab", "--store", store,
    )  # fmt: skip
    assert code == 0, output
    code, output = _run("consent", "rebuild", *lab, "--view", "--store", store)
    assert code == 0, output
    assert "for 1 context(s)" in output and "1 view(s)" in output
    settings = Settings(store=store)
    view = f"{settings.graph('view/')}lab/scientific-research"
    opened = EmbeddedStore(Path(store))
    copies = opened.count(view)
    assert copies == len(learner_triples(settings, "1").splitlines())
    opened.update(f"CLEAR GRAPH <{view}>")  # a lost copy: the view must be derived again
    opened.close()
    del opened
    gc.collect()  # pyoxigraph releases the store's lock when the object goes
    assert _learners(store, *lab) == []
    code, output = _run("consent", "rebuild", "--store", store)
    assert code == 0 and "1 view(s)" in output, output
    assert _learners(store, *lab) == ["https://w3id.org/skillsgraph/id/learner/1"]
    code, output = _run("consent", "rebuild", "--view", "--store", store)
    assert code == 2 and "--view needs --as" in output
