"""The canonical digest of a function: the key the pipeline files its solvers under.

The pipeline keys a generated solver ``def solve_<task>(S, I, C):`` by
``md5(inline_variables("def solve(S, I, C):\\n" + body))``: the function under one common
name, in the canonical form, hashed. Here a function is renamed by replacing the one name
token of its ``def`` line and keeping every other character (decorators, parameters,
docstring, body, comments), so for a generated solver the text hashed is exactly the
pipeline's, and for any other function the definition is the same sentence.
"""

from __future__ import annotations

import ast
import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass, replace

from .engine import inline_source
from .options import CANONICAL
from .reasons import CIRCUMSTANTIAL, FallbackReason
from .result import FunctionStatus, InlineResult, describe
from .source import PARSER_ERRORS, describe_syntax_error, parse_tree, split_lines
from .units import unit_span


class DigestError(ValueError):
    """Source that cannot be digested as asked; the message says why, ``line`` and
    ``column`` where, when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class RenamedFunction:
    """A top-level function as the pipeline hashes it: its text from its first decorator
    (or ``def``) line to its last line, with ``\\n`` line endings and a final newline, and
    only the name after ``def`` replaced."""

    name: str
    """The name as written in the module (normalised as Python reads identifiers)."""
    line: int
    """The line of its ``def`` in the module."""
    text: str


@dataclass(frozen=True)
class CanonicalFunction:
    """A function in the canonical form, with its digest.

    ``text`` is exactly what was hashed: ``inline_variables`` of the renamed function.
    ``status`` is ``"inlined"`` or ``"unchanged"`` when the inliner handled every function
    in it, ``"skipped"`` (e.g. ``dynamic-scope``) or ``"fallback"`` when it had to leave
    one alone; ``text`` is then that function's unchanged canonical text, and ``reason``
    and ``detail`` say why.
    """

    name: str
    line: int
    text: str
    digest: str
    status: FunctionStatus
    reason: FallbackReason | None = None
    detail: str | None = None

    @property
    def left_alone(self) -> bool:
        """Whether the inliner left (part of) the function as it was."""
        return self.status in ("skipped", "fallback")

    @property
    def circumstantial(self) -> bool:
        """Whether the digest depends on this run's circumstances (a timeout, memory)."""
        return self.reason in CIRCUMSTANTIAL


def text_digest(text: str) -> str:
    """The md5 hex digest of ``text`` in UTF-8 (lone surrogates, which no decoded file
    holds, are passed through rather than refused, so that this never raises)."""
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise DigestError(f"{name!r} cannot name a function")


def _parse(source: str) -> ast.Module:
    if not isinstance(source, str):
        raise TypeError(f"source must be str, not {type(source).__name__}")
    try:
        return parse_tree(source)
    except PARSER_ERRORS as error:
        reason = FallbackReason.OUT_OF_MEMORY if isinstance(error, MemoryError) else FallbackReason.PARSE_ERROR
        raise DigestError(describe(reason, describe_syntax_error(error)),
                          getattr(error, "lineno", None), getattr(error, "offset", None)) from None


def _rename(text: str, name: str) -> str:
    """``text`` (a function's lines) with the name token after its ``def`` replaced.

    ``def`` is a hard keyword, so the first NAME token ``def`` is the function's own, even
    after decorators; tokenizing stops there, at the start of the text."""
    # Rows as the tokenizer counts them: split where Python splits lines, not at form
    # feeds or other separators str.splitlines knows.
    lines = split_lines(text)
    tokens = tokenize.generate_tokens(io.StringIO(text, newline="").readline)
    for token in tokens:
        if token.type == tokenize.NAME and token.string == "def":
            break
    for token in tokens:
        if token.type == tokenize.NAME:
            (row, start), (_, end) = token.start, token.end
            line = lines[row - 1]
            lines[row - 1] = line[:start] + name + line[end:]
            return "".join(lines)
    raise AssertionError("a parsed function has a name after def")  # pragma: no cover


def _renamed(tree: ast.Module, lines: list[str], name: str) -> tuple[RenamedFunction, ...]:
    functions = []
    for statement in tree.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first, last = unit_span(statement)
        # Line endings as Python's text mode reads a file (the pipeline's view of it).
        text = "".join(line.rstrip("\r\n") + "\n" for line in lines[first - 1:last])
        functions.append(RenamedFunction(statement.name, statement.lineno, _rename(text, name)))
    return tuple(functions)


def renamed_functions(source: str, name: str = "solve") -> tuple[RenamedFunction, ...]:
    """Every top-level function of a module, renamed to ``name``, in order.

    Raises :class:`DigestError` (a ``ValueError``) when ``source`` does not parse or
    ``name`` is not an identifier."""
    _check_name(name)
    return _renamed(_parse(source), split_lines(source), name)


def canonical_form(function: RenamedFunction, result: InlineResult) -> CanonicalFunction:
    """The canonical function from the canonical-options result of inlining
    ``function.text`` (from :func:`inline_source`, or a batch: ``InlineBatch(CANONICAL)``)."""
    text = result.code
    status: FunctionStatus = "unchanged" if result.status == "unchanged" else "inlined"
    reason, detail = None, None
    left = [f for f in result.functions if f.status == "fallback"] or \
        [f for f in result.functions if f.status == "skipped"]
    if left:
        status, reason, detail = left[0].status, left[0].reason, left[0].detail
    elif result.status == "fallback":
        status, reason, detail = "fallback", result.reason_code, result.detail
    return CanonicalFunction(function.name, function.line, text, text_digest(text), status, reason, detail)


def canonicalise(source: str, name: str = "solve", *,
                 timeout_seconds: float | None = CANONICAL.timeout) -> CanonicalFunction:
    """The canonical form and digest of the one top-level function in ``source``, renamed
    to ``name``; see :func:`canonical_digest`. ``timeout_seconds`` is the inliner's time
    per function, as in :func:`inline_variables` (a function that runs out is hashed
    unchanged, with reason ``timeout``)."""
    _check_name(name)
    tree = _parse(source)
    functions = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    others = [s for s in tree.body if s not in functions]
    if len(functions) != 1:
        listed = ", ".join(f"{f.name} (line {f.lineno})" for f in functions[:5])
        raise DigestError(f"holds {len(functions)} top-level functions, not one" +
                          (f": {listed}" if listed else ""))
    if others:
        raise DigestError(f"holds a top-level {type(others[0]).__name__} statement besides "
                          f"the function, on line {others[0].lineno}", others[0].lineno)
    (function,) = _renamed(tree, split_lines(source), name)
    options = CANONICAL if timeout_seconds == CANONICAL.timeout else replace(CANONICAL, timeout=timeout_seconds)
    return canonical_form(function, inline_source(function.text, options))


def canonical_digest(source: str, name: str = "solve", *,
                     timeout_seconds: float | None = CANONICAL.timeout) -> str:
    """The md5 hex digest of ``inline_variables`` of the one top-level function in
    ``source``, renamed to ``name`` (decorators, parameters and body as written).

    For a generated solver ``def solve_<task>(S, I, C):`` with body ``body`` this is
    ``md5(inline_variables("def solve(S, I, C):\\n" + body).encode()).hexdigest()`` (with
    the same ``timeout_seconds``, when the pipeline passes one).
    Raises :class:`DigestError`, a ``ValueError``, only when ``source`` is not exactly one
    top-level function (it does not parse, or holds other statements or several
    functions) or ``name`` is not an identifier (or, as for ``inline_variables``, when
    ``timeout_seconds`` is no positive number); otherwise never. Whether the inliner left
    the function alone, and why: :func:`canonicalise`.
    """
    return canonicalise(source, name, timeout_seconds=timeout_seconds).digest
