"""What a remote store needs to know about a SPARQL text before sending it: its kind (so
that it asks for exactly one result format) and, for servers that merge a query's own
``FROM`` with the protocol's dataset (Virtuoso), the text without its ``FROM`` clauses.

The lexer (:func:`skillsgraph.consent.sparql.tokenize`, the project's one SPARQL lexer)
skips strings, IRIs and comments, so a keyword inside them is never taken for one.

>>> query_kind('PREFIX ask: <http://x.org/> # SELECT\\nCONSTRUCT { ?s ask:p "ASK" } WHERE {}')
'construct'
>>> without_dataset('SELECT * FROM <http://x.org/g> FROM NAMED ex:h WHERE { ?s ?p "FROM" }')
'SELECT *     WHERE { ?s ?p "FROM" }'
"""

from __future__ import annotations

import re
from typing import Literal

from skillsgraph.consent.sparql import tokenize
from skillsgraph.errors import BadInputError

Kind = Literal["select", "ask", "construct", "describe", "update"]

_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of every token, with the one SPARQL lexer of the project."""
    return [(token.kind, token.text) for token in tokenize(text)]


def query_kind(text: str) -> Kind:
    """The form of a SPARQL query or update, from its first keyword after the prologue."""
    for kind, token in _tokens(text):
        if kind != "word":
            continue
        word = token.upper()
        if word in _QUERY_FORMS:
            return _QUERY_FORMS[word]  # type: ignore[return-value]
        if word in _UPDATE_WORDS:
            return "update"
        if word not in ("PREFIX", "BASE"):
            break
    raise BadInputError(
        "the SPARQL text is not valid: expected SELECT, ASK, CONSTRUCT or DESCRIBE (or an "
        f"update operation) after the prologue, found: {text.strip()[:80]!r}"
    )


def without_dataset(text: str) -> str:
    """``text`` with every ``FROM <g>`` and ``FROM NAMED <g>`` clause blanked out."""
    tokens = _tokens(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, token = tokens[i]
        if kind == "word" and token.upper() == "FROM":
            j = _next_code(tokens, i + 1)
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "NAMED":
                j = _next_code(tokens, j + 1)
            if j < len(tokens) and tokens[j][0] in ("iri", "pname"):
                out.append(" ")
                i = j + 1
                continue
        out.append(token)
        i += 1
    return "".join(out)


def has_dataset(text: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    return any(kind == "word" and token.upper() == "FROM" for kind, token in _tokens(text))


def _next_code(tokens: list[tuple[str, str]], start: int) -> int:
    while start < len(tokens) and tokens[start][0] in ("ws", "comment"):
        start += 1
    return start


def open_graph_constants(text: str) -> str:
    """``text`` with each ``GRAPH <c> { P }`` written ``GRAPH ?_graphN { P } FILTER(?_graphN
    = <c>)``: the same answers (plus the new variable under ``SELECT *``). Virtuoso, given
    only default graphs, still reaches every graph through ``GRAPH ?g`` but no graph
    outside them through ``GRAPH <c>``.

    >>> open_graph_constants('SELECT ?s { GRAPH <http://x.org/g> { ?s ?p "}" } }')
    'SELECT ?s { GRAPH ?_graph0 { ?s ?p "}" } FILTER(?_graph0 = <http://x.org/g>) }'
    """
    tokens = _tokens(text)
    prefixes = _prefixes(tokens)
    closing: dict[int, str] = {}
    edits: dict[int, str] = {}
    depth_stack: list[int] = []  # brace depths at which a rewritten GRAPH group closes
    depth = n = 0
    for i, (kind, token) in enumerate(tokens):
        if kind == "word" and token.upper() == "GRAPH":
            j = _next_code(tokens, i + 1)
            k = _next_code(tokens, j + 1)
            constant = j < len(tokens) and tokens[j][0] in ("iri", "pname")
            if constant and k < len(tokens) and tokens[k][1] == "{":
                iri = _resolve(tokens[j], prefixes)
                edits[j] = f"?_graph{n}"
                closing[depth + 1] = f" FILTER(?_graph{n} = <{iri}>)"
                depth_stack.append(depth + 1)
                n += 1
        elif token == "{":
            depth += 1
        elif token == "}":
            if depth_stack and depth_stack[-1] == depth:
                depth_stack.pop()
                edits[i] = "}" + closing.pop(depth)
            depth -= 1
    return "".join(edits.get(i, token) for i, (_kind, token) in enumerate(tokens))


def _prefixes(tokens: list[tuple[str, str]]) -> dict[str, str]:
    code = [t for t in tokens if t[0] not in ("ws", "comment")]
    found = {}
    for i in range(len(code) - 2):
        if code[i][0] == "word" and code[i][1].upper() == "PREFIX" and code[i + 2][0] == "iri":
            found[code[i + 1][1].rstrip(":")] = code[i + 2][1][1:-1]
    return found


def _resolve(token: tuple[str, str], prefixes: dict[str, str]) -> str:
    if token[0] == "iri":
        return token[1][1:-1]
    prefix, _, local = token[1].partition(":")
    if prefix not in prefixes:
        raise BadInputError(f"the prefix {prefix}: is not declared")
    return prefixes[prefix] + local


def silent_drops(text: str) -> str:
    """``DROP GRAPH`` and ``CLEAR GRAPH`` made ``SILENT``: Virtuoso refuses to drop a graph
    that was filled by an insert rather than "explicitly created", which is every graph.

    >>> silent_drops("DROP GRAPH <http://x.org/g> ; clear silent graph <http://x.org/h>")
    'DROP SILENT GRAPH <http://x.org/g> ; clear silent graph <http://x.org/h>'
    """
    tokens = _tokens(text)
    out = []
    for i, (kind, token) in enumerate(tokens):
        out.append(token)
        if kind == "word" and token.upper() in ("DROP", "CLEAR"):
            j = _next_code(tokens, i + 1)
            if j < len(tokens) and tokens[j][1].upper() != "SILENT":
                out.append(" SILENT")
    return "".join(out)


_EMPTY_GRAPH_PATTERN = re.compile(r"\bGRAPH\s+([?$]\w+)\s*\{\s*\}", re.IGNORECASE)


def filled_graph_patterns(text: str) -> str:
    """``GRAPH ?g { }`` written ``{ SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } }``
    (fresh variables): Virtuoso finds no graph for an empty group; the graphs that hold
    triples are what the embedded store and Oxigraph find.

    >>> filled_graph_patterns('SELECT ?g { GRAPH ?g { } } # GRAPH ?h {}')
    'SELECT ?g { { SELECT DISTINCT ?g WHERE { GRAPH ?g { ?_gs ?_gp ?_go } } } } # GRAPH ?h {}'
    """
    tokens = _tokens(text)
    code = "".join(
        token if kind not in ("comment", "string", "iri") else "\0" * len(token)
        for kind, token in tokens
    )
    out, last = [], 0
    for match in _EMPTY_GRAPH_PATTERN.finditer(code):
        var = match.group(1)
        out.append(text[last : match.start()])
        out.append(f"{{ SELECT DISTINCT {var} WHERE {{ GRAPH {var} {{ ?_gs ?_gp ?_go }} }} }}")
        last = match.end()
    out.append(text[last:])
    return "".join(out)


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def for_virtuoso(text: str) -> str:
    """What Virtuoso 7 needs to read standard SPARQL as everyone else does: ``\\u``
    escapes in IRIs decoded (it reads them as a stray backslash), and a ``GROUP_CONCAT``
    without ``separator`` given the standard one, a space (it fails without one).

    >>> for_virtuoso('SELECT (GROUP_CONCAT(STR(?o)) AS ?all) { GRAPH <urn:g\\\\u0033> {} }')
    'SELECT (GROUP_CONCAT(STR(?o) ; separator=" ") AS ?all) { GRAPH <urn:g3> {} }'
    """
    tokens = _tokens(text)
    out = [
        _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), t) if k == "iri" else t
        for k, t in tokens
    ]
    for i, (kind, token) in enumerate(tokens):
        if kind != "word" or token.upper() != "GROUP_CONCAT":
            continue
        depth, close, separated = 0, None, False
        for j in range(i + 1, len(tokens)):
            kind_j, text_j = tokens[j]
            separated |= kind_j == "word" and text_j.upper() == "SEPARATOR" and depth == 1
            depth += {"(": 1, ")": -1}.get(text_j, 0)
            if depth == 0 and text_j == ")":
                close = j
                break
        if close is not None and not separated:
            out[close] = ' ; separator=" ")'
    return "".join(out)
