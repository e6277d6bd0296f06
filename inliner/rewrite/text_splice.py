"""The format-preserving fast path: plans applied to the text itself.

The edits are known exactly from the syntax tree's positions: each inlined value's text
goes into the place of each of its reads (with parentheses where precedence needs them,
the same helper as the libcst rewriter's), and each removed assignment's line goes. This
is done only where the result is certain to be what the libcst rewriter writes: a unit
with no comment, line continuation, semicolon or blank line inside, assignments alone on
one line each (``name = value``, no parentheses around the value), reads that carry no
parentheses of their own, and no block left empty. A read inside an f-string is replaced
too when the value's text can stand there on this Python (no quote, backslash, brace or
#, and no ``{x=}``). Anything else returns None and takes the libcst path (which keeps
variables read in f-strings); the same verification judges both.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable

from ..analysis import Candidate, Site
from ..deadline import Deadline
from ..plan import FunctionPlan
from ..precedence import parentheses_to_add
from ..source import char_column, split_lines
from ..units import UnitText

_ASSIGNED = re.compile(r"[ \t]*=[ \t]*")
_FSTRING_UNSAFE = re.compile(r"['\"\\{}#\n\r]")
_DEBUG_SPECIFIER = re.compile(r"=(?!=)")


class _NotPlain(Exception):
    """The unit holds something the text path does not do exactly: use libcst."""


def plain_unit(text: str) -> bool:
    """A quick look at a unit's text: nothing the text path leaves to libcst."""
    if "#" in text or "\\" in text or ";" in text or "\r" in text:
        return False
    return all(line.strip() for line in split_lines(text))


def splice_unit(unit: UnitText, plans: Iterable[FunctionPlan], deadline: Deadline) -> str | None:
    """The unit's text with ``plans`` applied, or None where libcst must do it; raises
    :class:`DeadlineExceeded` when ``deadline`` passes (checked every 256 edits)."""
    try:
        return _Splicer(unit, deadline).apply(list(plans))
    except _NotPlain:
        return None


class _Splicer:
    def __init__(self, unit: UnitText, deadline: Deadline) -> None:
        self.unit = unit
        self.deadline = deadline
        self.rows = split_lines(unit.text)
        self.final: dict[int, str] = {}
        """Each inlined candidate (by id) → its value's text with its own reads inlined."""
        self.tree: dict[int, ast.expr] = {}
        """Each inlined candidate → the expression its text stands for (for precedence)."""
        self.inlined_at: dict[int, Candidate] = {}
        """Each live read (by the id of its name node) → the inlined candidate it reads."""

    def row(self, line: int) -> str:
        return self.rows[line - self.unit.first]

    def column(self, line: int, offset: int | None) -> int:
        if offset is None:
            raise _NotPlain  # a node without a position (parsed code has them all)
        return char_column(self.row(line), offset)

    def apply(self, plans: list[FunctionPlan]) -> str:
        removed: set[int] = set()
        for plan in plans:
            for candidate in (*plan.inlined, *plan.dropped):
                removed.add(candidate.statement.node.lineno)
                self.check_assignment(candidate)
            self.check_no_block_empties(plan)
            for candidate in plan.inlined:
                for site in plan.live_sites[id(candidate)]:
                    self.inlined_at[id(site.node)] = candidate
        for plan in plans:
            for candidate in plan.inlined:  # in definition order: a value's reads come first
                self.final[id(candidate)] = self.value_text(candidate)
        edits: dict[int, list[tuple[int, int, str]]] = {}
        count = 0
        for plan in plans:
            for candidate in plan.inlined:
                for site in plan.live_sites[id(candidate)]:
                    line = site.node.lineno
                    if line in removed:
                        continue  # inside another value: already in that value's text
                    edits.setdefault(line, []).append(self.place(site, candidate))
                    count += 1
                    if not count & 255:
                        self.deadline.check()
        out: list[str] = []
        for number, row in enumerate(self.rows, start=self.unit.first):
            if number in removed:
                continue
            for start, end, new in sorted(edits.get(number, ()), reverse=True):
                row = row[:start] + new + row[end:]
            out.append(row)
        return "".join(out)

    # -- checks ------------------------------------------------------------------------

    def check_assignment(self, candidate: Candidate) -> None:
        """``name = value`` alone on one line, the value without parentheses of its own."""
        statement = candidate.assignment
        target, value = statement.targets[0], statement.value
        line = statement.lineno
        if statement.end_lineno != line or value.lineno != line or value.end_lineno != line:
            raise _NotPlain
        row = self.row(line)
        start = self.column(line, statement.col_offset)
        end = self.column(line, statement.end_col_offset)
        between = row[self.column(line, target.end_col_offset):self.column(line, value.col_offset)]
        if row[:start].strip() or row[end:].strip() or not _ASSIGNED.fullmatch(between) \
                or self.column(line, value.end_col_offset) != end:
            raise _NotPlain

    @staticmethod
    def check_no_block_empties(plan: FunctionPlan) -> None:
        going: dict[int, int] = {}
        for candidate in (*plan.inlined, *plan.dropped):
            suite = candidate.statement.suite
            going[id(suite)] = going.get(id(suite), 0) + 1
            if going[id(suite)] == len(suite.statements):
                raise _NotPlain  # libcst writes the pass that keeps the block

    def place(self, site: Site, candidate: Candidate) -> tuple[int, int, str]:
        """Where the read's name stands, and the text that replaces it."""
        start, end, after = self.read_span(site)
        text = self.replacement(site, candidate)
        if site.in_fstring and (_FSTRING_UNSAFE.search(text) or _DEBUG_SPECIFIER.match(after)):
            # Before Python 3.12 an f-string's expression may hold no quote or backslash;
            # braces and # would change its meaning, and {x=} prints the expression's text.
            raise _NotPlain
        return start, end, text

    def read_span(self, site: Site) -> tuple[int, int, str]:
        """Where the read's name stands (it must carry no parentheses of its own), and the
        text that follows it on its line."""
        node = site.read
        line = node.lineno
        if node.end_lineno != line:
            raise _NotPlain
        row = self.row(line)
        start = self.column(line, node.col_offset)
        end = self.column(line, node.end_col_offset)
        if unicodedata.normalize("NFKC", row[start:end]) != node.id:
            raise _NotPlain  # a position the parser got wrong (as 3.11 can inside f-strings)
        before, after = row[:start].rstrip(), row[end:].lstrip()
        if not before:
            raise _NotPlain  # a read opening a line: a layout the text path leaves alone
        if before.endswith("(") and after.startswith(")"):
            parent = site.parent
            sole_argument = (isinstance(parent, ast.Call) and site.field == "args"
                             and len(parent.args) == 1 and not parent.keywords
                             and parent.func.end_lineno == line)
            if not sole_argument or not isinstance(parent, ast.Call) \
                    or row[self.column(line, parent.func.end_col_offset):start].strip() != "(":
                raise _NotPlain  # maybe parentheses of the read's own
        return start, end, after

    # -- texts ---------------------------------------------------------------------------

    def value_text(self, candidate: Candidate) -> str:
        value = candidate.assignment.value
        line = value.lineno
        row = self.row(line)
        start = self.column(line, value.col_offset)
        text = row[start:self.column(line, value.end_col_offset)]
        inner: list[tuple[int, int, str]] = []
        for site in candidate.statement.sites:
            read = self.inlined_at.get(id(site.node))
            if read is not None:
                begin, end, new = self.place(site, read)
                inner.append((begin - start, end - start, new))
        for begin, end, new in sorted(inner, reverse=True):
            text = text[:begin] + new + text[end:]
        whole = self.inlined_at.get(id(value)) if isinstance(value, ast.Name) else None
        # ``y = x`` with x inlined: y now stands for x's expression.
        self.tree[id(candidate)] = self.tree[id(whole)] if whole is not None else candidate.value
        return text

    def replacement(self, site: Site, candidate: Candidate) -> str:
        text = self.final[id(candidate)]
        tree = self.tree[id(candidate)]
        # A parenthesised tuple or generator's position takes in its parentheses.
        own = isinstance(tree, (ast.Tuple, ast.GeneratorExp)) and text.startswith("(")
        if parentheses_to_add(tree, site.context, parenthesized=own):
            return f"({text})"
        return text
