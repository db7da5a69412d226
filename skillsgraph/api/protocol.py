"""Reading a SPARQL 1.1 Protocol request: which operation, which query, which dataset.

Three ways to send a query (GET ``?query=``, POST form-encoded, POST
``application/sparql-query``), each with ``default-graph-uri`` / ``named-graph-uri``
parameters; updates (``update=`` or ``application/sparql-update``) are recognised so that
they can be refused clearly. Everything malformed is a 4xx :class:`ApiError` that says
what was wrong (https://www.w3.org/TR/sparql11-protocol/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.datastructures import QueryParams

from skillsgraph.api.problems import ApiError

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
MAX_BODY = 1_000_000  # bytes: a query larger than this is not a query someone wrote


@dataclass(frozen=True)
class Operation:
    """One protocol request: a query or an update, and the dataset the protocol names."""

    kind: str  # "query", "update" or "none" (no operation: the service description)
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)

    @property
    def names_dataset(self) -> bool:
        """Whether the request names its own dataset (which then overrides the query's)."""
        return bool(self.default_graphs or self.named_graphs)


def from_get(params: QueryParams) -> Operation:
    """A GET request: ``?query=`` (or nothing, for the service description)."""
    if params.getlist("update"):
        raise ApiError(
            400,
            "SPARQL Update cannot be sent with GET; updates are POSTed, by a participant "
            "with the writer role",
        )
    return _operation(_multi(params), where="query string")


def from_post(content_type: str | None, body: bytes, params: QueryParams) -> Operation:
    """A POST request, by its Content-Type: form-encoded, a query, or an update."""
    if len(body) > MAX_BODY:
        raise ApiError(413, f"the request body is larger than {MAX_BODY:,} bytes")
    media_type, charset = _media_type(content_type)
    if media_type == FORM:
        fields = _multi(params)
        for name, values in parse_qs(
            _text(body, charset), keep_blank_values=True, strict_parsing=False
        ).items():
            fields.setdefault(name, []).extend(values)
        if not fields.get("query") and not fields.get("update"):
            raise ApiError(400, "the form has neither a 'query' nor an 'update' field")
        return _operation(fields, where="form")
    if media_type == SPARQL_QUERY:
        if params.getlist("query"):
            raise ApiError(
                400,
                "a query POSTed as application/sparql-query cannot also have a 'query' parameter",
            )
        fields = _multi(params)
        fields["query"] = [_text(body, charset)]
        return _operation(fields, where="request")
    if media_type == SPARQL_UPDATE:
        return _operation({**_multi(params), "update": [_text(body, charset)]}, where="request")
    raise ApiError(
        415,
        f"a SPARQL request is POSTed as {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}, not "
        f"{content_type or 'without a Content-Type'}",
    )


def _operation(fields: dict[str, list[str]], *, where: str) -> Operation:
    queries, updates = fields.get("query", []), fields.get("update", [])
    if len(queries) + len(updates) > 1:
        raise ApiError(
            400,
            f"the {where} has {len(queries)} 'query' and {len(updates)} 'update' values; "
            "send exactly one operation per request",
        )
    defaults = fields.get("default-graph-uri", [])
    named = fields.get("named-graph-uri", [])
    if updates:
        using = [n for n in ("using-graph-uri", "using-named-graph-uri") if fields.get(n)]
        if using or defaults or named:
            raise ApiError(
                400,
                f"{', '.join(using) or 'default-graph-uri/named-graph-uri'}: an update's "
                "dataset is named in the update itself (USING, USING NAMED, WITH)",
            )
        if not updates[0].strip():
            raise ApiError(400, "the 'update' is empty")
        return Operation("update", updates[0])
    if not queries:
        if defaults or named:
            raise ApiError(400, "graph parameters were given without a 'query'")
        return Operation("none")
    if not queries[0].strip():
        raise ApiError(400, "the 'query' is empty")
    return Operation("query", queries[0], defaults, named)


def _multi(params: QueryParams) -> dict[str, list[str]]:
    return {name: params.getlist(name) for name in params}


def _media_type(content_type: str | None) -> tuple[str, str]:
    """The media type and the charset (default utf-8) of a Content-Type header."""
    if not content_type:
        return "", "utf-8"
    media_type, *params = (p.strip() for p in content_type.split(";"))
    charset = "utf-8"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _text(body: bytes, charset: str) -> str:
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, f"SPARQL requests are UTF-8; this one declares charset={charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, f"the request body is not valid UTF-8 (byte {exc.start}): {exc.reason}"
        ) from exc
