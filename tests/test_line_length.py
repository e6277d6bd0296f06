"""Written code keeps the project's line length: a variable whose value would make a
written line wider than the limit stays (``line-length``). The limit comes from
``--line-length``, else from ``[tool.black]`` or ``[tool.ruff]`` in the nearest
pyproject.toml; the canonical form has none."""

from __future__ import annotations

import shutil

import pytest

from command import cli, lines
from fixture_runner import FIXTURES_DIR, fixture_modules
from helpers import code
from inliner import InlineOptions, inline_source

WIDE = code("""
    def f(alpha_value, beta_value):
        vertical_lines = compute_vertical_lines(alpha_value, beta_value)
        return combine(vertical_lines, beta_value)
    """)
NARROW = code("""
    def g(a):
        x = h(a)
        return x
    """)


def new_wide_lines(before: str, after: str, limit: int) -> list[str]:
    old = set(before.splitlines())
    return [line for line in after.splitlines() if len(line) > limit and line not in old]


@pytest.mark.parametrize(("limit", "kept"), [(None, {}), (80, {}), (60, {"vertical_lines": "line-length"})])
def test_a_value_that_would_widen_a_line_past_the_limit_stays(limit, kept):
    result = inline_source(WIDE, InlineOptions(line_length=limit, pure_calls=("*",)))
    assert {k.name: k.reason.value for k in result.kept} == kept
    if limit is not None:
        assert new_wide_lines(WIDE, result.code, limit) == []


def test_a_value_read_inside_another_inlined_value_counts_where_it_lands():
    """``y`` moves into ``x``'s value, which has moved into the return line: that line
    holds both."""
    source = code("""
        def f(a):
            y = first_long_function_name(a)
            x = second_long_function_name(y)
            return x
        """)
    free = inline_source(source, InlineOptions(pure_calls=("*",)))
    assert "return second_long_function_name(first_long_function_name(a))" in free.code
    width = len("    return second_long_function_name(first_long_function_name(a))")
    result = inline_source(source, InlineOptions(line_length=width - 1, pure_calls=("*",)))
    assert {k.name: k.reason.value for k in result.kept} == {"y": "line-length"}
    assert new_wide_lines(source, result.code, width - 1) == []


def test_a_multi_line_value_never_fits_a_limit():
    source = "def f(a):\n    x = g(\n        a,\n    )\n    return x\n"
    assert inline_source(source, InlineOptions(pure_calls=("*",))).inlined == 1
    result = inline_source(source, InlineOptions(line_length=200, pure_calls=("*",)))
    assert [k.reason.value for k in result.kept] == ["line-length"]


def test_the_canonical_form_has_no_line_length():
    options = InlineOptions(line_length=20, preserve_format=False, pure_calls=("*",))
    assert options.cache_token() == InlineOptions(preserve_format=False, pure_calls=("*",)).cache_token()
    assert inline_source(WIDE, options).inlined == 1


@pytest.mark.parametrize("path", fixture_modules(), ids=lambda p: p.name)
def test_no_fixture_gets_a_new_line_past_88(path):
    source = path.read_text()
    result = inline_source(source, InlineOptions(line_length=88, pure_calls=("dsl.*",)))
    assert result.inlined > 0
    assert new_wide_lines(source, result.code, 88) == []


def test_the_command_line_takes_the_project_s_black_line_length(tmp_path):
    """Hand-written modules (the fixtures' DSL and a module of long names) under
    ``[tool.black] line-length = 88``: no new line past 88; a flag overrides the file."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.black]\nline-length = 88\n")
    shutil.copyfile(FIXTURES_DIR / "dsl.py", project / "dsl.py")
    (project / "wide.py").write_text(WIDE + "\n\n" + NARROW)
    before = {p.name: p.read_text() for p in project.glob("*.py")}
    done = cli("--no-cache", "--pure-calls", "*", project, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for path in project.glob("*.py"):
        assert new_wide_lines(before[path.name], path.read_text(), 88) == [], path.name
    (project / "wide.py").write_text(WIDE + "\n\n" + NARROW)
    done = cli("--no-cache", "--pure-calls", "*", "--line-length", "60", "--explain", project / "wide.py",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert any(line.endswith("vertical_lines kept: line-length") for line in lines(done.stderr)), done.stderr
    assert "    return h(a)" in (project / "wide.py").read_text()


def test_ruff_s_line_length_counts_when_black_sets_none(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 60\n")
    module = tmp_path / "wide.py"
    module.write_text(WIDE)
    done = cli("--no-cache", "--pure-calls", "*", module, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert module.read_text() == WIDE


def test_a_bad_line_length_is_a_usage_error(tmp_path):
    module = tmp_path / "wide.py"
    module.write_text(WIDE)
    done = cli("--line-length", "wide", module, cwd=tmp_path)
    assert done.returncode == 2
    assert "is no line length" in done.stderr.decode()
    assert module.read_text() == WIDE


def test_library_line_length_is_checked():
    with pytest.raises(ValueError, match="line_length"):
        InlineOptions(line_length=0)
