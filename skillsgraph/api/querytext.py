"""What the serving layer must know about a SPARQL query's text before running it.

Two things: whether it calls ``SERVICE`` (federated query; pyoxigraph would make the HTTP
request, so the endpoint refuses such queries), and the graphs its own ``FROM`` /
``FROM NAMED`` clauses name (honoured only within the caller's scope). A small lexer drops
comments, strings and IRIs first, so that a skill labelled "customer service" or an IRI
ending in ``/from`` is not mistaken for a keyword.

Safety does not rest on :func:`dataset_clause`: the endpoint always passes an explicit
dataset to the store, which overrides the query's own, so a clause read wrongly could only
give a wrong answer, never data outside the scope.

>>> uses_service('SELECT * { ?s ?p "customer service" }')
False
>>> uses_service('select * { service <http://example.org/sparql> { ?s ?p ?o } }')
True
>>> dataset_clause('PREFIX g: <http://ex.org/g/> SELECT * FROM g:a FROM NAMED <http://ex.org/b> {}')
Dataset(default=['http://ex.org/g/a'], named=['http://ex.org/b'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_VAR_CHARS = _PN_CHARS_BASE + r"_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS = _VAR_CHARS + r"\-"
_ESCAPE = r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
# The local part of a prefixed name may hold %xx and backslash escapes (``ex:a\#b``):
# without them a ``#`` inside a name would start a "comment" that hides what follows.
_LOCAL = rf"(?:[{_PN_CHARS}:.]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n\r]|\\.)*"
             | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_ESCAPE})*>)
  | (?P<var>[?$](?:[{_VAR_CHARS}]|{_ESCAPE})+)
  | (?P<pname>(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:{_LOCAL})
  | (?P<word>(?:[A-Za-z]|{_ESCAPE})+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Dataset:
    """The graphs a query's ``FROM`` (default) and ``FROM NAMED`` (named) clauses name."""

    default: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)


@lru_cache(maxsize=32)
def tokens(sparql: str) -> tuple[Token, ...]:
    """The significant tokens of ``sparql``: no whitespace, comments or string contents
    (remembered for the last few texts: a request asks three questions of one query)."""
    found = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        if kind == "word":
            text = _unescape(text)
        found.append(Token(kind, text))
    return tuple(found)


def uses_service(sparql: str) -> bool:
    """Whether the query calls ``SERVICE`` (in any letter case or escaped spelling)."""
    return any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokens(sparql))


def needs_base(sparql: str) -> bool:
    """Whether the query has relative IRIs and no ``BASE`` to resolve them against (the
    protocol then resolves them against the endpoint's IRI)."""
    for token in tokens(sparql):
        if token.kind == "word" and token.text.upper() == "BASE":
            return False
        if token.kind == "iri" and not _ABSOLUTE.match(_unescape(token.text[1:-1])):
            return True
    return False


def dataset_clause(sparql: str) -> Dataset | None:
    """The graphs named by the query's ``FROM`` / ``FROM NAMED`` clauses; None without any.

    Prefixed names are expanded with the query's ``PREFIX`` declarations and relative IRIs
    resolved against its ``BASE``; a prefix that is not declared is left as written (the
    query will fail to parse anyway).
    """
    found = tokens(sparql)
    prefixes: dict[str, str] = {}
    base = ""
    dataset = Dataset()
    seen = False
    for i, token in enumerate(found):
        keyword = token.text.upper() if token.kind == "word" else ""
        following = found[i + 1 : i + 4]
        if keyword == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base, following[0].text[1:-1])
        elif keyword == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = urljoin(base, following[1].text[1:-1])
        elif keyword == "FROM" and following:
            seen = True
            named = following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = following[1] if named and len(following) > 1 else following[0]
            iri = _iri(target, prefixes, base)
            if iri is not None:
                (dataset.named if named else dataset.default).append(iri)
    return dataset if seen else None


def _iri(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1]) if base else token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return token.text
    return None


def _unescape(text: str) -> str:
    return re.sub(_ESCAPE, lambda m: chr(int(m.group()[2:], 16)), text)
