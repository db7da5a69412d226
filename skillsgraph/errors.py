"""The errors skillsgraph raises: one base class and a few branches users can act on.

Every message says where (file:line, triples map, record, IRI), what was found, what was
expected and, when it can, how to fix it. Third-party exceptions are wrapped where they
occur (``raise ... from exc``); the library never calls ``sys.exit``.
"""

from __future__ import annotations


class SkillsGraphError(Exception):
    """Base of every error skillsgraph raises on purpose."""

    exit_code = 1


class BadInputError(SkillsGraphError):
    """A source, mapping, query or option is not what was expected."""

    exit_code = 2


class MappingError(BadInputError):
    """A mapping cannot be compiled or executed; the message names file, line and triples map."""


class ValidationFailedError(SkillsGraphError):
    """A batch failed SHACL validation and nothing of it may be committed."""

    exit_code = 3


class NotFoundError(SkillsGraphError):
    """A source, file, graph or resource that was named does not exist."""

    exit_code = 4


class StoreUnavailableError(SkillsGraphError):
    """The store cannot be opened or reached (locked, missing, remote server down)."""

    exit_code = 5


class ConsentDeniedError(SkillsGraphError):
    """The caller's participant and purpose do not permit this access."""

    exit_code = 6


class NotAuthenticatedError(ConsentDeniedError):
    """No bearer token, or one that no participant holds (HTTP 401)."""


class PurposeNotAllowedError(ConsentDeniedError):
    """No purpose declared, or one the participant may not declare (HTTP 403)."""


class RoleRequiredError(ConsentDeniedError):
    """The participant lacks the role an operation needs, e.g. ``writer`` (HTTP 403)."""


class ReasoningError(SkillsGraphError):
    """The ontology could not be reasoned over (no Java, reasoner failure, unparsable file)."""

    exit_code = 7
