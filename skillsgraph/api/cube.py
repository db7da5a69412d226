"""Statistics as RDF Data Cube: a data set's structure, and its observations filtered by
dimension values.

A data set (``qb:DataSet``) has a structure (``qb:structure``) whose components name its
dimensions, measures and attributes (for the Eurostat panel: dimensions ``sg:refArea``,
``sg:refPeriod`` and ``sg:indicator``, measure ``sg:obsValue``, attribute
``sg:unitMeasure``). Observations are filtered by dimension: the query parameter is the
dimension property's local name (``refArea``), its value the IRI of a dimension value, its
code (``skos:notation``: ``AT``, ``ict_share_pc_emp``) or a literal (``2020``, a
``xsd:gYear`` in the panel). Values of one dimension are alternatives; dimensions combine.

>>> sg = "https://w3id.org/skillsgraph/ontology#"
>>> names = [f"{sg}refArea", f"{sg}refPeriod", "http://ex.org/a#refArea"]
>>> [d.parameter for d in parameters(names)]
['sg:refArea', 'refPeriod', 'http://ex.org/a#refArea']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from skillsgraph.api.access import GraphScope
from skillsgraph.api.execution import QueryRunner, Solutions
from skillsgraph.api.jsonld import compact_iri
from skillsgraph.api.listing import Listing, TemplateTriple, iri_value, is_iri
from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.namespaces import QB, RDF, RDFS, SKOS, XSD

_ROLES = f"<{QB.dimension}> <{QB.measure}> <{QB.attribute}>"
# The datatypes a literal dimension value is tried as (a parameter is text).
_LITERAL_TYPES = (
    (XSD.gYear, r"-?\d{4,}"),
    (XSD.gYearMonth, r"-?\d{4,}-\d{2}"),
    (XSD.date, r"-?\d{4,}-\d{2}-\d{2}"),
    (XSD.integer, r"[+-]?\d+"),
    (XSD.decimal, r"[+-]?(\d+(\.\d*)?|\.\d+)"),
)

# What a listing of data sets shows of each besides its types and title: its structure
# (each component's role, property and order, and the property's label).
STRUCTURE_SHOWN = f"""?s <{QB.structure}> ?dsd . ?dsd <{QB.component}> ?component .
    ?component ?role ?property . VALUES ?role {{ {_ROLES} }}
    OPTIONAL {{ ?component <{QB.order}> ?order }}
    OPTIONAL {{ ?property <{RDFS.label}> ?propertyLabel }}"""
STRUCTURE_TEMPLATE: tuple[TemplateTriple, ...] = (
    ("?s", str(QB.structure), "?dsd"),
    ("?dsd", str(QB.component), "?component"),
    ("?component", "?role", "?property"),
    ("?component", str(QB.order), "?order"),
    ("?property", str(RDFS.label), "?propertyLabel"),
)


@dataclass(frozen=True)
class Dimension:
    """A dimension of a data set and the query parameter that filters by it."""

    property: str
    parameter: str


def parameters(properties: Sequence[str]) -> list[Dimension]:
    """Each dimension property with its parameter: its local name, or its compact IRI if
    two dimensions share a local name."""
    local = [re.split(r"[#/]", p)[-1] for p in properties]
    return [
        Dimension(p, name if local.count(name) == 1 and name else compact_iri(p))
        for p, name in zip(properties, local, strict=True)
    ]


async def dimensions(
    runner: QueryRunner, scope: GraphScope, dataset: str, classes: Sequence[str]
) -> list[Dimension]:
    """The dimensions of ``dataset`` in their ``qb:order``; NotFoundError if the scope has
    no data set with that IRI."""
    types = " ".join(f"<{c}>" for c in classes)
    query = f"""SELECT ?dimension ?order WHERE {{
  VALUES ?type {{ {types} }} {iri_value("dataset", dataset)} a ?type .
  OPTIONAL {{
    {iri_value("dataset", dataset)} <{QB.structure}>/<{QB.component}> ?component .
    ?component <{QB.dimension}> ?dimension . OPTIONAL {{ ?component <{QB.order}> ?order }}
  }}
}}"""
    answer = await runner.run(query, default_graphs=scope.graphs, named_graphs=scope.graphs)
    assert isinstance(answer, Solutions)
    if not answer.rows:
        raise NotFoundError(f"no statistical data set {dataset} in the data this server shares")
    found = {
        row["dimension"].value: _order(row["order"])
        for row in answer.rows
        if isinstance(row["dimension"], ox.NamedNode)
    }
    return parameters(sorted(found, key=lambda d: (found[d], d)))


def observations(
    dataset: str, namespace: str, filters: Mapping[Dimension, Sequence[str]]
) -> Listing:
    """The observations of ``dataset`` whose dimensions have the given values; each is
    shown with all its triples and the labels and types of the resources it points to."""
    where = [f"?s <{QB.dataSet}> {iri_value('dataset', dataset)}"]
    for n, (dimension, values) in enumerate(filters.items()):
        where.append(_dimension_filter(dimension, values, n))
    return Listing(
        where=tuple(where),
        namespace=namespace,
        shown=f"?s ?p ?o OPTIONAL {{ ?o <{SKOS.prefLabel}> ?label }} OPTIONAL {{ ?o a ?type }}",
        template=(
            ("?s", "?p", "?o"),
            ("?o", str(SKOS.prefLabel), "?label"),
            ("?o", str(RDF.type), "?type"),
        ),
    )


def _dimension_filter(dimension: Dimension, values: Sequence[str], n: int) -> str:
    """``?s`` has one of ``values`` for ``dimension``: as IRIs, literals, or codes."""
    terms: list[str] = []
    codes: list[str] = []
    for value in (v.strip() for v in values):
        if not value:
            raise BadInputError(f"{dimension.parameter}: give a value (an IRI, code or literal)")
        if is_iri(value):
            terms.append(iri_value(dimension.parameter, value))
        else:
            terms.append(str(ox.Literal(value)))
            terms.extend(
                str(ox.Literal(value, datatype=ox.NamedNode(str(datatype))))
                for datatype, pattern in _LITERAL_TYPES
                if re.fullmatch(pattern, value)
            )
            codes.append(str(ox.Literal(value)))
    v, c = f"?dim{n}", f"?code{n}"
    direct = f"{{ VALUES {v} {{ {' '.join(terms)} }} ?s <{dimension.property}> {v} }}"
    if not codes:
        return direct
    coded = f"VALUES {c} {{ {' '.join(codes)} }} {v} <{SKOS.notation}> {c} ."
    return f"{{ {direct} UNION {{ {coded} ?s <{dimension.property}> {v} }} }}"


def _order(term: object) -> float:
    if isinstance(term, ox.Literal):
        try:
            return float(term.value)
        except ValueError:
            pass
    return float("inf")
