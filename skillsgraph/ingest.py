"""Ingest a source: map, validate, quarantine what fails, load the rest in one transaction.

A source is a folder ``mappings/<source>/`` with one or more mapping files (YARRRML
``*.yml`` or RML ``*.rml.ttl``) and, optionally, fixed RDF in ``static/*.ttl`` (for
example a Data Cube structure definition), loaded with the mapped quads. Its quads go
into the named graph ``…/graph/source/<source>``, replaced atomically on every ingest
(re-ingesting an unchanged source writes nothing). A record that fails validation is not
loaded: every quad it produced is dropped and it is written, with the reasons, to the
quarantine report. For every logical source (a file, or each iterator of a file read with
several): records read = records loaded + records rejected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyoxigraph as ox
import yaml
from rdflib import Graph, URIRef

from skillsgraph.config import Settings
from skillsgraph.errors import BadInputError, NotFoundError, ValidationFailedError
from skillsgraph.mapping import compile_mapping, mapping_files
from skillsgraph.mapping.engine import (
    DEFAULT_GRAPH,
    RDF_TYPE,
    MappingResult,
    nquads_text,
    run_mapping,
)
from skillsgraph.mapping.model import Source
from skillsgraph.mapping.sources import SourceCache, short_label, source_labels
from skillsgraph.provenance import SourceFileInfo, describe_file, record_ingest
from skillsgraph.quarantine import Rejected, findings_to_rejections, write_quarantine
from skillsgraph.store.base import ReplaceReport, Store
from skillsgraph.validation import (
    Finding,
    ValidationReport,
    load_graph,
    subclass_triples,
    validate_triples,
)

Progress = Callable[[str], None]
RDF_TYPE_REF = URIRef(RDF_TYPE[1:-1])
SG_NS = "https://w3id.org/skillsgraph/ontology#"
_CONTEXT_CHUNK = 2_000  # IRIs per VALUES block when fetching context from the store
ONTOLOGY = "ontology"
# Rounds of validate-and-reject: rejecting a record can leave another one dangling.
MAX_ROUNDS = 3


@dataclass(frozen=True)
class FileCounts:
    """Records of one logical source: read = loaded + rejected.

    ``label`` names the source as quads, rejections and the quarantine report do: the
    file's path or, for a file read with several iterators, the path followed by the
    iterator these records are selected by (each iterator numbers its own records).
    """

    path: Path
    read: int
    rejected: int
    label: str

    @property
    def loaded(self) -> int:
        return self.read - self.rejected

    @property
    def name(self) -> str:
        """The label without the file's folder (``deliverables.json $.items[*]``)."""
        return short_label(self.label, self.path)


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did, with its counts, findings and timings."""

    source: str
    graph: str
    files: tuple[FileCounts, ...]
    replace: ReplaceReport
    rejected: tuple[Rejected, ...]
    warnings: tuple[Finding, ...]
    quarantine: Path | None
    activity: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def records_read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def records_rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def records_loaded(self) -> int:
        return self.records_read - self.records_rejected


def available_sources(settings: Settings) -> list[str]:
    """The ontology first, then every mapping folder, ESCO before the rest."""
    folders = (
        sorted(p.name for p in settings.mappings_dir.iterdir() if p.is_dir() and mapping_files(p))
        if settings.mappings_dir.is_dir()
        else []
    )
    ordered = [f for f in folders if f == "esco"] + [f for f in folders if f != "esco"]
    return [ONTOLOGY, *ordered]


def ingest(
    store: Store, settings: Settings, source: str, *, progress: Progress | None = None
) -> IngestReport:
    """Map, validate and load one source (or the ontology) into its named graph."""
    say = progress or (lambda _msg: None)
    if source == ONTOLOGY:
        return _ingest_ontology(store, settings, say)
    return _SourceIngest(store, settings, source, say).run()


class _SourceIngest:
    def __init__(self, store: Store, settings: Settings, source: str, say: Progress) -> None:
        self.store, self.settings, self.source, self.say = store, settings, source, say
        self.graph = settings.source_graph(source)
        self.timings: dict[str, float] = {}
        folder = settings.mappings_dir / source
        self.mapping_files = mapping_files(folder) if folder.is_dir() else []
        # resolved, as mapped sources are: the quarantine report names them from home
        self.static_files = sorted(p.resolve() for p in (folder / "static").glob("*.ttl"))
        self.labels: dict[Source, str] = {}
        self.personal = _source_options(folder / "source.yml").get("personal", False)
        self.consent_prefix = settings.graph(f"consent/{source}-")
        self.consents_graph = settings.graph("consents")
        if not self.mapping_files:
            known = ", ".join(available_sources(settings))
            raise NotFoundError(
                f"no source {source!r}: {folder} has no mapping (*.yml or *.rml.ttl); "
                f"known: {known}"
            )

    def run(self) -> IngestReport:
        started = datetime.now(UTC)
        results = self._map()
        quads = self._placed_quads(results)
        quads, erased = self._without_erased(quads)
        quads, rejected, warnings = self._validate(quads, results)
        rejected.extend(erased)
        replace = self._load(quads)
        files = self._file_counts(results, rejected)
        quarantine = write_quarantine(
            self.settings.quarantine_dir, self.source, rejected, home=self.settings.home
        )
        activity = self._record(started, files, replace, rejected, warnings)
        return IngestReport(
            self.source,
            self.graph,
            files,
            replace,
            tuple(rejected),
            warnings,
            quarantine,
            activity,
            self.timings,
        )

    def _map(self) -> list[MappingResult]:
        t = time.perf_counter()
        cache = SourceCache()
        mappings = [compile_mapping(path) for path in self.mapping_files]
        # labelled together: two mappings may read one file with different iterators
        self.labels = source_labels(tm.source for m in mappings for tm in m.triples_maps)
        results = []
        for path, mapping in zip(self.mapping_files, mappings, strict=True):
            self.say(f"mapping {path.name}")
            results.append(run_mapping(mapping, cache=cache, labels=self.labels))
        self.timings["map"] = time.perf_counter() - t
        return results

    def _placed_quads(self, results: Sequence[MappingResult]) -> pl.DataFrame:
        """All quads, those in the default graph moved into the source graph."""
        static = [static_quads(path) for path in self.static_files]
        quads = pl.concat([r.quads for r in results] + static, how="vertical")
        graph = f"<{self.graph}>"
        quads = quads.with_columns(
            pl.when(pl.col("g") == DEFAULT_GRAPH)
            .then(pl.lit(graph))
            .otherwise(pl.col("g"))
            .alias("g")
        )
        allowed = pl.col("g") == graph
        if self.personal:
            allowed = (
                allowed
                | pl.col("g").str.starts_with(f"<{self.consent_prefix}")
                | (pl.col("g") == f"<{self.consents_graph}>")
            )
        elsewhere = quads.filter(~allowed)
        if elsewhere.height:
            first = elsewhere.row(0, named=True)
            expected = (
                f"{graph}, <{self.consent_prefix}…> (personal triples) or "
                f"<{self.consents_graph}> (consent records)"
                if self.personal
                else f"{graph}; personal data needs `personal: true` in source.yml and "
                "consent graphs"
            )
            raise BadInputError(
                f"source {self.source!r}: triples map {first['map']!r} writes to graph "
                f"{first['g']}; this source writes only to {expected}"
            )
        return quads

    def _validate(
        self, quads: pl.DataFrame, results: Sequence[MappingResult]
    ) -> tuple[pl.DataFrame, list[Rejected], tuple[Finding, ...]]:
        t = time.perf_counter()
        rejected = [
            Rejected.from_mapping(row)
            for r in results
            for row in r.rejections.iter_rows(named=True)
        ]
        # a record one mapping rejected loads from no other mapping either: whole or not at all
        quads = quads.join(_keys(rejected), on=["source", "record"], how="anti")
        shapes = load_graph(self.settings.shapes_dir.glob("*.shapes.ttl"))
        context = subclass_triples(load_graph(self.settings.ontology_dir.glob("*.ttl")))
        for triple in self._store_context(quads):
            context.add(triple)
        batch = {term[1:-1] for term in quads["s"].unique().to_list() if term.startswith("<")}
        report = _about(
            validate_triples(quads, shapes, context=context, workers=self.settings.workers),
            batch,
        )
        self.say(f"validated {quads.height:,} quads")
        warnings = report.warnings
        for _round in range(MAX_ROUNDS):
            if report.conforms:
                break
            new = findings_to_rejections(report.violations, quads)
            rejected.extend(new)
            kept = quads.join(_keys(new), on=["source", "record"], how="anti")
            # Only nodes that lost triples, and nodes pointing at them, can fail anew.
            touched = quads.join(_keys(new), on=["source", "record"], how="semi")["s"].unique()
            focus = pl.concat([touched, kept.filter(pl.col("o").is_in(touched.implode()))["s"]])
            quads = kept
            report = _validate_nodes(quads, focus.unique(), shapes, context)
        if not report.conforms:
            first = "\n  ".join(str(v) for v in report.violations[:10])
            raise ValidationFailedError(
                f"source {self.source!r} still fails validation after rejecting records "
                f"{MAX_ROUNDS} times; nothing was loaded. First violations:\n  {first}"
            )
        self.timings["validate"] = time.perf_counter() - t
        return quads, rejected, warnings

    def _store_context(self, quads: pl.DataFrame) -> Iterator[tuple[URIRef, URIRef, URIRef]]:
        """The ``rdf:type`` of every IRI the batch references but does not describe, from
        the other graphs of the store (not this source's own, which the batch replaces, and
        no consent graph): so a job posting's ESCO skill is known to be an esco:Skill."""
        subjects = quads["s"].unique()
        objects = quads.filter(pl.col("o").str.starts_with("<") & (pl.col("p") != RDF_TYPE))["o"]
        candidates = objects.unique()
        referenced = candidates.filter(~candidates.is_in(subjects.implode()))
        consent = self.settings.graph("consent/")
        for start in range(0, referenced.len(), _CONTEXT_CHUNK):
            chunk = " ".join(referenced.slice(start, _CONTEXT_CHUNK).to_list())
            rows = self.store.query(
                f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {chunk} }} GRAPH ?g {{ ?s a ?t }} "
                f'FILTER(?g != <{self.graph}> && !STRSTARTS(STR(?g), "{consent}")) }}'
            )
            for row in rows:  # type: ignore[union-attr]
                yield URIRef(row["s"].value), RDF_TYPE_REF, URIRef(row["t"].value)

    def _load(self, quads: pl.DataFrame) -> ReplaceReport:
        t = time.perf_counter()
        self.say(f"loading into {self.graph}")
        if not self.personal:
            triples = quads.select("s", "p", "o", pl.lit(DEFAULT_GRAPH).alias("g")).unique()
            report = self.store.replace_graph(self.graph, nquads_text(triples))
        else:
            report = self._load_personal(quads)
        self.timings["load"] = time.perf_counter() - t
        return report

    def _load_personal(self, quads: pl.DataFrame) -> ReplaceReport:
        """The source graph and this source's consent graphs are replaced in one
        transaction; consent records are only added when absent, so that a consent's later
        state (withdrawn, renewed) is never overwritten by a re-ingest. On a first load
        (no record yet) the records are loaded with the data, in one bulk load."""
        records = f"<{self.consents_graph}>"
        if self.store.count(self.consents_graph) == 0:  # no record yet: all seeded at once
            data = quads.select("s", "p", "o", "g").unique()
            report = self._replace(data, [self.graph, self.consents_graph])
            self._refresh_consent_views()
            return report
        data = quads.filter(pl.col("g") != records).select("s", "p", "o", "g").unique()
        report = self._replace(data, [self.graph])
        seeds = quads.filter(pl.col("g") == records).select("s", "p", "o").unique()
        if seeds.height:
            known = _subjects_in(self.store, self.consents_graph)
            fresh = seeds.filter(~pl.col("s").is_in(pl.Series(known, dtype=pl.String).implode()))
            if fresh.height:
                self.say(f"recording {fresh['s'].n_unique():,} new consent records")
                triples = fresh.with_columns(pl.lit(DEFAULT_GRAPH).alias("g"))
                self.store.add_triples(self.consents_graph, nquads_text(triples))
        self._refresh_consent_views()
        return report

    def _replace(self, data: pl.DataFrame, graphs: list[str]) -> ReplaceReport:
        """Replace ``graphs`` and this source's consent graphs by ``data``."""
        return self.store.replace_graphs(
            nquads_text(data), graphs=graphs, prefix=self.consent_prefix
        )

    def _without_erased(self, quads: pl.DataFrame) -> tuple[pl.DataFrame, list[Rejected]]:
        """Drop every record that belongs to an erased consent: erasure is final, and a
        re-ingest must not bring the data back (each such record is reported, not lost)."""
        audit = self.settings.graph("audit")
        if not self.personal or not self.store.query(
            f'ASK {{ GRAPH <{audit}> {{ ?e <{SG_NS}eventAction> "erase" }} }}'
        ):
            return quads, []
        from skillsgraph.consent.audit import is_erased

        prefix = f"<{self.consent_prefix}"
        graphs = quads.filter(pl.col("g").str.starts_with(prefix))["g"].unique().to_list()
        erased = []
        for graph in graphs:
            consent = graph[len("<" + self.settings.graph("consent/")) : -1]
            if is_erased(self.store, self.settings, self.settings.resource("consent", consent)):
                erased.append(graph)
        if not erased:
            return quads, []
        base = len("<" + self.settings.graph("consent/"))
        records = [f"<{self.settings.resource('consent', g[base:-1])}>" for g in erased]
        gone = pl.col("g").is_in(erased) | pl.col("s").is_in(records)
        hit = quads.filter(gone).select("source", "record", "map").unique()
        rejected = [
            Rejected(
                source,
                record,
                triples_map,
                None,
                None,
                "the record belongs to an erased consent; erased data is never loaded again",
            )
            for source, record, triples_map in hit.sort("source", "record").iter_rows()
        ]
        return quads.join(_keys(rejected), on=["source", "record"], how="anti"), rejected

    def _refresh_consent_views(self) -> None:
        """The permission index and the per-context views hold copies derived from the
        consent graphs: once those changed, derive them again, or a view could still show
        triples the source no longer has (nothing to do before any context was used)."""
        from skillsgraph.consent.index import known_contexts, rebuild

        if known_contexts(self.store, self.settings):
            self.say("rebuilding the consent index and views")
            rebuild(self.store, self.settings, datetime.now(UTC))

    def _file_counts(
        self, results: Sequence[MappingResult], rejected: Sequence[Rejected]
    ) -> tuple[FileCounts, ...]:
        """Records read and rejected by logical source, by file then label."""
        paths = {label: source.path for source, label in self.labels.items()}
        read: dict[str, int] = {}
        for result in results:
            read.update(result.records)
        for path in self.static_files:
            paths[str(path)] = path
            read[str(path)] = _count_static(path)
        bad: dict[str, set[int]] = {}
        for r in rejected:
            bad.setdefault(r.source, set()).add(r.record)
        return tuple(
            FileCounts(paths[label], n, len(bad.get(label, set())), label)
            for label, n in sorted(read.items(), key=lambda item: (paths[item[0]], item[0]))
        )

    def _record(
        self,
        started: datetime,
        files: Sequence[FileCounts],
        replace: ReplaceReport,
        rejected: Sequence[Rejected],
        warnings: Sequence[Finding],
    ) -> str:
        per_file: dict[Path, int] = {}  # a file read with several iterators is used once
        for f in files:
            per_file[f.path] = per_file.get(f.path, 0) + f.read
        infos = [describe_file(p, self.settings.home, records=n) for p, n in per_file.items()]
        plans = [describe_file(p, self.settings.home) for p in self.mapping_files]
        plans += [describe_file(p, self.settings.home) for p in self.static_files]
        return record_ingest(
            self.store,
            self.settings,
            source=self.source,
            graph=self.graph,
            started=started,
            files=infos,
            mappings=plans,
            counts={
                "recordsRead": sum(f.read for f in files),
                "recordsLoaded": sum(f.loaded for f in files),
                "recordsRejected": sum(f.rejected for f in files),
                "quadsLoaded": replace.quads_after,
                "violationCount": len(rejected),
                "warningCount": len(warnings),
            },
        )


def _source_options(path: Path) -> dict[str, bool]:
    """``mappings/<source>/source.yml``: ``personal: true`` for a source of personal data
    (its triples go to consent graphs). Absent file: a public source."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise BadInputError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or set(data) - {"personal"}:
        raise BadInputError(
            f"{path}: expected a mapping with the key personal: true|false, found {data!r}"
        )
    personal = data.get("personal", False)
    if not isinstance(personal, bool):
        raise BadInputError(f"{path}: personal: must be true or false, found {personal!r}")
    return {"personal": personal}


def _subjects_in(store: Store, graph: str) -> list[str]:
    """The subjects of ``graph``, as N-Triples IRIs."""
    result = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return [str(row["s"]) for row in result]  # type: ignore[union-attr]


def static_quads(path: Path) -> pl.DataFrame:
    """The triples of a fixed Turtle file as mapped quads: one record per triple, so that a
    triple failing validation is rejected alone and named by its number.

    Blank nodes are skolemised (RDF 1.1 §3.5) into stable ``.well-known/genid`` IRIs made
    from the file name and the node's order of appearance, so that re-ingesting an
    unchanged file changes nothing in the store.
    """
    try:
        triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError) as exc:
        raise BadInputError(f"{path}: cannot parse the static Turtle file: {exc}") from exc
    genid = f"https://w3id.org/skillsgraph/.well-known/genid/{path.stem}-"
    labels: dict[str, int] = {}  # the parser's labels are random: number them in order

    def term(t: object) -> str:
        if isinstance(t, ox.BlankNode):
            return f"<{genid}{labels.setdefault(t.value, len(labels) + 1)}>"
        return str(t)

    return pl.DataFrame(
        {
            "s": [term(t.subject) for t in triples],
            "p": [str(t.predicate) for t in triples],
            "o": [term(t.object) for t in triples],
            "g": [DEFAULT_GRAPH] * len(triples),
            "source": [str(path)] * len(triples),
            "record": list(range(1, len(triples) + 1)),
            "map": ["static"] * len(triples),
        },
        schema={
            "s": pl.String,
            "p": pl.String,
            "o": pl.String,
            "g": pl.String,
            "source": pl.String,
            "record": pl.UInt32,
            "map": pl.String,
        },
    )


def _count_static(path: Path) -> int:
    return sum(1 for _ in ox.parse(path=path, format=ox.RdfFormat.TURTLE))


def validate_source(
    store: Store, settings: Settings, source: str, *, workers: int | None = None
) -> ValidationReport:
    """Validate what the store holds for ``source`` (its graph, and its consent graphs for a
    personal source) against every shape, with the same context as at ingest: the
    ontology's subclass triples and the types of the nodes it references elsewhere."""
    checker = _SourceIngest(store, settings, source, lambda _msg: None)
    scope = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{checker.graph}>"
    if checker.personal:
        scope += f' || STRSTARTS(STR(?g), "{checker.consent_prefix}")'
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {scope}) }}")
    triples = list(result)  # type: ignore[arg-type]
    quads = pl.DataFrame(
        {
            "s": [str(t.subject) for t in triples],
            "p": [str(t.predicate) for t in triples],
            "o": [str(t.object) for t in triples],
        },
        schema={"s": pl.String, "p": pl.String, "o": pl.String},
    )
    shapes = load_graph(settings.shapes_dir.glob("*.shapes.ttl"))
    context = subclass_triples(load_graph(settings.ontology_dir.glob("*.ttl")))
    for triple in checker._store_context(quads):
        context.add(triple)
    batch = {term[1:-1] for term in quads["s"].unique().to_list() if term.startswith("<")}
    parts = settings.workers if workers is None else workers
    report = validate_triples(quads, shapes, context=context, workers=parts)
    return _about(report, batch)


def _about(report: ValidationReport, batch: set[str]) -> ValidationReport:
    """Only the findings on nodes the batch describes (context nodes are incomplete)."""
    kept = tuple(f for f in report.findings if f.focus in batch)
    return ValidationReport(kept, report.triples, report.seconds)


def _keys(rejected: Sequence[Rejected]) -> pl.DataFrame:
    return pl.DataFrame(
        {"source": [r.source for r in rejected], "record": [r.record for r in rejected]},
        schema={"source": pl.String, "record": pl.UInt32},
    )


def _validate_nodes(
    quads: pl.DataFrame, focus: pl.Series, shapes: Graph, context: Graph
) -> ValidationReport:
    """Validate only ``focus`` nodes: their triples and the types of what they reference
    (the context-graph method of DESIGN.md); findings on other nodes are dropped, as their
    context is incomplete here."""
    own = quads.filter(pl.col("s").is_in(focus.implode()))
    referenced = own["o"].unique()
    types = quads.filter(pl.col("s").is_in(referenced.implode()) & (pl.col("p") == RDF_TYPE))
    report = validate_triples(pl.concat([own, types]), shapes, context=context)
    wanted = {term[1:-1] for term in focus.to_list()}
    kept = tuple(f for f in report.findings if f.focus in wanted)
    return ValidationReport(kept, report.triples, report.seconds)


def _ingest_ontology(store: Store, settings: Settings, say: Progress) -> IngestReport:
    started = datetime.now(UTC)
    t = time.perf_counter()
    files = sorted(settings.ontology_dir.glob("*.ttl"))
    if not files:
        raise NotFoundError(f"no ontology: {settings.ontology_dir} has no *.ttl file")
    say(f"loading {len(files)} ontology modules")
    merged = load_graph(files)
    ntriples = merged.serialize(format="nt")
    graph = settings.graph(ONTOLOGY)
    replace = store.replace_graph(graph, ntriples)
    infos: list[SourceFileInfo] = [describe_file(p, settings.home, records=1) for p in files]
    counts = {
        "recordsRead": len(files),
        "recordsLoaded": len(files),
        "recordsRejected": 0,
        "quadsLoaded": replace.quads_after,
        "violationCount": 0,
        "warningCount": 0,
    }
    activity = record_ingest(
        store,
        settings,
        source=ONTOLOGY,
        graph=graph,
        started=started,
        files=infos,
        mappings=[],
        counts=counts,
    )
    counts_by_file = tuple(FileCounts(p, 1, 0, str(p)) for p in files)
    return IngestReport(
        ONTOLOGY,
        graph,
        counts_by_file,
        replace,
        (),
        (),
        None,
        activity,
        {"load": time.perf_counter() - t},
    )
