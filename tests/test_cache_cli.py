"""``--cache-info`` and ``--clear-cache`` through the installed command, on a real
diskcache filled by a real run."""

from __future__ import annotations

import diskcache
import pytest
from command import cli, lines
from helpers import INLINED, SOURCE

from inliner import __version__


@pytest.fixture
def filled(tmp_path):
    """A run that inlined one file, so the default cache of this version holds its entries."""
    (tmp_path / "m.py").write_text(SOURCE)
    done = cli("m.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / ".xdg-cache" / "inline-solvers" / __version__


def entries(directory) -> int:
    with diskcache.Cache(str(directory)) as cache:
        return len(cache)


def test_cache_info_shows_where_how_big_and_how_many(filled):
    work = filled.parents[2]
    count = entries(filled)
    assert count > 0
    done = cli("--cache-info", cwd=work)
    assert done.returncode == 0, done.stderr
    where, size, found = lines(done.stdout)
    assert where == f"cache directory: {filled}"
    assert size.startswith("size: ") and size != "size: 0 bytes"
    assert found == f"entries: {count}"


def test_clear_cache_removes_this_version_s_cache_and_says_so(filled):
    work = filled.parents[2]
    older = filled.parent / "0.0.1"
    older.mkdir()
    count = entries(filled)
    done = cli("--clear-cache", cwd=work)
    assert done.returncode == 0, done.stderr
    assert lines(done.stderr)[0].startswith(f"removed {filled} ({count} entries, ")
    assert not filled.exists() and older.is_dir()
    again = cli("--clear-cache", "--cache-info", cwd=work)
    assert again.returncode == 0, again.stderr
    assert lines(again.stderr) == [f"no cache to remove at {filled}"]
    assert lines(again.stdout) == [f"cache directory: {filled} (not created yet)", "size: 0 bytes", "entries: 0"]
    rerun = cli("m.py", cwd=work)
    assert rerun.returncode == 0 and (work / "m.py").read_text() == INLINED


def test_cache_dir_and_its_setting_say_which_cache(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    (tmp_path / "pyproject.toml").write_text('[tool.inline-solvers]\ncache-dir = "build/cache"\n')
    assert cli("m.py", cwd=tmp_path).returncode == 0
    done = cli("--cache-info", cwd=tmp_path)
    assert lines(done.stdout)[0] == f"cache directory: {tmp_path / 'build' / 'cache'}"
    other = cli("--cache-info", "--cache-dir", tmp_path / "elsewhere", cwd=tmp_path)
    assert lines(other.stdout)[0] == f"cache directory: {tmp_path / 'elsewhere'} (not created yet)"


def test_a_directory_holding_more_than_the_cache_is_not_removed(tmp_path):
    """--cache-dir pointed at the wrong place: nothing is removed, exit 123."""
    (tmp_path / "m.py").write_text(SOURCE)
    assert cli("--cache-dir", tmp_path, "m.py", cwd=tmp_path).returncode == 0
    done = cli("--clear-cache", "--cache-dir", tmp_path, cwd=tmp_path)
    assert done.returncode == 123
    assert lines(done.stderr) == [f"error: {tmp_path}: holds files that are not the cache's (m.py); "
                                  "nothing removed"]
    assert (tmp_path / "m.py").read_text() == INLINED and (tmp_path / "cache.db").exists()


def test_cache_actions_take_no_path(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    done = cli("--clear-cache", "m.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "Error: --clear-cache takes no PATH" in lines(done.stderr)
    assert (tmp_path / "m.py").read_text() == SOURCE
