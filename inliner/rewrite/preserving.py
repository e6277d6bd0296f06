"""Apply plans with libcst, keeping every untouched character of the code.

Only the top-level statement (the "unit") holding functions with something to inline is
parsed with libcst; the rest of the module is never looked at again. Reads and
assignments are found by their positions, which the shared analysis recorded.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..analysis import Candidate, Site
from ..plan import FunctionPlan
from ..precedence import SiteContext, parentheses_to_add
from ..reasons import KeepReason
from ..source import char_column


@dataclass(frozen=True, slots=True)
class UnitText:
    """The lines ``first..last`` (1-based, inclusive) of the module that hold one unit."""

    first: int
    last: int
    text: str


def unit_span(unit: ast.stmt) -> tuple[int, int]:
    first = min([unit.lineno, *(d.lineno for d in getattr(unit, "decorator_list", ()))])
    return first, unit.end_lineno or unit.lineno


class ParsedUnit:
    """A unit parsed by libcst, with the nodes the plans refer to found by position."""

    def __init__(self, unit: UnitText, lines: Sequence[str]) -> None:
        self.unit = unit
        self.lines = lines
        self.module = cst.parse_module(unit.text)
        positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.names: dict[tuple[int, int], cst.Name] = {}
        self.assignments: dict[tuple[int, int], cst.Assign] = {}
        self.line_of: dict[int, cst.CSTNode] = {}
        for node, where in positions.items():
            if isinstance(node, cst.Name):
                self.names[(where.start.line, where.start.column)] = node
            elif isinstance(node, cst.Assign):
                self.assignments[(where.start.line, where.start.column)] = node
            elif isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in node.body:
                    self.line_of[id(small)] = node

    def _key(self, node: ast.AST) -> tuple[int, int]:
        line = node.lineno  # type: ignore[attr-defined]
        return line - self.unit.first + 1, char_column(self.lines[line - 1], node.col_offset)  # type: ignore[attr-defined]

    def name_at(self, site: Site) -> cst.Name:
        return self.names[self._key(site.node)]

    def assignment_of(self, candidate: Candidate) -> cst.Assign:
        return self.assignments[self._key(candidate.statement.node)]

    def pins(self, plan: FunctionPlan) -> dict[str, KeepReason]:
        """Variables this rewriter must keep: comments stay where they are written, and
        text cannot safely move into an f-string."""
        pins: dict[str, KeepReason] = {}
        for candidate in (*plan.inlined, *plan.dropped):
            line = self.line_of.get(id(self.assignment_of(candidate)))
            if line is None or _has_comment(line):
                pins[candidate.name] = KeepReason.HAS_COMMENT
            elif any(site.in_fstring for site in plan.live_sites.get(id(candidate), ())):
                pins[candidate.name] = KeepReason.IN_FSTRING
        return pins

    def rewrite(self, plans: Iterable[FunctionPlan]) -> str:
        transformer = _Inliner()
        for plan in plans:
            for candidate in plan.dropped:
                transformer.delete.add(id(self.assignment_of(candidate)))
            for candidate in plan.inlined:
                assignment = self.assignment_of(candidate)
                transformer.delete.add(id(assignment))
                transformer.definitions[id(assignment)] = (id(candidate), candidate.value)
                for site in plan.live_sites[id(candidate)]:
                    transformer.reads[id(self.name_at(site))] = (id(candidate), site.context)
        return self.module.visit(transformer).code


def _has_comment(line: cst.CSTNode) -> bool:
    if isinstance(line, cst.SimpleStatementLine):
        if any(empty.comment is not None for empty in line.leading_lines):
            return True
    return line.trailing_whitespace.comment is not None  # type: ignore[attr-defined]


class _Inliner(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.delete: set[int] = set()
        self.definitions: dict[int, tuple[int, ast.expr]] = {}
        self.reads: dict[int, tuple[int, SiteContext]] = {}
        self.values: dict[int, cst.BaseExpression] = {}
        self.trees: dict[int, ast.expr] = {}
        """The expression each value stands for, to judge its precedence by."""

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        definition = self.definitions.get(id(original_node))
        if definition is not None:
            key, tree = definition
            self.values[key] = updated_node.value
            whole = self.reads.get(id(original_node.value))
            # ``y = x`` with x inlined: y now stands for x's expression.
            self.trees[key] = self.trees[whole[0]] if whole is not None else tree
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        read = self.reads.get(id(original_node))
        if read is None:
            return updated_node
        key, context = read
        value, value_tree = self.values[key], self.trees[key]
        if original_node.lpar:
            return value.with_changes(
                lpar=[*original_node.lpar, *value.lpar], rpar=[*value.rpar, *original_node.rpar]
            )
        if parentheses_to_add(value_tree, context, parenthesized=bool(value.lpar)):
            return value.with_changes(lpar=[cst.LeftParen(), *value.lpar],
                                      rpar=[*value.rpar, cst.RightParen()])
        return value

    def _keep_statements(self, original: Sequence[cst.BaseSmallStatement],
                         updated: Sequence[cst.BaseSmallStatement]) -> list[cst.BaseSmallStatement]:
        kept = [new for old, new in zip(original, updated) if id(old) not in self.delete]
        if kept and len(kept) < len(updated) and id(original[-1]) in self.delete:
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return kept

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine):
        kept = self._keep_statements(original_node.body, updated_node.body)
        if len(kept) == len(updated_node.body):
            return updated_node
        if not kept:
            return cst.RemoveFromParent()
        return updated_node.with_changes(body=kept)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite,
                                   updated_node: cst.SimpleStatementSuite):
        kept = self._keep_statements(original_node.body, updated_node.body)
        if len(kept) == len(updated_node.body):
            return updated_node
        return updated_node.with_changes(body=kept or [cst.Pass()])

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if updated_node.body:
            return updated_node
        return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
