"""Where the canonical form differs from the pipeline's definition (see the README's list),
each with why ours is right: the reference's output changes what the function does, or is
text the compiler warns about; ours keeps it. None of these shapes occurs in generated
solvers, whose canonical form stays byte-identical (test_canonical_form.py)."""

from __future__ import annotations

import pytest

from helpers import code
from inliner import inline_variables
from reference_canonical import reference_canonical

# (title, the function, what the reference writes that is wrong, the text ours keeps)
ROWS = [
    ("a rebound variable: the reference reads the new value where the old one was meant",
     """
     def f(I):
         I = g(I)
         x = h(I)
         I = k(x)
         return I
     """, "return k(h(g(I)))", "I = g(I)"),
    ("a variable read inside a lambda: the reference copies the call into it, to run at each call",
     """
     def f(a):
         x = g(a)
         return lambda: x
     """, "return lambda: g(a)", "x = g(a)"),
    ("a literal the compiler would warn about where it lands",
     """
     def f(a):
         x = 1
         return x(a)
     """, "return 1(a)", "x = 1"),
    ("a read after return: the reference moves the call where it never runs",
     """
     def f():
         x = g()
         return 0
         return x
     """, "return g()", "x = g()"),
    ("a first statement removed: the reference makes the next string the docstring",
     """
     def f():
         x = 1
         'note'
         return x
     """, 'def f():\n    """note"""\n    return 1', "x = 1"),
    ("a local read through the frame: the reference drops pytest's __tracebackhide__",
     """
     def f():
         __tracebackhide__ = True
         return g()
     """, "def f():\n    return g()", "__tracebackhide__ = True"),
]


@pytest.mark.parametrize(("function", "reference_text", "kept_text"),
                         [(code(function), ref, kept) for _title, function, ref, kept in ROWS],
                         ids=[row[0] for row in ROWS])
def test_where_the_canonical_form_differs_from_the_definition(function, reference_text, kept_text):
    reference = reference_canonical(function)
    ours = inline_variables(function)
    assert reference_text in reference
    assert kept_text in ours
    assert ours != reference
