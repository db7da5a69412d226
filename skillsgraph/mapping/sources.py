"""Reading logical sources into Polars frames of strings, one row per record.

Every frame gets a ``__record`` column: the 1-based number of the record in its logical
source (for CSV, the data row; the header is not counted; for JSON, the record's place in
the iteration), so that rejections can name it. A record is known by its logical source's
label (:func:`source_labels`) and that number. A source's null values (``Source.nulls``)
are read as missing values here, whatever reads the source next.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from skillsgraph.errors import BadInputError, MappingError, NotFoundError
from skillsgraph.mapping.model import Source

RECORD = "__record"

Inputs = dict[str, Any]
"""In-memory records by source name: a Polars DataFrame, a list of dicts, or a dict."""

_Key = tuple[Source, frozenset[str]]


def source_label(path: Path, iterator: str | None = None) -> str:
    """A logical source's name in quads, rejections and counts: its file path, followed by
    the iterator that selects its records when that is part of its identity.

    >>> source_label(Path("/data/cordis.json"), "$.projects[*]")
    '/data/cordis.json $.projects[*]'
    """
    return str(path) if iterator is None else f"{path} {iterator}"


def source_labels(sources: Iterable[Source]) -> dict[Source, str]:
    """The label of each of ``sources``, records being numbered within each label.

    Each iterator numbers its own records: when one file is read with two iterators,
    record 3 of one is not record 3 of the other, so each is labelled with its iterator. A
    file read with one iterator (or none) keeps its plain path. Sources that differ only in
    how they read the same records (delimiter, encoding, null values) share a label.

    >>> from skillsgraph.mapping.model import Location
    >>> def json(iterator: str) -> Source:
    ...     return Source(Location(Path("m.yml")), Path("/d/a.json"), "json", iterator=iterator)
    >>> sorted(source_labels([json("$.projects[*]"), json("$.deliverables[*]")]).values())
    ['/d/a.json $.deliverables[*]', '/d/a.json $.projects[*]']
    >>> list(source_labels([json("$.projects[*]")]).values())
    ['/d/a.json']
    """
    given = list(sources)
    iterators: dict[Path, set[str | None]] = {}
    for source in given:
        iterators.setdefault(source.path, set()).add(source.iterator)
    return {
        source: source_label(
            source.path, source.iterator if len(iterators[source.path]) > 1 else None
        )
        for source in given
    }


def short_label(label: str, path: Path) -> str:
    """The label of a logical source read from ``path`` without the file's folder, for
    tables and messages.

    >>> short_label("/d/a.json $.projects[*]", Path("/d/a.json"))
    'a.json $.projects[*]'
    """
    return path.name + label.removeprefix(str(path))


@dataclass
class SourceCache:
    """Reads each source once per mapping run; keyed by everything that changes the frame.

    ``inputs`` holds the records of in-memory sources, by name.
    """

    inputs: Inputs = field(default_factory=dict)
    frames: dict[_Key, pl.DataFrame] = field(default_factory=dict)

    def frame(self, source: Source, references: Collection[str] = ()) -> pl.DataFrame:
        """The source as a frame with a column per reference (all columns for CSV)."""
        refs = frozenset(references) if source.format != "csv" else frozenset()
        key = (source, refs)
        if key not in self.frames:
            if source.memory is not None:
                self.frames[key] = without_nulls(self._memory_frame(source, refs), source.nulls)
            else:
                self.frames[key] = read_source(source, refs)
        return self.frames[key]

    def chunks(
        self, source: Source, references: Collection[str], chunk_rows: int
    ) -> Iterator[pl.DataFrame]:
        """The source in frames of at most ``chunk_rows`` records, ``__record`` numbered
        across the whole source. UTF-8 CSV files are streamed (never read whole); other
        sources are read once and sliced."""
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
        if source.memory is None and source.format == "csv" and _is_utf8(source.encoding):
            _check_file(source)
            scan = pl.scan_csv(
                source.path, separator=source.delimiter, infer_schema=False
            ).with_row_index(RECORD, offset=1)
            try:
                for batch in scan.collect_batches(chunk_size=chunk_rows):
                    yield without_nulls(batch, source.nulls)
            except (pl.exceptions.PolarsError, OSError) as exc:
                raise BadInputError(
                    f"{source.where}: cannot read {source.path} as CSV "
                    f"(delimiter {source.delimiter!r}): {exc}"
                ) from exc
            return
        whole = self.frame(source, references)
        for offset in range(0, max(whole.height, 1), chunk_rows):
            yield whole.slice(offset, chunk_rows)

    def _memory_frame(self, source: Source, references: frozenset[str]) -> pl.DataFrame:
        name = source.memory
        assert name is not None
        if name not in self.inputs:
            given = ", ".join(sorted(self.inputs)) or "none"
            raise MappingError(
                f"{source.where}: in-memory source {name!r} was not given to run_mapping "
                f"(inputs given: {given}); pass inputs={{{name!r}: records}}"
            )
        data = self.inputs[name]
        if isinstance(data, pl.DataFrame):
            strings = data.select(pl.all().cast(pl.String))
            return strings.with_row_index(RECORD, offset=1)
        if source.format == "csv":
            rows = [data] if isinstance(data, dict) else list(data)
            return _flat_records(source, rows)
        from skillsgraph.mapping.jsonsource import records_frame

        return records_frame(data, source.iterator, references, source.where)


def _flat_records(source: Source, rows: list[Any]) -> pl.DataFrame:
    """Flat records (dicts of scalars) as a frame of strings, one row per record."""
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise BadInputError(
                f"{source.where}: in-memory record {i} of {source.memory!r} is a "
                f"{type(row).__name__}; expected a dict of column to value"
            )
        for key, value in row.items():
            if isinstance(value, dict | list):
                raise BadInputError(
                    f"{source.where}: in-memory record {i} of {source.memory!r}, field "
                    f"{key!r}: a nested {type(value).__name__} needs a JSON source "
                    "(referenceFormulation: jsonpath), not a CSV-like one"
                )
    columns = list(dict.fromkeys(k for row in rows for k in row))
    data = {c: [None if row.get(c) is None else _text(row[c]) for row in rows] for c in columns}
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))
    return frame.with_row_index(RECORD, offset=1)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def _check_file(source: Source) -> None:
    if not source.path.is_file():
        raise NotFoundError(
            f"{source.where}: source file {source.path} does not exist "
            "(relative paths resolve against the mapping file's folder)"
        )


def read_source(source: Source, references: Collection[str] = ()) -> pl.DataFrame:
    """Read one logical source as strings, with a ``__record`` column."""
    _check_file(source)
    if source.format == "json":
        from skillsgraph.mapping.jsonsource import read_json

        return without_nulls(read_json(source, references), source.nulls)
    if source.format != "csv":
        raise BadInputError(
            f"{source.where}: source format {source.format!r} is not supported; "
            "expected csv or json"
        )
    return without_nulls(_read_csv(source), source.nulls)


def without_nulls(frame: pl.DataFrame, nulls: Collection[str]) -> pl.DataFrame:
    """``frame`` with every value equal to one of ``nulls`` made missing: a null in a
    string column (CSV, in-memory records), an absent item in a list column (JSON, where a
    reference may yield several values). Only whole values match: ``NAME`` is not ``NA``.

    >>> frame = pl.DataFrame({"a": ["1", "NA", "NAME"], "b": [["x", "NA"], ["NA"], []]})
    >>> without_nulls(frame, {"NA"}).rows()
    [('1', ['x']), (None, []), ('NAME', [])]
    """
    if not nulls:
        return frame
    values = pl.Series(sorted(nulls), dtype=pl.String).implode()
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.String:
            columns.append(pl.when(column.is_in(values)).then(None).otherwise(column).alias(name))
        elif dtype == pl.List(pl.String):
            kept = pl.element().filter(~pl.element().is_in(values))
            columns.append(column.list.eval(kept).alias(name))
    return frame.with_columns(columns)


def _read_csv(source: Source) -> pl.DataFrame:
    encoding = "utf8" if source.encoding.lower().replace("-", "") == "utf8" else source.encoding
    try:
        frame = pl.read_csv(
            source.path,
            separator=source.delimiter,
            encoding=encoding,
            infer_schema=False,
        )
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise BadInputError(
            f"{source.where}: cannot read {source.path} as CSV "
            f"(delimiter {source.delimiter!r}, encoding {source.encoding}): {exc}"
        ) from exc
    return frame.with_row_index(RECORD, offset=1)
