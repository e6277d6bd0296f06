"""The README's code runs as written: every ```python and ```sh block, each in a process
of its own, in a temporary working directory holding a copy of the fixtures. A block that
cannot run here says why in an HTML comment on the line right before it
(``<!-- not run: needs a Dask cluster -->``); every other block must run and exit 0.

Python blocks use two names the README leaves to the reader: ``source`` (one generated
solver) and ``sources`` (generated modules); the prelude below defines them. Absolute paths
the examples write to (a system cache directory) are redirected into the working
directory. Shell blocks run with this environment's ``inline-solvers`` first on the PATH
and a private cache."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import SOURCE

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUNNABLE = ("python", "sh")
NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>.*\S)\s*-->$")

PRELUDE = f"""\
import pathlib
source = {SOURCE!r}
sources = [pathlib.Path("fixtures", name).read_text() for name in ("differs.py", "solvers_small.py")]
"""
REDIRECTED = ("/var/cache/",)
"""Absolute directories examples write to, which become directories of the working one."""


@dataclass(frozen=True)
class Block:
    language: str
    line: int
    """The README line of the opening fence."""
    code: str
    not_run: str | None
    """Why the block is not run, from the comment right before it; None: it runs."""

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.language})"


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks of ``text`` in the languages run here, with their markers."""
    blocks = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        if fence.group(1) in RUNNABLE:
            marker = NOT_RUN.match(lines[index - 1].strip()) if index else None
            blocks.append(Block(fence.group(1), index + 1, "\n".join(lines[index + 1:end]) + "\n",
                                marker.group("reason") if marker else None))
        index = end + 1
    return blocks


BLOCKS = readme_blocks(README.read_text())


def test_every_marker_names_a_reason_and_sits_before_a_block():
    """A ``not run`` comment anywhere else (or without a reason) would silently not apply."""
    text = README.read_text()
    markers = [i for i, line in enumerate(text.splitlines(), 1) if "not run" in line and "<!--" in line]
    marked = [b.line - 1 for b in BLOCKS if b.not_run is not None]
    assert markers == marked
    assert all(b.not_run.strip() for b in BLOCKS if b.not_run is not None)
    assert sum(b.not_run is None for b in BLOCKS) >= 6, "most of the README's blocks run"


def test_blocks_are_found_as_a_reader_sees_them():
    text = ("a\n<!-- not run: needs a cluster -->\n```sh\nx\n```\n\n```python\nprint(1)\n```\n"
            "```toml\nk = 1\n```\n")
    assert readme_blocks(text) == [Block("sh", 3, "x\n", "needs a cluster"), Block("python", 7, "print(1)\n", None)]


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    return tmp_path


def redirect(code: str, workdir: Path) -> str:
    for directory in REDIRECTED:
        code = code.replace(directory, f"{workdir}/{directory.strip('/').replace('/', '-')}/")
    return code


@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_readme_block_runs(block, workdir):
    if block.not_run is not None:
        pytest.skip(f"{block}: {block.not_run}")
    environment = {**os.environ, "XDG_CACHE_HOME": str(workdir / "xdg-cache"),
                   "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    code = redirect(block.code, workdir)
    if block.language == "python":
        script = workdir / "readme_block.py"
        script.write_text(PRELUDE + code)
        argv = [sys.executable, str(script)]
    else:
        argv = ["sh", "-e", "-c", code]
    done = subprocess.run(argv, cwd=workdir, env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{block} failed:\n{block.code}\n{done.stdout}\n{done.stderr}"
