"""The consent policy in plain Python: may this access context process this record's data now?

This is the reference. The permission index (``enforce``) computes the same answer in
SPARQL, independently, and the property tests check after every step that both agree.

A record permits a context when all of these hold:

1. its status is ``dpv:ConsentGiven`` or ``dpv:RenewedConsentGiven``;
2. it has no expiry, or ``now`` is before it (at ``sg:validUntil`` the consent has ended);
3. the context's purpose is one of its purposes;
4. the context's participant is one of its recipients, or its recipients include
   :func:`~skillsgraph.consent.model.any_participant`;
5. it names exactly one consent graph (a malformed record permits nothing).

>>> from datetime import datetime, UTC
>>> from skillsgraph.consent.registry import AccessContext
>>> settings = Settings(store="memory")
>>> record = ConsentRecord(
...     iri=settings.resource("consent", "c1"), subject=settings.resource("learner", "1"),
...     controller=settings.resource("participant", "uni"),
...     graph=settings.graph("consent/c1"), purposes=frozenset({Purpose.SCIENTIFIC_RESEARCH.iri}),
...     recipients=frozenset({any_participant(settings)}))
>>> decide(record, AccessContext("lab", Purpose.SCIENTIFIC_RESEARCH), datetime.now(UTC),
...        settings=settings).permitted
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from skillsgraph.config import Settings
from skillsgraph.consent.model import (
    ConsentRecord,
    Purpose,
    any_participant,
    datetime_literal,
    utc,
)
from skillsgraph.consent.registry import AccessContext

__all__ = ["Decision", "decide"]


@dataclass(frozen=True)
class Decision:
    """Whether a record permits a context, and why (or why not)."""

    permitted: bool
    reason: str

    def __bool__(self) -> bool:
        return self.permitted


def decide(
    record: ConsentRecord,
    context: AccessContext,
    now: datetime,
    *,
    settings: Settings | None = None,
) -> Decision:
    """Whether ``record`` permits ``context`` to process its data at ``now``."""
    chosen = settings or Settings()
    if not record.graph:
        return Decision(False, "the record names no single consent graph")
    if not record.permits_processing:
        return Decision(False, f"status {_short(record.status)} permits no processing")
    if record.valid_until is not None and not utc(now) < record.valid_until:
        return Decision(False, f"expired at {datetime_literal(record.valid_until)}")
    if context.purpose.iri not in record.purposes:
        listed = ", ".join(sorted(_purpose_name(p) for p in record.purposes)) or "none"
        return Decision(False, f"purpose {context.purpose.slug} not consented to ({listed})")
    recipient = context.recipient(chosen)
    if recipient not in record.recipients and any_participant(chosen) not in record.recipients:
        return Decision(False, f"participant {context.participant} is not a recipient")
    return Decision(True, "consent given for this purpose and recipient")


def _short(iri: str) -> str:
    return "dpv:" + iri.rsplit("#", 1)[-1] if "#" in iri else iri


def _purpose_name(iri: str) -> str:
    purpose = Purpose.from_iri(iri)
    return purpose.slug if purpose is not None else iri
