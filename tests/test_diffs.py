"""--diff output: a patch that turns each file into its inlined text, computed piece by piece."""

from __future__ import annotations

import difflib
import subprocess

import pytest

from inline_solvers_cli import diffs
from inline_solvers_cli.diffs import unified_diff
from fixture_runner import fixture_modules
from inliner import InlineOptions, inline_source
from inliner.source import split_lines


def applies(tmp_path, old: str, new: str) -> bool:
    """Whether ``patch`` turns ``old`` into ``new`` with our diff."""
    target = tmp_path / "module.py"
    target.write_bytes(old.encode())
    patch_text = "".join(unified_diff(split_lines(old), split_lines(new), "a/module.py", "b/module.py"))
    done = subprocess.run(["patch", "-s", "-p1", "-d", str(tmp_path)], input=patch_text, text=True,
                          capture_output=True, check=False)
    return done.returncode == 0 and target.read_bytes() == new.encode()


@pytest.mark.parametrize("path", fixture_modules(), ids=lambda p: p.name)
@pytest.mark.parametrize("canonical", [False, True], ids=["preserving", "canonical"])
def test_the_diff_is_a_patch_from_the_file_to_its_inlined_text(tmp_path, path, canonical):
    old = path.read_text()
    new = inline_source(old, InlineOptions(policy="pure", expand="all", preserve_format=not canonical)).code
    if canonical:
        new += "\n"
    assert new != old
    assert applies(tmp_path, old, new)


def test_no_difference_no_output():
    text = fixture_modules()[0].read_text().splitlines(True)
    assert list(unified_diff(text, text, "a", "b")) == []


def test_pieces_are_compared_one_by_one(monkeypatch):
    """With the same top-level lines on both sides, the matcher never sees more than one
    function at a time (whole-file matching grows with the square of the length)."""
    old = "".join(f"def f{k}(a):\n    x = g(a, {k})\n    return x\n\n\n" for k in range(50))
    new = inline_source(old).code
    seen = []
    real = difflib.SequenceMatcher

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, isjunk=None, a=(), b=(), autojunk=True):
            seen.append(max(len(a), len(b)))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(diffs.difflib, "SequenceMatcher", Recording)
    lines = list(unified_diff(old.splitlines(True), new.splitlines(True), "a", "b"))
    assert lines and max(seen) <= 5


@pytest.mark.parametrize(("old", "new"), [
    ("def f(a):\n    x = g(a)\n    return x", "def f(a):\n    return g(a)"),
    ("def f(a):\n    x = g(a)\n    return x\n", "def f(a):\n    return g(a)"),
    ("def f(a):\n    x = g(a, '\f')\n\f\n    return x\n", "def f(a):\n\f\n    return g(a, '\f')\n"),
    ("def f(a):\r\n    x = g(a)\r\n    return x\r\n", "def f(a):\r\n    return g(a)\r\n"),
], ids=["no final newline", "newline removed", "form feeds", "crlf"])
def test_awkward_endings_still_make_a_patch(tmp_path, old, new):
    assert applies(tmp_path, old, new)


def test_when_top_level_lines_differ_the_whole_files_are_compared(tmp_path):
    old = "import a\n\ndef f(x):\n    y = g(x)\n    return y\n"
    new = "import b\n\ndef f(x):\n    return g(x)\n"
    assert applies(tmp_path, old, new)
