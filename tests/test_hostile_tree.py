"""One command-line run over a tree holding every kind of hostile file at once.

The run must report each problem file on standard error by path (and line and column
where known), leave each of them byte-identical, still process every other file exactly
(encodings, BOM, CRLF and tabs kept), touch nothing outside the tree, show no traceback,
and exit with 123.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest
from helpers import INLINED, SOURCE, sized

from inline_solvers_cli.app import main


BIG_STATEMENTS = sized(30_000, 120_000)


def big_module() -> tuple[bytes, bytes]:
    """A 30,000-statement function (120,000 in the long variant) whose variables are each read twice (so they stay:
    ``multiple-reads``), then a small function that is inlined: the file is analysed
    whole, and only the small function's text changes."""
    lines = ["def big(a):"]
    lines += [f"    x{k} = g(a, {k})" for k in range(BIG_STATEMENTS)]
    lines.append("    return g(" + ", ".join(f"x{k}, x{k}" for k in range(BIG_STATEMENTS)) + ")")
    big = "\n".join(lines) + "\n"
    before = big + "\n\ndef small(a):\n    y = g(a)\n    return y\n"
    after = big + "\n\ndef small(a):\n    return g(a)\n"
    return before.encode(), after.encode()


LATIN_BEFORE = "# -*- coding: latin-1 -*-\ndef f(a):\n    s = 'café'\n    return h(s, a)\n"
LATIN_AFTER = "# -*- coding: latin-1 -*-\ndef f(a):\n    return h('café', a)\n"
DEEP = ("x = " + "(" * 300 + "1" + ")" * 300 + "\n").encode()
BIG_BEFORE, BIG_AFTER = big_module()

# path below the tree: (content before, content expected after)
PROCESSED = {
    "good.py": (SOURCE.encode(), INLINED.encode()),
    "already.py": (INLINED.encode(), INLINED.encode()),
    "empty.py": (b"", b""),
    "latin.py": (LATIN_BEFORE.encode("latin-1"), LATIN_AFTER.encode("latin-1")),
    "bom.py": (b"\xef\xbb\xbfdef f(a):\n    x = g(a)\n    return x\n",
               b"\xef\xbb\xbfdef f(a):\n    return g(a)\n"),
    "crlf.py": ((b"def f(a):\r\n    x = g(a)\r\n    return x\r\n\r\n\r\n"
                 b"def kept(b):\r\n    y = b\r\n    return y, y\r\n"),
                (b"def f(a):\r\n    return g(a)\r\n\r\n\r\n"
                 b"def kept(b):\r\n    y = b\r\n    return y, y\r\n")),
    "tabs.py": (b"def f(a):\n\tx = g(a)\n\treturn x\n", b"def f(a):\n\treturn g(a)\n"),
    "big.py": (BIG_BEFORE, BIG_AFTER),
    "pkg.py/module.py": (SOURCE.encode(), INLINED.encode()),
    "sub/deeper/nested.py": (b"class C:\n    def m(self, a):\n        v = a.b\n        return v.c\n",
                             b"class C:\n    def m(self, a):\n        return a.b.c\n"),
    "cr.py": (b"def f(a):\r    x = g(a)\r    return x\ry = 2\r", b"def f(a):\r    return g(a)\ry = 2\r"),
    "mixed.py": (b"def f(a):\r\n    x = g(a)\r\n    return x\r\n\ndef k():\n    return 1\n",
                 b"def f(a):\r\n    return g(a)\r\n\ndef k():\n    return 1\n"),
}
# path below the tree: (content, the start of its error line after the path)
PROBLEMS = {
    "bad_syntax.py": (b"def f(:\n    pass\n", ":1:7: error: parse-error"),
    "undecodable.py": (b"def f():\n    x = '\xff'\n    return x\n", ":2: error: cannot be decoded as utf-8"),
    "nul.py": (b"def f(a):\n    x = g(a)\n    return x\0\n", ": error: contains a NUL byte"),
    "deep.py": (DEEP, ":1:"),
}
# Entries that are not files: path below the tree, (how to make it, words of its error line).
SPECIAL = {
    "loop_a.py": (lambda path: path.symlink_to(path.parent / "loop_b.py"), "symbolic links"),
    "loop_b.py": (lambda path: path.symlink_to(path.parent / "loop_a.py"), "symbolic links"),
    "dangling.py": (lambda path: path.symlink_to(path.parent / "missing.py"), "No such file"),
    "pipe.py": (os.mkfifo, "is not a regular file"),
}


def snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry below ``root`` (not following links): kind, content or link target, mtime."""
    seen: dict[str, tuple[str, bytes | str, int]] = {}
    for directory, subdirectories, files in os.walk(root):
        if skip is not None and Path(directory) == skip.parent:
            subdirectories[:] = [d for d in subdirectories if Path(directory, d) != skip]
        for name in subdirectories + files:
            path = Path(directory, name)
            stat = path.lstat()
            if path.is_symlink():
                entry: tuple[str, bytes | str, int] = ("link", os.readlink(path), stat.st_mtime_ns)
            elif path.is_dir():
                entry = ("dir", "", stat.st_mtime_ns)
            else:
                entry = ("file", path.read_bytes(), stat.st_mtime_ns)
            seen[str(path.relative_to(root))] = entry
    return seen


def build_tree(tmp_path: Path, *, big: bool = True) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(SOURCE)
    (outside / "lib").mkdir()
    (outside / "lib" / "other.py").write_text(SOURCE)
    tree = tmp_path / "tree"
    tree.mkdir()
    for relative, (content, _) in {**PROCESSED, **PROBLEMS}.items():
        if relative == "big.py" and not big:
            continue
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for relative, (make, _) in SPECIAL.items():
        make(tree / relative)
    (tree / "link_out.py").symlink_to(outside / "secret.py")
    (tree / "linked_dir").symlink_to(outside / "lib", target_is_directory=True)
    return tree, outside


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def test_one_run_over_a_hostile_tree(tmp_path, capsys, record_property):
    tree, _ = build_tree(tmp_path)
    around = snapshot(tmp_path, skip=tree)

    started = time.perf_counter()
    exit_code = main(["--no-cache", str(tree)])
    seconds = time.perf_counter() - started
    record_property("cli_seconds", round(seconds, 2))
    captured = capsys.readouterr()
    print(f"\nthe CLI run over the hostile tree took {seconds:.2f} s", file=sys.__stderr__)

    assert exit_code == 123
    assert "Traceback" not in captured.out + captured.err
    assert captured.out == ""
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    for relative, (content, where) in PROBLEMS.items():
        path = tree / relative
        assert any(line.startswith(f"{path}{where}") for line in errors), (relative, captured.err)
        assert path.read_bytes() == content, relative
    for relative, (_, words) in SPECIAL.items():
        path = tree / relative
        (line,) = [line for line in errors if line.startswith(f"{path}: error: ")]
        assert words in line, line
    assert len(errors) == len(PROBLEMS) + len(SPECIAL), captured.err
    assert f"{tree / 'deep.py'}:1:" in captured.err and "parse-error" in captured.err
    assert f"{len(PROBLEMS) + len(SPECIAL)} could not be processed" in captured.err
    assert os.readlink(tree / "loop_a.py") == str(tree / "loop_b.py")
    assert os.readlink(tree / "dangling.py") == str(tree / "missing.py")
    assert stat.S_ISFIFO((tree / "pipe.py").lstat().st_mode)

    for relative, (before, after) in PROCESSED.items():
        assert (tree / relative).read_bytes() == after, relative
        if before != after:
            assert f"inlined {tree / relative}: " in captured.err, relative
    assert "link_out.py" not in captured.err and "linked_dir" not in captured.err

    # Nothing outside the tree changed (the links' targets included), no cache was made,
    # and the tree holds exactly what it held, less nothing and plus no temporary file.
    assert snapshot(tmp_path, skip=tree) == around
    assert not (tmp_path / "xdg-cache").exists()
    assert (tree / "link_out.py").is_symlink() and (tree / "linked_dir").is_symlink()
    expected_entries = {*PROCESSED, *PROBLEMS, *SPECIAL, "link_out.py", "linked_dir"}
    entries = {str(p.relative_to(tree)) for p in tree.rglob("*") if not p.is_dir() or p.is_symlink()}
    assert entries == expected_entries


# -- a file that changes while the run is going (no sleeps: the run's own hook) ----------------


def _edit_replaced(path: Path, outside: Path) -> None:
    path.unlink()
    path.symlink_to(outside / "secret.py")


@pytest.mark.parametrize("change, message", [
    (lambda path, outside: path.unlink(), "cannot be read again"),
    (lambda path, outside: (path.unlink(), path.mkdir()), "cannot be read again"),
    (_edit_replaced, "symbolic link"),
    (lambda path, outside: path.write_bytes(SOURCE.encode() + b"x = 1\n"), "changed on disk"),
], ids=["deleted", "made-a-directory", "replaced-by-a-link-out", "edited"])
def test_a_file_that_changes_during_the_run(tmp_path, capsys, monkeypatch, change, message):
    """Between reading and writing ``good.py`` someone deletes it, puts a directory or a
    link out of the tree in its place, or edits it: that file is reported and left as
    the other party left it (the link's target untouched); every other file is done."""
    from inliner import InlineBatch

    tree, outside = build_tree(tmp_path, big=False)
    target = tree / "good.py"
    secret = (outside / "secret.py").read_bytes()
    real_run = InlineBatch.run

    def run_while_someone_interferes(self, texts):
        first = True
        for item in real_run(self, texts):
            if first:
                change(target, outside)
                first = False
            yield item

    monkeypatch.setattr(InlineBatch, "run", run_while_someone_interferes)
    assert main(["--no-cache", str(tree)]) == 123
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith(f"{target}")]
    assert message in line
    assert (outside / "secret.py").read_bytes() == secret
    assert (tree / "tabs.py").read_bytes() == PROCESSED["tabs.py"][1]
    assert (tree / "latin.py").read_bytes() == PROCESSED["latin.py"][1]


# -- bugs found building the tree, as plain tests (fixed; kept as regressions) -----------------------


def test_bare_carriage_return_file_is_written_as_code_that_parses(tmp_path):
    import ast

    path = tmp_path / "m.py"
    path.write_bytes(b"def f(a):\r    x = g(a)\r    return x\ry = 2\r")
    main(["--no-cache", str(path)])
    ast.parse(path.read_bytes())
    assert path.read_bytes() == b"def f(a):\r    return g(a)\ry = 2\r"


def test_mixed_line_endings_are_kept_where_nothing_changed(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"def f(a):\r\n    x = g(a)\r\n    return x\r\n\ndef k():\n    return 1\n")
    assert main(["--no-cache", str(path)]) == 0
    assert path.read_bytes() == b"def f(a):\r\n    return g(a)\r\n\ndef k():\n    return 1\n"


def test_a_symbolic_link_loop_is_skipped_or_reported(tmp_path, capsys):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").symlink_to(tree / "b.py")
    (tree / "b.py").symlink_to(tree / "a.py")
    (tree / "ok.py").write_text(SOURCE)
    exit_code = main(["--no-cache", str(tree)])
    assert "Traceback" not in capsys.readouterr().err
    assert exit_code in (0, 123)
    assert (tree / "ok.py").read_text() == INLINED


def test_a_named_pipe_does_not_block_the_run(tmp_path):
    import threading

    tree = tmp_path / "tree"
    tree.mkdir()
    pipe = tree / "pipe.py"
    os.mkfifo(pipe)
    (tree / "ok.py").write_text(SOURCE)
    outcome: dict[str, int] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("exit", main(["--no-cache", str(tree)])),
                              daemon=True)
    worker.start()
    worker.join(timeout=10)
    blocked = worker.is_alive()
    if blocked:  # let the stuck reader see an end of file, so no thread is left behind
        try:
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        worker.join(timeout=30)
    assert not blocked, "the run blocked on a named pipe"
    assert outcome["exit"] in (0, 123)
    assert (tree / "ok.py").read_text() == INLINED
