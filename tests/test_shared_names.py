"""Stores and reads that other code can see are ordering points: each row is a whole module,
run before and after inlining, in every variant (expand single/all, format kept or
canonical) under each policy the row names. The result (value or exception) and the log
of effects must be equal, the named variable kept for the named reason, and the controls
still inlined.

Every row that expects ``shared-name-between`` behaved differently after inlining before
the rule existed: the value was moved past the store (or after the read).
"""

from __future__ import annotations

import pytest

from helpers import code
from inliner import InlineOptions, inline_source

SHARED = "shared-name-between"
BOTH = ("strict", "pure")
STRICT = ("strict",)

COMMON = """
log = []

def record(value):
    log.append(value)
    return value

def fail(*args):
    log.append(("fail", args))
    raise ValueError("failed")

def call(fn):
    return fn()
"""

# (title, policies, variable, expected: a keep reason or "inlined", module)
ROWS = [
    # -- 1. global and nonlocal names --------------------------------------------------------
    ("a nonlocal flag set after the call, read by the handler", BOTH, "ret", SHARED, """
        def trim(func):
            found = False
            def wrapper(*args):
                nonlocal found
                try:
                    ret = func(*args)
                    found = True
                    return ret
                except TypeError:
                    if found:
                        raise
                    return "retried"
            return wrapper

        def bad(x):
            raise TypeError("arity")

        def entry():
            return trim(bad)(1)
        """),
    ("a global set after a call that raises", BOTH, "r", SHARED, """
        state = 0

        def f():
            global state
            r = fail()
            state = 1
            return r

        def entry():
            try:
                f()
            except ValueError:
                pass
            return state
        """),
    # -- 2. names a closure reads -------------------------------------------------------------
    ("a local a nested function reads, rebound after the call", BOTH, "r", SHARED, """
        def f():
            x = 0
            def peek():
                return x
            r = call(peek)
            x = 1
            return r

        def entry():
            return f()
        """),
    ("a lambda in the value reads the local: the value reads it too", BOTH, "r",
     "rebound-between", """
        def f():
            x = 0
            r = call(lambda: x)
            x = 1
            return r

        def entry():
            return f()
        """),
    # -- 3. names read after an exception ---------------------------------------------------
    ("read by the handler", BOTH, "r", SHARED, """
        def f():
            done = False
            try:
                r = fail()
                done = True
                return r
            except ValueError:
                return done

        def entry():
            return f()
        """),
    ("read after a handler that falls through", BOTH, "r", SHARED, """
        def f():
            done = False
            try:
                r = fail()
                done = True
                record(r)
            except ValueError:
                pass
            return done

        def entry():
            return f()
        """),
    ("read by finally", BOTH, "r", SHARED, """
        def f():
            done = False
            try:
                r = fail()
                done = True
                return r
            finally:
                record(done)

        def entry():
            try:
                return f()
            except ValueError:
                return log
        """),
    ("nested try: the outer handler reads it", BOTH, "r", SHARED, """
        def f():
            stage = 0
            try:
                try:
                    r = fail()
                    stage = 1
                    return r
                except KeyError:
                    return -1
            except ValueError:
                return stage

        def entry():
            return f()
        """),
    ("try inside a loop: the next round reads it", BOTH, "r", SHARED, """
        def check(item):
            if item == 2:
                raise ValueError(item)
            return item * 10

        def f(items):
            status = "start"
            for item in items:
                try:
                    record(status)
                    status = "trying"
                    r = check(item)
                    status = "ok"
                    record(r)
                except ValueError:
                    pass
            return None

        def entry():
            return f([1, 2, 3])
        """),
    ("with inside try", BOTH, "r", SHARED, """
        class Manager:
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return False

        def f():
            done = False
            try:
                with Manager():
                    r = fail()
                    done = True
                    return r
            except ValueError:
                return done

        def entry():
            return f()
        """),
    ("a with whose manager swallows the exception", BOTH, "r", SHARED, """
        class Quiet:
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return True

        def f():
            done = False
            with Quiet():
                r = fail()
                done = True
                record(r)
            return done

        def entry():
            return f()
        """),
    ("a handler that re-raises", BOTH, "r", SHARED, """
        def f():
            done = False
            try:
                r = fail()
                done = True
                return r
            except ValueError:
                record(done)
                raise

        def entry():
            try:
                return f()
            except ValueError:
                return log
        """),
    ("finally that returns", BOTH, "r", SHARED, """
        def f():
            done = False
            try:
                r = fail()
                done = True
                return r
            finally:
                return done

        def entry():
            return f()
        """),
    ("a store in the else of a try, read by finally", BOTH, "r", SHARED, """
        def f():
            done = False
            try:
                record("body")
            except KeyError:
                return None
            else:
                r = fail()
                done = True
                return r
            finally:
                record(done)

        def entry():
            try:
                return f()
            except ValueError:
                return log
        """),
    # -- 4. reads of names a call may rebind -------------------------------------------------
    ("a global the call rebinds, read before it", STRICT, "x", SHARED, """
        count = 10

        def bump():
            global count
            count += 1
            return 0

        def f():
            x = bump()
            return count + x

        def entry():
            return f()
        """),
    ("a name in call position the call binds", STRICT, "v", SHARED, """
        def init():
            global helper
            helper = lambda v: v + 1
            return 1

        def f():
            v = init()
            return helper(v)

        def entry():
            return f()
        """),
    ("a free variable a sibling rebinds with nonlocal", STRICT, "x", SHARED, """
        def outer():
            n = 1
            def bump():
                nonlocal n
                n += 10
                return 0
            def read():
                x = bump()
                return n + x
            return read()

        def entry():
            return outer()
        """),
    # Reading a name bound nowhere may raise NameError: an operation that may raise (in a
    # module that imports what it uses; one with no import is a fragment, see the next rows).
    ("a name bound nowhere: the call's effects come first", STRICT, "v", "effect-between", """
        import os

        def f():
            v = record("effect")
            return missing_name(v)

        def entry():
            try:
                return f()
            except NameError:
                return log
        """),
    ("globals() makes every global volatile", STRICT, "x", SHARED, """
        count = 10

        def bump():
            globals()["count"] = 11
            return 0

        def f():
            x = bump()
            return count + x

        def entry():
            return f()
        """),
    ("a call that rebinds a global through __globals__", STRICT, "t", SHARED, """
        import os

        G = 1

        def h():
            h.__globals__["G"] = 2
            return 0

        def f():
            t = h()
            y = G
            return y + t

        def entry():
            return f()
        """),
    # -- controls: still inlined --------------------------------------------------------------
    ("control: a fragment with no import gets its free names from its runner", STRICT, "v",
     "inlined", """
        def f():
            v = record("effect")
            return (provided_by_runner, v)

        def entry():
            runner, v = f()
            return (runner.__name__, v)
        """),
    ("control: a try with no store between definition and use", BOTH, "r", "inlined", """
        def f():
            try:
                r = fail()
                return r
            except ValueError:
                return "caught"

        def entry():
            return f()
        """),
    ("control: a global that nothing declares global", BOTH, "x", "inlined", """
        LIMIT = 10

        def f():
            x = record(1)
            return (LIMIT, x)

        def entry():
            return f()
        """),
    ("control: a plain local stored in between", BOTH, "r", "inlined", """
        def f():
            done = False
            r = record(1)
            done = True
            return r, done

        def entry():
            return f()
        """),
    ("control: a name stored in a try and read only in the straight line after", BOTH, "r",
     "inlined", """
        def f():
            try:
                r = record(1)
                done = True
                return r, done
            except ValueError:
                return None

        def entry():
            return f()
        """),
]

VARIANTS = [
    pytest.param(expand, preserve, id=f"{expand}-{'preserving' if preserve else 'canonical'}")
    for expand in ("single", "all") for preserve in (True, False)
]


def _outcome(source: str) -> tuple[object, object]:
    namespace: dict[str, object] = {
        "__name__": "shared_names_case",
        "provided_by_runner": lambda value: ("provided", value),  # as a runner injects names
    }
    exec(compile(source, "<case>", "exec"), namespace)  # noqa: S102 - the test's own code
    try:
        value: object = ("value", repr(namespace["entry"]()))  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001 - the outcome under test
        value = ("raised", type(error).__name__, str(error))
    return value, repr(namespace["log"])


def _cases():
    for title, policies, variable, expected, module in ROWS:
        for policy in policies:
            yield pytest.param(policy, variable, expected, COMMON + code(module),
                               id=f"{title} [{policy}]")


@pytest.mark.parametrize(("expand", "preserve_format"), VARIANTS)
@pytest.mark.parametrize(("policy", "variable", "expected", "source"), list(_cases()))
def test_behaviour_kept(policy, variable, expected, source, expand, preserve_format):
    options = InlineOptions(policy=policy, expand=expand, preserve_format=preserve_format)
    result = inline_source(source, options)
    assert result.reason is None or "internal-error" not in result.reason, result
    assert all(f.status != "fallback" for f in result.functions), result
    assert _outcome(result.code) == _outcome(source), result.code
    inlined = {name for f in result.functions for name in f.inlined}
    kept = {k.name: k.reason.value for k in result.kept}
    if expected == "inlined":
        assert variable in inlined, result
    else:
        assert kept.get(variable) == expected, result


def test_every_shared_row_changed_behaviour_under_the_old_rule(monkeypatch):
    """The rows are real regressions: planted without the rule, the inliner changes what
    each strict row's module does (in at least one variant)."""
    import inliner.effects
    import inliner.plan

    monkeypatch.setattr(inliner.plan, "shared_barrier_for", lambda policy: inliner.effects.Effect.NONE)
    # The lifetime rule keeps most of these variables too (their values are calls nothing is
    # known about): without it, the shared-name rule alone must be what keeps behaviour.
    monkeypatch.setattr(inliner.plan._Planner, "dies_unseen", lambda self, sites: True)
    monkeypatch.setattr(inliner.plan._Planner, "escapes", lambda self, sites: False)
    unchanged = []
    for title, _policies, _variable, expected, module in ROWS:
        if expected != SHARED:
            continue
        source = COMMON + code(module)
        differs = False
        for expand in ("single", "all"):
            for preserve in (True, False):
                options = InlineOptions(policy="strict", expand=expand, preserve_format=preserve)
                if _outcome(inline_source(source, options).code) != _outcome(source):
                    differs = True
        if not differs:
            unchanged.append(title)
    assert unchanged == []


# A read of a name bound nowhere may raise NameError: under strict with drop_dead it is
# never dropped, whatever else the module says about its globals.
MISSING_NAME_MODULES = {
    "the module mentions globals()": "def g():\n    return globals()\n",
    "a function declares it global but never binds it": "def g():\n    global undefined_name\n    return 0\n",
    "only a class attribute has that name": "class K:\n    undefined_name = 1\n",
    "only another function's local has that name": "def g():\n    undefined_name = 1\n    return undefined_name\n",
}


@pytest.mark.parametrize("preserve_format", [True, False])
@pytest.mark.parametrize("extra", list(MISSING_NAME_MODULES.values()), ids=list(MISSING_NAME_MODULES))
def test_a_read_of_a_missing_name_is_never_dropped(extra, preserve_format):
    source = "import os\n\n" + extra + "\ndef f():\n    y = undefined_name\n    return 1\n\ndef entry():\n    return f()\n"
    options = InlineOptions(drop_dead=True, preserve_format=preserve_format)
    result = inline_source(source, options)
    assert "y = undefined_name" in result.code
    namespace: dict[str, object] = {}
    exec(compile(result.code, "<case>", "exec"), namespace)  # noqa: S102 - the test's own code
    with pytest.raises(NameError):
        namespace["entry"]()  # type: ignore[operator]
