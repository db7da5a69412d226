"""Reading logical sources into Polars frames of strings, one row per record.

Every frame gets a ``__record`` column: the 1-based number of the record in its source
(for CSV, the data row; the header is not counted), so that rejections can name it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from skillsgraph.errors import BadInputError, MappingError, NotFoundError
from skillsgraph.mapping.model import Source

RECORD = "__record"

Inputs = dict[str, Any]
"""In-memory records by source name: a Polars DataFrame, a list of dicts, or a dict."""

_Key = tuple[str, str, str, str, str | None, str | None, frozenset[str]]


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
        key = (
            str(source.path),
            source.format,
            source.delimiter,
            source.encoding,
            source.iterator,
            source.memory,
            refs,
        )
        if key not in self.frames:
            if source.memory is not None:
                self.frames[key] = self._memory_frame(source, refs)
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
                yield from scan.collect_batches(chunk_size=chunk_rows)
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

        return read_json(source, references)
    if source.format != "csv":
        raise BadInputError(
            f"{source.where}: source format {source.format!r} is not supported; "
            "expected csv or json"
        )
    return _read_csv(source)


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
