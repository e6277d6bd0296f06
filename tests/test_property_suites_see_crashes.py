"""The property suites can fail: a crash in the planner, or the old rule for shared names,
is seen by the checks behind the fuzz, oracle and never-raises tests.

``inline_source`` turns any exception into a fallback that returns the original text, which
every other property accepts; so each suite's check must also reject a result carrying
``internal-error`` (module or function).  Here a crash is planted in the planner and each
check, given inputs it passes without the plant, must fail with it.

The oracle's generator makes programs where a moved call or operation can be observed by
other code (a store in a ``try`` body that a handler reads, a closure or a global read
after a rebinding, ``global``/``nonlocal`` stores).  Planting the old rule, under which a
value moves across such a store, must make the oracle's check fail on them.
"""

from __future__ import annotations

import ast
import random

import pytest

import inliner.analysis.scope
import inliner.analysis.visibility
import inliner.analysis.straight
import inliner.effects
import inliner.plan
import oracle_programs as op
import test_fuzz
import test_oracle
import test_robustness
from helpers import code
from inliner import CANONICAL, InlineOptions
from inliner.reasons import KeepReason

STRICT = InlineOptions()
PURE_ALL = InlineOptions(policy="pure", expand="all", preserve_format=False, drop_dead=True)
FAILED = (AssertionError, pytest.fail.Exception)

SMALL = code("""
    def f(a, b):
        x = g(a)
        y = h(x, b)
        return y
    """)
METHOD = code("""
    class C:
        def m(self, a):
            x = a.b
            return g(x)
    """)


def _program(seed: int, mode: str = "strict") -> str:
    return op.generate_program(random.Random(seed).randint, mode)


@pytest.fixture
def oracle_cache(monkeypatch):
    """The oracle keeps results by source and options: start each phase without them, or
    a result computed before the plant would hide it."""
    def clear() -> None:
        monkeypatch.setattr(test_oracle, "_CACHE", {})
    clear()
    return clear


# Each suite's check, with inputs that give the planner something to decide.
CHECKS = {
    "oracle, strict program": lambda: test_oracle.check_program(_program(7), STRICT, (1, 2, 3)),
    "oracle, pure program": lambda: test_oracle.check_program(_program(3, "pure"), PURE_ALL, (0, 5, -2)),
    "oracle, damaged input": lambda: test_oracle.check_damaged_input(SMALL, PURE_ALL),
    "oracle, damaged generated program": lambda: test_oracle.check_damaged_input(_program(11), STRICT),
    "fuzz, generated module": lambda: test_fuzz.check_generated_module(SMALL),
    "fuzz, generated module with a class": lambda: test_fuzz.check_generated_module(METHOD),
    "fuzz, built function, strict": lambda: test_fuzz.check_built_function(SMALL, test_fuzz.STRICT),
    "fuzz, built function, pure": lambda: test_fuzz.check_built_function(SMALL, test_fuzz.CANONICAL_PURE),
    "robustness, never raises": lambda: test_robustness.check_never_raises("def f(a):\n x = a + 1\n return x\n"),
    "robustness, never raises, two functions": lambda: test_robustness.check_never_raises(SMALL + "\n" + SMALL),
}


def _crash(self, candidate, suite):  # type: ignore[no-untyped-def]
    raise AttributeError("planted: the planner crashed")


def _crash_on_comparisons(self, candidate, suite):  # type: ignore[no-untyped-def]
    if any(isinstance(node, ast.Compare) for node in ast.walk(candidate.value)):
        raise AttributeError("planted: the planner crashed on a comparison")
    return _real_decide(self, candidate, suite)


_real_decide = inliner.plan._Planner.decide

# Inputs whose values hold a comparison, for each suite (seed 0 of the oracle's generator
# assigns one, under either policy).
COMPARING_CHECKS = {
    "oracle, strict program": lambda: test_oracle.check_program(_program(0), STRICT, (1, 2, 3)),
    "oracle, pure program": lambda: test_oracle.check_program(_program(0, "pure"), PURE_ALL, (0, 5, -2)),
    "fuzz, generated module": lambda: test_fuzz.check_generated_module(test_robustness.COMPARING),
    "fuzz, built function, strict": lambda: test_fuzz.check_built_function(test_robustness.COMPARING, test_fuzz.STRICT),
    "robustness, never raises": lambda: test_robustness.check_never_raises(test_robustness.COMPARING),
}


@pytest.mark.parametrize("check", list(COMPARING_CHECKS.values()), ids=list(COMPARING_CHECKS))
def test_a_crash_on_comparisons_fails_each_suites_check(monkeypatch, oracle_cache, check):
    """A planted crash that only values holding a comparison reach: the suites' inputs
    reach comparisons (the never-raises property's small alphabet could not)."""
    check()
    oracle_cache()
    monkeypatch.setattr(inliner.plan._Planner, "decide", _crash_on_comparisons)
    with pytest.raises(FAILED, match="internal-error|crashed inside"):
        check()


@pytest.mark.parametrize("check", list(CHECKS.values()), ids=list(CHECKS))
def test_a_crash_in_the_planner_fails_each_suites_check(monkeypatch, oracle_cache, check):
    check()  # the input is fine as it is ...
    oracle_cache()
    monkeypatch.setattr(inliner.plan._Planner, "decide", _crash)
    with pytest.raises(FAILED, match="internal-error|crashed inside"):
        check()  # ... so only the crash, seen through its fallback, can fail it


def test_the_crash_planted_above_is_only_a_fallback_to_the_library(monkeypatch):
    """What the suites must see through: the library itself reports the crash as data."""
    monkeypatch.setattr(inliner.plan._Planner, "decide", _crash)
    for options in (STRICT, CANONICAL):
        result = inliner.inline_source(SMALL, options)
        assert result.status == "fallback"
        assert result.code == SMALL if options.preserve_format else result.code.strip() == SMALL.strip()
        assert result.reason_code.value == op.INTERNAL_ERROR
        assert op.internal_errors(result) == [
            "module: internal-error: f (line 1): AttributeError: planted: the planner crashed",
            "f (line 1): AttributeError: planted: the planner crashed",
        ]


# Seeds of ``generate_program(random.Random(seed).randint, "strict")`` found by a search: under
# the planted old rule (with the lifetime rule planted away too, see below) each program
# changes behaviour in every variant below, under the real rule none does, and the lifetime
# plant alone changes none in the first variant. They cover a store in a try body that a
# handler reads, after a return in the try (85), a ``bump(...)`` result read after ``count``
# (98), a closure read and then rebound, with a handler reading a try store (82), a nested
# try (150) and all of these with a return in the try (72). If the generator changes, these
# programs change too and this test fails: search the seeds again.
OLD_RULE_SEEDS = (72, 82, 85, 98, 150)
VARIANTS = [
    pytest.param(InlineOptions(expand=expand, preserve_format=preserve), id=f"{expand}-{'libcst' if preserve else 'unparse'}")
    for expand in ("single", "all")
    for preserve in (True, False)
]


def _old_rule(policy: str) -> inliner.effects.Effect:
    """The rule before shared names: no store or read of a shared name is a barrier."""
    return inliner.effects.Effect.NONE


@pytest.mark.parametrize("options", VARIANTS)
@pytest.mark.parametrize("seed", OLD_RULE_SEEDS)
def test_the_oracle_fails_on_the_old_rule_for_shared_names(monkeypatch, oracle_cache, seed, options):
    source = _program(seed)
    test_oracle.check_program(source, options, (1, 2, 3))  # the real rule keeps its behaviour
    oracle_cache()
    monkeypatch.setattr(inliner.plan, "shared_barrier_for", _old_rule)
    # The lifetime rule holds back most of these values too (results of calls nothing is
    # known about): the old rule is planted without it.
    monkeypatch.setattr(inliner.plan._Planner, "dies_unseen", lambda self, sites: True)
    monkeypatch.setattr(inliner.plan._Planner, "escapes", lambda self, sites: False)
    with pytest.raises(pytest.fail.Exception, match="behaviour changed"):
        test_oracle.check_program(source, options, (1, 2, 3))


# -- the classes strict learnt in issue 20 ---------------------------------------------------------
#
# Each plant puts back, in the current code, the rule strict followed before one class was
# handled (commit 4d6266e): with it, the oracle must fail on the seeds found for that class,
# and without it pass. The old code had no lifetime rule at all, and the lifetime rule holds
# back most values that the other classes are about (results of calls nothing is known
# about), so every other class is planted together with the lifetime plant, and its seeds
# are ones the lifetime plant alone does not fail.


def _reachable_or_not(candidate, sites):  # type: ignore[no-untyped-def]
    """``misplaced_read`` before unreachable code counted: a read after a jump is a read."""
    definition = candidate.statement
    found = None
    for site in sites:
        if site.captured:
            return KeepReason.CAPTURED
        if found is None:
            if not site.safe_position:
                found = KeepReason.CONDITIONAL_READ
            elif site.statement.suite is not definition.suite or site.statement.index <= definition.index:
                found = KeepReason.READ_OUTSIDE_BLOCK
    return found


def _stable_free_names(self, name):  # type: ignore[no-untyped-def]
    """``NameVisibility._read_effect`` before suspension and free variables counted: a free
    variable, and any name read in a function that suspends, reads as it did before."""
    if name in self._declared or name in self._nonlocal:
        return int(inliner.effects.Effect.VOLATILE_READ)
    if name in self._locals or name in self._enclosing:
        return 0
    return self._module.read_effect(name)


LIFETIME = [(inliner.plan._Planner, "dies_unseen", lambda self, sites: True),
            (inliner.plan._Planner, "escapes", lambda self, sites: False)]
CLASS_PLANTS = {
    "lifetime": LIFETIME,
    "unreachable code": [(inliner.plan, "misplaced_read", _reachable_or_not)],
    "suspension": [(inliner.analysis.visibility.NameVisibility, "_read_effect", _stable_free_names)],
    "frame readers": [(inliner.plan._Planner, "read_through_frames", lambda self, candidate: False),
                      (inliner.analysis.scope, "sees_locals", lambda node: False),
                      (inliner.analysis.straight, "sees_locals", lambda node: False)],
    "maybe-unbound globals": [(inliner.analysis.visibility, "_maybe_unbound", lambda tree: frozenset())],
}
NEW_CLASS_SEEDS = {
    "lifetime": (18, 106),  # Fin objects, weak references, generators with a finally
    "unreachable code": (54, 105),  # x = e1(...); return y; return x
    "suspension": (20, 60),  # a coroutine reads a free variable rebound while it waited
    "frame readers": (63, 352),  # peek("x") reads target's frame; a closure reads its own
    "maybe-unbound globals": (103, 317),  # LEVEL bound in a try; bound after target ran at import
}
"""Seeds of ``generate_program(random.Random(seed).randint, "strict")`` found by a search
(each also changes behaviour under the inliner of commit 4d6266e in every variant below).
If the generator changes, these programs change too and this test fails: search again."""


def _plant(monkeypatch, *classes: str) -> None:
    for name in classes:
        for owner, attribute, value in CLASS_PLANTS[name]:
            monkeypatch.setattr(owner, attribute, value)


@pytest.mark.parametrize("options", VARIANTS)
@pytest.mark.parametrize(("rule", "seed"), [(rule, seed) for rule, seeds in NEW_CLASS_SEEDS.items() for seed in seeds])
def test_the_oracle_fails_on_the_old_rule_for_each_new_class(monkeypatch, oracle_cache, rule, seed, options):
    source = _program(seed)
    test_oracle.check_program(source, options, (1, 2, 3))  # the real rules keep its behaviour
    if rule != "lifetime":
        with monkeypatch.context() as lifetime_only:
            oracle_cache()
            _plant(lifetime_only, "lifetime")
            test_oracle.check_program(source, options, (1, 2, 3))  # ... and so does lifetime alone
    oracle_cache()
    _plant(monkeypatch, rule, "lifetime")
    with pytest.raises(pytest.fail.Exception, match="behaviour changed"):
        test_oracle.check_program(source, options, (1, 2, 3))
