"""The canonical form is a compatibility contract: the pipeline keys files by its md5.

The reference (``reference_canonical.py``) is the definition, written as plainly as
possible and independently of the library: in each function, replace every read of a plainly assigned local with a
copy of its (already substituted) expression, delete those assignments, ``ast.unparse``.
"""

from __future__ import annotations

import ast
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixture_runner import fixture_modules
from reference_canonical import reference_canonical
from inliner import CANONICAL, InlineOptions, inline_source, inline_variables
from inliner.rewrite.canonical import CanonicalRewrite, apply_plan, write_canonical


@pytest.mark.parametrize("path", fixture_modules(), ids=lambda p: p.name)
def test_fixture_modules_match_the_definition(path):
    source = path.read_text()
    assert inline_variables(source) == reference_canonical(source)


def test_inline_variables_is_inline_source_with_the_canonical_options():
    source = fixture_modules()[0].read_text()
    assert inline_variables(source) == inline_source(source, CANONICAL).code


@pytest.mark.parametrize("bad", ["def f(:\n", "x = 1\0\n", "(" * 300 + ")" * 300, "\udcff = 1"])
def test_inline_variables_returns_bad_input_unchanged(bad):
    assert inline_variables(bad) == bad


# -- generated straight-line functions ------------------------------------------------------

_PRIMITIVES = ["f", "g", "h", "rbind", "compose"]


@st.composite
def straight_line_function(draw: st.DrawFn) -> str:
    """A generated solver: x1..xN over params, constants and earlier variables (any number
    of reads each, some unread, some called), ending in ``O = ...; return O`` or ``return xN``."""
    count = draw(st.integers(1, 12))
    lines = ["def solve(S, I, C):"]
    names = ["I", "C", "S"]
    for k in range(1, count + 1):
        arguments = draw(st.lists(st.sampled_from([*names, "ONE", "T", "width_f"]), min_size=1, max_size=3))
        callee = draw(st.sampled_from([*_PRIMITIVES, *[n for n in names if n.startswith("x")]]))
        lines.append(f"    x{k} = {callee}({', '.join(arguments)})")
        names.append(f"x{k}")
    if draw(st.booleans()):
        lines += [f"    O = f(x{count}, x1)", "    return O"]
    else:
        lines.append(f"    return x{count}")
    return "\n".join(lines) + "\n"


@given(st.lists(straight_line_function(), min_size=1, max_size=3))
def test_generated_solvers_match_the_definition(functions):
    source = "\n\n".join(f.replace("def solve", f"def solve_{i}") for i, f in enumerate(functions))
    assert inline_variables(source) == reference_canonical(source)


# No conditional shapes (``and``, ``if``/``else``, chained comparisons): a value is not moved into a position
# where it might not run, which the definition below does not model.
_SHAPES = ["{0} + {1}", "-{0}", "{0} ** {1}", "{0}.real", "({0}, {1})", "{0}[{1}]", "not {0}",
           "f({0}, *{1})", "{0} < {1}", "{0} @ {1}", "~{0}", "{0} | {1}", "({0}, {1})[0]"]


@st.composite
def operator_function(draw: st.DrawFn) -> str:
    """Values of every precedence level, each read by others in every kind of position:
    a copied value must get the parentheses of the place it lands in, every time."""
    count = draw(st.integers(2, 8))
    names = ["a", "b"]
    lines = ["def solve(a, b):"]
    for k in range(1, count + 1):
        shape = draw(st.sampled_from(_SHAPES))
        lines.append(f"    x{k} = " + shape.format(draw(st.sampled_from(names)), draw(st.sampled_from(names))))
        names.append(f"x{k}")
    lines.append(f"    return ({', '.join(names[2:])})")
    return "\n".join(lines) + "\n"


@given(operator_function())
def test_copies_in_operator_positions_match_the_definition(source):
    result = inline_source(source, CANONICAL)
    assert not result.functions[0].kept
    assert result.code == reference_canonical(source)


@pytest.mark.parametrize("value", [r'"\\"', r'"\x00"', r'"\r"'])
@pytest.mark.parametrize("policy", ["strict", "pure"])
def test_a_rewrite_ast_unparse_cannot_write_costs_one_function(value, policy):
    """On Python 3.11 ``ast.unparse`` refuses a backslash inside an f-string's expression,
    which inlining a string into an f-string can make: that function is written as it was,
    with its own reason, and the rest of the module is still inlined."""
    source = (
        "def joined(xs):\n"
        f"    sep = {value}\n"
        "    return f'{sep.join(xs)}!'\n"
        "\n"
        "def solver(a):\n"
        "    x = h(a)\n"
        "    return k(x)\n"
    )
    # h and k are declared pure: under strict, what an unknown call returns stays alive.
    result = inline_source(source, CANONICAL.__class__(policy=policy, preserve_format=False,
                                                       pure_calls=("h", "k")))
    joined, solver = result.functions
    if sys.version_info >= (3, 12):  # a later Python writes it: then it is simply inlined
        assert joined.status == "inlined"
    else:
        assert (joined.status, joined.reason.value) == ("fallback", "cannot-unparse")
        assert "sep = " in result.code
    assert solver.status == "inlined"
    assert "return k(h(a))" in result.code
    compile(result.code, "<out>", "exec")


def test_inline_variables_takes_the_pipelines_timeout_seconds(monkeypatch):
    """``inline_variables(source, timeout_seconds=0.5)``, as the pipeline calls it, is the
    canonical form with that time per function; a bad value is the caller's error."""
    import dataclasses

    import inliner.engine

    seen = []
    real = inliner.engine.inline_source
    monkeypatch.setattr(inliner.engine, "inline_source",
                        lambda source, options: seen.append(options) or real(source, options))
    source = "def f(a):\n    x = g(a)\n    return h(x)\n"
    assert inline_variables(source, timeout_seconds=0.5) == inline_variables(source)
    assert seen[0] == dataclasses.replace(CANONICAL, timeout=0.5)
    assert seen[1] == CANONICAL
    inline_variables(source, timeout_seconds=None)
    assert seen[2].timeout is None
    with pytest.raises(ValueError, match="timeout"):
        inline_variables(source, timeout_seconds=-1)


NESTED = [
    """
def outer(a):
    x = g(a)
    y = h(a)
    @decorate(y)
    def inner(b=x, *, c=y):
        u = k(b)
        v = m(u, c)
        return v
    z = inner(a)
    return n(z, y)
""",
    """
class C:
    def first(self, a):
        x = g(a)
        return h(x)

    def second(self, a):
        y = g(a)
        def helper(b):
            w = k(b, y)
            return w
        return helper(y)
""",
    """
def f(a):
    x = g(a)
    def inner():
        nonlocal x
        t = k(x)
        x = t
        return x
    return inner()
""",
]


@pytest.mark.parametrize("options", [CANONICAL, InlineOptions(preserve_format=False, pure_calls=("*",)),
                                     InlineOptions(policy="pure", expand="all", preserve_format=False)],
                         ids=["canonical", "strict-single-known", "pure-all"])
def test_plans_applied_as_made_write_what_applying_all_at_the_end_writes(monkeypatch, options):
    """The canonical rewriter applies each plan as soon as it is made; holding them all
    and applying them at the end, as it used to, must give the very same text."""
    sources = [path.read_text() for path in fixture_modules()] + NESTED
    as_made = [inline_source(source, options) for source in sources]
    held: list[object] = []

    def take(self, work):
        held.append(work)

    def write(self, works):
        for work in held:
            if work.changes:
                self.undo[id(work)] = apply_plan(work.plan)
        held.clear()
        return write_canonical(self.tree, self.source, self.flags, works, self.undo)

    monkeypatch.setattr(CanonicalRewrite, "take", take)
    monkeypatch.setattr(CanonicalRewrite, "write", write)
    for source, made in zip(sources, as_made):
        at_the_end = inline_source(source, options)
        assert at_the_end.code == made.code
        assert at_the_end.functions == made.functions
    assert sum(made.inlined for made in as_made[-len(NESTED):]) >= 5
