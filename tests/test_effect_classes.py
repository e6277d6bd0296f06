"""What strict must not change, class by class: each row is a whole module, run before and
after inlining in every strict variant (expand single/all, format kept or canonical). The
result (value or exception) and the log of effects must be equal, and the named variable
kept for the named reason (or, in a control row, inlined). A read that may raise
``NameError`` is an effect of its own, so such rows say ``effect-between``; a read whose
value other code may change says ``shared-name-between``.

Each kept row also names the rewrite an inliner that ignored the class would make (the
text the tool wrote before the class was handled), and a test runs that rewrite to show
it really changes what the module does.
"""

from __future__ import annotations

import itertools
import sys
import types

import pytest

from helpers import code
from inliner import InlineOptions, inline_source

COMMON = """
log = []

def record(value):
    log.append(value)
    return value
"""

# (title, variable, expected: a keep reason or "inlined", module, (unsafe text, its place))
ROWS = [
    # -- 1. object lifetime ---------------------------------------------------------------------
    ("a temporary file lives while its name is used", "tmp", "lifetime", """
        from os.path import exists
        from tempfile import NamedTemporaryFile

        def f():
            tmp = NamedTemporaryFile()
            name = tmp.name
            return exists(name)

        def entry():
            return f()
        """, ("name = NamedTemporaryFile().name", "tmp = NamedTemporaryFile()\n    name = tmp.name")),
    ("a generator's finally runs when the function ends", "g", "lifetime", """
        def gen():
            try:
                yield 1
            finally:
                log.append("closed")

        def f():
            g = gen()
            v = next(g)
            log.append("after")
            return v

        def entry():
            return f()
        """, ("v = next(gen())", "g = gen()\n    v = next(g)")),
    ("a weak reference to an object nothing else watches", "obj", "lifetime", """
        from weakref import ref as weak

        class Box:
            pass

        def f():
            obj = Box()
            ref = weak(obj)
            return ref() is not None

        def entry():
            return f()
        """, ("ref = weak(Box())", "obj = Box()\n    ref = weak(obj)")),
    ("a finalizer does not move ahead of later effects", "n", "lifetime", """
        class Noisy:
            def __del__(self):
                log.append("del")

        def f():
            n = Noisy()
            size = len(repr(type(n)))
            log.append("later")
            return size

        def entry():
            return f()
        """, ("size = len(repr(type(Noisy())))", "n = Noisy()\n    size = len(repr(type(n)))")),
    ("a lock file stays locked while the variable holds it", "lock", "lifetime", """
        import os
        import tempfile
        from fcntl import LOCK_EX, LOCK_NB, flock

        def probe(path):
            with open(path) as other:
                try:
                    flock(other, LOCK_EX | LOCK_NB)
                except BlockingIOError:
                    return "locked"
                return "free"

        def f(path):
            lock = open(path, "w")
            flock(lock, LOCK_EX)
            log.append(probe(path))
            return "done"

        def entry():
            handle, path = tempfile.mkstemp()
            os.close(handle)
            try:
                return f(path)
            finally:
                os.remove(path)
        """, ("flock(open(path, \"w\"), LOCK_EX)", "lock = open(path, \"w\")\n    flock(lock, LOCK_EX)")),
    ("a buffered write is not flushed early", "out", "lifetime", """
        import os
        import tempfile

        def f(path):
            out = open(path, "w")
            out.write("data")
            with open(path) as back:
                return back.read()

        def entry():
            handle, path = tempfile.mkstemp()
            os.close(handle)
            try:
                return f(path)
            finally:
                os.remove(path)
        """, ("open(path, \"w\").write(\"data\")", "out = open(path, \"w\")\n    out.write(\"data\")")),
    # -- 2. a rebinding ends a life -----------------------------------------------------------
    ("a rebinding releases a guard: the work stays inside", "payload", "effect-between", """
        class Guard:
            def __init__(self, name):
                self.name = name
                log.append(("acquire", name))

            def __del__(self):
                log.append(("release", self.name))

        def f():
            lock = Guard("a")
            payload = record("work")
            lock = None
            return payload

        def entry():
            return f()
        """, ("lock = None\n    return record(\"work\")", "payload = record(\"work\")\n    lock = None\n    return payload")),
    ("control: rebinding a name that only ever held constants", "r", "inlined", """
        def f():
            done = False
            r = record(1)
            done = True
            return r, done

        def entry():
            return f()
        """, None),
    # -- 3. unreachable code --------------------------------------------------------------------
    ("a read after return never runs", "x", "unreachable-read", """
        def f():
            x = record(1)
            return 0
            return x

        def entry():
            return f()
        """, ("return 0\n    return record(1)", "x = record(1)\n    return 0\n    return x")),
    ("a read after continue never runs", "x", "unreachable-read", """
        def f():
            for i in range(2):
                x = record(i)
                continue
                log.append(x)
            return 0

        def entry():
            return f()
        """, ("continue\n        log.append(record(i))", "x = record(i)\n        continue\n        log.append(x)")),
    # -- 4. await and yield let other code run ----------------------------------------------------
    ("a free variable read after a yield: its function rebinds it meanwhile", "data",
     "effect-between", """
        def report(status, data):
            return (status, data)

        def outer():
            status = "starting"
            def worker():
                data = yield "ready"
                return report(status, data)
            gen = worker()
            next(gen)
            status = "running"
            try:
                gen.send("payload")
            except StopIteration as stop:
                return stop.value

        def entry():
            return outer()
        """, ("return report(status, (yield \"ready\"))",
              "data = yield \"ready\"\n        return report(status, data)")),
    ("a free variable read after an await", "data", "effect-between", """
        import asyncio

        class Pause:
            def __await__(self):
                yield

        async def fetch():
            await Pause()
            return "data"

        async def runner():
            status = "queued"
            async def job():
                data = await fetch()
                return (status, data)
            task = asyncio.ensure_future(job())
            await Pause()
            status = "running"
            return await task

        def entry():
            return asyncio.run(runner())
        """, ("return (status, await fetch())", "data = await fetch()\n        return (status, data)")),
    ("control: after an await, only locals are read", "data", "inlined", """
        import asyncio

        class Pause:
            def __await__(self):
                yield

        async def fetch():
            await Pause()
            return "data"

        async def job(status):
            data = await fetch()
            return (status, data)

        def entry():
            return asyncio.run(job("given"))
        """, None),
    # -- 5. globals and builtins rebound through module objects ----------------------------------
    ("a global rebound through importlib.import_module(__name__)", "x", "shared-name-between", """
        import importlib

        MODE = "a"

        def switch():
            importlib.import_module(__name__).MODE = "b"
            return record("switched")

        def f():
            x = switch()
            return (MODE, x)

        def entry():
            return f()
        """, ("return (MODE, switch())", "x = switch()\n    return (MODE, x)")),
    ("a global rebound through modules imported from sys", "x", "shared-name-between", """
        from sys import modules

        MODE = "a"

        def switch():
            modules[__name__].MODE = "b"
            return record("switched")

        def f():
            x = switch()
            return (MODE, x)

        def entry():
            return f()
        """, ("return (MODE, switch())", "x = switch()\n    return (MODE, x)")),
    ("a global rebound through __import__(__name__)", "x", "shared-name-between", """
        import os

        MODE = "a"

        def switch():
            setattr(__import__(__name__), "MODE", "b")
            return record("switched")

        def f():
            x = switch()
            return (MODE, x)

        def entry():
            return f()
        """, ("return (MODE, switch())", "x = switch()\n    return (MODE, x)")),
    ("a builtin rebound through the builtins module", "x", "shared-name-between", """
        import builtins

        saved = builtins.len

        def patch():
            builtins.len = lambda value: "patched"
            return record("patched")

        def f():
            x = patch()
            return (len, x)

        def entry():
            try:
                found, x = f()
                return (found is saved, x)
            finally:
                builtins.len = saved
        """, ("return (len, patch())", "x = patch()\n    return (len, x)")),
    # -- 6. names that may be unbound -------------------------------------------------------------
    ("a name bound only by an optional import", "x", "effect-between", """
        try:
            from a_module_that_is_not_there import helper
        except ImportError:
            pass

        def f():
            x = record(1)
            return (helper, x)

        def entry():
            return f()
        """, ("return (helper, record(1))", "x = record(1)\n    return (helper, x)")),
    ("a name bound after an import-time call", "x", "effect-between", """
        import os

        def f():
            x = record(1)
            return (LATER, x)

        try:
            f()
        except NameError:
            log.append("unbound at import")

        LATER = 2

        def entry():
            return f()
        """, ("return (LATER, record(1))", "x = record(1)\n    return (LATER, x)")),
    ("an enclosing function's variable assigned after the closure runs", "x", "effect-between", """
        def outer():
            def inner():
                x = record(1)
                return (value, x)
            try:
                result = inner()
            except NameError:
                result = "unbound"
            value = 2
            return result

        def entry():
            return outer()
        """, ("return (value, record(1))", "x = record(1)\n        return (value, x)")),
    ("a class attribute read bare in a method is no variable of the method", "x",
     "effect-between", """
        import os

        class K:
            NAME = 1

            def m(self):
                x = record(1)
                return (NAME, x)

        def entry():
            return K().m()
        """, ("return (NAME, record(1))", "x = record(1)\n        return (NAME, x)")),
    ("control: a global bound before any import-time code", "x", "inlined", """
        import os

        LIMIT = 10

        def f():
            x = record(1)
            return (LIMIT, x)

        def entry():
            return f()
        """, None),
    # -- 7. frames read by others -------------------------------------------------------------------
    ("pytest's __tracebackhide__ is read through the frame", "__tracebackhide__", "frame-marker", """
        import sys

        def hidden():
            return sys._getframe(1).f_locals.get("__tracebackhide__", "gone")

        def f():
            __tracebackhide__ = True
            return hidden()

        def entry():
            return f()
        """, ("def f():\n    return hidden()", "def f():\n    __tracebackhide__ = True\n    return hidden()")),
    # -- 8. a string promoted to a docstring ----------------------------------------------------------
    ("removing the first statement would make a string the docstring", "x", "would-become-docstring", """
        def f():
            x = 1
            "note"
            return x

        def entry():
            return (f(), f.__doc__)
        """, ("def f():\n    \"note\"\n    return 1", "def f():\n    x = 1\n    \"note\"\n    return x")),
]

VARIANTS = [
    pytest.param(expand, preserve, drop_dead, id=f"{expand}-{'preserving' if preserve else 'canonical'}"
                 f"{'-drop-dead' if drop_dead else ''}")
    for expand, preserve, drop_dead in itertools.product(("single", "all"), (True, False), (False, True))
]

_counter = itertools.count()

# The modules under test let files and other objects die unclosed on purpose: their deaths
# are what the rows are about.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning",
                                        "ignore::pytest.PytestUnraisableExceptionWarning")


def _outcome(source: str) -> tuple[object, object]:
    """Run ``source`` as a real module (registered in ``sys.modules``, so that it can reach
    itself by name) and return its ``entry()``'s value or exception and its log."""
    name = f"effect_class_case_{next(_counter)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - the test's own code
        try:
            value: object = ("value", repr(module.entry()))
        except Exception as error:  # noqa: BLE001 - the outcome under test
            value = ("raised", type(error).__name__, str(error))
        return value, repr(module.log)
    finally:
        del sys.modules[name]


def _cases():
    for title, variable, expected, module, _unsafe in ROWS:
        yield pytest.param(variable, expected, COMMON + code(module), id=title)


@pytest.mark.parametrize(("expand", "preserve_format", "drop_dead"), VARIANTS)
@pytest.mark.parametrize(("variable", "expected", "source"), list(_cases()))
def test_strict_keeps_behaviour(variable, expected, source, expand, preserve_format, drop_dead):
    options = InlineOptions(expand=expand, preserve_format=preserve_format, drop_dead=drop_dead)
    result = inline_source(source, options)
    assert all(f.status != "fallback" for f in result.functions), result
    assert _outcome(result.code) == _outcome(source), result.code
    inlined = {name for f in result.functions for name in (*f.inlined, *f.dropped)}
    kept = {k.name: k.reason.value for k in result.kept}
    if expected == "inlined":
        assert variable in inlined, result
    else:
        assert kept.get(variable) == expected, result


@pytest.mark.parametrize(("title", "module", "unsafe"),
                         [(title, module, unsafe) for title, _v, _e, module, unsafe in ROWS if unsafe],
                         ids=[title for title, *_rest, unsafe in ROWS if unsafe])
def test_each_kept_row_guards_a_real_change(title, module, unsafe):
    """The rewrite an inliner blind to the class makes really changes the module's outcome."""
    source = COMMON + code(module)
    rewritten, original = unsafe
    assert original in source, title
    assert _outcome(source.replace(original, rewritten)) != _outcome(source)


FRAME_READERS = {
    "sys._getframe().f_locals": "import sys\n\ndef f():\n    x = record(1)\n    return sys._getframe().f_locals['x']\n",
    "builtins.eval": "import builtins\n\ndef f():\n    x = record(1)\n    return builtins.eval('x')\n",
    "inspect.currentframe": "import inspect\n\ndef f():\n    x = record(1)\n    return inspect.currentframe().f_locals['x']\n",
    "_getframe imported bare": "from sys import _getframe\n\ndef f():\n    x = record(1)\n    return _getframe().f_locals['x']\n",
    "a nested function reading its caller's frame": (
        "import sys\n\ndef f():\n    x = record(1)\n    def peek():\n        return sys._getframe(1).f_locals['x']\n"
        "    return peek()\n"),
}


@pytest.mark.parametrize("source", list(FRAME_READERS.values()), ids=list(FRAME_READERS))
def test_a_function_that_reads_its_own_frame_is_left_alone(source):
    source = COMMON + source + "\ndef entry():\n    return f()\n"
    for preserve_format in (True, False):
        result = inline_source(source, InlineOptions(preserve_format=preserve_format, drop_dead=True))
        f = next(function for function in result.functions if function.qualname == "f")
        assert (f.status, f.reason.value if f.reason else None) == ("skipped", "dynamic-scope"), result
        assert _outcome(result.code) == _outcome(source)
