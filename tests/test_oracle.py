"""Differential ("oracle") tests: the inlined program must behave like the original.

Programs come from :mod:`oracle_programs`.  For each, the original and the inlined module are
executed in fresh namespaces, ``target`` is called on a few argument triples, and the outcomes
are compared: under ``policy="strict"`` the return value or exception (type and message), the
log of calls to the logging primitives and the final state of ``obj`` and of the module's
``count``; under ``policy="pure"``
the return value (or exception) only.

The number of examples per test defaults to a value that keeps this file fast; set
``INLINE_SOLVERS_EXAMPLES`` for a longer run, e.g. ``INLINE_SOLVERS_EXAMPLES=500 pytest
tests/test_oracle.py``, or ``INLINE_SOLVERS_LONG=1`` (400 per test).  Set ``INLINE_SOLVERS_SHRINK=0`` to skip hypothesis's shrinking (a
failure is then reported at once, unminimised; shrinking one can take minutes).
"""

from __future__ import annotations

import ast
import os
import traceback

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

try:  # tests/ may or may not become a package
    from . import oracle_programs as op  # type: ignore[no-redef]
    from .helpers import sized  # type: ignore[no-redef]
except ImportError:
    import oracle_programs as op  # type: ignore[no-redef]
    from helpers import sized  # type: ignore[no-redef]

try:
    from inliner import InlineOptions, inline_source

    _IMPORT_ERROR: BaseException | None = None
except ImportError as exc:  # the library is not written yet
    InlineOptions = inline_source = None  # type: ignore[assignment,misc]
    _IMPORT_ERROR = exc

needs_inliner = pytest.mark.skipif(
    inline_source is None, reason=f"inliner.inline_source is not available: {_IMPORT_ERROR!r}"
)

EXAMPLES = int(os.environ.get("INLINE_SOLVERS_EXAMPLES") or sized(40, 400))
STATUSES = ("inlined", "unchanged", "fallback")
INLINE_TIME_LIMIT = 30.0  # seconds for one inline_source call (it has its own timeout)

# Shrinking a failure re-runs the inliner thousands of times (hypothesis stops after 5 min);
# INLINE_SOLVERS_SHRINK=0 reports the first failing program unshrunk, at once.
_PHASES = tuple(Phase)
if os.environ.get("INLINE_SOLVERS_SHRINK", "1") == "0":
    _PHASES = tuple(p for p in Phase if p is not Phase.shrink)

oracle_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    phases=_PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _normal(value):
    """A value compared by type and value (so that True and 1 differ)."""
    if isinstance(value, tuple):
        return ("tuple", tuple(_normal(v) for v in value))
    if isinstance(value, list):
        return ("list", tuple(_normal(v) for v in value))
    return (type(value).__name__, value)


def _normal_outcome(outcome: op.Outcome, with_effects: bool):
    result = outcome.result
    if result[0] == "return":
        result = ("return", _normal(result[1]))
    if not with_effects:
        return result
    return result, outcome.log, _normal(outcome.obj_val), _normal(outcome.counter)


def _numbered(code: str) -> str:
    return "\n".join(f"{i:3} | {line}" for i, line in enumerate(code.splitlines(), 1))


def _describe_options(options) -> str:
    return (
        f"InlineOptions(policy={options.policy!r}, expand={options.expand!r}, "
        f"preserve_format={options.preserve_format!r}, drop_dead={options.drop_dead!r})"
    )


def _report(title: str, source: str, options, result=None, details: str = "") -> str:
    parts = [title, f"options: {_describe_options(options)}", "--- original source ---", _numbered(source)]
    if result is not None:
        parts += [
            f"--- inlined source (status={result.status!r}, reason={result.reason!r}, "
            f"inlined={getattr(result, 'inlined', None)!r}) ---",
            _numbered(result.code) if isinstance(result.code, str) else repr(result.code),
        ]
    if details:
        parts.append(details)
    return "\n".join(parts)


_CACHE: dict = {}  # (source, options) -> result: hypothesis re-runs programs while shrinking


def _inline(source: str, options, what: str = "inline_source"):
    """Call inline_source; fail (with the program) if it raises or hangs."""
    key = (source, options)
    if key in _CACHE:
        return _CACHE[key]
    try:
        with op.time_limit(INLINE_TIME_LIMIT):
            result = inline_source(source, options)
        if len(_CACHE) > 2000:
            _CACHE.clear()
        _CACHE[key] = result
        return result
    except op.ProgramTimeout:
        pytest.fail(_report(f"{what} did not return within {INLINE_TIME_LIMIT} s", source, options))
    except Exception:  # noqa: BLE001 - it promises never to raise
        pytest.fail(_report(f"{what} raised:\n{traceback.format_exc()}", source, options))


def _check_result_shape(source: str, options, result) -> None:
    assert isinstance(result.code, str), _report("result.code is not a str", source, options, result)
    assert result.status in STATUSES, _report(f"unknown status {result.status!r}", source, options, result)
    assert isinstance(result.inlined, int) and result.inlined >= 0, _report(
        f"result.inlined is {result.inlined!r}", source, options, result
    )


def _check_no_internal_error(source: str, options, result, what: str = "inline_source") -> None:
    """A crash inside the inliner comes back as a fallback: a failure here, never an outcome."""
    crashes = op.internal_errors(result)
    if crashes:
        pytest.fail(_report(f"{what} crashed inside (internal-error): {crashes}", source, options, result))


def check_program(source: str, options, extra_args: tuple[int, int, int]) -> None:
    """Everything the oracle asserts about one program under one set of options."""
    strict = options.policy == "strict"
    result = _inline(source, options)
    _check_result_shape(source, options, result)
    _check_no_internal_error(source, options, result)
    try:
        ast.parse(result.code)
    except SyntaxError as exc:
        pytest.fail(_report(f"the output does not parse: {exc}", source, options, result))

    original = op.compile_program(source)
    assert not isinstance(original, BaseException), f"generator bug: program does not compile\n{source}"
    inlined = op.compile_program(result.code)
    for args in op.FIXED_ARGUMENTS + (extra_args,):
        before = op.run_program(original, args)
        if before.result[0] == "timeout" or (not strict and before.result[0] != "return"):
            pytest.fail(f"generator bug: the original program gives {before.result!r} for {args}\n{source}")
        after = op.run_program(inlined, args)
        if _normal_outcome(before, strict) != _normal_outcome(after, strict):
            compared = "result, call log, obj.val and count" if strict else "return value"
            pytest.fail(
                _report(
                    f"behaviour changed ({compared} compared) for target{args}",
                    source,
                    options,
                    result,
                    f"--- original outcome ---\n    {before.describe(strict)}\n"
                    f"--- inlined outcome ---\n    {after.describe(strict)}",
                )
            )

    again = _inline(result.code, options, "inline_source on its own output")
    _check_result_shape(result.code, options, again)
    _check_no_internal_error(result.code, options, again, "inline_source on its own output")
    if again.code != result.code:
        pytest.fail(
            _report(
                "inlining is not idempotent",
                source,
                options,
                result,
                f"--- inlining the output again (status={again.status!r}) ---\n{_numbered(again.code)}",
            )
        )


# ---------------------------------------------------------------------------------------------
# Oracle tests (need the library)
# ---------------------------------------------------------------------------------------------

GRID = [
    pytest.param(expand, preserve, dead, id=f"{expand}-{'libcst' if preserve else 'unparse'}-{'dead' if dead else 'keep'}")
    for expand in ("single", "all")
    for preserve in (True, False)
    for dead in (False, True)
]


@needs_inliner
@pytest.mark.parametrize("expand, preserve_format, drop_dead", GRID)
@oracle_settings
@given(source=op.programs("strict"), extra_args=op.argument_triples)
def test_strict_keeps_behaviour_and_effects(expand, preserve_format, drop_dead, source, extra_args):
    options = InlineOptions(policy="strict", expand=expand, preserve_format=preserve_format, drop_dead=drop_dead)
    check_program(source, options, extra_args)


@needs_inliner
@pytest.mark.parametrize("expand, preserve_format, drop_dead", GRID)
@oracle_settings
@given(source=op.programs("pure"), extra_args=op.argument_triples)
def test_pure_keeps_return_values(expand, preserve_format, drop_dead, source, extra_args):
    options = InlineOptions(policy="pure", expand=expand, preserve_format=preserve_format, drop_dead=drop_dead)
    check_program(source, options, extra_args)


@st.composite
def _damaged_sources(draw) -> str:
    """Generated programs cut short or with a character replaced: often not valid Python."""
    source = draw(op.programs(draw(st.sampled_from(op.MODES)), max_statements=8))
    where = draw(st.integers(0, len(source)))
    kind = draw(st.sampled_from(["cut", "replace", "insert"]))
    if kind == "cut":
        return source[:where]
    junk = draw(st.sampled_from(["(", ")", ":", " ", "\t", "\n", "=", "lambda", "nonlocal x", "\\", "'", "#"]))
    return source[:where] + junk + source[where + (kind == "replace") :]


@needs_inliner
@oracle_settings
@given(source=_damaged_sources(), policy=st.sampled_from(["strict", "pure"]), expand=st.sampled_from(["single", "all"]),
       preserve_format=st.booleans(), drop_dead=st.booleans())
def test_never_raises_on_damaged_input(source, policy, expand, preserve_format, drop_dead):
    options = InlineOptions(policy=policy, expand=expand, preserve_format=preserve_format, drop_dead=drop_dead)
    check_damaged_input(source, options)


def check_damaged_input(source: str, options) -> None:
    """Any text: no exception, no crash inside, and a valid module's output parses."""
    result = _inline(source, options)
    _check_result_shape(source, options, result)
    _check_no_internal_error(source, options, result)
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return
    try:
        ast.parse(result.code)
    except SyntaxError as exc:
        pytest.fail(_report(f"the output of a valid module does not parse: {exc}", source, options, result))


# ---------------------------------------------------------------------------------------------
# The generator itself (no library needed)
# ---------------------------------------------------------------------------------------------

_ALLOWED_STRICT_ERRORS = {"ValueError", "KeyError", "RuntimeError", "ZeroDivisionError", "IndexError", "AssertionError",
                         "NameError"}  # NameError: a conditional module global left unbound


@pytest.mark.parametrize("mode", op.MODES)
@settings(max_examples=60, deadline=None, print_blob=True)
@given(data=st.data())
def test_generated_programs_compile_and_run(mode, data):
    source = data.draw(op.programs(mode), label="source")
    code = op.compile_program(source)
    assert not isinstance(code, BaseException), f"{code!r}\n{source}"
    tree = ast.parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    if mode == "pure":
        assert not names & set(op.LOGGING_PRIMITIVES), f"pure program calls a logging primitive\n{source}"
        assert not names & op.STRICT_PRIMITIVES, f"pure program uses a strict primitive\n{source}"
        assert "bump" not in called and "ap" not in called, f"pure program calls bump or ap\n{source}"
    triples = op.FIXED_ARGUMENTS + (data.draw(op.argument_triples, label="args"),)
    for args in triples:
        outcome = op.run_program(code, args, timeout=1.0)
        assert outcome.result[0] != "timeout", f"program does not terminate for {args}\n{source}"
        if mode == "pure":
            assert outcome.result[0] == "return", f"pure program gives {outcome.result!r} for {args}\n{source}"
            assert outcome.log == ()
        else:
            assert outcome.result[0] == "return" or outcome.result[1] in _ALLOWED_STRICT_ERRORS, (
                f"strict program gives {outcome.result!r} for {args}\n{source}"
            )
        # Deterministic: a second run gives the same outcome.
        assert op.run_program(code, args) == outcome, source


@pytest.mark.parametrize("mode", op.MODES)
def test_generator_covers_every_construct(mode):
    seen: dict[str, int] = {}

    # derandomize: a fixed sample, so that this distribution check cannot flake.
    @settings(max_examples=200, deadline=None, database=None, phases=[Phase.generate], derandomize=True)
    @given(source=op.programs(mode))
    def collect(source):
        for construct in op.constructs(source):
            seen[construct] = seen.get(construct, 0) + 1

    collect()
    expected = op.ALL_CONSTRUCTS | (op.STRICT_ONLY_CONSTRUCTS if mode == "strict" else frozenset())
    missing = sorted(expected - set(seen))
    assert not missing, f"never generated in 200 {mode} programs: {missing}; seen: {sorted(seen.items())}"


def test_primitives_behave_as_documented():
    runtime = op.make_runtime()
    ns = runtime.namespace
    for name, arity in op.PURE_PRIMITIVES.items():
        for args in [(0,) * arity, (5, -7, 10**80)[:arity]]:
            value = ns[name](*args)
            assert 0 <= value < op.PRIM_MOD and value == ns[name](*args)
    assert runtime.log == []
    ns["e1"](1)
    ns["e2"](2, 3)
    assert runtime.log == [("e1", (1,)), ("e2", (2, 3))]
    with pytest.raises(ValueError):
        ns["e1"](4)  # (4 * 3 + 1) % 13 == 0
    with pytest.raises(KeyError):
        ns["e2"](3, 5)  # (8 * 3 + 2) % 13 == 0
    assert runtime.log[-1] == ("e2", (3, 5))  # logged before raising
    fresh = op.make_runtime()
    assert fresh.log == [] and fresh.obj.val == 3 and fresh.namespace["e1"] is not ns["e1"]
