"""The participant registry and access contexts: who may ask, and for which purposes.

The registry is a configuration file, ``config/participants.yml`` in the project home (or
the file ``SKILLSGRAPH_PARTICIPANTS`` names): each participant has a key (its IRI is
``…/id/participant/{key}``), a name, the SHA-256 digests of its bearer tokens, the
purposes it may declare, and its roles (``writer``: may change public graphs through SPARQL
Update and the Graph Store Protocol). Tokens are random secrets (:func:`new_token`); only
their digests are stored, so the file can be read by whoever operates the server.

An :class:`AccessContext` is one participant with one declared purpose; every query with
personal data is made in one. :func:`check_purpose` is the only way to make one from a
registered participant.

>>> registry = Registry.from_mapping(
...     {"participants": {"lab": {"name": "A lab", "tokens": [hash_token("s3cret")],
...                               "purposes": ["scientific-research"]}}})
>>> participant = authenticate(registry, "s3cret")
>>> check_purpose(registry, participant, "scientific-research").purpose.slug
'scientific-research'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from skillsgraph.config import Settings
from skillsgraph.consent.model import ANY_PARTICIPANT_KEY, Purpose
from skillsgraph.errors import (
    BadInputError,
    NotAuthenticatedError,
    NotFoundError,
    PurposeNotAllowedError,
    RoleRequiredError,
)

ROLES = frozenset({"writer"})
"""Roles a participant may hold. ``writer``: may change public graphs over HTTP."""
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Participant:
    """A registered participant: its key, name, token digests and allowed purposes."""

    key: str
    name: str
    purposes: frozenset[Purpose]
    token_digests: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()

    def iri(self, settings: Settings) -> str:
        return settings.resource("participant", self.key)


@dataclass(frozen=True)
class AccessContext:
    """One participant (the recipient) with one declared purpose.

    Its IRI (``…/id/access-context/{participant}/{purpose}``) is the object of
    ``sg:permittedFor`` in the permission index; its view graph
    (``…/graph/view/{participant}/{purpose}``) holds copies of the personal triples it
    may see, for user-written SPARQL.
    """

    participant: str
    purpose: Purpose

    @property
    def path(self) -> str:
        return f"{self.participant}/{self.purpose.slug}"

    def iri(self, settings: Settings) -> str:
        return settings.resource("access-context", self.path)

    def recipient(self, settings: Settings) -> str:
        return settings.resource("participant", self.participant)

    def view(self, settings: Settings) -> str:
        return settings.graph(f"view/{self.path}")


@dataclass(frozen=True)
class Registry:
    """The participants of the data space, by key."""

    participants: Mapping[str, Participant]

    @classmethod
    def from_mapping(cls, data: object, *, where: str = "registry") -> Registry:
        """A registry from parsed YAML: ``{participants: {key: {name, tokens, purposes}}}``."""
        if not isinstance(data, dict) or not isinstance(data.get("participants"), dict):
            raise BadInputError(f"{where}: expected a mapping with a 'participants' mapping")
        found: dict[str, Participant] = {}
        for key, entry in data["participants"].items():
            found[str(key)] = _participant(str(key), entry, f"{where}: participant {key}")
        return cls(found)

    def get(self, key: str) -> Participant:
        """The participant ``key``, or a NotFoundError naming the registered ones."""
        try:
            return self.participants[key]
        except KeyError:
            known = ", ".join(sorted(self.participants)) or "none"
            raise NotFoundError(
                f"no participant {key!r} in the registry (registered: {known})"
            ) from None

    def contexts(self) -> list[AccessContext]:
        """Every context a registered participant may act in."""
        return [
            AccessContext(p.key, purpose)
            for p in self.participants.values()
            for purpose in sorted(p.purposes, key=lambda x: x.slug)
        ]


def _participant(key: str, entry: object, where: str) -> Participant:
    if not _KEY.match(key) or key == ANY_PARTICIPANT_KEY:
        raise BadInputError(
            f"{where}: a participant key is lower-case letters, digits and '-', "
            f"and not {ANY_PARTICIPANT_KEY!r} (which means any participant)"
        )
    if not isinstance(entry, dict) or set(entry) - {"name", "tokens", "purposes", "roles"}:
        raise BadInputError(
            f"{where}: expected the keys name, tokens, purposes, roles; found {entry!r}"
        )
    tokens = entry.get("tokens") or []
    bad = [t for t in tokens if not isinstance(t, str) or not _DIGEST.match(t)]
    if not isinstance(tokens, list) or bad:
        raise BadInputError(
            f"{where}: tokens are SHA-256 digests written 'sha256:<64 hex digits>' "
            f"(see skillsgraph.consent.hash_token); found {bad or tokens!r}"
        )
    purposes = entry.get("purposes") or []
    if not isinstance(purposes, list):
        raise BadInputError(f"{where}: purposes is a list, found {purposes!r}")
    try:
        allowed = frozenset(Purpose.parse(str(p)) for p in purposes)
    except BadInputError as exc:
        raise BadInputError(f"{where}: {exc}") from exc
    roles = entry.get("roles") or []
    unknown = [r for r in roles if r not in ROLES] if isinstance(roles, list) else roles
    if unknown:
        raise BadInputError(
            f"{where}: roles is a list from {', '.join(sorted(ROLES))}; found {unknown!r}"
        )
    return Participant(
        key, str(entry.get("name", key)), allowed, frozenset(tokens), frozenset(roles)
    )


def registry_path(settings: Settings) -> Path:
    """``$SKILLSGRAPH_PARTICIPANTS``, else ``config/participants.yml`` in the project home."""
    configured = os.environ.get("SKILLSGRAPH_PARTICIPANTS")
    return Path(configured) if configured else settings.home / "config" / "participants.yml"


def load_registry(settings: Settings, path: Path | None = None) -> Registry:
    """Read the participant registry."""
    chosen = path or registry_path(settings)
    if not chosen.is_file():
        raise NotFoundError(
            f"no participant registry at {chosen}: write one (see config/participants.yml) "
            "or set SKILLSGRAPH_PARTICIPANTS"
        )
    try:
        data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BadInputError(f"{chosen}: not valid YAML: {exc}") from exc
    return Registry.from_mapping(data, where=str(chosen))


def new_token() -> str:
    """A fresh bearer token (256 random bits); store only :func:`hash_token` of it."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The digest of a token as the registry stores it. A plain SHA-256 is enough: tokens
    are long random secrets, not passwords, so there is nothing to brute-force."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def authenticate(registry: Registry, token: str | None) -> Participant:
    """The participant holding bearer ``token``, or NotAuthenticatedError."""
    if not token:
        raise NotAuthenticatedError(
            "personal data needs a participant: send 'Authorization: Bearer <token>'"
        )
    digest = hash_token(token)
    for participant in registry.participants.values():
        if any(hmac.compare_digest(digest, known) for known in participant.token_digests):
            return participant
    raise NotAuthenticatedError("the bearer token is not registered to any participant")


def check_purpose(
    registry: Registry, participant: Participant | str, purpose: Purpose | str | None
) -> AccessContext:
    """The access context of ``participant`` declaring ``purpose``; PurposeNotAllowedError
    when no purpose is declared or the participant may not declare it, BadInputError when
    the purpose is not one of the data space's."""
    who = registry.get(participant) if isinstance(participant, str) else participant
    if purpose is None or purpose == "":
        raise PurposeNotAllowedError(
            f"participant {who.key} must declare a purpose; it may declare: "
            + (", ".join(sorted(p.slug for p in who.purposes)) or "none")
        )
    chosen = purpose if isinstance(purpose, Purpose) else Purpose.parse(purpose)
    if chosen not in who.purposes:
        raise PurposeNotAllowedError(
            f"participant {who.key} may not declare the purpose {chosen.slug}; it may "
            "declare: " + (", ".join(sorted(p.slug for p in who.purposes)) or "none")
        )
    return AccessContext(who.key, chosen)


def require_role(participant: Participant | None, role: str, action: str) -> Participant:
    """``participant`` if it holds ``role``; NotAuthenticatedError without a participant,
    RoleRequiredError if it lacks the role."""
    if participant is None:
        raise NotAuthenticatedError(
            f"{action} needs a participant with the {role} role: "
            "send 'Authorization: Bearer <token>'"
        )
    if role not in participant.roles:
        raise RoleRequiredError(
            f"participant {participant.key} may not {action}: that needs the {role} role, "
            "which the participant registry does not give it"
        )
    return participant
