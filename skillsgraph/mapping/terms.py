"""Polars expressions that turn source columns into N-Triples terms.

A term expression evaluates, for every record, to the N-Triples form of one RDF term
(``<iri>``, ``"text"@en``, ``_:b1``) or to null when a referenced value is null, in which
case no triple is made for that record (RML semantics). Everything here is vectorised: no
Python runs per record.

>>> import polars as pl
>>> from pathlib import Path
>>> from skillsgraph.mapping.model import Location, TermMap
>>> tm = TermMap(Location(Path("m.yml"), 1), "literal", reference="label", language="en")
>>> pl.DataFrame({"label": ['say "hi"']}).select(term_expr(tm, None)).item()
'"say \\\\"hi\\\\""@en'
"""

from __future__ import annotations

import re
import string

import polars as pl
import pyoxigraph as ox

from skillsgraph.errors import MappingError
from skillsgraph.mapping.model import Reference, Template, TermMap

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_LITERAL_FROM = ["\\", '"', "\n", "\r"]
_LITERAL_TO = ["\\\\", '\\"', "\\n", "\\r"]

# R2RML IRI-safe form: every ASCII character that is not unreserved is percent-encoded.
_UNRESERVED = set(string.ascii_letters + string.digits + "-._~")
_IRI_UNSAFE = [chr(c) for c in range(128) if chr(c) not in _UNRESERVED]
_IRI_ENCODED = [f"%{ord(c):02X}" for c in _IRI_UNSAFE]

# What may not appear in an IRI at all (RFC 3987), besides controls; used on values that
# are taken as IRIs as they are (reference-valued IRI term maps).
_IRI_FORBIDDEN = r'[\x00-\x20<>"{}|^`\\]'
_ABSOLUTE = r"^[A-Za-z][A-Za-z0-9+.\-]*:"


def term_expr(tm: TermMap, base: str | None) -> pl.Expr:
    """The N-Triples term of ``tm`` for each record (null where a value is null)."""
    if tm.constant is not None:
        return pl.lit(constant_term(tm, base), dtype=pl.String)
    if tm.term_type == "literal":
        return _literal(_lexical(tm, encode=False), tm)
    if tm.term_type == "blank":
        return pl.lit("_:b") + _lexical(tm, encode=False).hash(seed=7).cast(pl.String)
    return _iri(_lexical(tm, encode=True), base)


def iri_problem_expr(tm: TermMap, base: str | None) -> pl.Expr | None:
    """Null when the value makes a valid IRI, else the reason; None if it cannot fail."""
    if tm.term_type != "iri" or tm.constant is not None:
        return None
    value = _lexical(tm, encode=True)
    absolute = value.str.contains(_ABSOLUTE)
    forbidden = pl.lit(
        'contains a character not allowed in an IRI (space, <, >, ", {, }, |, ^, `, \\)'
    )
    checks = pl.when(value.str.contains(_IRI_FORBIDDEN)).then(forbidden)
    if base is None:
        relative = pl.lit("is a relative IRI and the mapping declares no base")
        return checks.when(~absolute).then(relative).otherwise(None)
    return checks.otherwise(None)


def constant_term(tm: TermMap, base: str | None) -> str:
    """The N-Triples form of a constant term, checked once at compile time."""
    assert tm.constant is not None
    if tm.term_type == "literal":
        return _literal_text(tm.constant, tm)
    if tm.term_type == "blank":
        return f"_:{re.sub(r'[^A-Za-z0-9_]', '_', tm.constant) or 'b'}"
    iri = tm.constant
    if not re.match(_ABSOLUTE, iri):
        if base is None:
            raise MappingError(
                f"{tm.where}: relative IRI {iri!r} cannot be resolved; declare a base"
            )
        iri = base + iri
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise MappingError(f"{tm.where}: {iri!r} is not a valid IRI: {exc}") from exc
    return f"<{iri}>"


def lexical_expr(tm: TermMap) -> pl.Expr:
    """The plain string value of a reference or template term map (no escaping): what a
    function receives as an argument."""
    return _lexical(tm, encode=False)


def _lexical(tm: TermMap, *, encode: bool) -> pl.Expr:
    """The string value of a reference or template (template values IRI-safe if asked)."""
    if tm.function is not None:
        raise MappingError(f"{tm.where}: internal: a function term reached term building")
    if tm.reference is not None:
        return pl.col(tm.reference).cast(pl.String)
    assert tm.template is not None
    return _template(tm.template, encode=encode)


def _template(template: Template, *, encode: bool) -> pl.Expr:
    parts: list[pl.Expr] = []
    for part in template.parts:
        if isinstance(part, Reference):
            value = pl.col(part.name).cast(pl.String)
            if encode:
                value = value.str.replace_many(_IRI_UNSAFE, _IRI_ENCODED)
            parts.append(value)
        else:
            parts.append(pl.lit(part, dtype=pl.String))
    if len(parts) == 1:
        return parts[0]
    # concat_str with ignore_nulls=False: one null reference makes the whole term null.
    return pl.concat_str(parts, ignore_nulls=False)


def _iri(value: pl.Expr, base: str | None) -> pl.Expr:
    if base is not None:
        value = pl.when(value.str.contains(_ABSOLUTE)).then(value).otherwise(pl.lit(base) + value)
    return pl.lit("<") + value + pl.lit(">")


def _literal(value: pl.Expr, tm: TermMap) -> pl.Expr:
    quoted = pl.lit('"') + value.str.replace_many(_LITERAL_FROM, _LITERAL_TO) + pl.lit('"')
    suffix = _literal_suffix(tm)
    return quoted + pl.lit(suffix) if suffix else quoted


def _literal_text(value: str, tm: TermMap) -> str:
    escaped = value
    for src, dst in zip(_LITERAL_FROM, _LITERAL_TO, strict=True):
        escaped = escaped.replace(src, dst)
    return f'"{escaped}"{_literal_suffix(tm)}'


def _literal_suffix(tm: TermMap) -> str:
    if tm.language:
        return f"@{tm.language.lower()}"
    if tm.datatype and tm.datatype != XSD_STRING:
        return f"^^<{tm.datatype}>"
    return ""
