"""Random programs for differential ("oracle") testing of the inliner.

:func:`programs` is a hypothesis strategy producing the SOURCE TEXT of a small module that
defines ``def target(a, b, c):`` (ints in, a value out).  The module is self-contained except
for the primitives that :func:`make_runtime` injects into the namespace it is executed in:

* pure primitives ``p1(x)``, ``p2(x, y)``, ``p3(x, y, z)``: total, deterministic, no side
  effects, small non-negative int results;
* logging primitives ``e0()``, ``e1(x)``, ``e2(x, y)``, ``e3(x, y, z)``: append
  ``(name, args)`` to a per-run call log and raise for some arguments (``e1``/``e3``:
  ValueError, ``e2``: KeyError, ``e0``: RuntimeError);
* ``obj``: a fresh ``SimpleNamespace(val=3)`` whose attribute the programs read and store;
* ``pick(x)``: returns ``p1`` or the pure ``q1`` (so a name bound by a call is called later),
  and ``ap(f, *args)``: calls ``f(*args)``, pure exactly when ``f`` is;
* ``epick(x)``: logs, returns ``e1`` or ``p1``; ``cm(x)``: a context manager that logs its entry
  and exit and swallows an ``Exception`` when ``x`` is a multiple of 3.

Some modules also define a counter ``count = 0`` and a helper ``bump(u)`` that declares it
``global`` and rebinds it; ``target`` then declares ``global count`` too (and stores to it) or
only reads it.  Its final value is part of the outcome (:attr:`Outcome.counter`).

The programs contain what lets a moved expression be observed by other code: ``try`` bodies
that compute a value, rebind a name and use the value (``r = e1(a); done = 1; return r``)
while a handler, a ``finally`` or the code after the try reads that name; nested trys, trys in
loops, handlers that fall through, return, re-raise (``raise``, ``if done % 2: raise``) or
jump, a ``finally`` that returns, stores in a try's ``else``, ``with cm(x)`` blocks inside
them; closures (nested ``def`` or ``lambda``) that read a local which is rebound after they
are passed to ``ap`` or called; nested functions whose ``nonlocal`` store sits in such a try;
``x = bump(u)`` followed by an expression reading ``count`` before ``x``; and names in call
position bound by a call (``h = pick(x)``, then ``h(y)``).

Programs of mode ``"pure"`` use only pure primitives and no operation that can raise, and
every call in them really is pure: stored closures and lambdas only read variables that are
never rebound after their definition and no mutable state, and a stored generator is consumed
only by the final ``return`` (a call like ``sum(q)`` on it is not pure).  They may contain the
try statements above (nothing in them raises, so only the paths without an exception run, a
``finally`` that returns included), ``global count`` with stores in ``target`` (but no call of
``bump``, which is not pure) and ``pick``.  Programs of mode ``"strict"`` use every primitive
and operations that may raise (``//`` and ``%`` by values that may be zero, out-of-range
subscripts, failing ``assert``, raising primitives); only they contain ``with``, ``nonlocal``,
``ap``, ``epick``, calls of ``bump``, reads of an undeclared ``count`` and closures read after
a rebinding.

Strict programs also contain what strict must keep for other code to see (issue 20): objects
of a class ``Fin`` whose ``__del__`` logs, held by locals, passed to a call (``val(o)``),
rebound (which kills the old object), dropped (``del o``, ``o = None``) or left to die when
target returns; weak references to them, ``r = weakref.ref(o)``, with ``note(r() is None)``
logged later; generators ``g = gen(x)`` whose ``finally`` logs, advanced with ``next`` and
dropped; generator and coroutine closures (``d = yield u`` / ``d = await pause()``, then a read
of a variable of target) that target starts, rebinds that variable while they are suspended,
and finishes (``start(c)``, ``finish(c, v)``: no asyncio); statements after ``return``,
``raise``, ``break`` and ``continue`` that read locals; calls of ``peek("x")``, which logs
``sys._getframe(1).f_locals.get("x", -1)``, and nested functions that log a local of their
own frame; and a module global ``LEVEL`` bound only inside an ``if`` or a ``try`` at module
level (possibly never) or only after an import-time call of target, read by target and its
closures (a read of it may raise ``NameError``). Pure programs contain only the code after a
jump and the conditional global (always bound there): pure assumes no finalizers and no frame
readers, and its closures read no rebound variable, so finalizers, weak references,
generators with ``finally``, suspended closures and frame readers are strict-only.

:func:`generate_program` makes the same programs from any ``draw_int(lo, hi)`` function, e.g.
``random.Random(seed).randint``, which is handy for bulk exploration outside hypothesis.

Every program terminates quickly: loops are over ``range`` of at most 3 or 4, over a list of
at most 3 items, or counter-based ``while`` loops of at most 3 iterations, nested at most
twice, and there is no recursion.  Integer sizes are bounded: the generator tracks an upper
bound of the bit length of every value and wraps an assigned expression in ``% 1000003`` when
the bound could exceed :data:`LIMIT` bits.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import signal
import threading
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hypothesis import strategies as st

PRIM_MOD = 1009
PRIM_BITS = 10
CLAMP = 1000003
CLAMP_BITS = 20
LIMIT = 256
"""No variable, list item or attribute ever holds an int of more than LIMIT bits."""
ARG_LIMIT = 200
ARG_BITS = 8

PURE_PRIMITIVES: dict[str, int] = {"p1": 1, "p2": 2, "p3": 3}
LOGGING_PRIMITIVES: dict[str, int] = {"e0": 0, "e1": 1, "e2": 2, "e3": 3}
SHAPING_PRIMITIVES = frozenset({"pick", "ap"})
"""Pure in themselves: ``pick(x)`` returns a pure primitive of arity 1, ``ap(f, *args)``
calls ``f(*args)`` (pure exactly when ``f`` is)."""
STRICT_PRIMITIVES = frozenset({"epick", "cm", "note", "val", "start", "finish", "pause"})
"""Log when called: ``epick(x)`` returns ``e1`` or ``p1``; ``cm(x)`` is a context manager;
``note(*args)`` logs its arguments and never raises. Unknown to the inliner, not logging:
``val(o)`` returns ``o.v``; ``start(g)`` runs a generator or coroutine to its first
suspension; ``finish(g, v)`` sends it ``v`` until it returns, and returns its value;
``pause()`` is an awaitable that suspends once and gives what it is sent."""
PRIMITIVE_NAMES = (
    frozenset(PURE_PRIMITIVES) | frozenset(LOGGING_PRIMITIVES) | SHAPING_PRIMITIVES | STRICT_PRIMITIVES | {"obj"}
)
GLOBAL = "count"
"""The module-level counter: rebound by the helper ``bump`` and, when declared, by target."""

MODES = ("pure", "strict")


# ---------------------------------------------------------------------------------------------
# Runtime: primitives, execution with a time limit
# ---------------------------------------------------------------------------------------------


def _mix(seed: int, args: tuple[int, ...]) -> int:
    h = seed
    for v in args:
        h = (h * 131 + v * 7 + 3) % PRIM_MOD
    return h


@dataclass
class Runtime:
    """A fresh namespace for one execution, with the call log and the shared object."""

    namespace: dict[str, Any]
    log: list[tuple[str, tuple[int, ...]]]
    obj: types.SimpleNamespace


def make_runtime() -> Runtime:
    log: list[tuple[str, tuple[int, ...]]] = []
    obj = types.SimpleNamespace(val=3)

    def p1(x):
        return _mix(11, (x,))

    def p2(x, y):
        return _mix(23, (x, y))

    def p3(x, y, z):
        return _mix(37, (x, y, z))

    def logged(name: str, seed: int, args: tuple[int, ...], exc_type: type[Exception]) -> int:
        log.append((name, args))
        if args:
            fail = (sum(args) * 3 + seed) % 13 == 0
        else:
            fail = len(log) % 9 == 0
        if fail:
            raise exc_type(f"{name}{args!r}")
        return (_mix(seed, args) + len(log)) % PRIM_MOD

    def e0():
        return logged("e0", 5, (), RuntimeError)

    def e1(x):
        return logged("e1", 1, (x,), ValueError)

    def e2(x, y):
        return logged("e2", 2, (x, y), KeyError)

    def e3(x, y, z):
        return logged("e3", 4, (x, y, z), ValueError)

    def q1(x):
        return _mix(43, (x,))

    def pick(x):
        return p1 if x % 2 == 0 else q1

    def epick(x):
        log.append(("epick", (x,)))
        return e1 if x % 2 == 0 else p1

    def ap(f, *args):
        return f(*args)

    def note(*args):
        log.append(("note", args))

    def val(o):
        return o.v

    def start(g):
        return g.send(None)

    def finish(g, v):
        try:
            for _ in range(10):
                g.send(v)
        except StopIteration as stop:
            return stop.value
        raise RuntimeError("did not finish")

    class pause:
        def __await__(self):
            return (yield)

    class cm:
        """Logs its entry and exit; swallows an Exception when its argument is a multiple of 3."""

        def __init__(self, x):
            self.x = x

        def __enter__(self):
            log.append(("cm", (self.x,)))
            return self.x

        def __exit__(self, exc_type, exc, tb):
            log.append(("cm_exit", (self.x,)))
            return exc_type is not None and issubclass(exc_type, Exception) and self.x % 3 == 0

    namespace: dict[str, Any] = {
        "__name__": "oracle_program",
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "e0": e0,
        "e1": e1,
        "e2": e2,
        "e3": e3,
        "obj": obj,
        "pick": pick,
        "epick": epick,
        "ap": ap,
        "cm": cm,
        "note": note,
        "val": val,
        "start": start,
        "finish": finish,
        "pause": pause,
    }
    return Runtime(namespace, log, obj)


class ProgramTimeout(BaseException):
    """Raised by the alarm when a program runs too long (BaseException: never caught by it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ProgramTimeout in the block after ``seconds`` (main thread on POSIX only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise ProgramTimeout(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Outcome:
    """What one call of ``target`` did.

    ``result`` is ``("return", value)``, ``("raise", type name, message)``, ``("timeout",)``
    or ``("broken", description)`` (the module did not compile or define ``target``).
    """

    result: tuple
    log: tuple[tuple[str, tuple[int, ...]], ...]
    obj_val: Any
    counter: Any = None
    """The final value of the module-level ``count`` (None when the module has none)."""

    def describe(self, with_effects: bool = True) -> str:
        text = f"result={self.result!r}"
        if with_effects:
            text += f"\n    obj.val={self.obj_val!r}\n    count={self.counter!r}\n    log={list(self.log)!r}"
        return text


def compile_program(source: str):
    """A code object, or the SyntaxError describing why there is none."""
    try:
        return compile(source, "<oracle program>", "exec")
    except (SyntaxError, ValueError) as exc:
        return exc


def run_program(program, args: tuple[int, int, int], timeout: float = 2.0) -> Outcome:
    """Execute ``program`` (source text or code object) in a fresh runtime and call target."""
    code = compile_program(program) if isinstance(program, str) else program
    runtime = make_runtime()
    if isinstance(code, BaseException):
        return Outcome(("broken", f"does not compile: {code!r}"), (), runtime.obj.val)
    try:
        with time_limit(timeout):
            try:
                exec(code, runtime.namespace)
                target = runtime.namespace.get("target")
                if not callable(target):
                    result: tuple = ("broken", "no function named target")
                else:
                    result = ("return", target(*args))
            except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
                result = ("raise", type(exc).__name__, str(exc))
    except ProgramTimeout:
        result = ("timeout",)
    return Outcome(result, tuple(runtime.log), runtime.obj.val, runtime.namespace.get(GLOBAL))


# ---------------------------------------------------------------------------------------------
# Choices: one interface over hypothesis draws (shrinkable) and random.Random
# ---------------------------------------------------------------------------------------------


class _Choices:
    """Every choice is an integer draw whose minimum is the simplest option."""

    def __init__(self, draw_int: Callable[[int, int], int]):
        self._draw_int = draw_int

    def group(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn``, whose choices belong together (one statement, one expression)."""
        return fn()

    def int(self, lo: int, hi: int) -> int:
        if hi <= lo:
            return lo
        return self._draw_int(lo, hi)

    def stop(self) -> bool:
        """Rarely True when generated; True when both draws shrink to 0 (ends a list)."""
        first, second = self.int(0, 9), self.int(0, 9)
        return first == 0 and second == 0

    def chance(self, percent: int) -> bool:
        """True with about ``percent`` % probability; shrinks to False."""
        return self.int(0, 99) >= 100 - percent

    def pick(self, seq):
        seq = list(seq)
        return seq[self.int(0, len(seq) - 1)]

    def weighted(self, options: list[tuple[int, Any]]):
        options = [(w, v) for w, v in options if w > 0]
        total = sum(w for w, _ in options)
        r = self.int(0, total - 1)
        for w, v in options:
            if r < w:
                return v
            r -= w
        raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


class _E(NamedTuple):
    text: str
    bits: int
    atom: bool  # usable as an operand without parentheses


def _paren(e: _E) -> str:
    return e.text if e.atom else f"({e.text})"


@dataclass
class _Env:
    """What may be read at a program point (definitely bound names)."""

    vars: list[str] = field(default_factory=list)  # int variables, most recent last
    funcs: dict[str, int] = field(default_factory=dict)  # callable -> arity
    gens: list[str] = field(default_factory=list)  # stored generator objects
    lists: list[str] = field(default_factory=list)  # names bound to the shared list
    tuples: list[str] = field(default_factory=list)  # names bound to pairs of ints
    objs: list[str] = field(default_factory=list)  # names bound to finalizer-logging objects
    refs: list[str] = field(default_factory=list)  # names bound to weak references
    fgens: list[str] = field(default_factory=list)  # generators whose finally logs

    _LISTS = ("vars", "gens", "lists", "tuples", "objs", "refs", "fgens")

    def copy(self) -> _Env:
        return _Env(**{k: list(getattr(self, k)) for k in self._LISTS}, funcs=dict(self.funcs))

    def update(self, other: _Env) -> None:
        for k in self._LISTS:
            getattr(self, k)[:] = getattr(other, k)
        self.funcs = other.funcs

    def names(self) -> frozenset:
        """Every name bound here (kept bound where a later round or a handler may read it)."""
        return frozenset(n for k in self._LISTS for n in getattr(self, k)) | frozenset(self.funcs)

    def add_var(self, name: str) -> None:
        if name in self.vars:
            self.vars.remove(name)
        self.vars.append(name)

    @staticmethod
    def meet(envs: list[_Env]) -> _Env:
        """Names bound in every one of ``envs`` (order of the first)."""
        first = envs[0]
        return _Env(
            **{k: [v for v in getattr(first, k) if all(v in getattr(e, k) for e in envs)] for k in _Env._LISTS},
            funcs={f: n for f, n in first.funcs.items() if all(f in e.funcs for e in envs)},
        )


@dataclass(frozen=True)
class _Ctx:
    """Where a block or expression is generated."""

    top: bool = True  # the top-level block of target (nested defs allowed)
    depth: int = 0  # block nesting depth
    loops: int = 0  # loop nesting depth
    keep_bound: frozenset = frozenset()  # bound at entry of an enclosing loop or try body:
    # never deleted there (a later iteration or an exception handler may read them)
    can_break: bool = False
    can_continue: bool = False
    assume_limit: bool = False  # reads are bounded by LIMIT only (code that runs later)
    mutable_reads: bool = True  # may read box / obj
    effects: bool = False  # may call logging primitives (strict)

    def nested(self, **changes) -> _Ctx:
        values = dict(self.__dict__)
        values.update(top=False, depth=self.depth + 1)
        values.update(changes)
        return _Ctx(**values)


BOX = "box[]"
OBJ = "obj.val"

_EXCEPT_CLAUSES = (
    "ValueError",
    "ZeroDivisionError",
    "(ValueError, ZeroDivisionError)",
    "LookupError",
    "ArithmeticError",
    "(KeyError, RuntimeError)",
    "Exception",
)


class _Generator:
    def __init__(self, choices: _Choices, mode: str, max_statements: int):
        assert mode in MODES
        self.d = choices
        self.mode = mode
        self.strict = mode == "strict"
        self.budget = max_statements
        self.bits: dict[str, int] = {"a": ARG_BITS, "b": ARG_BITS, "c": ARG_BITS, BOX: 0, OBJ: 3}
        self.counter = 0
        self.captured: set[str] = set()  # read by code that may run later: never deleted
        self.frozen: set[str] = set()  # pure: read by a stored callable: never rebound
        self.protected: set[str] = set()  # while-loop counters, retired single-use variables
        self.int_names: set[str] = {"a", "b", "c"}  # every int variable name ever bound
        self.box_len = 0
        self._read_sets: list[set[str]] = []
        self.read_count: dict[str, int] = {}
        self.fstring_depth = 0
        self.globals = "none"  # "declared": target says ``global count``; "read": it only reads it
        self.uses: set[str] = set()  # module-level helpers and imports the program needs
        self.modglobal: str | None = None  # a global bound conditionally at module level

    # -- names and bounds ----------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def read_bits(self, name: str, ctx: _Ctx) -> int:
        if ctx.assume_limit:
            return LIMIT
        return self.bits.get(name, LIMIT)

    def note_read(self, name: str) -> None:
        for s in self._read_sets:
            s.add(name)

    @contextlib.contextmanager
    def track_reads(self) -> Iterator[set[str]]:
        reads: set[str] = set()
        self._read_sets.append(reads)
        try:
            yield reads
        finally:
            self._read_sets.pop()

    def set_bits(self, name: str, bits: int) -> None:
        self.bits[name] = max(self.bits.get(name, 0), bits)

    def fit(self, e: _E, limit: int = LIMIT) -> _E:
        """``e`` wrapped in ``% CLAMP`` when it could exceed ``limit`` bits."""
        if e.bits <= limit:
            return e
        return _E(f"{_paren(e)} % {CLAMP}", CLAMP_BITS, False)

    def assignable(self, name: str, ctx: _Ctx) -> bool:
        if name in self.protected or name in self.frozen:
            return False
        return True

    def deletable(self, name: str, ctx: _Ctx) -> bool:
        return (
            self.assignable(name, ctx)
            and name not in self.captured
            and name not in ctx.keep_bound
        )

    def pick_var(self, names: list[str]) -> str:
        """A variable, biased towards recent ones and ones not read yet (single-use chains)."""
        unread = [n for n in names if n not in self.read_count]
        kind = self.d.weighted([(4, "recent"), (4 if unread else 0, "unread"), (3, "any")])
        if kind == "recent":
            return names[-1 - self.d.int(0, min(2, len(names) - 1))]
        if kind == "unread":
            return unread[-1 - self.d.int(0, min(1, len(unread) - 1))]
        return self.d.pick(names)

    def read_var(self, names: list[str]) -> str:
        name = self.pick_var(names)
        self.read_count[name] = self.read_count.get(name, 0) + 1
        self.note_read(name)
        return name

    def target_name(self, env: _Env, ctx: _Ctx, exclude: tuple[str, ...] = ()) -> str:
        """A variable to assign: fresh, an existing one, or a name bound earlier but not now."""
        existing = [v for v in env.vars if self.assignable(v, ctx) and v not in exclude]
        dead = sorted(
            v
            for v in self.int_names - set(env.vars)
            if self.assignable(v, ctx) and v not in self.captured and v not in exclude
        )
        kind = self.d.weighted([(8, "fresh"), (2 if existing else 0, "old"), (1 if dead else 0, "dead")])
        if kind == "old":
            return self.pick_var(existing)
        if kind == "dead":
            return self.d.pick(dead)
        return self.fresh("x")

    def bind(self, env: _Env, name: str, bits: int) -> None:
        self.int_names.add(name)
        self.set_bits(name, bits)
        env.add_var(name)

    def enter_loop(self, env: _Env) -> None:
        """Values carried around a loop may grow each iteration: assume the worst."""
        for v in env.vars:
            if v not in self.protected:
                self.bits[v] = LIMIT
        self.bits[BOX] = LIMIT
        self.bits[OBJ] = LIMIT

    # -- expressions ---------------------------------------------------------------------------

    def const(self) -> _E:
        kind = self.d.weighted([(6, "small"), (2, "neg"), (1, "big")])
        if kind == "small":
            return _E(str(self.d.int(0, 9)), 4, True)
        if kind == "neg":
            return _E(f"-{self.d.int(1, 9)}", 4, False)
        return _E(str(self.d.int(10, 999)), 10, True)

    def atom(self, env: _Env, ctx: _Ctx) -> _E:
        kind = self.d.weighted(
            [
                (8 if env.vars else 0, "var"),
                (3, "const"),
                (1 if env.lists and ctx.mutable_reads else 0, "box"),
                (1 if ctx.mutable_reads else 0, "obj"),
            ]
        )
        if kind == "var":
            name = self.read_var(env.vars)
            return _E(name, self.read_bits(name, ctx), True)
        if kind == "box":
            lst = self.d.pick(env.lists)
            self.note_read(lst)
            return _E(f"{lst}[{self.d.int(-1, self.box_len - 1)}]", self.read_bits(BOX, ctx), True)
        if kind == "obj":
            return _E("obj.val", self.read_bits(OBJ, ctx), True)
        return self.const()

    def nonzero_divisor(self, env: _Env, ctx: _Ctx, depth: int) -> _E:
        kind = self.d.weighted([(3, "const"), (1, "square"), (1, "abs")])
        if kind == "const":
            return _E(str(self.d.int(1, 9)), 4, True)
        e = self.expr(env, ctx, depth - 1)
        if kind == "square":
            return _E(f"{_paren(e)} * {_paren(e)} + 1", 2 * e.bits + 1, False)
        return _E(f"abs({e.text}) + 1", e.bits + 1, False)

    def expr(self, env: _Env, ctx: _Ctx, depth: int) -> _E:
        if depth <= 0:
            return self.atom(env, ctx)
        return self.d.group(lambda: self._expr(env, ctx, depth))

    def _expr(self, env: _Env, ctx: _Ctx, depth: int) -> _E:
        kind = self.d.weighted(
            [
                (6, "atom"),
                (7, "arith"),
                (4, "pure_call"),
                (4 if ctx.effects else 0, "effect_call"),
                (2 if env.funcs else 0, "func_call"),
                (1, "builtin"),
                (2, "unary"),
                (2, "divmod"),
                (1, "pow"),
                (2, "ifexp"),
                (2, "boolop"),
                (1, "compare"),
                (3, "comprehension"),
                (1, "lambda_call"),
                (2 if env.gens and self.strict else 0, "consume"),
                (1, "int_attr"),
                (1, "fstring"),
                (2 if env.tuples else 0, "tuple_read"),
                (2 if env.lists and ctx.mutable_reads else 0, "subscript"),
                (2 if self.strict and self.globals != "none" and ctx.effects else 0, "bump"),
                (2 if self.globals == "read" and ctx.mutable_reads else 0, "global_read"),
                (1 if self.strict and ctx.effects else 0, "apply"),
                (3 if env.objs and self.reads_now(ctx) else 0, "fin_attr"),
                (2 if env.fgens and self.reads_now(ctx) and ctx.effects else 0, "advance"),
                (1 if self.modglobal is not None else 0, "modglobal"),
            ]
        )
        return getattr(self, f"expr_{kind}")(env, ctx, depth)

    def reads_now(self, ctx: _Ctx) -> bool:
        """Whether code generated in ``ctx`` runs where it stands (not in a stored closure,
        which could outlive a ``del`` of what it reads)."""
        return self.strict and not ctx.assume_limit and ctx.mutable_reads

    def expr_fin_attr(self, env, ctx, depth) -> _E:
        """The value a finalizer-logging object holds: ``o.v``, or ``val(o)`` (the object is
        passed to a call nothing is known about)."""
        name = self.d.pick(env.objs)
        self.note_read(name)
        if self.d.chance(40):
            return _E(f"val({name})", LIMIT, True)
        return _E(f"{name}.v", LIMIT, True)

    def expr_advance(self, env, ctx, depth) -> _E:
        """``next(g, 0)`` of a generator whose ``finally`` logs (it runs when exhausted)."""
        name = self.d.pick(env.fgens)
        self.note_read(name)
        return _E(f"next({name}, 0)", LIMIT, True)

    def expr_modglobal(self, env, ctx, depth) -> _E:
        """A read of the module global bound conditionally (it may be unbound)."""
        return _E(self.modglobal, 4, True)

    def expr_bump(self, env, ctx, depth) -> _E:
        """A call of the module's helper, which rebinds the global ``count``."""
        arg = self.fit(self.expr(env, ctx, depth - 1))
        return _E(f"bump({arg.text})", PRIM_BITS, True)

    def expr_global_read(self, env, ctx, depth) -> _E:
        """A read of the global ``count`` (not declared in target: only ``bump`` rebinds it)."""
        return _E(GLOBAL, PRIM_BITS, True)

    def expr_apply(self, env, ctx, depth) -> _E:
        """``ap(f, ...)``: a primitive that calls the function it is given, here a stored
        callable or a lambda reading the current variables."""
        funcs = sorted(env.funcs)
        if funcs and self.d.chance(60):
            name = self.d.pick(funcs)
            self.note_read(name)
            args = self.call_args(env, ctx, depth, env.funcs[name], limit=LIMIT)
            return _E(f"ap({', '.join([name] + args)})", LIMIT, True)
        param = self.fresh("u")
        inner = env.copy()
        inner.gens = []
        inner.add_var(param)
        self.bits[param] = LIMIT
        body = self.fit(self.expr(inner, ctx.nested(assume_limit=True), max(depth - 1, 1)))
        arg = self.fit(self.expr(env, ctx, depth - 1))
        return _E(f"ap(lambda {param}: {body.text}, {arg.text})", LIMIT, True)

    def expr_atom(self, env, ctx, depth) -> _E:
        return self.atom(env, ctx)

    def expr_arith(self, env, ctx, depth) -> _E:
        op = self.d.pick(["+", "-", "*"])
        left = self.expr(env, ctx, depth - 1)
        right = self.expr(env, ctx, depth - 1)
        bits = left.bits + right.bits if op == "*" else max(left.bits, right.bits) + 1
        return _E(f"{_paren(left)} {op} {_paren(right)}", bits, False)

    def expr_divmod(self, env, ctx, depth) -> _E:
        op = self.d.pick(["//", "%"])
        left = self.expr(env, ctx, depth - 1)
        if self.strict and self.d.chance(60):
            right = self.expr(env, ctx, depth - 1)  # may be zero
        else:
            right = self.nonzero_divisor(env, ctx, depth)
        bits = left.bits + 1 if op == "//" else right.bits
        return _E(f"{_paren(left)} {op} {_paren(right)}", bits, False)

    def expr_pow(self, env, ctx, depth) -> _E:
        base = self.expr(env, ctx, depth - 1)
        exponent = self.d.int(0, 3 if base.bits <= 64 else 2)
        return _E(f"{_paren(base)} ** {exponent}", max(1, base.bits * exponent), False)

    def expr_unary(self, env, ctx, depth) -> _E:
        op = self.d.pick(["-", "+", "~", "-", "not "])
        operand = self.expr(env, ctx, depth - 1)
        return _E(f"{op}{_paren(operand)}", 1 if op == "not " else operand.bits + 1, False)

    def call_args(self, env, ctx, depth, arity, limit=None) -> list[str]:
        args = []
        for _ in range(arity):
            e = self.expr(env, ctx, depth - 1)
            if limit is not None:
                e = self.fit(e, limit)
            args.append(e.text)
        return args

    def primitive_call(self, env, ctx, depth, name: str, arity: int) -> _E:
        """A call of a primitive, sometimes with keywords (in any order) or ``*pair``."""
        kind = self.d.weighted(
            [(8, "positional"), (2 if arity >= 1 else 0, "keywords"), (1 if arity >= 2 and env.tuples else 0, "star")]
        )
        if kind == "star":
            pair = self.d.pick(env.tuples)
            self.note_read(pair)
            self.read_count[pair] = self.read_count.get(pair, 0) + 1
            rest = self.call_args(env, ctx, depth, arity - 2)
            return _E(f"{name}({', '.join([f'*{pair}'] + rest)})", PRIM_BITS, True)
        args = self.call_args(env, ctx, depth, arity)
        if kind == "keywords":
            params = ["x", "y", "z"][:arity]
            order = list(range(arity))
            for i in range(arity - 1, 0, -1):  # a drawn permutation
                j = self.d.int(0, i)
                order[i], order[j] = order[j], order[i]
            positional = self.d.int(0, arity - 1) if self.d.chance(30) else 0
            texts = args[:positional] + [f"{params[i]}={args[i]}" for i in order if i >= positional]
            return _E(f"{name}({', '.join(texts)})", PRIM_BITS, True)
        return _E(f"{name}({', '.join(args)})", PRIM_BITS, True)

    def expr_pure_call(self, env, ctx, depth) -> _E:
        name = self.d.pick(sorted(PURE_PRIMITIVES))
        return self.primitive_call(env, ctx, depth, name, PURE_PRIMITIVES[name])

    def expr_effect_call(self, env, ctx, depth) -> _E:
        name = self.d.pick(sorted(LOGGING_PRIMITIVES))
        return self.primitive_call(env, ctx, depth, name, LOGGING_PRIMITIVES[name])

    def expr_func_call(self, env, ctx, depth) -> _E:
        name = self.d.pick(sorted(env.funcs))
        self.note_read(name)
        args = self.call_args(env, ctx, depth, env.funcs[name], limit=LIMIT)
        return _E(f"{name}({', '.join(args)})", LIMIT, True)

    def expr_builtin(self, env, ctx, depth) -> _E:
        name = self.d.pick(["abs", "min", "max"])
        arity = 1 if name == "abs" else 2
        es = [self.expr(env, ctx, depth - 1) for _ in range(arity)]
        return _E(f"{name}({', '.join(e.text for e in es)})", max(e.bits for e in es), True)

    def expr_ifexp(self, env, ctx, depth) -> _E:
        test = self.cond(env, ctx, depth - 1)
        body = self.expr(env, ctx, depth - 1)
        orelse = self.expr(env, ctx, depth - 1)
        return _E(f"{_paren(body)} if {test} else {_paren(orelse)}", max(body.bits, orelse.bits), False)

    def expr_boolop(self, env, ctx, depth) -> _E:
        op = self.d.pick(["and", "or"])
        left = self.expr(env, ctx, depth - 1)
        right = self.expr(env, ctx, depth - 1)
        return _E(f"{_paren(left)} {op} {_paren(right)}", max(left.bits, right.bits), False)

    def expr_compare(self, env, ctx, depth) -> _E:
        return _E(self.comparison(env, ctx, depth), 1, False)

    def expr_subscript(self, env, ctx, depth) -> _E:
        lst = self.d.pick(env.lists)
        self.note_read(lst)
        if self.d.chance(20):
            k = self.d.int(0, self.box_len - 1)
            kind = self.d.pick(["tail", "head", "reverse"])
            if kind == "tail":
                return _E(f"sum({lst}[{k}:])", self.read_bits(BOX, ctx) + 2, True)
            if kind == "head":
                return _E(f"len({lst}[:{k}])", 2, True)
            return _E(f"{lst}[::-1][{k}]", self.read_bits(BOX, ctx), True)
        index = self.expr(env, ctx, depth - 1)
        if self.strict and self.d.chance(25):
            text = f"{lst}[{index.text}]"  # may raise IndexError
        else:
            text = f"{lst}[{_paren(index)} % {self.box_len}]"
        return _E(text, self.read_bits(BOX, ctx), True)

    def expr_lambda_call(self, env, ctx, depth) -> _E:
        """An immediately called lambda: ``(lambda u: ...)(arg)``."""
        arg = self.fit(self.expr(env, ctx, depth - 1))
        param = self.fresh("u")
        inner = env.copy()
        inner.gens = []
        inner.add_var(param)
        self.bits[param] = arg.bits
        body = self.expr(inner, ctx.nested(mutable_reads=ctx.mutable_reads and self.strict), depth - 1)
        return _E(f"(lambda {param}: {body.text})({arg.text})", body.bits, True)

    def comprehension_source(self, env: _Env, ctx: _Ctx) -> tuple[str, int, int]:
        """An iterable for a comprehension: its text, item bound and whether it is range(k)."""
        kind = self.d.weighted([(5, "range"), (1 if env.lists and ctx.mutable_reads else 0, "box"), (1, "tuple")])
        if kind == "box":
            lst = self.d.pick(env.lists)
            self.note_read(lst)
            return lst, self.read_bits(BOX, ctx), 0
        if kind == "tuple":
            items = [self.atom(env, ctx) for _ in range(self.d.int(1, 3))]
            text = "(" + ", ".join(i.text for i in items) + ("," if len(items) == 1 else "") + ")"
            return text, max(i.bits for i in items), 0
        k = self.d.int(1, 4)
        return f"range({k})", 3, k

    def expr_comprehension(self, env, ctx, depth) -> _E:
        var = self.fresh("v")
        source, item_bits, k = self.comprehension_source(env, ctx)
        inner = env.copy()
        inner.add_var(var)
        self.bits[var] = item_bits
        clauses = f"for {var} in {source}"
        count_bits = 3
        if self.d.chance(15):
            var2 = self.fresh("v")
            k2 = self.d.int(1, 3)
            inner.add_var(var2)
            self.bits[var2] = 3
            clauses += f" for {var2} in range({k2})"
            count_bits = 4
            k = 0
        elt = self.expr(inner, ctx, depth - 1)
        filtered = self.d.chance(30)
        if filtered:
            clauses += f" if {self.cond(inner, ctx, 1)}"
        kind = self.d.weighted(
            [
                (3, "sum_list"),
                (3, "sum_gen"),
                (1, "len"),
                (2 if k and not filtered else 0, "index"),
                (5 if k else 0, "dict"),
                (1, "minmax"),
                (1, "any"),
                (1, "set"),
            ]
        )
        if kind == "set":
            return _E(f"len({{{elt.text} {clauses}}})", count_bits, True)
        if kind == "sum_list":
            return _E(f"sum([{elt.text} {clauses}])", elt.bits + count_bits, True)
        if kind == "sum_gen":
            return _E(f"sum({elt.text} {clauses})", elt.bits + count_bits, True)
        if kind == "len":
            return _E(f"len([{elt.text} {clauses}])", count_bits, True)
        if kind == "index":
            return _E(f"[{elt.text} {clauses}][{self.d.int(0, k - 1)}]", elt.bits, True)
        if kind == "dict":
            key = self.d.int(0, k - 1)
            if filtered or self.d.chance(40):
                return _E(f"{{{var}: {elt.text} {clauses}}}.get({key}, 0)", elt.bits, True)
            return _E(f"{{{var}: {elt.text} {clauses}}}[{key}]", elt.bits, True)
        if kind == "minmax":
            fn = self.d.pick(["min", "max"])
            return _E(f"{fn}(({elt.text} {clauses}), default=0)", elt.bits, True)
        return _E(f"any({elt.text} {clauses})", 1, True)

    def expr_int_attr(self, env, ctx, depth) -> _E:
        """An attribute of an int: ``(5).real``, ``x.bit_length()``."""
        e = self.expr(env, ctx, depth - 1)
        base = f"({e.text})" if not e.atom or e.text.isdigit() else e.text
        kind = self.d.pick(["real", "bit_length", "numerator", "conjugate"])
        if kind == "bit_length":
            return _E(f"{base}.bit_length()", 10, True)
        if kind == "conjugate":
            return _E(f"{base}.conjugate()", e.bits, True)
        return _E(f"{base}.{kind}", e.bits, True)

    def expr_fstring(self, env, ctx, depth) -> _E:
        """The length of an f-string with one or two replacement fields."""
        if self.fstring_depth >= 2:  # Python 3.11 cannot reuse a quote inside an f-string
            return self.atom(env, ctx)
        quote = "\"'"[self.fstring_depth]
        fields = []
        for _ in range(self.d.int(1, 2)):
            self.fstring_depth += 1
            try:
                e = self.expr(env, ctx, depth - 1)
            finally:
                self.fstring_depth -= 1
            text = e.text if e.atom and not e.text.startswith("{") else f"({e.text})"
            suffix = self.d.pick(["", "", "!r", ":>6", ":x", "!r:^9"])
            fields.append("{" + text + suffix + "}")
        separator = self.d.pick(["", "|", " and "])
        return _E(f"len(f{quote}{separator.join(fields)}{quote})", 12, True)

    def expr_tuple_read(self, env, ctx, depth) -> _E:
        name = self.d.pick(env.tuples)
        self.note_read(name)
        self.read_count[name] = self.read_count.get(name, 0) + 1
        bits = self.read_bits(name, ctx)
        kind = self.d.pick(["index", "index", "sum", "max", "len"])
        if kind == "index":
            return _E(f"{name}[{self.d.int(-2, 1)}]", bits, True)
        if kind == "len":
            return _E(f"len({name})", 2, True)
        return _E(f"{kind}({name})", bits + 1, True)

    def expr_consume(self, env, ctx, depth) -> _E:
        gen = self.d.pick(env.gens)
        self.note_read(gen)
        kind = self.d.pick(["sum", "next", "max", "len"])
        if kind == "sum":
            return _E(f"sum({gen})", LIMIT + 3, True)
        if kind == "next":
            return _E(f"next({gen}, 0)", LIMIT, True)
        if kind == "max":
            return _E(f"max({gen}, default=-1)", LIMIT, True)
        return _E(f"len(list({gen}))", 3, True)

    # -- conditions ----------------------------------------------------------------------------

    def comparison(self, env, ctx, depth, walrus: str | None = None) -> str:
        left = self.expr(env, ctx, max(depth - 1, 0))
        left_text = _paren(left)
        if walrus is not None:
            left = self.fit(left)
            left_text = f"({walrus} := {left.text})"
            self.bits[walrus] = left.bits
        ops = ["<", "<=", "==", "!=", ">", ">="]
        kind = self.d.weighted([(8, "order"), (1, "in"), (1 if env.lists and ctx.mutable_reads else 0, "in_list")])
        if kind == "in":
            items = [self.expr(env, ctx, 0) for _ in range(self.d.int(1, 3))]
            right_text = "(" + ", ".join(i.text for i in items) + ("," if len(items) == 1 else "") + ")"
            return f"{left_text} {self.d.pick(['in', 'not in'])} {right_text}"
        if kind == "in_list":
            lst = self.d.pick(env.lists)
            self.note_read(lst)
            return f"{left_text} {self.d.pick(['in', 'not in'])} {lst}"
        right = self.expr(env, ctx, max(depth - 1, 0))
        text = f"{left_text} {self.d.pick(ops)} {_paren(right)}"
        if self.d.chance(12):
            third = self.expr(env, ctx, 0)
            text += f" {self.d.pick(ops)} {_paren(third)}"
        return text

    def cond(self, env, ctx, depth, walrus: str | None = None) -> str:
        """A condition.  With ``walrus``, its first evaluated operand binds that name."""
        kind = self.d.weighted(
            [(6, "compare"), (1 if walrus is None else 0, "not"), (2, "and"), (2, "or"), (1, "truthy"), (1, "parity")]
        )
        if kind in ("compare", "parity") or (walrus is not None and kind == "truthy"):
            if kind == "parity" and walrus is None:
                e = self.expr(env, ctx, max(depth - 1, 0))
                return f"{_paren(e)} % 2 == {self.d.int(0, 1)}"
            return self.comparison(env, ctx, depth, walrus)
        if kind == "truthy":
            return _paren(self.expr(env, ctx, max(depth - 1, 0)))
        if kind == "not":
            inner = self.cond(env, ctx, depth - 1) if depth > 1 else self.comparison(env, ctx, depth)
            return f"not ({inner})" if " and " in inner or " or " in inner else f"not {inner}"
        first = self.comparison(env, ctx, depth, walrus)
        if depth <= 1 or self.d.chance(70):
            second = self.comparison(env, ctx, depth)
        else:
            second = self.cond(env, ctx, depth - 1)
        if " and " in second or " or " in second or second.startswith("not "):
            second = f"({second})"
        return f"{first} {kind} {second}"

    # -- statements ----------------------------------------------------------------------------

    def block(
        self, env: _Env, ctx: _Ctx, lo: int, hi: int, terminator: bool = False
    ) -> tuple[list[str], _Env, bool]:
        """Statements; returns their lines, the env after them and whether they end in a jump."""
        lines: list[str] = []
        previous_simple = False
        count = 0
        while count < hi and self.budget > 0:

            def one(env=env, count=count):
                # The flag that ends the block comes first in the statement's group, so that
                # the shrinker can delete a statement (group) anywhere in the block.
                if count >= lo and (self.d.stop() if ctx.top else not self.d.chance(50)):
                    return None
                return self.statement(env, ctx)

            generated = self.d.group(one)
            if generated is None:
                break
            count += 1
            self.budget -= 1
            new_lines, env = generated
            simple = len(new_lines) == 1 and "#" not in new_lines[0]
            if simple and previous_simple and self.d.chance(8):
                lines[-1] += "; " + new_lines[0]
            else:
                lines.extend(new_lines)
            previous_simple = simple
        terminated = False
        if terminator and self.d.chance(45):
            kinds = [(3, "return")]
            if ctx.can_break:
                kinds.append((2, "break"))
            if ctx.can_continue:
                kinds.append((2, "continue"))
            if self.strict:
                kinds.append((1, "raise"))
            kind = self.d.weighted(kinds)
            if kind == "return" and self.d.chance(30):
                lines += self.skipped_value(env, ctx)
            elif kind == "return":
                lines.append(f"return {self.expr(env, ctx, 2).text}")
            elif kind == "raise":
                lines.append(f"raise ValueError({self.fit(self.expr(env, ctx, 1)).text})")
            else:
                lines.append(kind)
            terminated = True
            if self.d.chance(30):
                lines += self.unreachable(env, ctx)
        if not lines:
            lines.append("pass")
        return lines, env, terminated

    def statement(self, env: _Env, ctx: _Ctx) -> tuple[list[str], _Env]:
        deletable = [v for v in env.vars if self.deletable(v, ctx)]
        kind = self.d.weighted(
            [
                (18, "assign"),
                (3 if any(self.assignable(v, ctx) for v in env.vars) else 0, "augassign"),
                (2, "unpack"),
                (2, "chain"),
                (2, "annotated"),
                (1, "divmod_unpack"),
                (2 if env.lists else 0, "box_store"),
                (2, "obj_store"),
                (1 if env.lists else 0, "alias"),
                (2 if deletable else 0, "delete"),
                (2, "expression"),
                (3 if ctx.depth < 3 else 0, "if"),
                (4 if ctx.loops < 2 and ctx.depth < 3 else 0, "for"),
                (2 if ctx.loops < 2 and ctx.depth < 3 else 0, "while"),
                (3 if ctx.depth < 3 else 0, "try"),
                (5 if ctx.depth < 3 else 0, "shared_try"),
                (2 if self.strict and ctx.depth < 3 else 0, "with"),
                (3 if self.strict and any(self.assignable(v, ctx) for v in env.vars) else 0, "peek"),
                (3 if self.strict and self.globals != "none" else 0, "global_race"),
                (1, "callee"),
                (3 if ctx.top else 0, "closure"),
                (6 if ctx.can_break else 0, "jump"),
                (1, "lambda"),
                (1, "generator"),
                (1, "assert"),
                (2, "tuple"),
                (1 if env.tuples else 0, "tuple_unpack"),
                # lifetimes, suspension and frames (strict only: pure assumes no finalizers
                # and no frame readers, and its closures read no rebound variable)
                (3 if self.strict else 0, "finalizer"),
                (2 if self.strict and self.droppable_objects(env, ctx) else 0, "drop"),
                (2 if self.strict else 0, "weak_ref"),
                (6 if self.strict and env.refs else 0, "ref_check"),
                (2 if self.strict else 0, "finally_gen"),
                (3 if self.strict and ctx.top else 0, "suspended"),
                (1 if self.strict and ctx.top else 0, "frame_reader"),
                (2 if self.strict else 0, "frame_peek"),
                (3 if self.modglobal is not None else 0, "level_race"),
            ]
        )
        env = env.copy()
        lines = getattr(self, f"stmt_{kind}")(env, ctx)
        if len(lines) == 1 and not lines[0].endswith(":") and self.d.chance(6):
            lines = [lines[0] + "  # note"]
        return lines, env

    def assigned_value(self, env, ctx, depth=None) -> _E:
        if depth is None:
            depth = self.d.int(1, 3)
        return self.fit(self.expr(env, ctx, depth))

    def stmt_assign(self, env, ctx) -> list[str]:
        value = self.assigned_value(env, ctx)
        name = self.target_name(env, ctx)
        self.bind(env, name, value.bits)
        layout = self.d.weighted([(30, "plain"), (1, "parens"), (1, "comment"), (1, "backslash")])
        if layout == "parens":
            return [f"{name} = (", f"    {value.text}", ")"]
        if layout == "comment":
            return [f"{name} = (  # why", f"    {value.text}  # what", ")"]
        if layout == "backslash":
            return [f"{name} = \\", f"    {value.text}"]
        return [f"{name} = {value.text}"]

    def stmt_chain(self, env, ctx) -> list[str]:
        value = self.assigned_value(env, ctx)
        first = self.target_name(env, ctx)
        second = self.target_name(env, ctx, exclude=(first,))
        self.bind(env, first, value.bits)
        self.bind(env, second, value.bits)
        return [f"{first} = {second} = {value.text}"]

    def stmt_annotated(self, env, ctx) -> list[str]:
        value = self.assigned_value(env, ctx)
        name = self.target_name(env, ctx, exclude=(GLOBAL,))  # an annotated name cannot be global
        self.bind(env, name, value.bits)
        return [f"{name}: int = {value.text}"]

    def stmt_augassign(self, env, ctx) -> list[str]:
        name = self.pick_var([v for v in env.vars if self.assignable(v, ctx)])
        op = self.d.pick(["+", "-", "*", "//", "%", "+"])
        if op in ("//", "%") and not (self.strict and self.d.chance(50)):
            value = self.nonzero_divisor(env, ctx, 2)
        else:
            value = self.expr(env, ctx, self.d.int(0, 2))
        old = self.read_bits(name, ctx)
        if op == "*":
            bits = old + value.bits
        elif op == "//":
            bits = old + 1
        elif op == "%":
            bits = value.bits
        else:
            bits = max(old, value.bits) + 1
        lines = [f"{name} {op}= {value.text}"]
        if bits > LIMIT:
            lines.append(f"{name} %= {CLAMP}")
            bits = CLAMP_BITS
        self.note_read(name)
        self.bind(env, name, bits)
        return lines

    def stmt_unpack(self, env, ctx) -> list[str]:
        swappable = [v for v in env.vars if self.assignable(v, ctx)]
        if len(swappable) >= 2 and self.d.chance(25):
            x = self.pick_var(swappable)
            y = self.d.pick([v for v in swappable if v != x])
            bits = max(self.read_bits(x, ctx), self.read_bits(y, ctx))
            self.bind(env, x, bits)
            self.bind(env, y, bits)
            return [f"{x}, {y} = {y}, {x}"]
        n = self.d.int(2, 3)
        values = [self.assigned_value(env, ctx, self.d.int(0, 2)) for _ in range(n)]
        names: list[str] = []
        for _ in range(n):
            names.append(self.target_name(env, ctx, exclude=tuple(names)))
        for name, value in zip(names, values):
            self.bind(env, name, value.bits)
        right = ", ".join(v.text for v in values)
        left = ", ".join(names)
        if self.d.chance(30):
            left, right = f"({left})", f"({right})"
        elif self.d.chance(20):
            left, right = f"[{left}]", f"[{right}]"
        return [f"{left} = {right}"]

    def stmt_assert(self, env, ctx) -> list[str]:
        """``assert``: under pure always true; the message is evaluated only on failure."""
        if self.strict and self.d.chance(50):
            test = self.cond(env, ctx, 2)  # may raise AssertionError
        elif self.d.chance(50):
            e = self.expr(env, ctx, 2)
            test = f"{_paren(e)} == {_paren(e)}"
        else:
            test = f"({self.cond(env, ctx, 2)}) or True"
        if self.d.chance(40):
            return [f"assert {test}, {self.expr(env, ctx, 1).text}"]
        return [f"assert {test}"]

    def stmt_tuple(self, env, ctx) -> list[str]:
        """A variable holding a pair: ``t = x, y``."""
        items = [self.assigned_value(env, ctx, self.d.int(0, 2)) for _ in range(2)]
        name = self.fresh("t")
        self.set_bits(name, max(i.bits for i in items))
        env.tuples.append(name)
        body = f"{items[0].text}, {items[1].text}"
        return [f"{name} = ({body})" if self.d.chance(50) else f"{name} = {body}"]

    def stmt_tuple_unpack(self, env, ctx) -> list[str]:
        source = self.d.pick(env.tuples)
        self.note_read(source)
        self.read_count[source] = self.read_count.get(source, 0) + 1
        first = self.target_name(env, ctx)
        second = self.target_name(env, ctx, exclude=(first,))
        bits = self.read_bits(source, ctx)
        self.bind(env, first, bits)
        self.bind(env, second, bits)
        return [f"{first}, {second} = {source}"]

    def stmt_divmod_unpack(self, env, ctx) -> list[str]:
        left = self.fit(self.expr(env, ctx, self.d.int(0, 2)))
        if self.strict and self.d.chance(50):
            right = self.fit(self.expr(env, ctx, self.d.int(0, 1)))  # may be zero
        else:
            right = self.nonzero_divisor(env, ctx, 1)
        q = self.target_name(env, ctx)
        r = self.target_name(env, ctx, exclude=(q,))
        self.bind(env, q, left.bits + 1)
        self.bind(env, r, right.bits)
        return [f"{q}, {r} = divmod({left.text}, {right.text})"]

    def list_index(self, env, ctx) -> str:
        if self.strict and self.d.chance(25):
            return self.expr(env, ctx, 1).text  # may raise IndexError
        return str(self.d.int(-1, self.box_len - 1))

    def stmt_box_store(self, env, ctx) -> list[str]:
        lst = self.d.pick(env.lists)
        self.note_read(lst)
        if self.d.chance(30):
            index = str(self.d.int(0, self.box_len - 1))
            value = self.expr(env, ctx, self.d.int(0, 2))
            op = self.d.pick(["+", "-"])
            lines = [f"{lst}[{index}] {op}= {value.text}"]
            bits = max(self.read_bits(BOX, ctx), value.bits) + 1
            if bits > LIMIT:
                lines.append(f"{lst}[{index}] %= {CLAMP}")
                bits = CLAMP_BITS
            self.set_bits(BOX, bits)
            return lines
        value = self.assigned_value(env, ctx)
        index = self.list_index(env, ctx)
        self.set_bits(BOX, value.bits)
        return [f"{lst}[{index}] = {value.text}"]

    def stmt_obj_store(self, env, ctx) -> list[str]:
        if self.d.chance(30):
            value = self.expr(env, ctx, self.d.int(0, 2))
            lines = [f"obj.val += {value.text}"]
            bits = max(self.read_bits(OBJ, ctx), value.bits) + 1
            if bits > LIMIT:
                lines.append(f"obj.val %= {CLAMP}")
                bits = CLAMP_BITS
            self.set_bits(OBJ, bits)
            return lines
        value = self.assigned_value(env, ctx)
        self.set_bits(OBJ, value.bits)
        return [f"obj.val = {value.text}"]

    def stmt_alias(self, env, ctx) -> list[str]:
        source = self.d.pick(env.lists)
        name = self.fresh("al")
        env.lists.append(name)
        return [f"{name} = {source}"]

    def stmt_delete(self, env, ctx) -> list[str]:
        candidates = [v for v in env.vars if self.deletable(v, ctx)]
        names = [self.d.pick(candidates)]
        if len(candidates) > 1 and self.d.chance(20):
            names.append(self.d.pick([v for v in candidates if v != names[0]]))
        for name in names:
            env.vars.remove(name)
        return [f"del {', '.join(names)}"]

    def stmt_expression(self, env, ctx) -> list[str]:
        kind = self.d.weighted(
            [(3 if ctx.effects else 0, "effect"), (2 if env.funcs else 0, "func"), (1, "pure")]
        )
        if kind == "effect":
            return [self.expr_effect_call(env, ctx, 2).text]
        if kind == "func":
            return [self.expr_func_call(env, ctx, 2).text]
        return [self.expr_pure_call(env, ctx, 2).text]

    def stmt_jump(self, env, ctx) -> list[str]:
        """``if cond: break`` / ``continue`` inside a loop."""
        jump = "continue" if ctx.can_continue and self.d.chance(75) else "break"
        return [f"if {self.cond(env, ctx, 1)}:", f"    {jump}"]

    def stmt_if(self, env, ctx) -> list[str]:
        walrus = self.fresh("w") if self.d.chance(35) else None
        test = self.cond(env, ctx, 2, walrus=walrus)
        if walrus is not None:
            self.int_names.add(walrus)
            env.add_var(walrus)
        inner = ctx.nested()
        lines = [f"if {test}:"]
        body, then_env, terminated = self.block(env.copy(), inner, 1, 3, terminator=True)
        lines += _indent(body)
        ends = [] if terminated else [then_env]
        for _ in range(self.d.int(1, 2) if self.d.chance(45) else 0):
            lines.append(f"elif {self.cond(env, ctx, 2)}:")
            body, branch_env, _ = self.block(env.copy(), inner, 1, 2)
            lines += _indent(body)
            ends.append(branch_env)
        if self.d.chance(50):
            lines.append("else:")
            body, branch_env, _ = self.block(env.copy(), inner, 1, 3)
            lines += _indent(body)
            ends.append(branch_env)
        else:
            ends.append(env)
        merged = _Env.meet(ends)
        env.update(merged)
        return lines

    def loop_ctx(self, env: _Env, ctx: _Ctx, can_continue: bool) -> _Ctx:
        return ctx.nested(
            loops=ctx.loops + 1,
            keep_bound=ctx.keep_bound | env.names(),
            can_break=True,
            can_continue=can_continue,
        )

    def stmt_for(self, env, ctx) -> list[str]:
        self.enter_loop(env)
        var = self.fresh("i")
        kind = self.d.weighted(
            [(4, "range"), (1, "range_expr"), (1 if env.lists else 0, "list"), (1 if env.lists else 0, "enumerate"), (1, "tuple")]
        )
        body_env = env.copy()
        var_bits = 3
        header_target = var
        if kind == "range":
            source = f"range({self.d.int(1, 3)})"
        elif kind == "range_expr":
            e = self.expr(env, ctx, 1)
            source = f"range({_paren(e)} % 4)"
        elif kind == "list":
            source = self.d.pick(env.lists)
            var_bits = LIMIT
        elif kind == "enumerate":
            source = f"enumerate({self.d.pick(env.lists)})"
            second = self.fresh("i")
            header_target = f"{second}, {var}"
            body_env.add_var(second)
            self.bits[second] = 3
            var_bits = LIMIT
        else:
            items = [self.fit(self.expr(env, ctx, 1)) for _ in range(self.d.int(1, 3))]
            source = "(" + ", ".join(i.text for i in items) + ("," if len(items) == 1 else "") + ")"
            var_bits = max(i.bits for i in items)
        body_env.add_var(var)
        self.bits[var] = var_bits
        body, end_env, _ = self.block(body_env, self.loop_ctx(env, ctx, True), 1, 3)
        merged = _Env.meet([env, end_env])
        env.update(merged)
        return [f"for {header_target} in {source}:"] + _indent(body)

    def stmt_while(self, env, ctx) -> list[str]:
        counter = self.fresh("n")
        self.protected.add(counter)
        self.int_names.add(counter)
        self.bits[counter] = 3
        env.add_var(counter)
        self.enter_loop(env)
        lines = [f"{counter} = 0"]
        test = f"{counter} < {self.d.int(1, 3)}"
        body_env = env.copy()
        if self.d.chance(25):
            walrus = self.fresh("w") if self.d.chance(50) else None
            extra = self.cond(env, ctx, 1, walrus=walrus)
            test += f" and ({extra})"
            if walrus is not None:
                self.int_names.add(walrus)
                body_env.add_var(walrus)
        increment = f"{counter} += 1"
        at_top = self.d.chance(40)
        body, end_env, _ = self.block(body_env, self.loop_ctx(env, ctx, at_top), 1, 3)
        body = [increment] + body if at_top else body + [increment]
        if body[0] == "pass" or (body[-1] == "pass" and len(body) > 1):
            body = [line for line in body if line != "pass"]
        merged = _Env.meet([env, end_env])
        env.update(merged)
        return lines + [f"while {test}:"] + _indent(body)

    def stmt_try(
        self,
        env,
        ctx,
        prefix: list[str] | None = None,
        body_env: _Env | None = None,
        prefix_done: bool = False,
        watcher: str | None = None,
    ) -> list[str]:
        """A try statement.  Its body may end in a jump; handlers may fall through, return,
        re-raise or jump; an ``else`` may store; a ``finally`` may return.  ``prefix`` (with
        the env after it) starts the body with given statements; then the first handler
        catches every Exception and reads ``watcher``, and so may a finally."""
        inner = ctx.nested()
        body_ctx = ctx.nested(keep_bound=ctx.keep_bound | env.names())
        if prefix is None:
            body, body_env, body_done = self.block(env.copy(), body_ctx, 1, 3, terminator=True)
        else:
            assert body_env is not None
            body, body_done = prefix, prefix_done
            if not prefix_done:
                more, body_env, body_done = self.block(body_env, body_ctx, 0, 2, terminator=True)
                body = prefix + [line for line in more if line != "pass"]
        lines = ["try:"] + _indent(body)
        start = _Env.meet([env, body_env])
        ends: list[_Env] = []  # envs of the paths that reach the code after the statement
        entered: list[_Env] = [start]  # envs of every path that reaches a finally
        if watcher is not None:
            lines.append("except Exception:")
            handler_env = start.copy()
            kind = self.d.pick(["return", "maybe_reraise", "fall through", "store"])
            if kind == "return":
                handler = [f"return {self.read_var([watcher])}"]
            elif kind == "maybe_reraise":
                handler = [f"if {self.read_var([watcher])} % 2 == {self.d.int(0, 1)}:", "    raise"]
                handler.append(f"return {self.read_var([watcher])} + {self.const().text}")
            elif kind == "store":
                handler = [f"obj.val = {self.read_var([watcher])}"]
                self.bits[OBJ] = LIMIT
            else:
                handler = ["pass"]
            lines += _indent(handler)
            entered.append(handler_env)
            if kind in ("fall through", "store"):
                ends.append(handler_env)
        for _ in range(self.d.int(0 if watcher else 1, 1 if watcher else 2)):
            lines.append(f"except {self.d.pick(_EXCEPT_CLAUSES)}:")
            kind = self.d.weighted([(5, "block"), (2, "reraise"), (2, "maybe_reraise")])
            handler_env = start.copy()
            handler: list[str] = []
            done = False
            if kind == "reraise":
                handler, handler_env, _ = self.block(handler_env, inner, 0, 1)
                handler = [line for line in handler if line != "pass"] + ["raise"]
                done = True
            else:
                if kind == "maybe_reraise":
                    handler = [f"if {self.cond(handler_env, inner, 1)}:", "    raise"]
                more, handler_env, done = self.block(handler_env, inner, 0 if handler else 1, 2, terminator=True)
                handler += [line for line in more if line != "pass"] or ([] if handler else ["pass"])
            lines += _indent(handler)
            entered.append(handler_env)
            if not done:
                ends.append(handler_env)
        if not body_done and self.d.chance(40):
            lines.append("else:")
            orelse, body_env, body_done = self.block(body_env.copy(), inner, 1, 2, terminator=True)
            lines += _indent(orelse)
            entered.append(body_env)
        if not body_done:
            ends.insert(0, body_env)
        if self.d.chance(30):
            fin_ctx = inner.nested(can_break=False, can_continue=False)
            final, fin_end, _ = self.block(_Env.meet(entered), fin_ctx, 1, 2)
            if self.d.chance(30):
                final = [line for line in final if line != "pass"]
                if watcher in fin_end.vars and self.d.chance(60):
                    returned = self.read_var([watcher])
                else:
                    returned = self.expr(fin_end, fin_ctx, 1).text
                final.append(f"return {returned}")
                ends = []
            lines += ["finally:"] + _indent(final)
            ends = [_Env.meet([e, fin_end]) for e in ends]
        # After a statement that always jumps, the code is unreachable: any env will do.
        env.update(_Env.meet(ends) if ends else start)
        return lines

    def stmt_shared_try(self, env, ctx) -> list[str]:
        """The shape that broke real code: a try body computes a value, then rebinds a name
        that a handler, the finally or the code after the try reads, then uses the value
        (``ret = func(); found = True; return ret``).  The value must not move past the store."""
        lines: list[str] = []
        candidates = [v for v in env.vars if self.assignable(v, ctx)]
        if candidates and self.d.chance(50):
            shared = self.pick_var(candidates)
        else:
            shared = self.fresh("x")
            lines.append(f"{shared} = 0")
            self.bind(env, shared, 10)
        body_env = env.copy()
        value = self.value_not_reading(body_env, ctx, shared)
        result = self.fresh("x")
        new = self.plain_value(body_env, shared)
        body = [f"{result} = {value.text}", f"{shared} = {new.text}"]
        self.bind(body_env, result, value.bits)
        self.bind(body_env, shared, new.bits)
        use = self.d.weighted([(3, "return"), (2, "assign"), (1, "later")])
        if use == "return":
            body.append(f"return {self.read_var([result])}")
        elif use == "assign":
            other = self.fresh("x")
            read = self.read_var([result])
            if self.d.chance(50):
                total = self.fit(_E(f"{read} + {self.read_var([shared])}", LIMIT + 1, False))
            else:
                total = _E(f"p1({read})", PRIM_BITS, True)
            body.append(f"{other} = {total.text}")
            self.bind(body_env, other, total.bits)
            self.retire(body_env, result)
        lines += self.stmt_try(env, ctx, prefix=body, body_env=body_env, prefix_done=use == "return", watcher=shared)
        return lines

    def value_not_reading(self, env, ctx, name: str) -> _E:
        """A value that does not read ``name`` (so only a store to it lies in its way): under
        strict, mostly one that calls or may raise."""
        others = env.copy()
        if name in others.vars:
            others.vars.remove(name)
        if self.strict:
            kind = self.d.weighted(
                [(3, "effect"), (3 if others.vars else 0, "often"), (1, "divmod"), (1 if env.funcs else 0, "func"), (1, "any")]
            )
            if kind == "often":  # raises ZeroDivisionError for every other value
                left = self.expr(others, ctx, 1)
                value = _E(f"{_paren(left)} // ({self.read_var(others.vars)} % 2)", left.bits + 1, False)
            elif kind == "effect":
                value = self.expr_effect_call(others, ctx, 2)
            elif kind == "divmod":
                value = self.expr_divmod(others, ctx, 2)
            elif kind == "func":
                value = self.expr_func_call(others, ctx, 2)
            else:
                value = self.assigned_value(others, ctx, 2)
        else:
            value = self.assigned_value(others, ctx, 2)
        return self.fit(value)

    def plain_value(self, env, *names: str) -> _E:
        """A constant or a variable other than ``names``: a store of it is no effect of its
        own."""
        others = [v for v in env.vars if v not in names]
        if others and self.d.chance(30):
            name = self.read_var(others)
            return _E(name, self.bits.get(name, LIMIT), True)
        # Not 0, the simplest value and so the likeliest old one; not negative: ``-1`` is an
        # operation.
        return _E(str(self.d.int(1, 9)), 4, True)

    def stmt_with(self, env, ctx) -> list[str]:
        """``with cm(x) [as w]:`` (the context manager logs; it swallows some exceptions, so
        the code after it may see a body cut short)."""
        arg = self.fit(self.expr(env, ctx, 1))
        body_env = env.copy()
        header = f"with cm({arg.text}):"
        if self.d.chance(50):
            name = self.fresh("w")
            header = f"with cm({arg.text}) as {name}:"
            self.bind(body_env, name, arg.bits)
        body_ctx = ctx.nested(keep_bound=ctx.keep_bound | env.names())
        body, body_env, _ = self.block(body_env, body_ctx, 1, 3, terminator=True)
        env.update(_Env.meet([env, body_env]))
        return [header] + _indent(body)

    def stmt_peek(self, env, ctx) -> list[str]:
        """A closure reads a local, is passed to a call (or called), then the local is rebound:
        the call must still see the old value."""
        var = self.pick_var([v for v in env.vars if self.assignable(v, ctx)])
        fctx = self.function_ctx(ctx)
        param = self.fresh("u")
        inner = env.copy()
        inner.gens = []
        inner.add_var(param)
        self.bits[param] = LIMIT
        with self.track_reads() as reads:
            self.note_read(var)
            body = self.fit(self.expr(inner, fctx, 1))
        self.capture({r for r in reads if r in env.vars or r in env.lists or r in env.tuples})
        body_text = f"{var} + {_paren(body)}" if self.d.chance(70) else body.text
        lines = []
        if self.d.chance(50):
            name = self.fresh("f")
            lines.append(f"def {name}({param}):")
            lines.append(f"    return {body_text}")
            env.funcs[name] = 1
            callee = name
        else:
            callee = f"lambda {param}: {body_text}"
        arg = self.fit(self.expr(env, ctx, 1))
        result = self.fresh("x")
        if callee.startswith("lambda") or self.d.chance(70):
            lines.append(f"{result} = ap({callee}, {arg.text})")
        else:
            lines.append(f"{result} = {callee}({arg.text})")
        self.bind(env, result, LIMIT)
        new = self.plain_value(env, var, result)
        lines.append(f"{var} = {new.text}")
        self.bind(env, var, new.bits)
        if self.d.chance(60):
            other = self.fresh("x")
            total = self.fit(_E(f"{self.read_var([result])} + {self.read_var([var])}", LIMIT + 1, False))
            lines.append(f"{other} = {total.text}")
            self.bind(env, other, total.bits)
            self.retire(env, result)
        else:
            env.add_var(result)  # most recent: the next reads favour it
        return lines

    # -- lifetimes, suspension, frames (strict only) --------------------------------------------

    def droppable_objects(self, env: _Env, ctx: _Ctx) -> list[str]:
        """Objects and generators that a ``del`` or a rebinding to None may drop here (not
        those a later round of a loop or a handler may still read)."""
        return [n for n in env.objs + env.fgens if n not in ctx.keep_bound]

    def stmt_finalizer(self, env, ctx) -> list[str]:
        """``o = Fin(x)``: an object that logs when it dies, new or rebinding (so killing)
        an older one."""
        self.uses.add("Fin")
        value = self.fit(self.expr(env, ctx, self.d.int(0, 2)))
        if env.objs and self.d.chance(45):
            name = self.d.pick(env.objs)
        else:
            name = self.fresh("o")
            env.objs.append(name)
        return [f"{name} = Fin({value.text})"]

    def stmt_drop(self, env, ctx) -> list[str]:
        """The end of an object's or a generator's life: ``del o`` or ``o = None``."""
        name = self.d.pick(self.droppable_objects(env, ctx))
        for kind in ("objs", "fgens"):
            if name in getattr(env, kind):
                getattr(env, kind).remove(name)
        return [f"del {name}" if self.d.chance(50) else f"{name} = None"]

    def stmt_weak_ref(self, env, ctx) -> list[str]:
        """``r = weakref.ref(o)`` (of a held object, or of one that dies at once)."""
        self.uses |= {"Fin", "weakref"}
        name = self.fresh("r")
        if env.objs and self.d.chance(75):
            target = self.d.pick(env.objs)
            self.note_read(target)
        else:
            target = f"Fin({self.fit(self.expr(env, ctx, 1)).text})"
        env.refs.append(name)
        return [f"{name} = weakref.ref({target})"]

    def stmt_ref_check(self, env, ctx) -> list[str]:
        """``note(r() is None)``: whether the referent has died yet is logged."""
        name = self.d.pick(env.refs)
        self.note_read(name)
        return [f"note({name}() is None)"]

    def stmt_finally_gen(self, env, ctx) -> list[str]:
        """``g = gen(x)`` (its ``finally`` logs when it is exhausted or dies), often advanced
        at once."""
        self.uses.add("gen")
        value = self.fit(self.expr(env, ctx, self.d.int(0, 2)))
        name = self.d.pick(env.fgens) if env.fgens and self.d.chance(25) else self.fresh("g")
        if name not in env.fgens:
            env.fgens.append(name)
        lines = [f"{name} = gen({value.text})"]
        if self.d.chance(50):
            result = self.fresh("x")
            lines.append(f"{result} = next({name})")
            self.bind(env, result, LIMIT)
        return lines

    def stmt_suspended(self, env, ctx) -> list[str]:
        """A generator or coroutine closure reads a variable of target after it resumes;
        target rebinds that variable while the closure is suspended."""
        candidates = [v for v in env.vars if self.assignable(v, ctx) and v != GLOBAL]
        lines: list[str] = []
        if candidates and self.d.chance(50):
            var = self.pick_var(candidates)
        else:
            var = self.fresh("s")
            lines.append(f"{var} = {self.fit(self.expr(env, ctx, 1)).text}")
            self.bind(env, var, LIMIT)
        self.capture({var})
        name, param, got, coro, first = (self.fresh(p) for p in ("k", "u", "d", "c", "x"))
        fctx = self.function_ctx(ctx)
        inner = env.copy()
        inner.gens = []
        inner.add_var(param)
        inner.add_var(got)
        self.bits[param] = self.bits[got] = LIMIT
        asynchronous = self.d.chance(50)
        suspend = "await pause()" if asynchronous else f"yield {param}"
        with self.track_reads() as reads:
            other = self.fit(self.expr(inner, fctx, 1))
        self.capture({r for r in reads if r in env.vars or r in env.lists or r in env.tuples})
        result = self.d.pick([f"p3({var}, {got}, {other.text})", f"({var} + {got}) % {CLAMP}", f"p2({got}, {var})"])
        lines += [f"{'async ' if asynchronous else ''}def {name}({param}):", f"    {got} = {suspend}"]
        if self.d.chance(30):
            lines.append(f"    note({var})")
        lines.append(f"    return {result}")
        arg = self.fit(self.expr(env, ctx, 1))
        lines.append(f"{coro} = {name}({arg.text})")
        lines.append(f"start({coro})")
        new = self.plain_value(env, var)
        lines.append(f"{var} = {new.text}")
        self.bits[var] = LIMIT
        sent = self.fit(self.expr(env, ctx, 1))
        lines.append(f"{first} = finish({coro}, {sent.text})")
        self.bind(env, first, LIMIT)
        return lines

    def stmt_frame_peek(self, env, ctx) -> list[str]:
        """``peek("x")``: a callee reads target's local through ``sys._getframe(1)``."""
        self.uses |= {"peek", "sys"}
        names = sorted(self.int_names - {GLOBAL})
        return [f"peek({self.d.pick(names)!r})"]

    def stmt_frame_reader(self, env, ctx) -> list[str]:
        """A nested function that reads its own frame (strict leaves it as it is), called."""
        self.uses.add("sys")
        name, param, temp = self.fresh("f"), self.fresh("u"), self.fresh("t")
        fctx = self.function_ctx(ctx)
        inner = env.copy()
        inner.gens = []
        inner.add_var(param)
        self.bits[param] = LIMIT
        with self.track_reads() as reads:
            value = self.assigned_value(inner, fctx, self.d.int(1, 2))
        self.capture({r for r in reads if r in env.vars or r in env.lists or r in env.tuples})
        env.funcs[name] = 1
        return [f"def {name}({param}):", f"    {temp} = {value.text}",
                f"    note(sys._getframe().f_locals.get({temp!r}, -1))", f"    return {temp}"]

    def skipped_value(self, env, ctx) -> list[str]:
        """``x = value; return y; return x``: a value read only where the code never runs."""
        name = self.fresh("x")
        if self.strict and self.d.chance(70):
            value = self.expr_effect_call(env, ctx, 1)
        else:
            value = self.assigned_value(env, ctx, 1)
        returned = self.plain_value(env)
        after = self.d.pick([f"return {name}", f"return {name}", f"{self.fresh('x')} = {name} * 2"])
        return [f"{name} = {value.text}", f"return {returned.text}", after]

    def stmt_level_race(self, env, ctx) -> list[str]:
        """``x = call(); y = LEVEL + x``: the read of the conditional global, which may raise
        NameError, comes between the call and the read of its value."""
        result, other = self.fresh("x"), self.fresh("x")
        value = self.expr_effect_call(env, ctx, 1) if self.strict else self.assigned_value(env, ctx, 1)
        form = self.d.pick([f"({MODULE_GLOBAL} + {result}) % {CLAMP}", f"p2({MODULE_GLOBAL}, {result})"])
        self.bind(env, other, LIMIT)
        return [f"{result} = {value.text}", f"{other} = {form}"]

    def unreachable(self, env, ctx) -> list[str]:
        """A statement after a jump, reading a local: it never runs."""
        if not env.vars:
            return []
        name = self.read_var(env.vars)
        if not self.strict:
            return [f"return p1({name})"]
        return [self.d.pick([f"note({name})", f"return {name}", f"return {name}", f"{self.fresh('x')} = {name} * 2"])]

    def retire(self, env: _Env, name: str) -> None:
        """``name`` has had its one read: never read nor rebound again (so it stays a
        single-use variable that the inliner may move)."""
        env.vars.remove(name)
        self.protected.add(name)

    def stmt_global_race(self, env, ctx) -> list[str]:
        """``x = bump(...)`` then an expression reading ``count`` before ``x``."""
        arg = self.fit(self.expr(env, ctx, self.d.int(0, 1)))
        result = self.fresh("x")
        lines = [f"{result} = bump({arg.text})"]
        self.bind(env, result, PRIM_BITS)
        if self.d.chance(70):
            other = self.fresh("x")
            read = self.read_var([result])
            bits = max(self.read_bits(GLOBAL, ctx), PRIM_BITS) + 2
            form = self.d.pick([f"{GLOBAL} + {read}", f"{GLOBAL} * 3 - {read}", f"p2({GLOBAL}, {read})"])
            value = self.fit(_E(form, PRIM_BITS if form.startswith("p2") else bits, form.startswith("p2")))
            lines.append(f"{other} = {value.text}")
            self.bind(env, other, value.bits)
            self.retire(env, result)
        return lines

    def stmt_callee(self, env, ctx) -> list[str]:
        """A name in call position bound by a call: ``h = pick(x)``, later ``h(y)``."""
        name = self.fresh("h")
        arg = self.fit(self.expr(env, ctx, 1))
        maker = "epick" if ctx.effects and self.d.chance(50) else "pick"
        env.funcs[name] = 1
        return [f"{name} = {maker}({arg.text})"]

    def function_ctx(self, ctx: _Ctx) -> _Ctx:
        return ctx.nested(
            assume_limit=True,
            mutable_reads=self.strict,
            effects=self.strict,
            can_break=False,
            can_continue=False,
            keep_bound=frozenset(),
        )

    def capture(self, reads: set[str]) -> None:
        """Names read by code that runs later stay bound (and, under pure, unchanged)."""
        self.captured |= reads
        if not self.strict:
            self.frozen |= reads

    def stmt_closure(self, env, ctx) -> list[str]:
        name = self.fresh("f")
        fctx = self.function_ctx(ctx)
        candidates = [v for v in env.vars if v not in self.protected and v != GLOBAL]
        if self.strict and candidates and self.d.chance(50):
            return self.nonlocal_closure(env, fctx, name, self.pick_var(candidates))
        params = [self.fresh("u") for _ in range(self.d.int(0, 2))]
        defaults = self.defaults(env, ctx)
        inner = env.copy()
        inner.gens = []
        if not self.strict:
            inner.lists = []
        for p in params + [d.split("=")[0] for d in defaults]:
            inner.add_var(p)
        lines = [f"def {name}({', '.join(params + defaults)}):"]
        body: list[str] = []
        temps: list[str] = []
        with self.track_reads() as reads:
            for _ in range(self.d.int(0, 2)):
                kind = self.d.weighted(
                    [(3, "temp"), (2 if self.strict else 0, "effect"), (1 if self.strict else 0, "store"),
                     (4 if self.strict and temps else 0, "own_frame")]
                )
                if kind == "own_frame":  # the function reads its own frame (strict skips it)
                    self.uses.add("sys")
                    body.append(f"note(sys._getframe().f_locals.get({self.d.pick(temps)!r}, -1))")
                elif kind == "temp":
                    temp = self.fresh("t")
                    value = self.assigned_value(inner, fctx, self.d.int(1, 2))
                    body.append(f"{temp} = {value.text}")
                    inner.add_var(temp)
                    temps.append(temp)
                elif kind == "effect":
                    body.append(self.expr_effect_call(inner, fctx, 1).text)
                elif inner.lists and self.d.chance(50):
                    value = self.assigned_value(inner, fctx, 1)
                    body.append(f"{self.d.pick(inner.lists)}[{self.d.int(0, self.box_len - 1)}] = {value.text}")
                    self.bits[BOX] = LIMIT
                else:
                    value = self.assigned_value(inner, fctx, 1)
                    body.append(f"obj.val = {value.text}")
                    self.bits[OBJ] = LIMIT
            result = self.fit(self.expr(inner, fctx, self.d.int(0, 2)))
            body.append(f"return {result.text}")
        outer_reads = {r for r in reads if r in env.vars or r in env.lists or r in env.tuples}
        self.capture(outer_reads)
        env.funcs[name] = len(params)
        return lines + _indent(body)

    def nonlocal_closure(self, env, fctx, name, var) -> list[str]:
        param = self.fresh("u")
        inner = env.copy()
        inner.gens = []
        inner.add_var(param)
        with self.track_reads() as reads:
            if self.d.chance(40):
                body = [f"nonlocal {var}"] + self.nonlocal_try(inner, fctx, var)
            else:
                value = self.fit(self.expr(inner, fctx, self.d.int(1, 2)))
                body = [f"nonlocal {var}", f"{var} = {value.text}"]
                if self.d.chance(30):
                    body.append(self.expr_effect_call(inner, fctx, 1).text)
                if self.d.chance(60):
                    body.append(f"return {var}")
                else:
                    body.append(f"return {self.fit(self.expr(inner, fctx, 1)).text}")
        self.capture({r for r in reads if r in env.vars or r in env.lists or r in env.tuples} | {var})
        self.bits[var] = LIMIT
        env.funcs[name] = 1
        return [f"def {name}({param}):"] + _indent(body)

    def nonlocal_try(self, inner, fctx, var) -> list[str]:
        """``try: t = call(); var = ...; return t`` / ``except ...: if var: raise``, the
        wrapper that remembers whether its call got through."""
        temp = self.fresh("t")
        call = self.value_not_reading(inner, fctx, var)
        value = self.plain_value(inner, var)
        body = [f"{temp} = {call.text}", f"{var} = {value.text}", f"return {temp}"]
        handler_kind = self.d.pick(["maybe_reraise", "return", "reraise"])
        if handler_kind == "maybe_reraise":
            handler = [f"if {var} % 2:", "    raise", f"return {var}"]
        elif handler_kind == "return":
            handler = [f"return {var}"]
        else:
            handler = ["raise"]
        return ["try:"] + _indent(body) + [f"except {self.d.pick(_EXCEPT_CLAUSES)}:"] + _indent(handler)

    def stmt_lambda(self, env, ctx) -> list[str]:
        name = self.fresh("g")
        params = [self.fresh("u") for _ in range(self.d.int(1, 2))]
        defaults = self.defaults(env, ctx)
        fctx = self.function_ctx(ctx)
        inner = env.copy()
        inner.gens = []
        if not self.strict:
            inner.lists = []
        for p in params + [d.split("=")[0] for d in defaults]:
            inner.add_var(p)
        with self.track_reads() as reads:
            value = self.fit(self.expr(inner, fctx, self.d.int(1, 2)))
        self.capture({r for r in reads if r in env.vars or r in env.lists or r in env.tuples})
        env.funcs[name] = len(params)
        return [f"{name} = lambda {', '.join(params + defaults)}: {value.text}"]

    def defaults(self, env, ctx) -> list[str]:
        """Parameters with default values (evaluated once, where the function is defined)."""
        if not self.d.chance(25):
            return []
        name = self.fresh("k")
        value = self.fit(self.expr(env, ctx, self.d.int(0, 2)))
        return [f"{name}={value.text}"]

    def stmt_generator(self, env, ctx) -> list[str]:
        """A stored generator expression, consumed later, lazily.

        Under pure it is consumed only by the final return (never inside a value that is
        assigned): a call like ``sum(q)`` is not pure, and pure allows copying calls.
        """
        name = self.fresh("q")
        var = self.fresh("v")
        fctx = self.function_ctx(ctx)
        inner = env.copy()
        inner.gens = []
        inner.add_var(var)
        k = self.d.int(1, 3)
        with self.track_reads() as reads:
            value = self.fit(self.expr(inner, fctx, self.d.int(1, 2)))
        self.capture({r for r in reads if r in env.vars or r in env.lists or r in env.tuples})
        env.gens.append(name)
        return [f"{name} = ({value.text} for {var} in range({k}))"]

    # -- the module ----------------------------------------------------------------------------

    def module(self) -> str:
        env = _Env(vars=["a", "b", "c"])
        ctx = _Ctx(effects=self.strict)
        body: list[str] = []
        if self.d.chance(10):
            body.append('"""Generated oracle program."""')
        prelude: list[str] = []
        if self.d.chance(40):
            self.globals = self.d.pick(["declared", "declared", "read"] if self.strict else ["declared"])
            prelude = [f"{GLOBAL} = 0", "", ""] + self.helper() + ["", ""]
            self.bits[GLOBAL] = PRIM_BITS
            if self.globals == "declared":
                body.append(f"global {GLOBAL}")
                env.add_var(GLOBAL)
                self.int_names.add(GLOBAL)
                self.captured.add(GLOBAL)  # never deleted: bump reads it
        if self.d.chance(65):
            self.box_len = self.d.int(2, 3)
            items = [self.fit(self.expr(env, ctx, 1)) for _ in range(self.box_len)]
            self.bits[BOX] = max(i.bits for i in items)
            env.lists.append("box")
            body.append(f"box = [{', '.join(i.text for i in items)}]")
        binding, after = self.module_binding()
        statements, env, _ = self.block(env, ctx, 1, self.budget)
        body += [s for s in statements if s != "pass"]
        body.append(self.final_return(env, ctx))
        if self.d.chance(10):
            body += self.unreachable(env, ctx)
        header = ["# oracle program", ""] if self.d.chance(20) else []
        imports = [f"import {m}" for m in ("sys", "weakref") if m in self.uses]
        helpers = [line for name in ("Fin", "gen", "peek") if name in self.uses for line in _HELPERS[name] + ["", ""]]
        text = header + (imports + ["", ""] if imports else []) + binding + prelude + helpers
        return "\n".join(text + ["def target(a, b, c):"] + _indent(body) + after) + "\n"

    def module_binding(self) -> tuple[list[str], list[str]]:
        """Sometimes a global that target may read is bound conditionally: only inside an
        ``if`` or a ``try`` at module level (under strict possibly never), or after an
        import-time call of target (under strict only; it then reads it unbound once).
        Returns the lines before target and the lines after it."""
        kind = self.d.weighted([(9, "none"), (1, "if"), (1, "try"), (1 if self.strict else 0, "late")])
        if kind == "none":
            return [], []
        self.modglobal = MODULE_GLOBAL
        value = self.d.int(1, 9)
        bound = not self.strict or self.d.chance(70)
        if kind == "if":
            lines = [f"if len(__name__) {'>' if bound else '<'} 3:", f"    {MODULE_GLOBAL} = {value}"]
            if bound and self.d.chance(50):
                lines += ["else:", f"    {MODULE_GLOBAL} = {value + 1}"]
            return lines + ["", ""], []
        if kind == "try":
            fallback = f"{MODULE_GLOBAL} = {value}" if bound else "pass"
            return ["try:", f"    from oracle_missing_module import {MODULE_GLOBAL}", "except ImportError:",
                    f"    {fallback}", "", ""], []
        after = ["", "", "try:", "    target(1, 2, 3)", "except Exception as exc:",
                 '    note("import", type(exc).__name__)', f"{MODULE_GLOBAL} = {value}"]
        return [], after

    def helper(self) -> list[str]:
        """``bump(u)``: rebinds the global counter (kept small) and returns a value."""
        kind = self.d.pick(["new", "old", "sum"])
        lines = ["def bump(u):", f"    global {GLOBAL}"]
        if kind == "old":
            lines += [f"    old = {GLOBAL} % {PRIM_MOD}", f"    {GLOBAL} = ({GLOBAL} * 3 + u) % {PRIM_MOD}", "    return old"]
        elif kind == "sum":
            lines += [f"    {GLOBAL} = ({GLOBAL} + u % 7 + 1) % {PRIM_MOD}", f"    return {GLOBAL} + 1"]
        else:
            lines += [f"    {GLOBAL} = ({GLOBAL} * 3 + u) % {PRIM_MOD}", f"    return {GLOBAL}"]
        return lines

    def final_return(self, env, ctx) -> str:
        parts = []
        for _ in range(self.d.int(1, 3)):
            kind = self.d.weighted(
                [(5 if env.vars else 0, "var"), (2, "expr"), (1, "state"), (3 if env.gens else 0, "consume")]
            )
            if kind == "consume":
                parts.append(self.expr_consume(env, ctx, 1).text)
            elif kind == "var":
                parts.append(self.read_var(env.vars))
            elif kind == "state":
                options = ["obj.val"] + [f"{lst}[0]" for lst in env.lists] + ([GLOBAL] if self.globals != "none" else [])
                parts.append(self.d.pick(options))
            else:
                parts.append(_paren(self.expr(env, ctx, 2)))
        if len(parts) > 1 and self.d.chance(30):
            return "return " + ", ".join(parts)
        return "return " + " + ".join(parts)


MODULE_GLOBAL = "LEVEL"
"""The global a program may bind conditionally at module level (see ``module_binding``)."""

_HELPERS = {
    "Fin": [
        "class Fin:",
        "    def __init__(self, v):",
        "        self.v = v",
        "",
        "    def __del__(self):",
        '        note("del", self.v)',
    ],
    "gen": [
        "def gen(v):",
        "    try:",
        "        yield v",
        "        yield p1(v)",
        "    finally:",
        '        note("gen done", v)',
    ],
    "peek": [
        "def peek(name):",
        '    note("peek", name, sys._getframe(1).f_locals.get(name, -1))',
    ],
}
"""Module-level helpers of strict programs: an object that logs when it dies, a generator
whose ``finally`` logs, and a callee that reads its caller's frame."""


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


# ---------------------------------------------------------------------------------------------
# Public strategies
# ---------------------------------------------------------------------------------------------


def generate_program(draw_int: Callable[[int, int], int], mode: str, max_statements: int = 16) -> str:
    """Program text from an integer-drawing function ``draw_int(lo, hi)``."""
    return _Generator(_Choices(draw_int), mode, max_statements).module()


class _HypothesisChoices(_Choices):
    """Choices drawn by hypothesis; each group is a nested strategy, so that the shrinker
    can delete or simplify a whole statement or subexpression at once."""

    def __init__(self, draw):
        self._draws = [draw]
        super().__init__(lambda lo, hi: self._draws[-1](_integers(lo, hi)))

    def group(self, fn: Callable[[], Any]) -> Any:
        return self._draws[-1](_grouped(self, fn))


@functools.lru_cache(maxsize=None)
def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


@st.composite
def _grouped(draw, choices: _HypothesisChoices, fn: Callable[[], Any]) -> Any:
    choices._draws.append(draw)
    try:
        return fn()
    finally:
        choices._draws.pop()


@st.composite
def programs(draw, mode: str = "strict", max_statements: int = 16) -> str:
    """Source text of a module defining ``target(a, b, c)`` (see the module docstring)."""
    return _Generator(_HypothesisChoices(draw), mode, max_statements).module()


argument_triples = st.tuples(
    st.integers(-ARG_LIMIT, ARG_LIMIT), st.integers(-ARG_LIMIT, ARG_LIMIT), st.integers(-ARG_LIMIT, ARG_LIMIT)
)

FIXED_ARGUMENTS: tuple[tuple[int, int, int], ...] = ((0, 0, 0), (1, 2, 3), (-4, 7, 12), (5, -3, -1))


# ---------------------------------------------------------------------------------------------
# A check every property suite makes of every result
# ---------------------------------------------------------------------------------------------

INTERNAL_ERROR = "internal-error"
"""The fallback reason of a crash inside the inliner (``FallbackReason.INTERNAL_ERROR``)."""


def internal_errors(result) -> list[str]:
    """Where an ``InlineResult`` reports a crash inside the inliner, module or function.

    ``inline_source`` turns any exception into a fallback that returns the original text, a
    valid outcome for every other check; a property suite must fail on it instead.
    """
    found = []
    code = getattr(result.reason_code, "value", result.reason_code)
    if code == INTERNAL_ERROR or (result.reason or "").startswith(INTERNAL_ERROR):
        found.append(f"module: {result.reason}")
    for report in result.functions:
        if getattr(report.reason, "value", report.reason) == INTERNAL_ERROR:
            found.append(f"{report.qualname} (line {report.line}): {report.detail}")
    return found


# ---------------------------------------------------------------------------------------------
# What a program contains (for the generator's own coverage test)
# ---------------------------------------------------------------------------------------------


def constructs(source: str) -> set[str]:
    """Names of the constructs present in a generated program."""
    tree = ast.parse(source)
    found: set[str] = set()
    target = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "target")
    simple = {
        ast.If: "if",
        ast.For: "for",
        ast.While: "while",
        ast.Lambda: "lambda",
        ast.ListComp: "listcomp",
        ast.DictComp: "dictcomp",
        ast.GeneratorExp: "genexp",
        ast.IfExp: "ifexp",
        ast.AugAssign: "augassign",
        ast.Delete: "del",
        ast.Try: "try",
        ast.Nonlocal: "nonlocal",
        ast.AnnAssign: "annassign",
        ast.Break: "break",
        ast.Continue: "continue",
        ast.Compare: "compare",
        ast.UnaryOp: "unary",
    }
    ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
    for node in ast.walk(target):
        for cls, label in simple.items():
            if isinstance(node, cls):
                found.add(label)
        if isinstance(node, ast.BoolOp):
            found.add("and" if isinstance(node.op, ast.And) else "or")
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            found.add("binop " + ops[type(node.op)])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            found.add("unary -")
        if isinstance(node, ast.If) and len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
            found.add("elif")
        if isinstance(node, ast.If) and node.orelse:
            found.add("else")
        if isinstance(node, ast.FunctionDef) and node is not target:
            found.add("nested def")
        if isinstance(node, ast.NamedExpr):
            found.add("walrus")
        if isinstance(node, (ast.Assign, ast.For)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, (ast.Tuple, ast.List)) for t in targets):
                found.add("unpack")
            if isinstance(node, ast.Assign) and len(node.targets) > 1:
                found.add("chained assign")
        if isinstance(node, ast.Attribute):
            found.add("attribute " + type(node.ctx).__name__.lower())
        if isinstance(node, ast.Subscript):
            found.add("subscript " + type(node.ctx).__name__.lower())
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in PURE_PRIMITIVES:
                found.add("pure call")
            if node.func.id in LOGGING_PRIMITIVES:
                found.add("logging call")
        if isinstance(node, ast.Return):
            found.add("return")
        if isinstance(node, ast.If) and any(isinstance(s, ast.Return) for s in node.body):
            found.add("early return")
    if target.body and isinstance(target.body[-1], ast.Return):
        found.add("return at end")
    # Uses of plain local variables in target's own scope.
    loads: dict[str, int] = {}
    stores: set[str] = set()
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
            elif isinstance(node.ctx, ast.Store) and node.id.startswith("x"):
                stores.add(node.id)
    if any(loads.get(v, 0) == 0 for v in stores):
        found.add("unused variable")
    if any(loads.get(v, 0) == 1 for v in stores):
        found.add("single-use variable")
    if any(loads.get(v, 0) >= 2 for v in stores):
        found.add("multi-use variable")
    chain = 0
    for stmt in target.body:
        chain = chain + 1 if isinstance(stmt, ast.Assign) else 0
        if chain >= 3:
            found.add("assignment chain")
    for node in ast.walk(target):
        if isinstance(node, ast.FunctionDef) and node is not target:
            if any(isinstance(s, ast.Nonlocal) for s in node.body):
                continue
            inner_loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            params = {a.arg for a in node.args.args}
            if inner_loads & (stores | {"a", "b", "c"}) - params:
                found.add("closure read")
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and getattr(node.iter.func, "id", "") == "range":
            found.add("for range")
    found |= _shared_constructs(target)
    found |= _lifetime_constructs(tree, target)
    return found


def _lifetime_constructs(tree: ast.Module, target: ast.FunctionDef) -> set[str]:
    """Object lifetimes, suspension, unreachable code, frames and conditional globals."""
    found: set[str] = set()
    names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for node in ast.walk(target):
        if _called(node, "Fin"):
            found.add("finalizer object")
        if _called(node, "val"):
            found.add("object passed to call")
        if isinstance(node, ast.Delete) and any(isinstance(t, ast.Name) and t.id[0] in "og" for t in node.targets):
            found.add("object dropped")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is None:
            found.add("object dropped")
        if isinstance(node, ast.Attribute) and node.attr == "ref" and getattr(node.value, "id", "") == "weakref":
            found.add("weak reference")
        if _called(node, "note") and node.args and isinstance(node.args[0], ast.Compare):
            found.add("weak reference checked")
        if _called(node, "gen"):
            found.add("generator with finally")
        if _called(node, "next") and node.args and getattr(node.args[0], "id", "")[:1] == "g":
            found.add("generator advanced")
        if isinstance(node, ast.AsyncFunctionDef):
            found.add("coroutine suspended while its free variable is rebound")
        if isinstance(node, ast.FunctionDef) and node is not target and any(
                isinstance(n, ast.Yield) for n in ast.walk(node)):
            found.add("generator suspended while its free variable is rebound")
        if _called(node, "peek"):
            found.add("frame-reading callee")
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "_getframe" and not node.args:
            found.add("own frame read")
    for block in _blocks(target):
        for i, statement in enumerate(block[:-1]):
            if isinstance(statement, _JUMPS) and _names(block[i + 1:], ast.Load) - PRIMITIVE_NAMES:
                found.add("unreachable read")
    rebound = [n for n in ast.walk(target) if isinstance(n, ast.Assign) and _called(n.value, "Fin")]
    bound = [t.id for n in rebound for t in n.targets if isinstance(t, ast.Name)]
    in_loops = [n for loop in ast.walk(target) if isinstance(loop, (ast.For, ast.While))
                for n in ast.walk(loop) if isinstance(n, ast.Assign) and _called(n.value, "Fin")]
    if len(bound) != len(set(bound)) or in_loops:
        found.add("object rebound")
    if MODULE_GLOBAL in names:
        found.add("conditional module global read")
    top = [n for n in tree.body if isinstance(n, (ast.If, ast.Try))]
    if any(MODULE_GLOBAL in _names([n], ast.Store) for n in top):
        found.add("global bound in if or try")
    if any(isinstance(n, ast.Try) and _called(getattr(n.body[0], "value", None), "target") for n in top):
        found.add("global bound after an import-time call")
    return found


_JUMPS = (ast.Return, ast.Raise, ast.Break, ast.Continue)
_SCOPES = (ast.FunctionDef, ast.Lambda)


def _blocks(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list in ``tree`` (bodies, else and finally parts, handlers)."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _names(nodes, ctx: type) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _called(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _shared_constructs(target: ast.FunctionDef) -> set[str]:
    """The constructs through which a store or a call can be observed by other code."""
    found: set[str] = set()
    for node in ast.walk(target):
        if isinstance(node, ast.Global):
            found.add("global")
        if isinstance(node, ast.With):
            found.add("with")
            if any(isinstance(n, ast.Try) for n in _ancestors_of(target, node)):
                found.add("with in try")
        if _called(node, "bump"):
            found.add("global helper call")
        if _called(node, "ap") and node.args and isinstance(node.args[0], (ast.Name, ast.Lambda)):
            found.add("closure passed to call")
        if isinstance(node, ast.FunctionDef) and any(isinstance(s, ast.Nonlocal) for s in node.body):
            if any(isinstance(s, ast.Try) for s in node.body):
                found.add("nonlocal in try")
        if not isinstance(node, ast.Try):
            continue
        stored = _names(node.body, ast.Store)
        found.add("try")
        if node.finalbody:
            found.add("finally")
            if any(isinstance(s, ast.Return) for s in node.finalbody):
                found.add("finally return")
            if stored & _names(node.finalbody, ast.Load):
                found.add("finally reads try store")
        if node.orelse:
            found.add("try else")
            if _names(node.orelse, ast.Store):
                found.add("store in try else")
        if any(isinstance(s, ast.Return) for s in node.body):
            found.add("return in try")
        if any(isinstance(n, ast.Try) for s in node.body for n in ast.walk(s)):
            found.add("nested try")
        if any(isinstance(n, (ast.For, ast.While)) for n in _ancestors_of(target, node)):
            found.add("try in loop")
        for handler in node.handlers:
            if any(isinstance(n, ast.Raise) and n.exc is None for s in handler.body for n in ast.walk(s)):
                found.add("re-raise")
            if not isinstance(handler.body[-1], _JUMPS):
                found.add("handler falls through")
            if stored & _names(handler.body, ast.Load):
                found.add("handler reads try store")
    for block in _blocks(target):
        for i, statement in enumerate(block):
            later = block[i + 1 :]
            if isinstance(statement, ast.Try):
                if _names(statement.body, ast.Store) & _names(later, ast.Load):
                    found.add("read after try of a try store")
            if isinstance(statement, ast.Assign) and _called(statement.value, "bump"):
                if any(isinstance(n, ast.Name) and n.id == GLOBAL for s in later[:1] for n in ast.walk(s)):
                    found.add("global read after a call rebinding it")
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
                bound = {t.id for t in statement.targets if isinstance(t, ast.Name)}
                if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in bound
                       for s in later for n in ast.walk(s)):
                    found.add("callee bound by a call")
            scopes = [n for n in ast.walk(statement) if isinstance(n, _SCOPES)]
            free = _names([b for n in scopes for b in ([n.body] if isinstance(n, ast.Lambda) else n.body)], ast.Load)
            if free & _names(later, ast.Store):
                found.add("closure read, then rebound")
    return found


def _ancestors_of(tree: ast.AST, target: ast.AST) -> list[ast.AST]:
    path: list[ast.AST] = []

    def visit(node: ast.AST) -> bool:
        if node is target:
            return True
        path.append(node)
        if any(visit(child) for child in ast.iter_child_nodes(node)):
            return True
        path.pop()
        return False

    visit(tree)
    return path


ALL_CONSTRUCTS = frozenset(
    {
        "assignment chain", "single-use variable", "multi-use variable", "unused variable",
        "if", "elif", "else", "for", "for range", "while", "nested def", "closure read", "lambda",
        "listcomp", "dictcomp", "genexp", "ifexp", "and", "or", "augassign", "unpack",
        "chained assign", "annassign", "attribute load", "attribute store", "subscript load",
        "subscript store", "del", "walrus", "try", "return at end", "early return", "break",
        "continue", "binop +", "binop -", "binop *", "binop //", "binop %", "binop **",
        "unary -", "pure call", "compare",
        # try statements and globals, where a store can be seen by other code
        "finally", "finally return", "finally reads try store", "try else", "store in try else",
        "return in try", "nested try", "try in loop", "re-raise", "handler falls through",
        "handler reads try store", "read after try of a try store", "global",
        "callee bound by a call",
        # code that never runs, and a global bound only inside an if or a try
        "unreachable read", "conditional module global read", "global bound in if or try",
    }
)
"""Constructs expected in both modes."""

STRICT_ONLY_CONSTRUCTS = frozenset(
    {
        "nonlocal", "logging call", "with", "with in try", "global helper call",
        "global read after a call rebinding it", "closure passed to call", "closure read, then rebound",
        "nonlocal in try",
        # lifetimes, suspension, frames (pure assumes no finalizers and no frame readers)
        "finalizer object", "object passed to call", "object dropped", "object rebound", "weak reference",
        "weak reference checked", "generator with finally", "generator advanced",
        "coroutine suspended while its free variable is rebound",
        "generator suspended while its free variable is rebound", "frame-reading callee", "own frame read",
        "global bound after an import-time call",
    }
)
