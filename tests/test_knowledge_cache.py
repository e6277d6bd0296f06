"""The process-wide memo of library files: read once per version, re-read when edited,
safe to use from many threads at once."""

from __future__ import annotations

import ast
import os
import textwrap
import threading
from pathlib import Path

from inliner.knowledge import Does, KnowledgeSettings, knowledge_for
from inliner.knowledge.filecache import parses

LOCAL = KnowledgeSettings(search_installed=False)
MAIN = "from lib import f\ndef solve(I):\n    return f(I)\n"


def facts_of_f(root: Path) -> Does:
    path = root / "main.py"
    return knowledge_for(ast.parse(path.read_text()), path, LOCAL).of_name("f").does


def write(root: Path, lib: str) -> None:
    (root / "main.py").write_text(MAIN)
    (root / "lib.py").write_text(textwrap.dedent(lib).lstrip("\n"))


def test_an_unchanged_library_file_is_parsed_once(tmp_path: Path) -> None:
    write(tmp_path, "def f(x):\n    return x\n")
    assert facts_of_f(tmp_path) == Does.NOTHING
    before = parses()
    assert facts_of_f(tmp_path) == Does.NOTHING
    assert parses() == before


def test_an_edited_library_file_is_read_again(tmp_path: Path) -> None:
    write(tmp_path, "def f(x):\n    return x\n")
    assert facts_of_f(tmp_path) == Does.NOTHING
    (tmp_path / "lib.py").write_text("def f(x):\n    print(x)\n    return x\n")
    assert facts_of_f(tmp_path) & Does.WRITES_STATE


def test_an_edit_that_keeps_size_and_mtime_is_seen_by_content(tmp_path: Path) -> None:
    """The edit lands in the same tick as the read: only the bytes tell."""
    lib = tmp_path / "lib.py"
    write(tmp_path, "def f(x):\n    return x\n")
    assert facts_of_f(tmp_path) == Does.NOTHING
    stamp = lib.stat().st_mtime_ns
    lib.write_text("def f(x):\n    print(x)\n")
    assert lib.stat().st_size == len("def f(x):\n    return x\n")
    os.utime(lib, ns=(stamp, stamp))
    assert facts_of_f(tmp_path) & Does.WRITES_STATE


def test_many_threads_get_the_answers_one_thread_gets(tmp_path: Path) -> None:
    lib = "".join(f"def f{i}(x):\n    return {'print(x)' if i % 3 == 0 else 'x + 1'}\n" for i in range(40))
    (tmp_path / "lib.py").write_text(lib)
    main = "from lib import *\n" + "".join(f"def g{i}(I):\n    return f{i}(I)\n" for i in range(40))
    (tmp_path / "main.py").write_text(main)
    tree = ast.parse(main)

    def answers() -> list[tuple[int, str]]:
        knowledge = knowledge_for(tree, tmp_path / "main.py", LOCAL)
        return [(int(knowledge.of_name(f"g{i}").does), knowledge.of_name(f"g{i}").origin) for i in range(40)]

    expected = answers()
    assert [does for does, _ in expected] == [int(Does.WRITES_STATE | Does.FAILS) if i % 3 == 0 else int(Does.FAILS) for i in range(40)]
    results: list[list[tuple[int, str]]] = []
    start = threading.Barrier(8)

    def run() -> None:
        start.wait()
        results.append(answers())

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_a_remembered_summary_is_made_again_when_its_names_mean_something_else(tmp_path: Path) -> None:
    """One library file, two settings under which the name it imports is another
    function: the remembered summary must not carry over."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "lib.py").write_text("from helper import g\ndef f(x):\n    return g(x)\n")
    for variant, body in (("calm", "return x"), ("loud", "print(x)")):
        (tmp_path / variant).mkdir()
        (tmp_path / variant / "helper.py").write_text(f"def g(x):\n    {body}\n")
    (tmp_path / "main.py").write_text("from lib import f\nf(1)\n")
    tree = ast.parse((tmp_path / "main.py").read_text())

    def f_does(variant: str) -> Does:
        chosen = KnowledgeSettings(roots=(tmp_path / "shared", tmp_path / variant), search_installed=False)
        return knowledge_for(tree, tmp_path / "main.py", chosen).of_name("f").does

    assert f_does("calm") == Does.NOTHING
    assert f_does("loud") & Does.WRITES_STATE
    assert f_does("calm") == Does.NOTHING
