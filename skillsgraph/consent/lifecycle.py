"""The consent lifecycle: grant, renew, withdraw, expire, erase; show and list.

Each change is one SPARQL update, so one transaction: the record in ``…/graph/consents``,
its permission-index entries, the view copies of its triples and its audit event change
together, and the next query (from any path) sees the new state. Each returns a
:class:`~skillsgraph.consent.audit.Receipt`.

Expiry needs no call: a consent past its ``sg:validUntil`` permits nothing from that
moment. :func:`expire_due` only records it (status ``dpv:ConsentExpired`` and an
``expire`` event) for the audit trail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent import audit
from skillsgraph.consent.index import WRITE_LOCK, Graphs
from skillsgraph.consent.model import (
    CONSENT_EXPIRED,
    CONSENT_GIVEN,
    CONSENT_WITHDRAWN,
    DPV,
    PD,
    PERMITTING_STATUSES,
    RENEWED_CONSENT_GIVEN,
    SG,
    ConsentRecord,
    Purpose,
    any_participant,
    consent_graph,
    consent_iri,
    datetime_literal,
    participant_iri,
    read_record,
    read_records,
    subject_iri,
    utc,
)
from skillsgraph.consent.policy import Decision, decide
from skillsgraph.consent.registry import AccessContext, Registry
from skillsgraph.consent.views import maintenance
from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.store.base import Store


def grant(
    store: Store,
    settings: Settings,
    record: ConsentRecord,
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> audit.Receipt:
    """Record ``record`` as given (``dpv:ConsentGiven``), replacing any earlier version."""
    moment = _now(now)
    given = dataclasses.replace(record, status=CONSENT_GIVEN)
    _check(store, settings, given, moment)
    with WRITE_LOCK:
        before = read_record(store, settings, given.iri)
        if before is not None and before.graph and before.graph != given.graph:
            raise BadInputError(
                f"consent {given.iri} covers graph {before.graph}; a grant cannot move it "
                f"to {given.graph}"
            )
        return _change(store, settings, before, given, "grant", actor, moment)


def prepare_grant(
    store: Store,
    settings: Settings,
    consent: str,
    *,
    subject: str | None = None,
    controller: str | None = None,
    purposes: Sequence[str] = (),
    recipients: Sequence[str] = (),
    personal_data: Sequence[str] = (),
    valid_until: datetime | None = None,
) -> ConsentRecord:
    """The record a grant of ``consent`` writes: the stored record (if any) with the given
    fields replaced. Keys are accepted for IRIs: a learner key for the subject, participant
    keys (or ``any``) for controller and recipients, purpose slugs, DPV personal data
    category names (``Gender``)."""
    iri = consent_iri(settings, consent)
    before = read_record(store, settings, iri)
    if before is None and (subject is None or controller is None):
        raise BadInputError(
            f"consent {iri} does not exist yet: give its subject and its controller"
        )
    base = before or ConsentRecord(
        iri=iri, subject="", controller="", graph=consent_graph(settings, iri)
    )
    anyone = any_participant(settings)
    return dataclasses.replace(
        base,
        subject=base.subject if subject is None else subject_iri(settings, subject),
        controller=base.controller if controller is None else participant_iri(settings, controller),
        purposes=frozenset(Purpose.parse(p).iri for p in purposes) or base.purposes,
        recipients=frozenset(
            anyone if r == "any" else participant_iri(settings, r) for r in recipients
        )
        or base.recipients,
        personal_data=frozenset(d if "://" in d else f"{PD}{d}" for d in personal_data)
        or base.personal_data,
        valid_until=utc(valid_until) if valid_until is not None else base.valid_until,
    )


def renew(
    store: Store,
    settings: Settings,
    consent: str,
    *,
    valid_until: datetime | None,
    actor: str | None = None,
    now: datetime | None = None,
) -> audit.Receipt:
    """Give ``consent`` again (``dpv:RenewedConsentGiven``) until ``valid_until``."""
    moment = _now(now)
    with WRITE_LOCK:
        before = _existing(store, settings, consent)
        until = utc(valid_until) if valid_until is not None else None
        if until is not None and until <= moment:
            raise BadInputError(f"renew {before.iri}: valid-until {until} is not in the future")
        after = dataclasses.replace(before, status=RENEWED_CONSENT_GIVEN, valid_until=until)
        return _change(store, settings, before, after, "renew", actor, moment)


def withdraw(
    store: Store,
    settings: Settings,
    consent: str,
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> audit.Receipt:
    """Withdraw ``consent`` (``dpv:ConsentWithdrawn``): its data leaves every view and
    every answer from the next query on."""
    moment = _now(now)
    with WRITE_LOCK:
        before = _existing(store, settings, consent)
        after = dataclasses.replace(before, status=CONSENT_WITHDRAWN)
        return _change(store, settings, before, after, "withdraw", actor, moment)


def erase(
    store: Store,
    settings: Settings,
    consent: str,
    *,
    actor: str | None = None,
    now: datetime | None = None,
    key: bytes | None = None,
) -> audit.Receipt:
    """Erase ``consent``: its record, its graph, every view copy and index entry go; the
    audit log keeps its history under a pseudonym and a keyed hash of the subject."""
    moment = _now(now)
    chosen_key = key or audit.erasure_key(settings)
    with WRITE_LOCK:
        before = _existing(store, settings, consent)
        return _change(store, settings, before, None, "erase", actor, moment, key=chosen_key)


def expire_due(
    store: Store, settings: Settings, *, now: datetime | None = None
) -> list[audit.Receipt]:
    """Record the expiry of every consent whose ``sg:validUntil`` has passed while its
    status still permits processing. Enforcement does not depend on this."""
    moment = _now(now)
    permitting = ", ".join(f"<{s}>" for s in sorted(PERMITTING_STATUSES))
    result = store.query(
        f"SELECT DISTINCT ?r WHERE {{ GRAPH <{settings.graph('consents')}> {{ "
        f"?r <{DPV}hasConsentStatus> ?s ; <{SG}validUntil> ?u "
        f"FILTER(?s IN ({permitting}) && ?u <= {datetime_literal(moment)}) }} }} ORDER BY ?r"
    )
    assert isinstance(result, ox.QuerySolutions)
    receipts = []
    with WRITE_LOCK:
        for iri in [row["r"].value for row in result]:
            before = _existing(store, settings, iri)
            after = dataclasses.replace(before, status=CONSENT_EXPIRED)
            actor = audit.system_actor(settings)
            receipts.append(_change(store, settings, before, after, "expire", actor, moment))
    return receipts


def show(store: Store, settings: Settings, consent: str) -> ConsentRecord:
    """The record of ``consent`` (a key such as ``learners-3733``, or an IRI)."""
    return _existing(store, settings, consent)


def list_consents(
    store: Store,
    settings: Settings,
    *,
    subject: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[ConsentRecord]:
    """Stored records in IRI order, optionally of one subject or with one status."""
    return read_records(store, settings, subject=subject, status=status, limit=limit)


@dataclass(frozen=True)
class ConsentReport:
    """A record, what it permits for each registered context now, and its events."""

    record: ConsentRecord
    decisions: list[tuple[AccessContext, Decision]]
    events: list[dict[str, str]]


def explain(
    store: Store,
    settings: Settings,
    consent: str,
    registry: Registry,
    *,
    now: datetime | None = None,
) -> ConsentReport:
    """:func:`show`, with the decision for every registered context and the audit events."""
    record = show(store, settings, consent)
    moment = _now(now)
    decisions = [(c, decide(record, c, moment, settings=settings)) for c in registry.contexts()]
    return ConsentReport(record, decisions, audit.events(store, settings, record.iri))


# --- one change, one transaction -------------------------------------------------------------


def _change(
    store: Store,
    settings: Settings,
    before: ConsentRecord | None,
    after: ConsentRecord | None,
    action: str,
    actor: str | None,
    now: datetime,
    *,
    key: bytes | None = None,
) -> audit.Receipt:
    g = Graphs.of(settings)
    current = after or before
    assert current is not None
    if before is not None and after is not None and before.graph != after.graph:
        raise BadInputError(f"consent {current.iri}: its graph cannot change")
    operations = _rewrite_record(g, before, after)
    if current.graph:
        # A record whose status permits nothing (withdrawn, expired, refused) gives no
        # index entry and no view copy: skip the rules that would find none (on disk,
        # with four views, a withdrawal's update went from about 6 to 3.5 ms).
        record = after.iri if after is not None and after.permits_processing else None
        operations += maintenance(store, settings, current.graph, record, now)
    who = actor or current.subject or audit.system_actor(settings)
    if key is not None:  # erasure
        operations.append(f"DROP SILENT GRAPH <{current.graph}>")
        operations.append(audit.pseudonymise(settings, key, current.iri, current.subject))
        receipt = audit.Receipt(
            audit.new_event(settings),
            action,
            audit.erased_consent(settings, key, current.iri),
            CONSENT_WITHDRAWN,
            now,
            audit.erased_subject(key, who) if who == current.subject else who,
            None,
            audit.subject_proof(key, current.subject),
        )
    else:
        assert after is not None
        receipt = audit.Receipt(
            audit.new_event(settings), action, after.iri, after.status, now, who, after
        )
    operations.append(
        f"INSERT DATA {{ GRAPH <{settings.graph('audit')}> {{ {receipt.ntriples()} }} }}"
    )
    store.update(" ;\n".join(operations))
    return receipt


def _rewrite_record(
    g: Graphs, before: ConsentRecord | None, after: ConsentRecord | None
) -> list[str]:
    """The operations that replace the stored record ``before`` by ``after``: for a change,
    only the properties whose values differ (a withdrawal rewrites one triple, not the
    twenty of a record)."""
    if before is None or after is None:
        operations = []
        if before is not None:
            operations.append(f"DELETE WHERE {{ GRAPH <{g.consents}> {{ <{before.iri}> ?p ?o }} }}")
        if after is not None:
            operations.append(f"INSERT DATA {{ GRAPH <{g.consents}> {{ {after.ntriples()} }} }}")
        return operations
    old, new = _by_predicate(before), _by_predicate(after)
    changed = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    operations = [
        f"DELETE WHERE {{ GRAPH <{g.consents}> {{ <{before.iri}> {p} ?o }} }}" for p in changed
    ]
    lines = "\n".join(line for p in changed for line in new.get(p, []))
    if lines:
        operations.append(f"INSERT DATA {{ GRAPH <{g.consents}> {{ {lines} }} }}")
    return operations


def _by_predicate(record: ConsentRecord) -> dict[str, list[str]]:
    """The record's N-Triples lines by predicate."""
    lines: dict[str, list[str]] = {}
    for line in record.ntriples().splitlines():
        lines.setdefault(line.split(" ", 2)[1], []).append(line)
    return lines


def _check(store: Store, settings: Settings, record: ConsentRecord, now: datetime) -> None:
    where = f"consent {record.iri}"
    if not record.graph.startswith(settings.graph("consent/")):
        raise BadInputError(
            f"{where}: its graph must be a consent graph {settings.graph('consent/')}…, "
            f"found {record.graph or 'none'}"
        )
    if not record.subject or not record.controller:
        raise BadInputError(f"{where}: name its data subject and its data controller")
    unknown = sorted(p for p in record.purposes if Purpose.from_iri(p) is None)
    if unknown or not record.purposes:
        raise BadInputError(
            f"{where}: purposes must come from the data space's list ("
            + ", ".join(p.slug for p in Purpose)
            + f"); found {unknown or 'none'}"
        )
    participants = settings.resource("participant", "")
    strange = sorted(r for r in record.recipients if not r.startswith(participants))
    if strange or not record.recipients:
        raise BadInputError(
            f"{where}: recipients are participants ({participants}{{key}}, or "
            f"{participants}any); found {strange or 'none'}"
        )
    if record.valid_until is not None and record.valid_until <= now:
        raise BadInputError(f"{where}: valid-until {record.valid_until} is not in the future")
    taken = store.query(
        f"ASK {{ GRAPH <{settings.graph('consents')}> {{ ?other <{SG}consentGraph> "
        f"<{record.graph}> FILTER(?other != <{record.iri}>) }} }}"
    )
    if bool(taken):
        raise BadInputError(
            f"{where}: graph {record.graph} already belongs to another consent; "
            "each consent has its own graph"
        )


def _existing(store: Store, settings: Settings, consent: str) -> ConsentRecord:
    iri = consent_iri(settings, consent)
    record = read_record(store, settings, iri)
    if record is None:
        raise NotFoundError(
            f"no consent record {iri} in {settings.graph('consents')} "
            "(list them with `skillsgraph consent list`)"
        )
    return record


def _now(now: datetime | None) -> datetime:
    return utc(now) if now is not None else datetime.now(UTC)
