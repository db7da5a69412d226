"""Consent records (W3C DPV, ISO/IEC TS 27560 layout) and the closed list of purposes.

A consent record lives in ``…/graph/consents`` and says whose data (``dpv:hasDataSubject``),
kept by whom (``dpv:hasDataController``), on which legal basis, may be processed for which
purposes (``dpv:hasPurpose``) by which recipients (``dpv:hasRecipient``, or
:func:`any_participant` for every participant), in which state (``dpv:hasConsentStatus``)
and until when (``sg:validUntil``); ``sg:consentGraph`` names the one graph holding the
personal triples it covers. Only ``dpv:ConsentGiven`` and ``dpv:RenewedConsentGiven``
permit processing.

>>> Purpose.parse("scientific-research") is Purpose.SCIENTIFIC_RESEARCH
True
>>> Purpose.SCIENTIFIC_RESEARCH.iri
'https://w3id.org/skillsgraph/ontology#ScientificResearch'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

import pyoxigraph as ox

from skillsgraph.config import Settings
from skillsgraph.errors import BadInputError
from skillsgraph.store.base import Store

SG = "https://w3id.org/skillsgraph/ontology#"
DPV = "https://w3id.org/dpv#"
PD = "https://w3id.org/dpv/pd#"
EDU = "https://w3id.org/dpv/sector/education#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"

CONSENT_GIVEN = f"{DPV}ConsentGiven"
RENEWED_CONSENT_GIVEN = f"{DPV}RenewedConsentGiven"
CONSENT_WITHDRAWN = f"{DPV}ConsentWithdrawn"
CONSENT_EXPIRED = f"{DPV}ConsentExpired"
CONSENT_INVALID = f"{DPV}ConsentStatusInvalidForProcessing"
PERMITTING_STATUSES = frozenset({CONSENT_GIVEN, RENEWED_CONSENT_GIVEN})
"""The only statuses under which a consent permits processing (DESIGN.md, Consent)."""

DEFAULT_LEGAL_BASES = frozenset({f"{GDPR}A6-1-a", f"{GDPR}A9-2-a"})
EXPIRED = datetime(1, 1, 1, tzinfo=UTC)
"""The expiry given to a record whose ``sg:validUntil`` is unreadable or repeated: a
malformed expiry permits nothing."""
FOREVER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
"""The expiry written into the permission index for a consent without ``sg:validUntil``."""
ANY_PARTICIPANT_KEY = "any"


class Purpose(Enum):
    """The data space's purposes: a closed list, each an ``sg:Purpose`` individual of
    ``ontology/consent.ttl`` and an instance of the DPV purpose it specialises.

    ========================== ===========================================================
    purpose                    DPV purpose
    ========================== ===========================================================
    matching-and-recommendations dpv:ProvidePersonalisedRecommendations
    official-statistics        dpv:ProvideOfficialStatistics
    scientific-research        dpv:ScientificResearch
    career-guidance            sector-education:StudentGuidanceManagement
    training-planning          sector-education:EducationManagement
    ========================== ===========================================================
    """

    MATCHING_AND_RECOMMENDATIONS = "matching-and-recommendations"
    OFFICIAL_STATISTICS = "official-statistics"
    SCIENTIFIC_RESEARCH = "scientific-research"
    CAREER_GUIDANCE = "career-guidance"
    TRAINING_PLANNING = "training-planning"

    @property
    def slug(self) -> str:
        """The name used on the command line, in the API and in the registry."""
        return str(self.value)

    @property
    def local_name(self) -> str:
        return "".join(part.capitalize() for part in self.slug.split("-"))

    @property
    def iri(self) -> str:
        """The ``sg:Purpose`` individual."""
        return f"{SG}{self.local_name}"

    @property
    def dpv(self) -> str:
        """The DPV purpose concept this purpose is an instance of."""
        return _DPV_PURPOSES[self]

    @classmethod
    def parse(cls, text: str) -> Purpose:
        """A purpose from its slug, local name (``ScientificResearch``), ``sg:`` name or IRI."""
        wanted = text.strip()
        for purpose in cls:
            if wanted.lower() in (purpose.slug, purpose.local_name.lower()) or wanted in (
                purpose.iri,
                f"sg:{purpose.local_name}",
            ):
                return purpose
        raise BadInputError(
            f"unknown purpose {text!r}; the data space's purposes are: "
            + ", ".join(p.slug for p in cls)
        )

    @classmethod
    def from_iri(cls, iri: str) -> Purpose | None:
        return next((p for p in cls if p.iri == iri), None)


_DPV_PURPOSES = {
    Purpose.MATCHING_AND_RECOMMENDATIONS: f"{DPV}ProvidePersonalisedRecommendations",
    Purpose.OFFICIAL_STATISTICS: f"{DPV}ProvideOfficialStatistics",
    Purpose.SCIENTIFIC_RESEARCH: f"{DPV}ScientificResearch",
    Purpose.CAREER_GUIDANCE: f"{EDU}StudentGuidanceManagement",
    Purpose.TRAINING_PLANNING: f"{EDU}EducationManagement",
}


def any_participant(settings: Settings) -> str:
    """The recipient IRI that means "any participant of the data space":
    ``…/id/participant/any`` (a mapping writes it as the recipient ``any``)."""
    return settings.resource("participant", ANY_PARTICIPANT_KEY)


def consent_iri(settings: Settings, consent: str) -> str:
    """The record IRI for a consent key (``learners-3733``) or IRI."""
    if consent.startswith(("http://", "https://")):
        return consent
    _check_key(consent, "consent")
    return settings.resource("consent", consent)


def consent_graph(settings: Settings, consent: str) -> str:
    """The graph of a consent's personal triples: ``…/graph/consent/{key}``."""
    key = consent_iri(settings, consent).rsplit("/", 1)[-1]
    return settings.graph(f"consent/{key}")


def subject_iri(settings: Settings, subject: str) -> str:
    """A data subject's IRI from a learner key (``3733``) or an IRI."""
    if subject.startswith(("http://", "https://")):
        return subject
    _check_key(subject, "learner")
    return settings.resource("learner", subject)


STATUSES = tuple(
    f"{DPV}{name}"
    for name in [
        "ConsentUnknown",
        "ConsentRequested",
        "ConsentRequestDeferred",
        "ConsentRefused",
        "ConsentGiven",
        "RenewedConsentGiven",
        "ConsentInvalidated",
        "ConsentExpired",
        "ConsentWithdrawn",
        "ConsentRevoked",
    ]
)
"""The DPV consent statuses a record may have."""


def status_iri(status: str) -> str:
    """A DPV consent status from its name (``ConsentGiven``, ``dpv:ConsentGiven``) or IRI."""
    wanted = status.removeprefix("dpv:")
    for known in STATUSES:
        if wanted in (known, known.removeprefix(DPV)):
            return known
    raise BadInputError(
        f"unknown consent status {status!r}; expected one of "
        + ", ".join(s.removeprefix(DPV) for s in STATUSES)
    )


def participant_iri(settings: Settings, participant: str) -> str:
    if participant.startswith(("http://", "https://")):
        return participant
    _check_key(participant, "participant")
    return settings.resource("participant", participant)


def _check_key(key: str, kind: str) -> None:
    if not key or any(c in key for c in '/<>"{}|^`\\ \t\n'):
        raise BadInputError(f"{kind} {key!r}: expected a key such as learners-3733 or an IRI")


@dataclass(frozen=True)
class ConsentRecord:
    """One consent, as stored in the consents graph.

    ``purposes`` and ``recipients`` are IRIs (a stored record may name a purpose outside
    the closed list; such a purpose matches no access context). ``valid_until`` None: the
    consent does not expire.
    """

    iri: str
    subject: str
    controller: str
    graph: str
    status: str = CONSENT_GIVEN
    purposes: frozenset[str] = frozenset()
    recipients: frozenset[str] = frozenset()
    valid_until: datetime | None = None
    legal_bases: frozenset[str] = DEFAULT_LEGAL_BASES
    personal_data: frozenset[str] = frozenset()
    notice: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """Other (predicate, N-Triples object) pairs of the stored record, kept on rewrite."""

    @property
    def key(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def permits_processing(self) -> bool:
        """Whether the status alone permits processing (expiry aside)."""
        return self.status in PERMITTING_STATUSES

    def ntriples(self) -> str:
        """The record as N-Triples, for the consents graph."""
        s = f"<{self.iri}>"
        lines = [
            f"{s} <{RDF_TYPE}> <{SG}ConsentRecord> .",
            f"{s} <{DPV}hasDataSubject> <{self.subject}> .",
            f"{s} <{DPV}hasDataController> <{self.controller}> .",
            f"{s} <{DPV}hasConsentStatus> <{self.status}> .",
            f"{s} <{SG}consentGraph> <{self.graph}> .",
        ]
        lines += [f"{s} <{DPV}hasLegalBasis> <{b}> ." for b in sorted(self.legal_bases)]
        lines += [f"{s} <{DPV}hasPurpose> <{p}> ." for p in sorted(self.purposes)]
        lines += [f"{s} <{DPV}hasRecipient> <{r}> ." for r in sorted(self.recipients)]
        lines += [f"{s} <{DPV}hasPersonalData> <{d}> ." for d in sorted(self.personal_data)]
        if self.valid_until is not None:
            lines.append(f"{s} <{SG}validUntil> {datetime_literal(self.valid_until)} .")
        if self.notice is not None:
            lines.append(f"{s} <{DPV}hasNotice> <{self.notice}> .")
        lines += [f"{s} <{p}> {o} ." for p, o in self.extra]
        return "\n".join(lines) + "\n"


def datetime_literal(moment: datetime) -> str:
    """An ``xsd:dateTime`` literal in UTC, as SPARQL and N-Triples write it."""
    return f'"{utc(moment).isoformat().replace("+00:00", "Z")}"^^<{XSD}dateTime>'


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise BadInputError(f"{moment.isoformat()}: give a time zone, e.g. 2030-01-01T00:00:00Z")
    return moment.astimezone(UTC)


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date-time with a time zone (a date alone means its midnight UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadInputError(
            f"{text!r} is not a date-time; expected ISO 8601 such as 2030-01-01T00:00:00Z"
        ) from exc
    if moment.tzinfo is None and "T" not in text:
        moment = moment.replace(tzinfo=UTC)
    return utc(moment)


_SINGLE = {
    f"{DPV}hasDataSubject": "subject",
    f"{DPV}hasDataController": "controller",
    f"{SG}consentGraph": "graph",
    f"{DPV}hasNotice": "notice",
}
_MANY = {
    f"{DPV}hasPurpose": "purposes",
    f"{DPV}hasRecipient": "recipients",
    f"{DPV}hasLegalBasis": "legal_bases",
    f"{DPV}hasPersonalData": "personal_data",
}


def record_from_pairs(iri: str, pairs: Iterable[tuple[ox.NamedNode, object]]) -> ConsentRecord:
    """A record from its (predicate, object) pairs. A malformed record never permits more
    than a well-formed one: several statuses read as ``dpv:ConsentStatusInvalidForProcessing``,
    an unreadable or repeated expiry as :data:`EXPIRED`, several graphs as none (``""``)."""
    single: dict[str, set[str]] = {}
    many: dict[str, set[str]] = {name: set() for name in _MANY.values()}
    statuses: set[str] = set()
    expiries: list[object] = []
    extra: list[tuple[str, str]] = []
    for predicate, obj in pairs:
        p = predicate.value
        if p == f"{DPV}hasConsentStatus":
            statuses.add(_value(obj))
        elif p == f"{SG}validUntil":
            expiries.append(obj)
        elif p in _SINGLE:
            single.setdefault(_SINGLE[p], set()).add(_value(obj))
        elif p in _MANY:
            many[_MANY[p]].add(_value(obj))
        elif p != RDF_TYPE:
            extra.append((p, str(obj)))
    status = statuses.pop() if len(statuses) == 1 else CONSENT_INVALID

    def one(name: str) -> str:
        values = single.get(name, set())
        return next(iter(values)) if len(values) == 1 else ""

    return ConsentRecord(
        iri=iri,
        subject=one("subject"),
        controller=one("controller"),
        graph=one("graph"),
        status=status,
        purposes=frozenset(many["purposes"]),
        recipients=frozenset(many["recipients"]),
        valid_until=_expiry(expiries),
        legal_bases=frozenset(many["legal_bases"]),
        personal_data=frozenset(many["personal_data"]),
        notice=one("notice") or None,
        extra=tuple(sorted(extra)),
    )


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def _expiry(values: list[object]) -> datetime | None:
    if not values:
        return None
    if len(values) > 1:
        return EXPIRED
    term = values[0]
    if not isinstance(term, ox.Literal) or term.datatype.value != f"{XSD}dateTime":
        return EXPIRED
    try:
        moment = datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        return EXPIRED
    return EXPIRED if moment.tzinfo is None else moment.astimezone(UTC)


def read_record(store: Store, settings: Settings, iri: str) -> ConsentRecord | None:
    """The stored record ``iri``, or None."""
    result = store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{settings.graph('consents')}> {{ <{iri}> ?p ?o }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    pairs = [(row["p"], row["o"]) for row in result]
    if not pairs:
        return None
    return record_from_pairs(iri, pairs)


def read_records(
    store: Store,
    settings: Settings,
    *,
    subject: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[ConsentRecord]:
    """Stored records, by IRI, optionally of one data subject or in one status."""
    where = f"?r a <{SG}ConsentRecord> ."
    if subject is not None:
        where += f" ?r <{DPV}hasDataSubject> <{subject}> ."
    if status is not None:
        where += f" ?r <{DPV}hasConsentStatus> <{status}> ."
    page = f"LIMIT {limit}" if limit is not None else ""
    sparql = (
        f"SELECT ?r ?p ?o WHERE {{ {{ SELECT DISTINCT ?r WHERE {{ GRAPH "
        f"<{settings.graph('consents')}> {{ {where} }} }} ORDER BY ?r {page} }} "
        f"GRAPH <{settings.graph('consents')}> {{ ?r ?p ?o }} }}"
    )
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    grouped: dict[str, list[tuple[ox.NamedNode, object]]] = {}
    for row in result:
        grouped.setdefault(row["r"].value, []).append((row["p"], row["o"]))
    return [record_from_pairs(iri, grouped[iri]) for iri in sorted(grouped)]
