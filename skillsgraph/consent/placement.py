"""Where personal data is stored: every personal triple in a graph with exactly one consent.

The rule is a property of the dataset (which named graph holds what), which SHACL cannot
see in one graph. So :func:`check_placement` builds an inventory graph from the store and
validates it with ``shapes/placement/consent-graphs.shapes.ttl``:

- every named graph under ``…/graph/consent/`` that holds triples, typed
  ``sg:ConsentGraph``, with the ``sg:consentGraph`` links of all consent records; the
  shape wants exactly one record per graph;
- every instance of a personal class (learner, profile, enrolment, assessment result,
  credential) stored in any other graph except the contexts' views (derived copies), with
  its type; the shape wants none.

A consent record naming a graph that holds nothing is not an error here: an erased or
not-yet-loaded learner has no data.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from skillsgraph.config import Settings
from skillsgraph.consent.model import SG
from skillsgraph.store.base import Store
from skillsgraph.validation import ValidationReport, load_graph, validate

PERSONAL_CLASSES = ("Learner", "LearnerProfile", "Enrolment", "AssessmentResult", "Credential")


def inventory(store: Store, settings: Settings) -> Graph:
    """The graph the placement shapes validate (see the module's docstring)."""
    found = Graph()
    consent_prefix = settings.graph("consent/")
    graphs = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{consent_prefix}")) }}'
    )
    assert isinstance(graphs, ox.QuerySolutions)
    for row in graphs:
        found.add((URIRef(row["g"].value), RDF.type, URIRef(f"{SG}ConsentGraph")))
    links = store.query(
        f"SELECT ?r ?g WHERE {{ GRAPH <{settings.graph('consents')}> "
        f"{{ ?r <{SG}consentGraph> ?g }} }}"
    )
    assert isinstance(links, ox.QuerySolutions)
    for row in links:
        found.add((URIRef(row["r"].value), URIRef(f"{SG}consentGraph"), URIRef(row["g"].value)))
    classes = " ".join(f"<{SG}{name}>" for name in PERSONAL_CLASSES)
    view_prefix = settings.graph("view/")
    misplaced = store.query(
        f"SELECT DISTINCT ?x ?c WHERE {{ VALUES ?c {{ {classes} }} GRAPH ?g {{ ?x a ?c }} "
        f'FILTER(!STRSTARTS(STR(?g), "{consent_prefix}") '
        f'&& !STRSTARTS(STR(?g), "{view_prefix}")) }}'
    )
    assert isinstance(misplaced, ox.QuerySolutions)
    for row in misplaced:
        found.add((URIRef(row["x"].value), RDF.type, URIRef(row["c"].value)))
    default = store.query(f"SELECT DISTINCT ?x ?c WHERE {{ VALUES ?c {{ {classes} }} ?x a ?c }}")
    assert isinstance(default, ox.QuerySolutions)  # the store's default graph, if used
    for row in default:
        found.add((URIRef(row["x"].value), RDF.type, URIRef(row["c"].value)))
    return found


def check_placement(store: Store, settings: Settings) -> ValidationReport:
    """Validate where personal data is stored; a report like any other validation's."""
    started = time.perf_counter()
    shapes = load_graph([settings.shapes_dir / "placement" / "consent-graphs.shapes.ttl"])
    data = inventory(store, settings)
    report = validate(data, shapes)
    return ValidationReport(report.findings, len(data), time.perf_counter() - started)
