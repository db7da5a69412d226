"""Check the ontology with the HermiT reasoner: is it consistent, is any class unsatisfiable?

The Turtle modules in ``ontology/`` are parsed with rdflib, merged (without ``owl:imports``,
so nothing is fetched), written as RDF/XML to a temporary folder and loaded into a fresh
owlready2 ``World``; owlready2 then runs HermiT (Java) over it. An inconsistent ontology is
a result (``consistent=False``), not an error; missing Java or a reasoner crash raise
:class:`~skillsgraph.errors.ReasoningError` with what to do about it.

>>> report = check_ontology()  # doctest: +SKIP
>>> report.consistent, report.unsatisfiable  # doctest: +SKIP
(True, ())
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from skillsgraph.errors import ReasoningError

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
"""The ontology modules, one ``<stem>.ttl`` per topic."""

EXTERNAL_DIR = ONTOLOGY_DIR / "external"
"""Copies of the external vocabularies, each in its own folder with its SOURCE.md."""

DECLARATIONS = EXTERNAL_DIR / "declarations.ttl"
"""OWL 2 declarations of the external terms the modules reference."""

_FIX_JAVA = (
    "HermiT needs Java 11 or newer: run scripts/ensure-java.sh "
    "(installs default-jre-headless), or pass java='/path/to/bin/java'"
)
_JAVA_LOCK = threading.Lock()  # owlready2 reads the Java path from a module global


@dataclass(frozen=True)
class OntologyReport:
    """What HermiT found: consistency, the unsatisfiable classes (IRIs), and the cost."""

    consistent: bool
    unsatisfiable: tuple[str, ...]
    classes: int
    seconds: float
    files: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        """True when the ontology is consistent and every class can have members."""
        return self.consistent and not self.unsatisfiable


def ontology_files(*, include_external: bool = False) -> tuple[Path, ...]:
    """List the ontology modules and the external declarations, plus the copied external
    vocabularies (``ontology/external/*/*.ttl``) when ``include_external`` is true."""
    files = [*sorted(ONTOLOGY_DIR.glob("*.ttl")), DECLARATIONS]
    if include_external:
        files += external_vocabularies()
    return tuple(files)


def external_vocabularies() -> list[Path]:
    """The copied external vocabularies (ESCO model, ELM, EURIO, DPV, DCAT, qb)."""
    return sorted(EXTERNAL_DIR.glob("*/*.ttl"))


def check_ontology(
    paths: Sequence[Path] | None = None,
    *,
    include_external: bool = False,
    java: str | None = None,
) -> OntologyReport:
    """Run HermiT over ``paths`` (default: :func:`ontology_files`) and report the result.

    ``include_external`` adds the copied external vocabularies; it is off by default because
    they are large and partly outside OWL 2 DL (see ``ontology/README.md``). ``java`` is the
    Java executable (default: ``java`` on the PATH).
    """
    started = time.perf_counter()
    files = tuple(paths) if paths is not None else ontology_files()
    if include_external and paths is not None:
        files += tuple(external_vocabularies())
    elif include_external:
        files = ontology_files(include_external=True)
    java_exe = _find_java(java)
    graph = merge(files)
    consistent, unsatisfiable = _run_hermit(graph, java_exe, files)
    return OntologyReport(
        consistent=consistent,
        unsatisfiable=unsatisfiable,
        classes=_count_classes(graph),
        seconds=time.perf_counter() - started,
        files=files,
    )


def merge(paths: Sequence[Path]) -> Graph:
    """Parse each Turtle (or other RDF) file into one graph, dropping ``owl:imports``."""
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format=_format(path))
        except Exception as exc:  # rdflib raises many parser-specific types
            raise ReasoningError(
                f"{path}: cannot parse the ontology file: {exc}; fix the syntax "
                "(rdflib's message above gives the line)"
            ) from exc
    graph.remove((None, OWL.imports, None))
    return graph


def _format(path: Path) -> str:
    return {".ttl": "turtle", ".nt": "nt", ".owl": "xml", ".rdf": "xml"}.get(path.suffix, "turtle")


def _count_classes(graph: Graph) -> int:
    named = {s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    named |= {s for s in graph.subjects(RDF.type, RDFS.Class) if isinstance(s, URIRef)}
    return len(named)


def _find_java(java: str | None) -> str:
    found = shutil.which(java or "java")
    if found is None:
        raise ReasoningError(f"Java not found ({java or 'java'!r} is not on the PATH). {_FIX_JAVA}")
    return found


def _run_hermit(graph: Graph, java: str, paths: Sequence[Path]) -> tuple[bool, tuple[str, ...]]:
    """Serialise ``graph`` as RDF/XML, load it in a fresh World and classify it with HermiT."""
    with tempfile.TemporaryDirectory(prefix="skillsgraph-hermit-") as tmp:
        rdfxml = Path(tmp) / "ontology.owl"
        graph.serialize(rdfxml, format="xml")
        world = owlready2.World()
        try:
            with _quiet(), _java_exe(java):
                world.get_ontology(rdfxml.as_uri()).load()
                consistent = _reason(world)
            unsatisfiable = () if not consistent else _unsatisfiable(world)
        except (owlready2.OwlReadyOntologyParsingError, TypeError) as exc:
            # owlready2 raises TypeError ("metaclass conflict") for punned terms it cannot
            # turn into Python classes, e.g. a term that is both a class and a property.
            raise ReasoningError(
                f"owlready2 cannot read the merged ontology ({', '.join(p.name for p in paths)}): "
                f"{exc}; keep the files within OWL 2 DL (no term both a class and a property)"
            ) from exc
        finally:
            world.close()
    return consistent, unsatisfiable


def _reason(world: owlready2.World) -> bool:
    """Run HermiT; False when it finds the ontology inconsistent."""
    try:
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    except owlready2.OwlReadyJavaError as exc:
        raise ReasoningError(
            f"HermiT failed: {str(exc).strip()[-2000:]}. If Java itself failed, {_FIX_JAVA}; "
            "if HermiT rejected the ontology, keep it within OWL 2 DL"
        ) from exc
    except OSError as exc:
        raise ReasoningError(f"cannot start Java: {exc}. {_FIX_JAVA}") from exc
    return True


def _unsatisfiable(world: owlready2.World) -> tuple[str, ...]:
    """IRIs of the named classes HermiT found equivalent to ``owl:Nothing``."""
    nothing = str(OWL.Nothing)
    iris = {str(cls.iri) for cls in world.inconsistent_classes()}
    return tuple(sorted(iri for iri in iris if iri != nothing))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Swallow what owlready2 prints and warns while loading and reasoning."""
    sink = io.StringIO()
    with (
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _java_exe(java: str) -> Iterator[None]:
    """Point owlready2 at ``java`` for the duration of one run (thread-safe)."""
    with _JAVA_LOCK:
        previous = owlready2.JAVA_EXE
        owlready2.JAVA_EXE = java
        try:
            yield
        finally:
            owlready2.JAVA_EXE = previous
