"""The store: ``<md5>.py`` files whose md5 is their name, written once, never torn."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys

import pytest

from inliner import canonicalise, prepare_store, store_canonical, store_text
from inliner.store import TEMPORARY_SUFFIX

SOLVER = "def solve_a(S, I, C):\n    x1 = f(I)\n    return x1\n"


def md5_of_file(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_function_is_stored_under_the_md5_of_its_canonical_text(tmp_path):
    function = canonicalise(SOLVER)
    assert store_canonical(tmp_path / "store", function) is True
    (stored,) = (tmp_path / "store").iterdir()
    assert stored.name == f"{function.digest}.py"
    assert stored.read_text() == "def solve(S, I, C):\n    return f(I)"
    assert md5_of_file(stored) == function.digest


def test_storing_again_writes_nothing(tmp_path):
    function = canonicalise(SOLVER)
    store_canonical(tmp_path, function)
    stored = tmp_path / f"{function.digest}.py"
    before = os.stat(stored)
    assert store_canonical(tmp_path, function) is False
    after = os.stat(stored)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == [stored.name]


def test_an_existing_file_is_never_rewritten(tmp_path):
    function = canonicalise(SOLVER)
    planted = tmp_path / f"{function.digest}.py"
    planted.write_text("someone else's bytes")
    assert store_canonical(tmp_path, function) is False
    assert planted.read_text() == "someone else's bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == [planted.name]


def test_a_file_that_appears_after_the_check_is_not_rewritten_either(tmp_path, monkeypatch):
    """The race: another run stores the name between the check and the write. The link
    to the name fails instead of replacing it."""
    function = canonicalise(SOLVER)
    planted = tmp_path / f"{function.digest}.py"
    planted.write_text("stored by another run")
    monkeypatch.setattr(os.path, "lexists", lambda path: False)  # the check saw nothing
    assert store_canonical(tmp_path, function) is False
    assert planted.read_text() == "stored by another run"
    assert sorted(p.name for p in tmp_path.iterdir()) == [planted.name]  # no temporary left


def test_without_hard_links_the_file_is_renamed_into_place_unless_it_exists(tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    digest, wrote = store_text(tmp_path, "x = 1")
    assert wrote and md5_of_file(tmp_path / f"{digest}.py") == digest
    assert store_text(tmp_path, "x = 1") == (digest, False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{digest}.py"]


def test_a_function_whose_digest_is_not_its_text_s_is_refused(tmp_path):
    from dataclasses import replace

    forged = replace(canonicalise(SOLVER), digest="0" * 32)
    with pytest.raises(ValueError, match="is not the md5 of its text"):
        store_canonical(tmp_path, forged)
    assert list(tmp_path.iterdir()) == []


def test_prepare_store_removes_temporary_files_of_dead_processes_only(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".{dead}.abcdef{TEMPORARY_SUFFIX}"
    stale.write_text("half a fi")
    live = tmp_path / f".{os.getpid()}.abcdef{TEMPORARY_SUFFIX}"
    live.write_text("being written")
    prepare_store(tmp_path)
    assert not stale.exists() and live.exists()


def test_a_directory_that_cannot_be_written_raises_os_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        prepare_store(blocker / "store")
    with pytest.raises(OSError):
        store_text(blocker / "store", "x = 1")


def test_the_pipeline_example_streams_results_into_the_same_store_as_the_command_line(tmp_path, monkeypatch):
    """The README's pipeline example, as written there, against a --store run."""
    from inline_solvers_cli.app import main
    from fixture_runner import fixture_modules
    from inliner import CANONICAL, InlineBatch, canonical_form, renamed_functions

    monkeypatch.chdir(tmp_path)
    modules = [m for m in fixture_modules() if m.name in ("differs.py", "solvers_small.py")]
    sources = [m.read_text() for m in modules]

    functions = [f for source in sources for f in renamed_functions(source)]
    batch = InlineBatch(CANONICAL, parallel=2, cache_dir=tmp_path / "cache")
    store = prepare_store("solver-store")
    for index, result in batch.run(f.text for f in functions):
        canonical = canonical_form(functions[index], result)
        if not canonical.circumstantial:
            store_canonical(store, canonical)

    assert main(["--no-cache", "--check", "--store", str(tmp_path / "cli-store"), *map(str, modules)]) == 1
    written = {p.name: p.read_bytes() for p in (tmp_path / "solver-store").iterdir()}
    assert written == {p.name: p.read_bytes() for p in (tmp_path / "cli-store").iterdir()}
    assert len(written) == len({canonicalise(f.text).digest for f in functions}) > 70
