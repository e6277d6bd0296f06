"""What calling a function's result does: ``x5 = rbind(f, x4); x6 = x5(x4)``.

The DSL functions come from the real fixtures/dsl.py, read through ``roots``; nothing is
imported by the code under test."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from inliner.knowledge import ANYTHING, Does, Knowledge, KnowledgeSettings, knowledge_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EFFECTS = Does.READS_STATE | Does.WRITES_STATE | Does.LIVING_RESULT | Does.READS_FRAMES | Does.UNKNOWN

HELPERS = """
    from dsl import *
    STATE = 0
    def loud(a, b=None):
        global STATE
        STATE = a
        return a
    def calm(a, b=None):
        return a
"""


def building_calls(body: str, helpers: str = HELPERS, **options: object) -> tuple[Knowledge, list[ast.Call]]:
    """Knowledge of a module whose function ``solve`` makes the calls in ``body`` (one
    per line, each ``x = <call>``), and those calls."""
    text = textwrap.dedent(helpers) + "def solve(I):\n" + textwrap.indent(textwrap.dedent(body), "    ") + "    return I\n"
    tree = ast.parse(text)
    chosen = KnowledgeSettings(**{"roots": (FIXTURES,), "search_installed": False, **options})  # type: ignore[arg-type]
    knowledge = knowledge_for(tree, None, chosen)
    solve = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "solve")
    calls = [s.value for s in solve.body if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call)]
    return knowledge, calls


def result_of(text: str, helpers: str = HELPERS, **options: object) -> Does:
    knowledge, calls = building_calls(f"x = {text}\n", helpers, **options)
    return knowledge.of_result_call(calls[0], {"I", "x"}).does


DSL_BUILDERS = [
    ("rbind({f}, 1)", "rbind"),
    ("lbind({f}, 1)", "lbind"),
    ("compose({f}, increment)", "compose"),
    ("compose(increment, {f})", "compose-inner"),
    ("fork(add, {f}, decrement)", "fork"),
    ("fork({f}, increment, decrement)", "fork-outer"),
    ("chain(increment, {f}, double)", "chain"),
    ("matcher({f}, 1)", "matcher"),
    ("branch(True, {f}, calm)", "branch"),
]


@pytest.mark.parametrize(("shape", "name"), DSL_BUILDERS, ids=[n for _, n in DSL_BUILDERS])
def test_dsl_builders_do_what_the_functions_given_to_them_do(shape: str, name: str) -> None:
    pure = result_of(shape.format(f="calm"))
    assert not pure & EFFECTS, (name, pure)
    loud = result_of(shape.format(f="loud"))
    assert loud & Does.WRITES_STATE and not loud & Does.UNKNOWN, (name, loud)


def test_building_a_function_does_nothing_but_calling_it_does() -> None:
    knowledge, calls = building_calls("x = rbind(loud, 1)\n")
    assert not knowledge.of_call_node(calls[0], {"I", "x"}).does & EFFECTS
    facts = knowledge.of_result_call(calls[0], {"I", "x"})
    assert facts.does & Does.WRITES_STATE
    assert "stores global STATE" in facts.origin


def test_a_declared_builder_still_does_what_it_is_given() -> None:
    assert result_of("rbind(loud, 1)", pure_calls=("dsl.*",)) & Does.WRITES_STATE
    assert result_of("rbind(equality, 1)", pure_calls=("dsl.*",)) == Does.FAILS


LOCAL_BUILDERS = """
    from dsl import *
    STATE = 0
    def loud(a, b=None):
        global STATE
        STATE = a
        return a
    def calm(a, b=None):
        return a
    def same(f):
        return f
    def my_rbind(f, x):
        return rbind(f, x)
    def counter():
        n = 0
        def bump():
            nonlocal n
            n += 1
            return n
        return bump
    def peek():
        n = 0
        def look():
            return n
        def bump():
            nonlocal n
            n = n + 1
        return look
    def writer():
        def put(x):
            global STATE
            STATE = x
        return put
    def pure_closure(k):
        def add_k(x):
            return x + k
        return add_k
    def named_lambda(f):
        g = lambda x: f(x, 1)
        return g
    def nothing(f):
        f(1)
    def method(x):
        return x.method
    def call_of_parameter(f):
        return f(1)
    def generator(f):
        yield f
"""


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        pytest.param("same(calm)", Does.NOTHING, EFFECTS, id="a-parameter-returned-pure"),
        pytest.param("same(loud)", Does.WRITES_STATE, Does.UNKNOWN, id="a-parameter-returned-writes"),
        pytest.param("my_rbind(calm, 1)", Does.NOTHING, EFFECTS, id="returns-rbind-pure"),
        pytest.param("my_rbind(loud, 1)", Does.WRITES_STATE, Does.UNKNOWN, id="returns-rbind-writes"),
        pytest.param("counter()", Does.WRITES_STATE, Does.UNKNOWN, id="closure-rebinds-a-nonlocal"),
        pytest.param("peek()", Does.READS_STATE, Does.UNKNOWN | Does.WRITES_STATE, id="closure-reads-a-rebound-cell"),
        pytest.param("writer()", Does.WRITES_STATE, Does.UNKNOWN, id="closure-writes-a-global"),
        pytest.param("pure_closure(1)", Does.FAILS, EFFECTS, id="pure-closure"),
        pytest.param("named_lambda(loud)", Does.WRITES_STATE, Does.UNKNOWN, id="lambda-bound-to-a-local"),
        pytest.param("nothing(calm)", Does.FAILS, EFFECTS, id="returns-none"),
        pytest.param("method(1)", Does.UNKNOWN, Does.NOTHING, id="returns-an-attribute"),
        pytest.param("call_of_parameter(calm)", Does.UNKNOWN, Does.NOTHING, id="returns-what-a-parameter-returns"),
        pytest.param("generator(calm)", Does.FAILS, EFFECTS, id="a-generator-is-not-callable"),
        pytest.param("calm(1)", Does.FAILS, EFFECTS, id="returns-a-parameter-given-a-constant"),
        pytest.param("len(I)", Does.UNKNOWN, Does.NOTHING, id="a-builtin-result"),
    ],
)
def test_shapes_of_returned_callables(text: str, present: Does, absent: Does) -> None:
    does = result_of(text, LOCAL_BUILDERS)
    assert does & present == present, does
    assert not does & absent, does


def test_calling_what_a_local_returns_is_unknown() -> None:
    knowledge, calls = building_calls("f = rbind(calm, 1)\nx = f(1)\n")
    assert knowledge.of_result_call(calls[1], {"I", "f", "x"}).does == ANYTHING


def test_a_builder_given_a_local_function_is_unknown() -> None:
    knowledge, calls = building_calls("f = rbind(calm, 1)\nx = compose(f, increment)\n")
    assert knowledge.of_result_call(calls[1], {"I", "f", "x"}).does == ANYTHING
