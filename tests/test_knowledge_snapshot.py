"""A snapshot answers every call of the code it was taken for exactly as the Knowledge it
was taken from, also after a pickle round trip and in another process."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from inliner.knowledge import (
    ANYTHING,
    Does,
    Knowledge,
    KnowledgeSettings,
    call_spellings,
    facts_of_call,
    facts_of_result_call,
    knowledge_for,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
LOCAL = KnowledgeSettings(search_installed=False)


def functions_with_locals(tree: ast.Module) -> list[tuple[ast.AST, set[str]]]:
    found: list[tuple[ast.AST, set[str]]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            local = {a.arg for a in node.args.args} | {
                n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            found.append((node, local))
    return found


@pytest.mark.parametrize("settings", [LOCAL, KnowledgeSettings(search_installed=False, pure_calls=("dsl.*",))], ids=["inferred", "declared"])
@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_a_snapshot_of_each_function_answers_its_calls_like_the_knowledge(fixture: str, settings: KnowledgeSettings) -> None:
    path = FIXTURES / fixture
    tree = ast.parse(path.read_text())
    knowledge = knowledge_for(tree, path, settings)
    checked = 0
    for function, local in functions_with_locals(tree):
        snapshot = knowledge.snapshot(call_spellings(function))
        travelled = pickle.loads(pickle.dumps(snapshot))
        assert travelled == snapshot and hash(travelled) == hash(snapshot) and travelled.token == snapshot.token
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                expected = knowledge.of_call_node(node, local)
                assert facts_of_call(snapshot, node, local) == expected
                assert facts_of_call(travelled, node, local) == expected
                result = knowledge.of_result_call(node, local)
                assert facts_of_result_call(snapshot, node, local) == result
                assert facts_of_result_call(travelled, node, local) == result
                checked += 1
    assert checked > 0
    # Snapshots of the module's own calls never need the names it does not call.
    assert knowledge._complete is None


def test_what_a_snapshot_does_not_hold_is_unknown() -> None:
    path = FIXTURES / "solvers_small.py"
    tree = ast.parse(path.read_text())
    knowledge = knowledge_for(tree, path, LOCAL)
    snapshot = knowledge.snapshot({"rot90"})
    call = ast.parse("hconcat(I, I)", mode="eval").body
    assert isinstance(call, ast.Call)
    assert knowledge.of_call_node(call, {"I"}).does == Does.FAILS
    assert facts_of_call(snapshot, call, {"I"}).does == ANYTHING
    assert "not in the snapshot" in facts_of_call(snapshot, call, {"I"}).origin


def test_equal_snapshots_have_equal_tokens_and_different_ones_do_not(tmp_path: Path) -> None:
    path = FIXTURES / "solvers_small.py"
    tree = ast.parse(path.read_text())
    first = knowledge_for(tree, path, LOCAL).snapshot({"rot90", "hconcat", "dsl.nothing"})
    again = knowledge_for(ast.parse(path.read_text()), path, LOCAL).snapshot(["hconcat", "rot90", "dsl.nothing"])
    assert first == again and first.token == again.token and hash(first) == hash(again)
    other = knowledge_for(tree, path, LOCAL).snapshot({"rot90", "trim"})
    assert other.token != first.token
    (tmp_path / "lib.py").write_text("def rot90(x):\n    print(x)\n")
    (tmp_path / "main.py").write_text("from lib import rot90\nrot90(1)\n")
    loud = knowledge_for(ast.parse("from lib import rot90\nrot90(1)\n"), tmp_path / "main.py", LOCAL).snapshot({"rot90"})
    assert loud.token != knowledge_for(tree, path, LOCAL).snapshot({"rot90"}).token


SNAPSHOT_TOKEN = """
import ast, sys
from pathlib import Path
from inliner.knowledge import KnowledgeSettings, call_spellings, knowledge_for
path = Path(sys.argv[1])
tree = ast.parse(path.read_text())
knowledge = knowledge_for(tree, path, KnowledgeSettings(search_installed=False))
sys.stdout.write(knowledge.snapshot(call_spellings(tree)).token)
"""


def test_the_token_of_a_snapshot_is_the_same_in_another_process() -> None:
    path = FIXTURES / "solvers_medium.py"
    tree = ast.parse(path.read_text())
    here = knowledge_for(tree, path, LOCAL).snapshot(call_spellings(tree)).token
    there = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_TOKEN, str(path)], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert there == here


def test_call_spellings_are_callees_and_arguments() -> None:
    tree = ast.parse("def f(I):\n    x = g(I, h, k=dsl.rot90)\n    y = x.count(I)\n    return lib.sub.f(*I) + z\n")
    assert call_spellings(tree) == {"g", "I", "h", "dsl.rot90", "x.count", "lib.sub.f"}


def test_knowledge_answers_through_the_snapshot_rule(tmp_path: Path) -> None:
    """One rule: a snapshot of everything a call spells gives what the knowledge gives,
    for a callee that calls a parameter, given pure and writing functions."""
    (tmp_path / "lib.py").write_text("def apply(f, x):\n    return f(x)\ndef loud(x):\n    print(x)\ndef calm(x):\n    return x\n")
    main = "from lib import *\ndef solve(I):\n    a = apply(loud, I)\n    b = apply(calm, I)\n    return a, b\n"
    (tmp_path / "main.py").write_text(main)
    tree = ast.parse(main)
    knowledge: Knowledge = knowledge_for(tree, tmp_path / "main.py", LOCAL)
    snapshot = knowledge.snapshot(call_spellings(tree))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    loud, calm = calls[0], calls[1]
    assert facts_of_call(snapshot, loud, {"I", "a", "b"}).does & Does.WRITES_STATE
    assert facts_of_call(snapshot, calm, {"I", "a", "b"}).does == Does.NOTHING
