"""One top-level statement (a "unit") parsed with libcst, and plans applied to it
keeping every untouched character.

Reads and assignments are found through the positions the shared analysis recorded: the
unit is parsed with each mention of a candidate renamed to a unique marker.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

import libcst as cst

from ..analysis import Candidate, Site
from ..deadline import NO_DEADLINE, Deadline
from ..plan import FunctionPlan
from ..precedence import SiteContext, parentheses_to_add
from ..reasons import KeepReason
from ..source import char_column, split_lines
from ..units import UnitText

_WORD = re.compile(r"\w+")


class ParsedUnit:
    """A unit parsed by libcst, with every mention of a candidate variable renamed to a
    marker of its own first, so that the nodes the plans refer to are found by name.

    (libcst's PositionProvider would find them by position, but computing positions
    costs more than parsing the unit.) Markers are names that occur nowhere in the unit;
    the rewrite gives every marker it does not replace its original name back, so the
    code around is kept character for character.
    """

    def __init__(self, unit: UnitText, lines: Sequence[str], node: ast.stmt,
                 names: frozenset[str]) -> None:
        self.unit = unit
        self.lines = lines
        self.original: dict[str, str] = {}
        """Marker → the variable name it stands for, spelled as written."""
        self.marker_at: dict[tuple[int, int], str] = {}
        self.module = cst.parse_module(self._marked(node, names))
        self.assignments: dict[str, cst.Assign] = {}
        """Marker of an assignment's single target → that assignment."""
        self.line_of: dict[int, _SmallStatements] = {}
        for line in _statement_lines(self.module.body):
            for small in line.body:
                self.line_of[id(small)] = line
                if (isinstance(small, cst.Assign) and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)
                        and small.targets[0].target.value in self.original):
                    self.assignments[small.targets[0].target.value] = small

    def _marked(self, node: ast.stmt, names: frozenset[str]) -> str:
        """The unit's text with each mention of ``names`` replaced by a fresh marker."""
        text = self.unit.text
        prefix = "_inline_"
        while prefix in text:
            prefix += "_"
        found: list[tuple[int, int, str]] = []
        stack: list[ast.AST] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.JoinedStr):
                continue  # reads in f-strings are never replaced here (and 3.11 misplaces them)
            if isinstance(current, ast.Name) and current.id in names:
                line, column = self._key(current)
                found.append((line, column, current.id))
            stack.extend(ast.iter_child_nodes(current))
        lines = split_lines(text)
        # Right to left along each line, so that earlier columns stay valid.
        for number, (line, column, name) in enumerate(sorted(found, reverse=True)):
            marker = f"{prefix}{number}"
            row = lines[line - 1]
            # The name as written: Python reads identifiers in NFKC form, so ``ﬁ`` is fi.
            written = _WORD.match(row, column)
            if written is None or unicodedata.normalize("NFKC", written.group()) != name:
                raise ValueError(f"line {self.unit.first + line - 1}: no name {name!r} where "
                                 "the syntax tree puts it")
            lines[line - 1] = row[:column] + marker + row[written.end():]
            self.original[marker] = written.group()
            self.marker_at[(line, column)] = marker
        return "".join(lines)

    def _key(self, node: ast.expr) -> tuple[int, int]:
        line = node.lineno
        return line - self.unit.first + 1, char_column(self.lines[line - 1], node.col_offset)

    def marker_of(self, site: Site) -> str:
        return self.marker_at[self._key(site.read)]

    def assignment_of(self, candidate: Candidate) -> cst.Assign:
        target = candidate.assignment.targets[0]
        return self.assignments[self.marker_at[self._key(target)]]

    def pins(self, plan: FunctionPlan) -> dict[str, KeepReason]:
        """Variables this rewriter must keep: comments stay where they are written, and
        text cannot safely move into an f-string."""
        pins: dict[str, KeepReason] = {}
        for candidate in (*plan.inlined, *plan.dropped):
            line = self.line_of.get(id(self.assignment_of(candidate)))
            if line is None or _has_comment(line):
                pins[candidate.name] = KeepReason.COMMENT
            elif any(site.in_fstring for site in plan.live_sites.get(id(candidate), ())):
                pins[candidate.name] = KeepReason.F_STRING
        return pins

    def rewrite(self, plans: Iterable[FunctionPlan], deadline: Deadline = NO_DEADLINE) -> str:
        """The unit's new text; raises :class:`DeadlineExceeded` when ``deadline`` passes."""
        transformer = _Inliner(self.original, deadline)
        for plan in plans:
            for candidate in plan.dropped:
                transformer.delete.add(id(self.assignment_of(candidate)))
            for candidate in plan.inlined:
                assignment = self.assignment_of(candidate)
                transformer.delete.add(id(assignment))
                transformer.definitions[id(assignment)] = (id(candidate), candidate.value)
                for site in plan.live_sites[id(candidate)]:
                    transformer.reads[self.marker_of(site)] = (id(candidate), site.context)
        return self.module.visit(transformer).code


_SUITE_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")


_SmallStatements = cst.SimpleStatementLine | cst.SimpleStatementSuite
"""A line of small statements: alone, or after a compound statement's colon."""


def _statement_lines(body: Sequence[cst.CSTNode]) -> Iterator[_SmallStatements]:
    """Every line of small statements (``SimpleStatementLine``, or the
    ``SimpleStatementSuite`` after a colon) in ``body``, blocks included, without
    visiting a single expression."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield node
            continue
        inner: list[cst.CSTNode] = []
        for name in _SUITE_FIELDS:
            value = getattr(node, name, None)
            if isinstance(value, cst.IndentedBlock):
                inner.extend(value.body)
            elif isinstance(value, cst.CSTNode):
                inner.append(value)
            elif isinstance(value, Sequence):
                inner.extend(value)
        stack.extend(reversed(inner))


def _has_comment(line: _SmallStatements) -> bool:
    if isinstance(line, cst.SimpleStatementLine):
        if any(empty.comment is not None for empty in line.leading_lines):
            return True
    return line.trailing_whitespace.comment is not None


class _Inliner(cst.CSTTransformer):
    def __init__(self, original: dict[str, str], deadline: Deadline) -> None:
        super().__init__()
        self.original = original
        self.deadline = deadline
        self.visits = 0
        self.delete: set[int] = set()
        self.definitions: dict[int, tuple[int, ast.expr]] = {}
        self.reads: dict[str, tuple[int, SiteContext]] = {}
        """Marker of a read to replace → (its candidate, the context it is read in)."""
        self.values: dict[int, cst.BaseExpression] = {}
        self.trees: dict[int, ast.expr] = {}
        """The expression each value stands for, to judge its precedence by."""
        self.removed_lines: dict[int, Sequence[cst.EmptyLine]] = {}
        """Lines removed whole → the blank lines that stood before them."""

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.visits += 1
        if not self.visits & 1023:
            self.deadline.check()
        return super().on_visit(node)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        definition = self.definitions.get(id(original_node))
        if definition is not None:
            key, tree = definition
            self.values[key] = updated_node.value
            value = original_node.value
            whole = self.reads.get(value.value) if isinstance(value, cst.Name) else None
            # ``y = x`` with x inlined: y now stands for x's expression.
            self.trees[key] = self.trees[whole[0]] if whole is not None else tree
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        read = self.reads.get(original_node.value)
        if read is None:
            original = self.original.get(original_node.value)
            return updated_node if original is None else updated_node.with_changes(value=original)
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
        kept = [new for old, new in zip(original, updated, strict=True) if id(old) not in self.delete]
        if kept and len(kept) < len(updated) and id(original[-1]) in self.delete:
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return kept

    def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine,
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        kept = self._keep_statements(original_node.body, updated_node.body)
        if len(kept) == len(updated_node.body):
            return updated_node
        if not kept:
            self.removed_lines[id(original_node)] = original_node.leading_lines
            return cst.RemoveFromParent()
        return updated_node.with_changes(body=kept)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite,
                                   updated_node: cst.SimpleStatementSuite) -> cst.SimpleStatementSuite:
        kept = self._keep_statements(original_node.body, updated_node.body)
        if len(kept) == len(updated_node.body):
            return updated_node
        return updated_node.with_changes(body=kept or [cst.Pass()])

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        if not self.removed_lines:
            return updated_node
        return updated_node.with_changes(body=self._pass_blank_lines(original_node.body, updated_node.body))

    def _pass_blank_lines(self, original: Sequence[cst.BaseStatement],
                          updated: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """Keep the block's vertical rhythm: the blank lines before a removed line pass to
        the statement that follows it, unless that one has blank lines of its own; at the
        top of the block, the first statement left starts it as the first one did."""
        body = list(updated)
        position = 0
        carried: Sequence[cst.EmptyLine] | None = None
        for statement in original:
            removed = self.removed_lines.get(id(statement))
            if removed is not None:
                if carried is None or (position > 0 and not carried):
                    carried = removed  # at the block's top, even "no blank line" carries
                continue
            survivor = body[position]
            # A statement is a line of small ones or a compound one, and both have leading
            # lines (libcst's BaseStatement does not declare them).
            if not isinstance(survivor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                raise TypeError(f"a {type(survivor).__name__} in a block")
            own: Sequence[cst.EmptyLine] = survivor.leading_lines
            if carried is not None and position == 0:
                # Its blank lines give way to the top's; its comments stay.
                start = 0
                while start < len(own) and own[start].comment is None:
                    start += 1
                body[position] = survivor.with_changes(leading_lines=[*carried, *own[start:]])
            elif carried and not own:
                body[position] = survivor.with_changes(leading_lines=carried)
            carried = None
            position += 1
        return body
