"""The progress bar, read from a real pseudo-terminal: the command line runs as a child
with its standard error on a pty, and the test reads everything it draws there."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from inline_solvers_cli.app import main
from helpers import SOURCE

_ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_terminal(args: list[str], stdout: Path) -> tuple[int, str]:
    """Run the command line with standard error on a pty (standard output to a file);
    returns its exit code and what it drew, escape sequences removed."""
    controller, terminal = pty.openpty()
    with open(stdout, "wb") as out:
        child = subprocess.Popen([sys.executable, "-m", "inline_solvers_cli", *args], stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=terminal)
    os.close(terminal)
    drawn = b""
    while True:  # read as it draws (a full pty would block it) until it closes the pty
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child has gone and the pty is closed
            break
        if not chunk:
            break
        drawn += chunk
    os.close(controller)
    return child.wait(timeout=120), _ESCAPE.sub(b"", drawn).decode()


def files(folder: Path, count: int) -> Path:
    folder.mkdir()
    for k in range(count):
        (folder / f"m{k}.py").write_text(SOURCE.replace("def solve", f"def solve_{k}"))
    return folder


BAR = re.compile(r"(inlining|digesting) +━+ +(\d+)/(\d+) files ([\d.]+|\?) files/s (\d+:\d\d:\d\d|-:--:--)")


def test_a_bar_with_count_rate_and_time_left_on_a_terminal(tmp_path):
    tree = files(tmp_path / "tree", 25)
    code, drawn = run_on_terminal(["--no-cache", "--check", str(tree)], tmp_path / "out")
    assert code == 1
    bars = BAR.findall(drawn)
    assert ("inlining", "25", "25") in [(b[0], b[1], b[2]) for b in bars]
    assert all(b[2] == "25" for b in bars)
    assert "25 files, 25 would change" in drawn  # the summary still follows


def test_a_store_run_shows_both_passes(tmp_path):
    tree = files(tmp_path / "tree", 20)
    code, drawn = run_on_terminal(["--no-cache", "--check", "--store", str(tmp_path / "store"), str(tree)],
                                  tmp_path / "out")
    assert code == 1
    finished = {(b[0], b[1]) for b in BAR.findall(drawn)}
    assert {("inlining", "20"), ("digesting", "20")} <= finished


def test_no_bar_for_fewer_than_twenty_files(tmp_path):
    tree = files(tmp_path / "tree", 19)
    code, drawn = run_on_terminal(["--no-cache", "--check", str(tree)], tmp_path / "out")
    assert code == 1
    assert "files/s" not in drawn and "19 files, 19 would change" in drawn


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_no_bar_with_json_or_quiet(tmp_path, quiet):
    tree = files(tmp_path / "tree", 25)
    out = tmp_path / "out"
    code, drawn = run_on_terminal(["--no-cache", "--duplicates", "--json", *quiet, str(tree)], out)
    assert code == 0
    assert "files/s" not in drawn and "━" not in drawn
    report = json.loads(out.read_text())  # standard output is the JSON object alone
    assert (report["functions"], report["distinct"], len(report["groups"])) == (25, 1, 1)


def test_no_bar_when_standard_error_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = files(tmp_path / "tree", 25)
    assert main(["--check", str(tree)]) == 1
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b" not in err and "files/s" not in err
