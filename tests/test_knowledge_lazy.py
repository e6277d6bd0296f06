"""Computing only what a module calls gives exactly the answers of computing every name:
on the fixtures, and on generated module trees."""

from __future__ import annotations

import ast
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixture_runner import FIXTURES_DIR
from inliner.knowledge import Knowledge, KnowledgeSettings, knowledge_for
from inliner.knowledge.facade import _knowledge_of_every_name

FIXTURES = FIXTURES_DIR

SETTINGS = {
    "local": KnowledgeSettings(search_installed=False),
    "installed": KnowledgeSettings(),
    "declared": KnowledgeSettings(search_installed=False, pure_calls=("dsl.*", "lib1.*", "lib0.f1")),
}


def answers(knowledge: Knowledge, tree: ast.Module) -> list[object]:
    """Every answer the analysis of ``tree`` can ask for: each call, with and without its
    arguments, and the call of what it returns, as seen from the function (or module
    level) around it."""
    found: list[object] = [knowledge.token(), knowledge.warnings()]
    # What a call table of the module asks: every name it spells.
    spelled = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
    found.extend((name, knowledge.of_name(name)) for name in spelled)
    scopes: list[tuple[ast.AST, set[str]]] = [(tree, set())]
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local = {a.arg for a in function.args.args} | {
                n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            scopes.append((function, local))
    for scope, local in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Call):
                found.append((
                    node.lineno,
                    node.col_offset,
                    knowledge.of_call_node(node, local),
                    knowledge.of_call(node.func),
                    knowledge.of_result_call(node, local),
                ))
    return found


def assert_same(tree: ast.Module, path: Path, chosen: KnowledgeSettings) -> None:
    lazy = knowledge_for(tree, path, chosen)
    eager = _knowledge_of_every_name(tree, path, chosen)
    assert answers(lazy, tree) == answers(eager, tree)
    # Answering every call of the module never needed the names it does not call.
    assert lazy._complete is None


@pytest.mark.parametrize("label", sorted(SETTINGS))
@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_lazy_and_eager_agree_on_the_fixtures(fixture: str, label: str) -> None:
    path = FIXTURES / fixture
    assert_same(ast.parse(path.read_text()), path, SETTINGS[label])


def test_lazy_knowledge_answers_names_it_did_not_compute_like_eager() -> None:
    path = FIXTURES / "solvers_small.py"
    tree = ast.parse(path.read_text())
    lazy = knowledge_for(tree, path, SETTINGS["local"])
    eager = _knowledge_of_every_name(tree, path, SETTINGS["local"])
    uncalled = sorted(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
    assert uncalled and not set(uncalled) & set(lazy._tables.names)
    assert [lazy.of_name(n) for n in uncalled] == [eager.of_name(n) for n in uncalled]
    assert lazy.token() == eager.token()


# -- generated module trees ------------------------------------------------------------------

LIBS = 3

BODIES = {
    "pure": "    return x + 1\n",
    "writer": "    global STATE\n    STATE = x\n    return x\n",
    "printer": "    print(x)\n    return x\n",
    "reader": "    return TABLE.get(x)\n",
}


@st.composite
def module_trees(draw: st.DrawFn) -> dict[str, str]:
    """Libraries lib0..lib2 (lib<k> imports only from later ones) and a main module with
    helpers it calls and solvers nothing calls."""
    files: dict[str, str] = {}
    counts = [draw(st.integers(1, 4)) for _ in range(LIBS)]
    for k in range(LIBS):
        lines = ["TABLE = {}", "STATE = 0"]
        later = list(range(k + 1, LIBS))
        for j in later:
            style = draw(st.sampled_from(["star", "module", "names"]))
            if style == "star":
                lines.append(f"from lib{j} import *")
            elif style == "module":
                lines.append(f"import lib{j}")
            else:
                lines.append(f"from lib{j} import " + ", ".join(f"f{i}" for i in range(counts[j])))
        lines.append("def apply(f, x):\n    return f(x)")
        for i in range(counts[k]):
            kind = draw(st.sampled_from(["pure", "writer", "printer", "reader", "call", "higher", "lambda"]))
            head = f"def f{i}(x):\n"
            if kind in BODIES:
                lines.append(head + BODIES[kind])
                continue
            j = draw(st.sampled_from([k, *later]))
            callee = draw(st.integers(0, counts[j] - 1))
            name = f"f{callee}" if j == k or f"import lib{j}" not in lines else f"lib{j}.f{callee}"
            if j == k and callee >= i:
                name = "apply"  # keep to functions defined before (or apply itself)
            if kind == "call":
                lines.append(head + f"    return {name}(x)\n")
            elif kind == "higher":
                lines.append(head + f"    return apply({name}, x)\n")
            else:
                lines.append(head + f"    return apply(lambda y: {name}(y), x)\n")
        files[f"lib{k}.py"] = "\n".join(lines) + "\n"
    main = ["from lib0 import *", "import lib1", "from lib2 import f0 as last"]
    spellings = ["f0", "apply", "last", "lib1.f0", "print", "len", "helper0"]
    spellings += [f"f{i}" for i in range(counts[0])] + [f"lib1.f{i}" for i in range(counts[1])]
    for h in range(draw(st.integers(0, 3))):
        callee = draw(st.sampled_from(spellings))
        style = draw(st.sampled_from(["direct", "passed", "lambda"]))
        body = {
            "direct": f"    return {callee}(I)\n",
            "passed": f"    return apply({callee}, I)\n",
            "lambda": f"    return apply(lambda y: {callee}(y), I)\n",
        }[style]
        main.append(f"def helper{h}(I):\n{body}")
    for s in range(draw(st.integers(1, 4))):
        called = draw(st.lists(st.sampled_from(spellings + ["helper1", "helper2"]), max_size=3))
        body = "".join(f"    x{n} = {c}(I)\n" for n, c in enumerate(called))
        main.append(f"def solve_{s}(I):\n{body}    return I\n")
    if draw(st.booleans()):
        main.append(f"RESULT = {draw(st.sampled_from(spellings))}(1)")
    files["main.py"] = "\n".join(main) + "\n"
    return files


@settings(max_examples=40)
@given(module_trees(), st.sampled_from(sorted(SETTINGS)))
def test_lazy_and_eager_agree_on_generated_trees(files: dict[str, str], label: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for name, text in files.items():
            (root / name).write_text(text)
        tree = ast.parse(files["main.py"])
        assert_same(tree, root / "main.py", SETTINGS[label])


def test_threads_asking_for_names_not_computed_get_the_eager_answers() -> None:
    """The first question about a name the module does not call completes the tables
    once, under a lock, whichever thread asks first."""
    path = FIXTURES / "solvers_small.py"
    tree = ast.parse(path.read_text())
    lazy = knowledge_for(tree, path, SETTINGS["local"])
    eager = _knowledge_of_every_name(tree, path, SETTINGS["local"])
    names = sorted(n.name for n in tree.body if isinstance(n, ast.FunctionDef)) + ["rot90", "rbind", "print"]
    expected = [eager.of_name(n) for n in names]
    start = threading.Barrier(6)
    results: list[list[object]] = []

    def ask() -> None:
        start.wait()
        results.append([lazy.of_name(n) for n in names])

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 6
