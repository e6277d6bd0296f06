"""The orchestrator: source text → analysis → plan → rewrite → verify → result.

Every function is handled on its own: one that cannot be handled keeps its original text
and says why, and never spoils the rest of its module. Nothing here raises to the caller.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from .analysis import FunctionAnalysis, analyse_function
from .analysis.shared import ModuleNames, nonlocal_names, scan_module
from .deadline import NO_DEADLINE, Deadline, DeadlineExceeded
from .discover import FoundFunction, find_functions, has_plain_assignment
from .memory import libcst_may_not_fit
from .options import CANONICAL, InlineOptions
from .plan import FunctionPlan, plan_function
from .reasons import FallbackReason, KeepReason
from .result import (
    FunctionReport,
    FunctionStatus,
    InlineResult,
    KeptVariable,
    internal_error,
    merge_passes,
    summarise,
    untouched,
)
from .rewrite.canonical import Undo, apply_plan, apply_plans
from .rewrite.preserving import ParsedUnit, UnitText, unit_span
from .source import (
    compile_error,
    compile_tree,
    describe_syntax_error,
    future_flags,
    parse_tree,
    split_lines,
)
from .verify import same_tree

_MAX_PIN_ROUNDS = 8
_MAX_SETTLE_PASSES = 3


@dataclass(slots=True, eq=False)
class _Work:
    """One function on its way through the pipeline."""

    found: FoundFunction
    deadline: Deadline
    status: FunctionStatus = "unchanged"
    reason: FallbackReason | None = None
    detail: str | None = None
    analysis: FunctionAnalysis | None = None
    plan: FunctionPlan | None = None
    pins: dict[str, KeepReason] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return self.status == "unchanged" and self.plan is not None and self.plan.changes

    def fall_back(self, reason: FallbackReason, detail: str | None = None) -> None:
        self.status, self.reason, self.detail, self.plan = "fallback", reason, detail, None

    def report(self) -> FunctionReport:
        node = self.found.node
        plan = self.plan if self.status != "fallback" else None
        kept: list[KeptVariable] = []
        if self.analysis is not None:
            kept += [KeptVariable(n, line, r) for n, line, r in self.analysis.kept_without_candidate]
        if plan is not None:
            kept += [KeptVariable(c.name, c.statement.node.lineno, r) for c, r in plan.kept]
        changed = plan is not None and plan.changes
        return FunctionReport(
            qualname=self.found.qualname, line=node.lineno,
            status="inlined" if changed and self.status == "unchanged" else self.status,
            reason=self.reason, detail=self.detail,
            inlined=tuple(c.name for c in plan.inlined) if plan else (),
            dropped=tuple(c.name for c in plan.dropped) if plan else (),
            kept=tuple(sorted(kept, key=lambda k: k.line)),
        )


def _guarded(work: _Work, step) -> None:  # type: ignore[no-untyped-def]
    """Run one step for one function; any failure becomes that function's fallback."""
    try:
        step()
    except DeadlineExceeded:
        work.fall_back(FallbackReason.TIMEOUT, "the per-function time limit passed")
    except RecursionError:
        work.fall_back(FallbackReason.TOO_COMPLEX, "nested too deeply to analyse")
    except MemoryError:
        work.fall_back(FallbackReason.OUT_OF_MEMORY, "memory ran out while analysing it")
    except Exception as error:  # noqa: BLE001 - a bug must cost one function, not the run
        work.fall_back(FallbackReason.INTERNAL_ERROR, f"{type(error).__name__}: {error}")


def unit_deadline(options: InlineOptions) -> Deadline:
    """The time for rewriting one top-level statement with libcst: ``options.timeout``
    again, checked as the rewrite goes (libcst's parse itself cannot be interrupted)."""
    return Deadline(options.timeout)


class _Run:
    def __init__(self, source: str, options: InlineOptions, flags: int | None = None,
                 module: ModuleNames | None = None) -> None:
        self.source = source
        self.options = options
        self.given_flags = flags
        self.given_module = module
        self.unit_nonlocal: dict[int, frozenset[str]] = {}
        self.settle = False
        """Whether a nested function dropped dead code, which may free outer variables."""

    def run(self) -> InlineResult:
        try:
            tree = parse_tree(self.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            reason = FallbackReason.OUT_OF_MEMORY if isinstance(error, MemoryError) else FallbackReason.PARSE_ERROR
            return untouched(self.source, reason, describe_syntax_error(error),
                             line=getattr(error, "lineno", None), column=getattr(error, "offset", None))
        self.tree = tree
        self.flags = future_flags(tree) if self.given_flags is None else self.given_flags
        self.module = scan_module(tree, self.source) if self.given_module is None else self.given_module
        works = [_Work(found, NO_DEADLINE) for found in find_functions(tree)]
        for work in works:
            if has_plain_assignment(work.found.node):
                work.deadline = Deadline(self.options.timeout)  # each function's own time
                _guarded(work, lambda work=work: self._plan(work))
        if self.options.preserve_format:
            code = self._preserve(works)
        else:
            code = self._canonical(works)
        self.settle = any(
            w.changes and w.plan.dropped  # type: ignore[union-attr]
            and ("<locals>" in w.found.qualname or w.plan.kept)  # type: ignore[union-attr]
            for w in works
        )
        return self._result(code, works)

    def _plan(self, work: _Work, pins: dict[str, KeepReason] | None = None) -> None:
        if work.analysis is None:
            unit = work.found.unit
            if unit not in self.unit_nonlocal:
                self.unit_nonlocal[unit] = nonlocal_names(self.tree.body[unit], self.source)
            work.analysis = analyse_function(work.found.node, work.found.qualname, work.deadline,
                                             self.module, self.unit_nonlocal[unit])
            if work.analysis.skipped is not None:
                work.status, work.reason = "skipped", work.analysis.skipped
                work.detail = work.analysis.skip_detail
                return
        work.plan = plan_function(work.analysis, self.options, work.deadline, pins)

    # -- canonical ------------------------------------------------------------------------

    def _canonical(self, works: list[_Work]) -> str:
        undo = {id(w): apply_plan(w.plan) for w in works if w.changes}  # type: ignore[arg-type]
        try:
            code = ast.unparse(self.tree)
        except RecursionError:
            for work in works:
                if id(work) in undo:
                    undo[id(work)].revert()
                    work.fall_back(FallbackReason.TOO_COMPLEX, "nested too deeply to unparse")
            return ast.unparse(self.tree)
        except ValueError:
            # ast.unparse has limits of its own (on 3.11, a backslash inside an f-string's
            # expression): only the functions whose rewrite it cannot write keep theirs.
            self._keep_unwritable([w for w in works if id(w) in undo], undo)
            code = ast.unparse(self.tree)
        if not undo:
            return code
        changed = self._by_unit([w for w in works if id(w) in undo])
        problems = self._verify_canonical(code, changed)
        if not problems:
            return code
        for unit, problem in problems.items():
            for work in changed[unit]:
                undo[id(work)].revert()
                work.fall_back(*problem)
        return ast.unparse(self.tree)

    def _keep_unwritable(self, changed: list[_Work], undo: dict[int, Undo]) -> None:
        """Put back, one function at a time, the rewrites ``ast.unparse`` cannot write."""
        for unit, unit_works in self._by_unit(changed).items():
            node = self.tree.body[unit]
            try:
                ast.unparse(node)
                continue
            except ValueError:
                pass
            for work in unit_works:
                undo.pop(id(work)).revert()
            for work in unit_works:
                undo[id(work)] = apply_plan(work.plan)  # type: ignore[arg-type]
                try:
                    ast.unparse(node)
                except ValueError as error:
                    undo.pop(id(work)).revert()
                    work.fall_back(FallbackReason.CANNOT_UNPARSE, str(error))

    def _verify_canonical(self, code: str,
                          changed: dict[int, list[_Work]]) -> dict[int, tuple[FallbackReason, str]]:
        """Units whose canonical text does not read back as the planned program, or does
        not compile where the original did."""
        problems: dict[int, tuple[FallbackReason, str]] = {}
        try:
            parsed = parse_tree(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            parsed = None
        lines = split_lines(self.source)
        for unit in changed:
            node = self.tree.body[unit]
            if parsed is not None and len(parsed.body) == len(self.tree.body):
                if not same_tree(parsed.body[unit], node):
                    problems[unit] = (FallbackReason.REWRITE_MISMATCH,
                                      "ast.unparse output reads back as a different program")
                continue
            problem = compile_error(ast.unparse(node), self.flags)
            if problem is not None:
                problems[unit] = (FallbackReason.VERIFY_FAILED, problem)
        if parsed is None or problems:
            return problems
        try:
            compile_tree(parsed)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            for unit in changed:
                problem = compile_error(ast.unparse(self.tree.body[unit]), self.flags)
                first, last = unit_span(self.tree.body[unit])
                if problem is not None and compile_error("".join(lines[first - 1:last]), self.flags) is None:
                    problems[unit] = (FallbackReason.VERIFY_FAILED, problem)
        return problems

    @staticmethod
    def _by_unit(works: list[_Work]) -> dict[int, list[_Work]]:
        groups: dict[int, list[_Work]] = {}
        for work in works:
            groups.setdefault(work.found.unit, []).append(work)
        return groups

    # -- format-preserving ----------------------------------------------------------------

    def _preserve(self, works: list[_Work]) -> str:
        changed = [w for w in works if w.changes]
        if not changed:
            return self.source
        lines = split_lines(self.source)
        replacements: dict[int, tuple[int, int, str]] = {}
        for unit, unit_works in sorted(self._by_unit(changed).items()):
            node = self.tree.body[unit]
            first, last = unit_span(node)
            text = UnitText(first, last, "".join(lines[first - 1:last]))
            new_text = self._rewrite_unit(node, text, lines, unit_works)
            if new_text is not None:
                replacements[first] = (first, last, new_text)
        if not replacements:
            return self.source
        code = self._splice(lines, replacements)
        try:
            parse_tree(code, self.flags)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            # Each unit was checked alone; this is the net under joining them back.
            for work in changed:
                if work.changes:
                    work.fall_back(FallbackReason.VERIFY_FAILED, describe_syntax_error(error))
            return self.source
        return code

    @staticmethod
    def _splice(lines: list[str], replacements: dict[int, tuple[int, int, str]]) -> str:
        out: list[str] = []
        line = 1
        for first in sorted(replacements):
            _, last, new_text = replacements[first]
            out.extend(lines[line - 1:first - 1])
            out.append(new_text)
            line = last + 1
        out.extend(lines[line - 1:])
        return "".join(out)

    def _rewrite_unit(self, node: ast.stmt, text: UnitText, lines: list[str],
                      works: list[_Work]) -> str | None:
        if "\r" in text.text and "\n" not in text.text:
            # Old Mac line endings: libcst knows only \n and \r\n. Python reads a bare
            # \r as \n, so the unit is rewritten with \n and given its \r back.
            plain = UnitText(text.first, text.last, text.text.replace("\r", "\n"))
            plain_lines = [line.replace("\r", "\n") for line in lines]
            new_text = self._rewrite_unit(node, plain, plain_lines, works)
            return None if new_text is None else new_text.replace("\n", "\r")
        if libcst_may_not_fit(len(text.text)):
            # libcst's native parser aborts the process when an allocation fails.
            for work in works:
                work.fall_back(FallbackReason.OUT_OF_MEMORY, "too large for libcst to parse within "
                               "this process's address-space limit (ulimit -v)")
            return None
        deadline = unit_deadline(self.options)
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
            for work in works:
                if work.changes:
                    work.fall_back(FallbackReason.TIMEOUT, "the time limit passed while rewriting "
                                   "the top-level statement that holds it")
            return None

    def _rewrite_parsed(self, node: ast.stmt, text: UnitText, parsed: ParsedUnit,
                        works: list[_Work], deadline: Deadline) -> str | None:
        for work in works:
            _guarded(work, lambda work=work: self._settle_pins(work, parsed))
        active = [w for w in works if w.changes]
        if not active:
            return None
        deadline.check()
        new_text, problem = self._attempt(node, text, parsed, active, deadline)
        if problem is None:
            return new_text
        # Find which functions cause the trouble: accept them one at a time.
        accepted: list[_Work] = []
        for work in active:
            candidate_text, problem = self._attempt(node, text, parsed, [*accepted, work], deadline)
            if problem is None:
                accepted.append(work)
                new_text = candidate_text
            else:
                work.fall_back(*problem)
        return new_text if accepted else None

    def _settle_pins(self, work: _Work, parsed: ParsedUnit) -> None:
        """Re-plan until no planned variable is one this rewriter must keep."""
        for _ in range(_MAX_PIN_ROUNDS):
            assert work.plan is not None
            new_pins = {k: v for k, v in parsed.pins(work.plan).items() if k not in work.pins}
            if not new_pins:
                return
            work.pins.update(new_pins)
            self._plan(work, work.pins)
            if not work.plan.changes:  # type: ignore[union-attr]
                return
        work.fall_back(FallbackReason.INTERNAL_ERROR, "planning did not settle")

    def _attempt(self, node: ast.stmt, text: UnitText, parsed: ParsedUnit, works: list[_Work],
                 deadline: Deadline) -> tuple[str, tuple[FallbackReason, str] | None]:
        plans = [w.plan for w in works]
        try:
            new_text = parsed.rewrite(plans, deadline)  # type: ignore[arg-type]
        except DeadlineExceeded:
            raise
        except Exception as error:  # noqa: BLE001
            return "", (FallbackReason.CST_ERROR, f"{type(error).__name__}: {error}".splitlines()[0])
        undo = apply_plans(plans)  # type: ignore[arg-type]
        try:
            return new_text, self._verify_unit(new_text, node, text.text)
        finally:
            undo.revert()

    def _verify_unit(self, new_text: str, expected: ast.AST,
                     original: str) -> tuple[FallbackReason, str] | None:
        try:
            tree = parse_tree(new_text, self.flags)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            return FallbackReason.VERIFY_FAILED, describe_syntax_error(error)
        if len(tree.body) != 1 or not same_tree(tree.body[0], expected):
            return FallbackReason.REWRITE_MISMATCH, "the rewritten text is not the planned program"
        try:
            compile_tree(tree, self.flags)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            if compile_error(original, self.flags) is None:
                return FallbackReason.VERIFY_FAILED, describe_syntax_error(error)
        return None

    # -- result ---------------------------------------------------------------------------

    def _result(self, code: str, works: list[_Work]) -> InlineResult:
        return summarise(code, tuple(w.report() for w in works))


def inline_source(source: str, options: InlineOptions | None = None) -> InlineResult:
    """Inline the local variables of every function in ``source``.

    Never raises: source that does not parse comes back unchanged with status
    ``"fallback"``; a function that cannot be handled keeps its text and says why.
    Safe to call from many threads at once (no shared mutable state).
    """
    if options is None:
        options = InlineOptions()
    elif not isinstance(options, InlineOptions):
        raise TypeError(f"options must be InlineOptions, not {type(options).__name__}")
    try:
        first_run = _Run(source, options)
        result = first_run.run()
        run = first_run
        for _ in range(_MAX_SETTLE_PASSES):
            if not run.settle or result.status == "fallback":
                break
            # Dead code dropped may have held the only read of a variable decided earlier
            # (in a nested function, or a block planned before): another pass over the
            # verified output sees that, so that inlining stays idempotent.
            run = _Run(result.code, options)
            again = run.run()
            if again.status == "fallback" or again.code == result.code:
                break
            result = merge_passes(result, again)
        return result
    except Exception as error:  # noqa: BLE001 - the promise is: never raise on any input
        return internal_error(source, error)


def inline_unit(text: str, options: InlineOptions, flags: int, module: ModuleNames) -> InlineResult:
    """Inline one top-level statement of a module on its own (``flags``: the module's
    ``from __future__`` compiler flags; ``module``: what the whole module says about its
    global names). Line numbers are relative to ``text``."""
    try:
        return _Run(text, options, flags, module).run()
    except Exception as error:  # noqa: BLE001
        return internal_error(text, error)


_DEFAULT = object()


def inline_variables(source: str, timeout_seconds: float | None = _DEFAULT) -> str:  # type: ignore[assignment]
    """The pipeline's canonical form: every plainly assigned local inlined (duplicated
    where read several times), every such assignment removed, ``ast.unparse`` output.
    Returns ``source`` unchanged on any failure.

    ``timeout_seconds`` is the time per function (as :attr:`InlineOptions.timeout`;
    ``None`` for no limit), accepted so that existing calls such as
    ``inline_variables(source, timeout_seconds=0.5)`` work unchanged. A value that is no
    positive number raises ``ValueError``: that is the caller's mistake, not the source's.
    """
    options = CANONICAL if timeout_seconds is _DEFAULT else replace(CANONICAL, timeout=timeout_seconds)
    try:
        return inline_source(source, options).code
    except Exception:  # noqa: BLE001
        return source
