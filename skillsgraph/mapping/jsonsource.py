"""Reading JSON and JSON Lines logical sources (RML ``ql:JSONPath``) into Polars frames.

The iterator (a JSONPath, ``$`` when absent) selects the records; each reference is a
JSONPath relative to one record (``Name``, ``$.Name``, ``company.name``, ``['ISO 3166']``,
``skills[*]``, ``items[*].name``). The frame has a ``__record`` column (UInt32, 1-based, in
iteration order) and one ``List(String)`` column per reference, named by the reference, holding
every value it yields for that record: RML makes one term per value, and a template with two
multi-valued references makes their cartesian product.

Values become strings the way the JSONPath natural mapping of the RML-IO registry reads
them: strings as they are; integers in full (``30``); booleans ``true`` / ``false``; other
numbers as their shortest round-trip decimal, written without exponent and without a ``.0``
on whole values (``1.5``, ``0.0000001``, ``1000`` for ``1e3``), which is a lexical form of
xsd:decimal and xsd:double alike and is what Polars writes; ``null`` gives no value. A
reference that yields an array or an object is an error (RML-Core test RMLTC0025b: write
``amounts[*]`` to take the items).

Paths are compiled once into steps (field, ``[n]``, ``[*]`` / ``.*``). JSON Lines, and JSON
iterated by ``$[*]`` or by members ending in ``[*]`` (``$.a.b[*]``), are parsed by Polars with
a schema made from the references, so no Python runs per record; anything else (other
encodings, filters ``[?(...)]``, ``..``, slices, records whose shape varies) is read by a tight
Python traversal giving the same frame, with jsonpath-ng evaluating only the features outside
the compiled subset. Errors say where (mapping line, file, record) and how to fix the path;
:class:`JsonReferenceError` also carries the reference, so the engine can name its term map.

>>> from pathlib import Path
>>> from skillsgraph.mapping.model import Location
>>> data = {"students": [{"Name": "Venus", "Sports": ["tennis", "golf"]}]}
>>> frame = records_frame(data, "$.students[*]", ["Name", "Sports[*]"], Location(Path("m.yml")))
>>> frame.row(0)
(1, ['Venus'], ['tennis', 'golf'])
"""

from __future__ import annotations

import difflib
import gc
import json
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from skillsgraph.errors import BadInputError, MappingError, NotFoundError
from skillsgraph.mapping.jsonpath import (
    MISSING,
    Field,
    Index,
    JsonPath,
    Role,
    Step,
    Wildcard,
    apply_step,
    compile_path,
    evaluate,
    member,
)
from skillsgraph.mapping.model import Location, Source

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

RECORD = "__record"  # the same name as sources.RECORD (not imported: sources imports us)
VALUES = pl.List(pl.String)
_EMPTY = pl.lit([], dtype=VALUES)
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")

# --- values -------------------------------------------------------------------------------


class _Composite(Exception):
    """A reference yielded an array or an object."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


def value_text(value: Any) -> str | None:
    """The string of one JSON value (None for null); arrays and objects are an error.

    >>> [value_text(v) for v in ("a", 30, 1.5, 1e3, 1e-7, True, None)]
    ['a', '30', '1.5', '1000', '0.0000001', 'true', None]
    """
    kind = type(value)
    if kind is str:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float_text(value)
    if value is None:
        return None
    raise _Composite(value)


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "INF" if value > 0 else "-INF"
    digits, exact = Decimal(repr(value)), Decimal(value)
    if abs(digits) < abs(exact):  # on a tie, round half away from zero as Polars does
        exponent = digits.as_tuple().exponent
        assert isinstance(exponent, int)  # a finite number
        step = Decimal(1).scaleb(exponent)
        if (abs(exact) - abs(digits)) * 2 == step:
            digits += step.copy_sign(exact)
    text = format(digits, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _python_column(path: JsonPath, records: Sequence[Any], ctx: _Context) -> pl.Series:
    """The List(String) column of one reference; raise if it is a typo or yields nests."""
    if path.keys is not None:
        return _single_column(path, records, ctx)
    texts: list[str] = []
    owners: list[int] = []
    matched = False
    for number, record in enumerate(records, 1):
        nodes = evaluate(path, record)
        matched = matched or bool(nodes)
        for node in nodes:
            if type(node) is not str:
                try:
                    node = value_text(node)
                except _Composite as exc:
                    raise ctx.composite(path, number, exc.value) from None
                if node is None:
                    continue
            texts.append(node)
            owners.append(number)
    if records and not matched and (error := ctx.no_match(path, records, "reference")):
        raise error
    return _lists(path.text, owners, texts, len(records))


def _single_column(path: JsonPath, records: Sequence[Any], ctx: _Context) -> pl.Series:
    """The column of a reference made of member names only: a plain lookup per record."""
    keys = path.keys
    assert keys is not None
    flat: list[str | None] = []
    matched = False
    for number, record in enumerate(records, 1):
        node = member(record, keys)
        if node is MISSING:
            flat.append(None)
            continue
        matched = True
        if type(node) is str:
            flat.append(node)
            continue
        try:
            flat.append(value_text(node))
        except _Composite as exc:
            raise ctx.composite(path, number, exc.value) from None
    if records and not matched and (error := ctx.no_match(path, records, "reference")):
        raise error
    value = pl.col(path.text)
    wrapped = pl.DataFrame([pl.Series(path.text, flat, dtype=pl.String)]).select(
        pl.when(value.is_null()).then(_EMPTY).otherwise(pl.concat_list(value))
    )
    return wrapped.to_series()


def _lists(name: str, owners: list[int], texts: list[str], height: int) -> pl.Series:
    """A List(String) column of ``height`` rows from values and the 1-based row of each."""
    values = pl.DataFrame(
        [pl.Series(RECORD, owners, dtype=pl.UInt32), pl.Series(name, texts, dtype=pl.String)]
    )
    grouped = values.group_by(RECORD, maintain_order=True).agg(pl.col(name))
    rows = pl.DataFrame([pl.int_range(1, height + 1, dtype=pl.UInt32, eager=True).alias(RECORD)])
    joined = rows.join(grouped, on=RECORD, how="left", maintain_order="left")
    return joined.select(pl.col(name).fill_null(_EMPTY)).to_series()


# --- errors -------------------------------------------------------------------------------


class JsonReferenceError(MappingError):
    """A reference matches nothing in any record, or yields an array or object.

    The message stands alone; ``reference``, ``detail`` and ``record`` (None when no record
    matches) let the engine say it again with the term map's line and triples map.
    """

    def __init__(self, where: Location, reference: str, detail: str, record: int | None) -> None:
        super().__init__(f"{where}: the reference {reference!r} {detail}")
        self.reference, self.detail, self.record = reference, detail, record


@dataclass(frozen=True)
class _Context:
    """What error messages name: the mapping location, the data, the iterator."""

    where: Location
    origin: str
    iterator: str

    def composite(self, path: JsonPath, number: int, value: Any) -> JsonReferenceError:
        kind = "an array" if isinstance(value, list) else "an object"
        if isinstance(value, list):
            fix = f"write {path.text + '[*]'!r} to take each item"
        else:
            fix = f"reference one of its members (its keys are {_listing(list(value))})"
        detail = (
            f"yields {kind} in record {number} of {self.origin} (iterator {self.iterator!r}); "
            f"a reference must yield strings, numbers or booleans: {fix}"
        )
        return JsonReferenceError(self.where, path.text, detail, number)

    def no_match(self, path: JsonPath, roots: Sequence[Any], role: Role) -> MappingError | None:
        """The error for a path that matches nothing in any root, or None if that is fine."""
        miss = _diagnose(path, roots)
        if miss is None:
            return None
        if role == "iterator":
            return MappingError(
                f"{self.where}: the iterator {path.text!r} matches nothing in {self.origin}: {miss}"
            )
        detail = (
            f"matches nothing in any of the {len(roots)} records of {self.origin} "
            f"(iterator {self.iterator!r}): {miss}"
        )
        return JsonReferenceError(self.where, path.text, detail, None)


def _diagnose(path: JsonPath, roots: Sequence[Any]) -> str | None:
    """Why ``path`` selects nothing from ``roots``; None when nothing is the right answer.

    Nothing is right when the path reaches only nulls, empty arrays or indexes past the end;
    it is wrong (a typo, almost always) when a member is absent from every object, or when a
    step meets only values of the wrong kind.
    """
    if path.fallback is not None:
        return None  # a filter may rightly select nothing: no way to tell a typo
    nodes = list(roots)
    for depth, step in enumerate(path.steps):
        found = apply_step(step, nodes)
        live = [n for n in nodes if n is not None]
        if found or not live:
            nodes = found
            if not found:
                return None
            continue
        at = _render(path.steps[:depth])
        objects = [n for n in live if isinstance(n, dict)]
        if isinstance(step, Field):
            if not objects:
                hint = ""
                if any(isinstance(n, list) for n in live):
                    fixed = _render((*path.steps[:depth], Wildcard(), *path.steps[depth:]))
                    hint = f"; to look inside each item, write {fixed!r}"
                return f"the values at {at!r} are {_kinds(live)}, not objects{hint}"
            keys = _keys(objects)
            close = difflib.get_close_matches(step.name, keys, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            listing = _listing(keys)
            return f"no object at {at!r} has the key {step.name!r}; its keys are {listing}{hint}"
        if any(isinstance(n, (list, dict)) for n in live):
            return None
        return f"the values at {at!r} are {_kinds(live)}, not arrays"
    return None


def _keys(objects: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for obj in objects[:10_000]:
        seen.update(dict.fromkeys(obj))
    return list(seen)


def _listing(keys: Sequence[str]) -> str:
    shown = ", ".join(repr(k) for k in keys[:30])
    return (shown + f" and {len(keys) - 30} more") if len(keys) > 30 else (shown or "none")


_KINDS = {dict: "objects", list: "arrays", str: "strings", bool: "booleans", int: "numbers"}


def _kinds(values: Sequence[Any]) -> str:
    return " and ".join(sorted({_KINDS.get(type(v), "numbers") for v in values}))


def _render(steps: Sequence[Step]) -> str:
    parts = ["$"]
    for step in steps:
        if isinstance(step, Field):
            plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", step.name)
            parts.append(f".{step.name}" if plain else f"[{step.name!r}]")
        elif isinstance(step, Index):
            parts.append(f"[{step.index}]")
        else:
            parts.append("[*]")
    return "".join(parts)


# --- public entry points --------------------------------------------------------------------


def read_json(source: Source, references: Collection[str]) -> pl.DataFrame:
    """Read a JSON or JSON Lines source: ``__record`` plus one List(String) column per reference.

    JSON Lines (one document per line) is read when ``source.format`` is ``"jsonl"``, the file
    ends in ``.jsonl`` or ``.ndjson``, or its first line is a whole JSON document followed by
    more; the iterator then applies to each line. An absent iterator means ``$``, except that
    the items of a top-level array are the records.
    """
    origin = str(source.path)
    iterator = compile_path(source.iterator or "$", source.where, role="iterator", origin=origin)
    paths = _compile_references(references, source.where, origin)
    ctx = _Context(source.where, origin, iterator.text)
    lines, first = _sniff(source)
    fast = _polars_frame(source, lines, first, iterator, paths)
    if fast is not None:
        return fast
    with _no_collection():
        documents = _load(source, lines)
        return _frame(documents, iterator, paths, ctx, items=source.iterator is None)


def records_frame(
    data: Any,
    iterator: str | None,
    references: Collection[str],
    where: Location,
    *,
    origin: str = "the in-memory data",
) -> pl.DataFrame:
    """The frame :func:`read_json` gives, over ``data`` as :func:`json.load` would return it.

    ``data`` is one JSON document (a dict, or a list whose items are the records when
    ``iterator`` is None); ``origin`` names it in error messages.
    """
    path = compile_path(iterator or "$", where, role="iterator", origin=origin)
    paths = _compile_references(references, where, origin)
    ctx = _Context(where, origin, path.text)
    with _no_collection():
        return _frame([data], path, paths, ctx, items=iterator is None)


def record_keys(data: Any, iterator: str | None, where: Location) -> list[str]:
    """The keys of the records ``iterator`` selects from ``data``, in first-seen order."""
    path = compile_path(iterator or "$", where, role="iterator")
    records = _iterate([data], path, items=iterator is None)
    return _keys([r for r in records if isinstance(r, dict)])


@contextmanager
def _no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while building acyclic JSON values.

    Parsing allocates one container per JSON object and array; with the collector on, its
    full passes over the growing heap take more time than the parsing itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compile_references(texts: Collection[str], where: Location, origin: str) -> list[JsonPath]:
    paths = []
    for text in dict.fromkeys(texts):
        if text == RECORD:
            raise MappingError(f"{where}: {RECORD!r} is reserved and cannot be a reference")
        paths.append(compile_path(text, where, role="reference", origin=origin))
    return paths


def _iterate(documents: Sequence[Any], iterator: JsonPath, *, items: bool) -> list[Any]:
    records: list[Any] = []
    for document in documents:
        if items and type(document) is list and not iterator.steps:
            records.extend(document)
        else:
            records.extend(evaluate(iterator, document))
    return records


def _frame(
    documents: Sequence[Any],
    iterator: JsonPath,
    paths: Sequence[JsonPath],
    ctx: _Context,
    *,
    items: bool,
) -> pl.DataFrame:
    records = _iterate(documents, iterator, items=items)
    if not records and documents and (error := ctx.no_match(iterator, documents, "iterator")):
        raise error
    columns = []
    for path in paths:
        try:
            columns.append(_python_column(path, records, ctx).alias(path.text))
        except UnicodeEncodeError as exc:
            raise BadInputError(
                f"{ctx.where}: the reference {path.text!r} yields text from {ctx.origin} with "
                f"an unpaired surrogate escape ({exc.object[exc.start : exc.end]!r}), which is "
                "not Unicode text; fix the escape in the data"
            ) from exc
    numbers = pl.int_range(1, len(records) + 1, dtype=pl.UInt32, eager=True).alias(RECORD)
    return pl.DataFrame([numbers, *columns])


# --- files ----------------------------------------------------------------------------------


def _encoding(name: str) -> str:
    return "utf-8" if name.lower().replace("-", "").replace("_", "") == "utf8" else name


def _sniff(source: Source) -> tuple[bool, str]:
    """Whether the file is JSON Lines, and its first significant character ("" if none).

    It is when the format or suffix says so, or when its first line is a whole document
    (an object or array) and more follows.
    """
    lines = str(source.format) == "jsonl" or source.path.suffix.lower() in JSON_LINES_SUFFIXES
    try:
        with source.path.open(encoding=_encoding(source.encoding), errors="replace") as f:
            first, rest = f.readline(1 << 20), f.read(4096)
    except (OSError, LookupError):
        return lines, ""
    start = (first + rest).lstrip("\ufeff \t\r\n")[:1]
    if lines or not first.endswith("\n") or not rest.strip():
        return lines, start
    try:
        return isinstance(json.loads(first.lstrip("\ufeff")), (dict, list)), start
    except ValueError:
        return False, start


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")  # NaN, Infinity: Python accepts them


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _load(source: Source, lines: bool) -> list[Any]:
    """The JSON documents of a file: one, or one per non-blank line for JSON Lines."""
    encoding = _encoding(source.encoding)
    try:
        text = source.path.read_text(encoding="utf-8-sig" if encoding == "utf-8" else encoding)
    except FileNotFoundError as exc:
        raise NotFoundError(f"{source.where}: source file {source.path} does not exist") from exc
    except (OSError, LookupError, UnicodeDecodeError) as exc:
        raise BadInputError(
            f"{source.where}: cannot read {source.path} as {source.encoding} text: {exc}"
        ) from exc
    kind = "JSON Lines" if lines else "JSON"
    if not lines:
        if not text.strip():
            raise BadInputError(f"{source.where}: {source.path} is empty; expected a JSON document")
        return [_decode(text, source, 0, kind)]
    documents = []
    for number, line in enumerate(text.split("\n")):
        if line.strip():
            documents.append(_decode(line, source, number, kind))
    return documents


def _decode(text: str, source: Source, line_offset: int, kind: str) -> Any:
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        hint = ""
        if kind == "JSON" and exc.msg == "Extra data":
            hint = "; it holds more than one document: for JSON Lines, name the file .jsonl"
        elif kind == "JSON Lines":
            hint = " (each line must hold one whole JSON document)"
        raise BadInputError(
            f"{source.where}: {source.path}:{exc.lineno + line_offset}:{exc.colno}: "
            f"not valid {kind}: {exc.msg}{hint}"
        ) from exc
    except ValueError as exc:
        raise BadInputError(f"{source.where}: {source.path} is not valid {kind}: {exc}") from exc


# --- the Polars fast path -------------------------------------------------------------------


def _record_schema(paths: Sequence[JsonPath]) -> dict[str, PolarsDataType] | None:
    """The Polars schema of a record holding exactly what ``paths`` reach, or None."""
    record: PolarsDataType = pl.Struct({})
    for path in paths:
        wildcards = sum(isinstance(s, Wildcard) for s in path.steps)
        if path.fallback is not None or wildcards > 1 or not path.steps:
            return None
        if not isinstance(path.steps[0], Field):
            return None
        needed: PolarsDataType = pl.String()
        for step in reversed(path.steps):
            needed = pl.Struct({step.name: needed}) if isinstance(step, Field) else pl.List(needed)
        merged = _merge(record, needed)
        if merged is None:
            return None  # one path reads a value as a string, another looks inside it
        record = merged
    assert isinstance(record, pl.Struct)
    return {field.name: field.dtype for field in record.fields}


def _merge(a: PolarsDataType, b: PolarsDataType) -> PolarsDataType | None:
    """The dtype that holds what both ``a`` and ``b`` read, or None when they conflict."""
    if isinstance(a, pl.Struct) and isinstance(b, pl.Struct):
        fields = {field.name: field.dtype for field in a.fields}
        for field in b.fields:
            old = fields.get(field.name)
            merged = field.dtype if old is None else _merge(old, field.dtype)
            if merged is None:
                return None
            fields[field.name] = merged
        return pl.Struct(fields)
    if isinstance(a, pl.List) and isinstance(b, pl.List):
        inner = _merge(a.inner, b.inner)
        return None if inner is None else pl.List(inner)
    return a if a == b == pl.String else None


def _values_expr(path: JsonPath) -> pl.Expr:
    """A List(String) expression of the values ``path`` yields from the record columns."""
    first = path.steps[0]
    assert isinstance(first, Field)
    expr = _walk(pl.col(first.name), path.steps[1:])
    star = next((i for i, s in enumerate(path.steps) if isinstance(s, Wildcard)), None)
    if star is None:
        return pl.when(expr.is_null()).then(_EMPTY).otherwise(pl.concat_list(expr))
    listed = _walk(pl.col(first.name), path.steps[1:star])
    if star + 1 < len(path.steps):
        listed = listed.list.eval(_walk(pl.element(), path.steps[star + 1 :]))
    return listed.list.drop_nulls().fill_null(_EMPTY)


def _walk(expr: pl.Expr, steps: Sequence[Step]) -> pl.Expr:
    for step in steps:
        if isinstance(step, Field):
            expr = expr.struct.field(step.name)
        elif isinstance(step, Index):
            expr = expr.list.get(step.index, null_on_oob=True)
    return expr


def _polars_records(
    source: Source, lines: bool, first: str, iterator: JsonPath, schema: dict[str, PolarsDataType]
) -> pl.DataFrame | None:
    """The records as a frame of the schema's columns, or None when Polars cannot say."""
    steps = iterator.steps
    if iterator.fallback is not None:
        return None
    if lines:
        return pl.read_ndjson(source.path, schema=schema) if not steps else None
    if first == "[" and (steps == (Wildcard(),) or (not steps and source.iterator is None)):
        return pl.read_json(source.path, schema=schema)
    fields = steps[:-1]
    if first != "{" or not fields or steps[-1:] != (Wildcard(),):
        return None
    if not all(isinstance(s, Field) for s in fields):
        return None
    nested: PolarsDataType = pl.List(pl.Struct(schema))
    for step in reversed(fields[1:]):
        assert isinstance(step, Field)
        nested = pl.Struct({step.name: nested})
    top = fields[0]
    assert isinstance(top, Field)
    document = pl.read_json(source.path, schema={top.name: nested})
    found = document.select(_walk(pl.col(top.name), fields[1:]).alias("records"))
    if found.get_column("records").null_count():
        return None  # the path is absent: the Python reader says where it stops
    return found.explode("records").unnest("records")


def _polars_frame(
    source: Source, lines: bool, first: str, iterator: JsonPath, paths: Sequence[JsonPath]
) -> pl.DataFrame | None:
    """The frame, read by Polars without Python per record; None when only Python can tell."""
    schema = _record_schema(paths)
    if schema is None or not paths or _encoding(source.encoding) != "utf-8":
        return None
    try:
        records = _polars_records(source, lines, first, iterator, schema)
        if records is None:
            return None
        frame = records.select([_values_expr(p).alias(p.text) for p in paths])
    except (pl.exceptions.PolarsError, OSError):
        return None
    if frame.height and not _plausible(frame):
        return None
    return frame.with_row_index(RECORD, offset=1)


def _plausible(frame: pl.DataFrame) -> bool:
    """False when a column is empty throughout, or may hold an array or object as text.

    Polars reads a nested value where the schema says string as its JSON text; the Python
    reader then decides between a real string and an error. An empty column may be a typo.
    """
    if 0 in frame.select(pl.all().list.len().sum()).row(0):
        return False
    opening = pl.element().str.slice(0, 1).is_in(["[", "{"])
    flagged = frame.select(pl.all().list.eval(opening.any()).explode().any()).row(0)
    for name, hit in zip(frame.columns, flagged, strict=True):
        values = frame.get_column(name).explode() if hit else pl.Series(dtype=pl.String)
        for text in values.filter(values.str.slice(0, 1).is_in(["[", "{"])):
            try:
                if isinstance(json.loads(text), (list, dict)):
                    return False
            except ValueError:
                continue
    return True
