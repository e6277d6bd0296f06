"""The command line, called through ``main(argv)`` as a user's shell would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from inline_solvers_cli.app import main
from helpers import INLINED, SOURCE
from unprivileged import as_nobody, needs_unprivileged_user, user_ids  # noqa: F401 - a fixture



@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """The default cache lives in the user's cache directory: point it at a temporary one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def tree(tmp_path):
    tmp_path = tmp_path / "work"
    (tmp_path / "pkg").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text(SOURCE)
    (tmp_path / "pkg" / "done.py").write_text(INLINED)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "skipped.py").write_text(SOURCE)
    return tmp_path


def test_rewrites_in_place_and_skips_virtual_environments(tree, capsys):
    assert main([str(tree)]) == 0
    assert (tree / "pkg" / "a.py").read_text() == INLINED
    assert (tree / "pkg" / "done.py").read_text() == INLINED
    assert (tree / ".venv" / "skipped.py").read_text() == SOURCE
    assert "1 changed" in capsys.readouterr().err


def test_second_run_changes_nothing(tree):
    assert main([str(tree)]) == 0
    before = {p: p.read_bytes() for p in tree.rglob("*.py")}
    assert main(["--check", str(tree)]) == 0
    assert {p: p.read_bytes() for p in tree.rglob("*.py")} == before


def test_check_writes_nothing_and_exits_1(tree):
    assert main(["--check", str(tree)]) == 1
    assert (tree / "pkg" / "a.py").read_text() == SOURCE


def test_diff_prints_a_unified_diff_and_writes_nothing(tree, capsys):
    assert main(["--diff", str(tree / "pkg" / "a.py")]) == 1
    out = capsys.readouterr().out
    assert "-    x1 = f(I)" in out and "+    return f(I)" in out
    assert (tree / "pkg" / "a.py").read_text() == SOURCE


def test_bad_file_is_reported_left_alone_and_the_rest_still_done(tree, capsys):
    bad = tree / "pkg" / "bad.py"
    bad.write_bytes(b"def f(:\n    pass\n")
    assert main([str(tree)]) == 123
    err = capsys.readouterr().err
    assert f"{bad}:1:7: error: parse-error" in err
    assert "Traceback" not in err
    assert bad.read_bytes() == b"def f(:\n    pass\n"
    assert (tree / "pkg" / "a.py").read_text() == INLINED


@pytest.mark.parametrize("content, message", [
    (b"x = 1\0\n", "NUL byte"),
    (b"def f():\n    x = '\xff'\n    return x\n", "cannot be decoded as utf-8"),
])
def test_unreadable_files_stay_byte_identical(tmp_path, capsys, content, message):
    path = tmp_path / "m.py"
    path.write_bytes(content)
    assert main([str(path)]) == 123
    assert message in capsys.readouterr().err
    assert path.read_bytes() == content


def test_encoding_cookie_bom_and_crlf_are_kept(tmp_path):
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\ndef f():\n    x = 'é'\n    return x\n".encode("latin-1"))
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfdef f(a):\r\n    x = g(a)\r\n    return x\r\n")
    assert main([str(tmp_path)]) == 0
    assert latin.read_bytes() == "# -*- coding: latin-1 -*-\ndef f():\n    return 'é'\n".encode("latin-1")
    assert bom.read_bytes() == b"\xef\xbb\xbfdef f(a):\r\n    return g(a)\r\n"


def test_canonical_output_keeps_crlf_and_ends_with_a_newline(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"def f(a):\r\n    x = g(a)  # c\r\n    return x\r\n")
    assert main(["--canonical", str(path)]) == 0
    assert path.read_bytes() == b"def f(a):\r\n    return g(a)\r\n"


def test_permissions_are_kept_and_no_temporary_file_is_left(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    os.chmod(path, 0o640)
    assert main([str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg-cache") == ["m.py"]


def test_symlink_is_not_written_through(tmp_path, capsys):
    target = tmp_path / "real.py"
    target.write_text(SOURCE)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    assert main([str(link)]) == 123
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == SOURCE


def test_standard_input_to_standard_output(tmp_path):
    done = subprocess.run([sys.executable, "-m", "inline_solvers_cli", "--no-cache", "-"], input=SOURCE.encode(),
                          capture_output=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == INLINED.encode()


TWICE = "def f(a):\n    x = a + 1\n    return k(x, x)\n"
TWICE_CALL = "def f(a):\n    x = g(a)\n    return k(x, x)\n"
DEAD = "def f(a):\n    x = g(a)\n    return a\n"


@pytest.mark.parametrize("argv, source, expected", [
    (["--policy", "pure", "--expand", "all"], TWICE, "def f(a):\n    return k(a + 1, a + 1)\n"),
    (["--expand", "all"], TWICE, TWICE),
    (["--policy", "pure", "--expand", "all"], TWICE_CALL, TWICE_CALL),  # written code never copies a call
    (["--policy", "pure", "--expand", "all", "--canonical"], TWICE_CALL, "def f(a):\n    return k(g(a), g(a))\n"),
    (["--policy", "pure", "--drop-dead"], DEAD, "def f(a):\n    return a\n"),
    (["--drop-dead"], DEAD, DEAD),
])
def test_options_reach_the_inliner(tmp_path, argv, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert main([*argv, str(path)]) == 0
    assert path.read_text() == expected


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("inline-solvers ")


def test_usage_error_exits_2_without_a_traceback(capsys):
    assert main(["--policy", "nope", "x.py"]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("executor", ["thread", "process", "auto"])
def test_parallel_runs_write_what_a_sequential_run_writes(tmp_path, executor):
    import shutil

    from fixture_runner import FIXTURES_DIR

    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(FIXTURES_DIR, one)
    shutil.copytree(FIXTURES_DIR, two)
    assert main(["--no-cache", str(one)]) == 0
    assert main(["--no-cache", "--parallel", "2", "--executor", executor, str(two)]) == 0
    assert {p.name: p.read_bytes() for p in one.glob("*.py")} == \
        {p.name: p.read_bytes() for p in two.glob("*.py")}


def test_the_default_cache_is_private_and_makes_reruns_hits(tree, tmp_path, capsys):
    assert main(["--check", str(tree)]) == 1
    capsys.readouterr()
    assert main(["--check", str(tree)]) == 1
    assert "cache hits" in capsys.readouterr().err
    cache = tmp_path / "xdg-cache" / "inline-solvers"
    (version_dir,) = cache.iterdir()
    assert version_dir.stat().st_mode & 0o777 == 0o700


def test_no_cache_creates_no_cache(tree, tmp_path):
    assert main(["--no-cache", str(tree)]) == 0
    assert not (tmp_path / "xdg-cache").exists()


def test_telemetry_line(tree, tmp_path):
    import json

    log = tmp_path / "runs.jsonl"
    assert main(["--telemetry", str(log), "--parallel", "2", str(tree)]) == 0
    (line,) = log.read_text().splitlines()
    assert json.loads(line)["items"] == 2


# -- configuration ---------------------------------------------------------------------------


def test_pyproject_settings_apply_and_flags_win(tmp_path):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.inline-solvers]\npolicy = "pure"\nexpand = "all"\ndrop-dead = true\n')
    module = project / "src" / "m.py"
    module.write_text(TWICE)
    assert main([str(project / "src")]) == 0
    assert module.read_text() == "def f(a):\n    return k(a + 1, a + 1)\n"
    module.write_text(TWICE)
    assert main(["--policy", "strict", str(module)]) == 0
    assert module.read_text() == TWICE  # strict copies only names and constants


def test_a_bad_pyproject_is_reported_without_a_traceback(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[tool.inline-solvers]\nparalel = 2\n")
    (tmp_path / "m.py").write_text(SOURCE)
    assert main([str(tmp_path / "m.py")]) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'paralel'" in err and "Traceback" not in err
    assert (tmp_path / "m.py").read_text() == SOURCE


def test_include_and_exclude(tree):
    (tree / "pkg" / "generated_b.py").write_text(SOURCE)
    assert main(["--exclude", "/generated_", str(tree)]) == 0
    assert (tree / "pkg" / "generated_b.py").read_text() == SOURCE
    assert (tree / "pkg" / "a.py").read_text() == INLINED
    assert main(["--include", r"generated_\w+\.py$", str(tree)]) == 0
    assert (tree / "pkg" / "generated_b.py").read_text() == INLINED


def test_a_directory_named_like_a_module_is_walked_not_read(tmp_path):
    (tmp_path / "odd.py").mkdir()
    (tmp_path / "odd.py" / "m.py").write_text(SOURCE)
    assert main([str(tmp_path / "odd.py")]) == 0
    assert (tmp_path / "odd.py" / "m.py").read_text() == INLINED


def test_links_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(SOURCE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.py").symlink_to(outside / "secret.py")
    (tree / "linked_dir").symlink_to(outside, target_is_directory=True)
    (tree / "m.py").write_text(SOURCE)
    assert main(["--no-cache", str(tree)]) == 0
    assert (outside / "secret.py").read_text() == SOURCE
    assert (tree / "m.py").read_text() == INLINED


def test_tab_indentation_is_kept(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f(a):\n\tx = g(a)\n\treturn x\n")
    assert main(["--no-cache", str(path)]) == 0
    assert path.read_text() == "def f(a):\n\treturn g(a)\n"


def test_quiet_prints_nothing_but_errors(tree, capsys):
    assert main(["--quiet", "--no-cache", str(tree)]) == 0
    assert capsys.readouterr().err == ""


def test_check_names_every_file_that_would_change(tree, capsys):
    """Issue 14 changed this promise: --check names each file, without --verbose."""
    assert main(["--check", "--no-cache", str(tree)]) == 1
    assert f"would change: {tree / 'pkg' / 'a.py'}" in capsys.readouterr().err.splitlines()


def test_timeout_reports_the_functions_left_as_they_were(tmp_path, capsys):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    assert main(["--timeout", "1e-9", "--no-cache", str(path)]) == 0
    assert path.read_text() == SOURCE
    assert f"{path}:1: solve left as it was: timeout" in capsys.readouterr().err


def test_nesting_beyond_the_parser_is_reported_and_left_alone(tmp_path, capsys):
    path = tmp_path / "deep.py"
    content = ("x = " + "(" * 300 + "1" + ")" * 300 + "\n").encode()
    path.write_bytes(content)
    assert main(["--no-cache", str(path)]) == 123
    assert f"{path}:" in capsys.readouterr().err
    assert path.read_bytes() == content


def test_a_file_changed_during_the_run_is_not_overwritten(tmp_path, capsys, monkeypatch):
    from inliner import InlineBatch

    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    real_run = InlineBatch.run

    def run_while_someone_edits(self, texts):
        for item in real_run(self, texts):
            path.write_text(SOURCE + "# edited meanwhile\n")
            yield item

    monkeypatch.setattr(InlineBatch, "run", run_while_someone_edits)
    assert main(["--no-cache", str(path)]) == 123
    assert "changed on disk" in capsys.readouterr().err
    assert path.read_text() == SOURCE + "# edited meanwhile\n"


@needs_unprivileged_user
def test_paths_and_files_the_user_may_not_read_are_the_run_s_business(as_nobody):
    """As ``nobody``: a file named on the command line that the user may not read is
    reported like any file that cannot be read (exit 123, every other file done), and a
    telemetry file the user may not use costs one warning; neither is a usage error."""
    work = as_nobody.directory("unreadable")
    nobody = user_ids()
    secret, mine = work / "secret.py", work / "mine"
    secret.write_text(SOURCE)
    secret.chmod(0o600)  # root's, private
    mine.mkdir()
    (mine / "a.py").write_text(SOURCE)
    for path in (mine, mine / "a.py"):
        os.chown(path, *nobody)
    telemetry = work / "telemetry.jsonl"
    telemetry.write_text("")
    telemetry.chmod(0o600)
    done = as_nobody.run("--no-cache", "--telemetry", str(telemetry), str(secret), str(mine))
    assert "Traceback" not in done.stderr and "Usage:" not in done.stderr, done.stderr
    assert done.returncode == 123, done.stderr
    assert f"{secret}: error: cannot be read: Permission denied" in done.stderr.splitlines()
    assert (mine / "a.py").read_text() == INLINED
    assert secret.read_text() == SOURCE
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [f"warning: cannot append telemetry to {telemetry}: Permission denied"]
    assert telemetry.read_text() == ""
