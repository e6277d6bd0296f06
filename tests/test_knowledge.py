"""What inliner.knowledge infers about the functions a module calls.

Small module trees are written under tmp_path; nothing analysed is ever imported by the
code under test (the fixture DSL is imported here only to list its SIGNATURES).
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import subprocess
import sys
import tempfile
import textwrap
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixture_runner import FIXTURES_DIR
from inliner.knowledge import (
    ANYTHING,
    NO_KNOWLEDGE,
    Does,
    Knowledge,
    KnowledgeSettings,
    knowledge_for,
)

FIXTURES = FIXTURES_DIR
EFFECTS = Does.READS_STATE | Does.WRITES_STATE | Does.LIVING_RESULT | Does.READS_FRAMES | Does.UNKNOWN
LOCAL = KnowledgeSettings(search_installed=False)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def know(root: Path, main: str, files: dict[str, str] | None = None, **options: object) -> Knowledge:
    """Knowledge of ``main`` written as root/main.py beside ``files``."""
    write(root, {**(files or {}), "main.py": main})
    path = root / "main.py"
    chosen = KnowledgeSettings(**{"search_installed": False, **options})  # type: ignore[arg-type]
    return knowledge_for(ast.parse(path.read_text()), path, chosen)


def call(text: str) -> ast.Call:
    node = ast.parse(text, mode="eval").body
    assert isinstance(node, ast.Call)
    return node


# -- the fixture DSL ---------------------------------------------------------------------


def _fixture_dsl() -> object:
    spec = importlib.util.spec_from_file_location("fixture_dsl_for_knowledge", FIXTURES / "dsl.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dsl_function_is_pure_from_a_star_import() -> None:
    """Every function in dsl.SIGNATURES, as fixtures/solvers_small.py sees it through
    ``from dsl import *``, only computes; a higher-order one does when it is passed
    pure functions (of_call_node)."""
    dsl = _fixture_dsl()
    path = FIXTURES / "solvers_small.py"
    knowledge = knowledge_for(ast.parse(path.read_text()), path, LOCAL)
    signatures = dsl.SIGNATURES  # type: ignore[attr-defined]
    assert len(signatures) > 60
    higher_order = []
    for name in sorted(signatures):
        facts = knowledge.of_name(name)
        if facts.calls_parameters:
            higher_order.append(name)
            count = len(inspect.signature(getattr(dsl, name)).parameters)
            facts = knowledge.of_call_node(call(f"{name}({', '.join(['identity'] * count)})"), set())
        assert not facts.does & EFFECTS, (name, facts)
        assert "fixtures/dsl.py" in facts.origin or "dsl.py" in facts.origin, (name, facts)
    assert {"apply", "argmax_f", "argmin_f", "mfilter"} <= set(higher_order)
    assert not {"compose", "fork", "rbind", "lbind"} & set(higher_order)


def test_calls_in_the_small_solvers_that_pass_module_functions_are_pure() -> None:
    path = FIXTURES / "solvers_small.py"
    tree = ast.parse(path.read_text())
    knowledge = knowledge_for(tree, path, LOCAL)
    checked = 0
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        local_names = {a.arg for a in function.args.args} | {
            n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id in local_names:
                    assert knowledge.of_call_node(node, local_names).does == ANYTHING
                    continue
                passed = [a for a in node.args if isinstance(a, ast.Name) and a.id in local_names]
                facts = knowledge.of_call_node(node, local_names)
                if not knowledge.of_call(node.func).calls_parameters or not passed:
                    assert not facts.does & EFFECTS, (ast.unparse(node), facts)
                    checked += 1
    assert checked > 100


def test_the_registering_decorator_is_seen_through(tmp_path: Path) -> None:
    lib = """
        REGISTRY = {}
        def register(name):
            def add(fn):
                REGISTRY[name] = fn.__name__
                return fn
            return add
        def same(fn):
            return fn
        def swap(fn):
            return print
        @register("f")
        def f(x):
            return x + 1
        @same
        def g(x):
            return x
        @swap
        def h(x):
            return x
    """
    knowledge = know(tmp_path, "from lib import f, g, h\n", {"lib.py": lib})
    assert knowledge.of_name("f").does == Does.FAILS
    assert knowledge.of_name("g").does == Does.NOTHING
    assert knowledge.of_name("h").does == ANYTHING
    assert "decorated by swap" in knowledge.of_name("h").origin


# -- planted effects -----------------------------------------------------------------------

PLANTED = [
    pytest.param(
        """
        COUNTER = 0
        def bump():
            global COUNTER
            COUNTER += 1
            return COUNTER
        """,
        "bump", Does.WRITES_STATE, Does.UNKNOWN, id="global-counter",
    ),
    pytest.param(
        """
        LOG = []
        def note(x):
            LOG.append(x)
            return x
        """,
        "note", Does.WRITES_STATE, Does.UNKNOWN, id="module-log",
    ),
    pytest.param(
        """
        def put(d, k):
            d[k] = 1
        """,
        "put", Does.WRITES_STATE, Does.UNKNOWN, id="argument-item",
    ),
    pytest.param(
        """
        def push(xs):
            xs.append(1)
        """,
        "push", Does.WRITES_STATE, Does.UNKNOWN, id="argument-method",
    ),
    pytest.param(
        """
        def grow(xs):
            xs += [1]
            return xs
        """,
        "grow", Does.WRITES_STATE, Does.UNKNOWN, id="argument-in-place",
    ),
    pytest.param(
        """
        import sys
        def outer():
            return middle()
        def middle():
            return inner() + 1
        def inner():
            return sys._getframe(1).f_lineno
        """,
        "outer", Does.READS_FRAMES, Does.UNKNOWN, id="frames-two-levels-down",
    ),
    pytest.param(
        """
        def walk(frame):
            return frame.f_back
        """,
        "walk", Does.READS_FRAMES, Does.UNKNOWN, id="frame-attribute",
    ),
    pytest.param(
        """
        def gen(n):
            yield n
        """,
        "gen", Does.LIVING_RESULT, Does.UNKNOWN | Does.WRITES_STATE, id="generator",
    ),
    pytest.param(
        """
        async def job():
            return 1
        """,
        "job", Does.LIVING_RESULT, Does.UNKNOWN, id="coroutine",
    ),
    pytest.param(
        """
        class Resource:
            def __init__(self, name):
                self.name = name
            def __del__(self):
                pass
        """,
        "Resource", Does.LIVING_RESULT, Does.UNKNOWN | Does.WRITES_STATE, id="class-with-del",
    ),
    pytest.param(
        """
        class Base:
            def __exit__(self, *info):
                pass
        class Child(Base):
            def __init__(self):
                self.ready = True
        """,
        "Child", Does.LIVING_RESULT, Does.UNKNOWN | Does.WRITES_STATE, id="base-with-exit",
    ),
    pytest.param(
        """
        class Point:
            def __init__(self, x, y):
                self.x = x
                self.y = y
        """,
        "Point", Does.NOTHING, EFFECTS, id="plain-class",
    ),
    pytest.param(
        """
        def even(n):
            return True if n == 0 else odd(n - 1)
        def odd(n):
            global LAST
            LAST = n
            return False if n == 0 else even(n - 1)
        """,
        "even", Does.WRITES_STATE, Does.UNKNOWN, id="mutual-recursion-one-writer",
    ),
    pytest.param(
        """
        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)
        """,
        "fact", Does.FAILS, EFFECTS, id="recursion-alone",
    ),
    pytest.param(
        """
        def collect(xs):
            acc = []
            seen = set()
            for x in xs:
                if x not in seen:
                    seen.add(x)
                    acc.append(x)
            return tuple(acc)
        """,
        "collect", Does.FAILS, EFFECTS, id="local-containers",
    ),
    pytest.param(
        """
        def leak(xs):
            acc = []
            keep(acc)
            acc.append(1)
            return acc
        def keep(v):
            return v
        """,
        "leak", Does.WRITES_STATE, Does.UNKNOWN, id="local-container-escapes",
    ),
    pytest.param(
        """
        TABLE = {}
        def look(k):
            return TABLE.get(k)
        """,
        "look", Does.READS_STATE, Does.UNKNOWN | Does.WRITES_STATE, id="mutable-global-read",
    ),
    pytest.param(
        """
        LIMIT = 3
        SHAPE = (1, 2)
        def clip(x):
            return min(x, LIMIT, SHAPE[0])
        """,
        "clip", Does.FAILS, EFFECTS, id="constant-global-read",
    ),
    pytest.param(
        """
        def say(x):
            print(x)
        """,
        "say", Does.WRITES_STATE, Does.UNKNOWN, id="print",
    ),
    pytest.param(
        """
        def run(text):
            return eval(text)
        """,
        "run", Does.UNKNOWN, Does.NOTHING, id="eval",
    ),
    pytest.param(
        """
        def twice(f, x):
            return f(f(x))
        """,
        "twice", Does.UNKNOWN, Does.NOTHING, id="calls-parameter",
    ),
    pytest.param(
        """
        def meth(x):
            return x.frobnicate()
        """,
        "meth", Does.UNKNOWN, Does.NOTHING, id="unknown-method",
    ),
    pytest.param(
        """
        def within(cm):
            with cm:
                return 1
        """,
        "within", Does.UNKNOWN, Does.NOTHING, id="context-manager",
    ),
    pytest.param(
        """
        x = []
        def shadow(ys):
            t = [x for x in ys]
            return x, t
        """,
        "shadow", Does.READS_STATE, Does.UNKNOWN, id="global-named-like-a-comprehension-variable",
    ),
    pytest.param(
        """
        import sys
        def arguments():
            return sys.argv
        """,
        "arguments", Does.READS_STATE, Does.UNKNOWN, id="c-module-attribute",
    ),
    pytest.param(
        """
        import math
        def area(r):
            return math.pi * r * r
        """,
        "area", Does.FAILS, EFFECTS, id="c-module-constant",
    ),
    pytest.param(
        """
        def check(x):
            assert x > 0
            return x
        """,
        "check", Does.FAILS, EFFECTS, id="assert",
    ),
]


@pytest.mark.parametrize(("lib", "name", "present", "absent"), PLANTED)
def test_planted_effects(tmp_path: Path, lib: str, name: str, present: Does, absent: Does) -> None:
    knowledge = know(tmp_path, f"from lib import {name}\n", {"lib.py": lib})
    facts = knowledge.of_name(name)
    assert facts.does & present == present, facts
    assert not facts.does & absent, facts
    if present & EFFECTS and not present & Does.UNKNOWN:
        assert "lib.py:" in facts.origin, facts


def test_origin_names_the_statement(tmp_path: Path) -> None:
    lib = """
        COUNTER = 0
        def bump():
            global COUNTER
            COUNTER = COUNTER + 1
        def caller():
            return bump()
    """
    knowledge = know(tmp_path, "from lib import caller\n", {"lib.py": lib})
    origin = knowledge.of_name("caller").origin
    assert origin.startswith("writes state: ") and origin.endswith("lib.py:4 (bump) stores global COUNTER")


def test_the_module_own_functions_count(tmp_path: Path) -> None:
    main = """
        from lib import bump
        def helper(x):
            return x * 2
        def noisy(x):
            return bump(x)
        def solve(I):
            return helper(I)
    """
    lib = """
        def bump(x):
            print(x)
    """
    knowledge = know(tmp_path, main, {"lib.py": lib})
    assert knowledge.of_name("helper").does == Does.FAILS
    assert knowledge.of_name("solve").does == Does.FAILS
    assert knowledge.of_name("noisy").does & Does.WRITES_STATE
    assert knowledge.of_call(ast.parse("helper").body[0].value).does == Does.FAILS  # type: ignore[attr-defined]


def test_a_parameter_call_takes_the_facts_of_the_function_passed(tmp_path: Path) -> None:
    lib = """
        def apply(f, xs):
            return tuple(f(x) for x in xs)
        def relay(g, xs):
            return apply(g, xs)
        def pure(x):
            return x + 1
        def loud(x):
            print(x)
        def keyed(xs, key=pure):
            return max(xs, key=key)
    """
    knowledge = know(tmp_path, "from lib import *\n", {"lib.py": lib})
    assert knowledge.of_name("relay").calls_parameters == ("g",)
    assert knowledge.of_call_node(call("relay(pure, I)"), {"I"}).does == Does.FAILS
    assert knowledge.of_call_node(call("relay(loud, I)"), {"I"}).does & Does.WRITES_STATE
    assert knowledge.of_call_node(call("relay(I, I)"), {"I"}).does & Does.UNKNOWN
    assert knowledge.of_call_node(call("relay(g=pure, xs=I)"), {"I"}).does == Does.FAILS
    assert knowledge.of_call_node(call("relay(*I)"), {"I"}).does & Does.UNKNOWN
    assert knowledge.of_call_node(call("keyed(I)"), {"I"}).does == Does.FAILS
    assert knowledge.of_call_node(call("keyed(I, key=loud)"), {"I"}).does & Does.WRITES_STATE
    assert knowledge.of_call_node(call("map(loud, I)"), {"I"}).does & Does.WRITES_STATE
    assert knowledge.of_call_node(call("sorted(I, key=pure)"), {"I"}).does == Does.FAILS


def test_lambdas_passed_inside_a_callee_count(tmp_path: Path) -> None:
    lib = """
        def combine(a, b, op):
            return op(a, b)
        def add(a, b):
            return combine(a, b, lambda x, y: x + y)
        def shout(a, b):
            return combine(a, b, lambda x, y: print(x, y))
        def curry(f):
            return combine(1, 2, lambda x, y: f(x))
    """
    knowledge = know(tmp_path, "from lib import *\n", {"lib.py": lib})
    assert knowledge.of_name("add").does == Does.FAILS
    assert knowledge.of_name("shout").does & Does.WRITES_STATE
    assert knowledge.of_name("curry").calls_parameters == ("f",)


# -- rebinding and escape -----------------------------------------------------------------

ESCAPES = [
    pytest.param("import sys\nmake_safe(sys.modules[__name__])\n", id="sys-modules"),
    pytest.param("namespace = globals()\n", id="globals"),
    pytest.param("import lib as me\nsetattr(me, 'f', print)\n", id="setattr-on-itself"),
    pytest.param("import importlib\nimportlib.import_module(__name__)\n", id="importlib"),
    pytest.param("__import__(__name__)\n", id="dunder-import"),
    pytest.param("def later():\n    global f\n    f = print\n", id="global-declaration"),
    pytest.param("f = print\n", id="bound-twice"),
    pytest.param("try:\n    from fast import f\nexcept ImportError:\n    pass\n", id="bound-conditionally"),
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_module_whose_names_can_change_gives_unknown(tmp_path: Path, escape: str) -> None:
    lib = "def f(x):\n    return x\n\n" + escape
    knowledge = know(tmp_path, "from lib import f\n", {"lib.py": lib})
    assert knowledge.of_name("f").does == ANYTHING
    plain = know(tmp_path / "plain", "from lib import f\n", {"lib.py": "def f(x):\n    return x\n"})
    assert plain.of_name("f").does == Does.NOTHING


@pytest.mark.parametrize(
    "rebind",
    [
        pytest.param("import lib\nlib.f = print\n", id="attribute-store"),
        pytest.param("import lib\npoke(lib)\n", id="module-passed-on"),
        pytest.param("import lib\nvars(lib)['f'] = print\n", id="vars"),
        pytest.param("import other\n", id="sys-modules-in-another-module"),
    ],
)
def test_another_module_rebinding_a_name_gives_unknown(tmp_path: Path, rebind: str) -> None:
    files = {
        "lib.py": "def f(x):\n    return x\n",
        "other.py": "import sys\ndef g():\n    sys.modules['lib'].f = print\n",
    }
    knowledge = know(tmp_path, "from lib import f\n" + rebind, files)
    assert knowledge.of_name("f").does == ANYTHING
    assert "rebinds" in knowledge.of_name("f").origin
    plain = know(tmp_path / "plain", "from lib import f\nimport lib\nlib.f\n", files)
    assert plain.of_name("f").does == Does.NOTHING


def test_the_analysed_module_escaping_makes_its_own_names_unknown(tmp_path: Path) -> None:
    main = """
        def helper(x):
            return x
        def solve(I):
            return helper(I)
        globals()["helper"] = print
    """
    knowledge = know(tmp_path, main)
    assert knowledge.of_name("helper").does == ANYTHING
    assert knowledge.of_name("solve").does == ANYTHING


# -- what cannot be read --------------------------------------------------------------------


def test_an_extension_module_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "fast.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    knowledge = know(tmp_path, "from fast import go\nimport fast\nfast.run\n")
    facts = knowledge.of_name("go")
    assert facts.does == ANYTHING
    assert "compiled extension" in facts.origin
    assert knowledge.of_call(ast.parse("fast.run").body[0].value).does == ANYTHING  # type: ignore[attr-defined]


def test_a_missing_module_is_unknown(tmp_path: Path) -> None:
    knowledge = know(tmp_path, "from nowhere import go\n")
    facts = knowledge.of_name("go")
    assert facts.does == ANYTHING
    assert "no source found for module 'nowhere'" in facts.origin


def test_a_module_that_does_not_parse_is_unknown(tmp_path: Path) -> None:
    knowledge = know(tmp_path, "from broken import go\n", {"broken.py": "def go(:\n"})
    facts = knowledge.of_name("go")
    assert facts.does == ANYTHING
    assert "broken.py: SyntaxError" in facts.origin


def test_a_star_import_of_an_unreadable_module_makes_every_free_name_unknown(tmp_path: Path) -> None:
    knowledge = know(tmp_path, "from nowhere import *\ndef mine():\n    return 1\n")
    assert knowledge.of_name("anything").does == ANYTHING
    assert knowledge.of_name("len").does == ANYTHING
    assert knowledge.of_name("mine").does == Does.NOTHING
    plain = know(tmp_path / "plain", "def mine():\n    return 1\n")
    assert plain.of_name("len").does == Does.FAILS
    assert plain.of_name("anything").does == Does.FAILS  # NameError


def test_an_unbound_name_is_a_name_error_and_a_builtin_without_entry_is_unknown(tmp_path: Path) -> None:
    knowledge = know(tmp_path, "def mine():\n    return 1\n")
    assert knowledge.of_name("keys").does == Does.FAILS
    assert "NameError" in knowledge.of_name("keys").origin
    assert knowledge.of_name("NotImplemented").does == ANYTHING
    assert "no entry in the table" in knowledge.of_name("NotImplemented").origin


def test_no_knowledge_knows_only_builtins() -> None:
    assert NO_KNOWLEDGE.of_name("len").does == Does.FAILS
    assert NO_KNOWLEDGE.of_name("print").does & Does.WRITES_STATE
    assert NO_KNOWLEDGE.of_name("rot90").does == ANYTHING
    assert NO_KNOWLEDGE.of_call(ast.parse("dsl.rot90").body[0].value).does == ANYTHING  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("callee", "does"),
    [
        ("lib.f", Does.NOTHING),
        ("lib.sub.g", Does.WRITES_STATE | Does.FAILS),
        ("math.floor", Does.FAILS),
        ("x.method", ANYTHING),
        ("make()()", ANYTHING),
        ("lib.missing", Does.FAILS),
    ],
)
def test_of_call_shapes(tmp_path: Path, callee: str, does: Does) -> None:
    files = {
        "lib/__init__.py": "def f(x):\n    return x\n",
        "lib/sub.py": "def g(x):\n    print(x)\n",
    }
    main = "import lib\nimport lib.sub\nimport math\n" + callee.removesuffix("()") + "\n"
    knowledge = know(tmp_path, main, files)
    func = ast.parse(callee).body[0].value  # type: ignore[attr-defined]
    if isinstance(func, ast.Call):
        func = func.func
    assert knowledge.of_call(func).does == does


def test_relative_imports_inside_a_package(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from .b import g\ndef f(x):\n    return g(x)\n",
        "pkg/b.py": "from . import c\ndef g(x):\n    return c.h(x)\n",
        "pkg/c.py": "def h(x):\n    print(x)\n",
    }
    knowledge = know(tmp_path, "from pkg.a import f\n", files)
    assert knowledge.of_name("f").does & Does.WRITES_STATE
    assert "pkg/c.py:2 (h)" in knowledge.of_name("f").origin


def test_source_without_a_file_uses_roots() -> None:
    tree = ast.parse("from dsl import *\ndef solve(I):\n    return rot90(I)\n")
    knowledge = knowledge_for(tree, None, KnowledgeSettings(roots=(FIXTURES,), search_installed=False))
    assert knowledge.of_name("rot90").does == Does.FAILS
    assert knowledge.of_name("solve").does == Does.FAILS
    alone = knowledge_for(tree, None, LOCAL)
    assert alone.of_name("rot90").does == ANYTHING


def test_the_installed_standard_library_is_read_from_source(tmp_path: Path) -> None:
    main = "import inspect\nimport posixpath\ninspect.currentframe\nposixpath.join\n"
    knowledge = know(tmp_path, main, search_installed=True)
    frame = knowledge.of_call(ast.parse("inspect.currentframe").body[0].value)  # type: ignore[attr-defined]
    assert frame.does & Does.READS_FRAMES
    join = knowledge.of_call(ast.parse("posixpath.join").body[0].value)  # type: ignore[attr-defined]
    assert "posixpath.py" in join.origin or join.does & Does.UNKNOWN


# -- declarations ------------------------------------------------------------------------------


def test_declared_pure_calls(tmp_path: Path) -> None:
    lib = """
        from nowhere import fast
        COUNTER = 0
        def bump():
            global COUNTER
            COUNTER = 1
        def calm(x):
            return x
        def caller():
            return bump()
    """
    main = "from lib import bump, calm, caller, fast\n"
    plain = know(tmp_path, main, {"lib.py": lib})
    assert plain.of_name("bump").does & Does.WRITES_STATE
    assert plain.of_name("fast").does == ANYTHING
    assert plain.warnings() == ()
    declared = know(tmp_path, main, {"lib.py": lib}, pure_calls=("lib.*",))
    for name in ("bump", "calm", "caller"):
        facts = declared.of_name(name)
        assert facts.does == Does.FAILS and facts.declared, facts
        assert facts.origin == "declared pure by pure-calls 'lib.*'"
    assert declared.of_name("fast").does == ANYTHING
    warnings = declared.warnings()
    assert [w.split(" ")[0] for w in warnings] == ["lib.bump", "lib.caller"], warnings
    assert warnings[0].startswith("lib.bump is declared pure (pure-calls 'lib.*') but writes state: ")
    assert warnings[0].endswith("lib.py:5 (bump) stores global COUNTER")
    assert not any(w.startswith("lib.calm") for w in warnings)
    unknown = know(tmp_path, main, {"lib.py": lib}, pure_calls=("nowhere.*",))
    assert unknown.of_name("fast").does == Does.FAILS and unknown.of_name("fast").declared
    higher = know(tmp_path, "from lib import apply, calm\n", {"lib.py": textwrap.dedent(lib) + "def apply(f, x):\n    return f(x)\n"}, pure_calls=("lib.*",))
    assert higher.of_name("apply").declared and higher.of_name("apply").does == Does.FAILS
    assert higher.of_call_node(call("apply(calm, I)"), {"I"}).does == Does.FAILS
    assert higher.of_call_node(call("apply(print, I)"), {"I"}).does & Does.WRITES_STATE
    only_bump = know(tmp_path, main, {"lib.py": lib}, pure_calls=("lib.bump",))
    assert only_bump.of_name("caller").does == Does.FAILS
    assert not only_bump.of_name("caller").declared


# -- the token ----------------------------------------------------------------------------------

TOKEN_SCRIPT = """
import ast, sys
from pathlib import Path
from inliner.knowledge import KnowledgeSettings, knowledge_for
path = Path(sys.argv[1])
settings = KnowledgeSettings(search_installed=False)
sys.stdout.write(knowledge_for(ast.parse(path.read_text()), path, settings).token())
"""


def test_the_token_follows_the_sources(tmp_path: Path) -> None:
    lib = "def f(x):\n    return x\n"
    main = "from lib import *\nimport lib\nlib.f(1)\ndef g(x):\n    return f(x)\n"
    first = know(tmp_path, main, {"lib.py": lib}).token()
    assert know(tmp_path, main, {"lib.py": lib}).token() == first
    fresh = subprocess.run(
        [sys.executable, "-c", TOKEN_SCRIPT, str(tmp_path / "main.py")],
        capture_output=True, text=True, check=True,
    ).stdout
    assert fresh == first
    # A change that keeps every bit the same still changes the token (the file hash).
    assert know(tmp_path, main, {"lib.py": lib + "# comment\n"}).token() != first
    changed = know(tmp_path, main, {"lib.py": "def f(x):\n    print(x)\n"}).token()
    assert changed != first
    assert "name f (((5, 'writes state: " in changed and "name f (((0, 'pure, " in first
    assert "chain lib.f (((5, " in changed and "chain lib.f (((0, " in first
    # Names the module never calls are not part of it.
    assert "name g " not in first


# -- budget -------------------------------------------------------------------------------------


def test_a_long_star_chain_stops_at_the_budget(tmp_path: Path) -> None:
    files = {f"m{i}.py": f"from m{i + 1} import *\n" for i in range(999)}
    files["m999.py"] = "def far():\n    return 1\n"
    knowledge = know(tmp_path, "from m0 import *\n", files)
    facts = knowledge.of_name("far")
    assert facts.does == ANYTHING
    assert "budget" in facts.origin


def test_a_long_call_chain_stops_at_the_budget(tmp_path: Path) -> None:
    files = {
        f"m{i}.py": f"from m{i + 1} import f{i + 1}\ndef f{i}():\n    return f{i + 1}()\n"
        for i in range(999)
    }
    files["m999.py"] = "def f999():\n    return 1\n"
    knowledge = know(tmp_path, "from m0 import f0\n", files)
    facts = knowledge.of_name("f0")
    assert facts.does == ANYTHING
    assert "budget" in facts.origin
    small = know(tmp_path / "small", "from m0 import f0\n", {k: v for k, v in files.items() if int(k[1:-3]) < 5} | {"m5.py": "def f5():\n    return 1\n"})
    assert small.of_name("f0").does == Does.NOTHING


# -- property: effects travel exactly along the call graph ------------------------------------


@st.composite
def call_graphs(draw: st.DrawFn) -> tuple[int, list[int], list[list[int]], set[int]]:
    count = draw(st.integers(1, 8))
    modules = draw(st.integers(1, 3))
    home = [draw(st.integers(0, modules - 1)) for _ in range(count)]
    calls = [draw(st.lists(st.integers(0, count - 1), max_size=3)) for _ in range(count)]
    writers = draw(st.sets(st.integers(0, count - 1), max_size=count))
    return modules, home, calls, writers


def _reaches_writer(start: int, calls: list[list[int]], writers: set[int]) -> bool:
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        if current in writers:
            return True
        for callee in calls[current]:
            if callee not in seen:
                seen.add(callee)
                queue.append(callee)
    return False


@settings(max_examples=40)
@given(call_graphs())
def test_writes_state_is_reachability_of_a_writer(graph: tuple[int, list[int], list[list[int]], set[int]]) -> None:
    modules, home, calls, writers = graph
    count = len(home)
    sources: dict[str, list[str]] = {f"g{m}.py": [] for m in range(modules)}
    for function in range(count):
        lines = sources[f"g{home[function]}.py"]
        lines.extend(
            f"from g{home[c]} import f{c}" for c in sorted(set(calls[function])) if home[c] != home[function]
        )
        lines.append(f"def f{function}():")
        if function in writers:
            lines += ["    global STATE", "    STATE = 1"]
        lines += [f"    f{c}()" for c in calls[function]]
        lines.append("    return 0")
    main = "".join(f"from g{home[f]} import f{f}\n" for f in range(count))
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        knowledge = know(root, main, {name: "\n".join(lines) + "\n" for name, lines in sources.items()})
        for function in range(count):
            does = knowledge.of_name(f"f{function}").does
            assert not does & Does.UNKNOWN, (function, knowledge.of_name(f"f{function}"))
            assert bool(does & Does.WRITES_STATE) == _reaches_writer(function, calls, writers), function


def test_deep_trees_do_not_exhaust_the_stack() -> None:
    """Long operator chains and lambdas nested in arguments: answers, no RecursionError."""
    chain = "def f(x):\n    return " + "+".join(["x"] * 2000) + "\n"
    assert knowledge_for(ast.parse(chain), None, LOCAL).of_name("f").does == Does.FAILS
    nested = "def g(h):\n    return h(1)\ndef f(x):\n    return " + "g(lambda y: " * 90 + "y" + ")" * 90 + "\n"
    assert knowledge_for(ast.parse(nested), None, LOCAL).of_name("f").does == ANYTHING
    shallow = "def g(h):\n    return h(1)\ndef f(x):\n    return " + "g(lambda y: " * 3 + "y" + ")" * 3 + "\n"
    assert knowledge_for(ast.parse(shallow), None, LOCAL).of_name("f").does == Does.NOTHING
