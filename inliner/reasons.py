"""Every reason the inliner keeps a variable or leaves a function alone.

Each value is a short, stable string: it appears in results, telemetry and the CLI's
summary, so treat the values as part of the public contract.
"""

from __future__ import annotations

from enum import StrEnum


class _Reason(StrEnum):
    """A reason's text is its value, wherever it is shown (``str``, f-strings, logs)."""


class KeepReason(_Reason):
    """Why a local variable bound by a plain ``name = expr`` was not inlined."""

    MULTIPLE_BINDINGS = "multiple-bindings"
    """The name is bound more than once, or by something other than one plain assignment."""
    FRAME_MARKER = "frame-marker"
    """The name is spelled like ``__tracebackhide__``: tools (pytest, zope) read such
    locals from the frame, so the name must stay bound even if the code never reads it."""
    GLOBAL_OR_NONLOCAL = "global-or-nonlocal"
    """The function declares the name ``global`` or ``nonlocal``."""
    CAPTURED = "captured"
    """A nested function, lambda, class or comprehension refers to the name."""
    READ_OUTSIDE_BLOCK = "read-outside-block"
    """A read is not after the definition in the same statement block."""
    CONDITIONAL_READ = "conditional-read"
    """A read is in a position not evaluated exactly once whenever its statement runs
    (a branch of ``if``/``else``, right operand of ``and``/``or``, a loop test, an
    ``assert``, a lambda, a default value, an assignment target, a comprehension body)."""
    UNREACHABLE_READ = "unreachable-read"
    """A read lies in code that never runs (after a ``return``, ``raise``, ``break`` or
    ``continue`` in its block): moving the value there would stop it from running."""
    MULTIPLE_READS = "multiple-reads"
    """Read more than once while ``expand="single"``."""
    NOT_DUPLICABLE = "not-duplicable"
    """Read more than once, but copying the expression could change behaviour."""
    WOULD_COPY_WORK = "would-copy-work"
    """Format-preserving mode: read more than once, and the value calls something (or
    builds a function or comprehension): written code never copies work to run again at
    each read, whatever ``expand`` says. (The canonical form, for identity, copies.)"""
    VALUE_BINDS_NAME = "value-binds-name"
    """The expression contains an assignment expression (``:=``)."""
    REBOUND_BETWEEN = "rebound-between"
    """A name the expression reads is rebound between the definition and the read."""
    EFFECT_BETWEEN = "effect-between"
    """An effect (per the policy) lies between the definition and the read."""
    SHARED_NAME_BETWEEN = "shared-name-between"
    """Between the definition and the read lies a store to a name other code can see (a
    ``global`` or ``nonlocal`` name, one a nested scope captures, one read in an
    ``except`` or ``finally`` block or after a handler), or, under ``strict``, a read of a
    name a call may rebind or that may be unbound: moving the value across it could change
    what that code sees if the value raises or runs code."""
    LIFETIME = "lifetime"
    """Strict: the value's object may be seen dying (a finalizer, a weak reference, a file
    or lock released, a generator's ``finally``), and code that may see it runs after the
    place it is read: the variable keeps it alive until the function returns."""
    FRAME_READ = "frame-read"
    """Strict: a call after the assignment is known to read its callers' frames
    (``sys._getframe(1).f_locals``), where it would look for the variable by name."""
    WOULD_WARN = "would-warn"
    """The value is a literal that the compiler warns about where it would land
    (``x = 1; return x(a)`` would become ``1(a)``; ``y = (); return a is y``, ``a is ()``):
    output never warns where its input did not."""
    WOULD_BECOME_DOCSTRING = "would-become-docstring"
    """Removing the assignment would leave a string expression first in the function's
    body, which would then become its ``__doc__``."""
    LINE_LENGTH = "line-length"
    """Format-preserving mode: the value, written where it is read, would make a line wider
    than ``line_length`` (the project's own, from ``[tool.black]``/``[tool.ruff]`` on the
    command line)."""
    DEPTH_BUDGET = "depth-budget"
    """Inlining would nest an expression deeper than ``max_depth``."""
    GROWTH_BUDGET = "growth-budget"
    """Inlining would grow the function beyond ``max_growth`` times its size."""
    UNUSED = "unused"
    """Never read (and ``drop_dead`` is off)."""
    UNUSED_WITH_EFFECTS = "unused-with-effects"
    """Never read, but evaluating the expression may have effects under the policy."""
    COMMENT = "comment"
    """Format-preserving mode: the assignment's line carries a comment, which is kept."""
    F_STRING = "f-string"
    """Format-preserving mode: read inside an f-string where the value's text cannot stand
    (a quote or backslash before Python 3.12, braces, ``#``, a ``{x=}``), or in a statement
    rewritten with libcst, which never moves text into an f-string."""
    TYPED_LOCAL = "typed-local"
    """Cython gives the name a C type when it compiles the module (a ``.pxd`` beside it,
    ``@cython.locals``, ``cython.declare`` or a ``cython`` annotation; see
    :mod:`inliner.analysis.typed_locals`): compiled, its value is a C number that wraps
    or truncates where the expression's Python value would not, so it stays."""


class FallbackReason(_Reason):
    """Why a module or function came back as it was (or was skipped)."""

    PARSE_ERROR = "parse-error"
    """The source does not parse (the detail names the line and column)."""
    DYNAMIC_SCOPE = "dynamic-scope"
    """The function uses ``locals()``, ``vars()``, ``eval``, ``exec``, ``dir()`` or
    ``super()`` without arguments, which can see every local variable."""
    TIMEOUT = "timeout"
    """The per-function deadline (``timeout``) passed."""
    TOO_COMPLEX = "too-complex"
    """The function nests too deeply or is too large to analyse safely."""
    OUT_OF_MEMORY = "out-of-memory"
    """Memory ran short (under a limit such as ``ulimit -v``, or the parser's own stack,
    which CPython reports the same way). Depends on the process, so never cached."""
    VERIFY_FAILED = "verify-failed"
    """The rewritten code did not parse or compile; the original was kept."""
    REWRITE_MISMATCH = "rewrite-mismatch"
    """The format-preserving rewrite did not produce the same program as the analysis."""
    CANNOT_UNPARSE = "cannot-unparse"
    """Canonical mode: ``ast.unparse`` cannot write the rewritten function (on Python 3.11,
    for example, a string with a backslash moved into an f-string's expression); the
    function is written as it was, the rest of the module is inlined."""
    CST_ERROR = "cst-error"
    """libcst could not parse or rewrite the code."""
    INTERNAL_ERROR = "internal-error"
    """An unexpected error inside the inliner; the original was kept."""



CIRCUMSTANTIAL = frozenset({FallbackReason.TIMEOUT, FallbackReason.OUT_OF_MEMORY})
"""Reasons that depend on the run (the machine's load, the process's memory limit), not on
the code: a result that holds one is never cached, and a digest computed under one is
never stored."""
