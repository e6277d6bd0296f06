"""Pathological sizes and shapes, hostile text, deadlines and threads."""

from __future__ import annotations

import ast
import threading
from concurrent.futures import ThreadPoolExecutor

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_runner import fixture_modules
from helpers import code, sized
from inliner import CANONICAL, FallbackReason, InlineOptions, inline_source
from inliner.rewrite import preserving
from inliner.deadline import Deadline, DeadlineExceeded
from inliner.source import describe_syntax_error
from oracle_programs import internal_errors


def chain(length: int, reads: int = 1) -> str:
    """``x[k+1] = g(x[k], ... reads times)``: a single-use chain, or a doubling one."""
    def call(k: int) -> str:
        return f"g({', '.join([f'x{k - 1}'] * reads)})"
    lines = ["def f(a):", "    x0 = g(a)"]
    lines += [f"    x{k} = {call(k)}" for k in range(1, length)]
    lines.append(f"    return x{length - 1}")
    return "\n".join(lines) + "\n"


def deepest(tree: ast.AST) -> int:
    depth, stack = 0, [(tree, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, ast.expr):
            level += 1
            depth = max(depth, level)
        stack.extend((child, level) for child in ast.iter_child_nodes(node))
    return depth


def evaluate(source: str, argument: int = 3) -> object:
    namespace: dict[str, object] = {"g": lambda *values: sum(values) % 1_000_003 + 1}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace["f"](argument)  # type: ignore[operator]


PURE_G = ("g", "h")
"""The chains call ``g`` (and ``h``), which :func:`evaluate` defines pure: declared so, as a
user declares a DSL, strict moves their calls (nothing is known of them otherwise)."""


@pytest.mark.parametrize("options", [InlineOptions(pure_calls=PURE_G),
                                     InlineOptions(preserve_format=False, pure_calls=PURE_G)],
                         ids=["libcst", "ast"])
def test_a_3000_deep_chain_is_cut_at_the_depth_budget(options):
    source = chain(3000)
    result = inline_source(source, options)
    assert result.status == "inlined"
    assert 2900 < result.inlined < 3000
    assert {k.reason.value for k in result.kept} == {"depth-budget"}
    assert deepest(ast.parse(result.code)) <= options.max_depth
    assert evaluate(result.code) == evaluate(source)


def test_a_doubling_chain_stops_at_the_growth_budget():
    source = chain(30, reads=2)
    options = InlineOptions(policy="pure", expand="all", preserve_format=False)
    result = inline_source(source, options)
    assert "growth-budget" in {k.reason.value for k in result.kept}
    size_in = sum(1 for _ in ast.walk(ast.parse(source)))
    size_out = sum(1 for _ in ast.walk(ast.parse(result.code)))
    assert size_out <= options.max_growth * size_in
    assert evaluate(result.code) == evaluate(source)


def test_a_20000_statement_function():
    lines = ["def f(a):"] + [f"    x{k} = g(a, {k})" for k in range(20_000)]
    lines.append("    return g(" + ", ".join(f"x{k}" for k in range(20_000)) + ")")
    source = "\n".join(lines) + "\n"
    result = inline_source(source, InlineOptions(preserve_format=False, pure_calls=PURE_G))
    assert result.inlined == 20_000
    assert evaluate(result.code) == evaluate(source)


def test_an_expression_too_deep_to_analyse_spoils_only_its_function():
    deep = " + ".join(["a"] * 1500)
    source = f"def deep(a):\n    x = {deep}\n    return x\n\n\ndef fine(a):\n    y = g(a)\n    return y\n"
    result = inline_source(source)
    reports = {r.qualname: r for r in result.functions}
    assert reports["deep"].status == "fallback"
    assert reports["deep"].reason.value == "too-complex"
    assert reports["fine"].status == "inlined"
    assert result.code == source.replace("    y = g(a)\n    return y", "    return g(a)")


def test_a_passed_deadline_keeps_every_function_as_it_was():
    source = fixture_modules()[0].read_text()
    result = inline_source(source, InlineOptions(timeout=1e-9))
    assert result.code == source
    assert result.status == "fallback" and result.reason_code.value == "timeout"
    assert {r.status for r in result.functions} <= {"fallback", "unchanged"}


class _PassesAfterChecks(Deadline):
    """A deadline that passes at its ``allowed + 1``-th check: where it is checked, not
    when, decides the outcome."""

    def __init__(self, allowed: int) -> None:
        super().__init__(None)
        self.allowed = allowed

    def check(self) -> None:
        self.allowed -= 1
        if self.allowed < 0:
            raise DeadlineExceeded


TIMED_OUT = ("fallback", FallbackReason.TIMEOUT)


@pytest.mark.parametrize(("allowed", "small"), [(0, TIMED_OUT), (1, ("inlined", None))],
                         ids=["before the rewrite", "during the rewrite"])
def test_the_libcst_rewrite_stops_at_its_deadline(monkeypatch, allowed, small):
    """Each top-level statement has its own deadline: ``small`` is too short to be
    checked during its rewrite; ``big`` is checked every thousand nodes."""
    lines = ["def big(a):", *(f"    x{k} = g(a, {k})" for k in range(300)),
             "    return h(" + ", ".join(f"x{k}" for k in range(300)) + ")"]
    source = "\n".join(lines) + "\n\ndef small(a):\n    y = g(a)\n    return y\n"
    monkeypatch.setattr(preserving, "unit_deadline", lambda options: _PassesAfterChecks(allowed))
    result = inline_source(source, InlineOptions(pure_calls=PURE_G))
    assert result.code.startswith(source.split("\n\ndef small")[0])
    assert [(r.status, r.reason) for r in result.functions] == [TIMED_OUT, small]


@pytest.mark.parametrize("source", [
    "(" * 300 + ")" * 300,
    "def f(:\n",
    "x = 1\0",
    "\udcff = 1",
    "",
    "def f():\n\treturn 1\n        pass\n",
])
def test_bad_source_comes_back_unchanged(source):
    result = inline_source(source)
    assert result.code == source
    if source.strip():
        assert result.status == "fallback" and result.reason.startswith("parse-error")


@given(st.text(alphabet=st.sampled_from(list("abx =()\n:+,1fdefreturn\t ")), max_size=80))
def test_never_raises_and_output_parses(text):
    check_never_raises(text)


# Any text of a small alphabet reaches broken code; the whole grammar reaches comparisons,
# subscripts, strings, brackets and every statement (hypothesmith compiles what it draws,
# and the compiler warns about some of it: warnings of code no test wrote).
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=sized(40, 300), deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_never_raises_on_the_whole_grammar(source):
    check_never_raises(source)


COMPARING = "def f(a, b):\n    x = a < b\n    y = [x, a[b], 'k']\n    return g(y)\n"
"""A function whose values hold a comparison, a subscript, a string and brackets."""


def check_never_raises(text: str) -> None:
    """Any text: no exception, no crash inside (``internal-error``), and output that parses
    unless the module itself fell back."""
    for options in (InlineOptions(), CANONICAL):
        result = inline_source(text, options)
        assert not internal_errors(result), f"the inliner crashed inside: {internal_errors(result)}\n{text!r}"
        if result.status != "fallback" or result.functions:
            ast.parse(result.code)


def test_many_threads_at_once_give_the_sequential_results():
    sources = [p.read_text() for p in fixture_modules()] * 3
    options = [InlineOptions(), InlineOptions(policy="pure", expand="all", preserve_format=False)]
    sequential = {(i, k): inline_source(s, o) for i, s in enumerate(sources) for k, o in enumerate(options)}
    assert not [item for item, result in sequential.items() if internal_errors(result)]
    expected = {item: result.code for item, result in sequential.items()}
    start = threading.Barrier(8)

    def work(item: tuple[int, int]) -> tuple[tuple[int, int], str]:
        i, k = item
        if item[0] < 8 and k == 0:
            start.wait(timeout=60)  # make the first eight really start together
        return item, inline_source(sources[i], options[k]).code

    items = [(i, k) for i in range(len(sources)) for k in range(len(options))]
    items.sort(key=lambda item: item[1])
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = dict(pool.map(work, items))
    assert got == expected


def test_multi_line_values_and_semicolons_in_one_function():
    result = inline_source(code("""
        def f(a):
            x = g(
                a,
            ); y = h(x)
            return y
        """), InlineOptions(pure_calls=PURE_G))
    assert result.code == code("""
        def f(a):
            return h(g(
                a,
            ))
        """)


def test_parser_failures_are_described_by_what_may_have_happened():
    assert "ran out of memory" in describe_syntax_error(MemoryError())
    assert describe_syntax_error(MemoryError("Parser stack overflowed")) == "Parser stack overflowed"
    assert describe_syntax_error(RecursionError()) == "nested too deeply for the parser"
