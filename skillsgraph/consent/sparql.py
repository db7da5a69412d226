"""A small SPARQL lexer: enough to refuse ``SERVICE``, read ``FROM``/``FROM NAMED``, and
rewrite the project's own queries, without being fooled by strings, IRIs or comments.

The lexer follows the SPARQL 1.1 grammar's terminals (IRIREF, the four string forms with
ECHAR and UCHAR escapes, comments, prefixed names, variables). Where it could disagree with
the real parser it errs towards seeing a keyword: text is only skipped as a string, IRI or
comment when the grammar's own terminal matches it, and the query is also checked after
undoing ``\\u`` escapes.

>>> inspect_query('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE', {}).service
False
>>> inspect_query('select * { service <http://x.org/sparql> { ?s ?p ?o } }', {}).service
True
>>> inspect_query('PREFIX g: <http://x.org/g/> SELECT * FROM g:a FROM NAMED <http://x.org/b> '
...               '{ ?s ?p ?o }', {}).from_named
('http://x.org/b',)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from skillsgraph.errors import BadInputError

_ECHAR = r"""\\(?:[tbnrf\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_PN_CHARS = r"\w\-\u00B7\u00C0-\uFFFF"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"[{_PN_CHARS}:]|{_PLX}"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<string>
        \"\"\"(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*\"\"\"
      | '''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''
      | "(?:[^"\\\n\r]|{_ECHAR})*"
      | '(?:[^'\\\n\r]|{_ECHAR})*'
    )
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<blank>_:[{_PN_CHARS}.]*)
  | (?P<pname>(?:[^\W\d_](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:
        (?:(?:{_LOCAL_CHAR})(?:(?:{_LOCAL_CHAR}|\.)*(?:{_LOCAL_CHAR}))?)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SKIP = ("ws", "comment")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    def is_word(self, word: str) -> bool:
        return self.kind == "word" and self.text.upper() == word


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, whitespace and comments included."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        tokens.append(Token(kind, match.group(), match.start()))
    return tokens


def unescape_codepoints(text: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters, as SPARQL 1.1 allows
    before parsing."""
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


@dataclass(frozen=True)
class QueryInspection:
    """What a query asks of its dataset."""

    service: bool
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def inspect_query(text: str, prefixes: Mapping[str, str]) -> QueryInspection:
    """Whether ``text`` uses ``SERVICE`` (in it, or once ``\\u`` escapes are undone) and
    which graphs its ``FROM`` and ``FROM NAMED`` clauses name (as absolute IRIs)."""
    service = any(t.is_word("SERVICE") for t in tokenize(text)) or any(
        t.is_word("SERVICE") for t in tokenize(unescape_codepoints(text))
    )
    code = significant(tokenize(text))
    declared = dict(prefixes) | declared_prefixes(code)
    from_graphs: list[str] = []
    from_named: list[str] = []
    for i, token in enumerate(code):
        if not token.is_word("FROM"):
            continue
        named = i + 1 < len(code) and code[i + 1].is_word("NAMED")
        position = i + 2 if named else i + 1
        if position >= len(code):
            raise BadInputError("FROM must be followed by a graph IRI")
        iri = resolve(code[position], declared)
        (from_named if named else from_graphs).append(iri)
    return QueryInspection(service, tuple(from_graphs), tuple(from_named))


def significant(tokens: Sequence[Token]) -> list[Token]:
    return [t for t in tokens if t.kind not in _SKIP]


def declared_prefixes(code: Sequence[Token]) -> dict[str, str]:
    """``PREFIX p: <iri>`` declarations of a token list (without whitespace)."""
    found: dict[str, str] = {}
    for i, token in enumerate(code[:-2]):
        if token.is_word("PREFIX") and code[i + 1].kind == "pname" and code[i + 2].kind == "iri":
            found[code[i + 1].text[:-1]] = code[i + 2].text[1:-1]
    return found


def resolve(token: Token, prefixes: Mapping[str, str]) -> str:
    """The absolute IRI an IRIREF or prefixed-name token stands for."""
    if token.kind == "iri":
        iri = unescape_codepoints(token.text[1:-1])
    elif token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix not in prefixes:
            raise BadInputError(f"the prefix {prefix}: is not declared")
        iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    else:
        raise BadInputError(f"expected a graph IRI, found {token.text!r}")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise BadInputError(f"<{iri}>: name graphs with absolute IRIs")
    return iri


@dataclass(frozen=True)
class GraphClause:
    """One ``GRAPH term { … }`` of a query: its term (an IRI, or ``?var``) and where its
    braces are in the token list."""

    term: str
    graph_token: int
    open_token: int
    close_token: int


def graph_clauses(tokens: Sequence[Token], prefixes: Mapping[str, str]) -> list[GraphClause]:
    """Every ``GRAPH`` clause of a (full) token list, with its matching braces."""
    code_index = [i for i, t in enumerate(tokens) if t.kind not in _SKIP]
    declared = dict(prefixes) | declared_prefixes([tokens[i] for i in code_index])
    clauses = []
    for n, i in enumerate(code_index[:-2]):
        if not tokens[i].is_word("GRAPH"):
            continue
        term_token, open_index = tokens[code_index[n + 1]], code_index[n + 2]
        if tokens[open_index].text != "{":
            raise BadInputError("GRAPH must be followed by a graph and a group { … }")
        term = term_token.text if term_token.kind == "var" else resolve(term_token, declared)
        clauses.append(GraphClause(term, i, open_index, _matching(tokens, open_index)))
    return clauses


def anchored(tokens: Sequence[Token], clause: GraphClause) -> bool:
    """Whether a flat clause (triple patterns and filters only) names a constant as the
    subject or object of one of its triple patterns (a class after ``a`` does not count),
    so that its matches are likely few. A hint for choosing a join, never for what may be
    seen: a wrong guess costs time only."""
    inside = range(clause.open_token + 1, clause.close_token)
    if any(tokens[i].text in "{}" for i in inside):
        return False
    position, depth, i = "subject", 0, clause.open_token + 1
    typed = False  # the current predicate is ``a`` / rdf:type
    while i < clause.close_token:
        token = tokens[i]
        i += 1
        if token.kind in _SKIP:
            continue
        if token.is_word("FILTER"):  # skip the filter's expression
            depth = 0
            while i < clause.close_token:
                text = tokens[i].text
                i += 1
                depth += (text == "(") - (text == ")")
                if depth == 0 and text == ")":
                    break
            continue
        if token.text in (".", ";", ","):
            position = {".": "subject", ";": "predicate", ",": "object"}[token.text]
            continue
        if position == "predicate":
            typed = token.is_word("A") or token.text in ("rdf:type", f"<{_RDF_TYPE}>")
        elif _is_constant(token) and not (position == "object" and typed):
            return True
        if token.kind == "lang" or token.text == "^":  # the tail of a literal
            continue
        position = {"subject": "predicate", "predicate": "object"}.get(position, "object")
    return False


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _is_constant(token: Token) -> bool:
    return token.kind in ("iri", "pname", "string") or (
        token.kind == "other" and token.text.isdigit()
    )


def _matching(tokens: Sequence[Token], open_index: int) -> int:
    depth = 0
    for i in range(open_index, len(tokens)):
        if tokens[i].text == "{":
            depth += 1
        elif tokens[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    raise BadInputError("unbalanced braces in the query")


def replace_graph_clauses(
    text: str,
    prefixes: Mapping[str, str],
    target: str,
    replacement: Callable[[int], tuple[str, str]],
    *,
    lift_filters: bool = False,
) -> str:
    """``text`` with every ``GRAPH <target> {`` replaced by ``replacement(n)[0]`` and its
    closing ``}`` by ``replacement(n)[1]`` (n counts the clauses from 0).

    ``lift_filters``: move each ``FILTER`` of a flat clause (triple patterns and filters
    only) to just after the replacement, when every variable it uses is bound by the
    clause's triple patterns: the same answers, and a join order the optimiser gets right
    (a filter inside the graph pattern hides its triples from join reordering).
    """
    tokens = tokenize(text)
    edits: dict[int, str] = {}
    drop: set[int] = set()
    count = 0
    for clause in graph_clauses(tokens, prefixes):
        if clause.term != target:
            continue
        head, tail = replacement(count)
        count += 1
        lifted = _liftable(tokens, clause) if lift_filters else []
        for start, end in lifted:
            drop.update(range(start, end + 1))
        moved = "".join(" " + "".join(t.text for t in tokens[a : b + 1]) for a, b in lifted)
        edits[clause.graph_token] = head
        drop.update(range(clause.graph_token + 1, clause.open_token + 1))
        edits[clause.close_token] = tail + moved
    return "".join(
        edits.get(i, t.text) for i, t in enumerate(tokens) if i not in drop or i in edits
    )


def _liftable(tokens: Sequence[Token], clause: GraphClause) -> list[tuple[int, int]]:
    """The token spans of the filters that may leave a flat clause."""
    inside = range(clause.open_token + 1, clause.close_token)
    if any(tokens[i].text in "{}" for i in inside):
        return []
    spans = []
    i = clause.open_token + 1
    while i < clause.close_token:
        if tokens[i].is_word("FILTER"):
            end = _filter_end(tokens, i, clause.close_token)
            if end is None:
                return []
            spans.append((i, end))
            i = end + 1
        else:
            i += 1
    in_filters = {i for a, b in spans for i in range(a, b + 1)}
    bound = {tokens[i].text[1:] for i in inside if i not in in_filters and tokens[i].kind == "var"}
    return [
        (a, b)
        for a, b in spans
        if not any(tokens[i].is_word("EXISTS") for i in range(a, b + 1))
        and {tokens[i].text[1:] for i in range(a, b + 1) if tokens[i].kind == "var"} <= bound
    ]


def _filter_end(tokens: Sequence[Token], start: int, limit: int) -> int | None:
    """The last token of the constraint after ``FILTER`` at ``start``: a bracketted
    expression, or a function call."""
    i = start + 1
    while i < limit and tokens[i].kind in _SKIP:
        i += 1
    if i < limit and tokens[i].kind in ("word", "pname", "iri"):
        i += 1
        while i < limit and tokens[i].kind in _SKIP:
            i += 1
    if i >= limit or tokens[i].text != "(":
        return None
    depth = 0
    for j in range(i, limit):
        if tokens[j].text == "(":
            depth += 1
        elif tokens[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    return None
