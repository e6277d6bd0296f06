"""``0`` and ``inf`` seconds mean no time limit, in the library as on the command line
(``--timeout none|0|inf``); a negative or NaN limit is the caller's error.

A limit taken literally would show: at 0 seconds every function runs out of time and
comes back as it was (with reason ``timeout``), as it does at a nanosecond.
"""

from __future__ import annotations

import math

import pytest

from inliner import CANONICAL, InlineOptions, inline_many, inline_source, inline_variables

SOURCE = "def f(a):\n    x = g(a)\n    return x\n"
INLINED = "def f(a):\n    return g(a)\n"
CANONICAL_TEXT = "def f(a):\n    return g(a)"
NO_LIMIT = [None, 0, 0.0, math.inf]


@pytest.mark.parametrize("timeout", NO_LIMIT)
def test_inline_variables_without_a_time_limit(timeout):
    assert inline_variables(SOURCE, timeout_seconds=timeout) == CANONICAL_TEXT


@pytest.mark.parametrize("timeout", NO_LIMIT)
def test_options_without_a_time_limit_are_one_option(timeout):
    options = InlineOptions(timeout=timeout)
    assert options.timeout is None and options == InlineOptions(timeout=None)
    assert inline_source(SOURCE, options).code == INLINED


@pytest.mark.parametrize("timeout", [0, math.inf])
def test_a_batch_without_a_time_limit(timeout):
    results = inline_many([SOURCE] * 3, CANONICAL, parallel=1, timeout=timeout)
    assert [r.code for r in results] == [CANONICAL_TEXT] * 3 and results.stats.fallbacks == {}


def test_a_tiny_limit_is_still_a_limit():
    result = inline_source(SOURCE, InlineOptions(timeout=1e-9))
    assert result.code == SOURCE and result.functions[0].reason.value == "timeout"


@pytest.mark.parametrize("timeout", [-1, -math.inf, math.nan, "3", True])
def test_a_bad_limit_is_the_callers_error(timeout):
    with pytest.raises(ValueError, match="timeout"):
        InlineOptions(timeout=timeout)
    with pytest.raises(ValueError, match="timeout"):
        inline_variables(SOURCE, timeout_seconds=timeout)
