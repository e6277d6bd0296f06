"""The command line as users meet it: the installed ``inline-solvers`` run as a process,
on standard input, on files it may not write, and telling what it changed and kept."""

from __future__ import annotations

import os
import re

import pytest
from command import cli, lines
from helpers import INLINED, SOURCE
from unprivileged import as_nobody, needs_unprivileged_user, user_ids  # noqa: F401 - a fixture

# -- standard input ----------------------------------------------------------------------------


def test_check_on_standard_input_exits_1_and_prints_no_code(tmp_path):
    done = cli("--check", "-", stdin=SOURCE.encode(), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout == b""
    assert "would change: -" in lines(done.stderr)
    unchanged = cli("--check", "-", stdin=INLINED.encode(), cwd=tmp_path)
    assert (unchanged.returncode, unchanged.stdout) == (0, b"")


def test_diff_on_standard_input_is_a_diff_named_stdin(tmp_path):
    done = cli("--diff", "-", stdin=SOURCE.encode(), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert lines(done.stdout) == [
        "--- <stdin>", "+++ <stdin>", "@@ -1,3 +1,2 @@", " def solve(S, I, C):",
        "-    x1 = f(I)", "-    return x1", "+    return f(I)",
    ]


def test_standard_input_keeps_its_encoding_and_line_endings(tmp_path):
    source = "# -*- coding: latin-1 -*-\r\ndef f(a):\r\n    x = 'é'\r\n    return h(x)\r\n".encode("latin-1")
    done = cli("-", stdin=source, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "# -*- coding: latin-1 -*-\r\ndef f(a):\r\n    return h('é')\r\n".encode("latin-1")


@pytest.mark.parametrize("data, message", [
    (b"def f():\n    return '\xff\xfe'\n", "-:2: error: cannot be decoded as utf-8"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "-: error: contains a NUL byte"),
])
def test_binary_standard_input_is_refused_with_a_clear_error(tmp_path, data, message):
    done = cli("-", stdin=data, cwd=tmp_path)
    assert done.returncode == 123
    assert done.stdout == b""
    assert message in lines(done.stderr)
    assert b"codec" not in done.stderr and b"Traceback" not in done.stderr


def test_standard_input_that_does_not_parse_comes_back_as_it_was(tmp_path):
    text = b"def f(a):\n    x = g(a)\n    return (x\n"
    done = cli("-", stdin=text, cwd=tmp_path)
    assert done.returncode == 123
    assert done.stdout == text
    assert lines(done.stderr)[0] == "-:3:12: error: parse-error: '(' was never closed"


# -- files that may not be written -----------------------------------------------------------


@needs_unprivileged_user
def test_a_read_only_file_in_a_writable_directory_is_reported_and_left_alone(as_nobody):
    """As ``nobody``, in a directory the user may write: a file of its own with mode 444
    stays (as black leaves it); the rest of the run goes on; exit 123."""
    work = as_nobody.directory("read-only")
    os.chown(work, *user_ids())
    locked, free = work / "locked.py", work / "free.py"
    for path in (locked, free):
        path.write_text(SOURCE)
        os.chown(path, *user_ids())
    locked.chmod(0o444)
    done = as_nobody.run("--no-cache", str(work))
    assert done.returncode == 123, done.stderr
    assert f"{locked}: error: is read-only (mode 444); left as it is" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr
    assert locked.read_text() == SOURCE and locked.stat().st_mode & 0o777 == 0o444
    assert free.read_text() == INLINED
    assert sorted(p.name for p in work.iterdir()) == ["free.py", "locked.py"]


def test_a_file_with_no_write_bit_is_left_alone_even_by_root(tmp_path):
    """Root may write any file, yet a file with no write bit is a decision to respect: it
    is reported as for any user, the rest of the run goes on, exit 123. (The suite runs as
    root, where this is the case that matters; as any other user it holds the same.)"""
    locked, free = tmp_path / "locked.py", tmp_path / "free.py"
    for path in (locked, free):
        path.write_text(SOURCE)
    locked.chmod(0o444)
    done = cli("--no-cache", locked, free, cwd=tmp_path)
    assert done.returncode == 123, done.stderr
    assert f"{locked}: error: is read-only (mode 444); left as it is" in lines(done.stderr)
    assert locked.read_text() == SOURCE and locked.stat().st_mode & 0o777 == 0o444
    assert free.read_text() == INLINED


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root, to own files of another user")
def test_root_keeps_the_owner_and_group_of_the_files_it_rewrites(tmp_path):
    path = tmp_path / "theirs.py"
    path.write_text(SOURCE)
    uid, gid = 65534, 65534
    os.chown(path, uid, gid)
    path.chmod(0o640)
    done = cli("--no-cache", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert path.read_text() == INLINED
    status = path.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o777) == (uid, gid, 0o640)


# -- files where nothing was inlined ------------------------------------------------------------

# lark's standalone generator copies the code between these marker comments.
NOTHING_TO_INLINE = (
    "###{standalone\n"
    "# a comment --canonical would drop\n"
    "def f(a, b):\n"
    "    return  g(a,  b)   # spacing ast.unparse would change\n"
    "###}\n"
    "x = (1,\n"
    "     2)"                      # and no newline at the end
)


@pytest.mark.parametrize("options", [
    [], ["--canonical"], ["--canonical", "--drop-dead"], ["--policy", "pure", "--expand", "all", "--drop-dead"],
])
def test_a_file_where_nothing_was_inlined_is_left_byte_for_byte(tmp_path, options):
    """In every mode: writing, --check, --diff, and standard input."""
    from inliner import InlineOptions, inline_source

    assert inline_source(NOTHING_TO_INLINE, InlineOptions(preserve_format=False)).code != NOTHING_TO_INLINE, \
        "the library still gives the canonical text; only the command line leaves the file"
    path = tmp_path / "exceptions.py"
    data = NOTHING_TO_INLINE.encode()
    path.write_bytes(data)
    written = cli("--no-cache", *options, path, cwd=tmp_path)
    assert (written.returncode, path.read_bytes()) == (0, data), written.stderr
    assert "0 changed" in lines(written.stderr)[-1]
    checked = cli("--no-cache", "--check", *options, path, cwd=tmp_path)
    assert checked.returncode == 0 and b"would change: " not in checked.stderr, checked.stderr
    diffed = cli("--no-cache", "--diff", *options, path, cwd=tmp_path)
    assert (diffed.returncode, diffed.stdout) == (0, b""), diffed.stderr
    piped = cli("--no-cache", *options, "-", stdin=data, cwd=tmp_path)
    assert (piped.returncode, piped.stdout) == (0, data), piped.stderr


def test_canonical_still_rewrites_a_file_where_something_was_inlined(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("# dropped\n" + SOURCE)
    done = cli("--no-cache", "--canonical", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert path.read_text() == INLINED


# -- what a run says ------------------------------------------------------------------------------


COMMENTED = (
    "# a module comment\n"
    "def f(a):\n"
    "    x = g(a, '# not a comment')  # one\n"
    "    y = h(x)\n"
    "    # two\n"
    "    return y\n"
)


def test_canonical_says_how_many_comments_it_dropped(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(COMMENTED)
    (tmp_path / "clean.py").write_text(INLINED)
    done = cli("--no-cache", "--canonical", "--explain", tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "#" not in path.read_text().replace("'# not a comment'", "")
    assert f"{path}: 3 comments dropped (--canonical)" in lines(done.stderr)
    assert "3 comments dropped (--canonical)" in lines(done.stderr)[-1]
    help_text = cli("--help", cwd=tmp_path).stdout.decode()
    assert "drops every comment" in " ".join(help_text.split())


EXPLAINED = (
    "def twice(a):\n"          # 1
    "    x = g(a)\n"           # 2: read twice
    "    return h(x, x)\n"
    "\n"
    "def warns(a):\n"          # 5
    "    t = ()\n"             # 6: `a is ()` warns
    "    return a is t\n"
    "\n"
    "def dynamic(a):\n"        # 9
    "    z = g(a)\n"
    "    return eval('z')\n"
    "\n"
    "def simple(a):\n"         # 13
    "    y = g(a)\n"
    "    return h(y)\n"
)


@pytest.mark.parametrize("flag", [["--explain"], ["-vv"], ["-v", "-v"]])
def test_explain_tells_what_was_inlined_kept_and_left_alone_and_why(tmp_path, flag):
    path = tmp_path / "m.py"
    path.write_text(EXPLAINED)
    done = cli("--no-cache", "--check", "--policy", "pure", *flag, path, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    said = lines(done.stderr)
    for line in (f"{path}:2: x kept: multiple-reads",
                 f"{path}:6: t kept: would-warn",
                 f"{path}:9: dynamic left as it was: dynamic-scope: eval on line 11",
                 f"{path}:13: simple: inlined y",
                 f"would change: {path}"):
        assert line in said, done.stderr
    assert path.read_text() == EXPLAINED


def test_verbose_names_the_files_left_unchanged_too(tmp_path):
    (tmp_path / "a.py").write_text(SOURCE)
    (tmp_path / "done.py").write_text(INLINED)
    done = cli("--no-cache", "--check", "-v", tmp_path, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert {f"would change: {tmp_path / 'a.py'}", f"unchanged: {tmp_path / 'done.py'}"} <= set(lines(done.stderr))


def test_one_is_singular(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    done = cli("--no-cache", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = lines(done.stderr)
    assert f"inlined {path}: 1 variable" in said
    assert said[-1].startswith("1 file, 1 changed, 1 function, 1 variable inlined (")


def test_a_parse_error_says_its_position_once(tmp_path):
    path = tmp_path / "syn.py"
    path.write_text("def f(a):\n    x = g(a)\n    return h(x,, 1)\n")
    done = cli("--no-cache", path, cwd=tmp_path)
    assert done.returncode == 123
    (error,) = [line for line in lines(done.stderr) if ": error: " in line]
    assert error == f"{path}:3:16: error: parse-error: invalid syntax"


@pytest.mark.parametrize("setup", ["empty", "all excluded"])
def test_a_tree_without_python_files_says_so_and_exits_0(tmp_path, setup):
    tree = tmp_path / "tree"
    tree.mkdir()
    if setup == "all excluded":
        (tree / "build").mkdir()
        (tree / "build" / "m.py").write_text(SOURCE)
    done = cli("--no-cache", tree, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = lines(done.stderr)
    assert said[0].startswith("0 files, 0 changed")
    assert said[1].startswith("hint: no Python file found")


# -- options --------------------------------------------------------------------------------


def test_help_names_the_paths_and_shows_flags_as_flags(tmp_path):
    done = cli("--help", cwd=tmp_path)
    assert done.returncode == 0
    text = done.stdout.decode()
    assert text.startswith("Usage: inline-solvers [OPTIONS] PATH...\n")
    assert "{paths}" not in text and "<bool>" not in text
    assert re.search(r"^  --check +Write nothing", text, re.MULTILINE)


def test_a_flag_takes_no_value(tmp_path):
    (tmp_path / "w.py").write_text(SOURCE)
    done = cli("--no-cache", "--check", "true", "w.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "Error: Invalid value for 'PATH...': 'true' does not exist" in lines(done.stderr)


@pytest.mark.parametrize("value", ["none", "None", "0", "inf"])
def test_timeout_can_say_no_limit(tmp_path, value):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    done = cli("--no-cache", "--timeout", value, path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert path.read_text() == INLINED


def test_timeout_no_limit_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.inline-solvers]\ntimeout = "none"\n')
    (tmp_path / "m.py").write_text(SOURCE)
    done = cli("--no-cache", "m.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m.py").read_text() == INLINED


@pytest.mark.parametrize("args, named", [
    (["--include", "("], "'--include'"),
    (["--exclude", "[a-"], "'--exclude'"),
    (["--timeout", "-1"], "'--timeout'"),
    (["--timeout", "soon"], "'--timeout'"),
    (["--store-name", "class"], "'--store-name'"),
    (["--policy", "lax"], "'--policy'"),
])
def test_a_bad_value_names_its_option(tmp_path, args, named):
    (tmp_path / "m.py").write_text(SOURCE)
    done = cli(*args, "m.py", cwd=tmp_path)
    assert done.returncode == 2
    (error,) = [line for line in lines(done.stderr) if line.startswith("Error: ")]
    assert error.startswith(f"Error: Invalid value for {named}: "), error
    assert (tmp_path / "m.py").read_text() == SOURCE


@pytest.mark.parametrize("setting, named", [
    ('policy = "lax"', "'policy'"),
    ('include = "("', "'include'"),
    ("parallel = 0", "'parallel'"),
    ("timeout = -2", "'timeout'"),
    ('drop-dead = "maybe"', "'drop-dead'"),
])
def test_a_bad_value_in_pyproject_names_the_setting_and_the_file(tmp_path, setting, named):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(f"[tool.inline-solvers]\n{setting}\n")
    (project / "m.py").write_text(SOURCE)
    done = cli("m.py", cwd=project)
    assert done.returncode == 2
    (error,) = [line for line in lines(done.stderr) if line.startswith("Error: ")]
    assert error.startswith(f"Error: Invalid value for {named} in {project / 'pyproject.toml'} "
                            "[tool.inline-solvers]: "), error
    assert "Traceback" not in done.stderr.decode()
    assert (project / "m.py").read_text() == SOURCE


def test_pyproject_settings_go_through_the_flags_types(tmp_path):
    """A setting reaches the run exactly as its flag would: counted, parsed, bounded."""
    (tmp_path / "pyproject.toml").write_text('[tool.inline-solvers]\nverbose = 2\nexpand = "all"\n')
    (tmp_path / "m.py").write_text("def f(a):\n    x = a\n    return h(x, x)\n")
    done = cli("--no-cache", "--check", "m.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "m.py:1: f: inlined x" in lines(done.stderr)  # verbose = 2 explains


def test_canonical_text_the_file_s_encoding_cannot_hold_is_reported_not_a_traceback(tmp_path):
    """ast.unparse writes a character its input spelled as an escape; a latin-1 file cannot
    hold the euro sign: the file is named, left as it was, and the rest of the run goes on."""
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\ndef f(a):\n    x = g(a)\n    return x, '\\u20ac'\n")
    other = tmp_path / "other.py"
    other.write_text(SOURCE)
    before = latin.read_bytes()
    done = cli("--canonical", latin, other, cwd=tmp_path)
    assert done.returncode == 123, done.stderr
    assert b"Traceback" not in done.stderr
    assert any("latin.py" in line and "encoding" in line for line in lines(done.stderr)), done.stderr
    assert latin.read_bytes() == before
    assert other.read_text() != SOURCE
