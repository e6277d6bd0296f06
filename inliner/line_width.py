"""How wide the written code's lines get: the widths of a source's lines and of the text
of the values that may move into them, for the ``line_length`` budget of the
format-preserving form (a value moves into its read's line as the text it was written as)."""

from __future__ import annotations

import ast

from .source import split_lines

_ATOMS = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript, ast.List, ast.Tuple, ast.Dict,
          ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.JoinedStr)
"""Values that never need parentheses of their own where a name stood."""


class LineWidths:
    """One source's lines, measured as a reader sees them (characters, endings left out)."""

    __slots__ = ("_lines", "_source", "limit")

    def __init__(self, source: str, limit: int) -> None:
        self._source = source
        self._lines = split_lines(source)
        self.limit = limit

    def width(self, line: int) -> int:
        """The width of line ``line`` (1-based) of the source."""
        if not 1 <= line <= len(self._lines):
            return 0
        return len(self._lines[line - 1].rstrip("\r\n"))

    def added_by(self, value: ast.expr, name: str) -> int | None:
        """How much wider a line gets where ``value`` replaces ``name``; None when the value
        spans several lines (then it does not fit in one, whatever the limit)."""
        text = ast.get_source_segment(self._source, value)
        if text is None or "\n" in text or "\r" in text:
            return None
        parentheses = 0 if isinstance(value, _ATOMS) else 2
        return len(text) + parentheses - len(name)
