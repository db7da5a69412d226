"""Label search over ESCO skills and occupations, in any language, ranked.

A concept matches when one of its labels (preferred, alternative or hidden) contains the
text, ignoring case. Ranking: a label equal to the text beats one starting with it, which
beats one merely containing it; a preferred label beats an alternative one, which beats a
hidden one; then shorter matching labels first, then the IRI (a stable order for paging).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from skillsgraph.api.access import GraphScope
from skillsgraph.api.execution import QueryRunner, Solutions
from skillsgraph.namespaces import ESCO, SKOS

Kind = Literal["skill", "occupation"]
KIND_CLASSES: dict[Kind, str] = {"skill": str(ESCO.Skill), "occupation": str(ESCO.Occupation)}


@dataclass(frozen=True)
class Hit:
    """One search result: the concept, its kind, the label that matched best, and its
    preferred labels by language."""

    iri: str
    kind: Kind
    matched: str
    pref_labels: dict[str, str]


@dataclass(frozen=True)
class SearchPage:
    """One page of results and the total number of matching concepts."""

    total: int
    hits: list[Hit]


def _labels(text: str, language: str | None) -> str:
    """Binds ?s, its matching ?label, the label lowercased (?l) and its ?weight (3 preferred,
    2 alternative, 1 hidden). One UNION branch per label property scans fastest."""
    needle = str(ox.Literal(text.lower()))
    language_filter = (
        f"FILTER(LANGMATCHES(LANG(?label), {ox.Literal(language)!s}))" if language else ""
    )
    branches = " UNION ".join(
        f"{{ ?s <{p}> ?label BIND({w} AS ?weight) }}"
        for p, w in ((SKOS.prefLabel, 3), (SKOS.altLabel, 2), (SKOS.hiddenLabel, 1))
    )
    return f"""{branches}
  {language_filter}
  BIND(LCASE(STR(?label)) AS ?l)
  FILTER(CONTAINS(?l, {needle}))"""


def _score(text: str) -> str:
    """Binds ?score: equal beats starts-with beats contains; then the label's weight."""
    needle = str(ox.Literal(text.lower()))
    return f"BIND(IF(?l = {needle}, 30, IF(STRSTARTS(?l, {needle}), 20, 10)) + ?weight AS ?score)"


async def search(
    runner: QueryRunner,
    scope: GraphScope,
    text: str,
    *,
    kinds: list[Kind],
    language: str | None,
    limit: int,
    offset: int,
) -> SearchPage:
    """The ``limit`` best matches for ``text`` from ``offset`` on, and how many there are."""
    labels = _labels(text, language)
    classes = " ".join(f'(<{KIND_CLASSES[k]}> "{k}")' for k in kinds)
    ranked = await _select(
        runner,
        scope,
        f"""SELECT ?s ?kind (MAX(?score) AS ?best) (MIN(STRLEN(?label)) AS ?shortest) WHERE {{
  {{ SELECT ?s ?label ?l ?weight WHERE {{ {labels} }} }}
  VALUES (?class ?kind) {{ {classes} }}
  ?s a ?class .
  {_score(text)}
}} GROUP BY ?s ?kind ORDER BY DESC(?best) ?shortest STR(?s)""",
    )
    page = ranked.rows[offset : offset + limit]
    hits = await _hits(runner, scope, text, labels, page) if page else []
    return SearchPage(len(ranked.rows), hits)


async def _hits(
    runner: QueryRunner,
    scope: GraphScope,
    text: str,
    labels: str,
    page: list[ox.QuerySolution],
) -> list[Hit]:
    """The results of one page: each concept's best matching label and preferred labels."""
    values = " ".join(str(row["s"]) for row in page)
    matched = await _select(
        runner,
        scope,
        f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} {labels} {_score(text)} }} "
        "ORDER BY ?s DESC(?score) STRLEN(?label) STR(?label)",
    )
    preferred = await _select(
        runner,
        scope,
        f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <{SKOS.prefLabel}> ?label }} "
        "ORDER BY ?s ?label",
    )
    best: dict[str, str] = {}
    for row in matched.rows:
        best.setdefault(row["s"].value, row["label"].value)
    pref: dict[str, dict[str, str]] = {}
    for row in preferred.rows:
        label = row["label"]
        assert isinstance(label, ox.Literal)
        pref.setdefault(row["s"].value, {}).setdefault(label.language or "", label.value)
    hits = []
    for row in page:
        iri = row["s"].value
        kind: Kind = "skill" if row["kind"].value == "skill" else "occupation"
        hits.append(Hit(iri, kind, best.get(iri, ""), pref.get(iri, {})))
    return hits


async def _select(runner: QueryRunner, scope: GraphScope, query: str) -> Solutions:
    answer = await runner.run(query, default_graphs=scope.graphs, named_graphs=scope.graphs)
    assert isinstance(answer, Solutions)
    return answer
