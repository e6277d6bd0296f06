"""A real pre-commit, in temporary git repositories: the hook this checkout defines, and
the README's examples exactly as written (the remote one pointed at this checkout)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_runner import FIXTURES_DIR
from helpers import INLINED, SOURCE

ROOT = Path(__file__).resolve().parent.parent

HAND_WRITTEN = "def take(queue):\n    first = queue.pop()\n    queue.clear()\n    return first\n"
"""Code whose behaviour the pure policy changes (it would move the pop after the clear)."""


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _pre_commit() -> list[str] | None:
    executable = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    return [executable] if executable else None


pytestmark = pytest.mark.skipif(shutil.which("git") is None or _pre_commit() is None,
                                reason="needs git and pre-commit")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _readme_examples() -> list[str]:
    """The YAML blocks of the README's pre-commit section, as written."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Pre-commit", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)


def _repository(tmp_path: Path, config: str, generated: str) -> Path:
    """A git repository with generated modules below ``generated``, a hand-written one
    beside them, and ``config`` as its pre-commit configuration."""
    repository = tmp_path / "user-repo"
    (repository / generated).mkdir(parents=True)
    (repository / "app").mkdir()
    _git("init", "-q", cwd=repository)
    _git("config", "user.email", "test@example.invalid", cwd=repository)
    _git("config", "user.name", "test", cwd=repository)
    shutil.copy(FIXTURES_DIR / "solvers_small.py", repository / generated / "solvers_small.py")
    for k in range(10):
        (repository / generated / f"g{k}.py").write_text(SOURCE)
    (repository / "app" / "queue_tools.py").write_text(HAND_WRITTEN)
    (repository / ".pre-commit-config.yaml").write_text(config)
    _git("add", ".", cwd=repository)
    _git("commit", "-qm", "generated modules and hand-written code", cwd=repository)
    return repository


def _run(repository: Path, home: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PRE_COMMIT_HOME": str(home), "XDG_CACHE_HOME": str(home / "xdg")}
    environment.pop("PRE_COMMIT_NO_CONCURRENCY", None)
    if path is not None:
        environment["PATH"] = path
    return subprocess.run([*_pre_commit(), "run", "--all-files", "--verbose"], cwd=repository,
                          env=environment, capture_output=True, text=True, timeout=900)


def _summaries(output: str) -> list[str]:
    return re.findall(r"^\d+ files?, \d+ changed.*$", output, re.MULTILINE)


def _this_checkout() -> str:
    try:
        return _git("rev-parse", "HEAD", cwd=ROOT).strip()
    except subprocess.CalledProcessError:
        pytest.skip("this checkout has no commit for pre-commit to install")


def test_the_hook_is_strict_serial_fixes_then_passes(tmp_path, pre_commit_home):
    """The hook with no arguments: strict (hand-written code keeps its behaviour), one run
    of the tool for all files (require_serial), a first run that fixes and fails, and a
    second that passes."""
    config = ("repos:\n"
              f"  - repo: {ROOT}\n"
              f"    rev: {_this_checkout()}\n"
              "    hooks:\n"
              "      - id: inline-solvers\n")
    repository = _repository(tmp_path, config, "generated")
    first = _run(repository, pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert len(_summaries(first.stdout)) == 1, first.stdout  # 12 files, one process
    assert (repository / "generated" / "g0.py").read_text() == INLINED
    assert (repository / "app" / "queue_tools.py").read_text() == HAND_WRITTEN
    changed = (repository / "generated" / "solvers_small.py").read_text()
    assert changed != (FIXTURES_DIR / "solvers_small.py").read_text()

    second = _run(repository, pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (repository / "generated" / "solvers_small.py").read_text() == changed


def test_the_readme_s_local_example_works_offline_as_written(tmp_path, pre_commit_home):
    """``repo: local`` runs the installed command: nothing to fetch. pure reaches the
    generated modules only; the hand-written one keeps its behaviour."""
    local = [block for block in _readme_examples() if "repo: local" in block]
    assert len(local) == 1
    generated = re.search(r"files: \^([\w/]+)/", local[0]).group(1)
    repository = _repository(tmp_path, local[0], generated)
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    first = _run(repository, pre_commit_home, path=path)
    assert first.returncode == 1, first.stdout + first.stderr
    assert (repository / generated / "g0.py").read_text() == INLINED
    pure = (repository / generated / "solvers_small.py").read_text()
    strict_only = subprocess.run([sys.executable, "-m", "inline_solvers_cli", "--no-cache", "-"],
                                 input=(FIXTURES_DIR / "solvers_small.py").read_text(),
                                 capture_output=True, text=True).stdout
    assert pure != strict_only  # the example's args reached the tool
    assert (repository / "app" / "queue_tools.py").read_text() == HAND_WRITTEN
    second = _run(repository, pre_commit_home, path=path)
    assert second.returncode == 0, second.stdout + second.stderr


def test_the_readme_s_remote_example_works_pinned_to_a_commit(tmp_path, pre_commit_home):
    """The remote example with its repository and commit replaced by this checkout's."""
    (remote,) = [block for block in _readme_examples() if "repo: local" not in block]
    assert re.search(r"rev: [0-9a-f]{40}\b", remote), "the example pins a full commit hash"
    config = re.sub(r"repo: \S+", f"repo: {ROOT}", remote)
    config = re.sub(r"rev: [0-9a-f]{40}", f"rev: {_this_checkout()}", config)
    generated = re.search(r"files: \^([\w/]+)/", config).group(1)
    repository = _repository(tmp_path, config, generated)
    first = _run(repository, pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert (repository / generated / "g0.py").read_text() == INLINED
    assert (repository / "app" / "queue_tools.py").read_text() == HAND_WRITTEN
    assert _run(repository, pre_commit_home).returncode == 0
