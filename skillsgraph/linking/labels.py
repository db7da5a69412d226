"""Read the labels of ESCO skills, in one language, from the ESCO CSV download.

A language folder (``<esco>/<lang>/``) holds either the full ``skills_<lang>.csv``
(``conceptUri``, ``preferredLabel``, newline-separated ``altLabels`` and ``hiddenLabels``)
or, when only part of a language was published (our French copy), the skill collections
``*SkillsCollection_<lang>.csv`` (``conceptUri``, ``preferredLabel``, ``altLabels``
separated by `` | ``, no hidden labels). The full file is used when present; otherwise the
collections are merged, and :attr:`SkillLabels.complete` is false.

>>> labels = read_skill_labels(ESCO_DIR, "en")
>>> len(labels.iris), labels.complete
(13896, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from skillsgraph.errors import BadInputError, NotFoundError

ESCO_DIR = Path(__file__).resolve().parents[2] / "data" / "esco" / "v1.1.1"
"""The project's copy of ESCO v1.1.1 (CSV, one folder per language)."""

LabelKind = Literal["preferred", "alternative", "hidden"]
KIND_ORDER: dict[LabelKind, int] = {"preferred": 0, "alternative": 1, "hidden": 2}

_LIST_SEPARATOR = re.compile(r"\n| \| ")


@dataclass(frozen=True, slots=True)
class Label:
    """One label of one skill: the skill's position in :attr:`SkillLabels.iris`, its kind."""

    skill: int
    kind: LabelKind
    text: str


@dataclass(frozen=True)
class SkillLabels:
    """The skills of one language: IRIs, preferred labels and every label."""

    language: str
    files: tuple[Path, ...]
    iris: tuple[str, ...]
    preferred: tuple[str, ...]
    labels: tuple[Label, ...]
    complete: bool


def read_skill_labels(folder: Path, language: str) -> SkillLabels:
    """Read every label of every skill of ``language`` from the ESCO folder ``folder``.

    Raises :class:`NotFoundError` when the folder holds no skill file for the language and
    :class:`BadInputError` when a file lacks a column we need.
    """
    lang_dir = folder / language
    full = lang_dir / f"skills_{language}.csv"
    files: tuple[Path, ...]
    if full.is_file():
        files = (full,)
    else:
        files = tuple(sorted(lang_dir.glob(f"*SkillsCollection_{language}.csv")))
    if not files:
        raise NotFoundError(
            f"{lang_dir}: no ESCO skills for language {language!r}: expected {full.name} "
            f"or *SkillsCollection_{language}.csv; download the ESCO CSV classification "
            f"for {language!r} from https://esco.ec.europa.eu/en/use-esco/download into "
            f"{lang_dir}, or pass another ESCO folder"
        )
    iris: dict[str, int] = {}
    preferred: list[str] = []
    labels: list[Label] = []
    for path in files:
        for uri, pref, alts, hidden in _rows(path):
            if not uri or not pref or uri in iris:
                continue
            skill = iris.setdefault(uri, len(iris))
            preferred.append(pref)
            labels.append(Label(skill, "preferred", pref))
            labels.extend(Label(skill, "alternative", t) for t in _split(alts))
            labels.extend(Label(skill, "hidden", t) for t in _split(hidden))
    return SkillLabels(
        language=language,
        files=files,
        iris=tuple(iris),
        preferred=tuple(preferred),
        labels=tuple(labels),
        complete=files == (full,),
    )


def _rows(path: Path) -> list[tuple[str | None, str | None, str | None, str | None]]:
    needed = ["conceptUri", "preferredLabel", "altLabels"]
    try:
        header = pl.read_csv(path, n_rows=0).columns
        if missing := [c for c in needed if c not in header]:
            raise BadInputError(
                f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(header)}; "
                "expected an ESCO skills CSV (conceptUri, preferredLabel, altLabels, "
                "optionally hiddenLabels)"
            )
        columns = needed + (["hiddenLabels"] if "hiddenLabels" in header else [])
        frame = pl.read_csv(path, columns=columns, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise BadInputError(f"{path}: not a readable CSV file: {exc}") from exc
    if "hiddenLabels" not in frame.columns:
        frame = frame.with_columns(hiddenLabels=pl.lit(None, pl.String))
    return list(frame.select(*needed, "hiddenLabels").iter_rows())


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [t for part in _LIST_SEPARATOR.split(cell) if (t := part.strip())]
