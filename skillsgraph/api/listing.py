"""One page of a collection: its members in a stable order, what is shown of each, and how
many members there are, in two queries (one for the page, one ``COUNT``).

A :class:`Listing` says which resources are members (conditions binding ``?s``: their
class, and each of the caller's filters as triple patterns) and what is shown of each (a
pattern over ``?s`` and the triples it makes, as in a ``CONSTRUCT`` template). The page
query picks the members with ``ORDER BY``, ``LIMIT`` and ``OFFSET`` in a subquery and joins
what is shown to those members only.

With several conditions, each is a subquery of its own. The scope's default graph is the
union of a dozen graphs, and pyoxigraph probes every one of them for each row of the
pattern it starts from; it starts from the class (15,341 projects) whatever the filters,
so a title filter took 0.9 s on the full corpus. A subquery is evaluated on its own and
joined by hash, so each condition costs what it matches (``/projects?text=`` 0.15 s; a
filter by topic or field 0.04 s). Classes are a UNION, not ``VALUES``, for the same reason.

Members are ordered by IRI. pyoxigraph's ``ORDER BY ?s`` looks up the text of two IRIs
for every comparison (0.7 s for the 15,341 projects); the members of a kind share one
namespace, so they are ordered by the rest of their IRI (a short string compared in
memory, 0.1 s) and then by IRI: the same order, and a total one even for a member minted
elsewhere.

>>> listing = Listing(where=("?s a <http://ex.org/C>",), namespace="http://ex.org/",
...                   shown="?s ?p ?o", template=(("?s", "?p", "?o"),))
>>> print(count_query(listing))
SELECT (COUNT(*) AS ?total) WHERE { { SELECT DISTINCT ?s WHERE { ?s a <http://ex.org/C> } } }
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from skillsgraph.api.access import GraphScope
from skillsgraph.api.execution import QueryRunner, Solutions
from skillsgraph.errors import BadInputError

# A term of a template: "?name" (a variable of the shown pattern, or ?s) or an IRI.
TemplateTriple = tuple[str, str, str]
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Listing:
    """What a collection lists (the resources ``?s`` that meet every condition of
    ``where``, each a group graph pattern; ``namespace``: the IRI namespace they are minted
    in) and what it shows of each (``shown``, a pattern over ``?s``, and the triples it
    makes, ``template``)."""

    where: tuple[str, ...]
    namespace: str
    shown: str
    template: tuple[TemplateTriple, ...]


@dataclass(frozen=True)
class Page:
    """The number of members in all, the members of one page in order, and the triples
    shown of them."""

    total: int
    members: list[str]
    triples: list[ox.Triple]


def count_query(listing: Listing) -> str:
    """The query counting the members of ``listing``."""
    members = f"SELECT DISTINCT ?s WHERE {{ {_members(listing)} }}"
    return f"SELECT (COUNT(*) AS ?total) WHERE {{ {{ {members} }} }}"


def page_query(listing: Listing, *, limit: int, offset: int) -> str:
    """The query for one page: each row binds a member ``?s``, its sort ``?key`` and (if
    any) the variables of what is shown of it, in page order."""
    namespace = ox.Literal(listing.namespace)
    return f"""SELECT * WHERE {{
  {{ SELECT DISTINCT ?s ?key WHERE {{
      {_members(listing)}
      BIND(STRAFTER(STR(?s), {namespace}) AS ?key)
    }} ORDER BY ?key ?s LIMIT {int(limit)} OFFSET {int(offset)} }}
  OPTIONAL {{ {listing.shown} }}
}} ORDER BY ?key ?s"""


async def fetch_page(
    runner: QueryRunner, scope: GraphScope, listing: Listing, *, limit: int, offset: int
) -> Page:
    """The page of ``listing`` that starts at ``offset`` (at most ``limit`` members)."""
    counted = await _select(runner, scope, count_query(listing))
    total_term = counted.rows[0]["total"] if counted.rows else None
    total = int(total_term.value) if isinstance(total_term, ox.Literal) else 0
    if offset >= total:
        return Page(total, [], [])
    rows = (await _select(runner, scope, page_query(listing, limit=limit, offset=offset))).rows
    # A blank node has no key, no route and no IRI to describe: it is counted, not shown.
    members = list(dict.fromkeys(r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode)))
    triples = {t for row in rows for t in _instantiate(listing.template, row)}
    return Page(total, members, sorted(triples, key=str))


def iri_value(parameter: str, value: str) -> str:
    """``value`` as a SPARQL IRI term, or a BadInputError naming ``parameter``."""
    try:
        return str(ox.NamedNode(value.strip()))
    except ValueError as exc:
        raise BadInputError(
            f"{parameter}: {value!r} is not an IRI; give the full IRI (http://...)"
        ) from exc


def is_iri(value: str) -> bool:
    """Whether a parameter's value is meant as an IRI (it starts with a scheme)."""
    return _SCHEME.match(value.strip()) is not None


def reference(parameter: str, value: str, predicate: str, code: str, var: str) -> str:
    """``?s <predicate> X`` where X is ``value`` if it is an IRI, or else whatever has
    ``value`` as its code (``<code>``, e.g. ``skos:notation``): a filter by IRI or code."""
    if is_iri(value):
        return f"?s <{predicate}> {iri_value(parameter, value)} ."
    return f"?{var} <{code}> {ox.Literal(value.strip())} . ?s <{predicate}> ?{var} ."


def text_filter(text: str, predicates: Sequence[str], var: str) -> str:
    """Members with a value of one of ``predicates`` containing ``text`` (ignoring case)."""
    needle = ox.Literal(text.strip().lower())
    values = " UNION ".join(f"{{ ?s <{p}> ?{var} }}" for p in predicates)
    return f"{values} FILTER(CONTAINS(LCASE(STR(?{var})), {needle}))"


def _members(listing: Listing) -> str:
    if len(listing.where) == 1:
        return listing.where[0]
    return " ".join(f"{{ SELECT ?s WHERE {{ {c} }} }}" for c in listing.where)


def _instantiate(template: tuple[TemplateTriple, ...], row: ox.QuerySolution) -> list[ox.Triple]:
    """The triples ``template`` makes with the bindings of ``row`` (as CONSTRUCT does: a
    triple with an unbound or misplaced term is left out)."""
    triples = []
    for s, p, o in template:
        subject, predicate, obj = _term(s, row), _term(p, row), _term(o, row)
        if (
            isinstance(subject, ox.NamedNode | ox.BlankNode)
            and isinstance(predicate, ox.NamedNode)
            and isinstance(obj, ox.NamedNode | ox.BlankNode | ox.Literal)
        ):
            triples.append(ox.Triple(subject, predicate, obj))
    return triples


def _term(token: str, row: ox.QuerySolution) -> object:
    return row[token[1:]] if token.startswith("?") else ox.NamedNode(token)


async def _select(runner: QueryRunner, scope: GraphScope, query: str) -> Solutions:
    answer = await runner.run(query, default_graphs=scope.graphs, named_graphs=scope.graphs)
    assert isinstance(answer, Solutions)
    return answer
