"""The audit log (``…/graph/audit``): consent events, receipts, and answers with personal data.

- A consent event (``sg:ConsentEvent``) records one change of a consent's state: action,
  status set, time, actor. Each lifecycle call appends one, in the same transaction as the
  change, and returns a :class:`Receipt` (JSON-LD).
- An access entry (a ``prov:Activity`` with ``dpv:hasPurpose``) records one answer that
  contained personal data: participant, purpose, query text, time, and the consent records
  behind the answer (``prov:used``).
- Erasure pseudonymises: every reference to the erased consent (and its data subject) in the
  log is replaced by a keyed hash (HMAC-SHA256), and the erase event keeps the hash of the
  subject as proof (``dcterms:identifier "hmac-sha256:…"``). Whoever holds the key and the
  subject's IRI can show the erasure happened; nobody can read the subject back from it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.consent.model import DPV, RDF_TYPE, SG, XSD, ConsentRecord, datetime_literal, utc
from skillsgraph.consent.registry import AccessContext
from skillsgraph.errors import BadInputError
from skillsgraph.store.base import Store

PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RIGHT_OF_ACCESS = "https://w3id.org/dpv/legal/eu/gdpr#A15"
"""GDPR Art. 15, the data subject's right of access (DPV's EU GDPR extension)."""
_PROCESS_KEY = secrets.token_bytes(32)
JSONLD_CONTEXT = {
    "sg": SG,
    "dpv": DPV,
    "prov": PROV,
    "dcterms": DCTERMS,
    "xsd": XSD,
    "dpv-pd": "https://w3id.org/dpv/pd#",
}


@dataclass(frozen=True)
class Receipt:
    """What one lifecycle call did: the audit event, and the record as it now stands
    (None after erasure)."""

    event: str
    action: str
    consent: str
    status: str
    time: datetime
    actor: str
    record: ConsentRecord | None = None
    proof: str | None = None

    def ntriples(self) -> str:
        """The event's triples, as appended to the audit graph."""
        e = f"<{self.event}>"
        lines = [
            f"{e} <{RDF_TYPE}> <{SG}ConsentEvent> .",
            f"{e} <{SG}eventAction> {_literal(self.action)} .",
            f"{e} <{SG}concernsConsent> <{self.consent}> .",
            f"{e} <{SG}eventStatus> <{self.status}> .",
            f"{e} <{SG}eventTime> {datetime_literal(self.time)} .",
            f"{e} <{SG}eventActor> <{self.actor}> .",
        ]
        if self.record is not None and self.record.valid_until is not None:
            lines.append(f"{e} <{SG}validUntil> {datetime_literal(self.record.valid_until)} .")
        if self.proof is not None:
            lines.append(f"{e} <{DCTERMS}identifier> {_literal(self.proof)} .")
        return "\n".join(lines) + "\n"

    def jsonld(self) -> dict[str, object]:
        """The receipt as a JSON-LD document: the event, and the record it concerns."""
        consent: dict[str, object] = {"@id": self.consent}
        if self.record is not None:
            consent |= record_jsonld(self.record)
        document: dict[str, object] = {
            "@context": JSONLD_CONTEXT,
            "@id": self.event,
            "@type": "sg:ConsentEvent",
            "sg:eventAction": self.action,
            "sg:eventStatus": {"@id": self.status},
            "sg:eventTime": _time(self.time),
            "sg:eventActor": {"@id": self.actor},
            "sg:concernsConsent": consent,
        }
        if self.record is not None and self.record.valid_until is not None:
            document["sg:validUntil"] = _time(self.record.valid_until)
        if self.proof is not None:
            document["dcterms:identifier"] = self.proof
        return document


def _time(moment: datetime) -> dict[str, str]:
    return {"@value": utc(moment).isoformat().replace("+00:00", "Z"), "@type": "xsd:dateTime"}


def record_jsonld(record: ConsentRecord) -> dict[str, object]:
    """A record's properties as JSON-LD (without ``@context``; see :class:`Receipt`)."""

    def ids(values: frozenset[str]) -> list[dict[str, str]]:
        return [{"@id": v} for v in sorted(values)]

    body: dict[str, object] = {
        "@type": "sg:ConsentRecord",
        "dpv:hasDataSubject": {"@id": record.subject},
        "dpv:hasDataController": {"@id": record.controller},
        "dpv:hasConsentStatus": {"@id": record.status},
        "sg:consentGraph": {"@id": record.graph},
        "dpv:hasLegalBasis": ids(record.legal_bases),
        "dpv:hasPurpose": ids(record.purposes),
        "dpv:hasRecipient": ids(record.recipients),
        "dpv:hasPersonalData": ids(record.personal_data),
    }
    if record.valid_until is not None:
        body["sg:validUntil"] = _time(record.valid_until)
    if record.notice is not None:
        body["dpv:hasNotice"] = {"@id": record.notice}
    return body


def new_event(settings: Settings) -> str:
    """A fresh event IRI; IRIs sort in the order they were made (events at the same
    ``sg:eventTime`` are listed in that order)."""
    return settings.resource("consent-event", f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}")


def system_actor(settings: Settings) -> str:
    """The actor of changes the system makes by itself (an expiry)."""
    return settings.resource("agent", "skillsgraph-consent")


# --- answers with personal data -----------------------------------------------------------


def access_ntriples(
    settings: Settings,
    context: AccessContext,
    query: str,
    consents: Sequence[str],
    now: datetime,
) -> tuple[str, str]:
    """The IRI and triples of one access entry."""
    entry = settings.resource("access", uuid.uuid4().hex)
    a = f"<{entry}>"
    lines = [
        f"{a} <{RDF_TYPE}> <{PROV}Activity> .",
        f'{a} <{RDFS}label> "answer with personal data"@en .',
        f"{a} <{PROV}wasAssociatedWith> <{context.recipient(settings)}> .",
        f"{a} <{DPV}hasPurpose> <{context.purpose.iri}> .",
        f"{a} <{PROV}startedAtTime> {datetime_literal(now)} .",
        f"{a} <{DCTERMS}description> {_literal(query)} .",
    ]
    lines += [f"{a} <{PROV}used> <{c}> ." for c in sorted(consents)]
    return entry, "\n".join(lines) + "\n"


def log_access(
    store: Store,
    settings: Settings,
    context: AccessContext,
    query: str,
    consents: Sequence[str],
    now: datetime,
) -> str:
    """Append an access entry for an answer that contained personal data; its IRI."""
    entry, triples = access_ntriples(settings, context, query, consents, now)
    store.add_triples(settings.graph("audit"), triples)
    return entry


def log_right_of_access(
    store: Store, settings: Settings, controller: str, consent: str, request: str, now: datetime
) -> str:
    """Append an access entry for the data held under ``consent`` shown to its
    ``controller`` (the data subject's right of access, not a data-space purpose); its
    IRI. :func:`access_log` lists it with the right in place of a purpose."""
    entry = settings.resource("access", uuid.uuid4().hex)
    a = f"<{entry}>"
    lines = [
        f"{a} <{RDF_TYPE}> <{PROV}Activity> .",
        f"{a} <{RDF_TYPE}> <{DPV}RightExerciseActivity> .",
        f'{a} <{RDFS}label> "data held under a consent, shown to its controller"@en .',
        f"{a} <{PROV}wasAssociatedWith> <{controller}> .",
        f"{a} <{DPV}hasRight> <{RIGHT_OF_ACCESS}> .",
        f"{a} <{PROV}startedAtTime> {datetime_literal(now)} .",
        f"{a} <{DCTERMS}description> {_literal(request)} .",
        f"{a} <{PROV}used> <{consent}> .",
    ]
    store.add_triples(settings.graph("audit"), "\n".join(lines) + "\n")
    return entry


@dataclass(frozen=True)
class AccessEntry:
    """One logged answer with personal data."""

    iri: str
    participant: str
    purpose: str
    query: str
    time: str
    consents: tuple[str, ...]


def access_log(store: Store, settings: Settings) -> list[AccessEntry]:
    """Every logged answer with personal data, oldest first."""
    result = store.query(
        f"""SELECT ?a ?who ?purpose ?query ?time (GROUP_CONCAT(STR(?c); separator=" ") AS ?cs)
WHERE {{ GRAPH <{settings.graph("audit")}> {{
  {{ ?a <{DPV}hasPurpose> ?purpose }} UNION {{ ?a <{DPV}hasRight> ?purpose }}
  ?a <{PROV}wasAssociatedWith> ?who ;
     <{DCTERMS}description> ?query ; <{PROV}startedAtTime> ?time .
  OPTIONAL {{ ?a <{PROV}used> ?c }} }} }}
GROUP BY ?a ?who ?purpose ?query ?time ORDER BY ?time ?a"""
    )
    assert isinstance(result, ox.QuerySolutions)
    return [
        AccessEntry(
            row["a"].value,
            row["who"].value,
            row["purpose"].value,
            row["query"].value,
            row["time"].value,
            tuple(sorted(row["cs"].value.split())),
        )
        for row in result
    ]


def events(store: Store, settings: Settings, consent: str) -> list[dict[str, str]]:
    """The events of one consent, oldest first: action, status, time, actor."""
    result = store.query(
        f"""SELECT ?e ?action ?status ?time ?actor WHERE {{ GRAPH <{settings.graph("audit")}> {{
  ?e <{SG}concernsConsent> <{consent}> ; <{SG}eventAction> ?action ; <{SG}eventStatus> ?status ;
     <{SG}eventTime> ?time ; <{SG}eventActor> ?actor }} }} ORDER BY ?time ?e"""
    )
    assert isinstance(result, ox.QuerySolutions)
    names = ("e", "action", "status", "time", "actor")
    return [{n: row[n].value for n in names} for row in result]


# --- erasure -------------------------------------------------------------------------------


def erasure_key(settings: Settings) -> bytes:
    """The secret key of erasure proofs: ``$SKILLSGRAPH_ERASURE_KEY`` (required with a
    remote store), else ``erasure.key`` beside an on-disk store (made on first use,
    readable by its owner only), else a key that lives as long as the process (in-memory
    stores)."""
    configured = os.environ.get("SKILLSGRAPH_ERASURE_KEY")
    if configured:
        return configured.encode()
    if settings.store == "memory":
        return _PROCESS_KEY
    if settings.remote:
        raise BadInputError(
            "a remote store needs SKILLSGRAPH_ERASURE_KEY: the secret of erasure proofs, "
            "the same for every process that uses the store (e.g. `openssl rand -hex 32`)"
        )
    path = Path(settings.store).parent / "erasure.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode()


def digest(key: bytes, iri: str) -> str:
    return hmac.new(key, iri.encode(), hashlib.sha256).hexdigest()


def erased_consent(settings: Settings, key: bytes, consent: str) -> str:
    """The pseudonym that replaces an erased consent's IRI in the audit log."""
    return settings.resource("consent", "erased-" + digest(key, consent)[:32])


def erased_subject(key: bytes, subject: str) -> str:
    return "urn:skillsgraph:erased:" + digest(key, subject)[:32]


def subject_proof(key: bytes, subject: str) -> str:
    """The proof of erasure kept for a data subject."""
    return "hmac-sha256:" + digest(key, subject)


def pseudonymise(settings: Settings, key: bytes, consent: str, subject: str) -> str:
    """SPARQL update: replace every reference to ``consent`` and ``subject`` in the audit
    log (as object, and inside logged query texts) by their pseudonyms."""
    audit = settings.graph("audit")
    parts = []
    for iri, pseudonym in (
        (consent, erased_consent(settings, key, consent)),
        (subject, erased_subject(key, subject)),
    ):
        if not iri:
            continue
        parts.append(
            f"DELETE {{ GRAPH <{audit}> {{ ?e ?p <{iri}> }} }} "
            f"INSERT {{ GRAPH <{audit}> {{ ?e ?p <{pseudonym}> }} }} "
            f"WHERE {{ GRAPH <{audit}> {{ ?e ?p <{iri}> }} }}"
        )
        parts.append(
            f"DELETE {{ GRAPH <{audit}> {{ ?e <{DCTERMS}description> ?q }} }} "
            f"INSERT {{ GRAPH <{audit}> {{ ?e <{DCTERMS}description> ?changed }} }} "
            f"WHERE {{ GRAPH <{audit}> {{ ?e <{DCTERMS}description> ?q }} "
            f"FILTER(CONTAINS(?q, {_literal(iri)})) "
            f"BIND(REPLACE(?q, {_literal(_regex(iri))}, {_literal(pseudonym)}) AS ?changed) }}"
        )
    return " ;\n".join(parts)


def _literal(text: str) -> str:
    """A string literal for N-Triples and SPARQL (JSON's escapes are theirs too)."""
    return json.dumps(text, ensure_ascii=False)


def _regex(text: str) -> str:
    """``text`` as an XPath regular expression that matches it literally."""
    return "".join("\\" + c if c in "\\.?*+(){}[]^$|-" else c for c in text)


def is_erased(store: Store, settings: Settings, consent: str, key: bytes | None = None) -> bool:
    """Whether ``consent`` was erased (so that ingest must not load it again)."""
    pseudonym = erased_consent(settings, key or erasure_key(settings), consent)
    return bool(
        store.query(
            f"ASK {{ GRAPH <{settings.graph('audit')}> {{ ?e <{SG}concernsConsent> <{pseudonym}> ;"
            f' <{SG}eventAction> "erase" }} }}'
        )
    )
