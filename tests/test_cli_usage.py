"""Usage as a new user meets it, through the installed command: help, errors in the tool's
own words, options that do not go together, and paths that do not exist. Every usage error
exits 2 and does nothing."""

from __future__ import annotations

import re

import pytest
from command import cli, lines
from helpers import SOURCE

from inline_solvers_cli.app import main
from inline_solvers_cli.conflicts import CONFLICTS, REQUIREMENTS

# What typer's validation library says; none of it may reach the user.
FOREIGN_WORDING = re.compile(r"Value error|Input should|Input is not|valid integer|pydantic|<class ", re.I)


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    return path


def error_line(stderr: bytes) -> str:
    errors = [line for line in lines(stderr) if line.startswith("Error: ")]
    assert len(errors) == 1, stderr.decode()
    return errors[0]


def refused(*args, cwd, untouched) -> str:
    """Run, check it is a usage error that did nothing, and return its error line."""
    done = cli("--no-cache", *args, cwd=cwd)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr.decode()
    assert untouched.read_text() == SOURCE
    return error_line(done.stderr)


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_h_is_help(tmp_path, flag):
    done = cli(flag, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert lines(done.stdout)[0] == "Usage: inline-solvers [OPTIONS] PATH..."
    assert "-h, --help" in done.stdout.decode()


# -- values, in the tool's own words ---------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--policy", "nope"], "Error: Invalid value for '--policy': 'nope' is no policy; choose strict or pure"),
    (["--expand", "some"], "Error: Invalid value for '--expand': 'some' is no expansion; choose single or all"),
    (["--executor", "gpu"], "Error: Invalid value for '--executor': 'gpu' is no executor; choose thread or process or auto"),
    (["--parallel", "0"], "Error: Invalid value for '--parallel': '0' is no number of files; give a whole number, 1 or more"),
    (["--parallel", "two"], "Error: Invalid value for '--parallel': 'two' is no number of files; give a whole number, 1 or more"),
    (["--timeout", "-1"], "Error: Invalid value for '--timeout': '-1': a time limit must be a positive number of seconds (or none, 0, inf for no limit)"),
    (["--cache-dir", ""], "Error: Invalid value for '--cache-dir': '' is no path"),
])
def test_bad_values_are_refused_in_the_tool_s_words(module, argv, message):
    assert refused(*argv, module, cwd=module.parent, untouched=module) == message


@pytest.mark.parametrize("setting, message", [
    ('policy = 3', "3 is no policy; choose strict or pure"),
    ('executor = "gpu"', "'gpu' is no executor; choose thread or process or auto"),
    ('parallel = 2.5', "2.5 is no number of files; give a whole number, 1 or more"),
    ('parallel = true', "True: must be a string or a number"),
    ('check = "yes"', "'yes': must be true or false"),
    ('verbose = "x"', "'x': must be a whole number, 0 or more"),
    ('cache-dir = 3', "3 is no path"),
    ('timeout = true', "True: must be a string or a number"),
    ('include = ["a"]', "['a']: must be a string or a number"),
])
def test_bad_settings_are_refused_in_the_tool_s_words(module, setting, message):
    config = module.parent / "pyproject.toml"
    config.write_text(f"[tool.inline-solvers]\n{setting}\n")
    name = setting.split(" =")[0]
    assert refused(module, cwd=module.parent, untouched=module) == \
        f"Error: Invalid value for '{name}' in {config} [tool.inline-solvers]: {message}"


NOT_A_VALUE = ["", "-", "x", "0", "-1", "1.5", "nan", "(", "None"]
NOT_A_SETTING = ["{ a = 1 }", "[1, 2]", "true", "-3", "0.5", '"("', '""', "1979-05-27"]


def test_no_value_of_any_option_meets_foreign_wording(tmp_path, capsys, monkeypatch):
    """Every option that takes a value, fed values of every kind on the command line and
    from pyproject.toml: whatever is refused is refused in the tool's words."""
    import typer

    from inline_solvers_cli.app import app

    monkeypatch.chdir(tmp_path)  # what the values name (--store=x) is made here
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    source = tmp_path / "m.py"
    source.write_text(SOURCE)
    options = [p for p in typer.main.get_command(app).params
               if p.opts[0].startswith("--") and not (p.is_flag or p.count) and p.name != "scheduler"]
    assert {p.name for p in options} >= {"policy", "parallel", "cache_dir", "timeout", "store_name"}
    refusals = 0
    for option in options:
        for value in NOT_A_VALUE:
            code = main(["--no-cache", "--check", f"{option.opts[0]}={value}", str(source)])
            refusals += code == 2
            assert not FOREIGN_WORDING.search(capsys.readouterr().err), (option.name, value)
    config = tmp_path / "pyproject.toml"
    for option in typer.main.get_command(app).params:
        if option.name in ("paths", "version", "help", "scheduler", "cache_info", "clear_cache"):
            continue
        for value in NOT_A_SETTING:
            config.write_text(f"[tool.inline-solvers]\n{option.name} = {value}\n")
            code = main(["--no-cache", "--check", str(source)])
            refusals += code == 2
            assert not FOREIGN_WORDING.search(capsys.readouterr().err), (option.name, value)
    assert refusals > 100
    assert source.read_text() == SOURCE


# -- options that do not go together ---------------------------------------------------------------

ARGUMENTS = {
    "duplicates": ["--duplicates"], "check": ["--check"], "diff": ["--diff"], "quiet": ["--quiet"],
    "verbose": ["-v"], "explain": ["--explain"], "no_cache": ["--no-cache"], "cache_dir": ["--cache-dir", "c"],
    "cache_info": ["--cache-info"], "clear_cache": ["--clear-cache"], "policy": ["--policy", "strict"],
    "expand": ["--expand", "all"], "canonical": ["--canonical"], "drop_dead": ["--drop-dead"],
    "scheduler": ["--scheduler", "tcp://127.0.0.1:1"], "executor": ["--executor", "thread"],
    "json": ["--json"], "store_name": ["--store-name", "f"], "store": ["--store", "store"],
}
SHOWN = {"verbose": "--verbose"}


def shown(name: str) -> str:
    return SHOWN.get(name, ARGUMENTS[name][0])


@pytest.mark.parametrize("conflict", CONFLICTS, ids=lambda c: f"{c.option}+{c.other}")
def test_options_that_do_not_go_together_are_refused_naming_both(module, conflict):
    paths = [] if conflict.other in ("cache_info", "clear_cache") else [module]
    line = refused(*ARGUMENTS[conflict.option], *ARGUMENTS[conflict.other], *paths,
                   cwd=module.parent, untouched=module)
    assert line == f"Error: {shown(conflict.option)} and {shown(conflict.other)} do not go together: {conflict.why}"
    assert not (module.parent / "c").exists() and not (module.parent / "store").exists()


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.option)
def test_options_without_their_partner_are_refused(module, requirement):
    line = refused(*ARGUMENTS[requirement.option], module, cwd=module.parent, untouched=module)
    assert line == f"Error: {shown(requirement.option)} goes with {' or '.join(map(shown, requirement.needs))}"


def test_a_conflicting_setting_is_named_by_its_file(module):
    config = module.parent / "pyproject.toml"
    config.write_text("[tool.inline-solvers]\nquiet = true\n")
    line = refused("--explain", module, cwd=module.parent, untouched=module)
    assert line == (f"Error: 'quiet' in {config} [tool.inline-solvers] and --explain do not go together: "
                    "one prints less, the other more")


def test_settings_for_other_runs_wait_for_them(module):
    """A project's settings for inlining runs do not stand in the way of --duplicates."""
    (module.parent / "pyproject.toml").write_text(
        '[tool.inline-solvers]\npolicy = "pure"\nexpand = "all"\ncanonical = true\njson = true\n')
    done = cli("--no-cache", "--duplicates", module, cwd=module.parent)
    assert done.returncode == 0, done.stderr
    assert '"groups": []' in done.stdout.decode()
    inlined = cli("--no-cache", "--check", module, cwd=module.parent)
    assert inlined.returncode == 1, inlined.stderr


def test_check_and_diff_go_together(module):
    done = cli("--no-cache", "--check", "--diff", module, cwd=module.parent)
    assert done.returncode == 1, done.stderr
    assert f"would change: {module}" in lines(done.stderr) and done.stdout.startswith(b"--- a/")


# -- paths ---------------------------------------------------------------------------------------------

def test_a_missing_path_is_a_usage_error_naming_it(module):
    """Nothing is done (the other path stays as it is): a typo is found before any file is."""
    missing = module.parent / "nope.py"
    assert refused(module, missing, cwd=module.parent, untouched=module) == \
        f"Error: Invalid value for 'PATH...': '{missing}' does not exist"
    below_a_file = module / "x.py"
    assert refused(below_a_file, cwd=module.parent, untouched=module) == \
        f"Error: Invalid value for 'PATH...': '{below_a_file}' does not exist"


def test_a_dangling_link_is_no_missing_path_but_a_file_that_cannot_be_read(module):
    link = module.parent / "dangling.py"
    link.symlink_to(module.parent / "gone.py")
    done = cli("--no-cache", link, module, cwd=module.parent)
    assert done.returncode == 123, done.stderr
    assert f"{link}: error: cannot be read: No such file or directory" in lines(done.stderr)


def test_no_path_at_all_is_a_usage_error(tmp_path):
    done = cli(cwd=tmp_path)
    assert done.returncode == 2
    assert error_line(done.stderr) == "Error: Missing argument 'PATH...'."


def test_every_option_the_tables_name_is_an_option():
    import typer

    from inline_solvers_cli.app import app

    names = {p.name for p in typer.main.get_command(app).params}
    named = {n for c in CONFLICTS for n in (c.option, c.other)}
    named |= {n for r in REQUIREMENTS for n in (r.option, *r.needs)}
    assert named <= names, named - names
    assert named <= set(ARGUMENTS)
