"""A real pre-commit, in a temporary git repository, pointed at this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_runner import FIXTURES_DIR

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _pre_commit() -> list[str] | None:
    executable = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    return [executable] if executable else None


@pytest.mark.skipif(shutil.which("git") is None or _pre_commit() is None,
                    reason="needs git and pre-commit")
def test_first_run_fixes_and_fails_second_run_passes(tmp_path):
    try:
        revision = _git("rev-parse", "HEAD", cwd=ROOT).strip()
    except subprocess.CalledProcessError:
        pytest.skip("this checkout has no commit for pre-commit to install")
    repository = tmp_path / "user-repo"
    repository.mkdir()
    _git("init", "-q", cwd=repository)
    _git("config", "user.email", "test@example.invalid", cwd=repository)
    _git("config", "user.name", "test", cwd=repository)
    shutil.copy(FIXTURES_DIR / "solvers_small.py", repository / "solvers_small.py")
    shutil.copy(FIXTURES_DIR / "differs.py", repository / "differs.py")
    (repository / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {revision}\n"
        "    hooks:\n"
        "      - id: inline-solvers\n"
        "        args: [--no-cache]\n"
    )
    _git("add", ".", cwd=repository)
    _git("commit", "-qm", "generated modules", cwd=repository)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    command = [*_pre_commit(), "run", "--all-files"]

    first = subprocess.run(command, cwd=repository, env=environment, capture_output=True, text=True,
                           timeout=900)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    changed = (repository / "solvers_small.py").read_text()
    assert changed != (FIXTURES_DIR / "solvers_small.py").read_text()

    second = subprocess.run(command, cwd=repository, env=environment, capture_output=True, text=True,
                            timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (repository / "solvers_small.py").read_text() == changed
