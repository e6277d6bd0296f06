"""Small helpers about source text: lines, columns and compiler flags."""

from __future__ import annotations
import __future__ as future

import ast
import re
import threading
import warnings
from types import CodeType

VERIFICATION_FILENAME = "<inline-solvers>"
# Compiling to verify must not print the compiler's SyntaxWarnings about the user's code;
# a filter (process-wide, but only for this pseudo file name) is thread-safe, unlike
# catching warnings around each compile.
warnings.filterwarnings("ignore", category=SyntaxWarning, module=re.escape(VERIFICATION_FILENAME))

FAST_PATH_DEPTH = 50
"""How deep an expression the one-pass walks and writers take (the straight-line analysis,
the canonical text): deeper ones go to the general machinery (the general walker,
``ast.unparse``), whose own limits then decide them."""

PARSER_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
"""What parsing or compiling text may raise: bad syntax, a NUL byte, nesting beyond the
parser or the compiler, or (from the parser's own stack too) a shortage of memory."""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split only where Python's tokenizer splits them
    (``str.splitlines`` would also split at form feeds and other separators)."""
    return _LINE.findall(text)


def char_column(line: str, byte_offset: int) -> int:
    """Convert an ``ast`` column (UTF-8 bytes) to a character column."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def future_flags(tree: ast.Module) -> int:
    """Compiler flags of the module's ``from __future__`` imports."""
    flags = 0
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            for alias in statement.names:
                feature = getattr(future, alias.name, None)
                if feature is not None:
                    flags |= feature.compiler_flag
        elif not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            break
    return flags


# CPython 3.11 converts between syntax trees and Python objects with a recursion counter
# shared by all threads, and raises "SystemError: AST constructor recursion depth mismatch"
# when two threads convert at once. Every conversion goes through this lock.
_TREE_CONVERSION = threading.Lock()


def parse_tree(text: str, flags: int = 0) -> ast.Module:
    """``ast.parse``, safe to call from many threads."""
    with _TREE_CONVERSION:
        tree: ast.Module = compile(text, VERIFICATION_FILENAME, "exec", flags=flags | ast.PyCF_ONLY_AST,
                                   dont_inherit=True)  # compile is typed Any; exec mode makes a Module
    return tree


def compile_tree(tree: ast.Module, flags: int = 0) -> CodeType:
    """Compile a syntax tree to code (which is never run), safe from many threads."""
    with _TREE_CONVERSION:
        code: CodeType = compile(tree, VERIFICATION_FILENAME, "exec", flags=flags, dont_inherit=True)
    return code


def compile_text(text: str, flags: int = 0) -> CodeType:
    """Compile text to code (which is never run); no syntax tree objects are made."""
    code: CodeType = compile(text, VERIFICATION_FILENAME, "exec", flags=flags, dont_inherit=True)
    return code


def compile_error(text: str, flags: int = 0) -> str | None:
    """Why ``text`` does not compile, or None if it does. The code is never run."""
    try:
        compile(text, VERIFICATION_FILENAME, "exec", flags=flags, dont_inherit=True)
    except PARSER_ERRORS as error:
        return describe_syntax_error(error)
    return None


def describe_syntax_error(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        where = f"line {error.lineno}, column {error.offset}: " if error.lineno else ""
        return f"{where}{error.msg}"
    if isinstance(error, ValueError):
        return str(error)
    if isinstance(error, MemoryError):
        # CPython's parser reports a stack overflow (deep nesting) as a bare MemoryError,
        # just like a real shortage of memory: say both.
        return str(error) or "the parser ran out of memory (nesting too deep, or too large " \
            "for the memory this process may use)"
    return "nested too deeply for the parser"
