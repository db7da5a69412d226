"""The ``skillsgraph`` command line: a thin layer over the library.

Each command calls one library function and prints its result; errors become a message on
stderr and the exit code of their class (see ``skillsgraph.errors``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, TypeVar

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from skillsgraph import consent
from skillsgraph.config import Settings
from skillsgraph.consent.placement import check_placement
from skillsgraph.consent.scope import merge_public
from skillsgraph.errors import BadInputError, SkillsGraphError, ValidationFailedError
from skillsgraph.ingest import IngestReport, available_sources, ingest, validate_source
from skillsgraph.linking import SkillLinker
from skillsgraph.mapping import compile_mapping
from skillsgraph.mapping.engine import iter_mapping
from skillsgraph.mapping.sources import short_label, source_labels
from skillsgraph.query import result_rows, run_query, serialize_result
from skillsgraph.store import Store, open_store

app = typer.Typer(
    help="skillsgraph: build, validate and query the Skills Data Space knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)
T = TypeVar("T")
# rdflib logs a traceback for every ill-typed literal it parses (e.g. "2021-02-30" as
# xsd:date); SHACL reports those properly, so the traceback is noise on the console.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store directory (embedded), or 'memory'. Default: $SKILLSGRAPH_STORE or "
        "./.skillsgraph/store",
        show_default=False,
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def _settings(store: str | None) -> Settings:
    return Settings(store=store) if store else Settings()


def _run(action: Callable[[], T]) -> T:
    """Run a library call; turn our errors into a message and their exit code."""
    try:
        return action()
    except SkillsGraphError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from exc


@contextmanager
def _opened(settings: Settings, *, read_only: bool = False) -> Iterator[Store]:
    store = _run(lambda: open_store(settings.store, read_only=read_only))
    try:
        yield store
    finally:
        store.close()


@app.command("ingest")
def ingest_command(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to ingest, e.g. esco")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Ingest the ontology and every source")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Map, validate and load sources into the store; print the counts of each."""
    settings = _settings(store)
    names = available_sources(settings) if all_ else list(sources or [])
    if not names:
        err.print(
            "error: name a source or use --all; sources: " + ", ".join(available_sources(settings))
        )
        raise typer.Exit(BadInputError.exit_code)
    started = time.perf_counter()
    reports: list[IngestReport] = []
    with _opened(settings) as opened, _progress() as progress:
        overall = progress.add_task("ingest", total=len(names))
        for name in names:
            reports.append(_run(partial(_ingest_one, opened, settings, name, progress, overall)))
            progress.advance(overall)
        progress.update(overall, description="merging the public graphs")
        merged = merge_public(opened, settings)
        # the loads and the merge leave runs that every lookup would merge: on the
        # bundled corpus, compacting takes 1.5 s and makes path and group-by queries
        # about 30% faster (see EmbeddedStore.compact)
        progress.update(overall, description="compacting the store")
        opened.compact()
        total_quads = opened.count()
        where = opened.location  # a server's location never shows its password
    for report in reports:
        _print_report(report)
    out.print(
        f"[bold]{len(reports)} source(s) in {time.perf_counter() - started:.1f} s; "
        f"the store holds {total_quads:,} quads[/] ({where})"
        + (f"; {merged:,} of them are the merged copy of the public graphs" if merged else "")
    )


def _ingest_one(
    store: Store, settings: Settings, name: str, progress: Progress, task: TaskID
) -> IngestReport:
    def say(message: str) -> None:
        progress.update(task, description=f"{name}: {message}")

    return ingest(store, settings, name, progress=say)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _print_report(report: IngestReport) -> None:
    table = Table(title=f"{report.source} → {report.graph}", title_justify="left")
    for column in ("file", "read", "loaded", "rejected"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for f in report.files:
        table.add_row(escape(f.name), f"{f.read:,}", f"{f.loaded:,}", f"{f.rejected:,}")
    table.add_row(
        "[bold]total",
        f"[bold]{report.records_read:,}",
        f"[bold]{report.records_loaded:,}",
        f"[bold]{report.records_rejected:,}",
    )
    out.print(table)
    r = report.replace
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
    out.print(f"{r.quads_after:,} quads in the graph (+{r.added:,} -{r.removed:,}); {timings}")
    if report.quarantine:
        reasons = sorted({x.message for x in report.rejected})
        out.print(
            f"[yellow]{report.records_rejected:,} record(s) rejected[/], see {report.quarantine}:"
        )
        for reason in reasons[:5]:
            out.print(f"  - {reason}", highlight=False)
    if report.warnings:
        out.print(f"[yellow]{len(report.warnings)} warning(s)[/] (loaded, but worth a look):")
        for warning in report.warnings[:10]:
            out.print(f"  - {warning}", highlight=False)


@app.command("validate")
def validate_command(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to validate (default: all)")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Validate what the store holds for each source against every shape and, for the whole
    store, where personal data is stored (exit 3 on a violation)."""
    settings = _settings(store)
    names = list(sources or [s for s in available_sources(settings) if s != "ontology"])
    violations = 0
    with _opened(settings, read_only=True) as opened:
        for name in names:
            report = _run(partial(validate_source, opened, settings, name))
            violations += len(report.violations)
            out.print(
                f"[bold]{name}[/]: {report.triples:,} triples, "
                f"{len(report.violations):,} violation(s), {len(report.warnings):,} warning(s) "
                f"in {report.seconds:.1f} s"
            )
            for finding in [*report.violations, *report.warnings][:10]:
                out.print(f"  - {finding}", highlight=False)
        if not sources:
            placed = _run(partial(check_placement, opened, settings))
            violations += len(placed.violations)
            out.print(
                f"[bold]personal data placement[/]: {len(placed.violations):,} violation(s) "
                f"in {placed.seconds:.1f} s (every personal triple in a consent graph with "
                "exactly one consent record)"
            )
            for finding in placed.violations[:10]:
                out.print(f"  - {finding}", highlight=False)
    if violations:
        raise typer.Exit(ValidationFailedError.exit_code)


@app.command("map")
def map_command(
    mapping: Annotated[Path, typer.Argument(help="A mapping file: YARRRML (.yml) or RML (.ttl)")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="N-Quads file (default: stdout)")
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", min=1, help="Records mapped at a time (bounds memory)")
    ] = 100_000,
) -> None:
    """Run one mapping and write its N-Quads, without any store.

    Sources are streamed in chunks of records, so a source larger than memory can be
    mapped; quads are distinct within a chunk.
    """
    compiled = _run(lambda: compile_mapping(mapping))
    labels = source_labels(tm.source for tm in compiled.triples_maps)
    names = {label: short_label(label, source.path) for source, label in labels.items()}
    quads = records = rejected = 0
    shown: list[dict[str, object]] = []
    chunks = iter_mapping(compiled, chunk_rows=chunk_rows, labels=labels)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(output.open("wb")) if output is not None else sys.stdout.buffer
        while (result := _run(lambda: next(chunks, None))) is not None:
            result.write_nquads(out)
            quads += result.unique_quads().height
            records += result.records_read
            rejected += result.rejections.height
            shown.extend(result.rejections.head(10 - len(shown)).iter_rows(named=True))
        out.flush()
    err.print(
        f"{quads:,} quads from {records:,} records; {rejected:,} rejected"
        + (f" → {output}" if output else "")
    )
    for row in shown:
        err.print(
            f"  - {escape(names[str(row['source'])])} record {row['record']}: {row['reason']}",
            highlight=False,
        )


@app.command("query")
def query_command(
    sparql: Annotated[str | None, typer.Argument(help="A SPARQL query (or use -f)")] = None,
    file: Annotated[
        Path | None, typer.Option("-f", "--file", help="Read the query from a file")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format")
    ] = OutputFormat.table,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Query as this participant (registry key): its view of the personal data "
            "its consents permit is added; needs --purpose",
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="The purpose declared with --as, e.g. scientific-research"),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Query the public graphs with SPARQL (common prefixes such as esco:, skos: are declared);
    with --as and --purpose, also the personal data that participant may see for it."""
    text = _query_text(sparql, file)
    settings = _settings(store)
    context = _access_context(settings, as_, purpose)
    with _opened(settings, read_only=context is None) as opened:
        result = _run(lambda: run_query(opened, settings, text, context=context))
        if fmt is OutputFormat.table and isinstance(result, ox.QuerySolutions):
            _print_table(result)
        elif isinstance(result, ox.QueryBoolean):
            out.print("true" if bool(result) else "false")
        else:
            chosen = "json" if fmt is OutputFormat.table else fmt.value
            sys.stdout.write(serialize_result(result, chosen).decode())  # type: ignore[arg-type]


def _access_context(
    settings: Settings, participant: str | None, purpose: str | None
) -> consent.AccessContext | None:
    """The access context of ``--as``/``--purpose`` (None without them)."""
    if participant is None:
        if purpose is not None:
            err.print("error: --purpose needs --as PARTICIPANT")
            raise typer.Exit(BadInputError.exit_code)
        return None
    registry = _run(lambda: consent.load_registry(settings))
    return _run(lambda: consent.check_purpose(registry, participant, purpose))


def _query_text(sparql: str | None, file: Path | None) -> str:
    if (sparql is None) == (file is None):
        err.print("error: give a query or -f FILE (exactly one)")
        raise typer.Exit(BadInputError.exit_code)
    if file is not None:
        if not file.is_file():
            err.print(f"error: query file {file} does not exist")
            raise typer.Exit(BadInputError.exit_code)
        return file.read_text(encoding="utf-8")
    assert sparql is not None
    return sparql


def _print_table(result: ox.QuerySolutions) -> None:
    names, rows = result_rows(result)
    table = Table(*names)
    for row in rows:
        table.add_row(*row)
    out.print(table)
    out.print(f"{len(rows)} row(s)")


class LinkLanguage(StrEnum):
    en = "en"
    fr = "fr"


class LinkFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("link")
def link_command(
    text: Annotated[str, typer.Argument(help="A skill mention, e.g. 'projetc management'")],
    language: Annotated[
        LinkLanguage, typer.Option("--language", help="Language of the mention")
    ] = LinkLanguage.en,
    top: Annotated[int, typer.Option("--top", min=1, help="How many candidates")] = 5,
    fmt: Annotated[LinkFormat, typer.Option("--format", help="Output format")] = LinkFormat.table,
) -> None:
    """Link a free-text skill mention to ESCO skills; print the ranked candidates."""
    lang = language.value
    candidates = _run(
        lambda: SkillLinker.from_esco(languages=(lang,)).link(text, language=lang, top=top)
    )
    if fmt is LinkFormat.json:
        rows = [asdict(c) for c in candidates]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("#", "ESCO skill", "label", "score", "method", "matched label")
    table.columns[1].overflow = "fold"
    for rank, c in enumerate(candidates, 1):
        table.add_row(str(rank), c.iri, c.label, f"{c.score:.3f}", c.method, c.matched)
    out.print(table)
    out.print(f"{len(candidates)} candidate(s)")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port")] = 8000,
    query_timeout: Annotated[
        float, typer.Option("--query-timeout", min=0.1, help="Seconds a query may run")
    ] = 30.0,
    result_limit: Annotated[
        int, typer.Option("--result-limit", min=1, help="Rows (or triples) a query may return")
    ] = 100_000,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin",
            help="An origin whose browser pages may call the API (repeatable; '*' for any); "
            "default: SKILLSGRAPH_CORS_ORIGINS (comma-separated), else none",
        ),
    ] = None,
    remerge_after: Annotated[
        float,
        typer.Option(
            "--remerge-after",
            min=0.0,
            help="Seconds without a write over HTTP after which the merged copy of the "
            "public graphs is rebuilt (embedded store; 0: never)",
        ),
    ] = 30.0,
    store: StoreOption = None,
) -> None:
    """Serve the SPARQL endpoint, the JSON-LD resources and the query page (/ui) over HTTP."""
    import uvicorn  # here, not at the top: the other commands need not load the web stack

    from skillsgraph.api import Limits, create_app

    settings = _settings(store)
    limits = Limits(query_timeout=query_timeout, result_limit=result_limit)
    with _opened(settings) as opened:
        err.print(
            f"serving {opened.location} on http://{host}:{port}/ "
            f"(SPARQL: /sparql, query page: /ui, API: /docs); Ctrl+C stops",
            highlight=False,
        )
        app = create_app(
            settings,
            opened,
            limits=limits,
            cors_origins=cors_origin,
            merge_quiet=remerge_after or None,
        )
        uvicorn.run(app, host=host, port=port)


class ConsentFormat(StrEnum):
    table = "table"
    json = "json"


consent_app = typer.Typer(
    help="Consent records: grant, renew, withdraw, erase, show and list them.",
    no_args_is_help=True,
)
app.add_typer(consent_app, name="consent")
ConsentArgument = Annotated[
    str, typer.Argument(help="The consent: its key (e.g. learners-3733) or its IRI")
]
ActorOption = Annotated[
    str | None,
    typer.Option("--actor", help="Who makes the change (IRI); default: the data subject"),
]


def _print_receipt(receipt: consent.Receipt) -> None:
    sys.stdout.write(json.dumps(receipt.jsonld(), indent=2, ensure_ascii=False) + "\n")


@consent_app.command("grant")
def consent_grant_command(
    consent_key: ConsentArgument,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Data subject: learner key or IRI")
    ] = None,
    controller: Annotated[
        str | None, typer.Option("--controller", help="Data controller: participant key or IRI")
    ] = None,
    purpose: Annotated[
        list[str] | None, typer.Option("--purpose", help="A purpose (repeat for several)")
    ] = None,
    recipient: Annotated[
        list[str] | None,
        typer.Option("--recipient", help="A recipient participant, or 'any' (repeatable)"),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", help="A DPV personal data category, e.g. Gender (repeatable)"),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Valid until (ISO 8601, e.g. 2030-01-01)")
    ] = None,
    actor: ActorOption = None,
    store: StoreOption = None,
) -> None:
    """Grant a consent (new, or again with its stored details); print the receipt."""
    settings = _settings(store)
    valid_until = _run(lambda: consent.parse_datetime(until)) if until else None
    with _opened(settings) as opened:
        record = _run(
            lambda: consent.prepare_grant(
                opened,
                settings,
                consent_key,
                subject=subject,
                controller=controller,
                purposes=purpose or (),
                recipients=recipient or (),
                personal_data=data or (),
                valid_until=valid_until,
            )
        )
        _print_receipt(_run(lambda: consent.grant(opened, settings, record, actor=actor)))


@consent_app.command("renew")
def consent_renew_command(
    consent_key: ConsentArgument,
    until: Annotated[
        str | None, typer.Option("--until", help="New expiry (ISO 8601); default: none")
    ] = None,
    actor: ActorOption = None,
    store: StoreOption = None,
) -> None:
    """Renew a consent (dpv:RenewedConsentGiven) until a new date; print the receipt."""
    settings = _settings(store)
    valid_until = _run(lambda: consent.parse_datetime(until)) if until else None
    with _opened(settings) as opened:
        _print_receipt(
            _run(
                lambda: consent.renew(
                    opened, settings, consent_key, valid_until=valid_until, actor=actor
                )
            )
        )


@consent_app.command("withdraw")
def consent_withdraw_command(
    consent_key: ConsentArgument, actor: ActorOption = None, store: StoreOption = None
) -> None:
    """Withdraw a consent: its data leaves every answer from the next query; print the
    receipt."""
    settings = _settings(store)
    with _opened(settings) as opened:
        _print_receipt(_run(lambda: consent.withdraw(opened, settings, consent_key, actor=actor)))


@consent_app.command("erase")
def consent_erase_command(
    consent_key: ConsentArgument, actor: ActorOption = None, store: StoreOption = None
) -> None:
    """Erase a consent: its record, personal data, copies and index entries; the audit log
    keeps a pseudonymised proof. Print the receipt."""
    settings = _settings(store)
    with _opened(settings) as opened:
        _print_receipt(_run(lambda: consent.erase(opened, settings, consent_key, actor=actor)))


@consent_app.command("rebuild")
def consent_rebuild_command(
    as_: Annotated[
        str | None,
        typer.Option("--as", help="Also start maintaining this participant's context"),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="The purpose of the --as context")
    ] = None,
    view: Annotated[
        bool, typer.Option("--view", help="With --as: also build that context's view")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Derive the permission index and the per-context views again from the consent
    records (after a restore, or to check them); with --as/--purpose, start one more
    context. Print what was rebuilt and how long it took."""
    settings = _settings(store)
    context = _access_context(settings, as_, purpose)
    if view and context is None:
        err.print("error: --view needs --as PARTICIPANT --purpose PURPOSE")
        raise typer.Exit(BadInputError.exit_code)
    extra = [context] if context is not None else []
    with _opened(settings) as opened:
        report = _run(
            lambda: consent.rebuild(
                opened,
                settings,
                datetime.now(UTC),
                [] if view else extra,
                with_views=extra if view else [],
            )
        )
    out.print(
        f"rebuilt the permission index for {report.contexts} context(s): "
        f"{report.entries:,} entries; {report.views} view(s), {report.view_triples:,} "
        f"triples; {report.seconds:.1f} s (of which compacting the store "
        f"{report.compacted:.1f} s)"
    )


@consent_app.command("show")
def consent_show_command(
    consent_key: ConsentArgument,
    fmt: Annotated[
        ConsentFormat, typer.Option("--format", help="Output format")
    ] = ConsentFormat.table,
    store: StoreOption = None,
) -> None:
    """Show a consent record, what it permits each registered participant and purpose
    now, and its audit events."""
    settings = _settings(store)
    registry = _run(lambda: consent.load_registry(settings))
    with _opened(settings, read_only=True) as opened:
        report = _run(lambda: consent.explain(opened, settings, consent_key, registry))
    if fmt is ConsentFormat.json:
        document = {
            "@context": consent.JSONLD_CONTEXT,
            "@id": report.record.iri,
            **consent.record_jsonld(report.record),
        }
        decisions = [
            {"participant": c.participant, "purpose": c.purpose.slug, **asdict(d)}
            for c, d in report.decisions
        ]
        payload = {"record": document, "decisions": decisions, "events": report.events}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    record = report.record
    table = Table("field", "value", title=record.iri, title_justify="left", show_header=False)
    for name, value in [
        ("subject", record.subject),
        ("controller", record.controller),
        ("status", record.status),
        ("valid until", str(record.valid_until or "no expiry")),
        ("purposes", "\n".join(sorted(record.purposes))),
        ("recipients", "\n".join(sorted(record.recipients))),
        ("personal data", "\n".join(sorted(record.personal_data))),
        ("graph", record.graph),
    ]:
        table.add_row(name, value)
    out.print(table)
    decided = Table("participant", "purpose", "permitted", "why", title="now permits")
    for c, d in report.decisions:
        decided.add_row(c.participant, c.purpose.slug, "yes" if d else "no", d.reason)
    out.print(decided)
    history = Table("time", "action", "status", "actor", title="events")
    for e in report.events:
        history.add_row(e["time"], e["action"], e["status"], e["actor"])
    out.print(history)


@consent_app.command("list")
def consent_list_command(
    subject: Annotated[
        str | None, typer.Option("--subject", help="Only this data subject (learner key or IRI)")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this DPV status, e.g. ConsentGiven"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many")] = 50,
    fmt: Annotated[
        ConsentFormat, typer.Option("--format", help="Output format")
    ] = ConsentFormat.table,
    store: StoreOption = None,
) -> None:
    """List consent records (key, subject, status, expiry, purposes, recipients)."""
    settings = _settings(store)
    with _opened(settings, read_only=True) as opened:
        records = _run(
            lambda: consent.list_consents(
                opened,
                settings,
                subject=consent.subject_iri(settings, subject) if subject else None,
                status=consent.status_iri(status) if status else None,
                limit=limit,
            )
        )
    if fmt is ConsentFormat.json:
        rows = [{"@id": r.iri, **consent.record_jsonld(r)} for r in records]
        payload = {"@context": consent.JSONLD_CONTEXT, "@graph": rows}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("consent", "subject", "status", "valid until", "purposes", "recipients")
    for r in records:
        table.add_row(
            r.key,
            r.subject.rsplit("/", 1)[-1],
            r.status.rsplit("#", 1)[-1],
            str(r.valid_until or ""),
            " ".join(sorted(p.rsplit("#", 1)[-1] for p in r.purposes)),
            " ".join(sorted(x.rsplit("/", 1)[-1] for x in r.recipients)),
        )
    out.print(table)
    out.print(f"{len(records)} consent(s)")


@app.command("sources")
def sources_command() -> None:
    """List the sources that can be ingested."""
    for name in available_sources(Settings()):
        out.print(name)


if __name__ == "__main__":  # pragma: no cover
    app()
