"""Link free-text skill mentions to ESCO skills: exact labels first, then fuzzy matching.

A mention is normalised (:mod:`skillsgraph.linking.normalise`) and looked up among the
normalised ESCO labels: an exact match on a preferred, alternative or hidden label gives
score 1.0 and method ``exact-label``, ``alt-label`` or ``hidden-label`` (the terms of
``sg:linkMethod``). Then every label that shares a word (or a similar word) with the
mention is scored with rapidfuzz's ``token_set_ratio``, and the best 100 are re-scored as
``0.7 * token_set_ratio + 0.3 * ratio`` (method ``fuzzy``, score below 1.0). A mention with
a word that no label has is also scored with that word replaced by the closest label word
(``pyhton`` by ``python``), the score scaled down by how much the mention was changed.

Why these scorers: ``token_set_ratio`` gives full marks when the words of a label are a
subset of the mention (``"experience with Python"`` contains ``python``), which suits job-ad
phrases; alone it ties every label contained in the mention, so ``ratio`` (plain edit
similarity) breaks the ties in favour of the label closest in length. On the Decorte
validation files this gave 0.46 top-1 and 0.68 top-5 accuracy, against 0.37-0.39 and
0.52-0.59 for ``WRatio``, ``token_sort_ratio`` or ``ratio`` in its place
(``bench/link_decorte.py --tune``).

>>> linker = SkillLinker.from_esco(languages=("en",))
>>> best = linker.link("Pyhton programming", top=1)[0]
>>> best.label, best.score, best.method
('Python (computer programming)', 0.8878, 'fuzzy')
>>> linker.link_many(["Python", "python", "qqqq"])  # doctest: +ELLIPSIS
[Candidate(...method='alt-label', matched='Python'), Candidate(...), None]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process

from skillsgraph.errors import BadInputError
from skillsgraph.linking.index import LabelIndex, label_index
from skillsgraph.linking.labels import ESCO_DIR, KIND_ORDER, Label, LabelKind

LinkMethod = Literal["exact-label", "alt-label", "hidden-label", "fuzzy", "manual"]
"""How a mention was linked (``sg:linkMethod``); the linker never says ``manual``."""

METHOD_OF: dict[LabelKind, LinkMethod] = {
    "preferred": "exact-label",
    "alternative": "alt-label",
    "hidden": "hidden-label",
}

DEFAULT_MIN_SCORE = 0.9
"""Below this a best candidate is not taken as a link by :meth:`SkillLinker.link_many`:
on the Decorte validation files about 6 in 10 links at 0.9 or more are right, against
under 5 in 10 at 0.85 (``bench/link_decorte.py`` prints the table)."""

SET_WEIGHT = 0.7
"""Weight of ``token_set_ratio`` in the fuzzy score; ``ratio`` has the rest."""

SCORER = fuzz.token_set_ratio
"""The first scorer (a rapidfuzz scorer on 0..100); ``bench/link_decorte.py --tune``
compares it with others."""

POOL = 100
"""How many labels the first scorer passes on to the re-scoring."""


@dataclass(frozen=True)
class Candidate:
    """An ESCO skill proposed for a mention.

    ``label`` is the skill's preferred label in the mention's language, ``matched`` the
    ESCO label (of any kind) that matched; ``score`` is 1.0 for an exact label match and
    below 1.0 for a fuzzy one.
    """

    iri: str
    label: str
    score: float
    method: LinkMethod
    matched: str


@dataclass(frozen=True)
class SkillLinker:
    """Links mentions to ESCO skills, with one label index per language.

    Build it with :meth:`from_esco` and keep it; the indexes are cached per ESCO folder and
    language, so a second ``from_esco`` costs nothing.
    """

    indexes: Mapping[str, LabelIndex]

    @classmethod
    def from_esco(
        cls,
        folder: Path | str | None = None,
        *,
        languages: Sequence[str] = ("en", "fr"),
        fold_accents: bool = True,
    ) -> SkillLinker:
        """A linker over the ESCO CSV folder (default: the project's ``data/esco/v1.1.1``)."""
        root = Path(folder) if folder is not None else ESCO_DIR
        if not languages:
            raise BadInputError("SkillLinker.from_esco: give at least one language, e.g. 'en'")
        return cls({lang: label_index(root, lang, fold_accents=fold_accents) for lang in languages})

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.indexes)

    def link(self, text: str, *, language: str = "en", top: int = 5) -> list[Candidate]:
        """The ``top`` best ESCO skills for ``text``, best first (empty for blank text).

        Exact label matches come first (preferred, alternative, hidden), then fuzzy ones;
        each skill appears once, with its best label.
        """
        index = self._index(language)
        if top < 1:
            raise BadInputError(f"link: top must be 1 or more, got {top}")
        normalised = index.normalise(text)
        if not normalised:
            return []
        found: dict[int, Candidate] = {}
        for label in index.lookup(normalised):
            found.setdefault(label.skill, _candidate(index, label, 1.0, METHOD_OF[label.kind]))
        if len(found) < top:
            for score, label in _fuzzy(index, normalised, pool=max(POOL, 4 * top)):
                if label.skill not in found:
                    found[label.skill] = _candidate(index, label, score, "fuzzy")
                    if len(found) >= top:
                        break
        return list(found.values())[:top]

    def link_many(
        self,
        texts: Sequence[str | None],
        *,
        language: str = "en",
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> list[Candidate | None]:
        """The best skill for each text, in order; None for a blank or null text or when the
        best score is below ``min_score``. Repeated mentions (after normalisation) are
        linked once."""
        index = self._index(language)
        if not 0.0 <= min_score <= 1.0:
            raise BadInputError(f"link_many: min_score must be within 0..1, got {min_score}")
        best: dict[str, Candidate | None] = {}
        results: list[Candidate | None] = []
        for text in texts:
            normalised = index.normalise(text) if text is not None else ""
            if normalised not in best:
                best[normalised] = _best(index, normalised)
            found = best[normalised]
            results.append(found if found is not None and found.score >= min_score else None)
        return results

    def _index(self, language: str) -> LabelIndex:
        index = self.indexes.get(language)
        if index is None:
            loaded = ", ".join(self.indexes) or "none"
            raise BadInputError(
                f"language {language!r} is not loaded (loaded: {loaded}); build the linker "
                f"with SkillLinker.from_esco(languages=(..., {language!r}))"
            )
        return index


def _best(index: LabelIndex, normalised: str) -> Candidate | None:
    if not normalised:
        return None
    exact = index.lookup(normalised)
    if exact:
        return _candidate(index, exact[0], 1.0, METHOD_OF[exact[0].kind])
    if normalised not in index.best_fuzzy:
        scored = _fuzzy(index, normalised, pool=POOL)
        index.best_fuzzy[normalised] = scored[0] if scored else None
    hit = index.best_fuzzy[normalised]
    return _candidate(index, hit[1], hit[0], "fuzzy") if hit else None


def _fuzzy(index: LabelIndex, normalised: str, *, pool: int) -> list[tuple[float, Label]]:
    """Fuzzy-scored labels (score in 0..1), best first; ties go to the better kind."""
    ids = index.candidates(normalised)
    if not ids:
        return []
    subset = [index.choices[i] for i in ids]
    best: dict[int, float] = {}
    corrected = index.corrected(normalised)
    queries = [(normalised, 1.0)]
    if corrected != normalised:
        queries.append((corrected, fuzz.ratio(normalised, corrected) / 100))
    for query, factor in queries:
        first = process.extract(query, subset, scorer=SCORER, processor=None, limit=pool)
        for choice, set_score, position in first:
            blended = SET_WEIGHT * set_score + (1 - SET_WEIGHT) * fuzz.ratio(query, choice)
            score = min(round(factor * blended / 100, 4), 0.9999)
            i = ids[position]
            best[i] = max(best.get(i, 0.0), score)
    scored: list[tuple[float, Label]] = []
    for i, score in best.items():
        scored.extend((score, label) for label in index.entries[i])
    scored.sort(key=lambda x: (-x[0], KIND_ORDER[x[1].kind], len(x[1].text), x[1].skill))
    return scored


def _candidate(index: LabelIndex, label: Label, score: float, method: LinkMethod) -> Candidate:
    return Candidate(
        iri=index.skills.iris[label.skill],
        label=index.skills.preferred[label.skill],
        score=score,
        method=method,
        matched=label.text,
    )
