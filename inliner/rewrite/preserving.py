"""The format-preserving rewriter: each top-level statement ("unit") holding a function
with something to inline is rewritten with libcst, verified on its own, and put back in
place; the rest of the module is never looked at again.

A unit whose functions together fail verification is tried again accepting them one at
a time, so only the functions that cause the trouble keep their text.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from functools import partial

from ..deadline import Deadline, DeadlineExceeded
from ..memory import libcst_may_not_fit
from ..options import InlineOptions
from ..reasons import FallbackReason
from ..source import split_lines
from ..units import UnitText, splice, unit_text
from ..verify import check_module_text, check_unit
from ..work import FunctionWork, Problem, Replan, by_unit, guarded
from .canonical import apply_plans
from .cst_unit import ParsedUnit
from .text_splice import plain_unit, splice_unit

_MAX_PIN_ROUNDS = 8


def unit_deadline(options: InlineOptions) -> Deadline:
    """The time for rewriting one top-level statement with libcst: ``options.timeout``
    again, checked as the rewrite goes (libcst's parse itself cannot be interrupted)."""
    return Deadline(options.timeout)


class PreservingRewrite:
    """The format-preserving rewrite of one module: functions are rewritten in their
    text at the end; a function with nothing to change needs its analysis no longer."""

    def __init__(self, tree: ast.Module, source: str, flags: int, options: InlineOptions,
                 replan: Replan) -> None:
        self.tree = tree
        self.source = source
        self.flags = flags
        self.options = options
        self.replan = replan

    def take(self, work: FunctionWork) -> None:
        if not work.changes:
            work.release()

    def write(self, works: list[FunctionWork]) -> str:
        return write_preserving(self.tree, self.source, self.flags, self.options, works, self.replan)


def write_preserving(tree: ast.Module, source: str, flags: int, options: InlineOptions,
                     works: list[FunctionWork], replan: Replan) -> str:
    """``source`` with every changing function rewritten in place."""
    changed = [w for w in works if w.changes]
    if not changed:
        return source
    rewriter = _UnitRewriter(flags, options, replan)
    lines = split_lines(source)
    replacements: dict[int, UnitText] = {}
    for unit, unit_works in sorted(by_unit(changed).items()):
        node = tree.body[unit]
        text = unit_text(lines, node)
        new_text = rewriter.rewrite(node, text, lines, unit_works)
        if new_text is not None:
            replacements[text.first] = UnitText(text.first, text.last, new_text)
    if not replacements:
        return source
    code = splice(lines, replacements)
    problem = check_module_text(code, flags)
    if problem is not None:
        # Each unit was checked alone; this is the net under joining them back.
        for work in changed:
            if work.changes:
                work.fall_back(FallbackReason.VERIFY_FAILED, problem)
        return source
    return code


class _UnitRewriter:
    def __init__(self, flags: int, options: InlineOptions, replan: Replan) -> None:
        self.flags = flags
        self.options = options
        self.replan = replan

    def rewrite(self, node: ast.stmt, text: UnitText, lines: Sequence[str],
                works: list[FunctionWork]) -> str | None:
        """The unit's new text, or None when none of its functions changes after all."""
        if "\r" in text.text and "\n" not in text.text:
            # Old Mac line endings: libcst knows only \n and \r\n. Python reads a bare
            # \r as \n, so the unit is rewritten with \n and given its \r back.
            plain = UnitText(text.first, text.last, text.text.replace("\r", "\n"))
            plain_lines = [line.replace("\r", "\n") for line in lines]
            new_text = self.rewrite(node, plain, plain_lines, works)
            return None if new_text is None else new_text.replace("\n", "\r")
        deadline = unit_deadline(self.options)
        if plain_unit(text.text):
            try:
                done, new_text = self._splice(node, text, works, deadline)
            except DeadlineExceeded:
                self._time_out(works)
                return None
            if done:
                return new_text
        if libcst_may_not_fit(len(text.text)):
            # libcst's native parser aborts the process when an allocation fails.
            for work in works:
                work.fall_back(FallbackReason.OUT_OF_MEMORY, "too large for libcst to parse within "
                               "this process's address-space limit (ulimit -v)")
            return None
        try:
            names = frozenset(c.name for w in works if w.analysis for c in w.analysis.candidates)
            parsed = ParsedUnit(text, lines, node, names)
        except Exception as error:  # noqa: BLE001 - libcst refused; keep the original
            for work in works:
                work.fall_back(FallbackReason.CST_ERROR, f"{type(error).__name__}: {error}".splitlines()[0])
            return None
        try:
            return self._rewrite_parsed(node, text, parsed, works, deadline)
        except DeadlineExceeded:
            self._time_out(works)
            return None

    @staticmethod
    def _time_out(works: list[FunctionWork]) -> None:
        for work in works:
            if work.changes:
                work.fall_back(FallbackReason.TIMEOUT, "the time limit passed while rewriting "
                               "the top-level statement that holds it")

    def _splice(self, node: ast.stmt, text: UnitText, works: list[FunctionWork],
                deadline: Deadline) -> tuple[bool, str | None]:
        """The text path: (True, the new text or None when nothing changes after all), or
        (False, None) when libcst must do it (the text path cannot, or its result failed
        verification: libcst then tries, one function at a time if need be)."""
        # A plain unit has no comment to pin; a read in an f-string the text cannot take
        # sends the unit to libcst, which keeps that variable.
        active = [w for w in works if w.changes]
        if not active:
            return True, None
        deadline.check()
        plans = [w.current_plan() for w in active]
        new_text = splice_unit(text, plans, deadline)
        if new_text is None:
            return False, None
        undo = apply_plans(plans)
        try:
            problem = check_unit(new_text, node, text.text, self.flags)
        finally:
            undo.revert()
        return (True, new_text) if problem is None else (False, None)

    def _rewrite_parsed(self, node: ast.stmt, text: UnitText, parsed: ParsedUnit,
                        works: list[FunctionWork], deadline: Deadline) -> str | None:
        for work in works:
            guarded(work, partial(self._settle_pins, work, parsed))
        active = [w for w in works if w.changes]
        if not active:
            return None
        deadline.check()
        new_text, problem = self._attempt(node, text, parsed, active, deadline)
        if problem is None:
            return new_text
        # Find which functions cause the trouble: accept them one at a time.
        accepted: list[FunctionWork] = []
        for work in active:
            candidate_text, problem = self._attempt(node, text, parsed, [*accepted, work], deadline)
            if problem is None:
                accepted.append(work)
                new_text = candidate_text
            else:
                work.fall_back(*problem)
        return new_text if accepted else None

    def _settle_pins(self, work: FunctionWork, parsed: ParsedUnit) -> None:
        """Re-plan until no planned variable is one this rewriter must keep.

        Pins are asked only of what the plan moves: pinning every commented variable
        before planning would also change the reason reported for variables kept for
        another reason (a pin is decided before the reads are judged). Each round pins
        at least one more name, so the loop ends."""
        for _ in range(_MAX_PIN_ROUNDS):
            new_pins = {k: v for k, v in parsed.pins(work.current_plan()).items() if k not in work.pins}
            if not new_pins:
                return
            work.pins.update(new_pins)
            self.replan(work)
            if not work.current_plan().changes:
                return
        work.fall_back(FallbackReason.INTERNAL_ERROR, "planning did not settle")

    def _attempt(self, node: ast.stmt, text: UnitText, parsed: ParsedUnit, works: list[FunctionWork],
                 deadline: Deadline) -> tuple[str, Problem | None]:
        plans = [w.current_plan() for w in works]
        try:
            new_text = parsed.rewrite(plans, deadline)
        except DeadlineExceeded:
            raise
        except Exception as error:  # noqa: BLE001
            return "", (FallbackReason.CST_ERROR, f"{type(error).__name__}: {error}".splitlines()[0])
        undo = apply_plans(plans)
        try:
            return new_text, check_unit(new_text, node, text.text, self.flags)
        finally:
            undo.revert()
