"""Execute a compiled :class:`~skillsgraph.mapping.model.Mapping` with Polars.

Each triples map becomes a handful of vectorised frame operations (select, explode, join);
the result is one frame of quads in N-Triples form, each quad keeping the logical source
(its label: :func:`~skillsgraph.mapping.sources.source_labels`) and record it came from, so
that a record can be rejected whole. No Python code runs per record.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator
from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import polars as pl

from skillsgraph.errors import MappingError
from skillsgraph.mapping.functions import FunctionRegistry, default_registry
from skillsgraph.mapping.jsonsource import JsonReferenceError
from skillsgraph.mapping.model import (
    FunctionCall,
    Mapping,
    ObjectMap,
    PredicateObjectMap,
    ReferencingObjectMap,
    Source,
    TermMap,
    TriplesMap,
)
from skillsgraph.mapping.sources import RECORD, SourceCache, source_labels
from skillsgraph.mapping.terms import constant_term, iri_problem_expr, lexical_expr, term_expr

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RR_DEFAULT_GRAPH = "http://www.w3.org/ns/r2rml#defaultGraph"
DEFAULT_GRAPH = ""
QUAD_SCHEMA = {
    "s": pl.String,
    "p": pl.String,
    "o": pl.String,
    "g": pl.String,
    "source": pl.String,
    "record": pl.UInt32,
    "map": pl.String,
}
REJECTION_SCHEMA = {
    "source": pl.String,
    "record": pl.UInt32,
    "map": pl.String,
    "reason": pl.String,
}


@dataclass(frozen=True)
class MappingResult:
    """The quads a mapping produced, the records it read, and the records it rejected.

    ``quads`` has columns s, p, o, g (N-Triples terms; g is "" for the default graph),
    source, record and map. A record is known by its logical source's label (``source``)
    and its number in it (``record``); a rejected record contributes no quad at all.
    ``records``: the records read, by logical source label.
    """

    mapping: Mapping
    quads: pl.DataFrame
    records: dict[str, int]
    rejections: pl.DataFrame

    @property
    def records_read(self) -> int:
        return sum(self.records.values())

    def unique_quads(self) -> pl.DataFrame:
        return self.quads.select("s", "p", "o", "g").unique(maintain_order=True)

    def nquads(self) -> str:
        """The distinct quads as an N-Quads document."""
        return nquads_text(self.unique_quads())

    def write_nquads(self, out: IO[bytes] | Path) -> None:
        """Write the distinct quads as N-Quads, without building the document in memory."""
        _nquad_lines(self.unique_quads()).write_csv(out, include_header=False, quote_style="never")


def _nquad_lines(quads: pl.DataFrame) -> pl.DataFrame:
    graph = pl.when(pl.col("g") == DEFAULT_GRAPH).then(pl.lit("")).otherwise(" " + pl.col("g"))
    line = pl.concat_str(
        [pl.col("s"), pl.lit(" "), pl.col("p"), pl.lit(" "), pl.col("o"), graph, pl.lit(" .")]
    )
    return quads.select(line.alias("line"))


def nquads_text(quads: pl.DataFrame) -> str:
    """Serialise a frame with s, p, o, g columns of N-Triples terms as N-Quads."""
    if quads.height == 0:
        return ""
    return str(_nquad_lines(quads).select((pl.col("line") + "\n").str.join("")).item())


def run_mapping(
    mapping: Mapping,
    *,
    cache: SourceCache | None = None,
    functions: FunctionRegistry | None = None,
    inputs: MappingOf[str, Any] | None = None,
    labels: MappingOf[Source, str] | None = None,
) -> MappingResult:
    """Run every triples map of ``mapping``; raise :class:`MappingError` on a broken map.

    ``functions``: the registry that mapping functions are looked up in (default: the
    built-in ones). ``inputs``: the records of in-memory sources, by source name (a list
    of dicts, a dict, or a Polars DataFrame). ``labels``: the label of every source of
    the mapping, when several mappings' records must be told apart together (default:
    :func:`~skillsgraph.mapping.sources.source_labels` of this mapping's sources).
    """
    cache = cache or SourceCache(inputs=dict(inputs or {}))
    registry = functions or default_registry()
    names = _labels(mapping, labels)
    quads: list[pl.DataFrame] = []
    rejections: list[pl.DataFrame] = []
    records: dict[str, int] = {}
    for tm in mapping.triples_maps:
        frame = _read(mapping, cache, tm.source)
        records[names[tm.source]] = frame.height
        run = _TriplesMapRun(mapping, tm, frame, cache, registry, names[tm.source])
        produced = run.quads()
        if frame.height and produced.height == 0 and not tm.allow_empty:
            raise MappingError(_empty_message(tm, frame))
        quads.append(produced)
        rejections.extend(run.rejections)
    return _result(mapping, quads, records, rejections)


def iter_mapping(
    mapping: Mapping,
    *,
    functions: FunctionRegistry | None = None,
    inputs: MappingOf[str, Any] | None = None,
    chunk_rows: int | None = None,
    labels: MappingOf[Source, str] | None = None,
) -> Iterator[MappingResult]:
    """Run ``mapping`` source by source, ``chunk_rows`` records at a time, so that a source
    larger than memory can be mapped: each result holds the quads, records and rejections
    of one chunk (CSV files are read in batches; a parent of a join is read whole).
    Without ``chunk_rows``, yields the one result of :func:`run_mapping`.
    """
    if chunk_rows is None:
        yield run_mapping(mapping, functions=functions, inputs=inputs, labels=labels)
        return
    cache = SourceCache(inputs=dict(inputs or {}))
    registry = functions or default_registry()
    names = _labels(mapping, labels)
    by_source: dict[Source, list[TriplesMap]] = {}
    for tm in mapping.triples_maps:
        by_source.setdefault(tm.source, []).append(tm)
    counted: set[str] = set()  # sources that read the same records differently count once
    for source, maps in by_source.items():
        label = names[source]
        first = label not in counted
        counted.add(label)
        produced = dict.fromkeys((tm.name for tm in maps), 0)
        read = 0
        last: pl.DataFrame | None = None
        for frame in cache.chunks(source, _source_references(mapping, source), chunk_rows):
            read += frame.height
            last = frame
            quads, rejections = [], []
            for tm in maps:
                run = _TriplesMapRun(mapping, tm, frame, cache, registry, label)
                quads.append(run.quads())
                produced[tm.name] += quads[-1].height
                rejections.extend(run.rejections)
            records = {label: frame.height} if first else {}
            yield _result(mapping, quads, records, rejections)
        for tm in maps:
            if read and produced[tm.name] == 0 and not tm.allow_empty and last is not None:
                raise MappingError(_empty_message(tm, last, read))


def _labels(mapping: Mapping, given: MappingOf[Source, str] | None) -> MappingOf[Source, str]:
    """The label of each source of ``mapping``: ``given`` (which must name them all) or
    those :func:`source_labels` gives them."""
    sources = [tm.source for tm in mapping.triples_maps]
    if given is None:
        return source_labels(sources)
    missing = [s for s in sources if s not in given]
    if missing:
        raise ValueError(f"labels has no label for the source {missing[0].path}")
    return given


def _result(
    mapping: Mapping,
    quads: list[pl.DataFrame],
    records: dict[str, int],
    rejections: list[pl.DataFrame],
) -> MappingResult:
    """Drop every quad of a rejected record: a record loads whole or not at all."""
    all_rejections = _concat(rejections, REJECTION_SCHEMA).unique(maintain_order=True)
    all_quads = _drop_rejected(_concat(quads, QUAD_SCHEMA), all_rejections)
    return MappingResult(mapping, all_quads, records, all_rejections)


class _TriplesMapRun:
    """The quads of one triples map over its (already read) source frame."""

    def __init__(
        self,
        mapping: Mapping,
        tm: TriplesMap,
        frame: pl.DataFrame,
        cache: SourceCache,
        functions: FunctionRegistry,
        label: str,
    ) -> None:
        self.mapping, self.tm, self.frame, self.cache = mapping, tm, frame, cache
        self.functions = functions
        self.rejections: list[pl.DataFrame] = []
        self.source = label  # the logical source's label, as quads and rejections name it
        self._columns = itertools.count()
        _check_references(tm, frame)
        # Fast path: when the subject and graphs give one term per record, every
        # row-aligned object is computed on the same frame, with no join.
        self.base: pl.DataFrame | None = None
        self.base_graphs: list[str | None] = []
        graphs = [g for g in tm.graphs if g.constant != RR_DEFAULT_GRAPH]
        if all(self._is_aligned(t) for t in (tm.subject, *graphs)):
            self.base = self._aligned_base(frame, tm.subject, tm.graphs)
            self.subjects = self.base.select(RECORD, "s").drop_nulls("s")
        else:
            self.subjects = self._terms(*self._prepare(frame, tm.subject), "s")

    def quads(self) -> pl.DataFrame:
        parts = list(self._class_quads())
        for pom in self.tm.predicate_objects:
            parts.extend(self._pom_quads(pom))
        return _concat(parts, QUAD_SCHEMA)

    def _class_quads(self) -> Iterator[pl.DataFrame]:
        for cls in self.tm.classes:
            if self.base is not None:
                yield from self._aligned_quads(self.base, [RDF_TYPE], pl.lit(f"<{cls}>"))
            else:
                yield from self._expand(self.subjects, [RDF_TYPE], f"<{cls}>", self.tm.graphs)

    def _pom_quads(self, pom: PredicateObjectMap) -> Iterator[pl.DataFrame]:
        predicates = [self._predicate(p) for p in pom.predicates]
        graphs = self.tm.graphs + pom.graphs
        selected = self._selected_records(pom)
        constant = [p for p in predicates if isinstance(p, str)]
        for obj in pom.objects:
            if (
                self.base is not None
                and not pom.graphs
                and len(constant) == len(predicates)
                and isinstance(obj, TermMap)
                and self._is_aligned(obj)
            ):
                frame, term = self._prepare(self.base, obj)
                frame = self._with_term(frame, term, "o")
                if selected is not None:
                    frame = frame.join(selected, on=RECORD, how="semi")
                yield from self._aligned_quads(frame, constant, pl.col("o"))
                continue
            pairs = self._object_pairs(obj)
            if selected is not None:
                pairs = pairs.join(selected, on=RECORD, how="semi")
            yield from self._expand(pairs, predicates, None, graphs)

    def _selected_records(self, pom: PredicateObjectMap) -> pl.DataFrame | None:
        """The records meeting the map's conditions (None: every record)."""
        if not pom.conditions:
            return None
        for cond in pom.conditions:
            if cond.reference not in self.frame.columns:
                raise MappingError(_missing_message(self.tm, cond.reference, self.frame, pom.where))
        test = pl.all_horizontal([pl.col(c.reference) == c.value for c in pom.conditions])
        return self.frame.filter(test.fill_null(False)).select(RECORD)

    def _predicate(self, tm: TermMap) -> str | pl.DataFrame:
        """A constant predicate as its N-Triples form, any other as (record, p) pairs."""
        if tm.constant is not None:
            return constant_term(tm, self.mapping.base)
        return self._terms(*self._prepare(self.frame, tm), "p")

    def _object_pairs(self, obj: ObjectMap) -> pl.DataFrame:
        """A frame of (record, s, o) for one object map."""
        if isinstance(obj, ReferencingObjectMap):
            return self._join(obj)
        objects = self._terms(*self._prepare(self.frame, obj), "o")
        subjects = self.subjects.select(RECORD, "s")
        return objects.join(subjects, on=RECORD, how="inner").select(RECORD, "s", "o")

    def _join(self, ref: ReferencingObjectMap) -> pl.DataFrame:
        parent = self.mapping.get(ref.parent)
        parent_frame = _read(self.mapping, self.cache, parent.source)
        _check_references(parent, parent_frame)
        parent_frame, parent_tm = self._prepare(parent_frame, parent.subject)
        parent_subject = term_expr(parent_tm, self.mapping.base).alias("o")
        if not ref.conditions:
            if parent.source == self.tm.source:
                # the same records: each is joined with itself (parent_frame is prepared)
                pairs = parent_frame.select(RECORD, parent_subject)
                return self.subjects.join(pairs, on=RECORD).select(RECORD, "s", "o")
            objects = parent_frame.select(parent_subject).drop_nulls().unique()
            return self.subjects.select(RECORD, "s").join(objects, how="cross")
        keys = [f"__k{i}" for i in range(len(ref.conditions))]
        child_cols = [c.child for c in ref.conditions]
        missing = [c for c in child_cols if c not in self.frame.columns]
        if missing:
            raise MappingError(_missing_message(self.tm, missing[0], self.frame, ref.where))
        child_keys = self.frame.select(
            RECORD,
            *[pl.col(c.child).alias(k) for c, k in zip(ref.conditions, keys, strict=True)],
        )
        child = self.subjects.join(_explode_lists(child_keys, keys), on=RECORD)
        parent_keys = parent_frame.select(
            parent_subject,
            *[pl.col(c.parent).alias(k) for c, k in zip(ref.conditions, keys, strict=True)],
        )
        parent_keys = _explode_lists(parent_keys, keys).drop_nulls()
        return child.join(parent_keys.unique(), on=keys, how="inner").select(RECORD, "s", "o")

    def _is_aligned(self, tm: TermMap) -> bool:
        """Does ``tm`` give at most one term per record (no split, no list, no multi)?"""
        if tm.split is not None:
            return False
        if any(isinstance(self.frame.schema.get(r), pl.List) for r in tm.references):
            return False
        call = tm.function
        return call is None or not self.functions.get(call.function, call.where).multi

    def _aligned_base(
        self, frame: pl.DataFrame, subject: TermMap, graphs: tuple[TermMap, ...]
    ) -> pl.DataFrame:
        """The source frame with its subject (``s``) and graph terms (``__g0``…) added."""
        frame, term = self._prepare(frame, subject)
        frame = self._with_term(frame, term, "s")
        self.base_graphs = [None] if not graphs else []
        for i, graph in enumerate(graphs):
            if graph.constant == RR_DEFAULT_GRAPH:
                self.base_graphs.append(None)
                continue
            frame, term = self._prepare(frame, graph)
            frame = self._with_term(frame, term, f"__g{i}")
            self.base_graphs.append(f"__g{i}")
        return frame

    def _with_term(self, frame: pl.DataFrame, tm: TermMap, name: str) -> pl.DataFrame:
        """``frame`` with the term of ``tm`` in column ``name`` (null where invalid; the
        records with an invalid term are rejected)."""
        problem = iri_problem_expr(tm, self.mapping.base)
        term = term_expr(tm, self.mapping.base)
        if problem is None:
            return frame.with_columns(term.alias(name))
        frame = frame.with_columns(term.alias(name), problem.alias("__problem"))
        bad = frame.filter(pl.col("__problem").is_not_null())
        if bad.height:
            self._reject(bad, tm, name)
        nulled = pl.when(pl.col("__problem").is_null()).then(pl.col(name))
        return frame.with_columns(nulled.alias(name)).drop("__problem")

    def _aligned_quads(
        self, frame: pl.DataFrame, predicates: list[str], obj: pl.Expr
    ) -> Iterator[pl.DataFrame]:
        for predicate in predicates:
            for graph in self.base_graphs:
                g = pl.lit(DEFAULT_GRAPH) if graph is None else pl.col(graph)
                yield frame.select(
                    pl.col("s"),
                    pl.lit(predicate).alias("p"),
                    obj.alias("o"),
                    g.alias("g"),
                    pl.lit(self.source).alias("source"),
                    pl.col(RECORD).alias("record"),
                    pl.lit(self.tm.name).alias("map"),
                ).drop_nulls(["s", "o", "g"])

    def _reject(self, bad: pl.DataFrame, tm: TermMap, name: str) -> None:
        self.rejections.append(
            bad.select(
                pl.lit(self.source).alias("source"),
                pl.col(RECORD).alias("record"),
                pl.lit(self.tm.name).alias("map"),
                (
                    pl.lit(f"{tm.where}: the {_role(name)} value ")
                    + pl.col(name)
                    + pl.lit(" ")
                    + pl.col("__problem")
                ).alias("reason"),
            )
        )

    def _terms(self, frame: pl.DataFrame, tm: TermMap, name: str) -> pl.DataFrame:
        """(record, name) for every record whose term is valid; invalid ones are rejected."""
        problem = iri_problem_expr(tm, self.mapping.base)
        term = term_expr(tm, self.mapping.base).alias(name)
        if problem is None:
            return frame.select(RECORD, term).drop_nulls(name)
        checked = frame.select(RECORD, term, problem.alias("__problem"))
        bad = checked.filter(pl.col("__problem").is_not_null())
        if bad.height:
            self._reject(bad, tm, name)
        return checked.filter(pl.col("__problem").is_null()).select(RECORD, name).drop_nulls(name)

    def _expand(
        self,
        pairs: pl.DataFrame,
        predicates: list[str | pl.DataFrame],
        constant_object: str | None,
        graph_maps: tuple[TermMap, ...],
    ) -> Iterator[pl.DataFrame]:
        """Every (predicate, graph) combination of the (record, s[, o]) pairs."""
        graphs = self._graph_columns(graph_maps)
        obj = pl.lit(constant_object) if constant_object is not None else pl.col("o")
        for predicate in predicates:
            with_p = pairs
            if isinstance(predicate, pl.DataFrame):
                with_p = pairs.join(predicate, on=RECORD, how="inner")
            p = pl.lit(predicate) if isinstance(predicate, str) else pl.col("p")
            for graph in graphs:
                frame = with_p if graph is None else with_p.join(graph, on=RECORD, how="inner")
                g = pl.lit(DEFAULT_GRAPH) if graph is None else pl.col("g")
                yield frame.select(
                    pl.col("s"),
                    p.alias("p"),
                    obj.alias("o"),
                    g.alias("g"),
                    pl.lit(self.source).alias("source"),
                    pl.col(RECORD).alias("record"),
                    pl.lit(self.tm.name).alias("map"),
                ).drop_nulls(["p", "o"])

    def _graph_columns(self, graph_maps: tuple[TermMap, ...]) -> list[pl.DataFrame | None]:
        if not graph_maps:
            return [None]
        return [
            None
            if gm.constant == RR_DEFAULT_GRAPH
            else self._terms(*self._prepare(self.frame, gm), "g")
            for gm in graph_maps
        ]

    def _prepare(self, frame: pl.DataFrame, tm: TermMap) -> tuple[pl.DataFrame, TermMap]:
        """One row per value of ``tm``: multi-valued references (JSON arrays) and split
        cells exploded, and a function's result computed into a column that the returned
        term map refers to instead."""
        frame = _explode_lists(frame, tm.references)
        frame = _explode(frame, tm)
        if tm.function is None:
            return frame, tm
        frame, column = self._call(frame, tm.function)
        return frame, replace(tm, function=None, reference=column)

    def _call(self, frame: pl.DataFrame, call: FunctionCall) -> tuple[pl.DataFrame, str]:
        """Add the result of ``call`` as a new string column; return the frame and its name."""
        function = self.functions.get(call.function, call.where)
        args: list[pl.Expr | str | None] = []
        for position in function.bind(call):
            if position is None:
                args.append(None)
                continue
            arg = call.arguments[position][1]
            if arg.constant is not None:
                args.append(arg.constant)
            elif arg.function is not None:
                frame, inner = self._call(frame, arg.function)
                args.append(pl.col(inner))
            else:
                args.append(lexical_expr(arg))
        column = f"__fn{next(self._columns)}"
        try:
            frame = frame.with_columns(function.build(*args).alias(column))
        except pl.exceptions.PolarsError as exc:
            raise MappingError(
                f"{call.where}: triples map {self.tm.name!r}: function <{call.function}> "
                f"failed: {exc}"
            ) from exc
        if function.strict:
            self._reject_failed_calls(frame, call, args, column)
        if function.multi:
            frame = frame.explode(column)
        return frame, column

    def _reject_failed_calls(
        self, frame: pl.DataFrame, call: FunctionCall, args: list[pl.Expr | str | None], column: str
    ) -> None:
        """A strict function that gives nothing for a value rejects that record."""
        inputs = [a for a in args if isinstance(a, pl.Expr)]
        if not inputs:
            return
        given = pl.all_horizontal([a.is_not_null() for a in inputs])
        bad = frame.filter(given & pl.col(column).is_null())
        if bad.height == 0:
            return
        shown = pl.concat_str([a.cast(pl.String) for a in inputs], separator=", ")
        self.rejections.append(
            bad.select(
                pl.lit(self.source).alias("source"),
                pl.col(RECORD).alias("record"),
                pl.lit(self.tm.name).alias("map"),
                (
                    pl.lit(f"{call.where}: function <{call.function}> cannot convert ")
                    + shown
                    + pl.lit(f" ({self.functions.get(call.function).description})")
                ).alias("reason"),
            )
        )


def _explode_lists(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> pl.DataFrame:
    """One row per item of each list-typed column (multi-valued JSON references)."""
    for column in dict.fromkeys(columns):
        if column in frame.columns and isinstance(frame.schema[column], pl.List):
            frame = frame.explode(column)
    return frame


def _read(mapping: Mapping, cache: SourceCache, source: Source) -> pl.DataFrame:
    """The frame of ``source``; a JSON reference that matches nothing is reported at the
    term map that makes it, with its triples map."""
    try:
        return cache.frame(source, _source_references(mapping, source))
    except JsonReferenceError as exc:
        for tm in mapping.triples_maps:
            if tm.source != source:
                continue
            for term in _term_maps(tm):
                if exc.reference in term.references:
                    raise MappingError(
                        f"{term.where}: triples map {tm.name!r}: the JSON reference "
                        f"{exc.reference!r} {exc.detail}"
                    ) from exc
        raise


def _source_references(mapping: Mapping, source: object) -> frozenset[str]:
    """Every reference any triples map makes to ``source`` (what a JSON reader must extract)."""
    refs: set[str] = set()
    for tm in mapping.triples_maps:
        if tm.source == source:
            refs.update(r for term in _term_maps(tm) for r in term.references)
            for pom in tm.predicate_objects:
                refs.update(c.reference for c in pom.conditions)
                for obj in pom.objects:
                    if isinstance(obj, ReferencingObjectMap):
                        refs.update(c.child for c in obj.conditions)
        for pom in tm.predicate_objects:
            for obj in pom.objects:
                if isinstance(obj, ReferencingObjectMap) and obj.conditions:
                    parent = mapping.get(obj.parent)
                    if parent.source == source:
                        refs.update(c.parent for c in obj.conditions)
    return frozenset(refs)


def _explode(frame: pl.DataFrame, tm: TermMap) -> pl.DataFrame:
    """Split a multi-valued cell into one row per item (stripped, empties dropped)."""
    if tm.split is None:
        return frame
    refs = tm.references
    if len(refs) != 1:
        raise MappingError(
            f"{tm.where}: split needs a term with exactly one reference; found {len(refs)}"
        )
    col = refs[0]
    exploded = frame.with_columns(pl.col(col).str.split(tm.split)).explode(col)
    item = pl.col(col).str.strip_chars()
    return exploded.with_columns(pl.when(item != "").then(item).otherwise(None).alias(col))


def _check_references(tm: TriplesMap, frame: pl.DataFrame) -> None:
    for term in _term_maps(tm):
        for ref in term.references:
            if ref not in frame.columns:
                raise MappingError(_missing_message(tm, ref, frame, term.where))


def _term_maps(tm: TriplesMap) -> Iterator[TermMap]:
    yield tm.subject
    yield from tm.graphs
    for pom in tm.predicate_objects:
        yield from pom.predicates
        yield from pom.graphs
        yield from (o for o in pom.objects if isinstance(o, TermMap))


def _missing_message(tm: TriplesMap, column: str, frame: pl.DataFrame, where: object) -> str:
    columns = [c for c in frame.columns if c != RECORD]
    close = difflib.get_close_matches(column, columns, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"{where}: triples map {tm.name!r}: column {column!r} is not in {tm.source.path}; "
        f"its columns are {', '.join(columns)}{hint}"
    )


def _empty_message(tm: TriplesMap, frame: pl.DataFrame, records: int | None = None) -> str:
    refs = sorted({r for t in _term_maps(tm) for r in t.references if r in frame.columns})
    empty = [r for r in refs if frame[r].null_count() == frame.height]
    detail = f"; these columns are empty in every record: {', '.join(empty)}" if empty else ""
    return (
        f"{tm.where}: triples map {tm.name!r} produced no quads from "
        f"{frame.height if records is None else records} records "
        f"of {tm.source.path}{detail}. If that is expected, set allowEmpty: true"
    )


def _role(name: str) -> str:
    if name.startswith("__g"):
        return "graph"
    return {"s": "subject", "o": "object", "g": "graph"}.get(name, name)


def _concat(frames: list[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat([f.cast(schema) for f in frames], how="vertical")  # type: ignore[arg-type]


def _drop_rejected(quads: pl.DataFrame, rejections: pl.DataFrame) -> pl.DataFrame:
    if rejections.height == 0:
        return quads
    return quads.join(rejections.select("source", "record"), on=["source", "record"], how="anti")
