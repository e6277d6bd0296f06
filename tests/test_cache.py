"""The result cache: keys, JSON-only storage, failures that never escape, and sharing."""

from __future__ import annotations

import json
import math
import os
import pathlib
import pickle
import random
import shlex
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import diskcache
import diskcache.core
import pytest
from hypothesis import given
from hypothesis import strategies as st

import inliner
from fixture_runner import fixture_modules
from helpers import INLINED, SOURCE, sized
from inliner import inline_source
from inliner.driver.cache import JsonOnlyDisk, RefusedEntry, ResultCache, cache_key
from unprivileged import as_nobody, needs_unprivileged_user, user_ids  # noqa: F401 - a fixture

MODE_RAW, MODE_BINARY, MODE_TEXT, MODE_PICKLE = 1, 2, 3, 4  # diskcache.core's row modes


class Warnings(list):
    """Collects warn() messages."""

    def __call__(self, message: str) -> None:
        assert isinstance(message, str) and "\n" not in message
        self.append(message)


class TouchOnUnpickle:
    """Unpickling this creates ``marker``: the proof that something was deserialised."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (pathlib.Path.touch, (self.marker,))


def open_cache(directory: pathlib.Path, **kwargs) -> tuple[ResultCache, Warnings]:  # type: ignore[no-untyped-def]
    warnings = Warnings()
    return ResultCache.open(directory, warn=warnings, **kwargs), warnings


def plant_row(db: pathlib.Path, *, key: object, raw: int, mode: int,
              filename: str | None = None, value: object = None) -> None:
    """A row written straight into diskcache's ``Cache`` table, as an attacker would."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute(
            "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
            " tag, size, mode, filename, value) VALUES (?, ?, ?, NULL, ?, 0, NULL, ?, ?, ?, ?)",
            (key, raw, time.time(), time.time(), 0, mode, filename, value),
        )
    finally:
        con.close()


# -- keys ---------------------------------------------------------------------------------------


def test_key_is_a_sha256_hex_digest_and_stable() -> None:
    key = cache_key("unit", "def f():\n    return 1\n", "policy=pure")
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == cache_key("unit", "def f():\n    return 1\n", "policy=pure")


def test_every_part_of_the_key_counts() -> None:
    base = cache_key("unit", "x = 1\n", "t")
    assert cache_key("module", "x = 1\n", "t") != base
    assert cache_key("unit", "x = 2\n", "t") != base
    assert cache_key("unit", "x = 1\n", "t;flags=1") != base


def test_parts_never_run_together() -> None:
    assert cache_key("ab", "c", "") != cache_key("a", "bc", "")
    assert cache_key("unit", "", "xy") != cache_key("unit", "xy", "")
    assert cache_key("unit", "a", "b") != cache_key("unit", "b", "a")


def test_lone_surrogates_hash() -> None:
    assert cache_key("unit", "s = '\udc80'", "t") != cache_key("unit", "s = '\udc81'", "t")


def test_tool_version_changes_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_key("unit", "x = 1\n", "t")
    monkeypatch.setattr(inliner, "__version__", "999.0.0")
    assert cache_key("unit", "x = 1\n", "t") != before


# -- hits, misses, values ------------------------------------------------------------------------------


NESTED = {
    "code": "def f():\n    return 'é\u2028'\n",
    "status": "inlined",
    "n": 3, "ratio": 0.25, "big": 2**70, "flag": True, "none": None,
    "functions": [{"qualname": "f", "kept": [["x", 2, "reason"]], "empty": {}}, []],
    "surrogate": "\udc80",
}


def test_miss_then_hit_round_trips_nested_json(tmp_path: pathlib.Path) -> None:
    cache, warnings = open_cache(tmp_path / "c")
    key = cache_key("module", "x = 1\n", "t")
    assert cache.get(key) is None
    cache.set(key, NESTED)
    assert cache.get(key) == NESTED
    assert (cache.hits, cache.misses, cache.errors, cache.disabled) == (1, 1, 0, False)
    cache.close()
    reopened, _ = open_cache(tmp_path / "c")
    assert reopened.get(key) == NESTED
    reopened.close()
    assert warnings == []


def test_a_returned_value_is_the_caller_s_own(tmp_path: pathlib.Path) -> None:
    cache, _ = open_cache(tmp_path / "c")
    cache.set("k", {"list": [1]})
    cache.get("k")["list"].append(2)  # type: ignore[index]
    assert cache.get("k") == {"list": [1]}


def test_values_are_stored_as_json_text_in_the_database(tmp_path: pathlib.Path) -> None:
    cache, _ = open_cache(tmp_path / "c", size_limit=2**30)
    cache.set("big", {"s": "x" * 200_000})  # far above diskcache's 32 KiB file threshold
    cache.close()
    con = sqlite3.connect(tmp_path / "c" / "cache.db")
    rows = con.execute("SELECT mode, filename, typeof(value) FROM Cache").fetchall()
    con.close()
    assert rows == [(MODE_RAW, None, "text")]
    assert sorted(p.name for p in (tmp_path / "c").iterdir() if not p.name.startswith("cache.db")) == []


@pytest.mark.parametrize("bad", [
    ["not", "an", "object"], "text", {"t": (1, 2)}, {1: "int key"}, {"f": math.nan},
    {"f": math.inf}, {"b": b"bytes"}, {"s": {1, 2}}, {"o": object()},
])
def test_values_that_are_not_json_objects_are_refused(tmp_path: pathlib.Path, bad: object) -> None:
    cache, warnings = open_cache(tmp_path / "c")
    with pytest.raises(TypeError):
        cache.set("k", bad)  # type: ignore[arg-type]
    assert cache.get("k") is None and not cache.disabled and warnings == []


def test_keys_must_be_strings(tmp_path: pathlib.Path) -> None:
    cache, _ = open_cache(tmp_path / "c")
    with pytest.raises(TypeError):
        cache.get(b"k")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache.set(("k",), {})  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(value=st.dictionaries(st.text(), json_values, max_size=5))
def test_any_json_object_round_trips(tmp_path_factory: pytest.TempPathFactory, value: dict) -> None:  # type: ignore[type-arg]
    cache, warnings = open_cache(tmp_path_factory.mktemp("c"))
    cache.set("k", value)
    assert cache.get("k") == value
    cache.close()
    assert warnings == []


# -- planted rows and files: nothing is deserialised ---------------------------------------------------


def test_planted_pickles_and_files_are_misses_and_run_nothing(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "c"
    marker = tmp_path / "pwned"
    cache, warnings = open_cache(directory)
    cache.set("real", {"ok": True})
    db = directory / "cache.db"
    payload = pickle.dumps(TouchOnUnpickle(marker))
    # The pickle files diskcache's own Disk would read for these rows.
    (directory / "ab" / "cd").mkdir(parents=True)
    (directory / "ab" / "cd" / "value.val").write_bytes(payload)
    planted = {
        "pickle-in-row": dict(mode=MODE_PICKLE, value=payload),
        "pickle-in-file": dict(mode=MODE_PICKLE, filename="ab/cd/value.val"),
        "binary-file": dict(mode=MODE_BINARY, filename="ab/cd/value.val"),
        "text-file": dict(mode=MODE_TEXT, filename="ab/cd/value.val"),
        "raw-but-a-file-too": dict(mode=MODE_RAW, filename="ab/cd/value.val", value='{"a": 1}'),
        "raw-bytes": dict(mode=MODE_RAW, value=b'{"a": 1}'),
        "raw-json-list": dict(mode=MODE_RAW, value="[1, 2]"),
        "raw-not-json": dict(mode=MODE_RAW, value="{nope"),
        "raw-nan": dict(mode=MODE_RAW, value='{"a": NaN}'),
        "raw-int": dict(mode=MODE_RAW, value=7),
        "unknown-mode": dict(mode=99, value='{"a": 1}'),
    }
    for key, row in planted.items():
        plant_row(db, key=key, raw=1, **row)  # type: ignore[arg-type]
    # A row whose *key* is a pickle (raw = 0: diskcache's Disk.get would unpickle it).
    plant_row(db, key=payload, raw=0, mode=MODE_RAW, value='{"a": 1}')

    opened: list[object] = []

    def no_open(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(args)
        raise AssertionError("a cache file was opened")

    monkeypatch.setattr(diskcache.core, "open", no_open, raising=False)
    for key in planted:
        assert cache.get(key) is None, key
    assert not marker.exists(), "a planted pickle was loaded"
    assert opened == [], "a file named by a planted row was opened"
    assert cache.get("real") == {"ok": True}
    assert cache.misses == len(planted) and cache.hits == 1
    assert warnings == [] and not cache.disabled

    # The key-side guard, which only iteration reaches: refused, not unpickled.
    with pytest.raises(RefusedEntry):
        JsonOnlyDisk(str(directory)).get(payload, False)
    raw_view = diskcache.Cache(str(directory), disk=JsonOnlyDisk)
    with pytest.raises(RefusedEntry):
        list(raw_view.iterkeys())
    raw_view.close()
    assert not marker.exists()
    # Overwriting a planted row still works and serves the new value.
    cache.set("pickle-in-row", {"fresh": 1})
    assert cache.get("pickle-in-row") == {"fresh": 1}
    cache.close()


def test_a_planted_filename_never_deletes_a_file(tmp_path: pathlib.Path) -> None:
    """diskcache removes the file a row names when the row is replaced or evicted;
    a planted ``../victim`` must survive both."""
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    directory = tmp_path / "c"
    cache, warnings = open_cache(directory, size_limit=64 * 1024)
    plant_row(directory / "cache.db", key="k", raw=1, mode=MODE_BINARY, filename="../victim")
    plant_row(directory / "cache.db", key="old", raw=1, mode=MODE_BINARY, filename="../victim")
    cache.set("k", {"v": 1})  # replaces the row naming ../victim
    for i in range(300):  # evicts "old", the least recently stored
        cache.set(f"fill{i}", {"s": "x" * 1000})
    assert victim.read_text() == "keep me"
    assert warnings == []
    cache.close()


def test_unrelated_files_in_the_directory_do_no_harm(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    directory.mkdir()
    (directory / "junk.val").write_bytes(pickle.dumps(TouchOnUnpickle(tmp_path / "pwned")))
    (directory / "00" / "11").mkdir(parents=True)
    (directory / "00" / "11" / "x.val").write_bytes(os.urandom(100))
    cache, warnings = open_cache(directory)
    cache.set("k", {"v": 1})
    assert cache.get("k") == {"v": 1} and warnings == []
    assert not (tmp_path / "pwned").exists()


# -- failures: one warning, then off ---------------------------------------------------------------------


def _filled(directory: pathlib.Path) -> None:
    cache, _ = open_cache(directory)
    for i in range(50):
        cache.set(f"k{i}", {"i": i, "s": "x" * 500})
    cache.close()


def _assert_disabled_quietly(cache: ResultCache, warnings: Warnings, directory: pathlib.Path) -> None:
    assert cache.get("k1") is None
    cache.set("new", {"a": 1})
    assert cache.get("new") is None
    assert cache.disabled
    assert len(warnings) == 1 and str(directory) in warnings[0], warnings
    assert cache.errors >= 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "directory"])
def test_a_corrupt_database_warns_once(tmp_path: pathlib.Path, damage: str) -> None:
    directory = tmp_path / "c"
    _filled(directory)
    db = directory / "cache.db"
    if damage == "garbage":
        db.write_bytes(os.urandom(3 * 4096))
    elif damage == "truncated":
        with db.open("r+b") as handle:
            handle.truncate(db.stat().st_size // 2 + 100)
    else:
        db.unlink()
        db.mkdir()
    for suffix in ("-wal", "-shm"):
        (directory / f"cache.db{suffix}").unlink(missing_ok=True)
    cache, warnings = open_cache(directory)
    _assert_disabled_quietly(cache, warnings, directory)
    cache.close()


def test_a_database_corrupted_while_open_warns_once(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    cache, warnings = open_cache(directory)
    for i in range(50):
        cache.set(f"k{i}", {"i": i, "s": "x" * 500})
    cache.close()
    cache, warnings = open_cache(directory)
    assert cache.get("k1") is not None
    (directory / "cache.db").write_bytes(os.urandom(64 * 1024))
    # Fresh connections (other threads) see the damage; so does this one, sooner or later.
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(cache.get("k2")))
    worker.start()
    worker.join()
    for i in range(50):
        cache.set(f"after{i}", {"i": i})
    assert results == [None]
    _assert_disabled_quietly(cache, warnings, directory)


DAMAGE_ROUNDS = sized(12, 600)
"""Filled caches damaged at random (each kind in turn), in the test below."""


def test_random_damage_to_a_filled_cache_never_escapes(tmp_path: pathlib.Path, record_property) -> None:  # type: ignore[no-untyped-def]
    """A filled database truncated at a random length, a random page of it overwritten with
    random bytes, or random write-ahead and shared-memory files put beside it: every read
    is a miss or the value stored, at most one warning, and a cache that warned is off."""
    rng = random.Random(6)
    stored = {f"k{i}": {"i": i, "s": "x" * 500} for i in range(50)}
    kinds = ["truncate", "page", "wal-and-shm"]
    warned = 0
    for round_ in range(DAMAGE_ROUNDS):
        directory = tmp_path / f"c{round_}"
        _filled(directory)
        db = directory / "cache.db"
        size = db.stat().st_size
        kind = kinds[round_ % len(kinds)]
        if kind == "truncate":
            with db.open("r+b") as handle:
                handle.truncate(rng.randrange(size))
        elif kind == "page":
            page = 4096
            with db.open("r+b") as handle:
                handle.seek(rng.randrange(size // page) * page)
                handle.write(rng.randbytes(page))
        else:
            for suffix in ("-wal", "-shm"):
                (directory / f"cache.db{suffix}").write_bytes(rng.randbytes(rng.choice([32, 4096, 40_000])))
        cache, warnings = open_cache(directory)
        for key, value in stored.items():
            assert cache.get(key) in (None, value), (round_, kind, key)
        cache.set("new", {"a": 1})
        assert cache.get("new") == {"a": 1} or cache.disabled, (round_, kind)
        assert len(warnings) <= 1, (round_, kind, warnings)
        assert cache.disabled == bool(warnings), (round_, kind, warnings)
        warned += bool(warnings)
        cache.close()
    record_property("damaged_caches", DAMAGE_ROUNDS)
    record_property("damaged_caches_that_warned", warned)
    assert warned > 0, "no damage was noticed: the test proved nothing"


def test_a_path_that_cannot_be_a_directory_warns_once(tmp_path: pathlib.Path) -> None:
    (tmp_path / "file").write_text("")
    directory = tmp_path / "file" / "c"
    cache, warnings = open_cache(directory)
    _assert_disabled_quietly(cache, warnings, directory)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores directory permissions, so a read-only directory "
                           "cannot be simulated by chmod when running as root (the test "
                           "test_an_unwritable_cache_directory_through_the_command_line "
                           "covers it as an unprivileged user)")
def test_a_read_only_directory_warns_once(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    _filled(directory)
    directory.chmod(0o500)
    try:
        cache, warnings = open_cache(directory)
        cache.get("k1")
        _assert_disabled_quietly(cache, warnings, directory)
        cache.close()
    finally:
        directory.chmod(0o700)


# -- the same through the command line, as a user who cannot write the directory ------------


CLI_TREE = {"a.py": SOURCE, "pkg/b.py": SOURCE.replace("solve", "solve_b"), "done.py": INLINED}
CLI_EXPECTED = {"a.py": INLINED, "pkg/b.py": INLINED.replace("solve", "solve_b"), "done.py": INLINED}


def write_tree(root: pathlib.Path, owner: tuple[int, int] | None = None,
               files: dict[str, str] = CLI_TREE) -> pathlib.Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    if owner is not None:
        for path in [root, *root.rglob("*")]:
            os.chown(path, *owner)
    return root


def read_tree(root: pathlib.Path, files: dict[str, str] = CLI_TREE) -> dict[str, str]:
    return {relative: (root / relative).read_text() for relative in files}


def cache_state(directory: pathlib.Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry of a cache directory: its mode and, for a file, its bytes."""
    if not directory.exists():
        return {}
    return {str(p.relative_to(directory)): (p.stat().st_mode, None if p.is_dir() else p.read_bytes())
            for p in [directory, *directory.rglob("*")]}


def summary_of(stderr: str) -> str:
    """The closing summary line, without its time."""
    return stderr.strip().splitlines()[-1].rsplit(" (", 1)[0]


@needs_unprivileged_user
@pytest.mark.parametrize("state", ["read-only", "another-user-s", "cannot-be-created"])
def test_an_unwritable_cache_directory_through_the_command_line(as_nobody, state: str) -> None:
    """As ``nobody``, with a cache directory that user cannot write: a filled one made read
    only, root's own private one, or one whose parent forbids creating it. One warning
    naming the directory, the output and the exit code of a run without a cache, and the
    directory left exactly as it was."""
    work = as_nobody.directory(state)
    nobody = user_ids()
    reference = as_nobody.run("--no-cache", str(write_tree(work / "reference", nobody)))
    assert reference.returncode == 0 and read_tree(work / "reference") == CLI_EXPECTED, reference.stderr

    if state == "cannot-be-created":
        (work / "locked").mkdir(mode=0o555)
        directory = work / "locked" / "cache"
    else:
        directory = work / "cache"
        from inline_solvers_cli.app import main

        assert main(["--quiet", "--cache-dir", str(directory), str(write_tree(work / "filler"))]) == 0
        assert read_tree(work / "filler") == CLI_EXPECTED
        assert directory.stat().st_mode & 0o777 == 0o700 and directory.stat().st_uid == 0
        if state == "read-only":
            for path in directory.rglob("*"):
                path.chmod(0o444)
            directory.chmod(0o555)
    before = cache_state(directory)

    done = as_nobody.run("--cache-dir", str(directory), str(write_tree(work / "tree", nobody)))
    assert "Traceback" not in done.stderr, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, done.stderr
    assert warnings[0].startswith(f"warning: cache disabled: {directory}: "), warnings
    assert done.returncode == reference.returncode
    assert read_tree(work / "tree") == CLI_EXPECTED
    assert summary_of(done.stderr) == summary_of(reference.stderr)
    assert cache_state(directory) == before


class SystemOnUnpickle:
    """Unpickling this runs a shell command (``os.system``), as a planted payload would."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (self.command,))


def plant_pickles_everywhere(directory: pathlib.Path, payload: bytes) -> int:
    """Every row of the cache made a pickle: in the row itself, or (every other row) in a
    file of diskcache's own layout that the row names; a pickle file also sits beside
    every file the directory holds. Returns how many rows were planted."""
    for path in [p for p in directory.rglob("*") if p.is_file()]:
        path.with_name(path.name + ".val").write_bytes(payload)
    con = sqlite3.connect(directory / "cache.db", isolation_level=None)
    try:
        rowids = [rowid for (rowid,) in con.execute("SELECT rowid FROM Cache")]
        for n, rowid in enumerate(rowids):
            if n % 2:
                con.execute("UPDATE Cache SET mode = ?, filename = NULL, value = ? WHERE rowid = ?",
                            (MODE_PICKLE, payload, rowid))
            else:
                name = f"{n % 256:02x}/{n // 256 % 256:02x}/{os.urandom(8).hex()}.val"
                (directory / name).parent.mkdir(parents=True, exist_ok=True)
                (directory / name).write_bytes(payload)
                con.execute("UPDATE Cache SET mode = ?, filename = ?, value = NULL WHERE rowid = ?",
                            (MODE_PICKLE, name, rowid))
        left = con.execute("SELECT COUNT(*) FROM Cache WHERE mode != ?", (MODE_PICKLE,)).fetchone()
    finally:
        con.close()
    assert left == (0,)
    return len(rowids)


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_pickles_planted_in_every_row_and_as_files_run_nothing_through_the_command_line(
        tmp_path: pathlib.Path, executor: str, capsys: pytest.CaptureFixture[str],
        record_property: Callable[[str, object], None]) -> None:
    """A cache filled by a real run, then every row and file of it replaced by a pickle
    whose loading would create a marker: a second run, whose workers (threads, or
    processes) read that cache, runs none of it, treats every row as a miss, warns of
    nothing and writes the right files; a third run finds the cache working again."""
    from inline_solvers_cli.app import main

    files, expected = dict(CLI_TREE), dict(CLI_EXPECTED)
    for module in sized([], fixture_modules()):  # the long variant: hundreds of rows
        files[f"fixtures/{module.name}"] = module.read_text()
        expected[f"fixtures/{module.name}"] = inline_source(module.read_text()).code
    cache, marker = tmp_path / "cache", tmp_path / "pwned"
    first = write_tree(tmp_path / "first", files=files)
    assert main(["--quiet", "--cache-dir", str(cache), str(first)]) == 0
    payload = pickle.dumps(SystemOnUnpickle(f"touch {shlex.quote(str(marker))}"))
    pickle.loads(payload)  # the payload works: loading it is what the run must never do
    assert marker.exists()
    marker.unlink()
    planted = plant_pickles_everywhere(cache, payload)
    record_property("rows_planted", planted)
    assert planted >= 2 * len(files) - 1  # a module row per file, a unit row per function

    tree = write_tree(tmp_path / "tree", files=files)
    done = subprocess.run([sys.executable, "-m", "inline_solvers_cli", "--cache-dir", str(cache), "--parallel", "2",
                           "--executor", executor, str(tree)], capture_output=True, text=True, timeout=600)
    assert not marker.exists(), "a planted pickle was loaded"
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "cache hits" not in done.stderr, done.stderr  # every planted row was a miss
    assert read_tree(tree, files) == expected

    again = write_tree(tmp_path / "again", files=files)
    capsys.readouterr()
    assert main(["--cache-dir", str(cache), str(again)]) == 0
    assert read_tree(again, files) == expected
    assert " cache hits" in capsys.readouterr().err
    assert not marker.exists()
    con = sqlite3.connect(cache / "cache.db")
    try:
        assert con.execute("SELECT COUNT(*) FROM Cache WHERE mode = ?", (MODE_RAW,)).fetchone()[0] > 0
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


def test_a_full_disk_warns_once_and_disables(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "c"
    cache, warnings = open_cache(directory)
    cache.set("before", {"a": 1})

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    reads: list[object] = []
    real_get = diskcache.Cache.get

    def counting_get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(args)
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(diskcache.Cache, "set", full)
    monkeypatch.setattr(diskcache.Cache, "get", counting_get)
    cache.set("k", {"a": 1})
    cache.set("k2", {"a": 2})
    assert cache.get("before") is None  # disabled: not even asked
    assert reads == []
    assert cache.disabled and cache.errors == 1
    assert len(warnings) == 1 and "database or disk is full" in warnings[0]
    assert str(directory) in warnings[0]


def test_a_locked_database_gives_up_quickly(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    cache, warnings = open_cache(directory, timeout=0.1)
    cache.set("a", {"a": 1})
    holder = sqlite3.connect(directory / "cache.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        cache.set("b", {"b": 1})  # diskcache.Timeout inside
        second, second_warnings = open_cache(directory, timeout=0.1)
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert elapsed < 5
    assert cache.disabled and len(warnings) == 1 and "Timeout" in warnings[0]
    assert second.disabled and len(second_warnings) == 1 and "locked" in second_warnings[0]


def test_without_warn_the_warning_is_logged(tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "file").write_text("")
    with caplog.at_level("WARNING", logger="inliner.driver.cache"):
        cache = ResultCache.open(tmp_path / "file" / "c")
        cache.get("k")
    assert cache.disabled
    assert [r.getMessage().startswith("cache disabled: ") for r in caplog.records] == [True]


def test_closed_cache_misses_without_warning(tmp_path: pathlib.Path) -> None:
    cache, warnings = open_cache(tmp_path / "c")
    cache.set("k", {"v": 1})
    cache.close()
    cache.close()
    assert cache.get("k") is None and cache.disabled and warnings == []
    cache.set("k", {"v": 2})


# -- the directory and its size ---------------------------------------------------------------------


def test_the_directory_is_created_private(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "deep" / "er" / "c"
    cache, warnings = open_cache(directory)
    cache.set("k", {"v": 1})
    assert directory.stat().st_mode & 0o777 == 0o700
    assert warnings == []


def test_an_existing_directory_keeps_its_mode(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    directory.mkdir()
    directory.chmod(0o750)
    cache, warnings = open_cache(directory)
    cache.set("k", {"v": 1})
    assert directory.stat().st_mode & 0o777 == 0o750
    assert cache.get("k") == {"v": 1} and warnings == []


def test_a_path_like_and_a_str_open_the_same_cache(tmp_path: pathlib.Path) -> None:
    cache, _ = open_cache(tmp_path / "c")
    cache.set("k", {"v": 1})
    cache.close()
    again, _ = open_cache(str(tmp_path / "c"))  # type: ignore[arg-type]
    assert again.get("k") == {"v": 1}


def test_the_size_limit_bounds_the_cache(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    limit = 256 * 1024
    cache, warnings = open_cache(directory, size_limit=limit)
    writes = 800
    for i in range(writes):
        cache.set(f"k{i}", {"i": i, "s": "x" * 2000})  # 1.6 MB in all
    assert cache.get(f"k{writes - 1}") is not None  # the newest stays
    assert cache.get("k0") is None  # the oldest went
    cache.close()
    con = sqlite3.connect(directory / "cache.db")
    ((pages,),) = con.execute("PRAGMA page_count").fetchall()
    ((page_size,),) = con.execute("PRAGMA page_size").fetchall()
    ((rows,),) = con.execute("SELECT COUNT(*) FROM Cache").fetchall()
    con.close()
    assert pages * page_size <= limit + 64 * 1024, (pages, page_size)
    assert rows < writes // 4
    assert warnings == []


# -- sharing: threads and processes -----------------------------------------------------------------


def test_threads_share_one_cache_and_the_counters_add_up(tmp_path: pathlib.Path) -> None:
    cache, warnings = open_cache(tmp_path / "c")
    threads, per_thread = 8, 60
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                cache.set(f"t{t}-{i}", {"t": t, "i": i})
                assert cache.get(f"t{t}-{i}") == {"t": t, "i": i}  # a hit
                assert cache.get(f"absent-{t}-{i}") is None  # a miss
                other = cache.get(f"t{(t + 1) % threads}-{i}")  # hit or miss, racing
                assert other in (None, {"t": (t + 1) % threads, "i": i})
        except BaseException as error:  # noqa: BLE001
            failures.append(error)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert cache.hits + cache.misses == threads * per_thread * 3
    assert cache.hits >= threads * per_thread and cache.misses >= threads * per_thread
    assert cache.errors == 0 and warnings == [] and not cache.disabled
    for t in range(threads):
        for i in range(per_thread):
            assert cache.get(f"t{t}-{i}") == {"t": t, "i": i}
    cache.close()


WRITER = r"""
import json, sys, time
from inliner.driver.cache import ResultCache

directory, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
warnings = []
cache = ResultCache.open(directory, warn=warnings.append)
time.sleep(max(0.0, go - time.time()))  # all writers start together
for i in range(count):
    cache.set(f"w{worker}-{i}", {"worker": worker, "i": i, "pad": "p" * (i % 50)})
    cache.get(f"w{(worker + 1) % 3}-{i}")
bad = [i for i in range(count)
       if cache.get(f"w{worker}-{i}") != {"worker": worker, "i": i, "pad": "p" * (i % 50)}]
cache.close()
print(json.dumps({"warnings": warnings, "bad": bad, "errors": cache.errors}))
"""


def test_processes_share_one_directory(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "c"
    count = 200
    go = time.time() + 1.5  # after the interpreters have started and imported
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
        str(pathlib.Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")])))
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(directory), str(w), str(count), str(go)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for w in range(3)
    ]
    reports = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        reports.append(json.loads(out))
    assert reports == [{"warnings": [], "bad": [], "errors": 0}] * 3
    cache, warnings = open_cache(directory)
    for w in range(3):
        for i in range(count):
            assert cache.get(f"w{w}-{i}") == {"worker": w, "i": i, "pad": "p" * (i % 50)}
    cache.close()
    assert warnings == []
    con = sqlite3.connect(directory / "cache.db")
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
