"""Reading logical sources into Polars frames of strings, one row per record.

Every frame gets a ``__record`` column: the 1-based number of the record in its source
(for CSV, the data row; the header is not counted), so that rejections can name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from skillsgraph.errors import BadInputError, NotFoundError
from skillsgraph.mapping.model import Source

RECORD = "__record"


@dataclass
class SourceCache:
    """Reads each source once per mapping run; keyed by everything that changes the frame."""

    frames: dict[tuple[str, str, str, str, str | None], pl.DataFrame] = field(default_factory=dict)

    def frame(self, source: Source) -> pl.DataFrame:
        key = (
            str(source.path),
            source.format,
            source.delimiter,
            source.encoding,
            source.iterator,
        )
        if key not in self.frames:
            self.frames[key] = read_source(source)
        return self.frames[key]


def read_source(source: Source) -> pl.DataFrame:
    """Read one logical source as strings, with a ``__record`` column."""
    if not source.path.is_file():
        raise NotFoundError(
            f"{source.where}: source file {source.path} does not exist "
            "(relative paths resolve against the mapping file's folder)"
        )
    if source.format != "csv":
        raise BadInputError(
            f"{source.where}: source format {source.format!r} is not supported by this "
            "version of the engine; expected csv"
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
