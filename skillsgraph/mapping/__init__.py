"""Declarative mappings from CSV and JSON sources to RDF.

Two syntaxes compile to one model (:mod:`.model`), run by one Polars engine (:mod:`.engine`):
YARRRML (``*.yml``, :mod:`.yarrrml`) and RML in Turtle (``*.rml.ttl`` or ``*.ttl``,
:mod:`.rml`). :func:`compile_mapping` picks the compiler from the file name.
"""

from __future__ import annotations

from pathlib import Path

from skillsgraph.errors import MappingError, NotFoundError
from skillsgraph.mapping.functions import FunctionRegistry
from skillsgraph.mapping.model import Mapping

MAPPING_PATTERNS = ("*.yml", "*.yaml", "*.rml.ttl")
"""The mapping files of a source folder (``mappings/<source>/``)."""

SOURCE_OPTIONS = "source.yml"
"""A source folder's options file (e.g. ``personal: true``), not a mapping."""


def compile_mapping(path: Path, *, functions: FunctionRegistry | None = None) -> Mapping:
    """Compile a YARRRML (``.yml``/``.yaml``) or RML Turtle (``.ttl``) mapping file."""
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        from skillsgraph.mapping.yarrrml import compile_yarrrml

        return compile_yarrrml(path, functions=functions)
    if suffix == ".ttl":
        from skillsgraph.mapping.rml import compile_rml

        return compile_rml(path, functions=functions)
    raise MappingError(
        f"{path}: unknown mapping syntax {suffix or '(no suffix)'!r}; expected YARRRML "
        "(.yml, .yaml) or RML in Turtle (.ttl)"
    )


def read_mapping_text(path: Path, syntax: str) -> str:
    """The text of a mapping file, which must be UTF-8; errors name the file (and line)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"{path}: mapping file not found; expected {syntax} file") from exc
    except OSError as exc:
        raise NotFoundError(f"{path}: cannot read the mapping file: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MappingError(
            f"{path}:{line}: the mapping is not valid UTF-8 (byte {data[exc.start]:#04x}); "
            "expected a UTF-8 text file: re-save it as UTF-8"
        ) from exc


def mapping_files(folder: Path) -> list[Path]:
    """The mapping files of a source folder, sorted by name."""
    found = {p for pattern in MAPPING_PATTERNS for p in folder.glob(pattern)}
    return sorted(p for p in found if p.name != SOURCE_OPTIONS)
