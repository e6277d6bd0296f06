"""The orchestrator: source text → analysis → plan → rewrite → verify → result.

Every function is handled on its own (:mod:`inliner.work`): one that cannot be handled
keeps its original text and says why, and never spoils the rest of its module. Each
rewriter verifies its own output (:mod:`inliner.verify`). Nothing here raises to the caller.
"""

from __future__ import annotations

import ast
import enum
import os
from dataclasses import replace
from functools import partial
from pathlib import Path

from .analysis import analyse_function
from .analysis.straight import count_reads
from .analysis.typed_locals import ALL_LOCALS, typed_locals
from .analysis.visibility import ModuleNames, enclosing_names, module_facts, nonlocal_names
from .deadline import NO_DEADLINE, Deadline
from .discover import find_functions, has_plain_assignment
from .line_width import LineWidths
from .options import CANONICAL, InlineOptions
from .plan import kept_without_sites, plan_function
from .reasons import FallbackReason, KeepReason
from .result import InlineResult, internal_error, merge_passes, summarise, untouched
from .rewrite.canonical import CanonicalRewrite
from .rewrite.preserving import PreservingRewrite
from .rewrite.rewriter import Rewriter
from .source import PARSER_ERRORS, describe_syntax_error, future_flags, parse_tree
from .work import FunctionWork, guarded

_MAX_SETTLE_PASSES = 3


class _Run:
    """One pass over one parsed source text: everything a pass needs is set here, before
    :meth:`run`."""

    def __init__(self, source: str, tree: ast.Module, options: InlineOptions, flags: int | None = None,
                 module: ModuleNames | None = None, path: Path | None = None) -> None:
        self.source = source
        self.tree = tree
        self.options = options
        self.path = path
        self.flags = future_flags(tree) if flags is None else flags
        self.module = module_facts(tree, source, options, path) if module is None else module
        """What the whole module says about its names and calls (given for a unit)."""
        self.mentions_nonlocal = "nonlocal" in source
        self.widths: LineWidths | None = None
        self.unit_nonlocal: dict[int, frozenset[str]] = {}
        """Per top-level statement: the names declared nonlocal in it."""
        self.quick_verdicts = options.expand == "single" and not options.drop_dead
        """Whether a function whose every variable must stay can be told by counting reads."""
        self.settle = False
        """Whether a nested function dropped dead code, which may free outer variables."""

    def run(self) -> InlineResult:
        tree = self.tree
        rewrite: Rewriter = (PreservingRewrite(tree, self.source, self.flags, self.options, self._plan)
                             if self.options.preserve_format else CanonicalRewrite(tree, self.source, self.flags))
        works = [FunctionWork(found, NO_DEADLINE) for found in find_functions(tree)]
        self._pin_typed_locals(works)
        for work in works:
            if has_plain_assignment(work.found.node):
                work.deadline = Deadline(self.options.timeout)  # each function's own time
                guarded(work, partial(self._plan, work))
                rewrite.take(work)
        code = rewrite.write(works)
        self.settle = any(w.changes and w.decision().frees_outer_reads for w in works)
        return summarise(code, tuple(w.report() for w in works))

    def _line_widths(self) -> LineWidths | None:
        """The source's line widths, when the written form has a line-length budget."""
        limit = self.options.line_length
        if limit is None or not self.options.preserve_format:
            return None
        if self.widths is None:
            self.widths = LineWidths(self.source, limit)
        return self.widths

    def _pin_typed_locals(self, works: list[FunctionWork]) -> None:
        """Keep the locals Cython types when it compiles the module (see
        :mod:`inliner.analysis.typed_locals`)."""
        pxd = self.path.with_suffix(".pxd") if self.path is not None else None
        if "cython" not in self.source and (pxd is None or not pxd.exists()):
            return
        typed = typed_locals(self.tree, self.path)
        for work in works:
            names = typed.get(work.found.qualname)
            if names:
                if ALL_LOCALS in names:
                    names = frozenset(node.id for node in ast.walk(work.found.node)
                                      if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))
                work.pins.update(dict.fromkeys(names, KeepReason.TYPED_LOCAL))

    def _plan(self, work: FunctionWork) -> None:
        """Analyse (once) and plan ``work``'s function, keeping its pinned variables."""
        if work.analysis is None and not work.pins and self.quick_verdicts:
            # Most functions of an inlined module have nothing left to inline.
            reads = count_reads(work.found.node)
            if reads is not None:
                kept = kept_without_sites(reads, self.options, work.deadline)
                if kept is not None:
                    work.kept_all(reads.kept_without_candidate, kept)
                    return
        if work.analysis is None:
            found = work.found
            declared_nonlocal = self.unit_nonlocal.get(found.unit)
            if declared_nonlocal is None:
                declared_nonlocal = self.unit_nonlocal[found.unit] = (
                    nonlocal_names(self.tree.body[found.unit]) if self.mentions_nonlocal else frozenset())
            analysis = analyse_function(found.node, found.qualname, work.deadline, self.module,
                                        declared_nonlocal, enclosing_names(found.enclosing))
            work.analysed(analysis)
            if analysis.skipped is not None:
                work.status, work.reason, work.detail = "skipped", analysis.skipped, analysis.skip_detail
                return
        work.planned(plan_function(work.current_analysis(), self.options, work.deadline, work.pins,
                                   self._line_widths()))


def _one_pass(source: str, options: InlineOptions, flags: int | None, module: ModuleNames | None,
              path: Path | None) -> tuple[InlineResult, bool]:
    """One pass over ``source``, and whether another may inline more (see ``_Run.settle``)."""
    try:
        tree = parse_tree(source)
    except PARSER_ERRORS as error:
        reason = FallbackReason.OUT_OF_MEMORY if isinstance(error, MemoryError) else FallbackReason.PARSE_ERROR
        return untouched(source, reason, describe_syntax_error(error),
                         line=getattr(error, "lineno", None), column=getattr(error, "offset", None)), False
    run = _Run(source, tree, options, flags, module, path)
    return run.run(), run.settle


def _settled(source: str, options: InlineOptions, flags: int | None,
             module: ModuleNames | None, path: Path | None = None) -> InlineResult:
    """One pass, and more while dropped dead code may have freed variables."""
    result, settle = _one_pass(source, options, flags, module, path)
    for _ in range(_MAX_SETTLE_PASSES):
        if not settle or result.status == "fallback":
            break
        # Dead code dropped may have held the only read of a variable decided earlier
        # (in a nested function, or a block planned before): another pass over the
        # verified output sees that, so that inlining stays idempotent.
        again, settle = _one_pass(result.code, options, flags, module, path)
        if again.status == "fallback" or again.code == result.code:
            break
        result = merge_passes(result, again)
    return result


def inline_source(source: str, options: InlineOptions | None = None, *,
                  path: str | os.PathLike[str] | None = None) -> InlineResult:
    """Inline the local variables of every function in ``source``.

    ``path`` says where the source lives: the modules it imports are also looked for
    beside it (to learn what its calls do), and a Cython ``.pxd`` beside it types locals.

    Never raises: source that does not parse comes back unchanged with status
    ``"fallback"``; a function that cannot be handled keeps its text and says why.
    Safe to call from many threads at once (no shared mutable state).
    """
    if options is None:
        options = InlineOptions()
    elif not isinstance(options, InlineOptions):
        raise TypeError(f"options must be InlineOptions, not {type(options).__name__}")
    try:
        return _settled(source, options, None, None, Path(path) if path is not None else None)
    except Exception as error:  # noqa: BLE001 - the promise is: never raise on any input
        return internal_error(source, error)


def inline_unit(text: str, options: InlineOptions, flags: int, module: ModuleNames) -> InlineResult:
    """Inline one top-level statement of a module on its own (``flags``: the module's
    ``from __future__`` compiler flags; ``module``: what the whole module says about its
    global names), exactly as :func:`inline_source` inlines it within its module. Line
    numbers are relative to ``text``."""
    try:
        return _settled(text, options, flags, module)
    except Exception as error:  # noqa: BLE001
        return internal_error(text, error)


class _Default(enum.Enum):
    """The type of a default that tells "not given" from ``None``."""

    TIMEOUT = enum.auto()


def inline_variables(source: str, timeout_seconds: float | None | _Default = _Default.TIMEOUT) -> str:
    """The pipeline's canonical form: every plainly assigned local inlined (duplicated
    where read several times), every such assignment removed, ``ast.unparse`` output.
    Returns ``source`` unchanged on any failure.

    ``timeout_seconds`` is the time per function (as :attr:`InlineOptions.timeout`;
    ``None``, ``0`` or ``math.inf`` for no limit, as the command line's ``--timeout``),
    accepted so that existing calls such as ``inline_variables(source, timeout_seconds=0.5)``
    work unchanged. A negative, NaN or non-numeric value raises ``ValueError``: that is
    the caller's mistake, not the source's.
    """
    options = CANONICAL if timeout_seconds is _Default.TIMEOUT else replace(CANONICAL, timeout=timeout_seconds)
    try:
        return inline_source(source, options).code
    except Exception:  # noqa: BLE001
        return source
