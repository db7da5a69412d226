"""Link free-text skill mentions (English, French) to ESCO skills.

- :class:`SkillLinker` holds one label index per language (:mod:`.index`, cached);
  :meth:`SkillLinker.link` ranks candidates for one mention, :meth:`SkillLinker.link_many`
  picks the best for many (repeats linked once);
- :func:`link_skills` is the same over a Polars Series, for the mapping engine;
- every :class:`Candidate` carries its score (1.0 for an exact label) and its method, the
  values of ``sg:linkScore`` and ``sg:linkMethod``.

>>> linker = SkillLinker.from_esco(languages=("en",))
>>> [(c.label, c.score, c.method) for c in linker.link("Python", top=1)]
[('Python (computer programming)', 1.0, 'alt-label')]
"""

from skillsgraph.linking.index import LabelIndex, build_index, clear_cache, label_index
from skillsgraph.linking.labels import ESCO_DIR, SkillLabels, read_skill_labels
from skillsgraph.linking.linker import DEFAULT_MIN_SCORE, Candidate, LinkMethod, SkillLinker
from skillsgraph.linking.normalise import normalise
from skillsgraph.linking.series import link_skills

__all__ = [
    "DEFAULT_MIN_SCORE",
    "ESCO_DIR",
    "Candidate",
    "LabelIndex",
    "LinkMethod",
    "SkillLabels",
    "SkillLinker",
    "build_index",
    "clear_cache",
    "label_index",
    "link_skills",
    "normalise",
    "read_skill_labels",
]
