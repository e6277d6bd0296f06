"""A module as top-level statements ("units"): where each one's text is, and how to put
rewritten texts back in their place. The rewriters work unit by unit; so does the cache."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UnitText:
    """The lines ``first..last`` (1-based, inclusive) of the module that hold one unit."""

    first: int
    last: int
    text: str


def unit_span(unit: ast.stmt) -> tuple[int, int]:
    """The first and last line of a top-level statement, its decorators included."""
    first = min([unit.lineno, *(d.lineno for d in getattr(unit, "decorator_list", ()))])
    return first, unit.end_lineno or unit.lineno


def unit_text(lines: Sequence[str], unit: ast.stmt) -> UnitText:
    first, last = unit_span(unit)
    return UnitText(first, last, "".join(lines[first - 1:last]))


def splice(lines: Sequence[str], replacements: Mapping[int, UnitText]) -> str:
    """The module's text with the units starting at each key's line replaced."""
    out: list[str] = []
    line = 1
    for first in sorted(replacements):
        new = replacements[first]
        out.extend(lines[line - 1:first - 1])
        out.append(new.text)
        line = new.last + 1
    out.extend(lines[line - 1:])
    return "".join(out)
