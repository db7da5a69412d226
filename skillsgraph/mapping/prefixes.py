"""How YARRRML writes terms: ``$(column)`` templates, prefixed names and relative IRIs.

YARRRML (like its reference parser) predefines the common vocabularies; we add the ones
this project maps into. A document's own ``prefixes:`` override these. The functions here
are pure and raise :class:`TermSyntaxError`; the compiler adds file, line and triples map.

>>> parse_template("esco:$(id)")
['esco:', Reference(name='id')]
>>> expand_iri(parse_template("esco:$(id)"), DEFAULT_PREFIXES, None)
['http://data.europa.eu/esco/model#', Reference(name='id')]
>>> classify_iri("http://data.europa.eu/esco/skill/"), classify_iri("skill/")
('absolute', 'relative')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal
from urllib.parse import urljoin

from skillsgraph.mapping.model import Location, Reference, Template, TermMap, TermType

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"

DEFAULT_PREFIXES: MappingProxyType[str, str] = MappingProxyType(
    {
        "rdf": RDF,
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "schema": "http://schema.org/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "dc": "http://purl.org/dc/terms/",
        "dcterms": "http://purl.org/dc/terms/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "skosxl": "http://www.w3.org/2008/05/skos-xl#",
        "prov": "http://www.w3.org/ns/prov#",
        "dcat": "http://www.w3.org/ns/dcat#",
        "void": "http://rdfs.org/ns/void#",
        "rr": "http://www.w3.org/ns/r2rml#",
        "rml": "http://semweb.mmlab.be/ns/rml#",
        "ql": "http://semweb.mmlab.be/ns/ql#",
        "esco": "http://data.europa.eu/esco/model#",
        "sg": "https://w3id.org/skillsgraph/ontology#",
        "grel": "http://users.ugent.be/~bjdmeest/function/grel.ttl#",
        "idlab-fn": "https://w3id.org/imec/idlab/function#",
        "sgf": "https://w3id.org/skillsgraph/function#",
    }
)

IriKind = Literal["absolute", "prefixed", "relative"]

_SCHEME_SLASHES = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_OPAQUE_SCHEMES = ("urn:", "mailto:", "tag:")
_PREFIXED = re.compile(r"([A-Za-z_][\w\-.]*)?:(?!//)")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def classify_iri(lead: str) -> IriKind:
    """Say whether the leading text of an IRI is absolute, a prefixed name or relative.

    ``scheme://…`` and ``urn:``, ``mailto:``, ``tag:`` are absolute; ``prefix:local`` is a
    prefixed name (declared or not); anything else is relative to ``base:``.
    """
    if _SCHEME_SLASHES.match(lead) or lead.lower().startswith(_OPAQUE_SCHEMES):
        return "absolute"
    if _PREFIXED.match(lead):
        return "prefixed"
    return "relative"


class TermSyntaxError(ValueError):
    """A template or IRI is malformed; the message says what was found and expected."""


def expand_iri(
    parts: list[str | Reference], prefixes: Mapping[str, str], base: str | None
) -> list[str | Reference]:
    """Expand the prefix of an IRI template's leading text; make a constant IRI absolute.

    A relative template (``skill/$(id)``) is left for the engine to resolve against base.
    """
    if not parts:
        raise TermSyntaxError("empty IRI; expected e.g. ex:thing or http://ex.org/thing")
    lead = parts[0]
    if isinstance(lead, Reference):
        return parts
    kind = classify_iri(lead)
    if kind == "prefixed":
        prefix, _, rest = lead.partition(":")
        if prefix not in prefixes:
            raise TermSyntaxError(
                f"undeclared prefix {prefix!r} in {lead!r}; "
                "expected it under prefixes: (or write the full IRI)"
            )
        return [prefixes[prefix] + rest, *parts[1:]]
    if kind == "relative" and len(parts) == 1:
        if base is None:
            raise TermSyntaxError(
                f"relative IRI {lead!r} cannot be resolved: declare base: or use a prefix"
            )
        return [urljoin(base, lead)]
    return parts


def parse_template(text: str) -> list[str | Reference]:
    """Split text into literal parts and ``$(reference)`` parts; ``\\$`` is a literal ``$``.

    A reference may contain balanced parentheses: ``$(name (en))``.
    """
    parts: list[str | Reference] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("\\$", i):
            buf.append("$")
            i += 2
        elif text.startswith("$(", i):
            end = _reference_end(text, i + 2)
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(Reference(text[i + 2 : end]))
            i = end + 1
        else:
            buf.append(text[i])
            i += 1
    if buf:
        parts.append("".join(buf))
    return parts


def _reference_end(text: str, start: int) -> int:
    """Index of the ``)`` closing the reference that starts at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == ")" and depth == 0:
            if i == start:
                raise TermSyntaxError(f"empty $() in {text!r}; expected $(column)")
            return i
        depth += {"(": 1, ")": -1}.get(text[i], 0)
    raise TermSyntaxError(f"unclosed $( in {text!r}; expected $(column)")


def check_language(tag: str) -> str:
    """A constant BCP 47 language tag (syntax only)."""
    if "$(" in tag:
        raise TermSyntaxError(
            f"language from a column is not supported yet ({tag!r}); "
            "expected a constant tag such as en"
        )
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise TermSyntaxError(f"invalid language tag {tag!r}; expected BCP 47 such as en or en-GB")
    return tag


def constant_iri(text: str, prefixes: Mapping[str, str], base: str | None, what: str) -> str:
    """An IRI that must not depend on the record, such as a datatype: ``xsd:date``."""
    if "$(" in text:
        raise TermSyntaxError(
            f"{what} from a column is not supported yet ({text!r}); "
            "expected a constant such as xsd:date"
        )
    return str(expand_iri(parse_template(text), prefixes, base)[0])


def build_term(
    where: Location,
    parts: list[str | Reference],
    term_type: TermType,
    datatype: str | None = None,
    language: str | None = None,
    split: str | None = None,
) -> TermMap:
    """A constant (no reference), a reference (exactly ``$(x)``) or else a template."""
    refs = [p.name for p in parts if isinstance(p, Reference)]
    return TermMap(
        where,
        term_type,
        constant=None if refs else "".join(str(p) for p in parts),
        reference=refs[0] if refs and len(parts) == 1 else None,
        template=Template(tuple(parts)) if refs and len(parts) > 1 else None,
        datatype=datatype,
        language=language,
        split=split,
    )
