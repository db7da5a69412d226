"""decide(): the reference rule, case by case."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from skillsgraph.config import Settings
from skillsgraph.consent import AccessContext, Purpose, decide
from skillsgraph.consent.model import (
    CONSENT_EXPIRED,
    CONSENT_GIVEN,
    CONSENT_INVALID,
    CONSENT_WITHDRAWN,
    RENEWED_CONSENT_GIVEN,
    STATUSES,
)
from tests.consent.conftest import NOW, record

LAB = AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH)


def test_given_for_purpose_and_recipient_permits(settings: Settings) -> None:
    decision = decide(record(settings, "1"), LAB, NOW, settings=settings)
    assert decision and decision.reason == "consent given for this purpose and recipient"


@pytest.mark.parametrize("status", STATUSES)
def test_only_given_and_renewed_permit(settings: Settings, status: str) -> None:
    changed = dataclasses.replace(record(settings, "1"), status=status)
    expected = status in (CONSENT_GIVEN, RENEWED_CONSENT_GIVEN)
    assert decide(changed, LAB, NOW, settings=settings).permitted is expected


def test_refusals_say_why(settings: Settings) -> None:
    base = record(settings, "1")
    cases = {
        "status dpv:ConsentWithdrawn": dataclasses.replace(base, status=CONSENT_WITHDRAWN),
        "status dpv:ConsentExpired": dataclasses.replace(base, status=CONSENT_EXPIRED),
        "status dpv:ConsentStatusInvalidForProcessing": dataclasses.replace(
            base, status=CONSENT_INVALID
        ),
        "expired at": dataclasses.replace(base, valid_until=NOW),
        "purpose scientific-research not consented to (official-statistics)": dataclasses.replace(
            base, purposes=frozenset({Purpose.OFFICIAL_STATISTICS.iri})
        ),
        "participant lab is not a recipient": dataclasses.replace(
            base, recipients=frozenset({settings.resource("participant", "jobs")})
        ),
        "no single consent graph": dataclasses.replace(base, graph=""),
    }
    for reason, changed in cases.items():
        decision = decide(changed, LAB, NOW, settings=settings)
        assert not decision and reason in decision.reason, (reason, decision)


def test_expiry_is_exclusive(settings: Settings) -> None:
    base = record(settings, "1", valid_until=NOW + timedelta(seconds=1))
    assert decide(base, LAB, NOW, settings=settings)
    assert not decide(base, LAB, NOW + timedelta(seconds=1), settings=settings)


def test_no_expiry_never_expires(settings: Settings) -> None:
    base = record(settings, "1", valid_until=None)
    assert decide(base, LAB, NOW + timedelta(days=365 * 100), settings=settings)


def test_any_participant_is_every_participant(settings: Settings) -> None:
    anyone = record(settings, "1", recipients=("any",))
    assert decide(
        anyone, AccessContext("whoever", Purpose.SCIENTIFIC_RESEARCH), NOW, settings=settings
    )
    assert not decide(
        anyone, AccessContext("whoever", Purpose.CAREER_GUIDANCE), NOW, settings=settings
    )
