"""The canonical text is ``ast.unparse``'s, character for character: the pipeline keys its
files by the md5 of that text. The faster writer must agree with ``ast.unparse`` on every
tree, whichever statements it writes itself and whichever it leaves to ``ast.unparse``."""

from __future__ import annotations

import ast

import hypothesmith
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixture_runner import FIXTURES_DIR
from inliner import inline_variables
from inliner.analysis import analyse_function
from inliner.deadline import NO_DEADLINE
from inliner.discover import find_functions
from inliner.options import CANONICAL
from inliner.plan import plan_function
from inliner.rewrite import canonical_text
from inliner.rewrite.canonical import apply_plan
from inliner.rewrite.canonical_text import write_module

FIXTURES = sorted(FIXTURES_DIR.glob("*.py"))


def same_as_unparse(tree: ast.Module) -> None:
    try:
        expected = ast.unparse(tree)
    except (ValueError, RecursionError) as error:
        with pytest.raises(type(error)):
            write_module(tree)
        return
    assert write_module(tree) == expected


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_and_their_canonical_forms(path):
    source = path.read_text()
    same_as_unparse(ast.parse(source))
    same_as_unparse(ast.parse(inline_variables(source)))


def test_generated_functions_never_reach_ast_unparse(monkeypatch):
    """The fast writer really writes the solvers (else the tests above prove little)."""
    unparsed: list[str] = []
    real = ast.unparse

    def spy(node: ast.AST) -> str:
        if isinstance(node, ast.FunctionDef):
            unparsed.append(node.name)
        return real(node)

    monkeypatch.setattr(canonical_text.ast, "unparse", spy)
    for path in FIXTURES:
        if path.name != "dsl.py":
            write_module(ast.parse(inline_variables(path.read_text())))
    assert unparsed == []


ROWS = [
    "def f(a):\n    return g(a, k=1, **a)",
    "def f(a):\n    x = -a\n    y = not a\n    z = -(not a)\n    w = not -a\n    return ~+x",
    "def f(a):\n    return (a,)\n",
    "def f(a):\n    x = (a, b)\n    y = [a, (b,), []]\n    g((), [], (a, b))\n    return a, b",
    "def f(a):\n    return g(a).h(b).c.d(e)",
    "def f(a):\n    return (1).real + 1 .imag",
    "def f(a):\n    return g()(h)(i)()",
    "def f(a):\n    return (-a).b",
    "def f(a):\n    return f(*a, *b)",
    "def f(a):\n    '''Doc.'''\n    return a",
    "def f(a):\n    u'Doc \\'quoted\\' and \"more\".'\n    'not a docstring'\n    return u's'",
    "def f(a):\n    \"\"\"Line one.\n\n    Line three, with a backslash \\\\ and '''.\n    \"\"\"\n    return b'x'",
    "def f(a):\n    return None, True, False, 0, -1, 10 ** 100, 'é', '\\n'",
    "def f(a):\n    return 1.5, -0.0, 1e400, 1j",
    "def f(a):\n    x = y = a\n    return x",
    "def f(a):\n    pass",
    "def f(a):\n    return",
    "def f(a: int, b=1, *c, d, **e) -> int:\n    return a",
    "def f(a, /, b):\n    return a",
    "@dec\ndef f(a):\n    return a",
    "async def f(a):\n    return await a",
    "def f(a):  # type: (int) -> int\n    return a",
    '"""Module docstring."""\nimport os\n\ndef f(a):\n    return a\nx = 1\n\nclass C:\n    def m(self):\n        return self\ny = 2',
    "x = 1\ndef f(a):\n    return a\ndef g(b):\n    return b",
    "def f(a):\n    return f'{a}'",
    "def f(a):\n    return lambda: a",
    "def f(a):\n    return a[0]",
    "def f():\n    return " + "g(" * 30 + "x" + ")" * 30,
    "def f():\n    return " + "-" * 80 + "x",
    "def f():\n    return " + "(" * 60 + "x" + ",)" * 60,
    "def f():\n    return " + "g(" * 120 + "x" + ")" * 120,
]


@pytest.mark.parametrize("source", ROWS)
def test_rows(source):
    same_as_unparse(ast.parse(source, type_comments="type:" in source))


# -- generated source --------------------------------------------------------------------

LEAVES = st.sampled_from(["a", "b", "1", "-1", "0.5", "'s'", "u's'", "b's'", "None", "True", "'\\''", '"\\""',
                          "(1)", "()", "[]", "...", "'\\n'", "f'{a}'", "x.y"])


def expressions() -> st.SearchStrategy[str]:
    def extend(inner):
        return st.one_of(
            st.builds(lambda f, args: f"{f}({', '.join(args)})", st.one_of(st.sampled_from(["g", "h.i"]), inner),
                      st.lists(st.one_of(inner, inner.map(lambda e: f"k={e}"), inner.map(lambda e: f"*{e}"),
                                         inner.map(lambda e: f"**{e}")), max_size=3)),
            st.builds(lambda e: f"{e}.attr", inner),
            st.builds(lambda op, e: f"{op}{e}", st.sampled_from(["-", "+", "~", "not "]), inner),
            st.builds(lambda e: f"({e})", inner),
            st.builds(lambda items, comma: f"({', '.join(items)}{',' if comma else ''})",
                      st.lists(inner, min_size=1, max_size=3), st.booleans()),
            st.builds(lambda items: f"[{', '.join(items)}]", st.lists(inner, max_size=3)),
            st.builds(lambda a, b: f"{a} + {b}", inner, inner),
            st.builds(lambda a: f"{a}[0]", inner),
        )

    return st.recursive(LEAVES, extend, max_leaves=8)


@st.composite
def modules(draw) -> str:
    statements = []
    for _ in range(draw(st.integers(1, 4))):
        lines = ["def f(a, b):"]
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(['    """Doc."""', "    'doc'", "    u'doc'", '    """a\\nb"""'])))
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["    x = {}", "    {}", "    return {}", "    return"]))
            lines.append(kind.format(draw(expressions())))
        if len(lines) == 1:
            lines.append("    pass")
        statements.append("\n".join(lines))
        if draw(st.booleans()):
            statements.append(draw(st.sampled_from(["x = 1", "import os", "class C:\n    pass", "'text'"])))
    return "\n".join(statements) + "\n"


@given(modules())
def test_generated_modules(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    same_as_unparse(tree)


# hypothesmith compiles the programs it draws, and the compiler warns about some (a string
# called, a literal compared by identity): warnings expected, of code no test wrote.
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@given(hypothesmith.from_grammar())
def test_any_python(source):
    same_as_unparse(ast.parse(source))


@given(modules())
def test_planned_trees_with_shared_subtrees(source):
    """What the writer really meets: trees with every plan applied, where a value read
    several times sits in each place (copies sharing their children)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for found in find_functions(tree):
        analysis = analyse_function(found.node, found.qualname, NO_DEADLINE)
        if analysis.skipped is None:
            apply_plan(plan_function(analysis, CANONICAL, NO_DEADLINE))
    same_as_unparse(tree)
