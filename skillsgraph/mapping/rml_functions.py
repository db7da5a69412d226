"""Functions in RML Turtle: legacy RML-FNML ``fnml:functionValue`` into a FunctionCall.

A function value is written as a small triples map without a subject: one predicate-object
map whose predicate is ``fno:executes`` names the function, and each other one gives a
parameter (its predicate) and the argument (its object map, which may hold a function value
of its own)::

    rr:objectMap [ fnml:functionValue [
        rr:predicateObjectMap [ rr:predicate fno:executes; rr:object grel:toUpperCase ];
        rr:predicateObjectMap [ rr:predicate grel:valueParameter;
                                rr:objectMap [ rml:reference "name" ] ] ] ]

Functions are checked against the registry at compile time (unknown function, missing or
unknown parameter), so such mistakes are reported with file, line and triples map.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import pyoxigraph as ox

from skillsgraph.errors import MappingError
from skillsgraph.mapping.model import FunctionCall, TermMap
from skillsgraph.mapping.rml_context import RR as _RR
from skillsgraph.mapping.rml_context import Context
from skillsgraph.mapping.turtle_lines import Node

_EXECUTES = (
    "https://w3id.org/function/ontology#executes",
    "http://w3id.org/function/ontology#executes",
)


def function_call(ctx: Context, node: Node, argument: Callable[[Node], TermMap]) -> FunctionCall:
    """The call that the function value ``node`` describes; ``argument`` compiles an
    argument's object map."""
    ctx.check(node, "a function value")
    function: str | None = None
    arguments: list[tuple[str, TermMap]] = []
    for pom in ctx.nodes(node, _RR + "predicateObjectMap", "a predicate-object map"):
        ctx.check(pom, "a predicate-object map")
        values = _values(ctx, pom, argument)
        for parameter in _parameters(ctx, pom):
            if parameter in _EXECUTES:
                function = _function(ctx, pom, values)
            else:
                arguments.extend((parameter, value) for value in values)
    if function is None:
        raise ctx.error(
            node,
            "fnml:functionValue names no function; expected a predicate-object map "
            "[ rr:predicate fno:executes; rr:object grel:toUpperCase ]",
        )
    where = ctx.where(node)
    call = FunctionCall(where, function, tuple(arguments))
    try:
        ctx.functions.get(function).bind(call)
    except MappingError as exc:
        raise ctx.error(node, str(exc).removeprefix(f"{where}: ")) from exc
    return call


def _parameters(ctx: Context, pom: Node) -> list[str]:
    """The parameter IRIs (or fno:executes) that a predicate-object map gives."""
    names: list[str] = []
    for value in ctx.objects(pom, _RR + "predicate"):
        if not isinstance(value, ox.NamedNode):
            raise ctx.error(pom, f"rr:predicate is {value}; expected a parameter IRI")
        names.append(value.value)
    for node in ctx.nodes(pom, _RR + "predicateMap", "a predicate map"):
        constants = [v for v in ctx.objects(node, _RR + "constant") if isinstance(v, ox.NamedNode)]
        if len(constants) != 1:
            raise ctx.error(node, "a function parameter is named by one rr:constant IRI")
        names.append(constants[0].value)
    if not names:
        raise ctx.error(
            pom, "expected rr:predicate fno:executes or a parameter such as grel:valueParameter"
        )
    return names


def _values(ctx: Context, pom: Node, argument: Callable[[Node], TermMap]) -> list[TermMap]:
    out: list[TermMap] = []
    for value in ctx.objects(pom, _RR + "object"):
        where = ctx.where(pom, _RR + "object")
        if isinstance(value, ox.BlankNode):
            raise ctx.error(pom, "rr:object is a blank node; expected an IRI or a literal")
        if isinstance(value, ox.NamedNode):
            out.append(TermMap(where, "iri", constant=value.value))
        else:
            out.append(TermMap(where, "literal", constant=value.value))
    out.extend(argument(n) for n in ctx.nodes(pom, _RR + "objectMap", "an argument map"))
    if not out:
        raise ctx.error(pom, "a function parameter needs rr:object or rr:objectMap; found neither")
    return out


def _function(ctx: Context, pom: Node, values: list[TermMap]) -> str:
    if len(values) != 1 or values[0].term_type != "iri" or values[0].constant is None:
        raise ctx.error(pom, "fno:executes needs one constant function IRI, e.g. grel:toUpperCase")
    iri = values[0].constant
    if iri not in ctx.functions:
        close = difflib.get_close_matches(iri, list(ctx.functions), n=1, cutoff=0.8)
        hint = f"; did you mean <{close[0]}>?" if close else ""
        raise ctx.error(pom, f"unknown function <{iri}>{hint}")
    return iri
