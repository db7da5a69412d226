"""Content negotiation: which of the media types a route offers the client prefers.

>>> choose("text/csv;q=0.5, application/sparql-results+json", ["text/csv",
...        "application/sparql-results+json"])
'application/sparql-results+json'
>>> choose("application/json", ["application/sparql-results+json"],
...        aliases={"application/json": "application/sparql-results+json"})
'application/sparql-results+json'
>>> choose("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: ``type/subtype`` (either may be ``*``) and its q."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How precisely this range matches ``media_type``: 3 exact, 2 ``type/*``,
        1 ``*/*``, 0 no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; an absent or empty header accepts anything."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media_type = fields[0].lower()
        if "/" not in media_type:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        main, _, sub = media_type.partition("/")
        ranges.append(MediaRange(main, sub, q))
    return ranges or [MediaRange("*", "*", 1.0)]


def choose(
    accept: str | None,
    offers: Sequence[str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """The offered media type the client accepts with the highest q (ties: the offers'
    order), or None if it accepts none. ``aliases`` lets a client's type stand for an
    offered one (``application/json`` for SPARQL JSON results)."""
    ranges = [_aliased(r, aliases or {}) for r in parse_accept(accept)]
    best_q, chosen = 0.0, None
    for offer in offers:
        matches = [(r.specificity(offer), r.q) for r in ranges if r.specificity(offer)]
        if matches:
            q = max(matches)[1]  # the most specific matching range decides
            if q > best_q:
                best_q, chosen = q, offer
    return chosen


def _aliased(media_range: MediaRange, aliases: Mapping[str, str]) -> MediaRange:
    target = aliases.get(f"{media_range.type}/{media_range.subtype}")
    if target is None:
        return media_range
    main, _, sub = target.partition("/")
    return MediaRange(main, sub, media_range.q)
