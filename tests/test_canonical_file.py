"""Canonical output still works as a file: the shebang and the encoding declaration are
kept at the top, and what ``ast.unparse`` cannot write (an integer literal too long for
``sys.get_int_max_str_digits()`` in decimal) costs the function holding it, not the module.

Every row is checked twice: by ``inline_source`` on the whole module, and through a batch
with a cache, which inlines each top-level function on its own and puts the module back
together (:func:`inliner.units.assemble`): both must write the same file.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from inliner import CANONICAL, InlineBatch, InlineOptions, canonicalise, inline_source, inline_variables

CANONICAL_MODE = InlineOptions(preserve_format=False)

BIG = "0x" + "f" * 5000
"""A literal the parser takes (hexadecimal is exempt from the limit) but whose 6,021
decimal digits ``ast.unparse`` refuses to write (a decimal literal this long would not
even parse)."""

HEADER_ROWS = [
    ("a shebang is kept",
     "#!/usr/bin/env python3\ndef f(a):\n    x = g(a)\n    return x\n",
     "#!/usr/bin/env python3\ndef f(a):\n    return g(a)"),
    ("an encoding declaration on line 1 is kept",
     "# -*- coding: latin-1 -*-\ndef f(a):\n    x = g(a)\n    return x\n",
     "# -*- coding: latin-1 -*-\ndef f(a):\n    return g(a)"),
    ("a shebang and an encoding declaration on line 2 are both kept",
     "#!/usr/bin/env python3\n# -*- coding: latin-1 -*-\ndef f(a):\n    x = g(a)\n    return x\n",
     "#!/usr/bin/env python3\n# -*- coding: latin-1 -*-\ndef f(a):\n    return g(a)"),
    ("a declaration on line 2 keeps a blank line 1, so that it stays on line 2",
     "\n# coding=latin-1\ndef f(a):\n    x = g(a)\n    return x\n",
     "\n# coding=latin-1\ndef f(a):\n    return g(a)"),
    ("a declaration on line 2 keeps the comment above it",
     "# generated\n# vim: set fileencoding=latin-1 :\ndef f(a):\n    x = g(a)\n    return x\n",
     "# generated\n# vim: set fileencoding=latin-1 :\ndef f(a):\n    return g(a)"),
    ("the header's line endings become the canonical form's",
     "#!/usr/bin/env python3\r\n# coding: latin-1\r\ndef f(a):\r\n    x = g(a)\r\n    return x\r\n",
     "#!/usr/bin/env python3\n# coding: latin-1\ndef f(a):\n    return g(a)"),
    ("the header is kept where nothing is inlined",
     "#!/usr/bin/env python3\n# coding: latin-1\ndef f(a):\n    return g(a)  # note\n",
     "#!/usr/bin/env python3\n# coding: latin-1\ndef f(a):\n    return g(a)"),
    ("a file of nothing but a shebang keeps it",
     "#!/bin/sh\n",
     "#!/bin/sh\n"),
    ("a declaration on line 3 declares nothing: dropped as any comment",
     "#!/usr/bin/env python3\n# generated\n# coding: latin-1\ndef f(a):\n    x = g(a)\n    return x\n",
     "#!/usr/bin/env python3\ndef f(a):\n    return g(a)"),
    ("a declaration on line 2 after code declares nothing",
     "import g\n# coding: latin-1\ndef f(a):\n    x = g(a)\n    return x\n",
     "import g\n\ndef f(a):\n    return g(a)"),
    ("#! on line 2 is a comment like any other",
     "# generated\n#!/usr/bin/env python3\ndef f(a):\n    x = g(a)\n    return x\n",
     "def f(a):\n    return g(a)"),
    ("without a header the canonical form is as it always was",
     "# generated\ndef f(a):\n    x = g(a)\n    return x\n",
     "def f(a):\n    return g(a)"),
]

BIG_ROWS = [
    ("a big literal at module level is written as in the source, its comment dropped",
     "X = BIG  # big\ndef f(a):\n    y = g(a)\n    return y\n",
     "X = BIG\n\ndef f(a):\n    return g(a)", {"f": "inlined"}),
    ("a statement after a semicolon is cut where it starts",
     "A = 1; X = (BIG,\r\n     2)\ndef f(a):\n    y = g(a)\n    return y\n",
     "A = 1\nX = (BIG,\n     2)\n\ndef f(a):\n    return g(a)", {"f": "inlined"}),
    ("the function holding one is written as in the source; the others are inlined",
     "def big(a):\n    y = BIG  # kept\n    return y + a\n\n\ndef f(a):\n    y = g(a)\n    return y\n",
     "def big(a):\n    y = BIG  # kept\n    return y + a\n\ndef f(a):\n    return g(a)",
     {"big": "cannot-unparse", "f": "inlined"}),
    ("with nothing to inline it is still reported",
     "@decorate\ndef big():\n    return BIG\ndef f(a):\n    y = g(a)\n    return y\n",
     "@decorate\ndef big():\n    return BIG\n\ndef f(a):\n    return g(a)",
     {"big": "cannot-unparse", "f": "inlined"}),
    ("the whole top-level statement holding it is written as in the source",
     "class C:\n    X = BIG\n    def m(self, a):\n        y = g(a)\n        return y\n",
     "class C:\n    X = BIG\n    def m(self, a):\n        y = g(a)\n        return y",
     {"C.m": "cannot-unparse"}),
    ("a literal that inlining would move stays where it was",
     "def f(a):\n    y = BIG\n    z = h(a)\n    return k(z, y)\n",
     "def f(a):\n    y = BIG\n    z = h(a)\n    return k(z, y)", {"f": "cannot-unparse"}),
]


def _through_the_cache(source: str, options: InlineOptions, cache: Path) -> str:
    (result,) = [result for _, result in InlineBatch(options, parallel=1, cache_dir=cache).run([source])]
    return result.code


@pytest.mark.parametrize("source, expected", [row[1:] for row in HEADER_ROWS], ids=[row[0] for row in HEADER_ROWS])
def test_header_rows(source, expected, tmp_path):
    assert inline_source(source, CANONICAL_MODE).code == expected
    assert _through_the_cache(source, CANONICAL_MODE, tmp_path) == expected


@pytest.mark.parametrize("source, expected, statuses", [row[1:] for row in BIG_ROWS], ids=[row[0] for row in BIG_ROWS])
def test_big_literal_rows(source, expected, statuses, tmp_path):
    source, expected = source.replace("BIG", BIG), expected.replace("BIG", BIG)
    result = inline_source(source, CANONICAL_MODE)
    assert result.code == expected
    assert {f.qualname: f.reason.value if f.reason else f.status for f in result.functions} == statuses
    assert _through_the_cache(source, CANONICAL_MODE, tmp_path) == expected
    compile(result.code, "<out>", "exec")


def test_a_big_literal_costs_its_function_not_the_module():
    source = (f"LIMIT = {BIG}\n"
              "def big(a):\n"
              f"    y = {BIG}\n"
              "    return y & a\n"
              "def normal(a):\n"
              "    x = g(a)\n"
              "    return x\n")
    result = inline_source(source, InlineOptions(preserve_format=False))
    big, normal = result.functions
    assert (normal.status, normal.inlined) == ("inlined", ("x",))
    assert (big.status, big.reason.value) == ("fallback", "cannot-unparse")
    assert "Exceeds the limit" in big.detail
    assert result.code == (f"LIMIT = {BIG}\n\n"
                           "def big(a):\n"
                           f"    y = {BIG}\n"
                           "    return y & a\n\n"
                           "def normal(a):\n"
                           "    return g(a)")


def test_inline_variables_keeps_the_header_and_digests_never_see_one():
    """Decided: the pipeline's canonical form is ``inline_source`` with the canonical
    options, header included; the digest takes a function's own lines, never a header."""
    body = "def solve(S, I, C):\n    x1 = f(I)\n    return g(x1)\n"
    header = "#!/usr/bin/env python3\n# -*- coding: latin-1 -*-\n"
    assert inline_variables(header + body) == header + inline_variables(body)
    assert inline_variables(header + body) == inline_source(header + body, CANONICAL).code
    assert canonicalise(header + body).text == canonicalise(body).text == inline_variables(body)


# -- the command line, as a process ------------------------------------------------------------

_INSTALLED = shutil.which("inline-solvers", path=os.path.dirname(sys.executable))
COMMAND = [_INSTALLED] if _INSTALLED else [sys.executable, "-m", "inline_solvers_cli"]


def _canonical_run(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(path.parent / ".xdg-cache")}
    return subprocess.run([*COMMAND, "--canonical", str(path)], capture_output=True, text=True,
                          cwd=path.parent, env=env, timeout=300)


def test_a_canonical_script_still_runs_through_its_shebang(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(f"#!{sys.executable}\n"
                      "import sys\n"
                      "def greeting(name):\n"
                      "    text = 'hello ' + name\n"
                      "    return text\n"
                      "print(greeting(sys.argv[1]))\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    done = _canonical_run(script)
    assert done.returncode == 0, done.stderr
    assert script.read_text() == (f"#!{sys.executable}\n"
                                  "import sys\n\n"
                                  "def greeting(name):\n"
                                  "    return 'hello ' + name\n"
                                  "print(greeting(sys.argv[1]))\n")
    ran = subprocess.run([str(script), "world"], capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stdout) == (0, "hello world\n"), ran.stderr


def test_a_canonical_latin_1_file_still_decodes(tmp_path):
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\n"
                      "def word(a):\n"
                      "    accent = a + 'é'\n"
                      "    return accent\n"
                      "print(word('caf'))\n".encode("latin-1"))
    done = _canonical_run(latin)
    assert done.returncode == 0, done.stderr
    data = latin.read_bytes()
    with latin.open("rb") as handle:
        assert tokenize.detect_encoding(handle.readline)[0] == "iso-8859-1"
    assert data.decode("latin-1") == ("# -*- coding: latin-1 -*-\n"
                                      "def word(a):\n"
                                      "    return a + 'é'\n"
                                      "print(word('caf'))\n")
    ran = subprocess.run([sys.executable, str(latin)], capture_output=True, timeout=60)
    assert (ran.returncode, ran.stdout.decode()) == (0, "café\n"), ran.stderr
