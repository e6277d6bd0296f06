"""Verification decides in C when it can (the output and the planned tree compile to the
same code) and still catches every wrong rewrite: a planted rewriter bug, and ast.unparse's
own round-trip limits."""

from __future__ import annotations

import ast

import pytest

from helpers import code, run
from inliner.verify import same_code


def _code(text: str):
    return compile(code(text), "<test>", "exec")


@pytest.mark.parametrize(("left", "right", "same"), [
    ("def f(a):\n    return g(h(a), 1)\n", "def f(a):\n    return g(\n        h(a),\n        1)\n", True),
    ("def f(a):\n    return g(h(a), 1)\n", "def f(a):\n    return g(h(a), 2)\n", False),
    ("def f(a):\n    return 0.0\n", "def f(a):\n    return -0.0\n", False),
    ("def f(a):\n    return (a + b) * 2\n", "def f(a):\n    return a + b * 2\n", False),
    ("def f(a):\n    def g():\n        return a\n    return g\n",
     "def f(a):\n    def g():\n        return -a\n    return g\n", False),
    ("x = 'a'\n", "x = b'a'\n", False),
])
def test_same_code_compares_programs_not_layout(left, right, same):
    assert same_code(_code(left), _code(right)) is same


def test_the_unparse_round_trip_of_a_tuple_manager_is_caught():
    """ast.unparse writes a tuple context manager as ``with (a, b):``, which reads back as
    two managers: the fast check sees different code."""
    tree = ast.parse("with x:\n    pass\n")
    tree.body[0].items[0].context_expr = ast.copy_location(
        ast.Tuple([ast.Name("a", ast.Load()), ast.Name("b", ast.Load())], ast.Load()),
        tree.body[0].items[0].context_expr)
    ast.fix_missing_locations(tree)
    written = ast.unparse(tree)
    assert written.startswith("with (a, b):")
    assert not same_code(compile(written, "<t>", "exec"), compile(tree, "<t>", "exec"))


def test_a_planted_parenthesis_bug_is_caught(monkeypatch):
    """With the format-preserving rewriter made to forget parentheses, the output is a
    different program: verification refuses it and the function keeps its text."""
    import inliner.rewrite.cst_unit as cst_unit
    import inliner.rewrite.text_splice as text_splice

    for rewriter in (cst_unit, text_splice):  # the libcst path and the text path
        monkeypatch.setattr(rewriter, "parentheses_to_add", lambda *args, **kwargs: False)
    for source in ("""
        def f(a, b):
            x = a + b
            return x * 2
        """, """
        def f(a, b):
            x = a + b
            return x * 2  # a comment sends the unit to libcst
        """):
        result = run(source)
        (report,) = result.functions
        assert (report.status, report.reason.value) == ("fallback", "rewrite-mismatch")
        assert result.code == code(source)


def test_a_planted_canonical_bug_is_caught(monkeypatch):
    """A canonical rewrite whose text is not the planned tree (here ast.unparse made to
    drop a parenthesis) is refused, function by function."""
    import inliner.rewrite.canonical as canonical

    real = ast.unparse

    def wrong(tree):
        return real(tree).replace("(a + b) * 2", "a + b * 2")

    monkeypatch.setattr(canonical.ast, "unparse", wrong)
    result = run("""
        def f(a, b):
            x = a + b
            return x * 2

        def g(a):
            y = h(a)
            return y
        """, preserve_format=False)
    reports = {r.qualname: r for r in result.functions}
    assert reports["f"].status == "fallback" and reports["f"].reason.value == "rewrite-mismatch"
    assert reports["g"].status == "inlined"
