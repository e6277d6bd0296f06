"""The canonical rewriter: plans applied to the stdlib syntax tree, ``ast.unparse``.

``ast.unparse`` of the rewritten module is the canonical form (written, character for
character, by :mod:`inliner.rewrite.canonical_text`); the format-preserving
rewriter also uses the rewritten tree, as the program its own output must equal.
A function whose rewrite cannot be written, or does not read back as planned, is put
back as it was (its plan undone) and says why. The text is written as a file by
:mod:`inliner.rewrite.canonical_file` (the shebang and encoding declaration kept, and what
``ast.unparse`` cannot write even as parsed written as in the source).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..plan import FunctionPlan
from ..reasons import FallbackReason
from ..source import split_lines
from ..units import unit_text
from ..verify import check_canonical
from ..work import FunctionWork, by_unit
from .canonical_file import refusal, write_file


@dataclass(slots=True)
class Undo:
    """What :func:`apply_plans` changed, so that a function can be put back as it was
    (and changed again: revert and reapply may alternate). The steps of one function
    touch only that function's own nodes, so functions are put back in any order."""

    steps: list[tuple[ast.AST, str, int | None, object, object]] = field(default_factory=list)
    """(owner, field, index in the field's list or None, old value, new value)"""

    def record(self, owner: ast.AST, name: str, index: int | None, new: object) -> None:
        if index is None:
            self.steps.append((owner, name, None, getattr(owner, name), new))
            setattr(owner, name, new)
        else:
            holder = getattr(owner, name)
            self.steps.append((owner, name, index, holder[index], new))
            holder[index] = new

    def revert(self) -> None:
        for owner, name, index, old, _ in reversed(self.steps):
            if index is None:
                setattr(owner, name, old)
            else:
                getattr(owner, name)[index] = old

    def reapply(self) -> None:
        for owner, name, index, _, new in self.steps:
            if index is None:
                setattr(owner, name, new)
            else:
                getattr(owner, name)[index] = new


def apply_plan(plan: FunctionPlan) -> Undo:
    """Substitute every inlined read and remove the inlined and dropped assignments.

    ``plan.inlined`` is in definition order, outer blocks first, so a value is complete
    (its own reads already substituted) before it is copied to its further reads. That is
    why a shallow copy of its root is enough: ``ast.unparse`` chooses parentheses by the
    precedence each parent sets on its child, so only the root meets a different parent
    at each read; everything below it has the same parents in every copy.
    """
    undo = Undo()
    for candidate in plan.inlined:
        # The assignment's value, not ``candidate.value``: when the whole value was itself
        # a read of an earlier variable, it has been replaced already.
        current = candidate.assignment.value
        for k, site in enumerate(plan.live_sites[id(candidate)]):
            # A new root per further read: ast.unparse keys its parenthesisation by node,
            # so a root shared by two contexts would be written with the other's parentheses.
            undo.record(site.parent, site.field, site.index, current if k == 0 else copy.copy(current))
    removed = plan.removed_statements
    suites = {id(c.statement.suite): c.statement.suite for c in (*plan.inlined, *plan.dropped)}
    for suite in suites.values():
        body = getattr(suite.owner, suite.field)
        kept = [statement for statement in body if id(statement) not in removed]
        # A block left empty gets a pass where its first statement was (compiling the
        # planned tree, as verification does, needs every statement placed).
        undo.record(suite.owner, suite.field, None, kept or [ast.copy_location(ast.Pass(), body[0])])
    return undo


def apply_plans(plans: Iterable[FunctionPlan]) -> Undo:
    combined = Undo()
    for plan in plans:
        combined.steps.extend(apply_plan(plan).steps)
    return combined


class CanonicalRewrite:
    """The canonical rewrite of one module: each plan is applied to the tree as soon as it
    is made, and the module is written once at the end. That gives what applying every
    plan after planning them all gives, because
    - functions come in order of position, so an enclosing function is planned before
      the functions inside it, seeing them as written;
    - a plan writes only into its own function's code: a read inside a nested function,
      its defaults or its decorators is never a place a value moves to;
    - the facts about a top-level statement are gathered before its first plan.
    tests/test_canonical_form.py holds the two ways to the same text."""

    def __init__(self, tree: ast.Module, source: str, flags: int) -> None:
        self.tree = tree
        self.source = source
        self.flags = flags
        self.undo: dict[int, Undo] = {}

    def take(self, work: FunctionWork) -> None:
        """Apply ``work``'s plan; from here on only its :class:`Undo` is needed."""
        if work.changes:
            self.undo[id(work)] = apply_plan(work.current_plan())
        work.release()

    def write(self, works: list[FunctionWork]) -> str:
        return write_canonical(self.tree, self.source, self.flags, works, self.undo)


def write_canonical(tree: ast.Module, source: str, flags: int, works: list[FunctionWork],
                    undo: dict[int, Undo]) -> str:
    """The canonical text of ``tree`` as a file (:func:`~.canonical_file.write_file`),
    where the plans of ``works`` that change have been applied (``undo``, by ``id`` of
    each work, puts one back)."""
    try:
        code = _write(tree, source, works, undo)
    except RecursionError:
        for work in works:
            steps = undo.pop(id(work), None)
            if steps is not None:
                steps.revert()
                work.fall_back(FallbackReason.TOO_COMPLEX, "nested too deeply to unparse")
        return _write(tree, source, works, undo)
    if not undo:
        return code
    changed = by_unit(w for w in works if id(w) in undo)
    lines: list[str] = []

    def original_text(unit: int) -> str:
        if not lines:
            lines.extend(split_lines(source))
        return unit_text(lines, tree.body[unit]).text

    problems = check_canonical(code, tree, original_text, changed, flags)
    if not problems:
        return code
    for unit, problem in problems.items():
        for work in changed[unit]:
            undo.pop(id(work)).revert()
            work.fall_back(*problem)
    return _write(tree, source, works, undo)


def _write(tree: ast.Module, source: str, works: list[FunctionWork], undo: dict[int, Undo]) -> str:
    """The file's text, with what ``ast.unparse`` cannot write put back: a function's
    rewrite, one function at a time, and then a top-level statement it cannot write even
    as parsed, written as in the source, every function in it left as it was."""
    written = write_file(tree, source)
    if not written.as_in_source:
        return written.text
    changed = [w for w in works if id(w) in undo and w.found.unit in written.as_in_source]
    if changed:
        # ast.unparse has limits of its own (on 3.11, a backslash inside an f-string's
        # expression): only the functions whose rewrite it cannot write keep theirs.
        _keep_unwritable(tree, changed, undo)
        written = write_file(tree, source)
    for work in works:
        why = written.as_in_source.get(work.found.unit)
        if why is not None and (work.status != "fallback" or work.reason is FallbackReason.CANNOT_UNPARSE):
            work.fall_back(FallbackReason.CANNOT_UNPARSE, f"written as in the source: {why}")
    return written.text


def _keep_unwritable(tree: ast.Module, changed: list[FunctionWork], undo: dict[int, Undo]) -> None:
    """Put back, one function at a time, the rewrites ``ast.unparse`` cannot write.
    ``undo`` holds each work until it is decided, so that whatever is raised meanwhile
    (a ``RecursionError``) finds every applied plan in it (and reverting twice is harmless)."""
    for unit, unit_works in by_unit(changed).items():
        node = tree.body[unit]
        for work in reversed(unit_works):
            undo[id(work)].revert()
        for work in unit_works:
            steps = undo[id(work)]
            steps.reapply()
            why = refusal(node)
            if why is not None:
                steps.revert()
                del undo[id(work)]
                work.fall_back(FallbackReason.CANNOT_UNPARSE, why)
