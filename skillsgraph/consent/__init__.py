"""Consent: personal data circulates only for the purposes and recipients a person agreed to.

The pieces, in the order data meets them:

- :mod:`~skillsgraph.consent.model`: consent records (DPV) and the closed list of purposes;
- :mod:`~skillsgraph.consent.registry`: participants, their tokens and purposes, and the
  access context (participant + purpose) every personal query is made in;
- :mod:`~skillsgraph.consent.policy`: :func:`decide`, the rule in plain Python;
- :mod:`~skillsgraph.consent.index`: the permission index, derived from the records;
- :mod:`~skillsgraph.consent.views`: the per-context views (copies of permitted triples);
- :mod:`~skillsgraph.consent.lifecycle`: grant, renew, withdraw, expire, erase;
- :mod:`~skillsgraph.consent.enforce`: every query path (user SPARQL, the project's own
  queries) and the logging of answers with personal data;
- :mod:`~skillsgraph.consent.audit`: events, receipts, the access log, erasure proofs.
"""

from __future__ import annotations

from skillsgraph.consent.audit import (
    JSONLD_CONTEXT,
    AccessEntry,
    Receipt,
    access_log,
    events,
    is_erased,
    record_jsonld,
)
from skillsgraph.consent.enforce import (
    Answer,
    consents_behind,
    personal_graph,
    pinned_query,
    query_as,
    query_personal,
    rewrite,
)
from skillsgraph.consent.index import RebuildReport, rebuild
from skillsgraph.consent.lifecycle import (
    ConsentReport,
    erase,
    expire_due,
    explain,
    grant,
    list_consents,
    prepare_grant,
    renew,
    show,
    withdraw,
)
from skillsgraph.consent.model import (
    ConsentRecord,
    Purpose,
    any_participant,
    consent_graph,
    consent_iri,
    parse_datetime,
    participant_iri,
    status_iri,
    subject_iri,
)
from skillsgraph.consent.policy import Decision, decide
from skillsgraph.consent.registry import (
    AccessContext,
    Participant,
    Registry,
    authenticate,
    check_purpose,
    hash_token,
    load_registry,
    new_token,
    require_role,
)
from skillsgraph.consent.scope import is_public, may_see, public_graphs, visible_graphs
from skillsgraph.consent.views import purge_expired
from skillsgraph.errors import NotAuthenticatedError, PurposeNotAllowedError, RoleRequiredError

__all__ = [
    "JSONLD_CONTEXT",
    "AccessContext",
    "AccessEntry",
    "Answer",
    "ConsentRecord",
    "ConsentReport",
    "Decision",
    "NotAuthenticatedError",
    "Participant",
    "Purpose",
    "PurposeNotAllowedError",
    "RebuildReport",
    "Receipt",
    "Registry",
    "RoleRequiredError",
    "access_log",
    "any_participant",
    "authenticate",
    "check_purpose",
    "consent_graph",
    "consent_iri",
    "consents_behind",
    "decide",
    "erase",
    "events",
    "expire_due",
    "explain",
    "grant",
    "hash_token",
    "is_erased",
    "is_public",
    "list_consents",
    "load_registry",
    "may_see",
    "new_token",
    "parse_datetime",
    "participant_iri",
    "personal_graph",
    "pinned_query",
    "prepare_grant",
    "public_graphs",
    "purge_expired",
    "query_as",
    "query_personal",
    "rebuild",
    "record_jsonld",
    "renew",
    "require_role",
    "rewrite",
    "show",
    "status_iri",
    "subject_iri",
    "visible_graphs",
    "withdraw",
]
