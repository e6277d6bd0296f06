"""The locals a Cython ``.pxd`` file types, read line by line.

A ``.pxd`` beside a pure-Python module declares C types for its functions when Cython
compiles it; it is not Python, so it is read here by a small line reader rather than
parsed. Two forms type a function's locals:

- ``@cython.locals(n=cython.Py_ssize_t, ...)`` on the lines before a ``cpdef`` or
  ``cdef`` function declaration (the keyword names are the locals);
- ``cdef <type> a, b = 0`` (or a ``cdef:`` block of such lines) in the body of a
  ``cdef``/``cpdef`` function defined in the ``.pxd``.

A function inside a ``cdef class X:`` block is ``X.name``, as
:func:`inliner.discover.find_functions` names methods. Everything else (``cimport``,
``ctypedef``, ``cdef extern`` and ``struct`` blocks, module and class attributes) types no
local and is passed over. What the reader cannot make sense of raises
:class:`PxdUnreadable`: the caller must then assume every local may be typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


class PxdUnreadable(Exception):
    """A ``.pxd`` this reader cannot read with confidence (the message says why and where)."""


@dataclass(frozen=True, slots=True)
class _Line:
    """A logical line: comments removed, lines within brackets joined."""

    number: int
    indent: int
    text: str


@dataclass(frozen=True, slots=True)
class _Block:
    indent: int
    kind: str
    """``class``, ``function``, ``declarations`` (a ``cdef:`` block in a function) or
    ``ignored`` (a block whose lines type no local: extern, struct, attributes)."""
    name: str = ""


_NAME = r"[A-Za-z_]\w*"
_DEFINITION = re.compile(r"(?:cpdef|cdef)\b\s*(.*)")
_CLASS = re.compile(rf"c?p?def\s+(?:(?:public|api|final|readonly)\s+)*class\s+({_NAME})")
_BLOCK_OF_OTHERS = re.compile(r"(?:cdef|cpdef|ctypedef)\s+(?:(?:public|api|packed|extern)\s+)*"
                              r"(?:struct|union|enum|extern|cppclass|fused)\b")
_LOCALS_DECORATOR = re.compile(rf"@\s*{_NAME}\s*\.\s*locals\s*\((.*)\)\s*$")
_CALLED_NAME = re.compile(rf"({_NAME})\s*\((?!\s*[*&])")
_POINTER_NAME = re.compile(rf"\(\s*[*&]+\s*({_NAME})\s*\)")
_TRAILING_DIMENSIONS = re.compile(r"(?:\s*\[[^\]]*\])+\s*$")
_LAST_NAME = re.compile(rf"({_NAME})\s*$")
_KEYWORD_ARGUMENT = re.compile(rf"\s*({_NAME})\s*=(?!=)")
_QUALIFIERS = frozenset({
    "cdef", "cpdef", "inline", "public", "api", "readonly", "const", "volatile", "unsigned",
    "signed", "long", "short", "nogil", "noexcept", "except", "with", "gil",
})
"""Words that may stand before a parenthesis in a declaration without naming a function."""


def read_pxd(text: str) -> dict[str, set[str]]:
    """Per function (``name``, or ``Class.name``) the locals ``text`` types; a function
    declared without typed locals is absent. Raises :class:`PxdUnreadable`."""
    typed: dict[str, set[str]] = {}
    stack: list[_Block] = []
    pending: list[str] = []
    pending_line = 0
    for line in _logical_lines(text):
        while stack and line.indent <= stack[-1].indent:
            stack.pop()
        where = stack[-1] if stack else _Block(-1, "module")
        text = line.text
        if where.kind == "ignored":
            continue
        if where.kind == "declarations":
            typed.setdefault(where.name, set()).update(_declared_names(text, line.number))
            continue
        if text.startswith("@"):
            arguments = _LOCALS_DECORATOR.match(text)
            if arguments is not None:
                pending += _keyword_names(arguments.group(1), line.number)
                pending_line = pending_line or line.number
            continue  # any other decorator (staticmethod, cython.final) types nothing
        definition = _DEFINITION.match(text)
        rest = definition.group(1) if definition else ""
        function = _function_name(rest) if definition and where.kind in ("module", "class") else None
        if pending and (function is None or _CLASS.match(text) or _BLOCK_OF_OTHERS.match(text)):
            raise PxdUnreadable(f"line {pending_line}: @cython.locals is not followed by a "
                                f"function declaration")
        opens = text.endswith(":")
        if _BLOCK_OF_OTHERS.match(text):
            if opens:
                stack.append(_Block(line.indent, "ignored"))
        elif definition is None:
            continue  # cimport, include, the statements of a function's body, ...
        elif (found := _CLASS.match(text)) is not None:
            if opens:
                stack.append(_Block(line.indent, "class" if where.kind == "module" else "ignored", found.group(1)))
        elif rest == ":":
            kind = "declarations" if where.kind == "function" else "ignored"
            stack.append(_Block(line.indent, kind, where.name))
        elif function is not None:
            qualname = function if where.kind == "module" else f"{where.name}.{function}"
            names = typed.setdefault(qualname, set())
            names.update(pending)
            pending, pending_line = [], 0
            if opens:
                stack.append(_Block(line.indent, "function", qualname))
        elif where.kind == "function":
            typed.setdefault(where.name, set()).update(_declared_names(rest, line.number))
        # A cdef at module or class level declares a global or an attribute: no local.
    if pending:
        raise PxdUnreadable(f"line {pending_line}: @cython.locals is not followed by a function declaration")
    return {qualname: names for qualname, names in typed.items() if names}


def _function_name(declaration: str) -> str | None:
    """The name a ``cdef``/``cpdef`` declaration (without that word) declares as a
    function, or None for a variable (``int (*callback)(int)`` is a variable)."""
    head = _cut_at_top_level(declaration, "=")
    for called in _CALLED_NAME.finditer(head):
        if called.group(1) not in _QUALIFIERS:
            return called.group(1)
    return None


def _declared_names(declaration: str, number: int) -> list[str]:
    """The names ``<type> a, *b, c[4] = 0, (*d)(int)`` declares."""
    names = []
    for part in _split_at_top_level(declaration, ","):
        part = _cut_at_top_level(part, "=")
        pointer = _POINTER_NAME.search(part)
        if pointer is not None:
            names.append(pointer.group(1))
            continue
        name = _LAST_NAME.search(_TRAILING_DIMENSIONS.sub("", part).rstrip("*& "))
        if name is None:
            raise PxdUnreadable(f"line {number}: cannot tell the names declared by {declaration.strip()!r}")
        names.append(name.group(1))
    return names


def _keyword_names(arguments: str, number: int) -> list[str]:
    names = []
    for part in _split_at_top_level(arguments, ","):
        if not part.strip():
            continue  # a trailing comma
        keyword = _KEYWORD_ARGUMENT.match(part)
        if keyword is None:
            raise PxdUnreadable(f"line {number}: @cython.locals takes name=type, not {part.strip()!r}")
        names.append(keyword.group(1))
    return names


def _top_level_positions(text: str) -> Iterator[int]:
    """The positions in ``text`` outside brackets and string literals."""
    depth, quote, i = 0, "", 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif char in "'\"":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else char
            i += len(quote) - 1
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            yield i
        i += 1


def _split_at_top_level(text: str, separator: str) -> list[str]:
    parts, start = [], 0
    for i in _top_level_positions(text):
        if text[i] == separator:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _cut_at_top_level(text: str, sign: str) -> str:
    """``text`` before its first ``sign`` outside brackets (``=`` of ``==``, ``<=``,
    ``>=``, ``!=`` is no assignment)."""
    for i in _top_level_positions(text):
        if text[i] == sign and text[i + 1:i + 2] != "=" and text[i - 1:i] not in ("=", "<", ">", "!"):
            return text[:i]
    return text


def _logical_lines(text: str) -> Iterator[_Line]:
    """The file's logical lines (blank and comment lines left out). Raises
    :class:`PxdUnreadable` for brackets or a string left open at the end."""
    pieces: list[str] = []
    depth, quote, first, indent = 0, "", 0, 0
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if not pieces:
            stripped = raw.lstrip(" \t\f")
            if not stripped or stripped.startswith("#"):
                continue
            first, indent = number, len(raw[:len(raw) - len(stripped)].expandtabs(8))
        kept: list[str] = []
        i = 0
        while i < len(raw):
            char = raw[i]
            if quote:
                if char == "\\":
                    kept.append(raw[i:i + 2])
                    i += 2
                    continue
                if raw.startswith(quote, i):
                    kept.append(quote)
                    i += len(quote)
                    quote = ""
                    continue
            elif char == "#":
                break
            elif char in "'\"":
                quote = raw[i:i + 3] if raw[i:i + 3] in ('"""', "'''") else char
                kept.append(quote)
                i += len(quote)
                continue
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
                if depth < 0:
                    raise PxdUnreadable(f"line {number}: {char!r} closes nothing")
            kept.append(char)
            i += 1
        piece = "".join(kept).strip()
        backslash = not quote and piece.endswith("\\")
        if backslash:
            piece = piece[:-1].rstrip()
        if len(quote) == 1 and not backslash and not raw.rstrip().endswith("\\"):
            raise PxdUnreadable(f"line {number}: a string is not closed")
        pieces.append(piece)
        if depth or quote or backslash:
            continue
        yield _Line(first, indent, " ".join(p for p in pieces if p))
        pieces = []
    if pieces:
        raise PxdUnreadable(f"line {first}: a bracket or string opened here is not closed")
