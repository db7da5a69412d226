"""Functions callable from mappings (RML-FNML ``functionValue``, YARRRML ``function:``).

A function is registered under its IRI with its parameters (each known by one or more
IRIs: the FnO parameter and the predicate that YARRRML and legacy RML use for it, plus a
short name). Its implementation receives one argument per parameter, in order, either a
Python ``str`` (a constant argument) or a Polars expression (an argument that depends on
the record), and returns a Polars expression. So a function is vectorised whenever Polars
can express it; plain Python is the fallback:

- ``expr=``: builds a Polars expression (vectorised; the string functions below);
- ``series=``: maps whole ``pl.Series`` to a ``pl.Series`` (vectorised in the library
  that implements it, e.g. rapidfuzz for skill linking);
- ``scalar=``: a plain Python function of one value per argument (one call per distinct
  row; use only when nothing else fits, e.g. a cryptographic hash).

A function returns a string (or null: no term) or, with ``multi=True``, a list of
strings (one term per item). ``strict=True`` means that a null result for non-null
arguments is a failure: the record is rejected with the function's reason (a date that
does not parse is a defect, not a missing value).

>>> import polars as pl
>>> call = default_registry().get(GREL + "toUpperCase")
>>> pl.DataFrame({"x": ["ab", None]}).select(call.build(pl.col("x"))).to_series().to_list()
['AB', None]
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

from skillsgraph.errors import MappingError
from skillsgraph.mapping.model import FunctionCall, Location

if TYPE_CHECKING:
    from skillsgraph.linking.series import LinkOutput

GREL = "http://users.ugent.be/~bjdmeest/function/grel.ttl#"
IDLAB = "https://w3id.org/imec/idlab/function#"
SGF = "https://w3id.org/skillsgraph/function#"

Arg = pl.Expr | str
ExprBuilder = Callable[..., pl.Expr]


@dataclass(frozen=True)
class Parameter:
    """One parameter: its names (IRIs and a short name) and whether it may be omitted."""

    names: tuple[str, ...]
    required: bool = True

    @property
    def label(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Function:
    """A registered function: how to build its expression from its arguments."""

    iri: str
    parameters: tuple[Parameter, ...]
    build_expr: ExprBuilder
    multi: bool = False
    strict: bool = False
    description: str = ""

    def build(self, *args: Arg | None) -> pl.Expr:
        return self.build_expr(*args)

    def bind(self, call: FunctionCall) -> list[int | None]:
        """For each parameter, the index of the call's argument that gives it (or None)."""
        positions: list[int | None] = []
        names = [name for name, _ in call.arguments]
        for param in self.parameters:
            found = [i for i, name in enumerate(names) if name in param.names]
            if not found and param.required:
                raise MappingError(
                    f"{call.where}: function <{self.iri}> needs parameter {param.label}; "
                    f"the call gives {', '.join(names) or 'no parameter'}"
                )
            positions.append(found[0] if found else None)
        known = {n for p in self.parameters for n in p.names}
        for name in names:
            if name not in known:
                expected = ", ".join(p.label for p in self.parameters) or "no parameter"
                raise MappingError(
                    f"{call.where}: function <{self.iri}> has no parameter {name}; "
                    f"expected {expected}"
                )
        return positions


class FunctionRegistry:
    """Functions by IRI. :func:`default_registry` holds the built-in ones; copy it with
    :meth:`copy` to add your own without changing it for everyone."""

    def __init__(self, functions: Sequence[Function] = ()) -> None:
        self._functions = {f.iri: f for f in functions}

    def copy(self) -> FunctionRegistry:
        return FunctionRegistry(list(self._functions.values()))

    def __contains__(self, iri: object) -> bool:
        return iri in self._functions

    def __iter__(self) -> Any:
        return iter(sorted(self._functions))

    def get(self, iri: str, where: Location | None = None) -> Function:
        if iri in self._functions:
            return self._functions[iri]
        close = difflib.get_close_matches(iri, list(self._functions), n=1, cutoff=0.8)
        hint = f"; did you mean <{close[0]}>?" if close else ""
        prefix = f"{where}: " if where is not None else ""
        raise MappingError(
            f"{prefix}unknown function <{iri}>: no implementation is registered{hint} "
            "(built-in: GREL string functions, idlab-fn:equal/concat, sgf:parseDate, "
            "sgf:sha256, sgf:slug, sgf:linkSkill, sgf:linkScore, sgf:linkMethod; register "
            "others with FunctionRegistry)"
        )

    def register(
        self,
        iri: str,
        parameters: Sequence[str | Sequence[str] | Parameter],
        *,
        expr: ExprBuilder | None = None,
        series: Callable[..., pl.Series] | None = None,
        scalar: Callable[..., str | None] | None = None,
        multi: bool = False,
        strict: bool = False,
        description: str = "",
    ) -> Function:
        """Register a function given by exactly one of ``expr``, ``series``, ``scalar``.

        A parameter is a name, a sequence of alternative names, or a :class:`Parameter`.
        """
        given = [x for x in (expr, series, scalar) if x is not None]
        if len(given) != 1:
            raise ValueError("register: give exactly one of expr=, series= or scalar=")
        params = tuple(_parameter(p) for p in parameters)
        dtype: pl.DataType = pl.List(pl.String()) if multi else pl.String()
        if series is not None:
            build = _series_builder(series, dtype)
        elif scalar is not None:
            build = _scalar_builder(scalar, dtype)
        else:
            assert expr is not None
            build = expr
        function = Function(iri, params, build, multi, strict, description)
        self._functions[iri] = function
        return function


def _parameter(spec: str | Sequence[str] | Parameter) -> Parameter:
    if isinstance(spec, Parameter):
        return spec
    if isinstance(spec, str):
        return Parameter((spec,))
    return Parameter(tuple(spec))


def _as_expr(arg: Arg | None) -> pl.Expr:
    if arg is None:
        return pl.lit(None, dtype=pl.String)
    return pl.lit(arg, dtype=pl.String) if isinstance(arg, str) else arg


def _series_builder(fn: Callable[..., pl.Series], dtype: pl.DataType) -> ExprBuilder:
    def build(*args: Arg | None) -> pl.Expr:
        exprs = [_as_expr(a) for a in args]
        return pl.map_batches(exprs, lambda s: fn(*s), return_dtype=dtype, is_elementwise=True)

    return build


def _scalar_builder(fn: Callable[..., str | None], dtype: pl.DataType) -> ExprBuilder:
    def per_batch(*columns: pl.Series) -> pl.Series:
        rows = zip(*(c.to_list() for c in columns), strict=True)
        seen: dict[tuple[Any, ...], str | None] = {}
        out = []
        for row in rows:
            if row not in seen:
                seen[row] = fn(*row)
            out.append(seen[row])
        return pl.Series(out, dtype=dtype)

    return _series_builder(per_batch, dtype)


# --- built-in functions ---------------------------------------------------------------


def _value(*names: str) -> Parameter:
    return Parameter(names)


VALUE = _value(GREL + "valueParam", GREL + "valueParameter", "value")


def _upper(value: Arg) -> pl.Expr:
    return _as_expr(value).str.to_uppercase()


def _lower(value: Arg) -> pl.Expr:
    return _as_expr(value).str.to_lowercase()


def _trim(value: Arg) -> pl.Expr:
    return _as_expr(value).str.strip_chars()


def _length(value: Arg) -> pl.Expr:
    return _as_expr(value).str.len_chars().cast(pl.String)


def _replace(value: Arg, find: Arg, replacement: Arg) -> pl.Expr:
    return _as_expr(value).str.replace_all(_as_expr(find), _as_expr(replacement), literal=True)


def _split(value: Arg, separator: Arg) -> pl.Expr:
    items = _as_expr(value).str.split(_as_expr(separator)).list.eval(pl.element().str.strip_chars())
    return items.list.eval(pl.element().filter(pl.element() != ""))


def _substring(value: Arg, start: Arg, end: Arg | None) -> pl.Expr:
    begin = _as_expr(start).cast(pl.Int64)
    text = _as_expr(value)
    if end is None:
        return text.str.slice(begin)
    return text.str.slice(begin, _as_expr(end).cast(pl.Int64) - begin)


def _concat(first: Arg, second: Arg, delimiter: Arg | None) -> pl.Expr:
    parts = [_as_expr(first), _as_expr(second)]
    separator = delimiter if isinstance(delimiter, str) else ""
    return pl.concat_str(parts, separator=separator, ignore_nulls=False)


def _equal(first: Arg, second: Arg) -> pl.Expr:
    same = _as_expr(first) == _as_expr(second)
    return pl.when(same).then(pl.lit("true")).otherwise(pl.lit("false"))


def _normalize_space(value: Arg) -> pl.Expr:
    return _as_expr(value).str.replace_all(r"\s+", " ").str.strip_chars()


def _slug(value: Arg) -> pl.Expr:
    text = _as_expr(value).str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "-")
    return text.str.strip_chars("-")


# strftime-style formats: the common ones named, any other given as %-pattern.
_DATE_FORMATS = {"iso": "%Y-%m-%d", "dd/mm/yyyy": "%d/%m/%Y", "mm/dd/yyyy": "%m/%d/%Y"}


def _parse_date(value: Arg, fmt: Arg | None) -> pl.Expr:
    name = "iso" if fmt is None else fmt
    pattern = _DATE_FORMATS.get(name, name) if isinstance(name, str) else ""
    if "%" not in pattern:
        raise MappingError(
            f"sgf:parseDate: format {fmt!r} must be a constant such as iso, dd/mm/yyyy "
            "or a strftime pattern such as %d.%m.%Y"
        )
    text = _as_expr(value).str.strip_chars()
    return text.str.to_date(pattern, strict=False).dt.to_string("%Y-%m-%d")


def _sha256(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def _link(output: LinkOutput) -> Callable[[pl.Series, pl.Series, pl.Series], pl.Series]:
    def link(values: pl.Series, language: pl.Series, min_score: pl.Series) -> pl.Series:
        from skillsgraph.linking import link_skills  # lazily: the index is built on first use

        lang = language.drop_nulls()
        score = min_score.drop_nulls()
        kwargs: dict[str, Any] = {"language": str(lang[0]) if len(lang) else "en"}
        if len(score):
            kwargs["min_score"] = float(score[0])
        return link_skills(values, output=output, **kwargs)

    return link


@cache
def default_registry() -> FunctionRegistry:
    """The built-in functions (GREL and IDLab names for the standard ones; ``sgf:`` ours)."""
    r = FunctionRegistry()
    r.register(GREL + "toUpperCase", [VALUE], expr=_upper, description="upper case")
    r.register(GREL + "toLowerCase", [VALUE], expr=_lower, description="lower case")
    r.register(GREL + "string_trim", [VALUE], expr=_trim, description="strip spaces")
    r.register(GREL + "string_length", [VALUE], expr=_length, description="length")
    r.register(
        GREL + "string_replace",
        [
            VALUE,
            (GREL + "param_find", GREL + "p_string_find", "find"),
            (GREL + "param_replace", GREL + "p_string_replace", "replace"),
        ],
        expr=_replace,
        description="replace every occurrence of find (literal text) by replace",
    )
    r.register(
        GREL + "string_split",
        [VALUE, (GREL + "p_string_sep", GREL + "param_sep", "separator")],
        expr=_split,
        multi=True,
        description="split on a separator; items stripped, empty items dropped",
    )
    r.register(
        GREL + "string_substring",
        [
            VALUE,
            (GREL + "p_int_i_from", "from"),
            Parameter((GREL + "p_int_i_opt_to", "to"), required=False),
        ],
        expr=_substring,
        description="characters from index `from` (0-based) up to `to` (exclusive)",
    )
    r.register(
        IDLAB + "concat",
        [
            (IDLAB + "str", "str"),
            (IDLAB + "otherStr", "otherStr"),
            Parameter((IDLAB + "delimiter", "delimiter"), required=False),
        ],
        expr=_concat,
        description="str + delimiter + otherStr",
    )
    r.register(
        IDLAB + "equal",
        [
            (IDLAB + "str", GREL + "valueParameter", "str"),
            (IDLAB + "otherStr", GREL + "valueParameter2", "otherStr"),
        ],
        expr=_equal,
        description='"true" when both values are equal, else "false"',
    )
    r.register(
        SGF + "normalizeSpace",
        [VALUE],
        expr=_normalize_space,
        description="collapse runs of white space to one space and trim",
    )
    r.register(
        SGF + "slug",
        [VALUE],
        expr=_slug,
        description="lower case, runs of non letters/digits replaced by '-'",
    )
    r.register(
        SGF + "parseDate",
        [VALUE, Parameter((SGF + "format", "format"), required=False)],
        expr=_parse_date,
        strict=True,
        description="a date in the given format (default iso) as xsd:date lexical form",
    )
    r.register(SGF + "sha256", [VALUE], scalar=_sha256, description="SHA-256, hex")
    link_parameters = [
        VALUE,
        Parameter((SGF + "language", "language"), required=False),
        Parameter((SGF + "minScore", "minScore"), required=False),
    ]
    outputs: list[tuple[str, LinkOutput, str]] = [
        ("linkSkill", "iri", "the IRI of the ESCO skill a free-text mention links to"),
        ("linkScore", "score", "the score (0..1) of that link, as xsd:decimal"),
        ("linkMethod", "method", "how that link was made (the sg:linkMethod value)"),
    ]
    for name, output, description in outputs:
        r.register(
            SGF + name,
            link_parameters,
            series=_link(output),
            description=f"{description} (or nothing)",
        )
    return r
