"""Exact outputs: one row per rule, read top to bottom to learn what the tool does.

Unless a row says otherwise the options are the defaults: policy="strict",
expand="single", preserve_format=True (the libcst rewrite, layout and comments kept).
KNOWN rows declare every called name pure (``pure_calls=("*",)``), as a user declares a
DSL: strict then moves their calls as it moves operators, and what they return has no
lifetime to keep. Rows about layout and precedence use it, so that what they show is the
rewrite, not an effect that holds it back.
"""

from __future__ import annotations

import pytest

from helpers import code, kept_reasons, run

STRICT = {}
PURE = {"policy": "pure"}
PURE_ALL = {"policy": "pure", "expand": "all"}
STRICT_ALL = {"expand": "all"}
CANONICAL = {"preserve_format": False}
KNOWN = {"pure_calls": ("*",)}
KNOWN_ALL = {"expand": "all", "pure_calls": ("*",)}
KNOWN_CANONICAL = {"preserve_format": False, "pure_calls": ("*",)}

ROWS = [
    # -- the generated shape ----------------------------------------------------------------
    ("solver chain", KNOWN, """
        def solve_xyz(S, I, C):
            x1 = o_g(I, R7)
            x2 = get_nth_f(x1, F0)
            O = subgrid(x2, I)
            return O
        """, """
        def solve_xyz(S, I, C):
            return subgrid(get_nth_f(o_g(I, R7), F0), I)
        """),
    ("later definitions read first keep their order", KNOWN, """
        def f(a):
            x = g(a)
            y = h(a)
            return k(x, y)
        """, """
        def f(a):
            return k(g(a), h(a))
        """),
    ("strict never swaps two unknown calls, nor lets what they return die early", STRICT, """
        def f(a):
            x = g(a)
            y = h(a)
            return k(y, x)
        """, None),
    ("calls known to be pure may swap under strict too", KNOWN, """
        def f(a):
            x = g(a)
            y = h(a)
            return k(y, x)
        """, """
        def f(a):
            return k(h(a), g(a))
        """),
    ("with nothing known, only the last value reaches its read", STRICT, """
        def solve_xyz(S, I, C):
            x1 = o_g(I, R7)
            x2 = get_nth_f(x1, F0)
            O = subgrid(x2, I)
            return O
        """, """
        def solve_xyz(S, I, C):
            x1 = o_g(I, R7)
            x2 = get_nth_f(x1, F0)
            return subgrid(x2, I)
        """),
    ("pure may swap calls", PURE, """
        def f(a):
            x = g(a)
            y = h(a)
            return k(y, x)
        """, """
        def f(a):
            return k(h(a), g(a))
        """),
    ("called variable", KNOWN, """
        def f(a):
            x1 = rbind(g, a)
            x2 = x1(a)
            return x2
        """, """
        def f(a):
            return rbind(g, a)(a)
        """),
    ("function passed as a value", KNOWN, """
        def f(a):
            x1 = branch(a, width_f, height_f)
            return x1(a)
        """, """
        def f(a):
            return branch(a, width_f, height_f)(a)
        """),
    # -- semicolons, comments, layout -------------------------------------------------------
    ("semicolons", STRICT, """
        def f(a, b):
            x = a + b; return x * 2
        """, """
        def f(a, b):
            return (a + b) * 2
        """),
    ("one-line function", STRICT, """
        def f(a): x = g(a); return x
        """, """
        def f(a): return g(a)
        """),
    ("a comment on the assignment keeps it", STRICT, """
        def f(a):
            x = g(a)  # why
            return h(x)
        """, None),
    ("a comment above the assignment keeps it", STRICT, """
        def f(a):
            # why
            x = g(a)
            return h(x)
        """, None),
    ("blank lines before a removed assignment pass to the next statement", STRICT, """
        def f(a, c):
            if c:
                return a

            merged = [a, 1]
            return h(merged)
        """, """
        def f(a, c):
            if c:
                return a

            return h([a, 1])
        """),
    ("the next statement keeps blank lines of its own", STRICT, """
        def f(a):
            k(a)
            x = g(a)


            return x
        """, """
        def f(a):
            k(a)


            return g(a)
        """),
    ("a comment above the first statement left stays, its blank lines give way", KNOWN, """
        def f(a):
            x = g(a)

            # about the result
            return h(x)
        """, """
        def f(a):
            # about the result
            return h(g(a))
        """),
    ("a block starts as it did when its first lines are removed", KNOWN, """
        def f(a):
            x = k(a)

            y = k(x)

            return y
        """, """
        def f(a):
            return k(k(a))
        """),
    ("a read inside an f-string takes the value", KNOWN, """
        def f(a):
            x = g(a)
            return f"{x}!"
        """, """
        def f(a):
            return f"{g(a)}!"
        """),
    ("a read inside an f-string with a format spec", KNOWN, """
        def f(a, w):
            x = g(a)
            return f"{x:>{w}}"
        """, """
        def f(a, w):
            return f"{g(a):>{w}}"
        """),
    ("a comment above the read stays", KNOWN, """
        def f(a):
            x = g(a)
            # about the result
            return h(x)
        """, """
        def f(a):
            # about the result
            return h(g(a))
        """),
    ("comments inside the moved expression move with it", KNOWN, """
        def f(a):
            x = g(
                a,  # the grid
                1,
            )
            return h(x)
        """, """
        def f(a):
            return h(g(
                a,  # the grid
                1,
            ))
        """),
    ("untouched functions keep their exact text", STRICT, """
        def f( a ):
            return g( a )   # odd spacing


        def h(b):
            y = k(b)
            return y
        """, """
        def f( a ):
            return g( a )   # odd spacing


        def h(b):
            return k(b)
        """),
    ("CRLF line endings", STRICT, "def f(a):\r\n    x = g(a)\r\n    return x\r\n",
     "def f(a):\r\n    return g(a)\r\n"),
    # -- precedence ---------------------------------------------------------------------------
    ("unary operand of a power", STRICT, """
        def f(a):
            x = -a
            return x ** 2
        """, """
        def f(a):
            return (-a) ** 2
        """),
    ("power under unary minus needs nothing", STRICT, """
        def f(a, b):
            x = a ** b
            return -x
        """, """
        def f(a, b):
            return -a ** b
        """),
    ("right operand of a subtraction", STRICT, """
        def f(a, b, c):
            x = a - b
            return c - x
        """, """
        def f(a, b, c):
            return c - (a - b)
        """),
    ("left operand of the same operator", STRICT, """
        def f(a, b, c):
            x = a - b
            return x - c
        """, """
        def f(a, b, c):
            return a - b - c
        """),
    ("conditional expression as an object", STRICT, """
        def f(a, b, c):
            x = a if b else c
            return x.real
        """, """
        def f(a, b, c):
            return (a if b else c).real
        """),
    ("integer literal as an object", STRICT, """
        def f():
            x = 1
            return x.real
        """, """
        def f():
            return (1).real
        """),
    ("lambda called", STRICT, """
        def f():
            x = lambda: 1
            return x()
        """, """
        def f():
            return (lambda: 1)()
        """),
    ("tuple returned needs no parentheses", STRICT, """
        def f(a, b):
            x = a, b
            return x
        """, """
        def f(a, b):
            return a, b
        """),
    ("tuple as an argument needs them", STRICT, """
        def f(a, b):
            x = a, b
            return g(x)
        """, """
        def f(a, b):
            return g((a, b))
        """),
    ("tuple as a subscript", STRICT, """
        def f(a, b, d):
            x = a, b
            return d[x]
        """, """
        def f(a, b, d):
            return d[a, b]
        """),
    ("not under comparison", STRICT, """
        def f(a, b):
            x = not a
            return x == b
        """, """
        def f(a, b):
            return (not a) == b
        """),
    ("comparison under not", STRICT, """
        def f(a, b):
            x = a == b
            return not x
        """, """
        def f(a, b):
            return not a == b
        """),
    ("boolean operation as first operand", STRICT, """
        def f(a, b, c):
            x = a or b
            return x and c
        """, """
        def f(a, b, c):
            return (a or b) and c
        """),
    ("comparison chained", STRICT, """
        def f(a, b, c):
            x = a < b
            return x < c
        """, """
        def f(a, b, c):
            return (a < b) < c
        """),
    ("parentheses already there are kept", STRICT, """
        def f(a, b, c):
            x = (a + b)
            return x * c
        """, """
        def f(a, b, c):
            return (a + b) * c
        """),
    ("parentheses around the read are kept", STRICT, """
        def f(a, b, c):
            x = a + b
            return (x) * c
        """, """
        def f(a, b, c):
            return (a + b) * c
        """),
    ("conditional expression as a comprehension's iterable", STRICT, """
        def f(a, b, c):
            x = a if b else c
            return [i for i in x]
        """, """
        def f(a, b, c):
            return [i for i in (a if b else c)]
        """),
    ("await as an object", PURE, """
        async def f(a):
            x = await a
            return x.b
        """, """
        async def f(a):
            return (await a).b
        """),
    ("yield moved into a call", PURE, """
        def f(h):
            x = yield
            return h(x)
        """, """
        def f(h):
            return h((yield))
        """),
    ("a value that was itself a read takes its expression's precedence", STRICT_ALL, """
        def f(a, b, c):
            x = a + b
            y = x
            return y * c
        """, """
        def f(a, b, c):
            return (a + b) * c
        """),
    ("a tuple as a context manager keeps its own parentheses", STRICT, """
        def f(a, b):
            x = (a, b)
            with x:
                pass
        """, """
        def f(a, b):
            with ((a, b)):
                pass
        """),
    ("keyword and attribute names equal to the variable are untouched", KNOWN, """
        def f(a):
            x = g(a)
            return h(x=x).x
        """, """
        def f(a):
            return h(x=g(a)).x
        """),
    # -- where a read may be ------------------------------------------------------------------
    ("if test", KNOWN, """
        def f(a):
            x = g(a)
            if x:
                return 1
            return 2
        """, """
        def f(a):
            if g(a):
                return 1
            return 2
        """),
    ("for iterable", KNOWN, """
        def f(a):
            x = g(a)
            for i in x:
                h(i)
        """, """
        def f(a):
            for i in g(a):
                h(i)
        """),
    ("with item", KNOWN, """
        def f(a):
            x = g(a)
            with x:
                pass
        """, """
        def f(a):
            with g(a):
                pass
        """),
    ("match subject", KNOWN, """
        def f(a):
            x = g(a)
            match x:
                case 1:
                    return 2
            return 3
        """, """
        def f(a):
            match g(a):
                case 1:
                    return 2
            return 3
        """),
    ("first iterable of a comprehension", KNOWN, """
        def f(a):
            x = g(a)
            return [i for i in x]
        """, """
        def f(a):
            return [i for i in g(a)]
        """),
    ("test of a conditional expression", KNOWN, """
        def f(a, c):
            x = g(a)
            return c if x else 0
        """, """
        def f(a, c):
            return c if g(a) else 0
        """),
    ("first operand of and", KNOWN, """
        def f(a, c):
            x = g(a)
            return x and c
        """, """
        def f(a, c):
            return g(a) and c
        """),
    ("star argument", KNOWN, """
        def f(a):
            x = g(a)
            return h(*x)
        """, """
        def f(a):
            return h(*g(a))
        """),
    ("nested functions are handled on their own", KNOWN, """
        def f(a):
            def inner(b):
                y = g(b)
                return h(y)
            return inner(a)
        """, """
        def f(a):
            def inner(b):
                return h(g(b))
            return inner(a)
        """),
    ("a plain def in between is no effect", KNOWN, """
        def f(a):
            x = g(a)
            def inner():
                return 1
            return k(x, inner)
        """, """
        def f(a):
            def inner():
                return 1
            return k(g(a), inner)
        """),
    ("methods are functions", STRICT, """
        class C:
            y = 1
            z = y

            def m(self, a):
                x = g(a)
                return x
        """, """
        class C:
            y = 1
            z = y

            def m(self, a):
                return g(a)
        """),
    ("module-level code is never changed", STRICT, """
        x = g(1)
        y = h(x)
        """, None),
    ("async and await", PURE, """
        async def f(a, h):
            x = await g(a)
            return h(x)
        """, """
        async def f(a, h):
            return h(await g(a))
        """),
    ("generators", KNOWN, """
        def f(a):
            x = g(a)
            yield x
        """, """
        def f(a):
            yield g(a)
        """),
    # -- expansion and dead code ----------------------------------------------------------------
    ("strict copies names", STRICT_ALL, """
        def f(a):
            x = a
            y = x
            return g(y, y)
        """, """
        def f(a):
            return g(a, a)
        """),
    ("written code never copies a call, whatever expand says", PURE_ALL, """
        def f(a):
            x = g(a)
            return k(x, x)
        """, None),
    ("the canonical form copies calls (it is for identity, not for running)",
     {"policy": "pure", "expand": "all", "preserve_format": False}, """
        def f(a):
            x = g(a)
            return k(x, x)
        """, "def f(a):\n    return k(g(a), g(a))"),
    ("written code copies names and arithmetic on them", PURE_ALL, """
        def f(a, b):
            x = a + b
            return k(x, x)
        """, """
        def f(a, b):
            return k(a + b, a + b)
        """),
    ("pure never copies a new list", PURE_ALL, """
        def f(a):
            x = [a]
            return k(x, x)
        """, None),
    ("dead assignment dropped under pure", {"policy": "pure", "drop_dead": True}, """
        def f(a):
            x = g(a)
            return a
        """, """
        def f(a):
            return a
        """),
    ("dead constant dropped under strict", {"drop_dead": True}, """
        def f(a):
            x = 1
            return a
        """, """
        def f(a):
            return a
        """),
    ("an emptied body gets pass", {"policy": "pure", "drop_dead": True}, """
        def f(a):
            x = g(a)
        """, """
        def f(a):
            pass
        """),
    ("dead code drops what only it read", {"policy": "pure", "drop_dead": True}, """
        def f(a):
            x = g(a)
            y = h(x)
            return a
        """, """
        def f(a):
            return a
        """),
    ("dropping a dead lambda frees what it captured", {"policy": "pure", "drop_dead": True}, """
        def f(c):
            x1 = c
            x3 = (lambda u: x1)(x1)
            x4 = x1
            return x4
        """, """
        def f(c):
            return c
        """),
    ("dead code in an inner block is dropped before outer reads are judged",
     {"policy": "pure", "drop_dead": True}, """
        def f(c):
            x8 = c
            x9 = x8
            if x8 < x9:
                x10 = x9
            return x8
        """, """
        def f(c):
            x8 = c
            if x8 < x8:
                pass
            return x8
        """),
    ("a generator is never copied: it can be used up only once", PURE_ALL, """
        def f(a):
            q = (g(v) for v in a)
            return sum(q) + sum(q)
        """, None),
    ("a copy is parenthesised for its own place", {"policy": "pure", "expand": "all", "preserve_format": False}, """
        def f(b):
            x = b + b
            y = x * 2
            return x
        """, "def f(b):\n    y = (b + b) * 2\n    return b + b"),
    ("dead code in a later block frees what it read", {"policy": "pure", "drop_dead": True}, """
        def f(a, b):
            for i in a:
                if b:
                    break
                else:
                    x1 = a + 1
                x2 = x1
            return a
        """, """
        def f(a, b):
            for i in a:
                if b:
                    break
                else:
                    pass
            return a
        """),
    ("dead code in a nested function frees the outer variable it read",
     {"policy": "pure", "drop_dead": True}, """
        def f(a, c):
            x8 = c
            def inner():
                t = x8
                return a
            return x8, inner
        """, """
        def f(a, c):
            def inner():
                return a
            return c, inner
        """),
    # -- names like the variable that are not its reads --------------------------------------
    ("an attribute, a keyword and a lambda's own x are not the variable x", KNOWN, """
        def f(a):
            x = g(a)
            y = k(a)
            return h(y, x=a.x, k=lambda x: x  +  1)
        """, """
        def f(a):
            x = g(a)
            return h(k(a), x=a.x, k=lambda x: x  +  1)
        """),
    ("names that look like the rewriter's markers", KNOWN, """
        def f(_inline_0, _inline_1):
            _inline_ = g(_inline_0)
            x = h(_inline_, _inline_1)
            return x
        """, """
        def f(_inline_0, _inline_1):
            return h(g(_inline_0), _inline_1)
        """),
    ("columns after wide characters", KNOWN, """
        def f(é):
            x = g('ü€😀', é)
            return h('😀', x)
        """, """
        def f(é):
            return h('😀', g('ü€😀', é))
        """),
    ("names spelled in another Unicode form are the same name", KNOWN, """
        def f(a):
            ﬁ = g(a)
            x = h(fi, ａ)
            return k(x, ﬁ.real)
        """, """
        def f(a):
            ﬁ = g(a)
            return k(h(fi, ａ), ﬁ.real)
        """),
    # -- the canonical form ------------------------------------------------------------------
    ("canonical output is ast.unparse", CANONICAL, """
        def f(a, b):
            x = a + b; return x * 2  # comment
        """, "def f(a, b):\n    return (a + b) * 2"),
    ("canonical keeps what strict must keep", CANONICAL, """
        def f(a):
            x = g(a)
            h()
            return x
        """, "def f(a):\n    x = g(a)\n    h()\n    return x"),
]


@pytest.mark.parametrize(
    ("options", "source", "expected"),
    [pytest.param(o, s, e, id=name) for name, o, s, e in ROWS],
)
def test_rewrite(options, source, expected):
    result = run(source, **options)
    want = code(source) if expected is None else code(expected) if expected.startswith("\n") else expected
    assert result.code == want, result
    if expected is None:
        assert result.status == "unchanged"


@pytest.mark.parametrize(
    ("options", "source", "expected"),
    [pytest.param(o, s, e, id=name) for name, o, s, e in ROWS if e is not None],
)
def test_rewrite_is_idempotent(options, source, expected):
    once = run(source, **options).code
    assert run(once, **options).code == once


@pytest.mark.parametrize(
    ("options", "source", "expected"),
    [pytest.param(o, s, e, id=name) for name, o, s, e in ROWS if o.get("preserve_format", True)],
)
def test_both_rewriters_agree(options, source, expected):
    """The canonical form of the format-preserving output is the canonical output."""
    import ast

    preserved = run(source, **options)
    if {"comment", "f-string"} & set(kept_reasons(preserved).values()):
        pytest.skip("the format-preserving rewriter keeps what carries a comment")
    if "would-copy-work" in kept_reasons(preserved).values():
        pytest.skip("written code never copies a call; the canonical form does")
    canonical = run(source, **{**options, "preserve_format": False})
    if canonical.status == "fallback":
        pytest.skip(f"ast.unparse cannot write this one: {canonical.reason}")
    preserved, canonical = preserved.code, canonical.code
    assert ast.unparse(ast.parse(preserved)) == canonical


def test_kept_reasons_of_rows_are_reported():
    result = run("""
        def f(a):
            x = g(a)  # why
            return h(x)
        """, **KNOWN)
    assert kept_reasons(result) == {"x": "comment"}


def test_canonical_form_never_writes_what_reads_back_differently():
    """``ast.unparse`` writes a tuple context manager as ``with (a, b):``, which Python reads
    as two context managers; the canonical rewriter notices and keeps the function."""
    result = run("""
        def f(a, b):
            x = (a, b)
            with x:
                pass
        """, preserve_format=False)
    (report,) = result.functions
    assert (report.status, report.reason.value) == ("fallback", "rewrite-mismatch")
    assert result.code == "def f(a, b):\n    x = (a, b)\n    with x:\n        pass"
