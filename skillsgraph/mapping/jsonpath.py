"""JSONPath for JSON logical sources: compiled once into steps, evaluated without a library.

A path is compiled into steps (member name, ``[n]``, ``[*]`` / ``.*``); anything beyond that
subset (filters ``[?(...)]``, ``..``, slices, unions) is handed to jsonpath-ng, compiled once
too. Used by :mod:`skillsgraph.mapping.jsonsource`.

>>> from pathlib import Path
>>> compile_path("$.a['b c'][*]", Location(Path("m.yml"))).steps
(Field(name='a'), Field(name='b c'), Wildcard())
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext.parser import parse as parse_extended

from skillsgraph.errors import MappingError
from skillsgraph.mapping.model import Location

Role = Literal["iterator", "reference"]


@dataclass(frozen=True)
class Field:
    """Select the member ``name`` of an object."""

    name: str


@dataclass(frozen=True)
class Index:
    """Select item ``index`` of an array (negative counts from the end)."""

    index: int


@dataclass(frozen=True)
class Wildcard:
    """Select every item of an array or every member value of an object."""


Step = Field | Index | Wildcard


@dataclass(frozen=True)
class JsonPath:
    """A compiled JSONPath: its steps, or a jsonpath-ng expression for what steps cannot say."""

    text: str
    steps: tuple[Step, ...]
    fallback: Any = None

    @property
    def keys(self) -> tuple[str, ...] | None:
        """The member names, when the path is only that (at most one value per record)."""
        names = tuple(s.name for s in self.steps if isinstance(s, Field))
        return names if self.fallback is None and len(names) == len(self.steps) else None


class _Unsupported(Exception):
    """The path uses JSONPath beyond the compiled subset; jsonpath-ng will evaluate it."""


def compile_path(
    text: str, where: Location, *, role: Role = "reference", origin: str | None = None
) -> JsonPath:
    """Compile a JSONPath iterator or reference; raise :class:`MappingError` on bad syntax.

    ``origin`` (the data the path is for) is named in the error message.

    >>> from pathlib import Path
    >>> compile_path("$.a['b c'][*]", Location(Path("m.yml"))).steps
    (Field(name='a'), Field(name='b c'), Wildcard())
    """
    what = f"the {role} {text!r}" + (f" for {origin}" if origin else "")
    if not text.strip():
        raise MappingError(f"{where}: {what} is empty; expected a JSONPath such as '$.name'")
    try:
        return JsonPath(text, tuple(_parse_steps(text, where, what)))
    except _Unsupported:
        rooted = text[1:] if text[0] in "$@" else text if text[0] in ".[" else "." + text
        try:
            expression = parse_extended("$" + rooted)
        except (JSONPathError, ValueError) as exc:
            raise MappingError(f"{where}: {what} is not valid JSONPath: {exc}") from exc
        return JsonPath(text, (), expression)


def _parse_steps(text: str, where: Location, what: str) -> list[Step]:
    def fail(at: int, found: str, expected: str) -> MappingError:
        return MappingError(
            f"{where}: {what} is not valid JSONPath: {found} at offset {at}; expected {expected}"
        )

    steps: list[Step] = []
    i, n = 0, len(text)
    if text[:1] in ("$", "@"):
        i = 1
    elif text and text[0] not in ".[":
        i = _dot_name(text, 0, steps, fail)
    while i < n:
        ch = text[i]
        if ch == ".":
            if text[i + 1 : i + 2] == ".":
                raise _Unsupported
            if i + 1 >= n or text[i + 1] in ".[]":
                found = "unexpected end" if i + 1 >= n else f"unexpected {text[i + 1]!r}"
                raise fail(i + 1, found, "a member name or '*' after '.'")
            i = _dot_name(text, i + 1, steps, fail)
        elif ch == "[":
            i = _bracket(text, i, steps, fail)
        else:
            raise fail(i, f"unexpected {ch!r}", "'.', '[' or the end of the path")
    return steps


def _dot_name(text: str, start: int, steps: list[Step], fail: Callable[..., MappingError]) -> int:
    end = start
    while end < len(text) and text[end] not in ".[]":
        end += 1
    name = text[start:end]
    if not name:
        found = f"unexpected {text[start]!r}" if start < len(text) else "unexpected end"
        raise fail(start, found, "a member name")
    steps.append(Wildcard() if name == "*" else Field(name))
    return end


_INDEX = re.compile(r"\s*(-?\d+)\s*\]")
_STAR = re.compile(r"\s*\*\s*\]")
_QUOTED = re.compile(r"""\s*(['"])((?:\\.|(?!\1)[^\\])*)\1\s*([],])?""")


def _bracket(text: str, start: int, steps: list[Step], fail: Callable[..., MappingError]) -> int:
    """Parse ``[...]`` at ``start``; return the offset after ``]``."""
    body, end = text[start + 1 :], start + 1
    if (m := _STAR.match(body)) is not None:
        steps.append(Wildcard())
        return end + m.end()
    if (m := _INDEX.match(body)) is not None:
        steps.append(Index(int(m.group(1))))
        return end + m.end()
    if (m := _QUOTED.match(body)) is not None:
        if m.group(3) == "]":
            steps.append(Field(re.sub(r"\\(.)", r"\1", m.group(2))))
            return end + m.end()
        if m.group(3) == ",":
            raise _Unsupported  # a union of names
        at = end + m.end()
        found = f"unexpected {text[at]!r}" if at < len(text) else "unexpected end"
        raise fail(at, found, "']'")
    inside, closed, _ = body.partition("]")
    opening = inside.lstrip()[:1]
    if opening in ("'", '"'):
        raise fail(start, f"unclosed {opening}", f"a closing {opening}")
    if not closed:
        raise fail(start, "unclosed '['", "']'")
    if opening in ("?", "(") or ":" in inside or "," in inside:
        raise _Unsupported  # a filter, a script, a slice or a union of indexes
    raise fail(end, f"unexpected {inside!r}", "'*', an index or a quoted name in [...]")


# --- evaluation in Python -----------------------------------------------------------------


MISSING = object()


def evaluate(path: JsonPath, node: Any) -> list[Any]:
    """Every node ``path`` selects from ``node`` (nulls included), in document order."""
    if path.fallback is not None:
        return [m.value for m in path.fallback.find(node)]
    nodes = [node]
    for step in path.steps:
        nodes = apply_step(step, nodes)
        if not nodes:
            break
    return nodes


def apply_step(step: Step, nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    if isinstance(step, Field):
        name = step.name
        for n in nodes:
            if type(n) is dict and name in n:
                out.append(n[name])
    elif isinstance(step, Index):
        for n in nodes:
            if type(n) is list and -len(n) <= step.index < len(n):
                out.append(n[step.index])
    else:
        for n in nodes:
            if type(n) is list:
                out.extend(n)
            elif type(n) is dict:
                out.extend(n.values())
    return out


def member(node: Any, keys: tuple[str, ...]) -> Any:
    """The value at ``keys`` (member names) in ``node``, or ``MISSING``."""
    for key in keys:
        if type(node) is not dict:
            return MISSING
        node = node.get(key, MISSING)
        if node is MISSING:
            return MISSING
    return node
