"""``--store DIR``: each distinct top-level function's canonical text in ``DIR/<md5>.py``,
beside any run; files named by their own md5, never rewritten, never torn by ``kill -9``.

What the store must hold is computed independently: the fixture solvers cut by their text
and put in the canonical form by the test oracle's reference implementation.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pty
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inline_solvers_cli.app import main
from fixture_runner import fixture_modules
from helpers import sized
from reference_canonical import reference_canonical
from test_digest import solvers_by_text

KILL_ROUNDS = sized(4, 20)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


SMALL = [m for m in fixture_modules() if m.name in ("differs.py", "solvers_small.py")]
"""80 functions: enough for most tests (the reference implementation is slow on the large module)."""


@functools.lru_cache(maxsize=None)
def _expected_store(modules: tuple[Path, ...], name: str) -> dict[str, str]:
    texts = [reference_canonical(f"def {name}(S, I, C):\n" + body)
             for path in modules for _, _, body in solvers_by_text(path.read_text())]
    return {f"{md5(t.encode())}.py": t for t in texts}


def expected_store(modules: list[Path], name: str = "solve") -> dict[str, str]:
    """What the store must hold for these fixture modules: by the test oracle's reference."""
    return dict(_expected_store(tuple(modules), name))


def store_contents(store: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in store.iterdir() if p.name.endswith(".py")}


def assert_self_checking(store: Path) -> None:
    for path in store.iterdir():
        if path.name.endswith(".py"):
            assert md5(path.read_bytes()) + ".py" == path.name, path


def make_tree(root: Path, modules: list[Path]) -> Path:
    root.mkdir()
    for module in modules:
        (root / module.name).write_bytes(module.read_bytes())
    return root


@pytest.fixture
def tree(tmp_path) -> Path:
    return make_tree(tmp_path / "tree", SMALL)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("mode", [["--check"], ["--diff"], ["--duplicates"], ["--duplicates", "--json"]])
def test_a_run_that_writes_no_source_fills_the_store(tmp_path, tree, capsys, mode):
    before = snapshot(tree)
    store = tmp_path / "store"
    assert main([*mode, "--store", str(store), str(tree)]) in (0, 1)
    assert snapshot(tree) == before
    assert store_contents(store) == expected_store(SMALL)
    assert_self_checking(store)
    assert "Traceback" not in capsys.readouterr().err


def test_a_run_that_inlines_stores_the_functions_as_they_were_read(tmp_path, tree, capsys):
    store = tmp_path / "store"
    assert main(["--store", str(store), str(tree)]) == 0
    assert snapshot(tree) != {str(tree / m.name): m.read_bytes() for m in SMALL}
    assert store_contents(store) == expected_store(SMALL)
    assert_self_checking(store)
    expected = len(expected_store(SMALL))
    assert f"{expected} stored, 0 already in the store" in capsys.readouterr().err


def test_a_second_run_writes_nothing_and_an_existing_file_is_never_rewritten(tmp_path, tree, capsys):
    store = tmp_path / "store"
    expected = expected_store(SMALL)
    planted = sorted(expected)[0]
    store.mkdir()
    (store / planted).write_text("planted: not rewritten")
    assert main(["--check", "--store", str(store), str(tree)]) == 1
    assert f"{len(expected) - 1} stored, 1 already in the store" in capsys.readouterr().err
    assert (store / planted).read_text() == "planted: not rewritten"
    stats = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in store.iterdir()}
    assert main(["--duplicates", "--store", str(store), str(tree)]) == 0
    assert f"0 stored, {len(expected)} already in the store" in capsys.readouterr().err
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in store.iterdir()} == stats


def test_store_name_sets_the_name_the_functions_take(tmp_path, tree):
    store = tmp_path / "store"
    modules = SMALL[:1]
    assert main(["--check", "--store", str(store), "--store-name", "program", str(tree / modules[0].name)]) == 1
    contents = store_contents(store)
    assert contents == expected_store(modules, "program")
    assert all(text.startswith("def program(S, I, C):") for text in contents.values())


def test_store_settings_from_pyproject(tmp_path, tree):
    (tmp_path / "pyproject.toml").write_text('[tool.inline-solvers]\nstore = "kept"\nstore-name = "program"\n')
    (tmp_path / ".git").mkdir()  # the configuration search stops at a repository's root
    assert main(["--check", str(tree)]) == 1
    assert store_contents(tmp_path / "kept") == expected_store(SMALL, "program")


def test_a_store_that_cannot_be_made_is_one_error_and_the_run_goes_on(tmp_path, tree, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["--store", str(blocker / "store"), str(tree)]) == 123
    err = capsys.readouterr().err
    assert f"{blocker / 'store'}: error: cannot be used as a store" in err and "Traceback" not in err
    assert snapshot(tree) != {str(tree / m.name): m.read_bytes() for m in SMALL}  # inlined


def test_kill_9_during_a_store_run_never_leaves_a_torn_file(tmp_path, record_property):
    """Each run is killed once the store holds a random number of files: it learns that
    from the progress bar on a pty (each redraw, the test counts the files), not a timer."""
    # The fixture functions ten to a file: forty files, enough for a progress bar.
    tree = tmp_path / "tree"
    tree.mkdir()
    functions = [text for path in fixture_modules() for _, text, _ in solvers_by_text(path.read_text())]
    for start in range(0, len(functions), 10):
        (tree / f"part{start // 10:02d}.py").write_text("\n\n".join(functions[start:start + 10]))
    store = tmp_path / "store"
    expected = expected_store(fixture_modules())
    rng = random.Random(2026)
    killed_midway = 0
    for _ in range(KILL_ROUNDS):
        before = len(store_contents(store)) if store.exists() else 0
        if before == len(expected):
            shutil.rmtree(store)  # all stored: start over, so that later kills interrupt writes
            before = 0
        threshold = before + rng.randint(1, 40)
        controller, terminal = pty.openpty()
        child = subprocess.Popen([sys.executable, "-m", "inline_solvers_cli", "--no-cache", "--duplicates", "--store",
                                  str(store), str(tree)], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=terminal)
        os.close(terminal)
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            stored = len(store_contents(store)) if store.exists() else 0
            if stored >= threshold and child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                killed_midway += stored < len(expected)
                break
        os.close(controller)
        child.wait(timeout=300)
        assert_self_checking(store)
        assert set(store_contents(store)) <= set(expected)
    record_property("killed_midway", killed_midway)
    assert killed_midway > 0, "no run was killed while storing: the test proved nothing"
    leftovers = [p for p in store.iterdir() if not p.name.endswith(".py")]
    finished = subprocess.run([sys.executable, "-m", "inline_solvers_cli", "--no-cache", "--duplicates", "--store",
                               str(store), str(tree)], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert store_contents(store) == expected
    assert [p for p in store.iterdir() if not p.name.endswith(".py")] == []  # temporaries of the dead removed
    record_property("temporaries_left_by_kills", len(leftovers))
