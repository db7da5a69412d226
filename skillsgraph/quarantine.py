"""Rejected records and the quarantine report (JSON Lines) that keeps them with reasons.

A SHACL violation names a focus node; the records rejected for it are those whose quads
have that node as subject (or, failing that, as object). A violation no record can be
blamed for is an error: nothing may be dropped without a record to show for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from skillsgraph.errors import ValidationFailedError
from skillsgraph.validation import Finding


@dataclass(frozen=True)
class Rejected:
    """One record not loaded, and why. ``source`` is the label of the logical source the
    record was read from (its file, followed by its iterator when the file is read with
    several; :func:`~skillsgraph.mapping.sources.source_labels`); ``record`` its number there.
    """

    source: str
    record: int
    triples_map: str | None
    focus: str | None
    path: str | None
    message: str
    severity: str = "Violation"

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Rejected:
        """A record the mapping engine rejected (e.g. a value that is no valid IRI)."""
        return cls(row["source"], int(row["record"]), row["map"], None, None, row["reason"])


def findings_to_rejections(findings: Sequence[Finding], quads: pl.DataFrame) -> list[Rejected]:
    """The records behind each violation, found through the quads they produced."""
    out: list[Rejected] = []
    for finding in findings:
        term = f"<{finding.focus}>" if not finding.focus.startswith("_:") else finding.focus
        hits = quads.filter(pl.col("s") == term)
        if hits.height == 0:
            hits = quads.filter(pl.col("o") == term)
        if hits.height == 0:
            raise ValidationFailedError(
                f"a violation on {finding.focus} cannot be traced to any source record: {finding}"
            )
        for row in (
            hits.select("source", "record", "map").unique().sort("source", "record").iter_rows()
        ):
            out.append(
                Rejected(row[0], int(row[1]), row[2], finding.focus, finding.path, finding.message)
            )
    return out


def write_quarantine(
    folder: Path, source: str, rejected: Iterable[Rejected], *, home: Path
) -> Path | None:
    """Write ``<folder>/<source>.jsonl`` (one line per record and reason); None if clean.

    Sources are named with their file relative to ``home`` (the project folder) where it
    lies in it.
    A report left by an earlier ingest of the same source is replaced or removed.
    """
    path = folder / f"{source}.jsonl"
    rows = [{**asdict(r), "source": _relative(r.source, home)} for r in rejected]
    if not rows:
        path.unlink(missing_ok=True)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _relative(source: str, home: Path) -> str:
    """A source label (a resolved file path, perhaps followed by an iterator, which may hold
    any character) with the path made relative to ``home`` where the file lies in it.

    >>> _relative("/p/data/a.json $.items[*]", Path("/p"))
    'data/a.json $.items[*]'
    """
    root = home.resolve().as_posix().rstrip("/") + "/"
    return source.removeprefix(root)
