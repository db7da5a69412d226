"""The vocabularies skillsgraph speaks, as rdflib namespaces.

Our own terms are in :class:`SG`, generated from ``ontology/`` (a misspelt term fails at
import). External vocabularies are plain namespaces.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD

from skillsgraph.namespaces_sg import SG

ESCO = Namespace("http://data.europa.eu/esco/model#")
ESCO_DATA = "http://data.europa.eu/esco/"
SCHEMA = Namespace("http://schema.org/")  # as the ontology and the mappings write it
DPV = Namespace("https://w3id.org/dpv#")
ELM = Namespace("http://data.europa.eu/snb/model/elm/")
EURIO = Namespace("http://data.europa.eu/s66#")
QB = Namespace("http://purl.org/linked-data/cube#")

PREFIXES: dict[str, str] = {
    "sg": str(SG),
    "esco": str(ESCO),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "sh": str(SH),
    "schema": str(SCHEMA),
    "dpv": str(DPV),
    "elm": str(ELM),
    "eurio": str(EURIO),
    "qb": str(QB),
}

__all__ = [
    "DCTERMS",
    "DPV",
    "ELM",
    "ESCO",
    "ESCO_DATA",
    "EURIO",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SG",
    "SH",
    "SKOS",
    "XSD",
]


def sparql_prefixes() -> str:
    """PREFIX declarations for every vocabulary above."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
