"""An index over the labels of ESCO skills in one language, built once and kept.

The index maps each distinct normalised label to the skills that carry it (best kind
first: preferred, then alternative, then hidden), for exact lookups; and each word to
the labels that contain it, so that fuzzy matching scores only the labels that share a
word (or a similar word, to survive misspellings) with the mention instead of all ~98,000
English labels. On the Decorte validation files that cut the time per mention from about
100 ms to 4 ms without changing the accuracy. (rapidfuzz's ``process.cdist`` would spread
a full scan over both cores, but it needs numpy, which is not a dependency, and would still
score every label.)

Indexes are cached per (ESCO folder, language, accent folding): :func:`label_index` builds
one on first use (about 1 s for English) and returns the same object afterwards.

>>> from skillsgraph.linking.labels import ESCO_DIR
>>> index = label_index(ESCO_DIR, "en")
>>> [index.skills.preferred[e.skill] for e in index.lookup("python")]
['Python (computer programming)']
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from skillsgraph.linking.labels import KIND_ORDER, Label, SkillLabels, read_skill_labels
from skillsgraph.linking.normalise import content_tokens, normalise

WORD_CUTOFF = 80.0
"""Two words are similar when their ``fuzz.ratio`` reaches this (``pyhton``/``python``: 83,
``communicate``/``communication``: 83)."""

MIN_FUZZY_WORD = 4
"""Shorter words must match exactly (``sql`` is not ``sas``)."""


@dataclass
class LabelIndex:
    """Distinct normalised labels (:attr:`choices`), the skills behind each, and word postings."""

    skills: SkillLabels
    fold_accents: bool
    choices: list[str]
    entries: list[tuple[Label, ...]]
    exact: dict[str, int]
    postings: dict[str, list[int]]
    words: list[str]
    build_seconds: float
    _similar: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    best_fuzzy: dict[str, tuple[float, Label] | None] = field(default_factory=dict, repr=False)
    """The best fuzzy match of each normalised mention seen so far (filled by the linker):
    a mapping that links one column several times (IRI, score, method) pays once."""

    @property
    def language(self) -> str:
        return self.skills.language

    def normalise(self, text: str) -> str:
        """``text`` normalised the way the labels were."""
        return normalise(text, fold_accents=self.fold_accents)

    def lookup(self, normalised: str) -> tuple[Label, ...]:
        """The labels whose normalised form is exactly ``normalised`` (best kind first)."""
        choice = self.exact.get(normalised)
        return () if choice is None else self.entries[choice]

    def candidates(self, normalised: str) -> list[int]:
        """The choices that share a content word, or a similar word, with ``normalised``."""
        found: set[int] = set()
        for word in content_tokens(normalised):
            for similar in self.similar_words(word):
                found.update(self.postings[similar])
        return sorted(found)

    def corrected(self, normalised: str) -> str:
        """``normalised`` with each word that no label has replaced by its closest label
        word, when one is similar enough (``pyhton`` becomes ``python``)."""
        words = []
        for word in normalised.split():
            similar = () if word in self.postings else self.similar_words(word)
            words.append(similar[0] if similar else word)
        return " ".join(words)

    def similar_words(self, word: str) -> tuple[str, ...]:
        """The label words equal or similar to ``word``, most similar first (cached)."""
        known = self._similar.get(word)
        if known is not None:
            return known
        if len(word) < MIN_FUZZY_WORD:
            similar: tuple[str, ...] = (word,) if word in self.postings else ()
        else:
            matches = process.extract(
                word,
                self.words,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=WORD_CUTOFF,
                limit=None,
            )
            similar = tuple(str(m[0]) for m in sorted(matches, key=lambda m: -m[1]))
        if len(self._similar) > 200_000:  # a bound for long-running processes
            self._similar.clear()
        self._similar[word] = similar
        return similar


def build_index(folder: Path, language: str, *, fold_accents: bool = True) -> LabelIndex:
    """Read the labels of ``language`` from the ESCO folder and index them (not cached)."""
    started = time.perf_counter()
    skills = read_skill_labels(folder, language)
    best: dict[str, dict[int, Label]] = {}
    for label in skills.labels:
        key = normalise(label.text, fold_accents=fold_accents)
        if not key:
            continue
        per_skill = best.setdefault(key, {})
        kept = per_skill.get(label.skill)
        if kept is None or KIND_ORDER[label.kind] < KIND_ORDER[kept.kind]:
            per_skill[label.skill] = label
    choices = list(best)
    entries = [
        tuple(sorted(best[c].values(), key=lambda x: (KIND_ORDER[x.kind], x.skill)))
        for c in choices
    ]
    postings: dict[str, list[int]] = {}
    for i, choice in enumerate(choices):
        for word in set(choice.split()):
            postings.setdefault(word, []).append(i)
    return LabelIndex(
        skills=skills,
        fold_accents=fold_accents,
        choices=choices,
        entries=entries,
        exact={c: i for i, c in enumerate(choices)},
        postings=postings,
        words=list(postings),
        build_seconds=time.perf_counter() - started,
    )


_CACHE: dict[tuple[Path, str, bool], LabelIndex] = {}
_LOCK = threading.Lock()


def label_index(folder: Path, language: str, *, fold_accents: bool = True) -> LabelIndex:
    """The index of ``language`` in ``folder``, built on first use and cached afterwards."""
    key = (folder.resolve(), language, fold_accents)
    with _LOCK:
        index = _CACHE.get(key)
        if index is None:
            index = _CACHE[key] = build_index(key[0], language, fold_accents=fold_accents)
        return index


def clear_cache() -> None:
    """Forget every cached index (after the ESCO files changed on disk)."""
    with _LOCK:
        _CACHE.clear()
