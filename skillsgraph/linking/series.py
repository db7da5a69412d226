"""The mapping-function adapter: link a column of mentions to ESCO skill IRIs.

The mapping engine registers :func:`link_skills` as ``sgf:linkSkill`` (and, with
``output="score"`` / ``"method"``, as ``sgf:linkScore`` / ``sgf:linkMethod``); it takes a
Polars Series of mentions and returns a Series of IRIs of the same length (null where the
value is null or blank, or where no skill reaches ``min_score``).

>>> import polars as pl
>>> link_skills(pl.Series(["Python", None, "zzzz"])).to_list()
['http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d', None, None]
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from skillsgraph.errors import BadInputError
from skillsgraph.linking.linker import DEFAULT_MIN_SCORE, Candidate, SkillLinker

LinkOutput = Literal["iri", "score", "method"]


def link_skills(
    values: pl.Series,
    *,
    language: str = "en",
    min_score: float = DEFAULT_MIN_SCORE,
    linker: SkillLinker | None = None,
    output: LinkOutput = "iri",
) -> pl.Series:
    """The ESCO skill IRI of each value (see the module docstring); ``linker`` defaults to
    one over the project's ESCO data for ``language`` (built once, then cached).

    ``output`` chooses what of the link is returned: ``iri``, ``score`` (0..1, an
    xsd:decimal lexical form) or ``method`` (the ``sg:linkMethod`` value); null where
    there is no link, so the three columns agree record by record.
    """
    try:
        texts = values.cast(pl.String)
    except pl.exceptions.PolarsError as exc:
        raise BadInputError(
            f"link_skills: column {values.name!r} of type {values.dtype} cannot be read as "
            "text; expected strings (skill mentions)"
        ) from exc
    chosen = linker if linker is not None else SkillLinker.from_esco(languages=(language,))
    found = chosen.link_many(texts.to_list(), language=language, min_score=min_score)
    return pl.Series(values.name, [_output(c, output) for c in found], dtype=pl.String)


def _output(found: Candidate | None, output: LinkOutput) -> str | None:
    if found is None:
        return None
    if output == "score":
        return f"{found.score:.4f}".rstrip("0").rstrip(".")
    return found.method if output == "method" else found.iri
