#!/usr/bin/env python3
"""Generate the fixture modules: solver and differ functions over the DSL in fixtures/dsl.py.

Usage: python tools/generate_fixtures.py [--out DIR] [--seed N]

The output depends only on the seed and on fixtures/dsl.py: all randomness comes
from one random.Random(seed), and every choice is made from an explicitly
ordered list (registry names are sorted), so repeated runs are byte-identical.

Every generated statement is a well-typed call. Types come from the registry in
dsl.py (SIGNATURES and CONSTANTS, see its module docstring) and are checked by
unification: type variables (A, B, ...) are renamed apart per use and bound as
arguments are chosen, so a call such as ``branch(x10, width_f, height_f)`` gets
the type ``Callable[Grid -> Int]`` and a later ``x12 = x11(x5)`` is only emitted
when x5 is a Grid. Calls whose result type would stay polymorphic are rejected.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Union

TOOLS_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = TOOLS_DIR.parent / "fixtures"
DSL_PATH = DEFAULT_OUT / "dsl.py"
DEFAULT_SEED = 20240917

# (file name, function prefix, number of functions, length profile, description)
MODULES: tuple[tuple[str, str, int, str, str], ...] = (
    ("solvers_small.py", "solve", 20, "short", "a small module of short solvers"),
    ("solvers_medium.py", "solve", 120, "medium", "a medium module of solvers up to 40 statements"),
    ("solvers_large.py", "solve", 200, "long", "a large module, including a few very long solvers"),
    ("differs.py", "differ", 60, "differ", "differ functions returning a Grid, an Int or a Bool"),
)

# ---------------------------------------------------------------------------
# types: atoms are str; ("var", name); ("Tuple", elem); ("Callable", params, ret)
# ---------------------------------------------------------------------------

Type = Union[str, tuple]
Subst = dict[str, Type]


class _TagParser:
    """Recursive-descent parser for the registry's type tags."""

    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def parse(self) -> Type:
        parsed = self.type_()
        if self.pos != len(self.text):
            raise ValueError(f"trailing text in type tag {self.text!r}")
        return parsed

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def expect(self, token: str) -> None:
        if not self.peek(token):
            raise ValueError(f"expected {token!r} at {self.pos} in {self.text!r}")
        self.pos += len(token)

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        if start == self.pos:
            raise ValueError(f"expected a name at {start} in {self.text!r}")
        return self.text[start : self.pos]

    def type_(self) -> Type:
        name = self.name()
        if name == "Callable":
            self.expect("[")
            params: list[Type] = []
            if not self.peek("->"):
                params.append(self.type_())
                while self.peek(","):
                    self.expect(",")
                    params.append(self.type_())
            self.expect("->")
            ret = self.type_()
            self.expect("]")
            return ("Callable", tuple(params), ret)
        if name == "Tuple":
            self.expect("[")
            elem = self.type_()
            self.expect("]")
            return ("Tuple", elem)
        if name == "Objects":
            return ("Tuple", "Object")
        if len(name) == 1 and name.isupper():
            return ("var", name)
        return name


def parse_tag(tag: str) -> Type:
    """Parse a registry type tag such as 'Callable[Object -> Int]'."""
    return _TagParser(tag).parse()


def is_var(t: Type) -> bool:
    return isinstance(t, tuple) and t[0] == "var"


def is_callable(t: Type) -> bool:
    return isinstance(t, tuple) and t[0] == "Callable"


def walk(t: Type, s: Subst) -> Type:
    while is_var(t) and t[1] in s:
        t = s[t[1]]
    return t


def resolve(t: Type, s: Subst) -> Type:
    """Apply a substitution all the way down."""
    t = walk(t, s)
    if isinstance(t, str) or is_var(t):
        return t
    if t[0] == "Tuple":
        return ("Tuple", resolve(t[1], s))
    return ("Callable", tuple(resolve(p, s) for p in t[1]), resolve(t[2], s))


def has_vars(t: Type) -> bool:
    if isinstance(t, str):
        return False
    if is_var(t):
        return True
    if t[0] == "Tuple":
        return has_vars(t[1])
    return any(has_vars(p) for p in t[1]) or has_vars(t[2])


def type_size(t: Type) -> int:
    if isinstance(t, str) or is_var(t):
        return 1
    if t[0] == "Tuple":
        return 1 + type_size(t[1])
    return 1 + sum(type_size(p) for p in t[1]) + type_size(t[2])


def _occurs(name: str, t: Type, s: Subst) -> bool:
    t = walk(t, s)
    if is_var(t):
        return t[1] == name
    if isinstance(t, str):
        return False
    if t[0] == "Tuple":
        return _occurs(name, t[1], s)
    return any(_occurs(name, p, s) for p in t[1]) or _occurs(name, t[2], s)


DATA_VARIABLE = "E"
"""A type variable that only stands for data: equality of two function values compares
their identity, which inlining a call that builds a function changes."""


def _mentions_callable(t: Type, s: Subst) -> bool:
    t = walk(t, s)
    if isinstance(t, str) or is_var(t):
        return False
    if t[0] == "Tuple":
        return _mentions_callable(t[1], s)
    return True


def _unify(a: Type, b: Type, s: Subst) -> bool:
    a = walk(a, s)
    b = walk(b, s)
    if a == b:
        return True
    if is_var(a):
        if _occurs(a[1], b, s):
            return False
        if a[1].startswith(DATA_VARIABLE) and _mentions_callable(b, s):
            return False
        s[a[1]] = b
        return True
    if is_var(b):
        return _unify(b, a, s)
    if isinstance(a, str) or isinstance(b, str) or a[0] != b[0]:
        return False
    if a[0] == "Tuple":
        return _unify(a[1], b[1], s)
    if len(a[1]) != len(b[1]):
        return False
    return all(_unify(x, y, s) for x, y in zip(a[1], b[1])) and _unify(a[2], b[2], s)


def unify(a: Type, b: Type, s: Subst) -> Subst | None:
    """A substitution extending s that makes a and b equal, or None."""
    if a == b:
        return s
    extended = dict(s)
    return extended if _unify(a, b, extended) else None


def rename(t: Type, suffix: str) -> Type:
    """Rename the type variables of t apart by appending a suffix."""
    if isinstance(t, str):
        return t
    if is_var(t):
        return ("var", t[1] + suffix)
    if t[0] == "Tuple":
        return ("Tuple", rename(t[1], suffix))
    return ("Callable", tuple(rename(p, suffix) for p in t[1]), rename(t[2], suffix))


def canonical(t: Type) -> Type:
    """Rename type variables to _0, _1, ... in order of appearance (a cache key up to renaming)."""
    names: dict[str, str] = {}

    def visit(u: Type) -> Type:
        if isinstance(u, str):
            return u
        if is_var(u):
            return ("var", names.setdefault(u[1], f"_{len(names)}"))
        if u[0] == "Tuple":
            return ("Tuple", visit(u[1]))
        return ("Callable", tuple(visit(p) for p in u[1]), visit(u[2]))

    return visit(t)


# ---------------------------------------------------------------------------
# the registry, as seen by the generator
# ---------------------------------------------------------------------------

# Relative frequency of each DSL function as the callee of a statement.
CALL_WEIGHTS: dict[str, float] = {
    "o_g": 4.0,
    "get_nth_f": 2.5,
    "subgrid": 2.0,
    "paint": 1.5,
    "fill": 1.5,
    "replace": 1.5,
    "rbind": 1.0,
    "lbind": 0.7,
    "branch": 0.7,
    "compose": 1.2,
    "fork": 1.0,
    "chain": 0.5,
    "matcher": 0.6,
    "apply": 1.0,
    "mfilter": 1.0,
    "argmax_f": 1.5,
    "argmin_f": 1.0,
    "get_input": 0.6,
    "get_output": 0.6,
    "identity": 0.2,
    "crop": 0.8,
    "trim": 0.6,
    "downscale": 0.5,
    "tophalf": 0.6,
    "bottomhalf": 0.6,
    "lefthalf": 0.6,
    "righthalf": 0.6,
    "equality": 0.5,
}

# Higher-order combinators are never passed as function values themselves.
NOT_VALUES = frozenset({"compose", "chain", "fork", "rbind", "lbind", "matcher", "branch", "identity"})

# Functions whose Int parameter at this position is an index (F0..F9).
INDEX_PARAMS = frozenset({("get_nth_f", 1), ("get_input", 1), ("get_output", 1)})

NUMBER_CONSTANTS = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "NEG_ONE")
INDEX_CONSTANTS = tuple(f"F{k}" for k in range(10))
MODE_CONSTANTS = tuple(f"R{k}" for k in range(8))
BOOL_CONSTANTS = ("T", "F")
VEC_CONSTANTS = ("ORIGIN", "UP", "DOWN", "LEFT", "RIGHT", "UNITY")

# Relative frequency of constants among those that fit (default 1.0): small
# numbers and the first indices are the common ones, as in hand-written code.
CONSTANT_WEIGHTS: dict[str, float] = {
    "ZERO": 1.5, "ONE": 3.0, "TWO": 3.0, "THREE": 2.0, "FOUR": 1.5,
    "FIVE": 0.7, "SIX": 0.7, "SEVEN": 0.7, "EIGHT": 0.7, "NINE": 0.7, "TEN": 0.5,
    "F0": 6.0, "F1": 3.0, "F2": 1.5, "F3": 0.6, "F4": 0.4,
    "F5": 0.3, "F6": 0.3, "F7": 0.3, "F8": 0.3, "F9": 0.3,
    "R3": 1.5, "R5": 2.0, "R7": 1.5,
    "T": 0.3, "F": 0.3,
}

# Calls where repeating an argument is pointless; such calls are mostly rejected.
SYMMETRIC = frozenset({"equality", "branch", "both", "either", "switch", "replace", "greater", "subtract"})

MAX_TYPE_SIZE = 6
MAX_STATEMENTS = 60


@dataclass(frozen=True)
class Overload:
    name: str
    params: tuple[Type, ...]
    ret: Type

    @property
    def as_callable(self) -> Type:
        return ("Callable", self.params, self.ret)


class Registry:
    """Parsed signatures and constants of the DSL, in sorted order."""

    def __init__(self, dsl: ModuleType) -> None:
        self.overloads: dict[str, tuple[Overload, ...]] = {
            name: tuple(
                Overload(name, tuple(parse_tag(p) for p in params), parse_tag(ret))
                for params, ret in dsl.SIGNATURES[name]
            )
            for name in sorted(dsl.SIGNATURES)
        }
        self.names: tuple[str, ...] = tuple(sorted(dsl.SIGNATURES))
        self.constants: dict[str, Type] = {name: parse_tag(dsl.CONSTANTS[name]) for name in sorted(dsl.CONSTANTS)}
        for group in (NUMBER_CONSTANTS, INDEX_CONSTANTS, MODE_CONSTANTS, BOOL_CONSTANTS, VEC_CONSTANTS):
            for name in group:
                if name not in self.constants:
                    raise ValueError(f"dsl.py lacks the constant {name}")
        for name in CALL_WEIGHTS:
            if name not in self.overloads:
                raise ValueError(f"dsl.py lacks the function {name}")
        self.values: tuple[Overload, ...] = tuple(
            ov for name in self.names if name not in NOT_VALUES for ov in self.overloads[name]
        )
        self._callees: dict[tuple[Type | None, Type | None], tuple[tuple[str, tuple[Overload, ...]], ...]] = {}
        self._values_of: dict[Type, tuple[str, ...]] = {}
        self._values_matching: dict[Type, tuple[Overload, ...]] = {}

    def values_for(self, wanted: Type) -> tuple[Overload, ...]:
        """Overloads that might be passed where wanted is expected (arity pre-filter)."""
        return tuple(
            ov for ov in self.values if not is_callable(wanted) or len(ov.params) == len(wanted[1])
        )

    def values_matching(self, wanted: Type) -> tuple[Overload, ...]:
        """Overloads that unify with a resolved type that may hold type variables."""
        key = canonical(wanted)
        if key not in self._values_matching:
            self._values_matching[key] = tuple(
                ov for ov in self.values_for(key) if unify(key, rename(ov.as_callable, "#m"), {}) is not None
            )
        return self._values_matching[key]

    def values_of(self, wanted: Type) -> tuple[str, ...]:
        """Names of the functions with an overload of exactly the concrete type wanted."""
        if wanted not in self._values_of:
            self._values_of[wanted] = tuple(
                ov.name
                for ov in self.values_for(wanted)
                if unify(wanted, rename(ov.as_callable, "#v"), {}) is not None
            )
        return self._values_of[wanted]

    def callees(
        self, target: Type | None, reading: Type | None
    ) -> tuple[tuple[str, tuple[Overload, ...]], ...]:
        """(name, overloads) of the functions that can return target and take a value of type reading."""
        key = (target, reading)
        if key not in self._callees:
            fitting = (
                (
                    name,
                    tuple(ov for ov in self.overloads[name] if self.fits(ov, target, reading)),
                )
                for name in self.names
            )
            self._callees[key] = tuple((name, ovs) for name, ovs in fitting if ovs)
        return self._callees[key]

    def fits(self, overload: Overload, target: Type | None, reading: Type | None) -> bool:
        """Whether a call of overload can return target while one argument has type reading."""
        s = {} if target is None else unify(rename(overload.ret, "#t"), target, {})
        return s is not None and (
            reading is None or any(unify(rename(p, "#t"), reading, s) is not None for p in overload.params)
        )

    def accepts(self, param: Type, value: Type) -> bool:
        """Whether a parameter could take the value directly (type variables are free)."""
        return unify(rename(param, "#p"), value, {}) is not None

    def accepts_value(self, ftype: Type, value: Type) -> bool:
        """Whether a function type has a parameter that could take the value."""
        return any(self.accepts(p, value) for p in ftype[1])


def load_dsl(path: Path = DSL_PATH) -> ModuleType:
    """Load fixtures/dsl.py as a module without touching sys.path."""
    spec = importlib.util.spec_from_file_location("_fixtures_dsl", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# building one function
# ---------------------------------------------------------------------------


@dataclass
class Value:
    """A name available inside the function being built."""

    name: str
    type: Type
    position: int  # statement number for xN, 0 for parameters


RESULT = "<result>"


@dataclass
class Statement:
    """target = callee(*args); reads lists the parameters and variables it reads."""

    target: str
    callee: str
    args: list[str]
    reads: list[str]


@dataclass
class Choice:
    """A candidate argument; its type is unified with the parameter once it is picked."""

    text: str
    type: Type  # may hold type variables not yet renamed (function values)
    pooled: str | None  # the pool name read, if the argument is a parameter or variable
    is_function: bool = False


def pick(rng: random.Random, weighted: list[tuple[float, object]]) -> object:
    """Pick an item with probability proportional to its weight (list order matters, not hashing)."""
    total = sum(w for w, _ in weighted)
    r = rng.random() * total
    for weight, item in weighted:
        r -= weight
        if r < 0:
            return item
    return weighted[-1][1]


class FunctionBuilder:
    """Builds the statements of one solve_/differ_ function."""

    def __init__(self, registry: Registry, rng: random.Random) -> None:
        self.registry = registry
        self.rng = rng
        self.pool: list[Value] = [Value("I", "Grid", 0), Value("C", "Grid", 0), Value("S", "Samples", 0)]
        self.reads: dict[str, int] = {}
        self.statements: list[Statement] = []
        self.counter = 0
        self.last: Value | None = None

    # -- weights -------------------------------------------------------------

    def pool_weight(self, value: Value) -> float:
        if value.position == 0:
            return {"I": 2.0, "C": 1.0, "S": 1.0}[value.name]
        reads = self.reads.get(value.name, 0)
        if reads >= 4:
            return 0.02
        weight = 1.0
        if self.last is not None and self.last.position - value.position < 2:
            weight += 5.0
        if reads == 0:
            weight += 2.5
        return weight

    # -- argument candidates -------------------------------------------------

    def constant_names(self, fname: str | None, index: int, ptype: Type) -> tuple[str, ...]:
        if ptype == "Mode":
            return MODE_CONSTANTS
        if ptype == "Int":
            return INDEX_CONSTANTS if (fname, index) in INDEX_PARAMS else NUMBER_CONSTANTS
        if ptype == "Bool":
            return BOOL_CONSTANTS
        if ptype == "Vec":
            return VEC_CONSTANTS
        if is_var(ptype):
            return NUMBER_CONSTANTS[:4] + BOOL_CONSTANTS + VEC_CONSTANTS[1:3]
        return ()

    def candidates(self, fname: str | None, index: int, ptype: Type, s: Subst) -> list[tuple[float, Choice]]:
        """Weighted arguments for one parameter: pool values, constants, and function values."""
        wanted = resolve(ptype, s)
        free = is_var(wanted)  # a bare type variable takes anything
        concrete = not has_vars(wanted)

        def fits(t: Type) -> bool:
            return free or (t == wanted if concrete else unify(wanted, t, s) is not None)

        out: list[tuple[float, Choice]] = [
            (self.pool_weight(value), Choice(value.name, value.type, value.name))
            for value in self.pool
            if fits(value.type)
        ]
        constants = [
            Choice(name, self.registry.constants[name], None)
            for name in self.constant_names(fname, index, wanted)
            if fits(self.registry.constants[name])
        ]
        total = sum(CONSTANT_WEIGHTS.get(c.text, 1.0) for c in constants)
        share = 0.6 if free else 2.0
        out.extend((share * CONSTANT_WEIGHTS.get(c.text, 1.0) / total, c) for c in constants)
        if is_callable(wanted) or free:
            if concrete:
                functions = [Choice(name, wanted, None, True) for name in self.registry.values_of(wanted)]
            else:
                functions = [
                    Choice(ov.name, ov.as_callable, None, True) for ov in self.registry.values_matching(wanted)
                ]
            group = 5.0 if is_callable(wanted) else 2.5 if fname == "branch" else 0.5
            out.extend((group / len(functions), c) for c in functions)
        return out

    # -- one call --------------------------------------------------------------

    def fill(
        self, fname: str | None, params: tuple[Type, ...], s: Subst, require: Value | None
    ) -> tuple[list[Choice], Subst] | None:
        """Choose arguments for params: require (if any) first, then the most constrained ones."""
        chosen: list[Choice | None] = [None] * len(params)
        if require is not None:
            slots = [k for k in range(len(params)) if unify(params[k], require.type, s) is not None]
            if not slots:
                return None
            k = self.rng.choice(slots)
            s = unify(params[k], require.type, s)  # type: ignore[assignment]
            chosen[k] = Choice(require.name, require.type, require.name)

        def rank(k: int) -> tuple[int, int]:
            p = resolve(params[k], s)
            return (2 if is_var(p) else 1 if is_callable(p) else 0, k)

        for k in sorted((k for k in range(len(params)) if chosen[k] is None), key=rank):
            options = self.candidates(fname, k, params[k], s)
            if not options:
                return None
            choice = pick(self.rng, options)
            assert isinstance(choice, Choice)
            self.counter += 1
            extended = unify(params[k], rename(choice.type, f"#{self.counter}"), s)
            if extended is None:  # cannot happen: candidates only offers fitting values
                return None
            chosen[k] = choice
            s = extended
        return [c for c in chosen if c is not None], s

    def try_call(self, target: Type | None, require: Value | None) -> tuple[Statement, Type] | None:
        """One attempt at a well-typed call of a DSL function or of a function-valued variable.

        With a target, the call must return that type; with require, it must read that value.
        """
        callables = [
            v
            for v in self.pool
            if is_callable(v.type)
            and (target is None or unify(v.type[2], target, {}) is not None)
            and (require is None or v is require or self.registry.accepts_value(v.type, require.type))
        ]
        unread = [v for v in callables if self.reads.get(v.name, 0) == 0]
        fitting = self.registry.callees(target, None if require is None else require.type)
        if callables and (not fitting or self.rng.random() < (0.4 if unread else 0.1)):
            value = self.rng.choice(unread or callables)
            callee, params, ret, fname = value.name, value.type[1], value.type[2], None
            s: Subst | None = {}
            if value is require:
                require = None  # calling it is reading it
        elif fitting:
            fname = str(pick(self.rng, [(CALL_WEIGHTS.get(n, 1.0), n) for n, _ in fitting]))
            overload = self.rng.choice(dict(fitting)[fname])
            self.counter += 1
            callee = fname
            params = tuple(rename(p, f"#{self.counter}") for p in overload.params)
            ret = rename(overload.ret, f"#{self.counter}")
            s = {}
        else:
            return None
        if target is not None:
            s = unify(ret, target, s)
            if s is None:
                return None
        filled = self.fill(fname, params, s, require)
        if filled is None:
            return None
        args, s = filled
        result = resolve(ret, s)
        if has_vars(result) or type_size(result) > MAX_TYPE_SIZE:
            return None
        reads = [c.pooled for c in args if c.pooled is not None] + ([callee] if fname is None else [])
        if not reads and not any(c.is_function for c in args):
            return None
        if fname == "identity" and self.rng.random() < 0.7:
            return None
        texts = [c.text for c in args]
        if len(set(texts)) < len(texts) and self.rng.random() < (0.9 if fname in SYMMETRIC else 0.5):
            return None  # equality(x3, x3) and branch(x2, I, I) are legal but dull
        return Statement("", callee, [c.text for c in args], reads), result

    def emit(self, target: str, statement: Statement) -> None:
        for name in statement.reads:
            self.reads[name] = self.reads.get(name, 0) + 1
        statement.target = target
        self.statements.append(statement)

    def statement(self, position: int) -> None:
        """Append xN = <call> with a freshly typed call."""
        unread = [v for v in self.pool if v.position and self.reads.get(v.name, 0) == 0]
        require = unread[-1] if unread and self.rng.random() < 0.75 else None
        for attempt in range(200):
            made = self.try_call(None, require if attempt < 50 else None)
            if made is not None:
                break
        else:
            made = Statement("", "identity", ["I"], ["I"]), "Grid"
        self.emit(f"x{position}", made[0])
        self.last = Value(f"x{position}", made[1], position)
        self.pool.append(self.last)

    def final(self, target: Type) -> None:
        """Append the result statement: a call producing target, reading the last variable if possible."""
        readable = [v for v in reversed(self.pool) if v.position and self.can_read(target, v)]
        unread = [v for v in readable if self.reads.get(v.name, 0) == 0]
        require = readable[0] if readable and readable[0] is self.last else (unread or readable or [None])[0]
        for attempt in range(300):
            made = self.try_call(target, require if attempt < 200 else None)
            if made is not None:
                self.emit(RESULT, made[0])
                return
        fallback = next((v.name for v in reversed(self.pool) if v.type == target), None)
        if fallback is not None:
            self.emit(RESULT, Statement("", "identity", [fallback], [fallback]))
        elif target == "Bool":
            self.emit(RESULT, Statement("", "equality", ["I", "C"], ["I", "C"]))
        elif target == "Int":
            self.emit(RESULT, Statement("", "size_f", ["I"], ["I"]))
        else:
            self.emit(RESULT, Statement("", "identity", ["I"], ["I"]))

    def can_read(self, target: Type, value: Value) -> bool:
        """Whether one call can produce target while reading value."""
        return bool(self.registry.callees(target, value.type)) or any(
            is_callable(v.type)
            and unify(v.type[2], target, {}) is not None
            and (v is value or self.registry.accepts_value(v.type, value.type))
            for v in self.pool
        )

    def render(self, keep_dead: bool, result_name: str | None) -> list[str]:
        """Body lines; unless keep_dead, unread statements are dropped and xN renumbered.

        result_name is "O" for `O = ...; return O`, or None for `return xN`.
        """
        statements = self.statements
        while not keep_dead:
            read = [name for st in statements for name in st.reads]
            kept = [st for st in statements if st.target == RESULT or st.target in read]
            if len(kept) == len(statements):
                break
            statements = kept
        names = {st.target: f"x{k}" for k, st in enumerate(statements, 1)}
        if result_name is not None:
            names[RESULT] = result_name
        lines = [
            f"    {names[st.target]} = {names.get(st.callee, st.callee)}({', '.join(names.get(a, a) for a in st.args)})"
            for st in statements
        ]
        return lines + [f"    return {names[RESULT]}"]


# ---------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------

DIFFER_DOCSTRINGS = (
    "Compare the candidate output with the expected one.",
    "Score how far the prediction is from the target grid.",
    "Check a structural property of the transformation.",
    "Measure a difference between input and output.",
    "Differ generated from a solver skeleton.",
)

EXTRA_COMMENTS = (
    "# verified on all train pairs",
    "# generated by evolution step {n}",
    "# score: {n}/3",
    "# NOTE: kept for regression coverage",
)


def statement_count(rng: random.Random, profile: str) -> int:
    """How many xN statements a function gets, by module profile."""
    if profile == "short":
        return rng.randint(2, 10)
    if profile == "differ":
        return rng.randint(2, 18)
    roll = rng.random()
    if profile == "long" and roll < 0.04:
        return rng.randint(41, 60)
    if roll < 0.3:
        return rng.randint(21, 40)
    return rng.randint(2, 20)


def build_function(registry: Registry, rng: random.Random, prefix: str, hex_id: str, profile: str) -> list[str]:
    """Source lines of one function; statements that end up unread are usually dropped."""
    head = [f"def {prefix}_{hex_id}(S, I, C):"]
    if prefix == "differ" and rng.random() < 0.5:
        head.append(f'    """{rng.choice(DIFFER_DOCSTRINGS)}"""')
    keep_dead = rng.random() < 0.3
    result_name = "O" if rng.random() < 0.5 else None
    target = str(pick(rng, [(4.0, "Bool"), (3.0, "Int"), (3.0, "Grid")])) if prefix == "differ" else "Grid"
    wanted = statement_count(rng, profile)
    while True:
        builder = FunctionBuilder(registry, rng)
        # Dropping unread statements loses about a quarter of them: generate more.
        for position in range(1, min(MAX_STATEMENTS, wanted + wanted // 3) + 1):
            builder.statement(position)
        builder.final(target)
        body = builder.render(keep_dead, result_name)
        if sum(line.startswith("    x") for line in body) >= 2:
            return head + body


def fresh_hex(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = f"{rng.getrandbits(32):08x}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def build_module(
    registry: Registry, rng: random.Random, seed: int, spec: tuple[str, str, int, str, str], used: set[str]
) -> str:
    filename, prefix, count, profile, description = spec
    parts = [
        f'"""Generated fixtures: {count} {prefix}_* functions.',
        "",
        f"{description[0].upper()}{description[1:]}.",
        f"Generated by tools/generate_fixtures.py --seed {seed}; do not edit by hand.",
        '"""',
        "",
        "from dsl import *",
        "",
    ]
    for number in range(count):
        hex_id = fresh_hex(rng, used)
        parts.append("")
        if number and number % 25 == 0:
            parts.append(f"# ---- batch {number // 25 + 1} ----")
            parts.append("")
        parts.append(f"# task {hex_id}")
        if rng.random() < 0.2:
            parts.append(rng.choice(EXTRA_COMMENTS).format(n=rng.randint(1, 3)))
        parts.extend(build_function(registry, rng, prefix, hex_id, profile))
        parts.append("")
    return "\n".join(parts)


def generate(out: Path, seed: int = DEFAULT_SEED, dsl_path: Path = DSL_PATH) -> list[Path]:
    """Write every fixture module into out; return the paths written."""
    registry = Registry(load_dsl(dsl_path))
    rng = random.Random(seed)
    used: set[str] = set()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in MODULES:
        path = out / spec[0]
        path.write_text(build_module(registry, rng, seed, spec, used), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: fixtures/)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
