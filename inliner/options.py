"""Options that change what the inliner produces."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Policy = Literal["strict", "pure"]
Expand = Literal["single", "all"]

POLICIES: tuple[str, ...] = ("strict", "pure")
EXPANSIONS: tuple[str, ...] = ("single", "all")


@dataclass(frozen=True)
class InlineOptions:
    """How to inline.

    ``max_growth`` bounds a function's size after inlining (in syntax-tree nodes) relative
    to its size before; ``max_depth`` bounds how deep an inlined expression may nest (in
    syntax-tree nodes, which also bounds brackets far below CPython's limit of 200).
    ``timeout`` is in seconds per function, checked cooperatively; ``None``, ``0`` and
    ``math.inf`` mean no limit (as the command line's ``--timeout none|0|inf``), and are
    stored as ``None``. A negative or NaN timeout raises ``ValueError``.
    """

    policy: Policy = "strict"
    expand: Expand = "single"
    preserve_format: bool = True
    drop_dead: bool = False
    max_growth: float = 100.0
    max_depth: int = 100
    timeout: float | None = 10.0
    pure_calls: tuple[str, ...] = ()
    """Callables the user declares pure (strict then treats their calls as computations
    that may fail, and their results as plain objects): shell-style patterns matched
    against the dotted name a call resolves to through the module's imports (``"dsl.*"``
    matches ``rot90`` after ``from dsl import *``, and ``dsl.rot90``)."""
    line_length: int | None = None
    """Format-preserving mode: no variable is inlined where its value would make a line
    wider than this many characters (None: no limit). The canonical form has none."""
    frame_readers: tuple[str, ...] = ()
    """Callables the user declares read their callers' frames by name (a library's
    ``df.query('@x')``): shell-style patterns as for ``pure_calls``, a method matched by
    ``*.name``. Strict keeps every variable alive at such a call. (A callable inference
    sees reading frames needs no declaration; one it cannot see is taken not to.)"""
    infer_calls: bool = True
    """Read the sources a module imports (never running them) to learn what its calls do
    (:mod:`inliner.knowledge`); off, only ``pure_calls`` is known."""
    search_paths: tuple[str, ...] = ()
    """Directories where the modules a source imports are looked for, before the running
    interpreter's path (the command line passes each file's directory and the project's
    root)."""

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, not {self.policy!r}")
        if self.expand not in EXPANSIONS:
            raise ValueError(f"expand must be one of {EXPANSIONS}, not {self.expand!r}")
        if not (isinstance(self.max_growth, (int, float)) and self.max_growth >= 1.0):
            raise ValueError(f"max_growth must be a number >= 1, not {self.max_growth!r}")
        if not (isinstance(self.max_depth, int) and 2 <= self.max_depth <= 150):
            raise ValueError(f"max_depth must be an integer from 2 to 150, not {self.max_depth!r}")
        if self.line_length is not None and not (
                isinstance(self.line_length, int) and not isinstance(self.line_length, bool)
                and self.line_length >= 1):
            raise ValueError(f"line_length must be a positive whole number of characters or None, "
                             f"not {self.line_length!r}")
        for name in ("pure_calls", "frame_readers", "search_paths"):
            value = getattr(self, name)
            if not (isinstance(value, tuple) and all(isinstance(item, str) and item for item in value)):
                raise ValueError(f"{name} must be a tuple of non-empty strings, not {value!r}")
        if self.timeout is not None and not (
            isinstance(self.timeout, (int, float)) and not isinstance(self.timeout, bool)
            and self.timeout >= 0 and not math.isnan(self.timeout)
        ):
            raise ValueError(f"timeout must be a number of seconds (0 or inf: no limit) or None, "
                             f"not {self.timeout!r}")
        if self.timeout is not None and (self.timeout == 0 or math.isinf(self.timeout)):
            object.__setattr__(self, "timeout", None)  # no limit, in one spelling

    def cache_token(self) -> str:
        """Every option that changes output, in a stable textual form (for cache keys).
        ``search_paths`` changes output only through what the calls are found to do, which
        the keys hold themselves: a tree moved elsewhere keeps its cache."""
        token = (
            f"policy={self.policy};expand={self.expand};preserve={int(self.preserve_format)};"
            f"dead={int(self.drop_dead)};growth={self.max_growth!r};depth={self.max_depth}"
        )
        if self.pure_calls:
            token += ";pure-calls=" + ",".join(self.pure_calls)
        if self.frame_readers:
            token += ";frame-readers=" + ",".join(self.frame_readers)
        if not self.infer_calls:
            token += ";infer=0"
        if self.line_length is not None and self.preserve_format:
            token += f";line-length={self.line_length}"
        return token


CANONICAL = InlineOptions(policy="pure", expand="all", preserve_format=False, drop_dead=True)
"""The options of :func:`inliner.inline_variables`, the pipeline's canonical form."""
