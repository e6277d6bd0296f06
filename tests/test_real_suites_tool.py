"""The pure parts of tools/real_suites.py: reading pytest's junit XML, comparing two runs,
the summaries and the table. The harness itself needs the network and minutes; it is run
by hand (docs/real_suites.md), never here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "real_suites.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("real_suites", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_suites"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


rs = _load_tool()

# The shapes pytest writes (junit_family=xunit1), trimmed: a failure in the call and an
# error in the teardown of one test come as two test cases with one id.
JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="2" failures="2" skipped="2" tests="9">
<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="5" time="0.001" />
<testcase classname="tests.test_a" name="test_fail_and_td" time="0.01"><failure message="assert 0">trace</failure></testcase>
<testcase classname="tests.test_a" name="test_fail_and_td" time="0.0"><error message="failed on teardown">trace</error></testcase>
<testcase classname="tests.test_a" name="test_td" time="0.0"><error message="failed on teardown">trace</error></testcase>
<testcase classname="tests.test_a" name="test_xf" time="0.0"><skipped type="pytest.xfail" message="" /></testcase>
<testcase classname="tests.test_a" name="test_xpass_strict"><failure message="[XPASS(strict)] ">[XPASS(strict)] </failure></testcase>
<testcase classname="tests.test_a" name="test_skip"><skipped type="pytest.skip" message="nope">t.py:15: nope</skipped></testcase>
<testcase classname="tests.test_a.TestC" name="test_p[a b]" time="0.0" />
<testcase classname="" name="tests.test_broken"><error message="collection failure">trace</error></testcase>
</testsuite></testsuites>
"""


def test_junit_outcomes_one_per_test_id():
    assert rs.parse_junit(JUNIT) == {
        "tests.test_a::test_ok": "passed",
        "tests.test_a::test_fail_and_td": "failed",  # the worse of failed and error
        "tests.test_a::test_td": "error",
        "tests.test_a::test_xf": "xfail",
        "tests.test_a::test_xpass_strict": "failed",
        "tests.test_a::test_skip": "skipped",
        "tests.test_a.TestC::test_p[a b]": "passed",
        "tests.test_broken": "error",  # a collection error has no class name
    }


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("passed", "failed", "failed"),
        ("failed", "passed", "failed"),
        ("error", "failed", "failed"),
        ("skipped", "error", "error"),
        ("xfail", "passed", "xfail"),
        ("passed", "passed", "passed"),
    ],
)
def test_a_duplicate_id_keeps_the_worse_outcome(first, second, kept):
    body = {"passed": "", "failed": "<failure/>", "error": "<error/>",
            "skipped": "<skipped/>", "xfail": '<skipped type="pytest.xfail"/>'}
    xml = (
        "<testsuites><testsuite>"
        f'<testcase classname="m" name="t">{body[first]}</testcase>'
        f'<testcase classname="m" name="t">{body[second]}</testcase>'
        "</testsuite></testsuites>"
    )
    assert rs.parse_junit(xml) == {"m::t": kept}


def test_an_empty_report_has_no_outcomes():
    assert rs.parse_junit("<testsuites><testsuite/></testsuites>") == {}


def test_compare_lists_changed_new_and_vanished_tests_in_id_order():
    base = {"b": "passed", "a": "passed", "c": "skipped", "d": "failed"}
    after = {"a": "passed", "b": "failed", "d": "failed", "e": "passed"}
    assert rs.compare(base, after) == [
        rs.Difference("b", "passed", "failed"),
        rs.Difference("c", "skipped", "missing"),
        rs.Difference("e", "missing", "passed"),
    ]


def test_compare_of_equal_runs_is_empty():
    outcomes = {"a": "passed", "b": "xfail", "c": "error"}
    assert rs.compare(outcomes, dict(outcomes)) == []
    assert rs.compare({}, {}) == []


def test_everything_missing_after_a_crash_is_one_difference_per_test():
    base = {f"t{i}": "passed" for i in range(5)}
    differences = rs.compare(base, {})
    assert [d.after for d in differences] == ["missing"] * 5


@pytest.mark.parametrize(
    ("outcomes", "summary"),
    [
        ({}, "no tests"),
        ({"a": "passed"}, "1 passed"),
        ({"a": "skipped", "b": "passed", "c": "failed", "d": "passed"}, "2 passed, 1 failed, 1 skipped"),
        ({"a": "xfail", "b": "error", "c": "passed"}, "1 passed, 1 error, 1 xfail"),
        ({"a": "weird", "b": "passed"}, "1 passed, 1 weird"),
    ],
)
def test_summary_counts_in_a_fixed_order_without_zeros(outcomes, summary):
    assert rs.summarize(outcomes) == summary


def _results():
    base = rs.RunResult("pyparsing", "3.1.4", "base", outcomes={"a": "passed", "b": "passed"})
    broken = rs.RunResult(
        "pyparsing", "3.1.4", "strict/single", outcomes={"a": "passed", "b": "failed"},
        variables_inlined=25, fallbacks={"internal-error": 2, "timeout": 1},
    )
    broken.differences = rs.compare(base.outcomes, broken.outcomes)
    clean = rs.RunResult(
        "pyparsing", "3.1.4", "strict/all", outcomes=dict(base.outcomes), variables_inlined=0,
    )
    crashed = rs.RunResult("toolz", "1.0.0", "strict/all", problem="pytest wrote no report")
    return base, broken, clean, crashed


def test_table_rows_say_inlined_internal_errors_outcomes_and_differences():
    base, broken, clean, crashed = _results()
    assert rs.table_row(base) == ("pyparsing", "3.1.4", "base", "", "", "2 passed", "")
    assert rs.table_row(broken) == (
        "pyparsing", "3.1.4", "strict/single", "25 (fallbacks: timeout 1)", "2",
        "1 passed, 1 failed", "1",
    )
    assert rs.table_row(clean) == ("pyparsing", "3.1.4", "strict/all", "0", "0", "2 passed", "0")
    assert rs.table_row(crashed)[5] == "no tests (pytest wrote no report)"


def test_table_is_markdown_with_aligned_columns():
    lines = rs.format_table(_results()).splitlines()
    assert len(lines) == 2 + 4
    assert lines[0].split("|")[1].strip() == "library"
    assert [c.strip() for c in lines[0].strip("|").split("|")] == list(rs.TABLE_HEADER)
    assert set(lines[1]) == {"|", "-"}
    assert len({len(line) for line in lines}) == 1  # every row as wide as the header
    assert lines[3].split("|")[5].strip() == "2"  # the internal errors of strict/single


def test_differences_listed_up_to_the_limit_and_problems_named():
    base = rs.RunResult("lib", "1", "base", outcomes={f"t{i:02}": "passed" for i in range(12)})
    after = rs.RunResult("lib", "1", "strict/all", outcomes={})
    after.differences = rs.compare(base.outcomes, after.outcomes)
    crashed = rs.RunResult("lib", "1", "strict/single", problem="pytest ran out of time (9 s)",
                           notes=("lib/core.py: error: internal-error: ValueError",))
    text = rs.format_differences([base, after, crashed], limit=3)
    assert text.splitlines() == [
        "lib strict/all: 12 differ",
        "    t00: passed -> missing",
        "    t01: passed -> missing",
        "    t02: passed -> missing",
        "    ... and 9 more",
        "lib strict/single: lib/core.py: error: internal-error: ValueError",
        "lib strict/single: pytest ran out of time (9 s)",
    ]


def test_a_run_fails_on_differences_internal_errors_or_a_problem_only():
    base, broken, clean, crashed = _results()
    assert not base.failed
    assert not clean.failed
    assert broken.failed
    assert crashed.failed
    only_internal = rs.RunResult("x", "1", "strict/all", fallbacks={"internal-error": 1})
    assert only_internal.failed
    only_timeout = rs.RunResult("x", "1", "strict/all", fallbacks={"timeout": 1})
    assert not only_timeout.failed


def test_modes_are_strict_only_and_spell_their_options():
    assert [m.name for m in rs.MODES] == [
        "strict/single", "strict/all", "strict/single/canonical", "strict/all/canonical",
    ]
    assert rs.MODES[0].cli_args() == ["--policy", "strict", "--expand", "single"]
    assert rs.MODES[3].cli_args() == ["--policy", "strict", "--expand", "all", "--canonical"]


def test_only_package_sources_are_inlined_never_tests(tmp_path):
    for name in ("lib/__init__.py", "lib/core.py", "lib/tests/test_core.py", "lib/sub/test/x.py",
                 "lib/testing.py", "tests/test_lib.py", "other/mod.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    library = rs.Library("lib", "1", ".", ("lib",), ("lib",), (), ("tests",), "why")
    found = [p.relative_to(tmp_path).as_posix() for p in rs.package_sources(tmp_path, library)]
    assert found == ["lib/__init__.py", "lib/core.py", "lib/testing.py"]


def test_the_library_own_pytest_configuration_is_found_in_pytest_order(tmp_path):
    assert rs.pytest_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("[tool.black]\n")  # not a pytest file
    assert rs.pytest_config(tmp_path) is None
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\ntestpaths = tests\n")
    assert rs.pytest_config(tmp_path) == tmp_path / "setup.cfg"
    (tmp_path / "tox.ini").write_text("[pytest]\n")
    assert rs.pytest_config(tmp_path) == tmp_path / "tox.ini"


def test_every_library_is_pinned_and_named_once():
    names = [lib.name for lib in rs.LIBRARIES]
    assert len(names) == len(set(names)) >= 4
    assert "pyparsing" in names
    for lib in rs.LIBRARIES:
        assert lib.version and "*" not in lib.version
        assert all("==" in requirement for requirement in lib.test_requirements)
