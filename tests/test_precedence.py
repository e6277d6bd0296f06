"""Parentheses in the format-preserving rewrite: always enough, and only where needed.

For a random expression E and a random context C with one hole, ``x = E`` followed by C
reading ``x`` must come out as C with E in the hole, wrapped in parentheses exactly when
the unwrapped text would not mean the same program.
"""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inliner import InlineOptions, inline_source
from inliner.precedence import site_context

CONTEXTS = [
    "return {}", "y = {}", "return {}.attr", "return {}()", "return {}[0]", "return d[{}]",
    "return -{}", "return not {}", "return {} ** 2", "return 2 ** {}", "return {} + 1",
    "return 1 + {}", "return 1 - {}", "return {} * 2", "return 2 @ {}", "return {} < 1",
    "return 1 < {}", "return {} and 1", "return {} or 1", "return f({})", "return f(*{})",
    "return f(k={})", "return f(**{})", "return [{}]", "return ({}, 1)", "return {{{}: 1}}",
    "return {{1: {}}}", "return {{**{}}}", "return [i for i in {}]", "return 1 if {} else 2",
    "return {} | 1", "return 1 & {}", "return {} << 1", "return ~{}", "return d[{}:1]",
    "for i in {}:\n        pass", "if {}:\n        pass", "with {}:\n        pass",
    "raise {}", "return [*{}]", "return f(a, {})", "y = {}.b.c", "return await {}",
]

_NAMES = st.sampled_from(["a", "b", "c"])
_LEAVES = st.one_of(
    _NAMES.map(lambda n: ast.Name(n, ast.Load())),
    st.integers(0, 9).map(ast.Constant),
)
_BINARY = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.BitOr, ast.BitAnd, ast.LShift, ast.MatMult]
_UNARY = [ast.USub, ast.Not, ast.Invert]
_COMPARE = [ast.Lt, ast.Eq, ast.In, ast.IsNot]


def _extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    return st.one_of(
        st.builds(lambda l, op, r: ast.BinOp(l, op(), r), children, st.sampled_from(_BINARY), children),
        st.builds(lambda op, v: ast.UnaryOp(op(), v), st.sampled_from(_UNARY), children),
        st.builds(lambda op, vs: ast.BoolOp(op(), vs), st.sampled_from([ast.And, ast.Or]),
                  st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda l, ops, rs: ast.Compare(l, [o() for o in ops], rs[: len(ops)]), children,
                  st.lists(st.sampled_from(_COMPARE), min_size=1, max_size=2),
                  st.lists(children, min_size=2, max_size=2)),
        st.builds(lambda t, b, o: ast.IfExp(t, b, o), children, children, children),
        st.builds(lambda b: ast.Lambda(ast.arguments([], [], None, [], [], None, []), b), children),
        st.builds(lambda es: ast.Tuple(es, ast.Load()), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda f, x: ast.Call(f, [x], []), children, children),
        st.builds(lambda v: ast.Attribute(v, "real", ast.Load()), children),
        st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), children, children),
        st.builds(lambda v: ast.Await(v), children),
    )


EXPRESSIONS = st.recursive(_LEAVES, _extend, max_leaves=6)


def _warns(program: str) -> bool:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        try:
            compile(program, "<program>", "exec")
        except SyntaxError:
            return True
    return False


def _program(context: str, body: str) -> str:
    return f"async def f(a, b, c, d):\n    {context.format(body)}\n"


@given(EXPRESSIONS, st.sampled_from(CONTEXTS))
def test_parentheses_exactly_where_needed(expression, context):
    value = ast.unparse(expression)
    source = f"async def f(a, b, c, d):\n    x = {value}\n    {context.format('x')}\n"
    result = inline_source(source, InlineOptions(policy="pure"))
    wrapped, bare = _program(context, f"({value})"), _program(context, value)
    if _warns(source):  # the value itself warns: where it goes is not this test's subject
        return
    if _warns(wrapped):  # the compiler would warn about the value there: it stays
        assert [k.reason.value for k in result.kept] == ["would-warn"], result
        return
    assert result.inlined == 1, result
    try:
        bare_means_the_same = ast.dump(ast.parse(bare)) == ast.dump(ast.parse(wrapped))
    except SyntaxError:
        bare_means_the_same = False
    assert result.code == (bare if bare_means_the_same else wrapped)


@pytest.mark.parametrize(("parent", "field"), [
    (ast.Call, "func"), (ast.Call, "args"), (ast.keyword, "value"), (ast.Assign, "value"),
    (ast.Expr, "value"), (ast.Return, "value"), (ast.Attribute, "value"),
])
def test_contexts_looked_up_for_common_parents_follow_the_general_rules(parent, field):
    """The lookup by exact type answers first; a subclass of the same node type goes
    through the general rules, which must say the same."""
    subclass = type("Sub" + parent.__name__, (parent,), {})
    assert site_context(parent(), field, 0) == site_context(subclass(), field, 0)
