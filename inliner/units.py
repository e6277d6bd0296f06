"""A module as top-level statements ("units"): where each one's text is, and how to put
rewritten texts back in their place. The rewriters work unit by unit; so do the cache
and the workers, since functions are analysed on their own: a module's result is its
units' results put together (the rest of the module is kept as it is, or unparsed in the
canonical form)."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .analysis.visibility import ModuleNames, module_facts
from .options import InlineOptions
from .result import FunctionReport, InlineResult, summarise
from .rewrite.canonical_file import write_file
from .source import PARSER_ERRORS, future_flags, parse_tree, split_lines


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


@dataclass(frozen=True, slots=True)
class Unit(UnitText):
    """A top-level statement holding functions: what is inlined and cached on its own."""

    index: int
    """Its position in the module's body."""


@dataclass(frozen=True)
class ModuleParts:
    tree: ast.Module
    lines: list[str]
    flags: int
    units: list[Unit]
    names: ModuleNames
    """What the whole module says about its global names (each unit needs it)."""


def _holds_function(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(statement))


def split_module(source: str, options: InlineOptions) -> ModuleParts | None:
    """The module's units and facts, or None when it does not parse. A module with a bare
    string after its first statement (which ``ast.unparse`` would write differently on its
    own) has no units: it is inlined whole."""
    try:
        tree = parse_tree(source)
    except PARSER_ERRORS:
        return None
    names = module_facts(tree, source, options)
    for statement in tree.body[1:]:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                and isinstance(statement.value.value, str):
            return ModuleParts(tree, [], future_flags(tree), [], names)  # the whole module at once
    lines = split_lines(source)
    units = []
    for index, statement in enumerate(tree.body):
        if _holds_function(statement):
            first, last = unit_span(statement)
            units.append(Unit(first, last, "".join(lines[first - 1:last]), index))
    return ModuleParts(tree, lines, future_flags(tree), units, names)


def _shift(report: FunctionReport, offset: int) -> FunctionReport:
    return replace(report, line=report.line + offset,
                   kept=tuple(replace(k, line=k.line + offset) for k in report.kept))


def assemble(source: str, parts: ModuleParts, results: dict[int, InlineResult],
             canonical: bool) -> InlineResult:
    """The module's result from its units' results (``results`` by statement index)."""
    reports = tuple(
        _shift(report, unit.first - 1)
        for unit in parts.units for report in results[unit.index].functions
    )
    if canonical:
        given = {index: result.code for index, result in results.items()}
        return summarise(write_file(parts.tree, source, given).text, reports)
    replacements = {unit.first: UnitText(unit.first, unit.last, results[unit.index].code) for unit in parts.units}
    return summarise(splice(parts.lines, replacements), reports)
