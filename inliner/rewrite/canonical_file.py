"""The canonical text of a module as a file that still decodes and runs.

``ast.unparse`` writes code only. Two comment lines are read by more than the parser, so
they are kept at the top, exactly as written: a ``#!`` line 1, which the system reads to
run the file as a script, and a PEP 263 encoding declaration on line 1 or 2 (with the line
above it), by which Python decodes the bytes the file is written in.

And ``ast.unparse`` cannot write every tree it is given, even one just parsed: an integer
literal in hexadecimal (octal, binary) with more digits in decimal than
``sys.get_int_max_str_digits()`` allows makes it raise ``ValueError``. Such a top-level
statement is written as in the source: the canonical form never changes the module
level, and a function in such a statement is left as it was (the caller says so).

Both the whole-module rewrite (:mod:`inliner.rewrite.canonical`) and the driver, which
puts a module together from units inlined on their own (:func:`inliner.units.assemble`),
write the file through :func:`write_file`, so the two agree character for character.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..source import char_column, split_lines
from .canonical_text import write_module

_ENCODING_DECLARATION = re.compile(r"[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.ASCII)
"""PEP 263's form of the declaration (matched from the start of a line)."""

_BLANK_OR_COMMENT = re.compile(r"[ \t\f]*(?:#|$)")
"""A line 1 after which line 2 may still declare the encoding (as ``tokenize`` decides)."""

_FIRST_TWO_LINES = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n)?([^\r\n]*)")


def file_header(source: str) -> str:
    """The lines of ``source`` to keep above its canonical text, each ending in ``\\n``:
    lines 1 and 2 if line 2 declares the encoding (and line 1 is blank or a comment, as
    PEP 263 requires), line 1 if it declares the encoding or is a ``#!`` line, else none."""
    if not source or source[0] not in "#\r\n \t\f":
        return ""  # the usual case, decided without a regular expression
    lines = _FIRST_TWO_LINES.match(source)
    if lines is None:
        return ""  # unreached: every part of the pattern may match nothing
    first, second = lines.groups()
    if _ENCODING_DECLARATION.match(first):
        return first + "\n"
    if _BLANK_OR_COMMENT.match(first) and _ENCODING_DECLARATION.match(second):
        return first + "\n" + second + "\n"
    if first.startswith("#!"):
        return first + "\n"
    return ""


def refusal(statement: ast.stmt) -> str | None:
    """Why ``ast.unparse`` cannot write ``statement``, or None if it can."""
    try:
        ast.unparse(statement)
    except ValueError as error:
        return str(error)
    return None


def as_written(lines: Sequence[str], statement: ast.stmt) -> str:
    """A top-level statement's text as in the source (``lines``, split as by
    :func:`inliner.source.split_lines`), with ``\\n`` line endings and none after it."""
    decorators = getattr(statement, "decorator_list", ())
    first = min([statement.lineno, *(d.lineno for d in decorators)])
    last = statement.end_lineno or statement.lineno
    text = [line.rstrip("\r\n") for line in lines[first - 1:last]]
    # The end first: on a one-line statement, cutting the start would shift it.
    if statement.end_col_offset is not None:
        text[-1] = text[-1][:char_column(text[-1], statement.end_col_offset)]
    if not decorators:  # a decorated definition starts its line (after `;` only a simple statement may)
        text[0] = text[0][char_column(text[0], statement.col_offset):]
    return "\n".join(text)


@dataclass(frozen=True, slots=True)
class FileText:
    text: str
    """The header, then ``ast.unparse``'s text of the module (see :func:`write_file`)."""
    as_in_source: Mapping[int, str]
    """The top-level statements (by position) ``ast.unparse`` cannot write, which are
    written as in the source: why it cannot."""


def write_file(tree: ast.Module, source: str, given: Mapping[int, str] | None = None) -> FileText:
    """The canonical text of the module ``source`` parsed as ``tree`` (rewritten or not),
    as a file: its header (:func:`file_header`), then ``ast.unparse``'s text of ``tree``,
    where the top-level statements in ``given`` are written as given and those
    ``ast.unparse`` cannot write are written as in the source."""
    given = given or {}
    try:
        return FileText(file_header(source) + write_module(tree, given), {})
    except ValueError:
        pass
    # Rare (see the module's docstring): find which statements, and write them as written.
    lines = split_lines(source)
    texts = dict(given)
    refused: dict[int, str] = {}
    for position, statement in enumerate(tree.body):
        if position not in given:
            why = refusal(statement)
            if why is not None:
                refused[position] = why
                texts[position] = as_written(lines, statement)
    return FileText(file_header(source) + write_module(tree, texts), refused)
