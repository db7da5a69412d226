"""What the serving layer must know about a SPARQL query's text before running it.

Two things: whether it calls ``SERVICE`` (federated query; pyoxigraph would make the HTTP
request, so the endpoint refuses such queries), and the graphs its own ``FROM`` /
``FROM NAMED`` clauses name (honoured only within the caller's scope). The lexer of
:mod:`skillsgraph.consent.sparql` (the one the consent checks use) tells comments, strings
and IRIs apart, so that a skill labelled "customer service" or an IRI ending in ``/from``
is not mistaken for a keyword.

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

from skillsgraph.consent.sparql import Token, significant, tokenize, unescape_codepoints

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Dataset:
    """The graphs a query's ``FROM`` (default) and ``FROM NAMED`` (named) clauses name."""

    default: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)


@lru_cache(maxsize=32)
def tokens(sparql: str) -> tuple[Token, ...]:
    """The significant tokens of ``sparql`` (no whitespace or comments), by the lexer of
    :mod:`skillsgraph.consent.sparql` (remembered for the last few texts: a request asks
    three questions of one query)."""
    return tuple(significant(tokenize(sparql)))


def uses_service(sparql: str) -> bool:
    """Whether the query calls ``SERVICE`` (in any letter case, also once ``\\u``
    escapes are undone)."""
    return any(t.is_word("SERVICE") for t in tokens(sparql)) or any(
        t.is_word("SERVICE") for t in tokens(unescape_codepoints(sparql))
    )


def needs_base(sparql: str) -> bool:
    """Whether the query has relative IRIs and no ``BASE`` to resolve them against (the
    protocol then resolves them against the endpoint's IRI)."""
    for token in tokens(sparql):
        if token.is_word("BASE"):
            return False
        if token.kind == "iri" and not _ABSOLUTE.match(unescape_codepoints(token.text[1:-1])):
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
        following = found[i + 1 : i + 4]
        if token.is_word("BASE") and following and following[0].kind == "iri":
            base = urljoin(base, following[0].text[1:-1])
        elif token.is_word("PREFIX") and len(following) >= 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = urljoin(base, following[1].text[1:-1])
        elif token.is_word("FROM") and following:
            seen = True
            named = following[0].is_word("NAMED")
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
