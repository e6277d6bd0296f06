"""Helpers for tests that run the generated fixture modules (no tests in here).

The fixture modules in fixtures/ start with ``from dsl import *``; fixtures/ is
not a package, so run_functions puts that directory on sys.path before it
executes a module's source text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FunctionType
from typing import Any

FIXTURES_DIR: Path = Path(__file__).resolve().parent.parent / "fixtures"
DSL_FILE = "dsl.py"
FUNCTION_PREFIXES = ("solve_", "differ_")

Grid = tuple[tuple[int, ...], ...]
Sample = tuple[tuple[tuple[Grid, Grid], ...], Grid, Grid]
Outcome = tuple[str, object]


def fixture_modules() -> list[Path]:
    """The generated fixture modules (every fixtures/*.py except dsl.py), sorted by name."""
    return sorted(p for p in FIXTURES_DIR.glob("*.py") if p.name != DSL_FILE)


def sample_inputs() -> list[Sample]:
    """A few deterministic (S, I, C) triples of small grids.

    S is a tuple of (input grid, output grid) pairs; I and C are grids. The set
    includes 4x4 and 6x6 grids, a non-square 5x3 / 2x7 pair, a 1x1 grid and a
    single-pair S.
    """
    square_a = ((0, 0, 1, 1), (0, 2, 1, 0), (3, 0, 0, 0), (3, 3, 0, 5))
    square_b = ((1, 1, 0, 0), (1, 2, 0, 1), (0, 3, 3, 1), (0, 0, 3, 5))
    objects = (
        (0, 0, 0, 0, 5, 5),
        (0, 4, 4, 0, 5, 0),
        (0, 4, 0, 0, 0, 0),
        (0, 0, 0, 7, 7, 7),
        (2, 0, 0, 7, 0, 7),
        (2, 2, 0, 0, 0, 0),
    )
    objects_out = tuple(tuple(8 if v == 7 else v for v in row) for row in objects)
    tall = ((1, 0, 1), (0, 6, 0), (1, 0, 1), (9, 9, 9), (0, 6, 0))
    wide = ((3, 3, 0, 0, 4, 4, 4), (0, 3, 0, 1, 0, 4, 0))
    one = ((7,),)
    return [
        (((square_a, square_b), (square_b, square_a)), square_a, square_b),
        (((objects, objects_out), (square_a, square_b)), objects, objects_out),
        (((tall, wide),), tall, wide),
        (((one, ((3,),)), (square_a, one)), one, square_a),
        (((wide, tall), (one, one)), wide, one),
    ]


def _normalize(value: Any) -> object:
    """Make a result comparable with ==: function objects become ("function", qualname)."""
    if _is_function(value):
        return ("function", value.__qualname__)
    if isinstance(value, tuple):
        return tuple(_normalize(v) for v in value)
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, frozenset) and any(_is_function(v) for v in value):
        return frozenset(_normalize(v) for v in value)
    return value


def _is_function(value: Any) -> bool:
    return callable(value) and hasattr(value, "__qualname__")


def _outcome(value: Any) -> Outcome:
    if _is_function(value):
        return ("function", value.__qualname__)
    return ("ok", _normalize(value))


def load_namespace(source: str, filename: str = "<fixture>") -> dict[str, Any]:
    """Execute module source text in a fresh namespace, with fixtures/ importable while it
    runs (only then: the inliner reads imported modules from ``sys.path``, so a fixtures/
    left there would change what other tests' inlining knows)."""
    added = str(FIXTURES_DIR) not in sys.path
    if added:
        sys.path.insert(0, str(FIXTURES_DIR))
    try:
        loaded = sys.modules.get("dsl")
        if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() != FIXTURES_DIR / DSL_FILE:
            raise ImportError(f"a module named dsl other than {FIXTURES_DIR / DSL_FILE} is already imported")
        namespace: dict[str, Any] = {"__name__": "fixture_module"}
        exec(compile(source, filename, "exec"), namespace)
    finally:
        if added:
            sys.path.remove(str(FIXTURES_DIR))
    return namespace


def run_functions(source: str, inputs: list[Sample] | None = None) -> dict[str, list[Outcome]]:
    """Run every top-level solve_*/differ_* function of a module source on every sample input.

    Returns, per function name (in definition order), one outcome per input:
    ("ok", result), ("function", qualname) when the result is a function, or
    ("raise", exception type name).
    """
    namespace = load_namespace(source)
    samples = sample_inputs() if inputs is None else inputs
    results: dict[str, list[Outcome]] = {}
    for name, value in list(namespace.items()):
        if not (name.startswith(FUNCTION_PREFIXES) and isinstance(value, FunctionType)):
            continue
        outcomes: list[Outcome] = []
        for s, i, c in samples:
            try:
                outcomes.append(_outcome(value(s, i, c)))
            except Exception as error:  # noqa: BLE001 - recording the failure is the point
                outcomes.append(("raise", type(error).__name__))
        results[name] = outcomes
    return results
