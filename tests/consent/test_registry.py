"""The participant registry: tokens, purposes, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillsgraph.config import Settings
from skillsgraph.consent import (
    AccessContext,
    NotAuthenticatedError,
    Purpose,
    PurposeNotAllowedError,
    Registry,
    authenticate,
    check_purpose,
    hash_token,
    load_registry,
    new_token,
)
from skillsgraph.errors import BadInputError, ConsentDeniedError, NotFoundError
from tests.consent.conftest import registry

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_registry_loads_and_names_the_demo_participants() -> None:
    shipped = load_registry(Settings(store="memory", home=ROOT))
    assert set(shipped.participants) == {
        "open-university",
        "demo-job-matching",
        "demo-statistics-office",
        "demo-research-lab",
        "demo-career-service",
    }
    assert authenticate(shipped, "sg-demo-demo-research-lab").key == "demo-research-lab"
    assert shipped.participants["open-university"].purposes == frozenset(Purpose)


def test_a_token_is_stored_as_a_digest_only() -> None:
    token = new_token()
    assert len(token) >= 43 and token not in hash_token(token)
    assert hash_token(token).startswith("sha256:")


def test_authenticate_finds_the_token_s_participant() -> None:
    assert authenticate(registry(), "tok-lab").key == "lab"


@pytest.mark.parametrize(
    ("token", "message"), [(None, "Bearer"), ("", "Bearer"), ("nope", "not registered")]
)
def test_an_unknown_or_missing_token_is_refused(token: str | None, message: str) -> None:
    with pytest.raises(NotAuthenticatedError, match=message):
        authenticate(registry(), token)


def test_check_purpose_makes_the_access_context() -> None:
    reg = registry()
    context = check_purpose(reg, authenticate(reg, "tok-lab"), "scientific-research")
    assert context == AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH)
    assert check_purpose(reg, "uni", Purpose.TRAINING_PLANNING).purpose is Purpose.TRAINING_PLANNING


def test_an_undeclared_purpose_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(
        PurposeNotAllowedError, match=r"must declare a purpose.*scientific-research"
    ):
        check_purpose(registry(), "lab", None)


def test_a_disallowed_purpose_is_refused() -> None:
    with pytest.raises(
        PurposeNotAllowedError,
        match="lab may not declare the purpose official-statistics; it may declare: "
        "scientific-research",
    ):
        check_purpose(registry(), "lab", "official-statistics")


def test_an_unknown_purpose_is_bad_input_not_a_denial() -> None:
    with pytest.raises(BadInputError, match="unknown purpose"):
        check_purpose(registry(), "lab", "advertising")


def test_an_unknown_participant_is_not_found() -> None:
    with pytest.raises(NotFoundError, match=r"no participant 'ghost'.*lab"):
        check_purpose(registry(), "ghost", "scientific-research")


def test_the_errors_are_consent_denials() -> None:
    assert issubclass(NotAuthenticatedError, ConsentDeniedError)
    assert issubclass(PurposeNotAllowedError, ConsentDeniedError)


@pytest.mark.parametrize(
    ("participants", "message"),
    [
        ({"any": {"purposes": []}}, "not 'any'"),
        ({"Lab": {"purposes": []}}, "lower-case"),
        ({"lab": {"tokens": ["s3cret"]}}, "SHA-256 digests"),
        ({"lab": {"purposes": ["marketing"]}}, "participant lab: unknown purpose"),
        ({"lab": {"colour": "red"}}, "expected the keys name, tokens, purposes"),
    ],
)
def test_a_bad_registry_says_what_is_wrong(participants: dict[str, object], message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        Registry.from_mapping({"participants": participants}, where="participants.yml")


def test_a_missing_registry_says_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=str(tmp_path / "config" / "participants.yml")):
        load_registry(Settings(store="memory", home=tmp_path))


def test_a_registry_that_is_not_yaml_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yml"
    path.write_text("participants: [\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"p.yml: not valid YAML"):
        load_registry(Settings(store="memory", home=tmp_path), path)


def test_contexts_are_every_participant_with_every_allowed_purpose() -> None:
    contexts = registry().contexts()
    assert len(contexts) == 5 + 1 + 1 + 1
    assert AccessContext("stats", Purpose.OFFICIAL_STATISTICS) in contexts
