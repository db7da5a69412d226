"""Writes over HTTP: which graphs a writer may change, and the record each change leaves.

Participants with the ``writer`` role may change **source graphs** (``…/graph/source/…``)
through SPARQL Update and the Graph Store Protocol; nobody may change the ontology, the
provenance, consent graphs, consent records, the permission index, views or the audit log
over HTTP (those follow ingest and the consent lifecycle). :func:`check_update` reads an
update's tokens, without being fooled by strings, IRIs or comments, and refuses:

- ``LOAD`` (it would make this server fetch URLs) and ``SERVICE``;
- ``ALL``, ``NAMED``, ``DEFAULT`` as graph targets (``DROP ALL`` would take consent graphs);
- a graph that is not a source graph after ``GRAPH``, ``WITH``, ``INTO``, ``TO``, ``USING``
  or a graph-management operation, and ``GRAPH ?variable`` (it could reach any graph);
- triples written outside ``GRAPH`` without ``WITH`` (they would land in a default graph
  nobody reads).

A ``WHERE`` clause without ``USING``, ``WITH`` or ``GRAPH`` reads the store's own default
graph, which is empty: personal data cannot be copied out. Every accepted change records a
``prov:Activity`` in the provenance graph (who, when, which graphs), which is also how a
graph a writer creates becomes public.

>>> from skillsgraph.config import Settings
>>> s = Settings(store="memory")
>>> check_update(s, f"INSERT DATA {{ GRAPH <{s.source_graph('x')}> {{ <a:b> <a:c> 1 }} }}")
['https://w3id.org/skillsgraph/graph/source/x']
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from skillsgraph.config import Settings
from skillsgraph.consent.model import datetime_literal
from skillsgraph.consent.sparql import (
    Token,
    declared_prefixes,
    resolve,
    significant,
    tokenize,
    unescape_codepoints,
)
from skillsgraph.errors import BadInputError, ConsentDeniedError
from skillsgraph.namespaces import PREFIXES
from skillsgraph.store import Store

_SG = "https://w3id.org/skillsgraph/ontology#"
_PROV = "http://www.w3.org/ns/prov#"
_FORBIDDEN = {
    "LOAD": "LOAD is not allowed: it would make this server fetch a URL; send the data "
    "with the Graph Store Protocol (PUT or POST /store?graph=...)",
    "SERVICE": "SERVICE is not allowed: updates are answered from this data space only",
    "ALL": "ALL is not allowed: name each source graph to change",
    "NAMED": "NAMED is not allowed as a target: name each source graph to change",
    "DEFAULT": "DEFAULT is not allowed: this server keeps data in named source graphs; "
    "name one with GRAPH or WITH",
}
# Keywords whose next term names a graph (GRAPH may also be followed by a variable).
_NAMING = {"GRAPH", "WITH", "INTO", "TO", "USING"}
# Graph-management operations: their operand may be written with or without GRAPH.
_MANAGEMENT = {"CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}
_TEMPLATES = {"INSERT", "DELETE"}


def writable(settings: Settings, graph: str) -> bool:
    """Whether a writer may change ``graph``: a source graph."""
    prefix = settings.graph("source/")
    return graph.startswith(prefix) and len(graph) > len(prefix)


def check_update(settings: Settings, text: str) -> list[str]:
    """The source graphs the SPARQL update ``text`` names, sorted; a ConsentDeniedError
    (403) for anything outside what a writer may do, BadInputError for a graph name that
    cannot be read."""
    for tokens in (tokenize(text), tokenize(unescape_codepoints(text))):
        for token in significant(tokens):
            for word, reason in _FORBIDDEN.items():
                if token.is_word(word) and not _using_named(tokens, token):
                    raise ConsentDeniedError(reason)
    code = significant(tokenize(text))
    prefixes = dict(PREFIXES) | declared_prefixes(code)
    named: set[str] = set()
    for i, token in enumerate(code):
        if token.kind != "word" or token.text.upper() not in _NAMING | _MANAGEMENT:
            continue
        following = _graph_operand(code, i)
        if following is None:
            continue
        if following.kind == "var":
            raise ConsentDeniedError(
                f"GRAPH {following.text}: an update names each graph it reads or writes; "
                "a graph variable could reach graphs a writer may not touch"
            )
        graph = resolve(following, prefixes)
        if not writable(settings, graph):
            raise ConsentDeniedError(
                f"<{graph}> is not a source graph: writers may change and read graphs "
                f"under <{settings.graph('source/')}> only"
            )
        named.add(graph)
    _check_templates(code)
    return sorted(named)


def _using_named(tokens: Sequence[Token], token: Token) -> bool:
    """``NAMED`` right after ``USING`` (reading a named source graph) is allowed."""
    code = significant(tokens)
    index = next(i for i, t in enumerate(code) if t is token)
    return token.is_word("NAMED") and index > 0 and code[index - 1].is_word("USING")


def _graph_operand(code: Sequence[Token], i: int) -> Token | None:
    """The token naming the graph after keyword ``code[i]``, or None if it names none."""
    j = i + 1
    word = code[i].text.upper()
    if word in _MANAGEMENT:
        if j < len(code) and code[j].is_word("SILENT"):
            j += 1
        if j < len(code) and code[j].is_word("GRAPH"):
            return None  # GRAPH is read as a keyword of its own
    if word == "USING" and j < len(code) and code[j].is_word("NAMED"):
        j += 1
    if word == "TO" and j < len(code) and code[j].is_word("GRAPH"):
        return None
    if j >= len(code):
        raise BadInputError(f"{code[i].text} must be followed by a graph IRI")
    candidate = code[j]
    if candidate.kind in {"iri", "pname", "var"}:
        return candidate
    if word in _MANAGEMENT:
        raise BadInputError(f"{code[i].text} must be followed by a graph IRI")
    return None


def _check_templates(code: Sequence[Token]) -> None:
    """Refuse triples written outside GRAPH in an operation without WITH."""
    with_seen = False
    i = 0
    while i < len(code):
        token = code[i]
        if token.text == ";":
            with_seen = False
        elif token.is_word("WITH"):
            with_seen = True
        elif token.kind == "word" and token.text.upper() in _TEMPLATES:
            j = i + 1
            if j < len(code) and (code[j].is_word("DATA") or code[j].is_word("WHERE")):
                j += 1
            if j < len(code) and code[j].text == "{":
                if not with_seen and _default_triples(code, j):
                    raise ConsentDeniedError(
                        f"{token.text.upper()}: triples outside GRAPH would go to a default "
                        "graph nobody reads; put them in GRAPH <source graph> { ... } or "
                        "start the operation with WITH <source graph>"
                    )
                i = _close(code, j)
        i += 1


def _default_triples(code: Sequence[Token], open_index: int) -> bool:
    """Whether the block opened at ``open_index`` has a triple outside any GRAPH block."""
    i = open_index + 1
    while i < len(code) and code[i].text != "}":
        if code[i].is_word("GRAPH"):
            i = _close(code, i + 2) + 1
        elif code[i].text == ".":
            i += 1
        else:
            return True
    return False


def _close(code: Sequence[Token], open_index: int) -> int:
    """The index of the brace closing the one at ``open_index``."""
    depth = 0
    for i in range(open_index, len(code)):
        if code[i].text == "{":
            depth += 1
        elif code[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    raise BadInputError("the update has an unclosed '{'")


def record_write(
    store: Store, settings: Settings, participant: str, graphs: Sequence[str], action: str
) -> str:
    """Record in provenance that ``participant`` (a key) changed ``graphs`` by ``action``
    (e.g. ``SPARQL Update``, ``Graph Store Protocol PUT``); the activity's IRI."""
    activity = settings.resource("write", uuid.uuid4().hex)
    a = f"<{activity}>"
    who = settings.resource("participant", participant)
    label = f"{action} by participant {participant}".replace("\\", "\\\\").replace('"', '\\"')
    lines = [
        f"{a} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{_PROV}Activity> .",
        f'{a} <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@en .',
        f"{a} <{_PROV}wasAssociatedWith> <{who}> .",
        f"{a} <{_PROV}endedAtTime> {datetime_literal(datetime.now(UTC))} .",
        *(f"{a} <{_SG}targetGraph> <{g}> ." for g in sorted(graphs)),
    ]
    store.add_triples(settings.graph("provenance"), "\n".join(lines) + "\n")
    return activity
