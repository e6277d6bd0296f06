"""``--duplicates``: on a generated tree whose twins are known by construction (the same
solver under other local and function names, in other files or the same one, laid out
differently) and whose near misses are known too (one constant, one argument order, one
callee changed), the report holds exactly the twins, as text and as JSON, and nothing is
written."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from inline_solvers_cli.app import main

Step = tuple[str, list[tuple[str, object]]]
"""A call: the callee and its arguments, each ``("var", k)`` (step k's value),
``("param", "I")`` or ``("const", 7)``."""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def make_shape(rng: random.Random) -> list[Step]:
    """A straight-line solver in which every value is read (each step reads the one
    before it), so that no step is dead code the canonical form would drop."""
    steps: list[Step] = []
    for k in range(rng.randint(2, 6)):
        first = ("var", k - 1) if k else ("param", "I")
        others = [rng.choice([("param", rng.choice("SIC")), ("const", rng.randint(0, 99)),
                              ("var", rng.randrange(k)) if k else ("param", "C")])
                  for _ in range(rng.randint(1, 2))]
        steps.append((rng.choice(["fill", "shift", "crop", "paint", "merge"]), [first, *others]))
    return steps


def render(shape: list[Step], function: str, names: list[str], *, layout: bool = False) -> list[str]:
    def argument(item: tuple[str, object]) -> str:
        kind, value = item
        return names[value] if kind == "var" else str(value)  # type: ignore[index]

    lines = [f"def {function}(S, I, C):"]
    for k, (callee, arguments) in enumerate(shape):
        if layout:  # the same program, laid out otherwise
            lines += [f"    # step {k}", f"    {names[k]} = {callee}(", *[f"        {argument(a)}," for a in arguments], "    )"]
        else:
            lines.append(f"    {names[k]} = {callee}({', '.join(argument(a) for a in arguments)})")
    lines.append(f"    return {names[len(shape) - 1]}")
    return lines


def other_names(rng: random.Random, count: int) -> list[str]:
    return rng.sample([f"{word}{n}" for word in ("grid", "obj", "val", "tmp") for n in range(10)], count)


@dataclass
class Tree:
    root: Path
    functions: int
    groups: set[frozenset[tuple[str, int, str]]]
    """The twins: each a set of (path, line, name)."""


def near_misses(shape: list[Step]) -> list[list[Step]]:
    """The shape with one constant changed, one call's arguments swapped, one callee changed."""
    misses = []
    for k, (callee, arguments) in enumerate(shape):
        for j, (kind, value) in enumerate(arguments):
            if kind == "const":
                changed = list(arguments)
                changed[j] = ("const", int(value) + 1)  # type: ignore[call-overload]
                misses.append(shape[:k] + [(callee, changed)] + shape[k + 1:])
                break
        else:
            continue
        break
    for k, (callee, arguments) in enumerate(shape):
        if len(arguments) >= 2 and arguments[0] != arguments[1]:
            misses.append(shape[:k] + [(callee, [arguments[1], arguments[0], *arguments[2:]])] + shape[k + 1:])
            break
    callee, arguments = shape[-1]
    misses.append(shape[:-1] + [("other_" + callee, arguments)])
    return misses


def make_tree(root: Path, seed: int = 13) -> Tree:
    rng = random.Random(seed)
    shapes = []
    while len(shapes) < 8:
        shape = make_shape(rng)
        if shape not in shapes:
            shapes.append(shape)
    contents: dict[str, list[str]] = {"a.py": ['"""A module with imports and a class."""', "from dsl import *", ""],
                                      "b.py": [], "sub/c.py": [], "sub/deeper/d.py": []}
    members: dict[int, set[tuple[str, int, str]]] = {}
    counter = iter(range(1000))

    def add(file: str, shape_id: int | None, shape: list[Step], *, layout: bool = False,
            standard: bool = False) -> None:
        name = f"solve_{next(counter):03d}"
        names = [f"x{k + 1}" for k in range(len(shape))] if standard else other_names(rng, len(shape))
        lines = contents[file]
        if lines:
            lines += ["", ""]
        line = len(lines) + 1
        lines += render(shape, name, names, layout=layout)
        if shape_id is not None:
            members.setdefault(shape_id, set()).add((file, line, name))

    for shape_id, shape in enumerate(shapes):  # every shape once, in the first two files
        add("a.py" if shape_id % 2 else "b.py", shape_id, shape, standard=True)
    add("sub/c.py", 0, shapes[0])                       # twins in other files
    add("sub/deeper/d.py", 0, shapes[0])
    add("a.py", 1, shapes[1])                           # a twin in the same file
    add("sub/c.py", 2, shapes[2], layout=True)          # a twin laid out otherwise
    add("sub/deeper/d.py", 3, shapes[3])
    add("b.py", 3, shapes[3], layout=True)
    add("b.py", 3, shapes[3])
    for shape_id in range(4):                           # near misses: twins of nothing
        for miss in near_misses(shapes[shape_id]):
            add("sub/c.py", None, miss)
    # A method identical to a solver is not a top-level function: not counted.
    contents["a.py"] += ["", "", "class Solvers:", *("    " + line for line in render(shapes[0], "solve", other_names(rng, len(shapes[0]))))]
    functions = next(counter)
    for file, lines in contents.items():
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    groups = {frozenset((str(root / f), line, n) for f, line, n in found)
              for found in members.values() if len(found) > 1}
    return Tree(root, functions, groups)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def parse_text_report(out: str) -> tuple[list[tuple[str, set[tuple[str, int, str]]]], str]:
    *blocks, summary = out.split("\n\n")
    groups = []
    for block in blocks:
        header, *lines = block.strip("\n").split("\n")
        digest = re.fullmatch(r"([0-9a-f]{32}): (\d+) functions", header)
        assert digest and int(digest.group(2)) == len(lines), header
        found = set()
        for line in lines:
            path, number, name = re.fullmatch(r"(.+):(\d+): (\w+)", line).groups()  # type: ignore[union-attr]
            found.add((path, int(number), name))
        groups.append((digest.group(1), found))
    return groups, summary


def test_the_text_report_holds_exactly_the_twins_and_writes_nothing(tmp_path, capsys):
    tree = make_tree(tmp_path / "tree")
    before = snapshot(tmp_path)
    assert main(["--duplicates", str(tree.root)]) == 0
    out, err = capsys.readouterr()
    groups, summary = parse_text_report(out)
    assert {frozenset(found) for _, found in groups} == tree.groups
    assert [len(found) for _, found in groups] == sorted((len(g) for g in tree.groups), reverse=True)
    distinct = tree.functions - sum(len(g) - 1 for g in tree.groups)
    assert summary == f"{tree.functions} functions, {distinct} distinct, {len(tree.groups)} groups of duplicates\n"
    assert "error" not in err
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if "xdg-cache" not in k} == before  # only the cache is new


def test_the_json_report_is_one_object_with_the_same_groups(tmp_path, capsys):
    tree = make_tree(tmp_path / "tree")
    assert main(["--duplicates", str(tree.root)]) == 0
    text_groups, _ = parse_text_report(capsys.readouterr().out)
    assert main(["--duplicates", "--json", str(tree.root)]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert set(report) == {"functions", "distinct", "groups"}
    assert report["functions"] == tree.functions
    assert report["distinct"] == tree.functions - sum(len(g) - 1 for g in tree.groups)
    assert [(g["digest"], {(m["path"], m["line"], m["name"]) for m in g["members"]})
            for g in report["groups"]] == text_groups
    # Members in the order the files were found, then by line.
    for group in report["groups"]:
        keys = [(m["path"], m["line"]) for m in group["members"]]
        assert keys == sorted(keys)


@pytest.mark.parametrize("argv", [["--parallel", "2", "--executor", "thread"],
                                  ["--parallel", "2", "--executor", "process"],
                                  ["--no-cache"]])
def test_workers_and_the_cache_give_the_same_report(tmp_path, capsys, argv):
    tree = make_tree(tmp_path / "tree")
    assert main(["--duplicates", "--json", "--no-cache", str(tree.root)]) == 0
    sequential = capsys.readouterr().out
    telemetry = tmp_path / "runs.jsonl"
    for _ in range(2):
        assert main(["--duplicates", "--json", "--telemetry", str(telemetry), *argv, str(tree.root)]) == 0
        assert capsys.readouterr().out == sequential
    first, second = [json.loads(line) for line in telemetry.read_text().splitlines()]
    assert first["items"] == second["items"] == tree.functions
    if "--no-cache" in argv:
        assert second["cache_hits"] == 0
    else:
        assert second["cache_hits"] >= tree.functions and second["cache_misses"] == 0


def test_bad_files_are_reported_by_name_and_line_and_the_rest_still_counted(tmp_path, capsys):
    tree = make_tree(tmp_path / "tree")
    (tree.root / "broken.py").write_text("def solve_x(S, I, C):\n    x1 = f(I\n    return x1\n")
    (tree.root / "latin.py").write_bytes(b"def solve_y(S, I, C):\n    return '\xff'\n")
    (tree.root / "nul.py").write_bytes(b"def solve_z(S, I, C):\n    return 1\0\n")
    assert main(["--duplicates", str(tree.root)]) == 123
    out, err = capsys.readouterr()
    assert f"{tree.root / 'broken.py'}:2:" in err and "parse-error" in err
    assert f"{tree.root / 'latin.py'}:2: error: cannot be decoded as utf-8" in err
    assert f"{tree.root / 'nul.py'}: error: contains a NUL byte" in err
    assert "Traceback" not in err
    groups, _ = parse_text_report(out)
    assert {frozenset(found) for _, found in groups} == tree.groups


@pytest.mark.parametrize("argv, message", [
    (["--json"], "--json goes with --duplicates"),
    (["--duplicates", "-"], "not -"),
    (["--store-name", "not a name"], "cannot name a function"),
])
def test_usage_errors(tmp_path, capsys, argv, message):
    (tmp_path / "m.py").write_text("def f():\n    return 1\n")
    args = [*argv, str(tmp_path / "m.py")] if "-" not in argv else argv
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
