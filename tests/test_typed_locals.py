"""Which locals Cython types: one row per way of typing one, read as a table.

Each row is a module, the ``.pxd`` beside it (or none), and what
:func:`inliner.analysis.typed_locals.typed_locals` must find, per function qualname.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from inliner import InlineOptions, inline_source
from inliner.analysis.typed_locals import ALL_LOCALS, typed_locals

ALL = {ALL_LOCALS}

# A reproduction of chardet's shape: ordinary Python kernels, and a build-time-only .pxd
# that types their counters and accumulators (a multi-line decorator, comments, cimport).
KERNEL = """
    import array


    def dot_product(indices, weights, table):
        total = 0
        count = len(indices)
        for k in range(count):
            total += table[indices[k]] * weights[k]
        return total


    def fill_counts(data, weights, counts):
        seen = []
        last = len(data) - 1
        for k in range(last):
            first = data[k]
            second = data[k + 1]
            slot = (first << 8) | second
            current = counts[slot]
            if current == 0:
                seen.append(slot)
            counts[slot] = current + weights[slot]
        return seen


    def untyped(a):
        b = a + 1
        return b
    """
KERNEL_PXD = """
    # Build-time-only declarations: Cython reads them, the interpreter never does.
    cimport cython

    @cython.locals(total=cython.ulonglong, count=cython.Py_ssize_t, k=cython.Py_ssize_t)
    cpdef unsigned long long dot_product(int[::1] indices, int[::1] weights, bytes table)

    @cython.locals(
        last=cython.Py_ssize_t,
        k=cython.Py_ssize_t,
        first=cython.uchar,   # one byte
        second=cython.uchar,
        slot=cython.Py_ssize_t,
        current=cython.ulonglong,
    )
    cpdef fill_counts(bytes data, bytes weights, list counts)
    """

ROWS = [
    # -- in the module itself ----------------------------------------------------------------
    ("no cython anywhere", """
        def f(a):
            n = len(a)
            return n
        """, None, {}),
    ("@cython.locals names its locals", """
        import cython

        @cython.locals(n=cython.Py_ssize_t, total=cython.double)
        def f(a):
            n = len(a)
            total = 0.0
            return total / n
        """, None, {"f": {"n", "total"}}),
    ("beside @cython.cfunc, under an alias", """
        import cython as cy

        @cy.cfunc
        @cy.locals(n=cy.int)
        def f(a):
            n = len(a)
            return n
        """, None, {"f": {"n"}}),
    ("x = cython.declare(type)", """
        import cython

        def f(a):
            x = cython.declare(cython.int)
            x = a
            return x
        """, None, {"f": {"x"}}),
    ("cython.declare(x=type, y=type)", """
        import cython

        def f(a):
            cython.declare(x=cython.int, y=cython.double)
            x = a
            y = a / 2
            return x, y
        """, None, {"f": {"x", "y"}}),
    ("declared inside a block of the function", """
        import cython

        def f(a):
            if a:
                for k in a:
                    x = cython.declare(cython.int, k)
            return a
        """, None, {"f": {"x"}}),
    ("pure-mode annotations; a plain int is no C type", """
        import cython

        def f(a):
            n: cython.int = 0
            m: "cython.Py_ssize_t" = 1
            p: cython.pointer(cython.int)
            q: int = 2
            return n + m + q
        """, None, {"f": {"n", "m", "p"}}),
    ("an annotated parameter", """
        import cython

        def f(a: cython.int, b):
            return a + b
        """, None, {"f": {"a"}}),
    ("a module-level alias of a Cython type", """
        import cython

        Index = cython.typedef(cython.Py_ssize_t)

        def f(a):
            k: Index = 0
            return k
        """, None, {"f": {"k"}}),
    ("names imported from cython", """
        from cython import declare as typed, int as c_int

        def f(a):
            x = typed(c_int)
            y: c_int = 1
            return x + y
        """, None, {"f": {"x", "y"}}),
    ("an import under try: still counts", """
        try:
            import cython as cy
        except ImportError:
            pass

        def f(a):
            n: cy.int = 0
            return n
        """, None, {"f": {"n"}}),
    ("methods and nested functions by qualname, each with its own", """
        import cython

        class Model:
            @cython.locals(total=cython.double)
            def score(self, xs):
                total = sum(xs)

                def inner(b):
                    step = cython.declare(cython.int, b)
                    return step
                return total
        """, None, {"Model.score": {"total"}, "Model.score.<locals>.inner": {"step"}}),
    ("another decorator's keywords are taken too: more kept, never fewer", """
        import cython

        @cython.exceptval(check=False)
        def f(a):
            return a
        """, None, {"f": {"check"}}),
    ("a decorator that is not cython's types nothing", """
        import functools

        @functools.lru_cache(maxsize=None)
        def f(a):
            n = len(a)
            return n
        """, None, {}),
    # -- in the .pxd beside it -----------------------------------------------------------------
    ("chardet's shape: a .pxd types the kernels' counters", KERNEL, KERNEL_PXD,
     {"dot_product": {"total", "count", "k"},
      "fill_counts": {"last", "k", "first", "second", "slot", "current"}}),
    ("a method of a cdef class is Class.name; attributes type no local", """
        class Model:
            def score(self, xs):
                total = sum(xs)
                return total

            def size(self):
                n = 3
                return n
        """, """
        cdef class Model:
            cdef public int width
            cdef:
                double scale
            @cython.locals(total=cython.double)
            cpdef double score(self, list xs)
            cpdef int size(self)
        """, {"Model.score": {"total"}}),
    ("cdef locals in the body of a function the .pxd defines", """
        def clamp(v):
            low = 0
            return max(v, low)
        """, """
        cdef inline int clamp(int v):
            cdef int low = 0, high = 10
            cdef:
                double ratio
                int *cursor, window[4]
            cdef int (*callback)(int)
            for k in range(3):
                v += k
            return v
        """, {"clamp": {"low", "high", "ratio", "cursor", "window", "callback"}}),
    ("what is not a function of the module is passed over", """
        def f(a):
            n = len(a)
            return n
        """, """
        cdef extern from "math.h":
            double sqrt(double x)
        ctypedef struct Pair:
            int first
        cdef int counter
        @cython.locals(n=cython.int)
        cpdef int elsewhere(list a)
        """, {}),
    ("the module's own and the .pxd's together", """
        import cython

        @cython.locals(x=cython.int)
        def f(a):
            x = a
            y = a
            return x + y
        """, """
        @cython.locals(y=cython.int)
        cpdef f(a)
        """, {"f": {"x", "y"}}),
    # -- a .pxd that cannot be read: every function may type anything -------------------------
    ("a bracket left open", """
        class C:
            def m(self):
                return 1

        def f(a):
            return a
        """, """
        @cython.locals(n=cython.int
        cpdef f(a)
        """, {"C.m": ALL, "f": ALL}),
    ("@cython.locals without name=type", """
        def f(a):
            return a
        """, """
        @cython.locals(cython.int)
        cpdef f(a)
        """, {"f": ALL}),
    ("@cython.locals before no function", """
        def f(a):
            return a
        """, """
        @cython.locals(n=cython.int)
        cdef class C:
            pass
        """, {"f": ALL}),
    ("a cdef line with no name to read", """
        def f(a):
            return a
        """, """
        cdef inline int f(int a):
            cdef int g(int)
            return a
        """, {"f": ALL}),
]


def _module(tmp_path, source: str, pxd: str | bytes | None, stem: str = "module"):
    path = tmp_path / f"{stem}.py"
    text = textwrap.dedent(source).lstrip("\n")
    path.write_text(text)
    if isinstance(pxd, bytes):
        path.with_suffix(".pxd").write_bytes(pxd)
    elif pxd is not None:
        path.with_suffix(".pxd").write_text(textwrap.dedent(pxd).lstrip("\n"))
    return ast.parse(text), path


@pytest.mark.parametrize("source, pxd, expected", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_rows(tmp_path, source, pxd, expected):
    tree, path = _module(tmp_path, source, pxd)
    assert typed_locals(tree, path) == {name: frozenset(names) for name, names in expected.items()}


def test_without_a_path_only_the_module_counts(tmp_path):
    tree, _ = _module(tmp_path, KERNEL, KERNEL_PXD)
    assert typed_locals(tree, None) == {}


def test_only_the_pxd_of_the_same_stem(tmp_path):
    tree, path = _module(tmp_path, KERNEL, None)
    (tmp_path / "other.pxd").write_text(textwrap.dedent(KERNEL_PXD))
    assert typed_locals(tree, path) == {}


@pytest.mark.parametrize("make_unreadable", [
    lambda pxd: pxd.write_bytes(b"cpdef f(a)\n\xff\xfe\n"),
    lambda pxd: pxd.mkdir(),
], ids=["not UTF-8", "a directory"])
def test_a_pxd_that_cannot_be_read_types_everything(tmp_path, make_unreadable):
    tree, path = _module(tmp_path, KERNEL, None)
    make_unreadable(path.with_suffix(".pxd"))
    assert typed_locals(tree, path) == {"dot_product": ALL, "fill_counts": ALL, "untyped": ALL}


def test_a_pxd_in_its_declared_encoding(tmp_path):
    tree, path = _module(tmp_path, KERNEL, None)
    path.with_suffix(".pxd").write_bytes(
        "# -*- coding: latin-1 -*-\n# façade\n@cython.locals(count=cython.int)\ncpdef dot_product(a, b, c)\n"
        .encode("latin-1"))
    assert typed_locals(tree, path) == {"dot_product": frozenset({"count"})}


def test_a_typed_local_is_kept_end_to_end(tmp_path):
    """The .pxd types ``count``: inlined, ``len(indices)`` would be a Python object where
    the compiled loop counts in C. Untyped, it is inlined (see the last assertion)."""
    source = textwrap.dedent("""
        def dot_product(indices, weights, table):
            total = 0
            count = len(indices)
            for k in range(count):
                total += table[indices[k]] * weights[k]
            return total
        """).lstrip("\n")
    path = tmp_path / "_kernel.py"
    path.write_text(source)
    path.with_suffix(".pxd").write_text(
        "@cython.locals(count=cython.Py_ssize_t)\ncpdef dot_product(indices, weights, table)\n")
    result = inline_source(source, InlineOptions(), path=path)
    kept = {k.name: k.reason.value for k in result.kept}
    assert kept.get("count") == "typed-local"
    assert "count = len(indices)" in result.code
    assert "range(len(indices))" in inline_source(source, InlineOptions()).code
