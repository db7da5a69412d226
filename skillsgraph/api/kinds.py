"""The kinds of public data the API lists, and where one resource of each kind lives.

A kind is a set of classes (a job posting is an ``sg:JobPosting`` or a
``schema:JobPosting``), the IRI namespace its resources are minted in
(``…/id/job-posting/{key}``), and the route that serves one of them (``/jobs/{key}``). The
key is the rest of the IRI after the namespace, so the URL of a resource and its IRI map
one to one: ``/learning-opportunities/course/unitn-120006`` is
``…/id/course/unitn-120006``.

>>> from skillsgraph.config import Settings
>>> settings = Settings(store="memory")
>>> JOBS.key_of(settings, settings.resource("job-posting", "tech-train-12"), [str(SG.JobPosting)])
'tech-train-12'
>>> LEARNING.key_of(settings, settings.resource("course", "unitn-120006"), [str(SG.Course)])
'course/unitn-120006'
>>> JOBS.key_of(settings, settings.resource("job-posting", "x"), [str(SG.Course)]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from skillsgraph.config import Settings
from skillsgraph.namespaces import DCTERMS, ELM, EURIO, QB, RDFS, SCHEMA, SG

# One path segment of a key: what our mappings mint (tech-train-12, unitn-M112_06, 101052538).
SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]*"


@dataclass(frozen=True)
class Kind:
    """One kind of public data: what it is called, its classes, where its IRIs are minted
    (below the settings' base), the route of one resource, and the predicates a listing
    shows of each (a title, a date)."""

    name: str
    route: str
    classes: tuple[str, ...]
    namespace: str
    key_pattern: str
    shown: tuple[str, ...]

    def namespace_iri(self, settings: Settings) -> str:
        """The IRI every key of this kind is appended to."""
        return f"{settings.base}{self.namespace}"

    def iri(self, settings: Settings, key: str) -> str:
        """The IRI of the resource with ``key``."""
        return self.namespace_iri(settings) + key

    def key_of(self, settings: Settings, iri: str, types: Iterable[str]) -> str | None:
        """The key of ``iri`` if it is a resource of this kind (by its IRI and its types)."""
        namespace = self.namespace_iri(settings)
        if not iri.startswith(namespace) or not set(self.classes) & set(types):
            return None
        key = iri[len(namespace) :]
        return key if re.fullmatch(self.key_pattern, key) else None


JOBS = Kind(
    name="job posting",
    route="job",
    classes=(str(SG.JobPosting), str(SCHEMA.JobPosting)),
    namespace="id/job-posting/",
    key_pattern=SEGMENT,
    shown=(str(SCHEMA.title), str(SCHEMA.datePosted)),
)
LEARNING = Kind(
    name="learning opportunity",
    route="learning_opportunity",
    classes=(
        str(SG.Course),
        str(SG.Programme),
        str(SG.LearningOpportunity),
        str(ELM.LearningOpportunity),
    ),
    namespace="id/",
    key_pattern=rf"(?:course|programme)/{SEGMENT}",
    shown=(str(DCTERMS.title), str(RDFS.label)),  # catalogues title, OULAD labels
)
PROJECTS = Kind(
    name="research project",
    route="project",
    classes=(str(SG.ResearchProject),),
    namespace="id/project/",
    key_pattern=SEGMENT,
    shown=(str(EURIO.identifier), str(EURIO.title)),
)
DATASETS = Kind(
    name="statistical data set",
    route="dataset",
    classes=(str(QB.DataSet), str(SG.LabourStatisticsDataSet)),
    namespace="id/dataset/",
    key_pattern=SEGMENT,
    shown=(str(DCTERMS.title),),
)
KINDS = (JOBS, LEARNING, PROJECTS, DATASETS)
