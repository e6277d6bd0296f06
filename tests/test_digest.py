"""``canonical_digest``: the key the pipeline files a solver under, byte for byte.

The pipeline computes ``md5(inline_variables("def solve(S, I, C):\\n" + body))`` for a
generated ``def solve_<task>(S, I, C):``. The tests below cut solvers out of the fixture
modules by their text (not with the library's renaming) and compute that definition with
the independent reference of the canonical form (tests/test_canonical_form.py).
"""

from __future__ import annotations

import hashlib
import keyword
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fixture_runner import fixture_modules
from helpers import code
from inliner import (
    CANONICAL,
    DigestError,
    FallbackReason,
    canonical_digest,
    canonical_form,
    canonicalise,
    inline_source,
    inline_variables,
    renamed_functions,
)
from reference_canonical import reference_canonical

_HEADER = re.compile(r"def (\w+)\(S, I, C\):\n")


def solvers_by_text(module: str) -> list[tuple[str, str, str]]:
    """``(name, whole function text, body)`` of each generated function of a module, cut by
    lines: the body is every line after the ``def`` line up to the next unindented one."""
    lines = module.splitlines(keepends=True)
    found = []
    for index, line in enumerate(lines):
        header = _HEADER.fullmatch(line)
        if header is None:
            continue
        end = index + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
            end += 1
        body = "".join(lines[index + 1:end])
        found.append((header.group(1), line + body, body))
    return found


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def all_fixture_solvers() -> list[tuple[str, str, str]]:
    return [s for path in fixture_modules() for s in solvers_by_text(path.read_text())]


def test_the_fixtures_hold_solvers_and_differs():
    names = [name for name, _, _ in all_fixture_solvers()]
    assert len(names) == 400
    assert any(n.startswith("differ_") for n in names) and any(n.startswith("solve_") for n in names)


@pytest.mark.parametrize("path", fixture_modules(), ids=lambda p: p.name)
def test_every_fixture_function_has_the_pipeline_s_digest(path):
    module = path.read_text()
    solvers = solvers_by_text(module)
    # (test_canonical_form holds inline_variables to the same reference on whole modules.)
    expected = [md5(reference_canonical("def solve(S, I, C):\n" + body)) for _, _, body in solvers]
    # One function at a time, as a caller with one solver's text would ask ...
    assert [canonical_digest(text) for _, text, _ in solvers] == expected
    # ... and every top-level function of the module, as the command line renames them:
    # the pipeline's text exactly (the body up to its last line), so the same digests.
    renamed = renamed_functions(module)
    assert [f.name for f in renamed] == [name for name, _, _ in solvers]
    assert [f.text for f in renamed] == ["def solve(S, I, C):\n" + body.rstrip("\n") + "\n"
                                         for _, _, body in solvers]
    assert [canonical_form(f, inline_source(f.text, CANONICAL)).digest for f in renamed[:10]] == expected[:10]


def test_the_digest_is_the_md5_of_the_text_it_reports():
    name, text, body = all_fixture_solvers()[0]
    result = canonicalise(text)
    assert (result.name, result.status, result.reason, result.left_alone) == (name, "inlined", None, False)
    assert result.text == inline_variables("def solve(S, I, C):\n" + body)
    assert result.digest == md5(result.text)
    assert canonicalise(text, "solver").text.startswith("def solver(S, I, C):\n")


# -- what renaming keeps: the table ----------------------------------------------------------

RENAMED = [
    # (function as written, its canonical text under the name "solve")
    ("def solve_a(S, I, C):\n    x1 = f(I)\n    return x1\n",
     "def solve(S, I, C):\n    return f(I)"),
    ("# task a\ndef solve_a(S, I, C):  # a comment on the def line\n    x1 = f(I)  # and here\n    return x1\n# after\n",
     "def solve(S, I, C):\n    return f(I)"),
    ('def solve_a(S, I, C):\n    """The docstring is part of the body."""\n    x1 = f(I)\n    return x1\n',
     'def solve(S, I, C):\n    """The docstring is part of the body."""\n    return f(I)'),
    ("@cache\n@register('a')\ndef solve_a(S, I, C):\n    return I\n",
     "@cache\n@register('a')\ndef solve(S, I, C):\n    return I"),
    ("async def solve_a(S, I, C):\n    x1 = await f(I)\n    return x1\n",
     "async def solve(S, I, C):\n    return await f(I)"),
    ("def \\\n  solve_a(\n    S, I,\n    C=ONE,\n) -> Grid:\n    return I\n",
     "def solve(S, I, C=ONE) -> Grid:\n    return I"),
    ("def solve_a(S, I, C): x1 = f(I); return x1\n",
     "def solve(S, I, C):\n    return f(I)"),
    ("def solve_a(S, I, C):\r\n    x1 = f(I)\r\n    return x1",
     "def solve(S, I, C):\n    return f(I)"),
    ("def ｓolve_a(S, I, C):\n    return I\n",  # a name in another Unicode form
     "def solve(S, I, C):\n    return I"),
    ("def solve_a(S, I, C):\n    def solve_a(x):\n        y = g(x)\n        return y\n    return solve_a(I)\n",
     "def solve(S, I, C):\n\n    def solve_a(x):\n        return g(x)\n    return solve_a(I)"),
]


@pytest.mark.parametrize("source, canonical", RENAMED)
def test_renaming_replaces_the_name_only(source, canonical):
    result = canonicalise(source)
    assert result.text == canonical
    assert result.digest == md5(canonical)
    assert canonical_digest(source) == result.digest


def test_a_function_the_inliner_leaves_alone_is_hashed_from_its_unchanged_canonical_text():
    source = code("""
        def solve_a(S, I, C):
            x1 = f(I)   # kept: the function reads its locals
            return locals()[name_of(x1)]
        """)
    result = canonicalise(source)
    assert result.left_alone and not result.circumstantial
    assert (result.status, result.reason) == ("skipped", FallbackReason.DYNAMIC_SCOPE)
    assert result.text == "def solve(S, I, C):\n    x1 = f(I)\n    return locals()[name_of(x1)]"
    assert result.digest == md5(inline_variables(source.replace("solve_a", "solve")))


def test_a_timeout_is_reported_as_circumstantial():
    long_chain = "def solve_a(S, I, C):\n    x0 = I\n" + "".join(
        f"    x{k} = f(x{k - 1}, x{k - 1})\n" for k in range(1, 3000)) + "    return x2999\n"
    result = canonicalise(long_chain, timeout_seconds=1e-9)
    assert (result.status, result.reason) == ("fallback", FallbackReason.TIMEOUT)
    assert result.left_alone and result.circumstantial
    assert result.digest == md5(result.text)


NOT_ONE_FUNCTION = [
    ("", "holds 0 top-level functions"),
    ("# only a comment\n", "holds 0 top-level functions"),
    ("x = 1\n", "holds 0 top-level functions"),
    ("class Solver:\n    def solve(self):\n        return 1\n", "holds 0 top-level functions"),
    ("def f():\n    return 1\ndef g():\n    return 2\n", "holds 2 top-level functions, not one: f (line 1), g (line 3)"),
    ("from dsl import *\ndef f():\n    return 1\n", "holds a top-level ImportFrom statement besides the function, on line 1"),
    ('"""Docstring."""\ndef f():\n    return 1\n', "holds a top-level Expr statement besides the function, on line 1"),
    ("def f(:\n    return 1\n", "parse-error: line 1, column 7: invalid syntax"),
    ("def f():\n    return 1\0\n", "parse-error: source code string cannot contain null bytes"),
]


@pytest.mark.parametrize("source, message", NOT_ONE_FUNCTION)
def test_raises_value_error_saying_why_when_not_exactly_one_function(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        canonical_digest(source)


@pytest.mark.parametrize("name", ["", "1solve", "def", "so lve", "solve()"])
def test_a_name_that_cannot_name_a_function_is_refused(name):
    with pytest.raises(DigestError, match="cannot name a function"):
        canonical_digest("def f():\n    return 1\n", name)


def test_a_syntax_error_says_where():
    with pytest.raises(DigestError) as caught:
        renamed_functions("def f():\n    return 1\ndef g(:\n")
    assert (caught.value.line, caught.value.column) == (3, 7)


@given(st.text(max_size=60))
def test_never_raises_anything_but_value_error_for_a_function(body):
    source = "def f(a):\n    x = " + body + "\n    return x\n"
    try:
        digest = canonical_digest(source)
    except ValueError:
        return
    assert re.fullmatch(r"[0-9a-f]{32}", digest)


# -- properties: names never matter, constants always do -------------------------------------

_RESERVED = {"S", "I", "C", "f", "g", "h", "solve", "ONE"}
identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name) and name not in _RESERVED)


@st.composite
def solver(draw: st.DrawFn) -> tuple[list[str], list[int]]:
    """A generated solver as statement templates over ``{v0}``, ``{v1}``, ... and constants
    ``{c0}``, ...: each local reads the one before it (so none is dead) and a constant."""
    count = draw(st.integers(1, 8))
    templates, constants = [], []
    previous = "I"
    for k in range(count):
        callee = draw(st.sampled_from(["f", "g", "h"]))
        other = draw(st.sampled_from(["I", "C", "S", "ONE", previous]))
        templates.append(f"    {{v{k}}} = {callee}({previous}, {{c{k}}}, {other})")
        constants.append(draw(st.integers(-1000, 1000)))
        previous = f"{{v{k}}}"
    templates.append(f"    return {previous}")
    return templates, constants


def render(templates: list[str], constants: list[int], names: list[str], function: str) -> str:
    values = {f"v{k}": name for k, name in enumerate(names)}
    values.update({f"c{k}": repr(c) for k, c in enumerate(constants)})
    lines = [f"def {function}(S, I, C):"] + [t.format(**values) for t in templates]
    return "\n".join(lines) + "\n"


@given(solver(), st.data())
def test_renaming_locals_or_the_function_never_changes_the_digest(shape, data):
    templates, constants = shape
    count = len(constants)
    plain = render(templates, constants, [f"x{k + 1}" for k in range(count)], "solve_a")
    names = data.draw(st.lists(identifiers, min_size=count, max_size=count, unique=True))
    function = data.draw(identifiers)
    renamed = render(templates, constants, names, function)
    assert canonical_digest(renamed) == canonical_digest(plain)


@given(solver(), st.data())
def test_changing_a_constant_always_changes_the_digest(shape, data):
    templates, constants = shape
    names = [f"x{k + 1}" for k in range(len(constants))]
    position = data.draw(st.integers(0, len(constants) - 1))
    changed = list(constants)
    changed[position] = data.draw(st.integers(-1000, 1000))
    assume(changed != constants)
    assert canonical_digest(render(templates, changed, names, "solve_a")) != \
        canonical_digest(render(templates, constants, names, "solve_a"))


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\u2028"])
def test_a_separator_python_does_not_split_lines_at_leaves_the_rename_whole(separator):
    """Form feeds and other separators str.splitlines splits at are no line ends to
    Python's tokenizer: the name is still replaced in its own place."""
    if separator == "\x0c":
        source = "\x0cdef solve_1(S, I, C):\n    x = S + 1\n    return x\n"
    else:
        source = f"@dec('a{separator}b')\ndef solve_1(S, I, C):\n    x = S + 1\n    return x\n"
    function = canonicalise(source)
    assert function.status != "fallback", function
    assert "def solve(S, I, C):" in function.text
    assert "solvedef" not in function.text
