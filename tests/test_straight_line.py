"""The one-pass analysis of straight-line functions records exactly what the general
walker records: the same sites, effects, candidates and sizes, in the same order, for
every fixture, every table row and generated straight-line functions, in every module
context. Anything outside its shape goes to the general walker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import test_keep_reasons
import test_rewrite_table
import test_shared_names
from helpers import code
from inliner.analysis.model import FunctionAnalysis
from inliner.analysis.scan import analyse_any_function
from inliner.analysis.visibility import UNKNOWN_MODULE, enclosing_names, nonlocal_names, scan_module
from inliner import FallbackReason, inline_source
from inliner.analysis.straight import _DYNAMIC, analyse_straight_line, count_reads
from inliner.deadline import NO_DEADLINE, Deadline, DeadlineExceeded
from inliner.discover import find_functions
from inliner.options import InlineOptions
from inliner.plan import kept_without_sites, plan_function

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def describe(analysis: FunctionAnalysis) -> object:
    """Everything an analysis says, as plain values (nodes by identity)."""
    def site(s):
        return (s.uid, s.name, id(s.node), id(s.parent), s.field, s.index, s.statement.uid, s.order,
                s.prefix, s.depth, s.context, s.safe_position, s.in_fstring, s.captured)

    def candidate(c):
        return (c.name, c.statement.uid, id(c.value), c.effects, c.trivial, c.names_read, c.height,
                c.size, [s.uid for s in c.sites], c.excluded)

    return (
        id(analysis.node), analysis.qualname, analysis.size, analysis.skipped, analysis.skip_detail,
        analysis.kept_without_candidate,
        [(id(u.owner), u.field, [s.uid for s in u.statements], [c.name for c in u.candidates],
          u.binding_indices, u.has_effects) for u in analysis.suites],
        [(s.uid, s.index, id(s.node), s.effects, s.binds, [x.uid for x in s.sites], s.size,
          s.candidate.name if s.candidate else None, s.reachable) for s in analysis.statements],
        [site(s) for s in analysis.sites],
        [candidate(c) for c in analysis.candidates],
    )


def contexts(source: str, tree: ast.Module, found) -> list[tuple]:
    """The module facts a function may be analysed under: none known, and the module's own."""
    module = scan_module(tree, source)
    return [(UNKNOWN_MODULE, frozenset(), frozenset()),
            (module, nonlocal_names(tree.body[found.unit]), enclosing_names(found.enclosing))]


SINGLE = [InlineOptions(), InlineOptions(policy="pure"), InlineOptions(preserve_format=False)]


def compare_verdicts(found) -> int:
    """Where counting reads decides a function, it decides what the full plan decides;
    returns how many options it decided."""
    reads = count_reads(found.node)
    assert (reads is None) == (analyse_straight_line(
        found.node, found.qualname, NO_DEADLINE, UNKNOWN_MODULE, frozenset(), frozenset()) is None)
    if reads is None:
        return 0
    decided = 0
    for options in SINGLE:
        kept = kept_without_sites(reads, options)
        if kept is None:
            continue
        decided += 1
        analysis = analyse_any_function(found.node, found.qualname, NO_DEADLINE)
        plan = plan_function(analysis, options, NO_DEADLINE)
        assert (plan.inlined, plan.dropped) == ([], [])
        assert kept == [(c.name, c.statement.node.lineno, r) for c, r in plan.kept]
        assert reads.kept_without_candidate == analysis.kept_without_candidate
    assert kept_without_sites(reads, InlineOptions(expand="all")) is None
    assert kept_without_sites(reads, InlineOptions(drop_dead=True)) is None
    return decided


def compare(source: str) -> int:
    """Check every function of ``source`` both ways; returns how many took the one pass."""
    tree = ast.parse(source)
    straight = 0
    for found in find_functions(tree):
        compare_verdicts(found)
        for context in contexts(source, tree, found):
            fast = analyse_straight_line(found.node, found.qualname, NO_DEADLINE, *context)
            if fast is None:
                continue
            straight += 1
            general = analyse_any_function(found.node, found.qualname, NO_DEADLINE, *context)
            assert describe(fast) == describe(general), (found.qualname, source)
    return straight


def table_sources() -> list[str]:
    sources = [code(row[2]) for row in test_rewrite_table.ROWS]
    sources += [code(row[2]) for row in test_keep_reasons.ROWS]
    sources += [test_shared_names.COMMON + code(row[4]) for row in test_shared_names.ROWS]
    return sources


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.py")), ids=lambda p: p.name)
def test_fixtures_take_the_one_pass_and_agree(path):
    source = path.read_text()
    functions = len(find_functions(ast.parse(source)))
    taken = compare(source)
    if path.name != "dsl.py":  # the generated modules: every function is straight-line
        assert taken == 2 * functions


def test_table_rows_agree():
    assert sum(compare(source) for source in table_sources()) > 50


SHAPES = [
    "def f(a):\n    x = g(a, k=h(a), **a)\n    y = g(k=x)\n    return y\n",
    "def f(a):\n    x = g(a)\n    y = g(k=a)(x)\n    z = g(**a)(y)\n    return z\n",
    "def f(a):\n    x = a.b.c\n    y = g(x).d(-x, ~a)\n    return y\n",
    '"""Module."""\nimport os\ndef f(a):\n    """Doc."""\n    x = os.sep\n    x = g(x)\n    return undefined(x)\n',
    "def f(a):\n    y = g(x)\n    x = h(a)\n    a = x\n    g(a)\n    return\n",
    "def outer():\n    nonlocal_name = 1\n    def f(a):\n        x = g(nonlocal_name, a)\n        return x\n    return f\n",
]


@pytest.mark.parametrize("source", SHAPES)
def test_shapes_agree(source):
    assert compare(source) == 2 * (len(find_functions(ast.parse(source))) - source.count("def outer"))


# -- generated straight-line functions -----------------------------------------------------

PARAMETERS = ["S", "I", "C"]
VARIABLES = ["x1", "x2", "x3", "O", "y"]
GLOBALS = ["f", "g", "R7", "F0", "len", "missing"]


def expressions(names: list[str]) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(names), st.sampled_from(["1", "'s'", "None", "-1"]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        arguments = st.lists(inner, max_size=3)
        keywords = st.lists(st.tuples(st.sampled_from(["k", "key"]), inner), max_size=2, unique_by=lambda kv: kv[0])
        return st.one_of(
            st.builds(lambda fn, args, kws, star: f"{fn}({', '.join(args + [f'{k}={v}' for k, v in kws] + star)})",
                      st.one_of(st.sampled_from(names), inner), arguments, keywords,
                      st.sampled_from([[], ["**kw"]])),
            st.builds(lambda value, attr: f"{value}.{attr}", inner, st.sampled_from(["a", "real"])),
        )

    return st.recursive(leaf, extend, max_leaves=6)


@st.composite
def straight_functions(draw) -> str:
    names = PARAMETERS + VARIABLES + GLOBALS
    lines = ["def solve(S, I, C, kw=None):"]
    if draw(st.booleans()):
        lines.append('    """A docstring."""')
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["assign", "assign", "assign", "expr", "return"]))
        value = draw(expressions(names))
        if kind == "assign":
            lines.append(f"    {draw(st.sampled_from(VARIABLES + ['I']))} = {value}")
        elif kind == "expr":
            lines.append(f"    {value}")
        else:
            lines.append(f"    return {value}")
    lines.append(f"    return {draw(st.sampled_from(names))}")
    return "\n".join(lines) + "\n"


PRELUDES = ["", "import os\n", "import os\nmissing = 1\n", "def other():\n    global R7\n    R7 = 1\n",
            "def other():\n    return globals()\n"]


@given(straight_functions(), st.sampled_from(PRELUDES))
def test_generated_straight_line_functions_agree(function, prelude):
    try:
        source = prelude + function
        ast.parse(source)
    except SyntaxError:  # e.g. "1.real": not the shape under test
        return
    tree = ast.parse(source)
    solve = next(f for f in find_functions(tree) if f.qualname == "solve")
    ends_early = any(isinstance(s, ast.Return) for s in solve.node.body[:-1])
    straight = analyse_straight_line(solve.node, "solve", NO_DEADLINE, UNKNOWN_MODULE, frozenset(), frozenset())
    assert (straight is None) == ends_early  # code after a return goes to the general walker
    compare(source)


# -- the shape's edges -------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "if a:\n        x = g(a)",
    "x, y = g(a)",
    "x = y = g(a)",
    "x += 1",
    "x: int = g(a)",
    "x = g(*a)",
    "x = a[0]",
    "x = a + 1",
    "x = [a]",
    "x = lambda: a",
    "x = locals()",
    "x = vars()",
    "x = (y := g(a))",
    "pass",
    "del a",
    "global q",
    "return a\n    x = g(a)",
    "x = sys._getframe().f_locals",
    "x = inspect.stack()",
    "x = builtins.eval(a)",
    "x = _getframe()",
])
def test_other_shapes_go_to_the_general_walker(body):
    tree = ast.parse(f"def f(a):\n    {body}\n    return a\n")
    assert analyse_straight_line(tree.body[0], "f", NO_DEADLINE, UNKNOWN_MODULE, frozenset(), frozenset()) is None


class _PassesAt(Deadline):
    """A deadline that passes at its n-th check (no clock involved)."""

    def __init__(self, checks: int) -> None:
        super().__init__(None)
        self.left = checks

    def check(self) -> None:
        self.left -= 1
        if self.left <= 0:
            raise DeadlineExceeded


def test_the_one_pass_checks_its_deadline():
    """A passed deadline stops the one pass too (it checks once it has walked the function),
    and one that does not pass changes nothing."""
    tree = ast.parse("def f(a):\n    x = g(a)\n    y = h(x)\n    return y\n")
    with pytest.raises(DeadlineExceeded):
        analyse_straight_line(tree.body[0], "f", _PassesAt(1), UNKNOWN_MODULE, frozenset(), frozenset())
    assert analyse_straight_line(tree.body[0], "f", _PassesAt(2), UNKNOWN_MODULE, frozenset(), frozenset())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("solvers_*.py")), ids=lambda p: p.name)
def test_an_inlined_module_is_decided_by_counting_reads(path):
    """A module inlined once (what a hook meets every time after) has nothing left to
    inline: every function is told so by counting its reads, as the full plan tells it."""
    kept_twice = inline_source(path.read_text(), InlineOptions(policy="pure")).code
    functions = find_functions(ast.parse(kept_twice))
    assert sum(compare_verdicts(found) for found in functions) == len(SINGLE) * len(functions)


def test_counting_reads_keeps_what_comes_before_any_placed_read():
    rows = [
        ("def f(a):\n    y = g(x)\n    x = h(a)\n    return k(y, y)\n", "read-outside-block"),
        ("def f(a):\n    x = g(x)\n    return x\n", "read-outside-block"),
        ("def f(a):\n    x = g(a)\n    return a\n", "unused"),
        ("def f(a):\n    x = g(a)\n    return h(x, x)\n", "multiple-reads"),
    ]
    for source, reason in rows:
        found = find_functions(ast.parse(source))[0]
        kept = kept_without_sites(count_reads(found.node), InlineOptions())
        assert kept is not None and reason in {str(k[2]) for k in kept}, source
        assert compare_verdicts(found) == len(SINGLE)
    found = find_functions(ast.parse("def f(a):\n    x = g(a)\n    return x\n"))[0]
    assert kept_without_sites(count_reads(found.node), InlineOptions()) is None


# -- where the fast paths hand over, and what they check ---------------------------------------

@pytest.mark.parametrize("name", sorted(_DYNAMIC))
def test_a_variable_named_like_a_dynamic_scope_call_goes_to_the_general_walker(name):
    """``locals = g(a)`` read twice: the general walker skips the function (its locals may
    be seen dynamically); counting reads must not decide it first."""
    source = f"def f(a):\n    {name} = g(a)\n    return h({name}, {name})\n"
    found = find_functions(ast.parse(source))[0]
    assert count_reads(found.node) is None
    assert analyse_straight_line(found.node, "f", NO_DEADLINE, UNKNOWN_MODULE, frozenset(), frozenset()) is None
    report = inline_source(source).functions[0]
    assert (report.status, str(report.reason), report.kept) == ("skipped", "dynamic-scope", ())


def test_deep_expressions_go_to_the_general_walker():
    """Its recursion limit, reached with more frames per level, decides them as before."""
    for depth in (49, 60):
        source = "def f(a):\n    x = " + "g(" * depth + "a" + ")" * depth + "\n    return h(x, x)\n"
        found = find_functions(ast.parse(source))[0]
        straight = analyse_straight_line(found.node, "f", NO_DEADLINE, UNKNOWN_MODULE, frozenset(), frozenset())
        assert (straight is None, count_reads(found.node) is None) == (depth > 50, depth > 50)
        assert analyse_any_function(found.node, "f", NO_DEADLINE).skipped is None


DEADLINE_SOURCES = [
    "def f(a):\n    x = g(a)\n    y = h(x)\n    return y\n",               # inlined
    "def f(a):\n    x = g(a)\n    return h(x, x)\n",                         # decided by counting
    "def f(a):\n    x = g(a)\n    return vars()\n",                          # dynamic: skipped
    "def f(a):\n    x = g(a)\n    if a:\n        return x\n    return a\n",  # not straight-line
    "def f(a):\n    x = g(a)\n    y = x[0]\n    return y\n",                 # hands over mid-walk
]


@pytest.mark.parametrize("source", DEADLINE_SOURCES)
def test_a_passed_deadline_costs_the_function_and_nothing_else(monkeypatch, source):
    """The promise is the same result whenever no deadline passes: with a deadline that
    passes at its n-th check, with or without the fast paths, a function either comes out
    as it does with no deadline, or falls back with ``timeout`` and keeps its text."""
    from inliner import engine
    from inliner.analysis import scan

    free = inline_source(source)

    def check_every_n() -> None:
        for checks in range(8):
            monkeypatch.setattr(engine, "Deadline", lambda timeout, checks=checks: _PassesAt(checks))
            result = inline_source(source)
            for got, expected in zip(result.functions, free.functions, strict=True):
                assert got == expected or (got.status, got.reason) == ("fallback", FallbackReason.TIMEOUT), got
            if any(f.status == "fallback" for f in result.functions):
                assert result.code == source

    check_every_n()
    monkeypatch.setattr(engine, "count_reads", lambda node: None)
    monkeypatch.setattr(scan, "analyse_straight_line", lambda *arguments: None)
    check_every_n()
