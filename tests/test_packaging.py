"""What an installation puts into site-packages: the library and the command line under
names of their own (a top-level ``cli`` would collide with other distributions)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path


from inliner import __version__

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_is_packaged():
    """The package list is explicit (the command line's folder is mapped to another name),
    so a new subpackage of the library must be added to it; this says when one is not."""
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "inliner").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert _setuptools()["package-dir"] == {"inline_solvers_cli": "cli"}


def test_a_real_install_has_no_top_level_cli_and_its_command_runs(tmp_path):
    """A wheel built from this checkout, installed by pip into a fresh virtual environment
    (its dependencies taken from this interpreter's, to stay offline and quick)."""
    # Built from a copy: a build in place would leave build/ and egg-info in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("inliner", "cli"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
                           capture_output=True, text=True)
    # A wheel that cannot be built is a broken package (a pyproject.toml that does not
    # load, a package missing from the list), never a reason to skip.
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("inline_solvers-*.whl")
    environment = tmp_path / "fresh"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    top_level = {p.name for p in site.iterdir()}
    assert {"inliner", "inline_solvers_cli"} <= top_level
    assert "cli" not in top_level
    # The dependencies from this interpreter's site-packages, put after the fresh
    # environment's own (a .pth file appends), so that the wheel's packages win even where
    # this checkout is installed there too (as in CI, not editable).
    (site / "dependencies-from-the-test-interpreter.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([str(environment / "bin" / "inline-solvers"), "--version"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"inline-solvers {__version__}\n"
    module = subprocess.run([str(python), "-c", "import inline_solvers_cli.app as a; print(a.__file__)"],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert Path(module.stdout.strip()).is_relative_to(site), module.stderr
