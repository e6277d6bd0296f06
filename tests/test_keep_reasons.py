"""Why a variable stays: one row per exclusion, with the named reason reported."""

from __future__ import annotations

import pytest

from helpers import code, kept_reasons, run

ROWS = [
    ("read twice under single", {}, """
        def f(a):
            x = g(a)
            return k(x, x)
        """, {"x": "multiple-reads"}),
    ("strict does not copy calls", {"expand": "all"}, """
        def f(a):
            x = g(a)
            return k(x, x)
        """, {"x": "not-duplicable"}),
    ("unused", {}, """
        def f(a):
            x = g(a)
            return a
        """, {"x": "unused"}),
    ("unused with effects under strict", {"drop_dead": True}, """
        def f(a):
            x = g(a)
            return a
        """, {"x": "unused-with-effects"}),
    ("branch of a conditional expression", {}, """
        def f(a, c):
            x = g(a)
            return x if c else 0
        """, {"x": "conditional-read"}),
    ("right operand of or", {}, """
        def f(a, c):
            x = g(a)
            return c or x
        """, {"x": "conditional-read"}),
    ("while test", {}, """
        def f(a):
            x = g(a)
            while x:
                break
        """, {"x": "conditional-read"}),
    ("assert", {}, """
        def f(a):
            x = g(a)
            assert x
        """, {"x": "conditional-read"}),
    ("decorator of a nested function", {}, """
        def f(a):
            x = g(a)
            @x
            def inner():
                pass
            return inner
        """, {"x": "conditional-read"}),
    ("default value of a nested function", {}, """
        def f(a):
            x = g(a)
            def inner(b=x):
                return b
            return inner
        """, {"x": "conditional-read"}),
    ("subscript in an assignment target", {}, """
        def f(a, d):
            x = g(a)
            d[x] = 1
        """, {"x": "conditional-read"}),
    ("lambda body", {}, """
        def f(a):
            x = g(a)
            return lambda: x
        """, {"x": "captured"}),
    ("comprehension body", {}, """
        def f(a):
            x = g(a)
            return [x for i in a]
        """, {"x": "captured"}),
    ("nested function reads it", {}, """
        def f(a):
            x = g(a)
            def inner():
                return x
            return inner
        """, {"x": "captured"}),
    ("read in another block", {}, """
        def f(a, c):
            x = g(a)
            if c:
                return x
        """, {"x": "read-outside-block"}),
    ("read in a loop body before the definition", {}, """
        def f(a):
            for i in a:
                if i:
                    h(x)
                x = g(i)
        """, {"x": "read-outside-block"}),
    ("read in an except handler", {}, """
        def f(a):
            x = g(a)
            try:
                h()
            except ValueError:
                return x
        """, {"x": "read-outside-block"}),
    ("augmented assignment", {}, """
        def f(a):
            x = g(a)
            x += 1
            return x
        """, {"x": "multiple-bindings"}),
    ("parameter reassigned", {}, """
        def f(a):
            a = g(a)
            return a
        """, {"a": "multiple-bindings"}),
    ("bound again by a for loop", {}, """
        def f(a):
            x = g(a)
            for x in a:
                pass
            return x
        """, {"x": "multiple-bindings"}),
    ("bound again by an assignment expression", {}, """
        def f(a):
            x = g(a)
            if (x := h(a)):
                pass
            return x
        """, {"x": "multiple-bindings"}),
    ("bound again by del", {}, """
        def f(a):
            x = g(a)
            h(x)
            del x
        """, {"x": "multiple-bindings"}),
    ("global", {}, """
        def f(a):
            global x
            x = g(a)
            return x
        """, {"x": "global-or-nonlocal"}),
    ("nonlocal", {}, """
        def outer():
            x = 0
            def f(a):
                nonlocal x
                x = g(a)
                return x
            return f
        """, {"x": "captured,global-or-nonlocal"}),
    ("value contains an assignment expression", {}, """
        def f(a):
            x = (y := g(a))
            return h(x)
        """, {"x": "value-binds-name"}),
    ("a name it reads is rebound", {}, """
        def f(a, b):
            x = a
            a = b
            return x
        """, {"x": "rebound-between", "a": "multiple-bindings"}),
    ("a call in between under strict", {}, """
        def f(a):
            x = g(a)
            h()
            return x
        """, {"x": "effect-between"}),
    ("a store in between, even under pure", {"policy": "pure"}, """
        def f(a, d):
            x = d[0]
            d[0] = 1
            return x
        """, {"x": "effect-between"}),
    ("an await in between, even under pure", {"policy": "pure"}, """
        async def f(a):
            x = g(a)
            await h()
            return x
        """, {"x": "effect-between"}),
    ("a yield in between, even under pure", {"policy": "pure"}, """
        def f(a):
            x = g(a)
            yield 1
            return x
        """, {"x": "effect-between"}),
    ("an if statement in between, even under pure", {"policy": "pure"}, """
        def f(a, c):
            x = g(a)
            if c:
                return 0
            return x
        """, {"x": "effect-between"}),
    ("an assignment expression before the read", {"policy": "pure"}, """
        def f(a, b):
            x = g(a)
            return h((b := 2), x)
        """, {"x": "effect-between"}),
    ("a second context manager's entry", {}, """
        def f(a):
            x = g(a)
            with h() as y, x:
                pass
        """, {"x": "effect-between"}),
    ("a local that may be unbound is read first under strict", {}, """
        def f(a, c):
            if c:
                z = 1
            x = g(a)
            return h(z, x)
        """, {"x": "effect-between", "z": "read-outside-block"}),
    ("an f-string that cannot hold the value, in the format-preserving rewrite", {"pure_calls": ("g",)}, """
        def f(a):
            x = g('k')
            return f"{x}"
        """, {"x": "f-string"}),
    ("an f-string that prints the expression's text", {"pure_calls": ("g",)}, """
        def f(a):
            x = g(a)
            return f"{x=}"
        """, {"x": "f-string"}),
    ("an f-string where braces would change the meaning", {"policy": "pure"}, """
        def f(a):
            x = {a: 1}
            return f"{x}"
        """, {"x": "f-string"}),
    ("depth budget", {"max_depth": 3, "pure_calls": ("g", "h", "k")}, """
        def f(a):
            x = g(a)
            y = h(x)
            return k(y)
        """, {"x": "depth-budget"}),
    ("growth budget", {"policy": "pure", "expand": "all", "max_growth": 2.0}, """
        def f(a):
            x = a + a + a
            y = x * x * x
            return k(y, y, y)
        """, {"x": "growth-budget"}),
    ("a call read more than once, in written code", {"policy": "pure", "expand": "all"}, """
        def f(a):
            x = g(a)
            return k(x, x)
        """, {"x": "would-copy-work"}),
    # The compiler warns about a literal called, subscripted or compared by identity: the
    # output must not warn where the input did not (see test_output_never_warns below).
    ("a literal that would be called", {"policy": "pure"}, """
        def f(a):
            x = 1
            return x(a)
        """, {"x": "would-warn"}),
    ("a literal that would be compared with is", {"policy": "pure", "expand": "all"}, """
        def f(a):
            y = ()
            return a is y
        """, {"y": "would-warn"}),
    ("a literal that would reach an is through another variable", {"policy": "pure"}, """
        def f(a):
            y = -1
            x = y
            return a is not x
        """, {"y": "would-warn"}),
    ("a literal index of the wrong type for a literal", {"policy": "pure"}, """
        def f(a):
            k = "s"
            return [1, 2][k]
        """, {"k": "would-warn"}),

]


@pytest.mark.parametrize(("options", "source", "expected"),
                         [pytest.param(o, s, e, id=n) for n, o, s, e in ROWS])
def test_kept_for_a_named_reason(options, source, expected):
    result = run(source, **options)
    assert kept_reasons(result) == expected
    assert result.status in ("unchanged", "inlined")
    if not (result.inlined or result.dropped):
        assert result.code == code(source)


def test_pure_moves_past_the_call_strict_stops_at():
    assert run("""
        def f(a):
            x = g(a)
            h()
            return x
        """, policy="pure").code == code("""
        def f(a):
            h()
            return g(a)
        """)


@pytest.mark.parametrize("call", ["locals()", "vars()", "eval('a')", "exec('a')", "dir()", "super().m()"])
def test_dynamic_scope_skips_the_function(call):
    result = run(f"""
        def f(a):
            x = g(a)
            return h(x, {call})
        """)
    assert result.code == code(f"""
        def f(a):
            x = g(a)
            return h(x, {call})
        """)
    (report,) = result.functions
    assert report.status == "skipped" and report.reason.value == "dynamic-scope"


def test_vars_and_dir_with_an_argument_are_fine():
    assert run("""
        def f(a):
            x = g(a)
            return h(x, vars(a), dir(a))
        """, pure_calls=("g", "h", "vars", "dir")).inlined == 1


WARNING_ROWS = [row for row in ROWS if "would-warn" in row[3].values()]


@pytest.mark.parametrize("preserve_format", [True, False])
@pytest.mark.parametrize(("options", "source", "expected"),
                         [pytest.param(o, s, e, id=n) for n, o, s, e in WARNING_ROWS])
def test_output_never_warns(options, source, expected, preserve_format):
    import warnings

    result = run(source, **{**options, "preserve_format": preserve_format})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile(code(source), "<input>", "exec")
        compile(result.code, "<output>", "exec")


def test_is_with_a_singleton_is_no_warning():
    result = run("""
        def f(a):
            y = None
            return a is y
        """, policy="pure")
    assert result.inlined == 1


def test_a_reason_reads_as_its_value():
    """Users see reasons as their values everywhere: str, f-strings, joins."""
    from inliner import FallbackReason, KeepReason

    for reason in (*KeepReason, *FallbackReason):
        assert str(reason) == f"{reason}" == reason.value
    assert ", ".join([KeepReason.MULTIPLE_READS]) == "multiple-reads"
